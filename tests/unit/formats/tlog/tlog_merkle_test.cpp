// Unit tests for tlog/merkle: RFC 6962 hashes and proofs against a naive recursive reference and
// the published Certificate Transparency vectors, the stored-hash index math, and C2SP tiles.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "formats/tlog/merkle.hpp"

namespace vitrine::tlog {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// RFC 6962 section 2.1, written as the RFC states it, over leaf hashes [lo, hi).
int64_t split_point(int64_t size) {
  int64_t k = 1;
  while (k * 2 < size) k *= 2;
  return k;
}

Hash naive_root(const std::vector<Hash>& leaves, int64_t lo, int64_t hi) {
  if (hi == lo) return empty_tree_hash();
  if (hi - lo == 1) return leaves[lo];
  int64_t k = split_point(hi - lo);
  return node_hash(naive_root(leaves, lo, lo + k), naive_root(leaves, lo + k, hi));
}

// PATH(m, D[lo:hi]).
Proof naive_path(const std::vector<Hash>& leaves, int64_t m, int64_t lo, int64_t hi) {
  if (hi - lo <= 1) return {};
  int64_t k = split_point(hi - lo);
  Proof proof;
  if (m < k) {
    proof = naive_path(leaves, m, lo, lo + k);
    proof.push_back(naive_root(leaves, lo + k, hi));
  } else {
    proof = naive_path(leaves, m - k, lo + k, hi);
    proof.push_back(naive_root(leaves, lo, lo + k));
  }
  return proof;
}

// SUBPROOF(m, D[lo:hi], b).
Proof naive_subproof(const std::vector<Hash>& leaves, int64_t m, int64_t lo, int64_t hi, bool b) {
  if (m == hi - lo) return b ? Proof{} : Proof{naive_root(leaves, lo, hi)};
  int64_t k = split_point(hi - lo);
  Proof proof;
  if (m <= k) {
    proof = naive_subproof(leaves, m, lo, lo + k, b);
    proof.push_back(naive_root(leaves, lo + k, hi));
  } else {
    proof = naive_subproof(leaves, m - k, lo + k, hi, false);
    proof.push_back(naive_root(leaves, lo, lo + k));
  }
  return proof;
}

// A log kept in memory the way a store would keep it: one append-only vector of stored hashes.
struct MemoryLog {
  std::vector<Hash> stored;
  std::vector<Hash> leaves;
  std::vector<Hash> roots;  // roots[t] is the hash of the first t records
  int reads = 0;

  HashReader reader() {
    return [this](std::span<const int64_t> indexes) -> Result<std::vector<Hash>> {
      ++reads;
      std::vector<Hash> out;
      for (size_t i = 0; i < indexes.size(); ++i) {
        if (i > 0 && indexes[i - 1] >= indexes[i]) return internal_error("indexes out of order");
        if (indexes[i] < 0 || indexes[i] >= static_cast<int64_t>(stored.size())) {
          return not_found("no such stored hash");
        }
        out.push_back(stored[indexes[i]]);
      }
      return out;
    };
  }

