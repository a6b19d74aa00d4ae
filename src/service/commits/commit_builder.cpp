// Building and publishing API commits.
#include "service/commits/commit_builder.hpp"

#include <chrono>
#include <mutex>
#include <thread>

#include "domain/ref_names.hpp"
#include "formats/git/git_patterns.hpp"
#include "formats/hub/repo_path.hpp"
#include "service/commits/object_links.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/transparency/log_entries.hpp"
#include "storage/git/git_diff.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"
#include "util/concurrency_limit.hpp"

namespace vitrine::service {

using domain::kHeads;

const char* const kStaleParentMessage =
    "The branch was updated since you opened this page. Please refresh and try again.";

namespace {

// A .gitattributes pattern that matches exactly this path (spaces cannot appear raw).
std::string attributes_pattern(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ')
      out += "[[:space:]]";
    else if (c == '*' || c == '?' || c == '[' || c == '\\' || c == '#' || c == '!') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

CommitBuilder::CommitBuilder(Hub& hub, domain::RepoRecord repo, Caller caller)
    : hub_(hub), repos_(hub), repo_(std::move(repo)), caller_(std::move(caller)) {}

CommitBuilder::~CommitBuilder() = default;

size_t CommitBuilder::operation_count() const {
  return changes_.size();
}

Status CommitBuilder::begin() {
  auto git = hub_.open_git(repo_);
  if (!git) return git.status();
  repo_git_ = std::move(*git);
  return Status::ok();
}

// The one rule for naming a content-addressed object (docs/security.md): the repository holds
// it (its commits name it, or its bytes were uploaded for it). Stored somewhere is not enough,
// else knowing a SHA-256 would copy another repository's private file.
Status CommitBuilder::add_lfs_reference(const std::string& path, const std::string& oid,
                                        std::optional<uint64_t> size) {
  auto stored = hub_.blobs().size(oid);
  if (!stored || !repo_holds_object(hub_.db(), hub_.xet(), repo_.uid, oid)) {
    return unprocessable("LFS object " + oid + " for '" + path +
                         "' was never uploaded; upload it through the LFS batch API first");
  }
  if (size && *size != *stored) {
    return unprocessable("LFS object " + oid + " has " + std::to_string(*stored) + " bytes, not " +
                         std::to_string(*size));
  }
  auto blob = git().write_blob(format_lfs_pointer({oid, *stored}));
  if (!blob) return blob.status();
  changes_.push_back({storage::TreeChange::Kind::kPutBlob, path, *blob, false});
  lfs_paths_.push_back(path);
  lfs_oids_.push_back(oid);
  return Status::ok();
}

Status CommitBuilder::add(CommitOperation op) {
  using Kind = storage::TreeChange::Kind;
  if (auto* file = std::get_if<FileOp>(&op)) {
    // A regular file whose bytes are an LFS pointer is served as the object it names, so it is
    // held to the same rule as an LFS operation (git pushes are, by the pre-receive hook).
    if (auto pointer = parse_lfs_pointer(file->content)) {
      return add_lfs_reference(file->path, pointer->oid, pointer->size);
    }
    auto blob = git().write_blob(file->content);
    if (!blob) return blob.status();
    if (file->path == ".gitattributes") new_gitattributes_ = std::move(file->content);
    changes_.push_back({Kind::kPutBlob, file->path, *blob, false});
  } else if (auto* lfs = std::get_if<LfsFileOp>(&op)) {
    return add_lfs_reference(lfs->path, lfs->oid, lfs->size);
  } else if (auto* del = std::get_if<DeleteFileOp>(&op)) {
    changes_.push_back({Kind::kDelete, del->path, "", false});
  } else if (auto* folder = std::get_if<DeleteFolderOp>(&op)) {
    changes_.push_back({Kind::kDelete, normalize_folder_path(folder->path), "", false});
  }
  return Status::ok();
}

namespace {

// Whether two repository paths overlap: the same path, or one a folder above the other.
bool paths_overlap(std::string_view a, std::string_view b) {
  return path_within(a, b) || path_within(b, a);
}

constexpr int kMaxRebases = 50;
constexpr int kMaxAttempts = 100;

// Commits to one repository take turns (a few repositories share a turn; commits are short).
util::StripedMutex& commit_turns() {
  static util::StripedMutex turns;
  return turns;
}
constexpr auto kLockWait = std::chrono::seconds(10);

}  // namespace

Result<std::string> CommitBuilder::conflicting_path(const std::string& from,
                                                    const std::string& to) {
  auto from_info = git().commit_info(from);
  auto to_info = git().commit_info(to);
  if (!from_info) return from_info.status();
  if (!to_info) return to_info.status();
  bool truncated = false;
  auto deltas = storage::diff_trees(git(), from_info->tree, to_info->tree, 10000, &truncated);
  if (!deltas) return deltas.status();
  if (truncated) return std::string("(more than 10000 files changed meanwhile)");
  for (const auto& d : *deltas) {
    // Change paths are validated or normalized already (no trailing '/').
    for (const auto& change : changes_) {
      if (paths_overlap(change.path, d.path) ||
          (!d.old_path.empty() && paths_overlap(change.path, d.old_path))) {
        return change.path;
      }
    }
  }
  return std::string();
}

Result<CommitOutcome> CommitBuilder::finish(const CommitHeader& header, const std::string& revision,
                                            bool create_pr) {
  std::string ref;
  std::optional<int64_t> pull_request;
  std::string base;
  if (create_pr) {
    // A pull request starts from a branch; raw commit ids and missing branches are refused.
    std::string branch = revision == "HEAD" ? "main" : revision;
    if (branch.starts_with(kHeads)) branch = branch.substr(kHeads.size());
    auto head = git().ref_target(kHeads + branch);
    if (!head) return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + revision);
    base = header.parent_commit.value_or(*head);
    auto number = hub_.db().next_pr_number(repo_.uid);
    if (!number) return number.status();
    pull_request = *number;
    ref = "refs/pr/" + std::to_string(*number);
    if (header.parent_commit && !git().find_commit(*header.parent_commit)) {
      return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + *header.parent_commit);
    }
    auto outcome = publish(header, ref, base, "");
    if (!outcome) return outcome.status();
    outcome->pull_request = pull_request;
    return outcome;
  }
  // Without a parentCommit a commit applies to the branch's head as it is when the commit is
  // published, as on the Hub: when another commit moves the branch first, this one is rebuilt
  // on the new head, unless that commit touched one of this commit's paths (then 412). A ref
  // locked by a writer still at work (libgit2 fails at once) is waited for, briefly.
  // Committers of this process to one repository take turns: they would only race for the
  // ref, and each lost race costs a tree, a commit and a void entry in the log.
  std::lock_guard turn(commit_turns().of(repo_.uid));
  auto deadline = std::chrono::steady_clock::now() + kLockWait;
  int rebases = 0;
  for (int attempt = 0;; ++attempt) {
    auto resolved = RepoContents(hub_).resolve(*repo_git_, revision);
    if (!resolved) return resolved.status();
    if (resolved->ref.empty() || resolved->ref.starts_with("refs/tags/")) {
      return bad_request("Cannot commit to '" + revision + "': a commit must target a branch");
    }
    // The Parquet export (refs/convert/) is the hub's to write, as for pushes (push_policy).
    if (resolved->ref.starts_with("refs/convert/") && !caller_.is_admin()) {
      return forbidden("Cannot commit to '" + revision + "': refs/convert/ is managed by the hub");
    }
    if (header.parent_commit && *header.parent_commit != resolved->commit) {
      return Status(ErrorKind::kPreconditionFailed, kStaleParentMessage);
    }
    if (attempt > 0 && resolved->commit != base) {
      auto conflict = conflicting_path(base, resolved->commit);
      if (!conflict) return conflict.status();
      if (!conflict->empty()) {
        return Status(ErrorKind::kPreconditionFailed,
                      "A concurrent commit changed '" + *conflict +
                          "', which this commit also changes; retry on the new head");
      }
      ++rebases;
    } else if (attempt > 0) {
      // The head has not moved: another writer holds the ref's lock. Wait a little.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 20)));
    }
    base = resolved->commit;
    auto outcome = publish(header, resolved->ref, base, base);
    if (outcome || outcome.status().kind() != ErrorKind::kPreconditionFailed ||
        header.parent_commit || rebases >= kMaxRebases || attempt + 1 >= kMaxAttempts ||
        std::chrono::steady_clock::now() > deadline) {
      return outcome;
    }
  }
}

Result<CommitOutcome> CommitBuilder::publish(const CommitHeader& header, const std::string& ref,
                                             const std::string& base,
                                             const std::string& expected_old) {
  std::vector<storage::TreeChange> changes = changes_;
  // Every LFS file must be covered by a filter=lfs rule, or clones would not smudge it.
  if (!lfs_paths_.empty()) {
    std::string attributes;
    if (new_gitattributes_) {
      attributes = *new_gitattributes_;
    } else if (auto current = git().entry_at(base, ".gitattributes");
               current && current->has_value() && !(*current)->is_dir) {
      auto text = git().read_blob((*current)->oid);
      if (text) attributes = *text;
    }
    auto rules = GitAttributes::parse(attributes);
    std::string added;
    for (const auto& path : lfs_paths_) {
      if (!rules.is_lfs(path)) {
        added += attributes_pattern(path) + " filter=lfs diff=lfs merge=lfs -text\n";
      }
    }
    if (!added.empty()) {
      if (!attributes.empty() && attributes.back() != '\n') attributes += '\n';
      auto blob = git().write_blob(attributes + added);
      if (!blob) return blob.status();
      changes.push_back({storage::TreeChange::Kind::kPutBlob, ".gitattributes", *blob, false});
    }
  }

  auto tree = git().build_tree(base, changes);
  if (!tree) return tree.status();
  std::string message = header.summary;
  if (!header.description.empty()) message += "\n\n" + header.description;
  std::string name = caller_.author_name();
  auto commit = git().create_commit(*tree, {base}, name, caller_.author_email(), message);
  if (!commit) return commit.status();
  // Recorded before the ref moves, so a visible pointer always has its download right.
  if (auto st = hub_.db().add_repo_lfs_objects(repo_.uid, lfs_oids_); !st) return st;
  // The commit point: the ref moves only if it still names the commit we built on.
  // The log entry needs the trees; this commit's is known, its parent's is one read.
  RefEntryHint hint{"", *tree};
  if (!expected_old.empty()) {
    auto parent = git().commit_info(expected_old);
    if (!parent) return parent.status();
    hint.old_tree = parent->tree;
  }
  if (auto st = logged_ref_update(
          hub_, git(), repo_, name,
          RefMove{ref, *commit, expected_old, "commit: " + header.summary, {}, {}, hint});
      !st) {
    if (st.kind() == ErrorKind::kPreconditionFailed) {
      return Status(ErrorKind::kPreconditionFailed, kStaleParentMessage);
    }
    return st;
  }
  CommitOutcome outcome;
  outcome.commit = *commit;
  if (ref == kHeads + "main") repos_.reindex(repo_);
  return outcome;
}

}  // namespace vitrine::service
