// Transparency log benchmark (bench/tlog.sh runs it). Three figures, each next to its peer:
//   append   single-entry appends per second (entry, hashes, lookup keys, intent, resolve; one
//            transaction each) vs the same rows written to SQLite without the Merkle hashes
//   commit   median latency of an API commit (CommitBuilder, in process) with the log vs with
//            ref logging off
//   proof    median time to make an inclusion proof (what /api/tlog/proof/inclusion does:
//            prove_record + the leaf hash) in a log of --proof-size entries, vs the 1 ms goal
// Usage: vitrine_tlog_bench [--proof-size N] [--dir DIR]   (DIR keeps the big log for HTTP runs)
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "service/access/auth_service.hpp"
#include "service/commits/commit_builder.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_service.hpp"
#include "service/transparency/log_entries.hpp"
#include "service/transparency/transparency.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "util/crypto.hpp"

using namespace vitrine;
namespace fs = std::filesystem;
using bench::Clock;
using bench::median;
using bench::seconds_since;
using bench::temp_dir;

namespace {

storage::TlogAppend sample_entry(int i) {
  storage::TlogAppend e;
  e.data = service::canonical_entry({{"kind", "ref"},
                                     {"repo", "models/alice/model-" + std::to_string(i % 100)},
                                     {"repo_id", "61b6495545583a63f9e5a26e"},
                                     {"ref", "refs/heads/main"},
                                     {"old", "5f4e3bb0d959e34e78d6bb6a7bc3b5467475aba2"},
                                     {"new", util::sha256_hex(std::to_string(i)).substr(0, 40)},
                                     {"tree", "8c805a1b4f62f3a8e4c6cc24bd17e8f6aabaa8e2"},
                                     {"forced", false},
                                     {"actor", "alice"},
                                     {"via", "api"},
                                     {"time", 1795746026719 + i},
                                     {"files",
                                      {{{"path", "model.safetensors"},
                                        {"sha256", util::sha256_hex("f" + std::to_string(i))},
                                        {"size", 123456789}}}}});
  e.keys = {"ref:uid:refs/heads/main", "from:uid:refs/heads/main:x" + std::to_string(i),
            "commit:" + std::to_string(i), "repo:uid", "name:models/alice/m"};
  e.intent = storage::TlogIntent{"ref", "uid", "refs/heads/main", std::to_string(i)};
  return e;
}

double append_rate(int n) {
  auto dir = temp_dir("tlog", "append");
  auto store = storage::TlogStore::open(dir.string());
  std::vector<storage::TlogAppend> one(1);
  auto t = Clock::now();
  for (int i = 0; i < n; ++i) {
    one[0] = sample_entry(i);
    auto at = (*store)->append(one);
    if (!at) {
      std::fprintf(stderr, "append failed: %s\n", at.status().message().c_str());
      std::exit(1);
    }
    std::vector<int64_t> done{*at};
    (*store)->resolve_later(done);  // as the hub does: written with the next append
  }
  double rate = n / seconds_since(t);
  store->reset();
  fs::remove_all(dir);
  return rate;
}

// The peer: the same entry and key rows, and the intent row, in SQLite without Merkle hashes.
double plain_sqlite_rate(int n) {
  auto dir = temp_dir("tlog", "sqlite");
  sqlite3* db = nullptr;
  sqlite3_open((dir / "plain.sqlite").c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE entries(idx INTEGER PRIMARY KEY, data BLOB, created_ms INTEGER);"
               "CREATE TABLE keys(key TEXT, idx INTEGER, PRIMARY KEY(key, idx)) WITHOUT ROWID;"
               "CREATE TABLE pending(idx INTEGER PRIMARY KEY, kind TEXT);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt *entry, *key, *pend, *del;
  sqlite3_prepare_v2(db, "INSERT INTO entries VALUES (?, ?, 0)", -1, &entry, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO keys VALUES (?, ?)", -1, &key, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO pending VALUES (?, 'ref')", -1, &pend, nullptr);
  sqlite3_prepare_v2(db, "DELETE FROM pending WHERE idx = ?", -1, &del, nullptr);
  auto t = Clock::now();
  for (int i = 0; i < n; ++i) {
    auto e = sample_entry(i);
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(entry, 1, i);
    sqlite3_bind_blob(entry, 2, e.data.data(), static_cast<int>(e.data.size()), SQLITE_TRANSIENT);
    sqlite3_step(entry);
    sqlite3_reset(entry);
    for (const auto& k : e.keys) {
      sqlite3_bind_text(key, 1, k.data(), static_cast<int>(k.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(key, 2, i);
      sqlite3_step(key);
      sqlite3_reset(key);
    }
    sqlite3_bind_int64(pend, 1, i);
    sqlite3_step(pend);
    sqlite3_reset(pend);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(del, 1, i);
    sqlite3_step(del);
    sqlite3_reset(del);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double rate = n / seconds_since(t);
  for (auto* s : {entry, key, pend, del}) sqlite3_finalize(s);
  sqlite3_close(db);
  fs::remove_all(dir);
  return rate;
}

// Median commit latency in ms, alternating logged and unlogged rounds on one hub.
std::pair<double, double> commit_latency(int rounds, int per_round) {
  auto dir = temp_dir("tlog", "commit");
  service::HubConfig config;
  config.data_dir = dir.string();
  auto hub = service::Hub::open(config);
  service::AuthService auth(**hub);
  (void)auth.create_user("alice", false);
  auto alice =
      auth.authenticate("Bearer " + *auth.create_token("alice", domain::TokenRole::kWrite, "t"));
  service::CreateRepoRequest req;
  req.name = "bench";
  auto repo = service::RepoService(**hub).create(alice, req);
  std::vector<double> logged, plain;
  int n = 0;
  auto one = [&](std::vector<double>& into) {
    auto t = Clock::now();
    service::CommitBuilder b(**hub, *repo, alice);
    (void)b.begin();
    (void)b.add(
        service::FileOp{"f" + std::to_string(n % 50) + ".txt", "content " + std::to_string(n)});
    auto out =
        b.finish(service::CommitHeader{"c" + std::to_string(n), "", std::nullopt}, "main", false);
    ++n;
    if (!out) {
      std::fprintf(stderr, "commit failed: %s\n", out.status().message().c_str());
      std::exit(1);
    }
    into.push_back(seconds_since(t) * 1000);
  };
  // Alternate commit by commit, so both sides see the same repository size and machine noise.
  for (int i = 0; i < 20; ++i) one(plain);  // warm up
  plain.clear();
  for (int r = 0; r < rounds * per_round; ++r) {
    (*hub)->transparency().set_ref_logging_for_benchmark(true);
    one(logged);
    (*hub)->transparency().set_ref_logging_for_benchmark(false);
    one(plain);
  }
  double a = median(logged), b = median(plain);
  hub->reset();
  fs::remove_all(dir);
  return {a, b};
}

void proof_latency(int64_t size, const std::string& keep_dir) {
  fs::path dir = keep_dir.empty() ? temp_dir("tlog", "proof") : fs::path(keep_dir);
  fs::create_directories(dir / "tlog");
  auto store = storage::TlogStore::open((dir / "tlog").string());
  if (!store) {
    std::fprintf(stderr, "cannot open the log: %s\n", store.status().message().c_str());
    std::exit(1);
  }
  auto have = (*store)->size();
  auto t = Clock::now();
  const int64_t batch = 10000;
  for (int64_t at = *have; at < size; at += batch) {
    std::vector<storage::TlogAppend> entries;
    for (int64_t i = at; i < std::min(size, at + batch); ++i) {
      storage::TlogAppend e;
      e.data = "{\"i\":" + std::to_string(i) + ",\"kind\":\"bench\",\"v\":1}";
      entries.push_back(std::move(e));
    }
    if (auto r = (*store)->append(entries); !r) {
      std::fprintf(stderr, "bulk append failed: %s\n", r.status().message().c_str());
      std::exit(1);
    }
    if ((at / batch) % 100 == 0) {
      std::fprintf(stderr, "  built %lld entries (%.0f s)\n", static_cast<long long>(at + batch),
                   seconds_since(t));
    }
  }
  if (*have < size) {
    std::printf("built a log of %lld entries in %.0f s\n", static_cast<long long>(size),
                seconds_since(t));
  }
  std::mt19937_64 rng(42);
  std::vector<double> prove;
  auto reader = (*store)->hash_reader();
  for (int i = 0; i < 2000; ++i) {
    int64_t index = static_cast<int64_t>(rng() % static_cast<uint64_t>(size));
    auto t0 = Clock::now();
    auto proof = tlog::prove_record(size, index, reader);
    std::array<int64_t, 1> leaf{tlog::stored_hash_index(0, index)};
    auto h = (*store)->read_hashes(leaf);
    double us = seconds_since(t0) * 1e6;
    if (!proof || !h) {
      std::fprintf(stderr, "proof failed\n");
      std::exit(1);
    }
    prove.push_back(us);
  }
  double m = median(prove);
  std::printf(
      "proof    inclusion proof in a log of %lld entries: median %.1f us (goal <= 1000 us: "
      "%.3fx of the budget)\n",
      static_cast<long long>(size), m, m / 1000.0);
  store->reset();
  if (keep_dir.empty()) fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t proof_size = 10'000'000;
  std::string keep_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--proof-size") proof_size = std::stoll(argv[i + 1]);
    if (a == "--dir") keep_dir = argv[i + 1];
  }
  storage::init_libgit2();
  std::vector<double> ours, peer;
  for (int run = 0; run < 3; ++run) {
    ours.push_back(append_rate(20000));
    peer.push_back(plain_sqlite_rate(20000));
  }
  double a = median(ours), p = median(peer);
  std::printf(
      "append   %.0f appends/s (median of 3; goal >= 5000: %s); plain SQLite rows without "
      "Merkle hashes %.0f/s; ratio %.2fx\n",
      a, a >= 5000 ? "met" : "missed", p, a / p);
  auto [logged, plain] = commit_latency(3, 100);
  std::printf(
      "commit   API commit median %.3f ms with the log, %.3f ms without: +%.1f%% (goal "
      "<= 5%%: %s)\n",
      logged, plain, (logged / plain - 1) * 100, logged <= plain * 1.05 ? "met" : "missed");
  std::printf("COMMIT_DELTA_MS %.3f\n", logged - plain);
  proof_latency(proof_size, keep_dir);
  return 0;
}
