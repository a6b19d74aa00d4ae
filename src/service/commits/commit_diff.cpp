// A commit's changes against its first parent, bounded (commit_diff.hpp).
#include "service/commits/commit_diff.hpp"

#include <algorithm>

#include "storage/git/git_diff.hpp"
#include "storage/git/git_repo.hpp"

namespace vitrine::service {
namespace {

const char* status_name(storage::GitDelta::Kind kind) {
  switch (kind) {
    case storage::GitDelta::Kind::kAdded:
      return "added";
    case storage::GitDelta::Kind::kDeleted:
      return "deleted";
    case storage::GitDelta::Kind::kRenamed:
      return "renamed";
    case storage::GitDelta::Kind::kTypeChange:
      return "typechange";
    case storage::GitDelta::Kind::kModified:
      break;
  }
  return "modified";
}

// The pointer a small blob holds, if it is one.
std::optional<LfsPointer> pointer_in(RepoHandle& git, const std::string& oid, uint64_t size) {
  if (oid.empty() || size > kMaxLfsPointerBytes) return std::nullopt;
  auto blob = git->read_blob(oid);
  if (!blob) return std::nullopt;
  return parse_lfs_pointer(*blob);
}

}  // namespace

namespace {

// The changes from `parent_tree` (empty: the empty tree) to the tree of `out.commit`, into `out`.
Result<CommitDiff> diff_from(RepoHandle& git, const std::string& parent_tree, CommitDiff out,
                             const DiffLimits& limits);

}  // namespace

Result<CommitDiff> diff_commit(RepoHandle& git, const std::string& commit_id,
                               const DiffLimits& limits) {
  auto info = git->commit_info(commit_id);
  if (!info) return info.status();
  CommitDiff out;
  out.commit = std::move(*info);
  std::string parent_tree;
  if (!out.commit.parents.empty()) {
    auto parent = git->commit_info(out.commit.parents[0]);
    if (!parent) return parent.status();
    parent_tree = parent->tree;
  }
  return diff_from(git, parent_tree, std::move(out), limits);
}

Result<CommitDiff> diff_commits(RepoHandle& git, const std::string& base_id,
                                const std::string& commit_id, const DiffLimits& limits) {
  auto info = git->commit_info(commit_id);
  if (!info) return info.status();
  auto base = git->commit_info(base_id);
  if (!base) return base.status();
  CommitDiff out;
  out.commit = std::move(*info);
  out.base = base->id;
  return diff_from(git, base->tree, std::move(out), limits);
}

namespace {

Result<CommitDiff> diff_from(RepoHandle& git, const std::string& parent_tree, CommitDiff out,
                             const DiffLimits& limits) {
  bool files_cut = false;
  auto deltas =
      storage::diff_trees(*git, parent_tree, out.commit.tree, limits.max_files, &files_cut);
  if (!deltas) return deltas.status();
  out.truncated = files_cut;

  size_t total_bytes = 0;
  uint64_t read_bytes = 0;
  for (const auto& d : *deltas) {
    FileDiff f;
    f.path = d.path;
    if (d.old_path != d.path) f.old_path = d.old_path;
    f.status = status_name(d.kind);
    bool has_old = !d.old_oid.empty();
    bool has_new = !d.new_oid.empty();
    if (!d.submodule) {
      f.old_lfs = pointer_in(git, d.old_oid, d.old_size);
      f.new_lfs = pointer_in(git, d.new_oid, d.new_size);
    }
    if (has_old) f.old_size = f.old_lfs ? f.old_lfs->size : d.old_size;
    if (has_new) f.new_size = f.new_lfs ? f.new_lfs->size : d.new_size;

    if (d.submodule) {
      f.binary = true;
    } else if (!f.lfs()) {
      uint64_t larger = std::max(d.old_size, d.new_size);
      size_t budget = std::min(limits.max_patch_bytes, limits.max_total_bytes - total_bytes);
      uint64_t to_read = d.old_size + d.new_size;
      if (larger > limits.max_text_blob_bytes || budget == 0 ||
          read_bytes + to_read > limits.max_read_bytes) {
        f.truncated = true;
        out.truncated = true;
      } else {
        read_bytes += to_read;
        auto patch = storage::diff_blobs(*git, d.old_oid, d.new_oid, budget);
        if (!patch) return patch.status();
        f.binary = patch->binary;
        f.patch = std::move(patch->text);
        f.additions = patch->additions;
        f.deletions = patch->deletions;
        f.truncated = patch->truncated;
        if (f.truncated) out.truncated = true;
        total_bytes += f.patch.size();
      }
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

}  // namespace
}  // namespace vitrine::service
