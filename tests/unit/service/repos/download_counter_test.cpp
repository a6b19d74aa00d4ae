// Unit tests for service/download_counter and the download side of MetadataDb: which answers
// count, that counts wait in memory until a flush, that the 30-day window drops old days but
// keeps the all-time total, that listings sort by the 30-day count, and that a deleted
// repository leaves no rows behind; that counts being written still count, that listings write
// at most once a second and only when they sort by downloads, that a flush waiting across
// midnight dates new downloads to the new day, that closing a hub that counted nothing writes
// nothing, and that a failed deletion deletes nothing.
#include "service/repos/download_counter.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "hub_test_fixture.hpp"
#include "service/access/auth_service.hpp"
#include "service/repos/repo_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDayMs = 86400000;

// A second connection to the hub's database, as another process would have: it holds the write
// lock, adds triggers that make statements fail, and reads tables the hub has no query for.
class OtherConnection {
 public:
  explicit OtherConnection(const fs::path& dir) {
    EXPECT_EQ(sqlite3_open((dir / "vitrine.db").string().c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 10000);
  }
  ~OtherConnection() { sqlite3_close(db_); }
  OtherConnection(const OtherConnection&) = delete;
  OtherConnection& operator=(const OtherConnection&) = delete;
  void exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }
  // The rows of `sql` as "a:b" strings, one per row.
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        auto text = sqlite3_column_text(s, i);
        row += (i ? ":" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(row);
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// A requester never seen before: each of its requests starts a download.
std::string someone() {
  static std::atomic<int> n{0};
  return "ip:10.0.0." + std::to_string(++n);
}

TEST(CountsAsDownload, GetOrHeadOfAFileAnsweredWithItOrItsState) {
  EXPECT_TRUE(counts_as_download("GET", 200, "model.safetensors"));
  EXPECT_TRUE(counts_as_download("GET", 200, "sub/config.json"));
  EXPECT_TRUE(counts_as_download("GET", 206, "model.safetensors"));  // any range
  // huggingface_hub's HEAD (hf_xet then reads the CAS) and a revalidated cache.
  EXPECT_TRUE(counts_as_download("HEAD", 200, "config.json"));
  EXPECT_TRUE(counts_as_download("GET", 304, "config.json"));
  EXPECT_FALSE(counts_as_download("GET", 404, "config.json"));
  EXPECT_FALSE(counts_as_download("GET", 416, "config.json"));
  EXPECT_FALSE(counts_as_download("HEAD", 401, "config.json"));
  EXPECT_FALSE(counts_as_download("POST", 200, "config.json"));
  EXPECT_FALSE(counts_as_download("GET", 200, ".gitattributes"));
  EXPECT_TRUE(counts_as_download("GET", 200, "sub/x.gitattributes"));
  EXPECT_FALSE(counts_as_download("GET", 200, ""));
}

class DownloadCounterTest : public AliceHubTest {
 protected:
  domain::RepoRecord reread(const domain::RepoRecord& r) {
    return hub_->db().find_repo_by_uid(r.uid)->value_or(domain::RepoRecord{});
  }
  std::vector<std::string> by_downloads() {
    domain::RepoListQuery q;
    q.type = domain::RepoKind::kModel;
    q.all_private_visible = true;
    q.sort = "downloads";
    q.descending = true;
    std::vector<std::string> out;
    for (const auto& r : hub_->db().list_repos(q)) out.push_back(r.name);
    return out;
  }
};

TEST_F(DownloadCounterTest, CountsWaitInMemoryUntilAFlush) {
  auto a = create("a");
  auto b = create("b");
  auto& counter = hub_->downloads();
  for (int i = 0; i < 3; ++i) counter.record(a.uid, someone());
  counter.record(b.uid, someone());
  EXPECT_EQ(counter.pending(a.uid), 3);
  EXPECT_EQ(reread(a).downloads, 0);  // nothing written yet
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(counter.pending(a.uid), 0);
  EXPECT_EQ(reread(a).downloads, 3);
  EXPECT_EQ(reread(a).downloads_all_time, 3);
  EXPECT_EQ(reread(b).downloads, 1);
  EXPECT_EQ(by_downloads(), (std::vector<std::string>{"a", "b"}));
  for (int i = 0; i < 5; ++i) counter.record(b.uid, someone());
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(reread(b).downloads, 6);
  EXPECT_EQ(by_downloads(), (std::vector<std::string>{"b", "a"}));
  // The found-by-name cache does not hide a flush.
  auto found = hub_->db().find_repo(domain::RepoKind::kModel, "alice", "b");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->downloads, 6);
}

TEST_F(DownloadCounterTest, ASeriesOfRequestsByOneRequesterIsOneDownload) {
  auto a = create("a");
  auto b = create("b");
  std::atomic<int64_t> clock{util::now_ms()};
  DownloadCounter counter(hub_->db(), [&] { return clock.load(); });
  // A model fetched file by file (a HEAD and a GET each) by alice: one download.
  for (int i = 0; i < 6; ++i) {
    clock += 1000;
    counter.record(a.uid, "user:alice");
  }
  EXPECT_EQ(counter.pending(a.uid), 1);
  // Others count on their own; so does another repository of the same requester.
  counter.record(a.uid, "user:bob");
  counter.record(a.uid, "ip:127.0.0.2");
  counter.record(b.uid, "user:alice");
  EXPECT_EQ(counter.pending(a.uid), 3);
  EXPECT_EQ(counter.pending(b.uid), 1);
  // The series goes on while the gaps stay under five minutes, however long it lasts...
  for (int i = 0; i < 10; ++i) {
    clock += 5 * 60 * 1000 - 1;
    counter.record(a.uid, "user:alice");
  }
  EXPECT_EQ(counter.pending(a.uid), 3);
  // ...and a request five minutes after the last one starts a new download.
  clock += 5 * 60 * 1000;
  counter.record(a.uid, "user:alice");
  EXPECT_EQ(counter.pending(a.uid), 4);
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(reread(a).downloads, 4);
  // A gap of 0 counts every request.
  counter.set_series_gap_ms(0);
  counter.record(b.uid, "user:alice");
  counter.record(b.uid, "user:alice");
  EXPECT_EQ(counter.pending(b.uid), 2);
}

TEST_F(DownloadCounterTest, EndedSeriesAreForgottenAndAFullTableForgetsTheLeastRecent) {
  auto a = create("a");
  std::atomic<int64_t> clock{util::now_ms()};
  DownloadCounter counter(hub_->db(), [&] { return clock.load(); });
  for (int i = 0; i < 1000; ++i) counter.record(a.uid, "ip:" + std::to_string(i));
  EXPECT_EQ(counter.requesters_remembered(), 1000u);
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(counter.requesters_remembered(), 1000u);  // all still live
  clock += 5 * 60 * 1000;
  counter.record(a.uid, "ip:new");
  ASSERT_TRUE(counter.flush().is_ok());  // the 1,000 ended: forgotten
  EXPECT_EQ(counter.requesters_remembered(), 1u);
  EXPECT_EQ(reread(a).downloads, 1001);
  // A full table forgets the least recently active series, not the others.
  counter.record(a.uid, "oldest");
  counter.record(a.uid, "kept");
  for (size_t i = 0; i + 3 < DownloadCounter::kMaxRequesters; ++i) {
    counter.record(a.uid, "k" + std::to_string(i));
  }
  counter.record(a.uid, "kept");  // active again: now the most recent
  EXPECT_EQ(counter.requesters_remembered(), DownloadCounter::kMaxRequesters);
  const int64_t before = counter.pending(a.uid);
  counter.record(a.uid, "one more");  // the table is full: "ip:new" (least recent) goes
  counter.record(a.uid, "kept");
  EXPECT_EQ(counter.pending(a.uid), before + 1) << "a series still remembered does not count again";
  EXPECT_EQ(counter.requesters_remembered(), DownloadCounter::kMaxRequesters);
  counter.record(a.uid, "ip:new");  // forgotten: counts again (and pushes out "oldest")
  EXPECT_EQ(counter.pending(a.uid), before + 2);
  counter.record(a.uid, "oldest");
  EXPECT_EQ(counter.pending(a.uid), before + 3);
}

TEST_F(DownloadCounterTest, ConcurrentRequestsOfOneSeriesCountOnceAndAClockStepBackEndsNothing) {
  auto a = create("a");
  // Every reading of this clock is later than the one before, as a wall clock's can be across
  // threads: a request that read its time before another took the mutex must not restart the
  // series.
  std::atomic<int64_t> clock{util::now_ms()};
  DownloadCounter counter(hub_->db(), [&] { return clock.fetch_add(1); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) counter.record(a.uid, "user:alice");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.pending(a.uid), 1);
  // The clock steps back an hour: the series goes on.
  clock -= 3600 * 1000;
  counter.record(a.uid, "user:alice");
  EXPECT_EQ(counter.pending(a.uid), 1);
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
  counter.record(a.uid, someone());
  ASSERT_TRUE(counter.flush().is_ok());
  ASSERT_TRUE(hub_->db().delete_repo(a.uid).is_ok());
  counter.record(a.uid, someone());  // a download answered just before the deletion
  EXPECT_TRUE(counter.flush().is_ok());
  // A repository created later under the same name starts from zero.
  auto again = create("a");
  EXPECT_EQ(reread(again).downloads, 0);
  EXPECT_EQ(reread(again).downloads_all_time, 0);
}

TEST_F(DownloadCounterTest, CountsBeingWrittenStillCount) {
  auto a = create("a");
  auto& counter = hub_->downloads();
  ASSERT_TRUE(counter.flush().is_ok());  // moves the window now, not in the flush below
  for (int i = 0; i < 3; ++i) counter.record(a.uid, someone());
  OtherConnection other(dir_);
  other.exec("BEGIN IMMEDIATE");  // the flush's transaction waits for this one
  std::thread flushing([&] { EXPECT_TRUE(counter.flush().is_ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // it took the counts and waits
  // What model info shows: the database's count and the ones not written yet.
  EXPECT_EQ(reread(a).downloads + counter.pending(a.uid), 3);
  other.exec("COMMIT");
  flushing.join();
  EXPECT_EQ(reread(a).downloads, 3);
  EXPECT_EQ(counter.pending(a.uid), 0);
}

TEST_F(DownloadCounterTest, AFailedWriteKeepsTheCountsForTheNextFlush) {
  auto a = create("a");
  auto& counter = hub_->downloads();
  counter.record(a.uid, someone());
  counter.record(a.uid, someone());
  OtherConnection other(dir_);
  other.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON repo_downloads BEGIN SELECT RAISE(ABORT, "
      "'refused'); END");
  EXPECT_FALSE(counter.flush().is_ok());
  EXPECT_EQ(counter.pending(a.uid), 2);  // put back once, not lost and not doubled
  EXPECT_EQ(reread(a).downloads_all_time, 0);
  other.exec("DROP TRIGGER refuse");
  ASSERT_TRUE(counter.flush().is_ok());
  EXPECT_EQ(reread(a).downloads, 2);
  EXPECT_EQ(reread(a).downloads_all_time, 2);
  EXPECT_EQ(counter.pending(a.uid), 0);
}

TEST_F(DownloadCounterTest, ListingsWriteOnlyWhenSortingByDownloadsAndAtMostOnceASecond) {
  auto a = create("a");
  std::atomic<int64_t> clock{util::now_ms()};
  DownloadCounter counter(hub_->db(), [&] { return clock.load(); });
  counter.record(a.uid, someone());
  ASSERT_TRUE(counter.flush_for_listing("lastModified").is_ok());
  ASSERT_TRUE(counter.flush_for_listing("likes").is_ok());
  EXPECT_EQ(reread(a).downloads, 0);  // other sorts leave it to the background flush
  EXPECT_EQ(counter.pending(a.uid), 1);
  ASSERT_TRUE(counter.flush_for_listing("downloads").is_ok());
  EXPECT_EQ(reread(a).downloads, 1);
  // Within a second of that write, listings do not write again.
  counter.record(a.uid, someone());
  clock += DownloadCounter::kListingFlushMs - 1;
  ASSERT_TRUE(counter.flush_for_listing("downloads").is_ok());
  EXPECT_EQ(reread(a).downloads, 1);
  EXPECT_EQ(counter.pending(a.uid), 1);
  clock += 1;
  ASSERT_TRUE(counter.flush_for_listing("downloads").is_ok());
  EXPECT_EQ(reread(a).downloads, 2);
  // trendingScore orders by downloads too.
  counter.record(a.uid, someone());
  clock += DownloadCounter::kListingFlushMs;
  ASSERT_TRUE(counter.flush_for_listing("trendingScore").is_ok());
  EXPECT_EQ(reread(a).downloads, 3);
  // A listing that found nothing to write does not hold back the next one.
  clock += DownloadCounter::kListingFlushMs;
  ASSERT_TRUE(counter.flush_for_listing("downloads").is_ok());
  counter.record(a.uid, someone());
  ASSERT_TRUE(counter.flush_for_listing("downloads").is_ok());
  EXPECT_EQ(reread(a).downloads, 4);
}

TEST_F(DownloadCounterTest, AFlushThatWaitsAcrossMidnightDatesNewDownloadsToTheNewDay) {
  auto a = create("a");
  int64_t day = util::now_ms() / kDayMs;
  std::atomic<int64_t> clock{day * kDayMs - 1000};  // one second before midnight
  DownloadCounter counter(hub_->db(), [&] { return clock.load(); });
  counter.record(a.uid, someone());
  ASSERT_TRUE(counter.flush().is_ok());  // the window is at the day before
  counter.record(a.uid, someone());
  OtherConnection other(dir_);
  other.exec("BEGIN IMMEDIATE");
  // The first flush takes that download and waits for the database; the second, started
  // before midnight with a download of its own, waits for the first.
  std::thread first([&] { EXPECT_TRUE(counter.flush().is_ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  counter.record(a.uid, someone());
  std::thread second([&] { EXPECT_TRUE(counter.flush().is_ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  clock = day * kDayMs + 1000;  // midnight passes
  other.exec("COMMIT");
  first.join();
  second.join();
  EXPECT_EQ(
      other.rows("SELECT day, count FROM repo_downloads WHERE uid = '" + a.uid + "' ORDER BY day"),
      (std::vector<std::string>{std::to_string(day - 1) + ":2", std::to_string(day) + ":1"}));
}

TEST_F(DownloadCounterTest, AHubThatCountedNothingWritesNothingWhenItCloses) {
  auto a = create("a");
  int64_t today = util::now_ms() / kDayMs;
  // Counts of a day the 30-day window has not dropped yet: moving the window would.
  ASSERT_TRUE(hub_->db().add_downloads({{a.uid, 4}}, today - 40).is_ok());
  EXPECT_EQ(reread(a).downloads, 4);
  reopen();
  EXPECT_EQ(reread(a).downloads, 4);  // closing did not run the window's UPDATE
  // A hub that counted a download moves the window before writing it.
  hub_->downloads().record(a.uid, someone());
  reopen();
  EXPECT_EQ(reread(a).downloads, 1);
  EXPECT_EQ(reread(a).downloads_all_time, 5);
}

TEST_F(DownloadCounterTest, AFailedDeletionDeletesNothing) {
  auto a = create("a");
  auto& counter = hub_->downloads();
  counter.record(a.uid, someone());
  ASSERT_TRUE(counter.flush().is_ok());
  OtherConnection other(dir_);
  // The last of the deletion's statements fails.
  other.exec(
      "CREATE TRIGGER refuse BEFORE DELETE ON repos BEGIN SELECT RAISE(ABORT, 'refused'); END");
  EXPECT_FALSE(hub_->db().delete_repo(a.uid).is_ok());
  other.exec("DROP TRIGGER refuse");
  EXPECT_EQ(reread(a).downloads, 1);
  EXPECT_EQ(other.rows("SELECT count FROM repo_downloads WHERE uid = '" + a.uid + "'"),
            (std::vector<std::string>{"1"}));
  // Once nothing refuses, the deletion removes the rows.
  ASSERT_TRUE(hub_->db().delete_repo(a.uid).is_ok());
  EXPECT_TRUE(other.rows("SELECT count FROM repo_downloads WHERE uid = '" + a.uid + "'").empty());
}

}  // namespace
}  // namespace vitrine::service
