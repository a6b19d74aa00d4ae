// RFC 6962 Merkle tree hashing, proofs over the Go sumdb stored-hash layout, and C2SP tile math.
// The proof construction follows RFC 6962 section 2.1 directly: a tree of size n splits into a
// left subtree of k leaves, k the largest power of two below n, and the rest; the left subtree
// is complete, so its hash is stored, and only the ragged right edge needs recomputing.
#include "formats/tlog/merkle.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <stdexcept>

namespace vitrine::tlog {
namespace {

Hash sha256(const void* data, size_t size) {
  Hash out;
  unsigned int length = 0;
  if (EVP_Digest(data, size, out.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != kHashSize) {
    throw std::runtime_error("tlog: EVP_Digest(SHA-256) failed");
  }
  return out;
}

[[noreturn]] void bad_math(const char* where) {
  throw std::logic_error(std::string("tlog: bad index math in ") + where);
}

// The largest power of two strictly below n (n >= 2), and its log2.
std::pair<int64_t, int> max_pow2_below(int64_t n) {
  auto k = static_cast<int64_t>(std::bit_floor(static_cast<uint64_t>(n - 1)));
  return {k, std::countr_zero(static_cast<uint64_t>(k))};
}

Status proof_failed() {
  return unprocessable("tlog: invalid transparency proof");
}

// Reads `indexes`, insisting on one hash per index.
Result<std::vector<Hash>> read_all(const HashReader& reader, const std::vector<int64_t>& indexes) {
  auto hashes = reader(indexes);
  if (!hashes) return hashes.status();
  if (hashes->size() != indexes.size()) {
    return internal_error("tlog: hash reader returned " + std::to_string(hashes->size()) +
                          " hashes for " + std::to_string(indexes.size()) + " indexes");
  }
  return hashes;
}

// Hashes handed out in the order their indexes were requested.
struct HashCursor {
  const std::vector<Hash>& hashes;
  size_t next = 0;
};

// Appends the stored indexes needed for the hash of records [lo, hi): the complete subtrees
// that tile the range, largest first.
void subtree_indexes(int64_t lo, int64_t hi, std::vector<int64_t>& need) {
  while (lo < hi) {
    auto [k, level] = max_pow2_below(hi - lo + 1);
    if ((lo & (k - 1)) != 0) bad_math("subtree_indexes");
    need.push_back(stored_hash_index(level, lo >> level));
    lo += k;
  }
}

// The hash of records [lo, hi) from the hashes subtree_indexes(lo, hi) asked for.
Hash subtree_hash(int64_t lo, int64_t hi, HashCursor& cursor) {
  size_t count = 0;
  while (lo < hi) {
    auto [k, level] = max_pow2_below(hi - lo + 1);
    if ((lo & (k - 1)) != 0) bad_math("subtree_hash");
    ++count;
    lo += k;
  }
  if (count == 0 || cursor.hashes.size() - cursor.next < count) bad_math("subtree_hash");
  const Hash* parts = cursor.hashes.data() + cursor.next;
  Hash hash = parts[count - 1];
  for (size_t i = count - 1; i-- > 0;) hash = node_hash(parts[i], hash);
  cursor.next += count;
  return hash;
}

void record_proof_indexes(int64_t lo, int64_t hi, int64_t n, std::vector<int64_t>& need) {
  if (!(lo <= n && n < hi)) bad_math("record_proof_indexes");
  if (lo + 1 == hi) return;
  auto [k, level] = max_pow2_below(hi - lo);
  if (n < lo + k) {
    record_proof_indexes(lo, lo + k, n, need);
    subtree_indexes(lo + k, hi, need);
  } else {
    subtree_indexes(lo, lo + k, need);
    record_proof_indexes(lo + k, hi, n, need);
  }
}

// Appends to `proof` the audit path of record n in records [lo, hi), leaf side first.
void record_proof(int64_t lo, int64_t hi, int64_t n, HashCursor& cursor, Proof& proof) {
  if (!(lo <= n && n < hi)) bad_math("record_proof");
  if (lo + 1 == hi) return;  // the verifier has the leaf hash
  auto [k, level] = max_pow2_below(hi - lo);
  Hash sibling;
  if (n < lo + k) {
    record_proof(lo, lo + k, n, cursor, proof);
    sibling = subtree_hash(lo + k, hi, cursor);
  } else {
    sibling = subtree_hash(lo, lo + k, cursor);
    record_proof(lo + k, hi, n, cursor, proof);
  }
  proof.push_back(sibling);
}

// The root of records [lo, hi) implied by `proof` for leaf n with hash leaf_hash, or nothing
// when the proof has the wrong length.
bool run_record_proof(std::span<const Hash> proof, int64_t lo, int64_t hi, int64_t n,
                      const Hash& leaf_hash, Hash& out) {
  if (!(lo <= n && n < hi)) bad_math("run_record_proof");
  if (lo + 1 == hi) {
    if (!proof.empty()) return false;
    out = leaf_hash;
    return true;
  }
  if (proof.empty()) return false;
  auto [k, level] = max_pow2_below(hi - lo);
  const Hash& sibling = proof.back();
  auto rest = proof.first(proof.size() - 1);
  Hash inner;
  if (n < lo + k) {
    if (!run_record_proof(rest, lo, lo + k, n, leaf_hash, inner)) return false;
    out = node_hash(inner, sibling);
  } else {
    if (!run_record_proof(rest, lo + k, hi, n, leaf_hash, inner)) return false;
    out = node_hash(sibling, inner);
  }
  return true;
}

void tree_proof_indexes(int64_t lo, int64_t hi, int64_t n, std::vector<int64_t>& need) {
  if (!(lo < n && n <= hi)) bad_math("tree_proof_indexes");
  if (n == hi) {
    if (lo != 0) subtree_indexes(lo, hi, need);
    return;
  }
  auto [k, level] = max_pow2_below(hi - lo);
  if (n <= lo + k) {
    tree_proof_indexes(lo, lo + k, n, need);
    subtree_indexes(lo + k, hi, need);
  } else {
    subtree_indexes(lo, lo + k, need);
    tree_proof_indexes(lo + k, hi, n, need);
  }
}

// RFC 6962 SUBPROOF(n, D[lo:hi], lo == 0), appended to `proof`.
void tree_proof(int64_t lo, int64_t hi, int64_t n, HashCursor& cursor, Proof& proof) {
  if (!(lo < n && n <= hi)) bad_math("tree_proof");
  if (n == hi) {
    // The old tree itself needs no hash: the verifier has it.
    if (lo != 0) proof.push_back(subtree_hash(lo, hi, cursor));
    return;
  }
  auto [k, level] = max_pow2_below(hi - lo);
  Hash sibling;
  if (n <= lo + k) {
    tree_proof(lo, lo + k, n, cursor, proof);
    sibling = subtree_hash(lo + k, hi, cursor);
  } else {
    sibling = subtree_hash(lo, lo + k, cursor);
    tree_proof(lo + k, hi, n, cursor, proof);
  }
  proof.push_back(sibling);
}

// Runs a consistency sub-proof over records [lo, hi): the implied hashes of that range in the
// old tree (size n) and the new one. False when the proof has the wrong length.
bool run_tree_proof(std::span<const Hash> proof, int64_t lo, int64_t hi, int64_t n,
                    const Hash& old_root, Hash& old_out, Hash& new_out) {
  if (!(lo < n && n <= hi)) bad_math("run_tree_proof");
  if (n == hi) {
    if (lo == 0) {
      if (!proof.empty()) return false;
      old_out = new_out = old_root;
      return true;
    }
    if (proof.size() != 1) return false;
    old_out = new_out = proof[0];
    return true;
  }
  if (proof.empty()) return false;
  auto [k, level] = max_pow2_below(hi - lo);
  const Hash& sibling = proof.back();
  auto rest = proof.first(proof.size() - 1);
  Hash old_inner, new_inner;
  if (n <= lo + k) {
    if (!run_tree_proof(rest, lo, lo + k, n, old_root, old_inner, new_inner)) return false;
    old_out = old_inner;  // the old tree ends inside the left half
    new_out = node_hash(new_inner, sibling);
  } else {
    if (!run_tree_proof(rest, lo + k, hi, n, old_root, old_inner, new_inner)) return false;
    old_out = node_hash(sibling, old_inner);
    new_out = node_hash(sibling, new_inner);
  }
  return true;
}

// The hash of a run of tile hashes (a power-of-two count, or 1).
Hash tile_span_hash(std::string_view data) {
  if (data.size() == kHashSize) {
    Hash hash;
    std::copy(data.begin(), data.end(), hash.begin());
    return hash;
  }
  if (data.size() < 2 * kHashSize) bad_math("tile_span_hash");
  size_t half = data.size() / 2;
  return node_hash(tile_span_hash(data.substr(0, half)), tile_span_hash(data.substr(half)));
}

// tile_for_index, plus the hash range [start, end) within the tile (in hashes) whose subtree
// hash is the stored hash at `index`.
Tile locate_in_tile(int64_t index, int64_t& start, int64_t& end) {
  auto [level, n] = split_stored_hash_index(index);
  Tile tile;
  tile.level = level / kTileHeight;
  int level_in_tile = level - tile.level * kTileHeight;
  tile.n = (n << level_in_tile) >> kTileHeight;
  int64_t n_in_tile = n - ((tile.n << kTileHeight) >> level_in_tile);
  start = n_in_tile << level_in_tile;
  end = (n_in_tile + 1) << level_in_tile;
  tile.width = static_cast<int>(end);
  return tile;
}

// Parses 1..max_digits ASCII digits without a sign, whitespace or superfluous leading zero.
bool parse_decimal(std::string_view text, int64_t max_value, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value > max_value) return false;
  out = value;
  return true;
}

}  // namespace

Hash record_hash(std::string_view data) {
  std::string buffer;
  buffer.reserve(1 + data.size());
  buffer.push_back('\x00');
  buffer.append(data);
  return sha256(buffer.data(), buffer.size());
}

Hash node_hash(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * kHashSize> buffer;
  buffer[0] = 0x01;
  std::copy(left.begin(), left.end(), buffer.begin() + 1);
  std::copy(right.begin(), right.end(), buffer.begin() + 1 + kHashSize);
  return sha256(buffer.data(), buffer.size());
}

Hash empty_tree_hash() {
  return sha256("", 0);
}

std::string to_hex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * kHashSize);
  for (uint8_t byte : hash) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

