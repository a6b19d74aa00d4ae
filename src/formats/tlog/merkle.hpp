// The RFC 6962 / RFC 9162 Merkle tree of Vitrine's transparency log, with the append-only hash
// storage layout of the Go checksum database (golang.org/x/mod/sumdb/tlog) and the C2SP
// tlog-tiles layout used to serve it (https://c2sp.org/tlog-tiles).
//
// Everything here is pure: no I/O, no clock, no global state. Storage is reached only through
// a HashReader that the caller supplies, so the same code proves records against a SQLite
// table, a directory of tiles or an in-memory vector. All functions are thread-safe as long as
// the HashReader is.
//
// Indexes and sizes are int64_t, as in the Go package, so that stored hash indexes computed
// here and by Go tooling agree. Violated preconditions that can only come from a bug here
// (inconsistent index math) throw std::logic_error; bad input from callers or from the network
// (a size out of range, a proof of the wrong length, a malformed path) comes back as a Status.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace vitrine::tlog {

inline constexpr size_t kHashSize = 32;

// A SHA-256 hash: of a record, of an interior node, or of a whole tree.
using Hash = std::array<uint8_t, kHashSize>;

// An inclusion proof (RFC 6962 "audit path") or consistency proof, leaf side first, exactly as
// RFC 6962 section 2.1.1/2.1.2 orders it.
using Proof = std::vector<Hash>;

// Reads stored hashes by their stored hash index (see stored_hash_index). Must return exactly
// one hash per requested index, in the same order, or a non-ok Status. The functions in this
// file always ask for indexes in strictly increasing order, so a reader may stream them.
using HashReader = std::function<Result<std::vector<Hash>>(std::span<const int64_t> indexes)>;

// --- RFC 6962 hashing -------------------------------------------------------------------------

// SHA-256(0x00 || data): the hash of a log record (leaf).
Hash record_hash(std::string_view data);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash node_hash(const Hash& left, const Hash& right);
// SHA-256(""): RFC 6962's hash of the empty tree (what a checkpoint of size 0 carries). Note the
// Go package returns an all-zero hash for size 0 instead; Vitrine follows the RFC.
Hash empty_tree_hash();

// Lowercase hex of a hash, for logs and tests.
std::string to_hex(const Hash& hash);

// --- Stored hash layout -----------------------------------------------------------------------
// Every complete subtree's hash gets one slot in a dense, append-only sequence: record n's leaf
// hash is followed by the hashes of the subtrees that record n completes (Crosby and Wallach,
// "Efficient Data Structures for Tamper-Evident Logging", 3.3). The hash at tree level `level`
// covering records [n << level, (n + 1) << level) has index stored_hash_index(level, n).

int64_t stored_hash_index(int level, int64_t n);
// The inverse of stored_hash_index: {level, n}. index must be non-negative.
std::pair<int, int64_t> split_stored_hash_index(int64_t index);
// How many hashes are stored for a tree of n records.
int64_t stored_hash_count(int64_t n);

// The hashes to append to storage (starting at stored_hash_index(0, n)) when record n with the
// given data is added to a log that already stores the hashes of records [0, n): the record's
// leaf hash, then one hash per subtree the record completes. Reads at most log2(n) earlier
// hashes through `reader`.
Result<std::vector<Hash>> stored_hashes_for_record(int64_t n, std::string_view data,
                                                   const HashReader& reader);
// The same, given record_hash(data) instead of data.
Result<std::vector<Hash>> stored_hashes_for_record_hash(int64_t n, const Hash& leaf_hash,
                                                        const HashReader& reader);

// --- Tree hashes and proofs -------------------------------------------------------------------

// The RFC 6962 Merkle tree hash of the first n records (empty_tree_hash() for n == 0). One call
// to `reader`, for at most 1 + log2(n) hashes.
Result<Hash> tree_hash(int64_t n, const HashReader& reader);

// The inclusion proof of record n in the tree of size t (0 <= n < t).
Result<Proof> prove_record(int64_t t, int64_t n, const HashReader& reader);
// Ok when `proof` shows that the tree of size t with hash `root` has leaf hash `leaf_hash` at
// index n; kBadRequest for out-of-range sizes, kUnprocessable for a proof that does not verify.
Status check_record(std::span<const Hash> proof, int64_t t, const Hash& root, int64_t n,
                    const Hash& leaf_hash);

// The consistency proof that the tree of size t contains the tree of size n as a prefix
// (1 <= n <= t).
Result<Proof> prove_tree(int64_t t, int64_t n, const HashReader& reader);
// Ok when `proof` shows that the tree of size t with hash root_t extends the tree of size n with
// hash root_n; error kinds as for check_record.
Status check_tree(std::span<const Hash> proof, int64_t t, const Hash& root_t, int64_t n,
                  const Hash& root_n);

// --- C2SP tlog-tiles --------------------------------------------------------------------------

// Tiles are 8 levels high: a full tile holds 256 hashes.
inline constexpr int kTileHeight = 8;
inline constexpr int kTileWidth = 1 << kTileHeight;
inline constexpr int kMaxTileLevel = 63;
// The level of an entry bundle (tile/entries/...), the record data behind level-0 tile n.
inline constexpr int kEntriesLevel = -1;

// Tile n at `level` holds the hashes at tree level 8 * level of records
// [n * 256^(level+1), (n + 1) * 256^(level+1)); `width` (1..256) of them, 256 for a full tile.
// level == kEntriesLevel names the entry bundle with the same n and width as level-0 tile n.
struct Tile {
  int level = 0;
  int64_t n = 0;
  int width = kTileWidth;

  bool operator==(const Tile&) const = default;
};

// The path of a tile relative to the log prefix: tile/<L>/<N>[.p/<W>] or
// tile/entries/<N>[.p/<W>], N written as three-digit groups (1234067 -> x001/x234/067).
std::string tile_path(const Tile& tile);
// Parses a path as tile_path writes it; anything else (leading zeros, a level over 63, a width
// of 0 or 256 behind .p, an N past int64, stray characters) is kBadRequest. Accepts exactly the
// strings tile_path produces.
Result<Tile> parse_tile_path(std::string_view path);

// The tile of least width that holds the stored hash `index`.
Tile tile_for_index(int64_t index);
// The hash with stored hash index `index`, read from tile data (the concatenated hashes of
// `tile`, at least tile.width * 32 bytes) where tile is tile_for_index(index) or a wider tile
// of the same level and number. Hashes of levels inside the tile are recomputed.
Result<Hash> hash_from_tile(const Tile& tile, std::string_view data, int64_t index);
// The tile's data (its hashes concatenated) read through `reader`. Not for entry bundles.
Result<std::string> read_tile_data(const Tile& tile, const HashReader& reader);
// The tiles to publish when the log grows from old_size to new_size records: every full tile
// completed and every partial tile width reached in between, level by level (Go's NewTiles).
// The level-0 tiles among them name the entry bundles to publish too.
std::vector<Tile> new_tiles(int64_t old_size, int64_t new_size);

}  // namespace vitrine::tlog
