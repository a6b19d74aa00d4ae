// Download counting (service/download_counter.hpp).
#include "service/download_counter.hpp"

#include <chrono>
#include <vector>

#include "util/time.hpp"

namespace vitrine::service {

namespace {

constexpr int64_t kDayMs = 86400000;

}  // namespace

bool counts_as_download(std::string_view method, int status, uint64_t first, uint64_t length,
                        uint64_t size, std::string_view path) {
  if (method != "GET") return false;
  if (status == 206) {
    if (first != 0 || (length <= 1 && length != size)) return false;
  } else if (status != 200) {
    return false;
  }
  auto slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return !name.empty() && name != ".gitattributes";
}

void DownloadCounter::record(const std::string& uid) {
  std::lock_guard lock(mutex_);
  ++pending_[uid];
}

int64_t DownloadCounter::pending(const std::string& uid) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(uid);
  return it == pending_.end() ? 0 : it->second;
}

Status DownloadCounter::flush() {
  int64_t today = util::now_ms() / kDayMs;
  if (today == window_day_.load()) {  // the common case on read paths: nothing to write
    std::lock_guard lock(mutex_);
    if (pending_.empty()) return Status::ok();
  }
  std::lock_guard flushing(flush_mutex_);
  if (today != window_day_) {
    if (auto st = db_.roll_download_window(today); !st) return st;
    window_day_ = today;
  }
  std::unordered_map<std::string, int64_t> taken;
  {
    std::lock_guard lock(mutex_);
    if (pending_.empty()) return Status::ok();
    taken.swap(pending_);
  }
  std::vector<std::pair<std::string, int64_t>> counts(taken.begin(), taken.end());
  auto st = db_.add_downloads(counts, today);
  if (!st) {
    std::lock_guard lock(mutex_);
    for (const auto& [uid, n] : counts) pending_[uid] += n;
  }
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
  (void)flush();
}

}  // namespace vitrine::service