int64_t stored_hash_index(int level, int64_t n) {
  // Level L's n-th hash is stored right after level L+1's (2n+1)-th hash, so walk down to the
  // level-0 record that completes it; record m's leaf hash sits at m + m/2 + m/4 + ...
  for (int l = level; l > 0; --l) n = 2 * n + 1;
  int64_t index = 0;
  for (; n > 0; n >>= 1) index += n;
  return index + level;
}

std::pair<int, int64_t> split_stored_hash_index(int64_t index) {
  if (index < 0) bad_math("split_stored_hash_index");
  // stored_hash_index(0, n) <= 2n, so the record that stored `index` lies in
  // [index/2, index/2 + log2(index)].
  int64_t n = index / 2;
  int64_t index_n = stored_hash_index(0, n);
  if (index_n > index) bad_math("split_stored_hash_index");
  for (;;) {
    // Record n stores its leaf hash plus one hash per trailing one bit of n.
    int64_t next = index_n + 1 + std::countr_zero(static_cast<uint64_t>(n + 1));
    if (next > index) break;
    ++n;
    index_n = next;
  }
  // The hash was stored with record n: it is (0, n), (1, n/2), (2, n/4), ...
  int level = static_cast<int>(index - index_n);
  return {level, n >> level};
}

int64_t stored_hash_count(int64_t n) {
  if (n <= 0) return 0;
  int64_t count = stored_hash_index(0, n - 1) + 1;
  for (auto i = static_cast<uint64_t>(n - 1); (i & 1) != 0; i >>= 1) ++count;
  return count;
}

