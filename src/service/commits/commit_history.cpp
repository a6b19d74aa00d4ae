#include "service/commits/commit_history.hpp"

#include "storage/git/git_repo.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

std::string CommitHistory::id(size_t i) const {
  return util::to_hex(std::string_view(ids).substr(i * kIdBytes, kIdBytes));
}

Result<std::shared_ptr<const CommitHistory>> CommitHistories::get(RepoHandle& git,
                                                                  const std::string& repo_uid,
                                                                  const std::string& commit,
                                                                  const std::string& caller) {
  auto key = [&repo_uid](const std::string& id) { return repo_uid + ":" + id; };
  if (auto known = cache_.get(key(commit))) return known;
  // A turn for costly work: one per caller at a time, kMaxConcurrentWalks in all.
  std::unique_ptr<util::FairLimit::Turn> turn;
  auto take_turn = [&]() -> Status {
    turn = walks_.try_take(caller, kWalkWait);
    if (turn->held()) return Status::ok();
    return Status(ErrorKind::kTooManyRequests,
                  "Too many long commit histories are being read at once; retry in a few "
                  "seconds");
  };
  auto keep = [&](CommitHistory history) {
    auto shared = std::make_shared<const CommitHistory>(std::move(history));
    cache_.put(key(commit), shared, shared->ids.size() + kEntryOverhead);
    return shared;
  };
  // On top of a known history: the new commits, then that history.
  auto chain = git->single_parent_chain(commit, kMaxChain);
  if (!chain) return chain.status();
  for (size_t i = 1; i < chain->size(); ++i) {
    auto below = cache_.get(key((*chain)[i]));
    if (!below) continue;
    if (below->size() > kLongHistory) {
      if (auto st = take_turn(); !st) return st;
    }
    CommitHistory history;
    history.ids.reserve((i * CommitHistory::kIdBytes) + below->ids.size());
    for (size_t j = 0; j < i; ++j) history.ids += *util::from_hex((*chain)[j]);
    history.ids += below->ids;
    return keep(std::move(history));
  }
  if (auto st = take_turn(); !st) return st;
  auto walked = git->history(commit);
  if (!walked) return walked.status();
  return keep(CommitHistory{std::move(*walked)});
}

Result<CommitPage> commit_page(CommitHistories& histories, RepoHandle& git,
                               const std::string& repo_uid, const std::string& commit,
                               const std::string& path, size_t offset, size_t limit,
                               const std::string& caller) {
  CommitPage out;
  if (!path.empty()) {
    auto log = git->log(commit, offset, limit, &out.total, path);
    if (!log) return log.status();
    out.commits = std::move(*log);
    return out;
  }
  auto history = histories.get(git, repo_uid, commit, caller);
  if (!history) return history.status();
  out.total = (*history)->size();
  for (size_t i = offset; i < out.total && i - offset < limit; ++i) {
    auto info = git->commit_info((*history)->id(i));
    if (!info) return info.status();
    out.commits.push_back(std::move(*info));
  }
  return out;
}

}  // namespace vitrine::service
