// CommitBuilder: turns the operations of one API commit into one git commit. Operations are
// added as they are parsed (a regular file's bytes go straight into a git blob and are then
// dropped, so a large NDJSON body is never held whole); finish() builds the tree, writes the
// commit and moves the ref with a compare-and-swap on the head it started from. Until that
// last step nothing is visible: a failed or concurrent commit leaves the branch as it was.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "formats/hub/commit_ops.hpp"
#include "service/repos/repo_handle.hpp"
#include "service/repos/repo_service.hpp"

namespace vitrine::storage {
struct TreeChange;
}

namespace vitrine::service {

struct CommitOutcome {
  std::string commit;
  std::optional<int64_t> pull_request;  // set with create_pr
};

class CommitBuilder {
 public:
  CommitBuilder(Hub& hub, domain::RepoRecord repo, Caller caller);
  ~CommitBuilder();
  Status begin();  // opens the repository
  Status add(CommitOperation op);
  // `revision` is the target branch (or refs/pr/N); with create_pr a new refs/pr/N is made
  // from it. With parent_commit: kPreconditionFailed when it is not the branch's head, or the
  // branch moves before the commit is published. Without: the commit applies to the head at
  // publication, rebuilt on a head that moved meanwhile unless the commit that moved it
  // changed one of this commit's paths (kPreconditionFailed naming the path).
  Result<CommitOutcome> finish(const CommitHeader& header, const std::string& revision,
                               bool create_pr);
  size_t operation_count() const;

 private:
  // Builds the commit on `base` and moves `ref` from `expected_old` ("" for a new ref).
  Result<CommitOutcome> publish(const CommitHeader& header, const std::string& ref,
                                const std::string& base, const std::string& expected_old);
  // A path of this commit that the commits from `from` to `to` changed too ("" if none).
  Result<std::string> conflicting_path(const std::string& from, const std::string& to);
  Status add_lfs_reference(const std::string& path, const std::string& oid,
                           std::optional<uint64_t> size);

  storage::GitRepo& git() { return repo_git_->git(); }

  Hub& hub_;
  RepoService repos_;
  domain::RepoRecord repo_;
  Caller caller_;
  std::optional<RepoHandle> repo_git_;        // after begin()
  std::vector<storage::TreeChange> changes_;  // complete in commit_builder.cpp
  std::vector<std::string> lfs_paths_;
  std::vector<std::string> lfs_oids_;
  std::optional<std::string> new_gitattributes_;
};

extern const char* const kStaleParentMessage;

}  // namespace vitrine::service
