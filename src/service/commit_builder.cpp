// Building and publishing API commits.
#include "service/commit_builder.hpp"

#include "service/git_patterns.hpp"
#include "service/object_links.hpp"
#include "service/repo_path.hpp"

namespace vitrine::service {

const char* const kStaleParentMessage =
    "The branch was updated since you opened this page. Please refresh and try again.";

namespace {
const std::string kHeads = "refs/heads/";

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

CommitBuilder::CommitBuilder(Hub& hub, storage::RepoRecord repo, Caller caller)
    : hub_(hub), repos_(hub), repo_(std::move(repo)), caller_(std::move(caller)) {}

Status CommitBuilder::begin() {
  auto git = hub_.open_git(repo_);
  if (!git) return git.status();
  git_ = std::move(*git);
  return Status::ok();
}

Status CommitBuilder::add(CommitOperation op) {
  using Kind = storage::TreeChange::Kind;
  if (auto* file = std::get_if<FileOp>(&op)) {
    auto blob = git_->write_blob(file->content);
    if (!blob) return blob.status();
    if (file->path == ".gitattributes") new_gitattributes_ = std::move(file->content);
    changes_.push_back({Kind::kPutBlob, file->path, *blob, false});
  } else if (auto* lfs = std::get_if<LfsFileOp>(&op)) {
    auto stored = hub_.blobs().size(lfs->oid);
    // Stored somewhere is not enough: this repository must name it already or have had its
    // bytes uploaded for it (else knowing a SHA-256 would copy another repo's private file).
    if (stored && !repo_holds_object(hub_.db(), hub_.xet(), repo_.uid, lfs->oid)) {
      stored.reset();
    }
    if (!stored) {
      return unprocessable("LFS object " + lfs->oid + " for '" + lfs->path +
                           "' was never uploaded; upload it through the LFS batch API first");
    }
    if (lfs->size && *lfs->size != *stored) {
      return unprocessable("LFS object " + lfs->oid + " has " + std::to_string(*stored) +
                           " bytes, not " + std::to_string(*lfs->size));
    }
    auto blob = git_->write_blob(format_lfs_pointer({lfs->oid, *stored}));
    if (!blob) return blob.status();
    changes_.push_back({Kind::kPutBlob, lfs->path, *blob, false});
    lfs_paths_.push_back(lfs->path);
    lfs_oids_.push_back(lfs->oid);
  } else if (auto* del = std::get_if<DeleteFileOp>(&op)) {
    changes_.push_back({Kind::kDelete, del->path, "", false});
  } else if (auto* folder = std::get_if<DeleteFolderOp>(&op)) {
    changes_.push_back({Kind::kDelete, normalize_folder_path(folder->path), "", false});
  }
  return Status::ok();
}

Result<CommitOutcome> CommitBuilder::finish(const CommitHeader& header, const std::string& revision,
                                            bool create_pr) {
  CommitOutcome outcome;
  std::string ref;
  std::string base;
  std::string expected_old;
  if (create_pr) {
    // A pull request starts from a branch; raw commit ids and missing branches are refused.
    std::string branch = revision == "HEAD" ? "main" : revision;
    if (branch.starts_with(kHeads)) branch = branch.substr(kHeads.size());
    auto head = git_->ref_target(kHeads + branch);
    if (!head) return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + revision);
    base = header.parent_commit.value_or(*head);
    auto number = hub_.db().next_pr_number(repo_.uid);
    if (!number) return number.status();
    outcome.pull_request = *number;
    ref = "refs/pr/" + std::to_string(*number);
  } else {
    auto resolved = repos_.resolve(*git_, revision);
    if (!resolved) return resolved.status();
    if (resolved->ref.empty() || resolved->ref.starts_with("refs/tags/")) {
      return bad_request("Cannot commit to '" + revision + "': a commit must target a branch");
    }
    ref = resolved->ref;
    base = expected_old = resolved->commit;
    if (header.parent_commit && *header.parent_commit != base) {
      return Status(ErrorKind::kPreconditionFailed, kStaleParentMessage);
    }
  }
  if (header.parent_commit && !git_->find_commit(*header.parent_commit)) {
    return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + *header.parent_commit);
  }

  // Every LFS file must be covered by a filter=lfs rule, or clones would not smudge it.
  if (!lfs_paths_.empty()) {
    std::string attributes;
    if (new_gitattributes_) {
      attributes = *new_gitattributes_;
    } else if (auto current = git_->entry_at(base, ".gitattributes");
               current && current->has_value() && !(*current)->is_dir) {
      auto text = git_->read_blob((*current)->oid);
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
      auto blob = git_->write_blob(attributes + added);
      if (!blob) return blob.status();
      changes_.push_back({storage::TreeChange::Kind::kPutBlob, ".gitattributes", *blob, false});
    }
  }

  auto tree = git_->build_tree(base, changes_);
  if (!tree) return tree.status();
  std::string message = header.summary;
  if (!header.description.empty()) message += "\n\n" + header.description;
  std::string name = caller_.user ? caller_.user->name : "vitrine";
  std::string email = caller_.user && !caller_.user->email.empty()
                          ? caller_.user->email
                          : name + "@users.noreply.vitrine";
  auto commit = git_->create_commit(*tree, {base}, name, email, message);
  if (!commit) return commit.status();
  // Recorded before the ref moves, so a visible pointer always has its download right.
  if (auto st = hub_.db().add_repo_lfs_objects(repo_.uid, lfs_oids_); !st) return st;
  // The commit point: the ref moves only if it still names the commit we built on.
  // The log entry needs the trees; this commit's is known, its parent's is one read.
  RefEntryHint hint{"", *tree};
  if (!expected_old.empty()) {
    auto parent = git_->commit_info(expected_old);
    if (!parent) return parent.status();
    hint.old_tree = parent->tree;
  }
  if (auto st = logged_ref_update(
          hub_, *git_, repo_, name,
          RefMove{ref, *commit, expected_old, "commit: " + header.summary, {}, {}, hint});
      !st) {
    if (st.kind() == ErrorKind::kPreconditionFailed) {
      return Status(ErrorKind::kPreconditionFailed, kStaleParentMessage);
    }
    return st;
  }
  outcome.commit = *commit;
  if (ref == kHeads + "main") repos_.reindex(repo_);
  return outcome;
}

}  // namespace vitrine::service
