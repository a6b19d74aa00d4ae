// DownloadCounter: counts repository downloads in memory and writes them to the metadata
// database in batches, so that the download path never waits on SQLite. What counts as a
// download is `counts_as_download` (docs/api.md, "Download counts").
// Thread-safe. A flush writes every pending count in one transaction; counts recorded since
// the last flush are lost if the process is killed (at most `interval_ms` worth of them:
// `stop()`, called at shutdown, flushes what is left).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "storage/metadata_db.hpp"
#include "util/result.hpp"

namespace vitrine::service {

// Whether answering a request for a file counts one download of its repository: a GET (a HEAD
// only asks about the file) answered with its bytes from the first one: 200, or 206 for a range
// that starts at byte 0 (a resumed or chunked transfer counts once) and is more than the
// one-byte probe `bytes=0-0` that clients send to learn a file's size, unless that byte is the
// whole file. `first` and `length` are the bytes answered, `size` the file's. Any file counts
// but `.gitattributes` (which git clients fetch for every repository).
bool counts_as_download(std::string_view method, int status, uint64_t first, uint64_t length,
                        uint64_t size, std::string_view path);

class DownloadCounter {
 public:
  explicit DownloadCounter(storage::MetadataDb& db) : db_(db) {}
  ~DownloadCounter() { stop(); }
  DownloadCounter(const DownloadCounter&) = delete;
  DownloadCounter& operator=(const DownloadCounter&) = delete;

  // One download of the repository `uid`: a hash-map increment under a mutex.
  void record(const std::string& uid);
  // Downloads of `uid` recorded and not yet flushed.
  int64_t pending(const std::string& uid);
  // Writes the pending counts (day: today, UTC) and, once per day, moves the 30-day window.
  // Cheap when nothing is pending and the day has not changed. On a database error the counts
  // are put back and tried again at the next flush.
  Status flush();
  // A thread that flushes every `interval_ms`; stop() ends it and flushes once more.
  void start_background(int interval_ms = 2000);
  void stop();

 private:
  storage::MetadataDb& db_;
  std::mutex mutex_;
  std::unordered_map<std::string, int64_t> pending_;
  std::mutex flush_mutex_;  // one flush at a time (keeps the window roll and the adds in order)
  std::atomic<int64_t> window_day_{-1};  // the day the 30-day counts were last recomputed for
  std::atomic<bool> stop_{false};
  std::thread background_;
};

}  // namespace vitrine::service
