// CommitHistories: the commits listing's view of a repository's history (every commit reachable
// from a commit, newest first, as GitRepo::history lists them), kept per repository and commit.
// A commit's history never changes, so entries never go stale; the cache bounds memory and the
// work a request can cause:
//  - a cached history answers any page and the total count without walking anything;
//  - a commit on top of a cached one (up to kMaxChain commits with one parent each, the usual
//    way a branch moves) extends it without a walk;
//  - otherwise the whole history is walked, one walk at a time per caller (a caller's second
//    waits for the first) and at most kMaxConcurrentWalks at once in all: a request that
//    waits longer than kWalkWait for its turn gets 429. An extension of a long history (over
//    kLongHistory commits, a copy of it) takes a turn too.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "domain/commit.hpp"
#include "service/repos/repo_handle.hpp"
#include "util/concurrency_limit.hpp"
#include "util/lru_cache.hpp"
#include "util/result.hpp"

namespace vitrine::service {

struct CommitHistory {
  std::string ids;  // raw 20-byte commit ids one after another, newest first
  size_t size() const { return ids.size() / kIdBytes; }
  std::string id(size_t i) const;  // the i-th commit's id in hex
  static constexpr size_t kIdBytes = 20;
};

class CommitHistories {
 public:
  static constexpr size_t kMaxChain = 1000;
  static constexpr std::ptrdiff_t kMaxConcurrentWalks = 2;
  static constexpr auto kWalkWait = std::chrono::seconds(10);
  static constexpr size_t kLongHistory = 50000;
  // What an entry costs beyond its ids (key, list and map nodes, control block), counted in
  // its weight so that many short histories cannot pass the capacity.
  static constexpr size_t kEntryOverhead = 512;

  // Weighed by their ids' bytes (20 per commit), at most `capacity_bytes` in all; a history
  // heavier than that is walked each time it is asked for.
  explicit CommitHistories(size_t capacity_bytes) : cache_(capacity_bytes) {}

  // `caller`: who asks (a user, or a client address), for the one-walk-per-caller rule.
  Result<std::shared_ptr<const CommitHistory>> get(RepoHandle& git, const std::string& repo_uid,
                                                   const std::string& commit,
                                                   const std::string& caller);

 private:
  util::LruCache<CommitHistory> cache_;
  util::FairLimit walks_{kMaxConcurrentWalks};
};

// One page of a revision's history, newest first, and how many commits the whole list has:
// with no `path`, the first-parent history from the hub's cache (a page costs its commits, not a
// walk); with one, the commits that changed that file or folder. `caller` as for get().
struct CommitPage {
  std::vector<domain::CommitInfo> commits;
  size_t total = 0;
};
Result<CommitPage> commit_page(CommitHistories& histories, RepoHandle& git,
                               const std::string& repo_uid, const std::string& commit,
                               const std::string& path, size_t offset, size_t limit,
                               const std::string& caller);

}  // namespace vitrine::service
