// DownloadCounter: counts repository downloads in memory and writes them to the metadata
// database in batches, so that the download path never waits on SQLite. A download is a series
// of file requests (`counts_as_download`) by one requester for one repository with less than the
// series gap (5 minutes) between them, the Hub's rule for datasets, used here for models too
// (docs/api.md, "Download counts"): a model fetched file by file, with a HEAD and a GET each,
// counts once, and repeating requests cannot inflate the count.
// Thread-safe. A flush writes every pending count in one transaction; counts recorded since
// the last flush are lost if the process is killed (at most `interval_ms` worth of them:
// `stop()`, called at shutdown, flushes what is left). Counts being written stay visible to
// `pending()` until their transaction commits, so a reader never sees a count go down.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "util/result.hpp"
#include "util/time.hpp"

namespace vitrine::storage {
class MetadataDb;
}

namespace vitrine::service {

// Whether answering a request for a file is part of a download of its repository: a GET or a
// HEAD (huggingface_hub asks with HEAD whether its cached copy is current, and hf_xet then fetches
// the bytes from the Xet CAS), answered 200, 206 or 304 (a revalidated cache), of any file but
// `.gitattributes` (which git clients fetch for every repository). Which of these requests start
// a new download is DownloadCounter::record's to say.
bool counts_as_download(std::string_view method, int status, std::string_view path);

class DownloadCounter {
 public:
  // A listing sorted by downloads writes the pending counts first unless a listing did so less
  // than this long ago (see flush_for_listing).
  static constexpr int64_t kListingFlushMs = 1000;

  // `now_ms` is the clock (Unix milliseconds) that dates downloads; tests pass their own.
  explicit DownloadCounter(storage::MetadataDb& db, std::function<int64_t()> now_ms = util::now_ms)
      : db_(db), now_ms_(std::move(now_ms)) {}
  ~DownloadCounter() { stop(); }
  DownloadCounter(const DownloadCounter&) = delete;
  DownloadCounter& operator=(const DownloadCounter&) = delete;

  // Series remembered at most; past it, the least recently active one is forgotten (its
  // requester's next request counts again).
  static constexpr size_t kMaxRequesters = 1u << 18;

  // A request of `requester` (a user, or an anonymous IP) for a file of the repository `uid`:
  // counts one download unless the same requester's previous request for that repository came
  // less than the series gap ago (or, the clock having stepped back, later than now). The time
  // is read under the mutex, so concurrent requests of one series are seen in order. A hash-map
  // lookup and a list splice under a mutex.
  void record(const std::string& uid, const std::string& requester);
  // The series gap in milliseconds (default 5 minutes); 0 counts every request.
  void set_series_gap_ms(int64_t gap_ms) { series_gap_ms_ = gap_ms; }
  size_t requesters_remembered();
  // Downloads of `uid` recorded and not yet in the database: those pending and those of a flush
  // whose transaction has not committed yet. Between that commit and the moment the flush
  // forgets them (microseconds), a reader that also reads the database may count them twice.
  int64_t pending(const std::string& uid);
  // Writes the pending counts (day: today, UTC) and, once per day, moves the 30-day window.
  // Cheap when nothing is pending and the day has not changed. On a database error the counts
  // are put back and tried again at the next flush.
  Status flush();
  // Before a listing sorted by `sort`: flushes when the listing orders by download counts
  // (`downloads`, or `trendingScore`, which orders by them) and no listing wrote counts in the
  // last kListingFlushMs; otherwise does nothing (the background flush writes them). So a
  // listing sorted by downloads includes every download answered more than a second before it,
  // and listings cannot force more than one write transaction a second.
  Status flush_for_listing(std::string_view sort);
  // A thread that flushes every `interval_ms`; stop() ends it and flushes once more.
  void start_background(int interval_ms = 2000);
  // Ends the background thread and writes the counts still pending. With none pending it writes
  // nothing, not even the window (a CLI command that counted nothing leaves the database alone).
  void stop();

 private:
  // Nothing pending and the window already at the day of `now`: a flush would write nothing.
  bool nothing_to_write(int64_t now);
  Status flush_locked();                  // the body of flush(); flush_mutex_ held
  void forget_ended_series(int64_t now);  // mutex_ held; stops at the first live series

  storage::MetadataDb& db_;
  std::function<int64_t()> now_ms_;
  std::mutex mutex_;  // guards pending_, in_flight_ and the series
  std::unordered_map<std::string, int64_t> pending_;
  // The series: for each "requester\nuid" (kept in series_order_, most recently active first)
  // the time of its last request. Ended series are forgotten at each flush, from the back of
  // the order (O(ended)); a full table forgets its least recently active one.
  struct Series {
    int64_t last_ms;
    std::list<std::string>::iterator order;
  };
  std::list<std::string> series_order_;
  std::unordered_map<std::string_view, Series> series_;  // keys view series_order_'s strings
  std::atomic<int64_t> series_gap_ms_{5 * 60 * 1000};
  // The counts the running flush took from pending_ and has not committed yet (empty between
  // flushes; only the flush holding flush_mutex_ writes it).
  std::unordered_map<std::string, int64_t> in_flight_;
  std::mutex flush_mutex_;  // one flush at a time (keeps the window roll and the adds in order)
  std::atomic<int64_t> window_day_{-1};  // the day the 30-day counts were last recomputed for
  std::atomic<int64_t> last_listing_flush_ms_{INT64_MIN / 2};  // never: far enough in the past
  std::atomic<bool> stop_{false};
  std::thread background_;
};

}  // namespace vitrine::service
