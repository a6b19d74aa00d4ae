// Download counting (service/repos/download_counter.hpp).
#include "service/repos/download_counter.hpp"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

namespace {

constexpr int64_t kDayMs = 86400000;

}  // namespace

bool counts_as_download(std::string_view method, int status, std::string_view path) {
  if (method != "GET" && method != "HEAD") return false;
  if (status != 200 && status != 206 && status != 304) return false;
  auto slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return !name.empty() && name != ".gitattributes";
}

void DownloadCounter::record(const std::string& uid, const std::string& requester) {
  const int64_t gap = series_gap_ms_.load();
  std::lock_guard lock(mutex_);
  if (gap > 0) {
    const int64_t now = now_ms_();
    std::string key;
    key.reserve(requester.size() + 1 + uid.size());
    key.append(requester).push_back('\n');
    key.append(uid);
    if (auto it = series_.find(key); it != series_.end()) {
      Series& series = it->second;
      bool same = now < series.last_ms || now - series.last_ms < gap;
      series.last_ms = std::max(series.last_ms, now);
      series_order_.splice(series_order_.begin(), series_order_, series.order);
      if (same) return;
    } else {
      if (series_.size() >= kMaxRequesters) {
        series_.erase(series_order_.back());
        series_order_.pop_back();
      }
      series_order_.push_front(std::move(key));
      series_.emplace(series_order_.front(), Series{now, series_order_.begin()});
    }
  }
  ++pending_[uid];
}

void DownloadCounter::forget_ended_series(int64_t now) {
  const int64_t gap = series_gap_ms_.load();
  while (!series_order_.empty()) {
    auto it = series_.find(series_order_.back());
    if (it != series_.end() && now - it->second.last_ms < gap) break;
    if (it != series_.end()) series_.erase(it);
    series_order_.pop_back();
  }
}

size_t DownloadCounter::requesters_remembered() {
  std::lock_guard lock(mutex_);
  return series_.size();
}

int64_t DownloadCounter::pending(const std::string& uid) {
  std::lock_guard lock(mutex_);
  int64_t n = 0;
  if (auto it = pending_.find(uid); it != pending_.end()) n += it->second;
  if (auto it = in_flight_.find(uid); it != in_flight_.end()) n += it->second;
  return n;
}

bool DownloadCounter::nothing_to_write(int64_t now) {
  if (now / kDayMs != window_day_.load()) return false;
  std::lock_guard lock(mutex_);
  return pending_.empty();
}

Status DownloadCounter::flush() {
  if (nothing_to_write(now_ms_())) return Status::ok();  // the common case on read paths
  std::lock_guard flushing(flush_mutex_);
  return flush_locked();
}

Status DownloadCounter::flush_for_listing(std::string_view sort) {
  if (sort != "downloads" && sort != "trendingScore") return Status::ok();
  int64_t now = now_ms_();
  if (now - last_listing_flush_ms_.load() < kListingFlushMs || nothing_to_write(now)) {
    return Status::ok();
  }
  std::lock_guard flushing(flush_mutex_);
  now = now_ms_();
  // Another listing may have written while this one waited for the lock.
  if (now - last_listing_flush_ms_.load() < kListingFlushMs) return Status::ok();
  {
    // Only a listing that writes counts holds back the next ones (moving the window alone,
    // once a day, does not).
    std::lock_guard lock(mutex_);
    if (!pending_.empty()) last_listing_flush_ms_ = now;
  }
  return flush_locked();
}

Status DownloadCounter::flush_locked() {
  // The day is read with flush_mutex_ held: a flush that waited for another one across midnight
  // must neither move the window back nor date the new day's downloads to the day before.
  int64_t today = now_ms_() / kDayMs;
  if (today != window_day_) {
    if (auto st = db_.roll_download_window(today); !st) return st;
    window_day_ = today;
  }
  {
    std::lock_guard lock(mutex_);
    forget_ended_series(now_ms_());
    if (pending_.empty()) return Status::ok();
    in_flight_.swap(pending_);  // in_flight_ was empty: flushes run one at a time
  }
  // Only this flush writes in_flight_ until it is cleared below; pending() only reads it.
  std::vector<std::pair<std::string, int64_t>> counts(std::as_const(in_flight_).begin(),
                                                      std::as_const(in_flight_).end());
  auto st = db_.add_downloads(counts, today);
  std::lock_guard lock(mutex_);
  if (!st) {
    for (const auto& [uid, n] : counts) pending_[uid] += n;
  }
  in_flight_.clear();
  return st;
}

void DownloadCounter::start_background(int interval_ms) {
  if (background_.joinable()) return;
  background_ = std::thread([this, interval_ms] {
    while (!stop_) {
      for (int slept = 0; slept < interval_ms && !stop_; slept += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      (void)flush();
    }
  });
}

void DownloadCounter::stop() {
  stop_ = true;
  if (background_.joinable()) background_.join();
  {
    // Nothing to write: not even the window, an UPDATE over every repository that would
    // otherwise end every CLI command (the next `serve` moves it).
    std::lock_guard lock(mutex_);
    if (pending_.empty()) return;
  }
  (void)flush();
}

}  // namespace vitrine::service
