// XetStore: the one content-addressed store for large files, in the Xet format. Xorbs are kept
// as they arrive (data/xet/xorbs/ab/<hash>), verified, with a side index of their chunks (hash,
// byte offset, sizes, compression) so a reconstruction range maps straight to file offsets.
// Files are reconstructions: terms of (xorb, chunk range). A file registered with a SHA-256 is
// an LFS object too, so Xet clients, LFS clients and git-lfs read and write the same bytes:
//   - Xet uploads: put_xorb + put_shard;
//   - LFS uploads: begin_write chunks the stream server-side (gear CDC), dedups every chunk
//     against the store, packs new chunks into new xorbs and registers the file;
//   - LFS downloads: open() returns the pieces of the reconstruction.
// The index lives in its own SQLite database (data/xet/index.sqlite); it only ever names xorbs
// that are durable on disk, and files only name xorbs that are indexed, so a crash at any
// point leaves no referenced-but-missing data. Objects of the previous plain-file store are
// read through `legacy` until migrate() converts them. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "domain/maintenance_report.hpp"
#include "formats/xet/format.hpp"
#include "storage/objects/blob_store.hpp"
#include "storage/storage_private.hpp"

struct sqlite3;

namespace vitrine::storage {

struct XorbInfo {
  xet::Hash hash;
  uint64_t size = 0;      // serialized bytes
  uint64_t unpacked = 0;  // sum of chunk sizes
  std::vector<xet::XorbChunk> chunks;
};

using domain::FsckReport;
using domain::GcReport;

class XetStore : public BlobStore {
 public:
  // `root` is data/xet; `legacy` (may be null) is the previous plain-file LFS store.
  static Result<std::unique_ptr<XetStore>> open(const std::string& root,
                                                std::unique_ptr<BlobStore> legacy);
  ~XetStore() override;

  // ---- BlobStore: LFS objects by SHA-256 ----
  std::optional<uint64_t> size(std::string_view oid) override;
  Result<std::shared_ptr<ObjectContent>> open(std::string_view oid) override;
  Result<std::unique_ptr<BlobWriter>> begin_write(std::string_view oid, uint64_t size) override;

  // ---- CAS ----
  // Verifies the serialized xorb (framing, every chunk hash, the Merkle hash against `claimed`)
  // and stores it; false when it was already stored. kInvalidArgument on any defect.
  Result<bool> put_xorb(const xet::Hash& claimed, std::string_view bytes);
  // Verifies a shard (every referenced xorb and chunk range exists, term sizes and
  // verification hashes hold, the file hash and the SHA-256 recomputed) and registers its
  // files. Returns the files it names (new or already known).
  Result<std::vector<xet::FileRecord>> put_shard(std::string_view bytes);
  std::optional<xet::FileRecord> file(const xet::Hash& hash);
  std::optional<xet::FileRecord> file_by_sha256(std::string_view sha256);
  Result<std::shared_ptr<const XorbInfo>> xorb(const xet::Hash& hash);
  bool has_xorb(const xet::Hash& hash);
  std::string xorb_path(const xet::Hash& hash) const;
  // Global dedup: a shard (CAS info only) describing the xorb that holds `chunk`, with its
  // chunk hashes protected by a fresh HMAC key; nullopt when the chunk is unknown.
  std::optional<std::string> dedup_shard(const xet::Hash& chunk, int64_t key_expiry);
  // The content of a file (its pieces, in order).
  Result<std::shared_ptr<ObjectContent>> open_file(const xet::FileRecord& file);

  // ---- who may reference what ----
  // An object may be committed to a repository only when that repository already names it or
  // someone uploaded its bytes (LFS PUT, Xet shard) for it: knowing a SHA-256 is not enough.
  // (Commits record the lasting link in the metadata database.)
  Status link_upload(const std::string& repo_uid, const std::string& sha256);
  bool has_upload(const std::string& repo_uid, const std::string& sha256);

  // ---- maintenance ----
  // Removes files whose SHA-256 is not in `live` (and files without one) and xorbs no
  // remaining file references, both only when untouched for `grace_seconds`, so uploads in
  // flight (xorbs before their shard, files before their commit) survive.
  Result<GcReport> gc(const std::set<std::string>& live_sha256, int64_t grace_seconds);
  // Recomputes every hash of the store: each xorb's chunks and Merkle hash, each file's
  // terms, file hash and SHA-256. With `repair`, damaged xorbs move to data/xet/quarantine and
  // the files that need them are unregistered (their uploads can then be repeated).
  Result<FsckReport> fsck(bool repair);
  // Converts every object of the legacy store; reads keep working throughout. Returns the
  // number converted.
  Result<uint64_t> migrate();
  uint64_t legacy_count();

 public:
  struct Impl;  // defined in xet_store.cpp

 private:
  explicit XetStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitrine::storage
