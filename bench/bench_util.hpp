// What the in-process benchmarks share: a monotonic clock, the median of repeated timings, and
// a throw-away folder under the system's temporary directory.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "util/crypto.hpp"

namespace vitrine::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The middle value (the upper one of the two for an even count); `v` must not be empty.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A new folder `vitrine-{bench}-bench-{what}-{random}`; the caller removes it.
inline std::filesystem::path temp_dir(const std::string& bench, const std::string& what) {
  auto p = std::filesystem::temp_directory_path() /
           ("vitrine-" + bench + "-bench-" + what + "-" + util::random_alnum(8));
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace vitrine::bench