  void append(std::string_view data) {
    auto n = static_cast<int64_t>(leaves.size());
    auto hashes = stored_hashes_for_record(n, data, reader());
    ASSERT_TRUE(hashes.is_ok()) << hashes.status().message();
    ASSERT_EQ(stored_hash_index(0, n), static_cast<int64_t>(stored.size()));
    stored.insert(stored.end(), hashes->begin(), hashes->end());
    leaves.push_back(record_hash(data));
  }
};

constexpr int64_t kMaxSize = 64;

MemoryLog build_log(int64_t size) {
  MemoryLog log;
  for (int64_t i = 0; i < size; ++i) log.append("record " + std::to_string(i));
  for (int64_t t = 0; t <= size; ++t) {
    auto root = tree_hash(t, log.reader());
    EXPECT_TRUE(root.is_ok());
    log.roots.push_back(root.is_ok() ? *root : Hash{});
  }
  return log;
}

TEST(TlogMerkle, HashingIsRfc6962) {
  EXPECT_EQ(to_hex(empty_tree_hash()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // The leaf hash of the empty record, and the node prefix 0x01.
  EXPECT_EQ(to_hex(record_hash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(to_hex(node_hash(record_hash(""), record_hash(unhex("00")))),
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
}

// The reference leaves and roots of Certificate Transparency's test suite (also used by
// transparency-dev/merkle), sizes 0 through 8.
const std::vector<std::string> kCtLeaves = {"",
                                            "00",
                                            "10",
                                            "2021",
                                            "3031",
                                            "40414243",
                                            "5051525354555657",
                                            "606162636465666768696a6b6c6d6e6f"};
const std::vector<std::string> kCtRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

TEST(TlogMerkle, CertificateTransparencyVectors) {
  MemoryLog log;
  for (const auto& leaf : kCtLeaves) log.append(unhex(leaf));
  for (int64_t t = 0; t <= 8; ++t) {
    auto root = tree_hash(t, log.reader());
    ASSERT_TRUE(root.is_ok());
    EXPECT_EQ(to_hex(*root), kCtRoots[t]) << "size " << t;
  }
  auto expect_proof = [](const Result<Proof>& proof, const std::vector<std::string>& want) {
    ASSERT_TRUE(proof.is_ok());
    ASSERT_EQ(proof->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(to_hex((*proof)[i]), want[i]) << i;
  };
  expect_proof(prove_record(8, 0, log.reader()),
               {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  expect_proof(prove_record(8, 5, log.reader()),
               {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  expect_proof(prove_tree(8, 2, log.reader()),
               {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  expect_proof(prove_tree(5, 2, log.reader()),
               {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
}

TEST(TlogMerkle, TreeHashMatchesNaiveReference) {
  MemoryLog log = build_log(kMaxSize);
  for (int64_t t = 0; t <= kMaxSize; ++t) {
    EXPECT_EQ(log.roots[t], naive_root(log.leaves, 0, t)) << "size " << t;
  }
  // One reader call per tree hash, however big the tree.
  log.reads = 0;
  ASSERT_TRUE(tree_hash(kMaxSize - 1, log.reader()).is_ok());
  EXPECT_EQ(log.reads, 1);
}

TEST(TlogMerkle, StoredHashCountMatchesAppends) {
  MemoryLog log;
  EXPECT_EQ(stored_hash_count(0), 0);
  for (int64_t i = 0; i < 300; ++i) {
    log.append(std::to_string(i));
    ASSERT_EQ(stored_hash_count(i + 1), static_cast<int64_t>(log.stored.size())) << i;
  }
}

TEST(TlogMerkle, StoredHashIndexRoundTrips) {
  for (int level = 0; level < 20; ++level) {
    for (int64_t n = 0; n < 300; ++n) {
      int64_t index = stored_hash_index(level, n);
      EXPECT_EQ(split_stored_hash_index(index), std::make_pair(level, n));
    }
  }
  // Every index is used exactly once.
  std::set<int64_t> seen;
  for (int64_t index = 0; index < 2000; ++index) {
    auto [level, n] = split_stored_hash_index(index);
    EXPECT_EQ(stored_hash_index(level, n), index);
    EXPECT_TRUE(seen.insert(index).second);
  }
  // Large values stay exact.
  int64_t big = int64_t{1} << 50;
  EXPECT_EQ(split_stored_hash_index(stored_hash_index(3, big)), std::make_pair(3, big));
  // The layout of the first records: leaf 0, leaf 1, node(0,1), leaf 2, leaf 3, ...
  EXPECT_EQ(stored_hash_index(0, 0), 0);
  EXPECT_EQ(stored_hash_index(0, 1), 1);
  EXPECT_EQ(stored_hash_index(1, 0), 2);
  EXPECT_EQ(stored_hash_index(0, 2), 3);
  EXPECT_EQ(stored_hash_index(0, 3), 4);
  EXPECT_EQ(stored_hash_index(1, 1), 5);
  EXPECT_EQ(stored_hash_index(2, 0), 6);
}

TEST(TlogMerkle, EveryInclusionProofVerifiesAndTamperingFails) {
  MemoryLog log = build_log(kMaxSize);
  for (int64_t t = 1; t <= kMaxSize; ++t) {
    const Hash& root = log.roots[t];
    for (int64_t n = 0; n < t; ++n) {
      auto proof = prove_record(t, n, log.reader());
      ASSERT_TRUE(proof.is_ok()) << t << " " << n;
      EXPECT_EQ(*proof, naive_path(log.leaves, n, 0, t)) << t << " " << n;
      const Hash& leaf = log.leaves[n];
      ASSERT_TRUE(check_record(*proof, t, root, n, leaf).is_ok()) << t << " " << n;

      Proof bad = *proof;
      for (size_t i = 0; i < bad.size(); ++i) {
        bad[i][i % kHashSize] ^= 1;
        EXPECT_FALSE(check_record(bad, t, root, n, leaf).is_ok()) << t << " " << n << " " << i;
        bad[i][i % kHashSize] ^= 1;
      }
      Hash bad_leaf = leaf;
      bad_leaf[31] ^= 0x80;
      EXPECT_FALSE(check_record(*proof, t, root, n, bad_leaf).is_ok());
      Hash bad_root = root;
      bad_root[0] ^= 1;
      EXPECT_FALSE(check_record(*proof, t, bad_root, n, leaf).is_ok());
      // Another index or tree size with the same proof fails (unless it is the same leaf).
      for (int64_t other = 0; other < t; ++other) {
        if (other != n && log.leaves[other] != leaf) {
          EXPECT_FALSE(check_record(*proof, t, root, other, leaf).is_ok()) << t << n << other;
        }
      }
      // (The same proof may verify for another tree size: inclusion proofs do not bind the
      // size, the signed checkpoint does. So no check of t + 1 here.)
      // A proof one hash longer or shorter fails.
      Proof longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(check_record(longer, t, root, n, leaf).is_ok());
      if (!proof->empty()) {
        Proof shorter(proof->begin(), proof->end() - 1);
        EXPECT_FALSE(check_record(shorter, t, root, n, leaf).is_ok());
      }
    }
  }
}

TEST(TlogMerkle, EveryConsistencyProofVerifiesAndTamperingFails) {
  MemoryLog log = build_log(kMaxSize);
  for (int64_t t = 1; t <= kMaxSize; ++t) {
    for (int64_t n = 1; n <= t; ++n) {
      auto proof = prove_tree(t, n, log.reader());
      ASSERT_TRUE(proof.is_ok()) << t << " " << n;
      EXPECT_EQ(*proof, naive_subproof(log.leaves, n, 0, t, true)) << t << " " << n;
      ASSERT_TRUE(check_tree(*proof, t, log.roots[t], n, log.roots[n]).is_ok()) << t << " " << n;

      Proof bad = *proof;
      for (size_t i = 0; i < bad.size(); ++i) {
        bad[i][(i * 7) % kHashSize] ^= 4;
        EXPECT_FALSE(check_tree(bad, t, log.roots[t], n, log.roots[n]).is_ok())
            << t << " " << n << " " << i;
        bad[i][(i * 7) % kHashSize] ^= 4;
      }
      Hash bad_root = log.roots[n];
      bad_root[5] ^= 1;
      EXPECT_FALSE(check_tree(*proof, t, log.roots[t], n, bad_root).is_ok());
      bad_root = log.roots[t];
      bad_root[5] ^= 1;
      EXPECT_FALSE(check_tree(*proof, t, bad_root, n, log.roots[n]).is_ok());
      // Claiming other sizes with the same proof and roots fails.
      for (int64_t other = 1; other <= t; ++other) {
        if (other != n) {
          EXPECT_FALSE(check_tree(*proof, t, log.roots[t], other, log.roots[n]).is_ok())
              << t << " " << n << " " << other;
        }
      }
      Proof longer = *proof;
      longer.push_back(log.roots[t]);
      EXPECT_FALSE(check_tree(longer, t, log.roots[t], n, log.roots[n]).is_ok());
    }
  }
}

TEST(TlogMerkle, InvalidSizesAreBadRequests) {
  MemoryLog log = build_log(4);
  EXPECT_EQ(prove_record(4, 4, log.reader()).status().kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(prove_record(4, -1, log.reader()).status().kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(prove_tree(4, 0, log.reader()).status().kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(prove_tree(3, 4, log.reader()).status().kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(tree_hash(-1, log.reader()).status().kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(check_record({}, 0, Hash{}, 0, Hash{}).kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(check_tree({}, 2, Hash{}, 3, Hash{}).kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(check_tree({}, 2, log.roots[2], 2, log.roots[1]).kind(), ErrorKind::kUnprocessable);
  // A reader's failure comes back unchanged; so does a reader returning too few hashes.
  HashReader failing = [](std::span<const int64_t>) -> Result<std::vector<Hash>> {
    return not_found("gone");
  };
  EXPECT_EQ(tree_hash(3, failing).status().kind(), ErrorKind::kNotFound);
  HashReader short_reader = [](std::span<const int64_t>) -> Result<std::vector<Hash>> {
    return std::vector<Hash>{};
  };
  EXPECT_EQ(prove_record(4, 1, short_reader).status().kind(), ErrorKind::kInternal);
}

TEST(TlogTiles, PathsMatchC2sp) {
  EXPECT_EQ(tile_path({0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(tile_path({0, 1234067, 1}), "tile/0/x001/x234/067.p/1");
  EXPECT_EQ(tile_path({1, 0, 16}), "tile/1/000.p/16");
  EXPECT_EQ(tile_path({2, 1, 256}), "tile/2/001");
  EXPECT_EQ(tile_path({63, 999, 255}), "tile/63/999.p/255");
  EXPECT_EQ(tile_path({0, 1000, 256}), "tile/0/x001/000");
  EXPECT_EQ(tile_path({kEntriesLevel, 1234067, 256}), "tile/entries/x001/x234/067");
  EXPECT_EQ(tile_path({kEntriesLevel, 5, 112}), "tile/entries/005.p/112");
  EXPECT_EQ(tile_path({0, INT64_MAX, 256}), "tile/0/x009/x223/x372/x036/x854/x775/807");

  for (const Tile& tile : std::vector<Tile>{{0, 1234067, 256},
                                            {0, 1234067, 1},
                                            {1, 0, 16},
                                            {63, 999, 255},
                                            {kEntriesLevel, 0, 256},
                                            {kEntriesLevel, 1000000, 7},
                                            {5, INT64_MAX, 256}}) {
    auto parsed = parse_tile_path(tile_path(tile));
    ASSERT_TRUE(parsed.is_ok()) << tile_path(tile);
    EXPECT_EQ(*parsed, tile) << tile_path(tile);
  }
}

TEST(TlogTiles, MalformedPathsAreRejected) {
  for (std::string_view path : {
           "",
           "tile",
           "tile/",
           "tile/0",
           "tile/0/",
           "tile/0/1",               // N groups have three digits
           "tile/1/0.p/16",          // likewise
           "tile/0/0001",            // four digits
           "tile/0/x001",            // the last group has no x
           "tile/0/001/002",         // only the last group lacks the x
           "tile/0/x000/001",        // a leading zero group
           "tile/0/x001/x234/067/",  // trailing slash
           "/tile/0/001",
           "tile/00/001",  // level with a leading zero
           "tile/64/001",  // level out of range
           "tile/-1/001",
           "tile/+1/001",
           "tile/ 1/001",
           "tile/data/001",
           "tile/entry/001",
           "tile/0/001.p/0",  // width out of range
           "tile/0/001.p/256",
           "tile/0/001.p/016",  // width with a leading zero
           "tile/0/001.p/",
           "tile/0/001.p",
           "tile/0/001.p/1/2",
           "tile/0/001.q/1",
           "tile/0/.p/1",
           "tile/0/x01a/001",
           "tile/0/x009/x223/x372/x036/x854/x775/808",  // one past INT64_MAX
           "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
           "tile/0/001\n",
           "tiles/0/001",
       }) {
    EXPECT_FALSE(parse_tile_path(path).is_ok()) << '"' << path << '"';
  }
}

// Writes every tile new_tiles names as the log grows, then checks every stored hash can be read
// back from the smallest tile that holds it.
TEST(TlogTiles, NewTilesAndHashFromTile) {
  MemoryLog log;
  std::map<std::string, std::string> published;
  constexpr int64_t kRecords = 256 * 3 + 17;
  for (int64_t size = 0; size < kRecords;) {
    // Grow by irregular steps so that tiles are completed both in one step and in several.
    int64_t step = 1 + (size * 37) % 70;
    int64_t next = std::min(size + step, kRecords);
    for (int64_t i = size; i < next; ++i) log.append("r" + std::to_string(i));
    std::vector<Tile> tiles = new_tiles(size, next);
    ASSERT_FALSE(tiles.empty());
    for (const Tile& tile : tiles) {
      auto data = read_tile_data(tile, log.reader());
      ASSERT_TRUE(data.is_ok()) << tile_path(tile);
      EXPECT_EQ(data->size(), tile.width * kHashSize);
      EXPECT_TRUE(published.emplace(tile_path(tile), *data).second)
          << "published twice: " << tile_path(tile);
    }
    size = next;
  }
  // The union over steps equals the list for one big step.
  std::set<std::string> all;
  for (const Tile& tile : new_tiles(0, kRecords)) all.insert(tile_path(tile));
  std::set<std::string> union_of_steps;
  for (const auto& [path, data] : published) union_of_steps.insert(path);
  for (const auto& path : all) EXPECT_TRUE(union_of_steps.count(path)) << path;
  // A tree of size 256 is one full level-0 tile and a level-1 tile of width 1 (C2SP).
  std::vector<Tile> expect_256 = {{0, 0, 256}, {1, 0, 1}};
  std::vector<Tile> got_256;
  for (const Tile& tile : new_tiles(0, 256)) {
    if (tile.width == 256 || tile.level == 1) got_256.push_back(tile);
  }
  EXPECT_EQ(got_256, expect_256);
  EXPECT_TRUE(new_tiles(5, 5).empty());

  for (int64_t index = 0; index < static_cast<int64_t>(log.stored.size()); ++index) {
    // The least-width tile holding the hash was published unless a step jumped past that width
    // and completed the tile, in which case the full tile holds it.
    Tile tile = tile_for_index(index);
    Tile full{tile.level, tile.n, kTileWidth};
    auto data = published.find(tile_path(tile));
    auto full_data = published.find(tile_path(full));
    ASSERT_TRUE(data != published.end() || full_data != published.end())
        << "index " << index << " tile " << tile_path(tile);
    if (data != published.end()) {
      auto hash = hash_from_tile(tile, data->second, index);
      ASSERT_TRUE(hash.is_ok()) << index;
      EXPECT_EQ(*hash, log.stored[index]) << index;
    }
    if (full_data != published.end()) {
      auto from_full = hash_from_tile(full, full_data->second, index);
      ASSERT_TRUE(from_full.is_ok()) << index;
      EXPECT_EQ(*from_full, log.stored[index]) << index;
    }
  }
  // A level-1 tile hash is the tree hash of a full level-0 tile.
  auto level1 = published.find("tile/1/000.p/3");
  ASSERT_NE(level1, published.end());
  EXPECT_EQ(level1->second.substr(kHashSize, kHashSize),
            std::string(reinterpret_cast<const char*>(naive_root(log.leaves, 256, 512).data()),
                        kHashSize));
  // Wrong tile, short data.
  Tile tile = tile_for_index(stored_hash_index(0, 300));
  EXPECT_FALSE(hash_from_tile({tile.level, tile.n + 1, 256}, std::string(8192, 'x'),
                              stored_hash_index(0, 300))
                   .is_ok());
  EXPECT_FALSE(hash_from_tile(tile, std::string(10, 'x'), stored_hash_index(0, 300)).is_ok());
}

}  // namespace
}  // namespace vitrine::tlog
