// libgit2 implementation of tree and blob diffs (git_diff.hpp).
#include "storage/git/git_diff.hpp"

#include "storage/git/git_owned.hpp"

namespace vitrine::storage {
namespace {

std::string oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

Status failure(const std::string& what) {
  return internal_error(what + ": " + git_error_message());
}

Status lookup_tree(git_repository* repo, const std::string& hex, OwnedTree* out) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) != 0 ||
      git_tree_lookup(out->out(), repo, &oid) != 0) {
    return failure("cannot read tree " + hex);
  }
  return Status::ok();
}

Status lookup_blob(git_repository* repo, const std::string& hex, OwnedBlob* out) {
  if (hex.empty()) return Status::ok();  // the side that does not exist
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) != 0 ||
      git_blob_lookup(out->out(), repo, &oid) != 0) {
    return failure("cannot read blob " + hex);
  }
  return Status::ok();
}

// A blob's size from the object header, without reading its content.
uint64_t object_size(git_odb* odb, const git_oid& oid) {
  size_t len = 0;
  git_object_t type;
  if (!odb || git_odb_read_header(&len, &type, odb, &oid) != 0) return 0;
  return len;
}

// Bounds a tree diff while libgit2 builds it: past `limit` deltas the rest are skipped (not
// kept in memory, nor offered to rename detection), and `truncated` says so.
struct DeltaBudget {
  size_t limit;
  size_t kept = 0;
  bool truncated = false;
};

int keep_within_budget(const git_diff*, const git_diff_delta*, const char*, void* payload) {
  auto* budget = static_cast<DeltaBudget*>(payload);
  if (budget->kept >= budget->limit) {
    budget->truncated = true;
    return 1;  // skip this delta
  }
  ++budget->kept;
  return 0;
}

bool is_file_mode(uint32_t mode) {
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
         mode == GIT_FILEMODE_LINK;
}

}  // namespace

Result<std::vector<GitDelta>> diff_trees(GitRepo& repo, const std::string& old_tree,
                                         const std::string& new_tree, size_t max_files,
                                         bool* truncated) {
  git_repository* raw = repo.raw();
  OwnedTree a, b;
  if (!old_tree.empty()) {
    if (auto st = lookup_tree(raw, old_tree, &a); !st) return st;
  }
  if (auto st = lookup_tree(raw, new_tree, &b); !st) return st;
  // A commit of a million files must not cost a million deltas in memory: twice the files
  // shown are kept (a rename is one delete and one add until renames are found).
  DeltaBudget budget{max_files * 2 + 2};
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.notify_cb = keep_within_budget;
  options.payload = &budget;
  OwnedDiff diff;
  if (git_diff_tree_to_tree(diff.out(), raw, a.get(), b.get(), &options) != 0) {
    return failure("cannot diff trees");
  }
  // Exact renames only: comparing contents for similar renames reads every blob.
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_EXACT_MATCH_ONLY;
  find.rename_limit = budget.limit;
  if (git_diff_find_similar(diff.get(), &find) != 0) return failure("cannot find renames");

  OwnedOdb odb;
  if (git_repository_odb(odb.out(), raw) != 0) return failure("cannot open the object database");
  std::vector<GitDelta> out;
  const size_t n = git_diff_num_deltas(diff.get());
  *truncated = budget.truncated;
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    GitDelta delta;
    switch (d->status) {
      case GIT_DELTA_ADDED:
        delta.kind = GitDelta::Kind::kAdded;
        break;
      case GIT_DELTA_DELETED:
        delta.kind = GitDelta::Kind::kDeleted;
        break;
      case GIT_DELTA_MODIFIED:
        delta.kind = GitDelta::Kind::kModified;
        break;
      case GIT_DELTA_RENAMED:
        delta.kind = GitDelta::Kind::kRenamed;
        break;
      case GIT_DELTA_TYPECHANGE:
        delta.kind = GitDelta::Kind::kTypeChange;
        break;
      default:
        continue;  // unmodified, ignored, untracked: not in a tree-to-tree diff
    }
    if (out.size() == max_files) {
      *truncated = true;
      break;
    }
    bool has_old = delta.kind != GitDelta::Kind::kAdded;
    bool has_new = delta.kind != GitDelta::Kind::kDeleted;
    delta.path = has_new ? d->new_file.path : d->old_file.path;
    delta.old_path = has_old ? d->old_file.path : delta.path;
    if (has_old) {
      delta.old_oid = oid_hex(d->old_file.id);
      delta.old_mode = d->old_file.mode;
      if (is_file_mode(delta.old_mode)) delta.old_size = object_size(odb.get(), d->old_file.id);
    }
    if (has_new) {
      delta.new_oid = oid_hex(d->new_file.id);
      delta.new_mode = d->new_file.mode;
      if (is_file_mode(delta.new_mode)) delta.new_size = object_size(odb.get(), d->new_file.id);
    }
    delta.submodule =
        (has_old && !is_file_mode(delta.old_mode)) || (has_new && !is_file_mode(delta.new_mode));
    out.push_back(std::move(delta));
  }
  return out;
}

