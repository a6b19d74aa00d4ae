// The client side of the transparency log (docs/transparency.md), as `vitrine verify` uses it:
// reading stored hashes and entries out of C2SP tiles fetched from a hub, and the small parsers
// a verifier needs (entry bundles, sealed-entry commitments, huggingface_hub cache paths,
// witness state file names).
//
// Nothing here trusts what it reads: a TileCache hands out hashes exactly as the hub served
// them, and every caller checks what it computes from them against a signed checkpoint's root
// (tree hash, inclusion and consistency proofs). The functions are pure; TileCache reaches the
// network only through the fetcher it is given and is not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "formats/tlog/merkle.hpp"
#include "formats/tlog/note.hpp"
#include "util/result.hpp"

namespace vitrine::cli {

// How a verification step ends when it does not pass. kUnprocessable: the log failed a check
// (`vitrine verify` exits 1); any other kind: the check could not run (exit 2).
inline Status log_failed(std::string reason) {
  return unprocessable(std::move(reason));
}
inline Status cannot_check(std::string reason) {
  return internal_error(std::move(reason));
}
inline bool is_log_failure(const Status& status) {
  return status.kind() == ErrorKind::kUnprocessable;
}
// An error from tile reading or proof math as a failure of the log, with `reason` first;
// transport failures (kInternal) stay "could not check".
inline Status as_log_failure(const Status& status, const std::string& reason) {
  if (status.kind() == ErrorKind::kInternal) return status;
  return log_failed(reason + " (" + status.message() + ")");
}

// A checkpoint that opened with the log's key.
struct SignedCheckpoint {
  std::string note;  // the signed note, byte for byte as read
  int64_t size = 0;
  tlog::Hash root{};
};

// Opens `bytes` as a checkpoint signed by `key` whose origin is the key's name. `what` names
// it in failures: "<what> signature does not verify with the given key (...)" when the key did
// not sign it, "<what> is for the log ..." for another origin.
Result<SignedCheckpoint> open_checkpoint(std::string_view bytes, const tlog::Verifier& key,
                                         const std::string& what);

// Fetches one tile by its path relative to the log prefix ("tile/0/x001/234.p/7",
// "tile/entries/000"). kInternal for a transport failure (the check could not run); any other
// error kind means the hub answered with something that is not the tile.
using TileFetcher = std::function<Result<std::string>(const std::string& path)>;

// The tiles of one log, fetched on first use and kept in memory for the life of the cache.
class TileCache {
 public:
  explicit TileCache(TileFetcher fetch) : fetch_(std::move(fetch)) {}

  // A HashReader over the tree of `tree_size` records, reading the tiles that tree publishes
  // (full tiles, and the partial tile of each level at the width the tree gives it). It serves
  // any stored hash of a tree of at most tree_size records, so the same reader proves older
  // tree sizes against this tree. The reader must not outlive the cache.
  tlog::HashReader reader(int64_t tree_size);

  // The bytes of record `index` (< tree_size) out of the entry bundle that the tree of
  // `tree_size` records publishes for it. kUnprocessable when the bundle is malformed or does
  // not hold the number of entries its width promises.
  Result<std::string> entry(int64_t tree_size, int64_t index);

 private:
  Result<std::string> tile_data(const tlog::Tile& tile);

  TileFetcher fetch_;
  std::map<std::tuple<int, int64_t, int>, std::string> tiles_;  // (level, n, width) -> bytes
};

// The width of tile `n` at tile level `level` (tlog::kEntriesLevel for an entry bundle) in a
// tree of tree_size records: 256 for a full tile, fewer for the last partial one, 0 when the
// tree has no such tile.
int tile_width_in_tree(int level, int64_t n, int64_t tree_size);

// Splits an entry bundle (each entry as a 2-byte big-endian length, then its bytes) into its
// entries; kUnprocessable when a length runs past the end.
Result<std::vector<std::string>> parse_entry_bundle(std::string_view data);

// The bytes that lowercase hex `hex` spells, or nullopt for anything but lowercase hex pairs.
std::optional<std::string> decode_lower_hex(std::string_view hex);
// A hash written as 64 lowercase hex digits (as the lookup and proof APIs write them).
std::optional<tlog::Hash> parse_hash_hex(std::string_view hex);

// Lowercase hex SHA-256("vitrine-sealed-entry\n" || nonce || entry), the commitment a sealed
// entry carries for the opening (nonce, entry).
std::string sealed_commitment_hex(std::string_view nonce, std::string_view entry);

// A file inside the huggingface_hub cache:
// <cache>/<models|datasets|spaces>--<ns>--<name>/snapshots/<40-hex commit>/<path>.
struct HubCachePath {
  std::string repo;    // "models/ns/name" (type prefix always present)
  std::string commit;  // 40 lowercase hex
  std::string path;    // the file's path inside the repository
  bool operator==(const HubCachePath&) const = default;
};

// The repository, commit and path that a cache path names (the path as given, before symlinks
// to blobs/ are followed), or nullopt when the path is not laid out like the cache.
std::optional<HubCachePath> parse_hub_cache_path(std::string_view path);

// The file name under which a witness keeps the last checkpoint of the log `origin`: the
// origin with every byte outside [A-Za-z0-9_.-] (and a leading '.') written as %XX, so that
// different origins never share a file and no name escapes the state folder.
std::string state_file_name(std::string_view origin);

}  // namespace vitrine::cli
