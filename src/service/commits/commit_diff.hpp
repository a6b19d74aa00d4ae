// CommitDiff: what one commit changed, for the web interface's commit page
// (GET /api/vitrine/diff/...): the files it added, modified, deleted or renamed against its
// first parent (a root commit against the empty tree), with a unified diff for text files in
// git and the pointer change for LFS files. The work is bounded (DiffLimits): a commit that
// touches 100,000 files or rewrites a 1 GiB blob costs no more than the limits allow, and the
// answer says what it left out. Pure reads; thread-safe as far as `git` is (one per request).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/commit.hpp"
#include "formats/git/lfs_pointer.hpp"
#include "service/repos/repo_handle.hpp"
#include "util/result.hpp"

namespace vitrine::service {

struct DiffLimits {
  size_t max_files = 300;                   // files listed; more set CommitDiff::truncated
  size_t max_patch_bytes = 256u << 10;      // diff text of one file
  size_t max_total_bytes = 2u << 20;        // diff text of the whole answer
  uint64_t max_text_blob_bytes = 1u << 20;  // larger blobs are not diffed at all
  uint64_t max_read_bytes = 32u << 20;      // blob bytes read for diffs, all files together
};

struct FileDiff {
  std::string path;
  std::string old_path;  // set only for a rename
  std::string status;    // "added" | "modified" | "deleted" | "renamed" | "typechange"
  bool binary = false;   // a git blob with a NUL byte in its first 8000 bytes (or a submodule)
  std::optional<LfsPointer> old_lfs;  // a side stored with LFS (its git blob is a pointer)
  std::optional<LfsPointer> new_lfs;
  std::optional<uint64_t> old_size;  // content sizes (an LFS object's size); absent: no side
  std::optional<uint64_t> new_size;
  std::string patch;  // unified diff hunks (storage::GitPatch::text); empty for LFS and binary
  size_t additions = 0;
  size_t deletions = 0;
  // The patch was cut at a limit, or not made (a blob over max_text_blob_bytes, or the answer's
  // budget spent).
  bool truncated = false;
  bool lfs() const { return old_lfs.has_value() || new_lfs.has_value(); }
};

struct CommitDiff {
  domain::CommitInfo commit;
  std::string base;  // the commit compared with (diff_commits); empty: the first parent
  std::vector<FileDiff> files;
  bool truncated = false;  // files left out, or some patch cut or not made
};

// The changes of commit `commit_id` (a full id). kRevisionNotFound when it names no commit.
Result<CommitDiff> diff_commit(RepoHandle& git, const std::string& commit_id,
                               const DiffLimits& limits = {});
// What changed from commit `base_id` to commit `commit_id` (full ids; any two commits, related
// or not): the same answer, compared with the base's tree instead of the first parent's.
Result<CommitDiff> diff_commits(RepoHandle& git, const std::string& base_id,
                                const std::string& commit_id, const DiffLimits& limits = {});

}  // namespace vitrine::service
