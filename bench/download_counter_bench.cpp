// Download counting benchmark (bench/downloads.sh runs it): what counting adds to the download
// path, and what writing the counts costs.
//   record   ns per DownloadCounter::record (the only work on the download path: two hash-map
//            lookups under a mutex), from 1 and from 4 threads on 64 repositories and 1,000
//            requesters, with the default 5-minute series gap; median of 5
//   flush    ms to write the counts of N repositories (one transaction: the day rows, the
//            all-time totals and the 30-day counts) into a hub with N repositories
// Usage: vitrine_download_counter_bench [--repos N]   (default 1000)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "service/access/auth_service.hpp"
#include "service/hub.hpp"
#include "service/repos/download_counter.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/time.hpp"

using namespace vitrine;
using bench::Clock;
using bench::median;

int main(int argc, char** argv) {
  int repos = 1000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--repos") repos = std::atoi(argv[i + 1]);
  }
  auto dir = bench::temp_dir("downloads", "hub");
  service::HubConfig config;
  config.data_dir = dir.string();
  auto hub = service::Hub::open(config);
  if (!hub) {
    std::fprintf(stderr, "cannot open a hub: %s\n", hub.status().message().c_str());
    return 1;
  }
  std::vector<std::string> uids;
  for (int i = 0; i < repos; ++i) {
    domain::RepoRecord r;
    r.uid = util::random_alnum(24);
    r.type = domain::RepoKind::kModel;
    r.ns = "bench";
    r.name = "m" + std::to_string(i);
    r.created_at = r.last_modified = util::now_ms();
    if (auto st = (*hub)->db().insert_repo(r); !st) {
      std::fprintf(stderr, "insert_repo: %s\n", st.message().c_str());
      return 1;
    }
    uids.push_back(r.uid);
  }
  std::vector<std::string> requesters;
  for (int i = 0; i < 1000; ++i) requesters.push_back("ip:10.0." + std::to_string(i));
  auto& counter = (*hub)->downloads();
  (void)counter.flush();  // the first flush also sets the 30-day window
  for (int threads : {1, 4}) {
    std::vector<double> runs;
    const int calls = 1000000;
    for (int run = 0; run < 5; ++run) {
      auto t0 = Clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          for (int i = 0; i < calls; ++i)
            counter.record(uids[static_cast<size_t>((i + t) % 64 % repos)],
                           requesters[static_cast<size_t>((i + 7 * t) % 1000)]);
        });
      }
      for (auto& t : pool) t.join();
      runs.push_back(bench::seconds_since(t0) * 1e9 / (static_cast<double>(calls) * threads));
      (void)counter.flush();
    }
    std::printf("record threads=%d ns_per_download_median=%.1f\n", threads, median(runs));
  }
  std::vector<double> flushes;
  for (int run = 0; run < 5; ++run) {
    for (const auto& uid : uids) counter.record(uid, "ip:run" + std::to_string(run));
    auto t0 = Clock::now();
    if (auto st = counter.flush(); !st) {
      std::fprintf(stderr, "flush: %s\n", st.message().c_str());
      return 1;
    }
    flushes.push_back(bench::ms_since(t0));
  }
  std::printf("flush repos=%d ms_median=%.1f\n", repos, median(flushes));
  hub->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
