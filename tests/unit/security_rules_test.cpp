// The rules of docs/security.md that live below the HTTP layer: bounded JSON, the failure-limit
// refund, the object-access rule in commits, commits racing without a parent, file/folder
// conflicts, Xet token claims, the snapshot cache's byte bound, the listing term cap and fair
// turns.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/hf/repo_listing_query.hpp"
#include "api/rate_limiter.hpp"
#include "formats/git/lfs_pointer.hpp"
#include "formats/hub/xet_tokens.hpp"
#include "http/server.hpp"
#include "hub_test_fixture.hpp"
#include "service/commits/commit_builder.hpp"
#include "service/repos/snapshot_cache.hpp"
#include "storage/git/git_repo.hpp"
#include "util/concurrency_limit.hpp"
#include "util/json.hpp"

namespace vitrine {
namespace {

TEST(UntrustedJson, NestingPastTheLimitIsRefusedBeforeParsing) {
  std::string deep = std::string(60000, '[') + std::string(60000, ']');
  auto parsed = util::parse_untrusted_json(deep);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kUnprocessable);

  std::string at_limit =
      std::string(util::kMaxJsonDepth, '[') + std::string(util::kMaxJsonDepth, ']');
  EXPECT_TRUE(util::parse_untrusted_json(at_limit).is_ok());
  std::string one_more = "[" + at_limit + "]";
  EXPECT_FALSE(util::parse_untrusted_json(one_more).is_ok());
}

TEST(UntrustedJson, BracketsInsideStringsDoNotCount) {
  std::string text = R"({"a": "[[[[{{{{\"[[[[", "b": [1, {"c": "]]]]"}]})";
  EXPECT_EQ(util::json_nesting_depth(text, 100), 3u);
  auto parsed = util::parse_untrusted_json(text);
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ((*parsed)["b"][1]["c"], "]]]]");
}

TEST(UntrustedJson, MalformedIsABadRequest) {
  auto parsed = util::parse_untrusted_json("{\"a\": ");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kBadRequest);
  // nlohmann stops at a NUL byte: "[]" followed by anything would pass (found by fuzzing).
  auto nul = util::parse_untrusted_json(std::string_view("[]\0[[[", 6));
  ASSERT_FALSE(nul.is_ok());
  EXPECT_EQ(nul.status().kind(), ErrorKind::kBadRequest);
}

TEST(RateLimiterRefund, AReleasedUnitCanBeTakenAgain) {
  api::RateLimiter limiter(2, std::chrono::seconds(60));
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
  limiter.release("k");
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
  limiter.release("absent");  // nothing to give back: no effect, no entry
  EXPECT_TRUE(limiter.acquire("absent").allowed);
}

TEST(XetClaims, TheUserTravelsWithTheToken) {
  service::XetClaims claims{"abc123", false, 2000000000, "main", "alice", 42};
  std::string token = service::issue_xet_token("key-of-32-bytes-for-this-test!!!", claims);
  auto back = service::verify_xet_token("key-of-32-bytes-for-this-test!!!", token, 1000);
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back->user, "alice");
  EXPECT_EQ(back->token_id, 42);
  EXPECT_EQ(back->repo_uid, "abc123");
  EXPECT_EQ(back->revision, "main");
  EXPECT_FALSE(back->write);
}

TEST(ListingQuery, MoreThanTheTermCapIsABadRequest) {
  std::string query;
  for (size_t i = 0; i <= api::kMaxListingTerms; ++i) query += "&search=x" + std::to_string(i);
  auto parsed = api::parse_repo_listing_query(util::QueryParams::parse(query.substr(1)),
                                              domain::RepoKind::kModel);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kBadRequest);
  auto fine = api::parse_repo_listing_query(
      util::QueryParams::parse("search=a&author=b&filter=c&limit=5&sort=downloads"),
      domain::RepoKind::kModel);
  EXPECT_TRUE(fine.is_ok());
}

TEST(SnapshotCacheBound, WeighsEntriesInBytes) {
  auto wide = std::make_shared<service::Snapshot>();
  for (int i = 0; i < 20000; ++i) {
    service::FileEntry e;
    e.git.path = "folder/with/a/long/enough/name/file-" + std::to_string(i) + ".json";
    e.git.oid = std::string(40, 'a');
    wide->entries.push_back(std::move(e));
  }
  size_t weight = service::SnapshotCache::weight_of(*wide);
  EXPECT_GT(weight, 20000u * 80);
  service::SnapshotCache cache(weight * 3);  // room for three such snapshots
  for (int i = 0; i < 10; ++i) cache.put("repo", std::to_string(i), wide);
  int kept = 0;
  for (int i = 0; i < 10; ++i) kept += cache.get("repo", std::to_string(i)) != nullptr;
  EXPECT_EQ(kept, 3);
  EXPECT_NE(cache.get("repo", "9"), nullptr);  // the most recent stay
}

}  // namespace

namespace service {
namespace {

class CommitRulesTest : public AliceHubTest {
 protected:
  void SetUp() override {
    AliceHubTest::SetUp();
    if (HasFatalFailure()) return;
    repo_ = create("m");
  }
  Result<CommitOutcome> commit(std::vector<CommitOperation> ops,
                               std::optional<std::string> parent = std::nullopt) {
    CommitBuilder builder(*hub_, repo_, alice_);
    if (auto st = builder.begin(); !st) return st;
    for (auto& op : ops) {
      if (auto st = builder.add(std::move(op)); !st) return st;
    }
    return builder.finish(CommitHeader{"c", "", parent}, "main", false);
  }
  std::string head() {
    auto git = hub_->open_git(repo_);
    return *(*git)->ref_target("refs/heads/main");
  }
  bool has_file(const std::string& path) {
    auto git = hub_->open_git(repo_);
    auto entry = (*git)->entry_at(head(), path);
    return entry.is_ok() && entry->has_value();
  }
  domain::RepoRecord repo_;
};

TEST_F(CommitRulesTest, APointerAsARegularFileNeedsTheObjectHeld) {
  std::string oid(64, 'c');
  auto st = commit({FileOp{"w.bin", format_lfs_pointer({oid, 10})}});
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.status().kind(), ErrorKind::kUnprocessable);
  EXPECT_FALSE(has_file("w.bin"));
  // Text that only resembles a pointer is an ordinary file.
  EXPECT_TRUE(
      commit({FileOp{"notes.txt", "version https://git-lfs.github.com/spec/v1\n"}}).is_ok());
}

TEST_F(CommitRulesTest, AFileOverAFolderOrAFolderOverAFileIsABadRequestNamingThePath) {
  ASSERT_TRUE(commit({FileOp{"data/a.txt", "a"}, FileOp{"config.json", "{}"}}).is_ok());
  std::string before = head();
  auto over_folder = commit({FileOp{"data", "x"}});
  ASSERT_FALSE(over_folder.is_ok());
  EXPECT_EQ(over_folder.status().kind(), ErrorKind::kBadRequest);
  EXPECT_NE(over_folder.status().message().find("'data'"), std::string::npos);
  auto under_file = commit({FileOp{"config.json/x", "x"}});
  ASSERT_FALSE(under_file.is_ok());
  EXPECT_EQ(under_file.status().kind(), ErrorKind::kBadRequest);
  EXPECT_NE(under_file.status().message().find("'config.json'"), std::string::npos);
  EXPECT_EQ(head(), before);
  EXPECT_TRUE(has_file("data/a.txt"));
  EXPECT_TRUE(has_file("config.json"));
  // Deleting first in the same commit is the way to replace one by the other.
  ASSERT_TRUE(commit({DeleteFolderOp{"data/"}, FileOp{"data", "now a file"}}).is_ok());
  EXPECT_TRUE(has_file("data"));
}

TEST_F(CommitRulesTest, WithoutAParentConcurrentCommitsOnOtherPathsAllLand) {
  constexpr int kThreads = 8, kEach = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string path = "t" + std::to_string(t) + "/f" + std::to_string(i) + ".txt";
        if (auto r = commit({FileOp{path, path}}); !r.is_ok()) {
          ++failures;
          ADD_FAILURE() << r.status().message();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      EXPECT_TRUE(has_file("t" + std::to_string(t) + "/f" + std::to_string(i) + ".txt"));
    }
  }
}

TEST_F(CommitRulesTest, RacingCommitsOnOnePathEitherLandOrFailNamingIt) {
  // Commits without a parent that lose the race to a commit on the same path must fail with
  // 412 naming the path (never overwrite it silently, never another error); the others land.
  constexpr int kThreads = 6, kEach = 8;
  std::atomic<int> landed{0};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = commit({FileOp{"shared.txt", std::to_string(t * 100 + i)}});
        if (r.is_ok()) {
          ++landed;
        } else if (r.status().kind() != ErrorKind::kPreconditionFailed ||
                   r.status().message().find("'shared.txt'") == std::string::npos) {
          std::lock_guard lock(errors_mutex);
          errors.push_back(r.status().message());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_GT(landed.load(), 0);
  // Every commit that landed is in the branch's history (one each, on top of the creation).
  auto git = hub_->open_git(repo_);
  size_t commits = 0;
  std::string at = head();
  while (!at.empty()) {
    auto info = (*git)->commit_info(at);
    ASSERT_TRUE(info.is_ok());
    ++commits;
    at = info->parents.empty() ? "" : info->parents[0];
  }
  EXPECT_EQ(commits, static_cast<size_t>(landed.load()) + 1);
}

// A client is counted by its IPv4 address, or by the /64 of its IPv6 address (rotating through
// the addresses of one /64 does not escape a limit).
TEST(ClientKey, IPv6CountsByItsSlash64) {
  EXPECT_EQ(http::client_key("192.0.2.7"), "192.0.2.7");
  // An IPv4 client written as IPv6 by a proxy is that IPv4 client, not a shared ::/64.
  EXPECT_EQ(http::client_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_NE(http::client_key("::ffff:192.0.2.7"), http::client_key("::ffff:198.51.100.1"));
  EXPECT_EQ(http::client_key("2001:db8:1:2::1"), http::client_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(http::client_key("2001:db8:1:2::1"), http::client_key("2001:db8:1:3::1"));
  EXPECT_EQ(http::client_key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
}

// One turn per key at a time, and no more turns in all than the limit; a turn given back can
// be taken again.
TEST(FairLimit, OneTurnPerKeyAndABoundInAll) {
  util::FairLimit limit(2);
  auto a = limit.try_take("#1", std::chrono::milliseconds(0));
  EXPECT_TRUE(a->held());
  EXPECT_FALSE(limit.try_take("#1", std::chrono::milliseconds(30))->held())
      << "a key's second turn waits for its first";
  auto b = limit.try_take("10.0.0.1", std::chrono::milliseconds(0));
  EXPECT_TRUE(b->held());
  EXPECT_FALSE(limit.try_take("10.0.0.2", std::chrono::milliseconds(20))->held())
      << "no third turn in all";
  a.reset();
  EXPECT_TRUE(limit.try_take("10.0.0.2", std::chrono::milliseconds(0))->held());
  // A key's second turn gets it when the first is given back during its wait.
  auto first = limit.try_take("#2", std::chrono::milliseconds(0));
  ASSERT_TRUE(first->held());
  std::thread giver([&first] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    first.reset();
  });
  EXPECT_TRUE(limit.try_take("#2", std::chrono::seconds(5))->held());
  giver.join();
}

}  // namespace
}  // namespace service
}  // namespace vitrine