Result<std::vector<Hash>> stored_hashes_for_record(int64_t n, std::string_view data,
                                                   const HashReader& reader) {
  return stored_hashes_for_record_hash(n, record_hash(data), reader);
}

Result<std::vector<Hash>> stored_hashes_for_record_hash(int64_t n, const Hash& leaf_hash,
                                                        const HashReader& reader) {
  if (n < 0) return bad_request("tlog: negative record index");
  // Each trailing one bit of n completes a subtree whose left sibling is already stored.
  int completed = std::countr_zero(static_cast<uint64_t>(n + 1));
  std::vector<int64_t> indexes(completed);
  for (int i = 0; i < completed; ++i) {
    indexes[completed - 1 - i] = stored_hash_index(i, (n >> i) - 1);  // sorted ascending
  }
  std::vector<Hash> hashes{leaf_hash};
  if (completed == 0) return hashes;
  auto siblings = read_all(reader, indexes);
  if (!siblings) return siblings.status();
  Hash hash = leaf_hash;
  for (int i = 0; i < completed; ++i) {
    hash = node_hash((*siblings)[completed - 1 - i], hash);
    hashes.push_back(hash);
  }
  return hashes;
}

Result<Hash> tree_hash(int64_t n, const HashReader& reader) {
  if (n < 0) return bad_request("tlog: negative tree size");
  if (n == 0) return empty_tree_hash();
  std::vector<int64_t> indexes;
  subtree_indexes(0, n, indexes);
  auto hashes = read_all(reader, indexes);
  if (!hashes) return hashes.status();
  HashCursor cursor{*hashes};
  Hash hash = subtree_hash(0, n, cursor);
  if (cursor.next != hashes->size()) bad_math("tree_hash");
  return hash;
}

