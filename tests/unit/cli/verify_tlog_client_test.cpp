// Unit tests for cli/tlog_client: the tile-backed HashReader of `vitrine verify` against an
// in-memory log served as C2SP tiles (tree hashes, inclusion and consistency proofs for every
// size around tile boundaries), entry bundles, and the cache-path and state-name parsers.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cli/tlog_client.hpp"
#include "formats/tlog/merkle.hpp"
#include "formats/tlog/note.hpp"
#include "util/crypto.hpp"

namespace vitrine::cli {
namespace {

// A log of `size` records held in memory, served the way a hub serves it: only the tiles that
// the tree of `size` records publishes, each at the width that tree gives it.
class MemoryLog {
 public:
  explicit MemoryLog(int64_t size) {
    for (int64_t i = 0; i < size; ++i) append("record " + std::to_string(i));
  }
  void append(const std::string& record) {
    auto hashes =
        tlog::stored_hashes_for_record(static_cast<int64_t>(records_.size()), record, reader());
    ASSERT_TRUE(hashes);
    stored_.insert(stored_.end(), hashes->begin(), hashes->end());
    records_.push_back(record);
  }
  int64_t size() const { return static_cast<int64_t>(records_.size()); }
  tlog::HashReader reader() const {
    return [this](std::span<const int64_t> indexes) -> Result<std::vector<tlog::Hash>> {
      std::vector<tlog::Hash> out;
      for (int64_t i : indexes) {
        if (i < 0 || i >= static_cast<int64_t>(stored_.size())) return not_found("no hash");
        out.push_back(stored_[i]);
      }
      return out;
    };
  }
  // What GET /tlog/<path> answers; counts requests per path.
  Result<std::string> serve(const std::string& path) {
    ++requests_[path];
    auto tile = tlog::parse_tile_path(path);
    if (!tile) return tile.status();
    if (tile->width != tile_width_in_tree(tile->level, tile->n, size())) {
      return not_found("tile not published: " + path);
    }
    if (tile->level == tlog::kEntriesLevel) {
      std::string bundle;
      for (int i = 0; i < tile->width; ++i) {
        const std::string& record = records_[(tile->n << tlog::kTileHeight) + i];
        bundle.push_back(static_cast<char>(record.size() >> 8));
        bundle.push_back(static_cast<char>(record.size() & 0xff));
        bundle += record;
      }
      return bundle;
    }
    return tlog::read_tile_data(*tile, reader());
  }
  std::map<std::string, int> requests_;

