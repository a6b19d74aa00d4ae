// BlobStore: the content-addressed store for large (LFS) objects, keyed by SHA-256. Objects
// are immutable: a writer streams bytes in, the hash and size are checked as they arrive, and
// only a verified object becomes visible (atomically, by rename), so a crash or a bad upload
// never leaves a readable object with the wrong content. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

// An open object as a sequence of pieces in files: one piece for a plain file, one per chunk
// for an object stored as Xet chunks in xorbs. A piece stored uncompressed can be sent with
// sendfile; a compressed one is decompressed first (xet::decompress_chunk). The content owns
// its descriptors and closes them.
struct ObjectPiece {
  int fd = -1;
  uint64_t offset = 0;      // where the stored bytes start in the file
  uint64_t stored = 0;      // stored bytes
  uint8_t compression = 0;  // xet::Compression; 0: the stored bytes are the content
  uint64_t length = 0;      // content bytes
};

class ObjectContent {
 public:
  ObjectContent() = default;
  ~ObjectContent();
  ObjectContent(const ObjectContent&) = delete;
  ObjectContent& operator=(const ObjectContent&) = delete;
  uint64_t size = 0;
  std::vector<ObjectPiece> pieces;
  std::vector<int> fds;  // owned
  // Reads the content bytes of one piece into `out` (decompressing if needed).
  Status read_piece(const ObjectPiece& piece, std::string& out) const;
  // Streams the whole content through `sink` (for hashing, migration and checks).
  Status read_all(const std::function<Status(std::string_view)>& sink) const;
};

class BlobWriter {
 public:
  virtual ~BlobWriter() = default;  // an uncommitted writer discards what it received
  virtual Status write(std::string_view bytes) = 0;
  // Verifies that the bytes hash to the expected oid and size, then publishes the object.
  // kUnprocessable on a mismatch (nothing is stored).
  virtual Status commit() = 0;
  virtual uint64_t bytes_written() const = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::optional<uint64_t> size(std::string_view oid) = 0;
  bool exists(std::string_view oid) { return size(oid).has_value(); }
  virtual Result<std::shared_ptr<ObjectContent>> open(std::string_view oid) = 0;
  virtual Result<std::unique_ptr<BlobWriter>> begin_write(std::string_view oid, uint64_t size) = 0;
};

// The earlier plain-file store: objects as files under `root`/objects/ab/cd/<oid>, read-only
// (begin_write fails); XetStore reads through it until `vitrine migrate` converts them.
std::unique_ptr<BlobStore> make_local_blob_store(const std::string& root);

}  // namespace vitrine::storage
