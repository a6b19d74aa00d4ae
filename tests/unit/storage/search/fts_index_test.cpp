// Unit tests for the search index (fts_index.hpp): rows found by any term, ranked by the Hub's
// BM25 (checked against the formula computed here), phrases, paging, query text that is never
// query syntax, the work bound, and a half-written index never found under its name.
#include "storage/search/fts_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

namespace vitrine::storage {
namespace {

class FtsIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fts-test-" + std::to_string(std::random_device()()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string build(const std::vector<std::string>& docs) {
    std::string path = (dir_ / "index.fts").string();
    auto w = FtsIndexWriter::create(path);
    EXPECT_TRUE(w) << w.status().message();
    for (size_t i = 0; i < docs.size(); ++i) EXPECT_TRUE((*w)->add(i, docs[i]));
    EXPECT_TRUE((*w)->finish());
    return path;
  }

  std::filesystem::path dir_;
};

std::vector<std::string> words(const std::string& doc) {
  std::istringstream in(doc);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The Hub's BM25 of every document for single-word terms (fts_index.hpp), computed directly.
std::vector<double> expected_scores(const std::vector<std::string>& docs,
                                    const std::vector<std::string>& terms) {
  double n = static_cast<double>(docs.size()), total = 0;
  std::map<std::string, double> df;
  for (const auto& d : docs) {
    auto ws = words(d);
    total += static_cast<double>(ws.size());
    std::sort(ws.begin(), ws.end());
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
    for (const auto& w : ws) df[w] += 1;
  }
  double avgdl = total / n;
  std::vector<double> out;
  for (const auto& d : docs) {
    auto ws = words(d);
    double score = 0;
    for (const auto& t : terms) {
      double tf = static_cast<double>(std::count(ws.begin(), ws.end(), t));
      if (tf == 0) continue;
      double idf = std::log((n - df[t] + 0.5) / (df[t] + 0.5) + 1);
      score +=
          idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * static_cast<double>(ws.size()) / avgdl));
    }
    out.push_back(score);
  }
  return out;
}

TEST_F(FtsIndexTest, RanksByTheHubsBm25) {
  std::mt19937 rng(3);
  std::vector<std::string> vocabulary{"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"};
  std::vector<std::string> docs;
  for (int i = 0; i < 300; ++i) {
    std::string d;
    size_t n = 1 + rng() % 12;
    for (size_t k = 0; k < n; ++k) d += vocabulary[rng() % (k % 3 == 0 ? 7 : 3)] + " ";
    docs.push_back(d);
  }
  auto index = FtsIndex::open(build(docs));
  ASSERT_TRUE(index) << index.status().message();
  for (const auto& terms : std::vector<std::vector<std::string>>{
           {"zeta"}, {"alpha"}, {"zeta", "eta"}, {"beta", "delta", "eps"}}) {
    auto scores = expected_scores(docs, terms);
    std::vector<uint64_t> want;
    for (uint64_t i = 0; i < docs.size(); ++i) {
      if (scores[i] > 0) want.push_back(i);
    }
    std::stable_sort(want.begin(), want.end(),
                     [&](uint64_t a, uint64_t b) { return scores[a] > scores[b] + 1e-12; });
    auto hits = (*index)->search(terms, 0, 1000, 10000);
    ASSERT_TRUE(hits) << hits.status().message();
    EXPECT_EQ(hits->total, want.size());
    ASSERT_EQ(hits->rows.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      // Equal scores may come in either order of rounding: compare the scores, then rows.
      EXPECT_NEAR(scores[hits->rows[k]], scores[want[k]], 1e-9) << terms[0] << " at " << k;
    }
    // Pages are slices of the same order.
    auto page = (*index)->search(terms, 5, 7, 10000);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->total, want.size());
    EXPECT_EQ(page->rows,
              std::vector<uint64_t>(hits->rows.begin() + 5,
                                    hits->rows.begin() + std::min<size_t>(12, want.size())));
  }
}

TEST_F(FtsIndexTest, PhrasesFoldingAndQueryTextThatIsNotSyntax) {
  auto index =
      FtsIndex::open(build({"Café au lait", "lait au café", "NEAR the star *", "\"quoted\" text"}));
  ASSERT_TRUE(index);
  auto find = [&](std::vector<std::string> terms) {
    auto hits = (*index)->search(terms, 0, 10, 10000);
    EXPECT_TRUE(hits) << hits.status().message();
    std::vector<uint64_t> rows = hits ? hits->rows : std::vector<uint64_t>{};
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  EXPECT_EQ(find({"cafe au"}), (std::vector<uint64_t>{0}));  // a phrase: in that order
  EXPECT_EQ(find({"au cafe"}), (std::vector<uint64_t>{1}));
  EXPECT_EQ(find({"CAFE"}), (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(find({"near"}), (std::vector<uint64_t>{2}));
  EXPECT_EQ(find({"star*"}), (std::vector<uint64_t>{2}));  // * is not a prefix query
  EXPECT_EQ(find({"sta*"}), (std::vector<uint64_t>{}));
  EXPECT_EQ(find({"\"quoted\" OR text"}), (std::vector<uint64_t>{}));  // one phrase
  EXPECT_EQ(find({"\"quoted"}), (std::vector<uint64_t>{3}));
  EXPECT_EQ(find({"*"}), (std::vector<uint64_t>{}));
  EXPECT_EQ(find({}), (std::vector<uint64_t>{}));
}

TEST_F(FtsIndexTest, WorkPastItsBoundStops) {
  std::vector<std::string> docs(20000, "common word");
  auto index = FtsIndex::open(build(docs));
  ASSERT_TRUE(index);
  auto hits = (*index)->search({"common"}, 0, 10, 0);
  ASSERT_FALSE(hits);
  EXPECT_EQ(hits.status().kind(), ErrorKind::kPayloadTooLarge);
  auto in_time = (*index)->search({"common"}, 0, 10, 60000);
  ASSERT_TRUE(in_time);
  EXPECT_EQ(in_time->total, 20000u);
}

TEST_F(FtsIndexTest, AnUnfinishedIndexIsNeverFound) {
  std::string path = (dir_ / "half.fts").string();
  {
    auto w = FtsIndexWriter::create(path);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->add(0, "some text"));
  }  // dropped before finish()
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            0);
  EXPECT_FALSE(FtsIndex::open(path));
}

}  // namespace
}  // namespace vitrine::storage