Result<Proof> prove_record(int64_t t, int64_t n, const HashReader& reader) {
  if (t < 0 || n < 0 || n >= t) return bad_request("tlog: record index outside the tree");
  std::vector<int64_t> indexes;
  record_proof_indexes(0, t, n, indexes);
  Proof proof;
  if (indexes.empty()) return proof;
  auto hashes = read_all(reader, indexes);
  if (!hashes) return hashes.status();
  HashCursor cursor{*hashes};
  record_proof(0, t, n, cursor, proof);
  if (cursor.next != hashes->size()) bad_math("prove_record");
  return proof;
}

Status check_record(std::span<const Hash> proof, int64_t t, const Hash& root, int64_t n,
                    const Hash& leaf_hash) {
  if (t < 0 || n < 0 || n >= t) return bad_request("tlog: record index outside the tree");
  Hash implied;
  if (!run_record_proof(proof, 0, t, n, leaf_hash, implied) || implied != root) {
    return proof_failed();
  }
  return Status::ok();
}

Result<Proof> prove_tree(int64_t t, int64_t n, const HashReader& reader) {
  if (t < 1 || n < 1 || n > t) return bad_request("tlog: tree sizes out of range");
  std::vector<int64_t> indexes;
  tree_proof_indexes(0, t, n, indexes);
  Proof proof;
  if (indexes.empty()) return proof;
  auto hashes = read_all(reader, indexes);
  if (!hashes) return hashes.status();
  HashCursor cursor{*hashes};
  tree_proof(0, t, n, cursor, proof);
  if (cursor.next != hashes->size()) bad_math("prove_tree");
  return proof;
}

Status check_tree(std::span<const Hash> proof, int64_t t, const Hash& root_t, int64_t n,
                  const Hash& root_n) {
  if (t < 1 || n < 1 || n > t) return bad_request("tlog: tree sizes out of range");
  Hash old_implied, new_implied;
  if (!run_tree_proof(proof, 0, t, n, root_n, old_implied, new_implied) || old_implied != root_n ||
      new_implied != root_t) {
    return proof_failed();
  }
  return Status::ok();
}

std::string tile_path(const Tile& tile) {
  // Three digits per path element; all but the last prefixed with x, so that a directory never
  // holds both a file and a subdirectory of the same name.
  auto group = [](int64_t value) {
    std::string digits = std::to_string(value);
    return std::string(3 - digits.size(), '0') + digits;
  };
  int64_t n = tile.n;
  std::string number = group(n % 1000);
  for (n /= 1000; n > 0; n /= 1000) number = "x" + group(n % 1000) + "/" + number;
  std::string path = "tile/";
  path += tile.level == kEntriesLevel ? std::string("entries") : std::to_string(tile.level);
  path += "/" + number;
  if (tile.width != kTileWidth) path += ".p/" + std::to_string(tile.width);
  return path;
}

