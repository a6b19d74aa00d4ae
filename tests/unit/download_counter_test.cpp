// Unit tests for service/download_counter and the download side of MetadataDb: which answers
// count, that counts wait in memory until a flush, that the 30-day window drops old days but
// keeps the all-time total, that listings sort by the 30-day count, and that a deleted
// repository leaves no rows behind.
#include "service/download_counter.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "service/auth_service.hpp"
#include "service/repo_service.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;

TEST(CountsAsDownload, GetOfAFileAnsweredWithItsBytesFromTheStart) {
  EXPECT_TRUE(counts_as_download("GET", 200, 0, 100, 100, "model.safetensors"));
  EXPECT_TRUE(counts_as_download("GET", 200, 0, 10, 10, "sub/config.json"));
  EXPECT_TRUE(counts_as_download("GET", 206, 0, 50, 100, "model.safetensors"));    // first chunk
  EXPECT_FALSE(counts_as_download("GET", 206, 50, 50, 100, "model.safetensors"));  // later one
  // The size probe (Range: bytes=0-0) of @huggingface/hub, unless that byte is the file.
  EXPECT_FALSE(counts_as_download("GET", 206, 0, 1, 100, "config.json"));
  EXPECT_TRUE(counts_as_download("GET", 206, 0, 1, 1, "one-byte.txt"));
  EXPECT_FALSE(counts_as_download("HEAD", 200, 0, 10, 10, "config.json"));
  EXPECT_FALSE(counts_as_download("GET", 304, 0, 10, 10, "config.json"));  // revalidated cache
  EXPECT_FALSE(counts_as_download("GET", 404, 0, 0, 0, "config.json"));
  EXPECT_FALSE(counts_as_download("GET", 200, 0, 10, 10, ".gitattributes"));
  EXPECT_TRUE(counts_as_download("GET", 200, 0, 10, 10, "sub/x.gitattributes"));
  EXPECT_FALSE(counts_as_download("GET", 200, 0, 0, 0, ""));
}

class DownloadCounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vitrine-downloads-" + util::random_alnum(10));
    HubConfig config;
    config.data_dir = dir_.string();
    auto hub = Hub::open(config);
    ASSERT_TRUE(hub.is_ok()) << hub.status().message();
    hub_ = std::move(*hub);
    AuthService auth(*hub_);
    ASSERT_TRUE(auth.create_user("alice", false).is_ok());
    alice_ = auth.authenticate("Bearer " + *auth.create_token("alice", "write", "t"));
  }
  void TearDown() override {
    hub_.reset();
    fs::remove_all(dir_);
  }
  storage::RepoRecord create(const std::string& name) {
    CreateRepoRequest req;
    req.name = name;
    auto repo = RepoService(*hub_).create(alice_, req);
    EXPECT_TRUE(repo.is_ok()) << repo.status().message();
    return repo.is_ok() ? *repo : storage::RepoRecord{};
  }
  storage::RepoRecord reread(const storage::RepoRecord& r) {
    return hub_->db().find_repo_by_uid(r.uid).value_or(storage::RepoRecord{});
  }
  std::vector<std::string> by_downloads() {
    storage::RepoListQuery q;
    q.type = "model";
    q.all_private_visible = true;
    q.sort = "downloads";
    q.descending = true;
    std::vector<std::string> out;
    for (const auto& r : hub_->db().list_repos(q)) out.push_back(r.name);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<Hub> hub_;
  Caller alice_;
};

TEST_F(DownloadCounterTest, CountsWaitInMemoryUntilAFlush) {
  auto a = create("a");
  auto b = create("b");
  auto& counter = hub_->downloads();
  for (int i = 0; i < 3; ++i) counter.record(a.uid);
  counter.record(b.uid);
  EXPECT_EQ(counter.pending(a.uid), 3);
  EXPECT_EQ(reread(a).downloads, 0);  // nothing written yet
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(counter.pending(a.uid), 0);
  EXPECT_EQ(reread(a).downloads, 3);
  EXPECT_EQ(reread(a).downloads_all_time, 3);
  EXPECT_EQ(reread(b).downloads, 1);
  EXPECT_EQ(by_downloads(), (std::vector<std::string>{"a", "b"}));
  for (int i = 0; i < 5; ++i) counter.record(b.uid);
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(reread(b).downloads, 6);
  EXPECT_EQ(by_downloads(), (std::vector<std::string>{"b", "a"}));
  // The found-by-name cache does not hide a flush.
  auto found = hub_->db().find_repo("model", "alice", "b");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->downloads, 6);
}

TEST_F(DownloadCounterTest, TheWindowKeepsThirtyDaysAndTheTotalStays) {
  auto a = create("a");
  auto& db = hub_->db();
  int64_t today = util::now_ms() / 86400000;
  ASSERT_TRUE(db.add_downloads({{a.uid, 4}}, today - 40).is_ok());  // out of the window
  ASSERT_TRUE(db.add_downloads({{a.uid, 2}}, today - 29).is_ok());  // its first day
  ASSERT_TRUE(db.add_downloads({{a.uid, 1}}, today).is_ok());
  ASSERT_TRUE(db.roll_download_window(today).is_ok());
  EXPECT_EQ(reread(a).downloads, 3);
  EXPECT_EQ(reread(a).downloads_all_time, 7);
  // Twenty-nine days later only today's download is inside the window.
  ASSERT_TRUE(db.roll_download_window(today + 29).is_ok());
  EXPECT_EQ(reread(a).downloads, 1);
  ASSERT_TRUE(db.roll_download_window(today + 30).is_ok());
  EXPECT_EQ(reread(a).downloads, 0);
  EXPECT_EQ(reread(a).downloads_all_time, 7);
}

TEST_F(DownloadCounterTest, ADeletedRepositoryLeavesNothing) {
  auto a = create("a");
  auto& counter = hub_->downloads();
  counter.record(a.uid);
  ASSERT_TRUE(counter.flush().is_ok());
  ASSERT_TRUE(hub_->db().delete_repo(a.uid).is_ok());
  counter.record(a.uid);  // a download answered just before the deletion
  EXPECT_TRUE(counter.flush().is_ok());
  // A repository created later under the same name starts from zero.
  auto again = create("a");
  EXPECT_EQ(reread(again).downloads, 0);
  EXPECT_EQ(reread(again).downloads_all_time, 0);
}

}  // namespace
}  // namespace vitrine::service