 private:
  std::vector<std::string> records_;
  std::vector<tlog::Hash> stored_;
};

TEST(VerifyTileCache, TreeHashesAndProofsFromTilesMatchTheLog) {
  for (int64_t size : {1, 2, 3, 7, 255, 256, 257, 511, 512, 513, 1000, 65536 + 300}) {
    MemoryLog log(size);
    TileCache tiles([&log](const std::string& path) { return log.serve(path); });
    auto reader = tiles.reader(size);
    auto expected = tlog::tree_hash(size, log.reader());
    ASSERT_TRUE(expected);
    auto root = tlog::tree_hash(size, reader);
    ASSERT_TRUE(root) << size << ": " << root.status().message();
    EXPECT_EQ(*root, *expected) << size;
    for (int64_t n : {int64_t{0}, size / 3, size - 1}) {
      auto proof = tlog::prove_record(size, n, reader);
      ASSERT_TRUE(proof) << proof.status().message();
      auto entry = tiles.entry(size, n);
      ASSERT_TRUE(entry) << entry.status().message();
      EXPECT_EQ(*entry, "record " + std::to_string(n));
      EXPECT_TRUE(tlog::check_record(*proof, size, *root, n, tlog::record_hash(*entry)));
    }
    // Older trees, recomputed from this tree's tiles, and consistency proofs to them.
    for (int64_t old : {int64_t{1}, size / 2, size - 1}) {
      if (old < 1) continue;
      auto old_root = tlog::tree_hash(old, reader);
      ASSERT_TRUE(old_root);
      EXPECT_EQ(*old_root, *tlog::tree_hash(old, log.reader()));
      auto proof = tlog::prove_tree(size, old, reader);
      ASSERT_TRUE(proof) << proof.status().message();
      EXPECT_TRUE(tlog::check_tree(*proof, size, *root, old, *old_root));
    }
    for (const auto& [path, count] : log.requests_) EXPECT_EQ(count, 1) << path << " refetched";
  }
}

TEST(VerifyTileCache, RefusesTilesOfTheWrongSizeAndIndexesPastTheTree) {
  MemoryLog log(300);
  TileCache short_tiles(
      [](const std::string&) -> Result<std::string> { return std::string(31, 'x'); });
  auto root = tlog::tree_hash(300, short_tiles.reader(300));
  ASSERT_FALSE(root);
  EXPECT_EQ(root.status().kind(), ErrorKind::kUnprocessable);

  TileCache tiles([&log](const std::string& path) { return log.serve(path); });
  EXPECT_FALSE(tiles.entry(300, 300));
  const int64_t past = tlog::stored_hash_index(0, 300);
  EXPECT_FALSE(tiles.reader(300)(std::span<const int64_t>(&past, 1)));

  // A bundle that holds fewer entries than its width promises.
  TileCache thin([](const std::string& path) -> Result<std::string> {
    if (path.starts_with("tile/entries/")) return std::string("\x00\x01x", 3);
    return not_found(path);
  });
  auto entry = thin.entry(300, 290);
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.status().kind(), ErrorKind::kUnprocessable);
}

TEST(VerifyTileCache, TransportFailuresPassThrough) {
  TileCache down([](const std::string&) -> Result<std::string> { return internal_error("down"); });
  auto root = tlog::tree_hash(5, down.reader(5));
  ASSERT_FALSE(root);
  EXPECT_EQ(root.status().kind(), ErrorKind::kInternal);
}

TEST(VerifyTileWidth, FullPartialAndMissingTiles) {
  EXPECT_EQ(tile_width_in_tree(0, 0, 1), 1);
  EXPECT_EQ(tile_width_in_tree(0, 0, 256), 256);
  EXPECT_EQ(tile_width_in_tree(0, 1, 256), 0);
  EXPECT_EQ(tile_width_in_tree(0, 1, 300), 44);
  EXPECT_EQ(tile_width_in_tree(tlog::kEntriesLevel, 1, 300), 44);
  EXPECT_EQ(tile_width_in_tree(1, 0, 255), 0);
  EXPECT_EQ(tile_width_in_tree(1, 0, 256), 1);
  EXPECT_EQ(tile_width_in_tree(1, 0, 70000), 256);
  EXPECT_EQ(tile_width_in_tree(1, 1, 70000), 70000 / 256 - 256);
  EXPECT_EQ(tile_width_in_tree(0, 0, 0), 0);
  EXPECT_EQ(tile_width_in_tree(63, 0, INT64_MAX), 0);
}

TEST(VerifyEntryBundle, SplitsAndRejectsTruncation) {
  const std::string one_and_empty(
      "\x00\x03"
      "abc"
      "\x00\x00",
      7);
  auto entries = parse_entry_bundle(one_and_empty);
  ASSERT_TRUE(entries);
  EXPECT_EQ(*entries, (std::vector<std::string>{"abc", ""}));
  EXPECT_TRUE(parse_entry_bundle("")->empty());
  EXPECT_FALSE(parse_entry_bundle(std::string("\x00", 1)));
  EXPECT_FALSE(
      parse_entry_bundle(std::string("\x00\x04"
                                     "abc",
                                     5)));
  std::string big(2 + 300, 'y');
  big[0] = 1;
  big[1] = 44;
  EXPECT_EQ(parse_entry_bundle(big)->at(0).size(), 300u);
}

TEST(VerifySealed, CommitmentCoversPrefixNonceAndEntry) {
  const std::string nonce(32, '\x07');
  EXPECT_EQ(sealed_commitment_hex(nonce, "{\"a\":1}"),
            util::sha256_hex("vitrine-sealed-entry\n" + nonce + "{\"a\":1}"));
}

TEST(VerifyHex, DecodesLowercaseOnly) {
  EXPECT_EQ(*decode_lower_hex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(decode_lower_hex("0F"));
  EXPECT_FALSE(decode_lower_hex("abc"));
  const std::string hex(64, 'a');
  auto hash = parse_hash_hex(hex);
  ASSERT_TRUE(hash);
  EXPECT_EQ(tlog::to_hex(*hash), hex);
  EXPECT_FALSE(parse_hash_hex(hex.substr(2)));
}

TEST(VerifyHubCachePath, ReadsRepoCommitAndPath) {
  const std::string commit(40, 'a');
  EXPECT_EQ(parse_hub_cache_path("/home/u/.cache/huggingface/hub/models--alice--x/snapshots/" +
                                 commit + "/weights/model.bin"),
            (HubCachePath{"models/alice/x", commit, "weights/model.bin"}));
  EXPECT_EQ(parse_hub_cache_path("/c/datasets--org--data-set/snapshots/" + commit + "/a.csv"),
            (HubCachePath{"datasets/org/data-set", commit, "a.csv"}));
  EXPECT_EQ(parse_hub_cache_path("/c/spaces--gpt2/snapshots/" + commit + "/x")->repo,
            "spaces/gpt2");
  EXPECT_FALSE(parse_hub_cache_path("/c/models--alice--x/snapshots/" + commit));
  EXPECT_FALSE(parse_hub_cache_path("/c/models--alice--x/snapshots/main/a.bin"));
  EXPECT_FALSE(parse_hub_cache_path("/c/models--alice--x/blobs/" + commit));
  EXPECT_FALSE(parse_hub_cache_path("/c/widgets--alice--x/snapshots/" + commit + "/a"));
  EXPECT_FALSE(parse_hub_cache_path("/c/models----x/snapshots/" + commit + "/a"));
  EXPECT_FALSE(parse_hub_cache_path("/tmp/model.bin"));
}

// A checkpoint of `size` records with root `root_byte`*32, signed by `pair` for `origin`.
std::string signed_checkpoint(const tlog::KeyPair& pair, const std::string& origin, uint64_t size,
                              char root_byte) {
  auto signer = tlog::parse_signer_key(pair.signer_key);
  EXPECT_TRUE(signer);
  auto text = tlog::format_checkpoint({origin, size, std::string(32, root_byte), {}});
  EXPECT_TRUE(text);
  auto note = tlog::sign_note(*text, *signer);
  EXPECT_TRUE(note);
  return *note;
}

TEST(VerifyOpenCheckpoint, OpensWithTheKeyOfItsOriginOnly) {
  auto pair = tlog::generate_key("hub.example/vitrine-log");
  auto other = tlog::generate_key("hub.example/vitrine-log");
  ASSERT_TRUE(pair && other);
  auto key = tlog::parse_verifier_key(pair->verifier_key);
  auto other_key = tlog::parse_verifier_key(other->verifier_key);
  ASSERT_TRUE(key && other_key);

  const std::string note = signed_checkpoint(*pair, "hub.example/vitrine-log", 42, 'r');
  auto opened = open_checkpoint(note, *key, "checkpoint");
  ASSERT_TRUE(opened) << opened.status().message();
  EXPECT_EQ(opened->size, 42);
  EXPECT_EQ(opened->note, note);
  tlog::Hash root;
  root.fill('r');
  EXPECT_EQ(opened->root, root);

  auto wrong = open_checkpoint(note, *other_key, "checkpoint");
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(is_log_failure(wrong.status()));
  EXPECT_TRUE(wrong.status().message().starts_with(
      "checkpoint signature does not verify with the given key"))
      << wrong.status().message();

  // Signed by the right key, but for another log.
  auto elsewhere =
      open_checkpoint(signed_checkpoint(*pair, "other.example/log", 1, 'x'), *key, "checkpoint");
  ASSERT_FALSE(elsewhere);
  EXPECT_NE(elsewhere.status().message().find("is for the log 'other.example/log'"),
            std::string::npos);

  std::string tampered = note;
  tampered[note.find("42")] = '5';
  EXPECT_FALSE(open_checkpoint(tampered, *key, "checkpoint"));
  EXPECT_FALSE(open_checkpoint("not a note", *key, "checkpoint"));
}

TEST(VerifyStateFileName, EncodesEverythingButSafeBytes) {
  EXPECT_EQ(state_file_name("hub.example.com/vitrine-log"), "hub.example.com%2Fvitrine-log");
  EXPECT_EQ(state_file_name("127.0.0.1:8080/vitrine-log"), "127.0.0.1%3A8080%2Fvitrine-log");
  EXPECT_EQ(state_file_name(".."), "%2E.");
  EXPECT_NE(state_file_name("a/b"), state_file_name("a_b"));
  EXPECT_NE(state_file_name("a%2Fb"), state_file_name("a/b"));
}

}  // namespace
}  // namespace vitrine::cli