Result<Tile> parse_tile_path(std::string_view path) {
  const std::string_view original = path;
  auto malformed = [&] { return bad_request("tlog: malformed tile path"); };
  constexpr std::string_view kPrefix = "tile/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return malformed();
  path.remove_prefix(kPrefix.size());

  Tile tile;
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return malformed();
  std::string_view level = path.substr(0, slash);
  path.remove_prefix(slash + 1);
  if (level == "entries") {
    tile.level = kEntriesLevel;
  } else {
    int64_t value = 0;
    if (!parse_decimal(level, kMaxTileLevel, value)) return malformed();
    tile.level = static_cast<int>(value);
  }

  // Optional .p/<W> suffix: the last element is the width, the one before it ends in ".p".
  constexpr std::string_view kPartial = ".p/";
  size_t partial = path.rfind(kPartial);
  if (partial != std::string_view::npos) {
    int64_t width = 0;
    if (!parse_decimal(path.substr(partial + kPartial.size()), kTileWidth - 1, width) ||
        width < 1) {
      return malformed();
    }
    tile.width = static_cast<int>(width);
    path = path.substr(0, partial);
  }

  // N: x-prefixed three-digit groups, then one plain three-digit group.
  int64_t n = 0;
  for (;;) {
    slash = path.find('/');
    bool last = slash == std::string_view::npos;
    std::string_view element = path.substr(0, slash);
    if (!last) {
      if (element.size() != 4 || element[0] != 'x') return malformed();
      element.remove_prefix(1);
    }
    if (element.size() != 3) return malformed();
    int group = 0;
    for (char c : element) {
      if (c < '0' || c > '9') return malformed();
      group = group * 10 + (c - '0');
    }
    if (n > (std::numeric_limits<int64_t>::max() - group) / 1000) return malformed();
    n = n * 1000 + group;
    if (last) break;
    path.remove_prefix(slash + 1);
  }
  tile.n = n;
  // Only the canonical form is accepted (no leading x000 group, no ".p/256"), so that every
  // tile has exactly one path and a cache keyed by path cannot hold two copies.
  if (tile_path(tile) != original) return malformed();
  return tile;
}

Tile tile_for_index(int64_t index) {
  int64_t start = 0, end = 0;
  return locate_in_tile(index, start, end);
}

Result<Hash> hash_from_tile(const Tile& tile, std::string_view data, int64_t index) {
  if (tile.level < 0 || tile.level > kMaxTileLevel || tile.width < 1 || tile.width > kTileWidth ||
      index < 0) {
    return bad_request("tlog: invalid tile");
  }
  if (data.size() < static_cast<size_t>(tile.width) * kHashSize) {
    return bad_request("tlog: tile data too short");
  }
  int64_t start = 0, end = 0;
  Tile least = locate_in_tile(index, start, end);
  if (least.level != tile.level || least.n != tile.n || least.width > tile.width) {
    return bad_request("tlog: index not in tile");
  }
  return tile_span_hash(data.substr(start * kHashSize, (end - start) * kHashSize));
}

Result<std::string> read_tile_data(const Tile& tile, const HashReader& reader) {
  if (tile.level < 0 || tile.level > kMaxTileLevel || tile.width < 1 || tile.width > kTileWidth ||
      tile.n < 0) {
    return bad_request("tlog: invalid tile");
  }
  std::vector<int64_t> indexes(tile.width);
  int64_t first = tile.n << kTileHeight;
  for (int i = 0; i < tile.width; ++i) {
    indexes[i] = stored_hash_index(kTileHeight * tile.level, first + i);
  }
  auto hashes = read_all(reader, indexes);
  if (!hashes) return hashes.status();
  std::string data;
  data.reserve(indexes.size() * kHashSize);
  for (const Hash& hash : *hashes) data.append(hash.begin(), hash.end());
  return data;
}

std::vector<Tile> new_tiles(int64_t old_size, int64_t new_size) {
  std::vector<Tile> tiles;
  if (old_size < 0 || new_size <= old_size) return tiles;
  for (int level = 0; level <= kMaxTileLevel && (new_size >> (kTileHeight * level)) > 0; ++level) {
    // Hashes at this tile level, before and after.
    int64_t old_count = old_size >> (kTileHeight * level);
    int64_t new_count = new_size >> (kTileHeight * level);
    for (int64_t n = old_count >> kTileHeight; n < new_count >> kTileHeight; ++n) {
      tiles.push_back({level, n, kTileWidth});
    }
    int64_t n = new_count >> kTileHeight;
    int max_width = static_cast<int>(new_count - (n << kTileHeight));
    // Only widths the old tree did not have: a partial tile, once published, never changes.
    // (Go's NewTiles lists the old width again; nothing is gained by rewriting it.)
    int min_width = 1 + static_cast<int>(std::max<int64_t>(old_count - (n << kTileHeight), 0));
    for (int width = min_width; width <= max_width; ++width) tiles.push_back({level, n, width});
  }
  return tiles;
}

}  // namespace vitrine::tlog