Result<GitPatch> diff_blobs(GitRepo& repo, const std::string& old_oid, const std::string& new_oid,
                            size_t max_bytes) {
  git_repository* raw = repo.raw();
  OwnedBlob a, b;
  if (auto st = lookup_blob(raw, old_oid, &a); !st) return st;
  if (auto st = lookup_blob(raw, new_oid, &b); !st) return st;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.context_lines = 3;
  OwnedPatch patch;
  if (git_patch_from_blobs(patch.out(), a.get(), nullptr, b.get(), nullptr, &options) != 0) {
    return failure("cannot diff blobs");
  }
  GitPatch out;
  const git_diff_delta* delta = git_patch_get_delta(patch.get());
  if (delta && (delta->flags & GIT_DIFF_FLAG_BINARY)) {
    out.binary = true;
    return out;
  }
  size_t context = 0;
  if (git_patch_line_stats(&context, &out.additions, &out.deletions, patch.get()) != 0) {
    return failure("cannot count diff lines");
  }
  // Appends one line if it fits; once one does not, nothing more is added.
  auto append = [&](std::string_view line) {
    if (out.truncated) return;
    if (out.text.size() + line.size() > max_bytes) {
      out.truncated = true;
      return;
    }
    out.text.append(line);
  };
  const size_t hunks = git_patch_num_hunks(patch.get());
  for (size_t h = 0; h < hunks && !out.truncated; ++h) {
    const git_diff_hunk* hunk = nullptr;
    size_t lines = 0;
    if (git_patch_get_hunk(&hunk, &lines, patch.get(), h) != 0) return failure("hunk");
    std::string header(hunk->header, hunk->header_len);
    if (header.empty() || header.back() != '\n') header += '\n';
    append(header);
    for (size_t l = 0; l < lines && !out.truncated; ++l) {
      const git_diff_line* line = nullptr;
      if (git_patch_get_line_in_hunk(&line, patch.get(), h, l) != 0) return failure("line");
      std::string text;
      switch (line->origin) {
        case GIT_DIFF_LINE_CONTEXT:
        case GIT_DIFF_LINE_ADDITION:
        case GIT_DIFF_LINE_DELETION:
          text.reserve(line->content_len + 2);
          text += line->origin;
          text.append(line->content, line->content_len);
          if (text.back() != '\n') text += '\n';
          break;
        case GIT_DIFF_LINE_CONTEXT_EOFNL:
        case GIT_DIFF_LINE_ADD_EOFNL:
        case GIT_DIFF_LINE_DEL_EOFNL:
          text = "\\ No newline at end of file\n";
          break;
        default:
          continue;
      }
      append(text);
    }
  }
  return out;
}

}  // namespace vitrine::storage
