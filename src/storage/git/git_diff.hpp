// Differences between git trees and between blobs, through libgit2: which paths a commit
// changed, and the unified diff of one file's two versions. Read-only; like GitRepo, not
// thread-safe (use one GitRepo per request).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/git/git_repo.hpp"
#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

// One changed path between two trees. Directories never appear: only files (blobs) and
// submodule/symlink entries, as git records them.
struct GitDelta {
  enum class Kind { kAdded, kModified, kDeleted, kRenamed, kTypeChange };
  Kind kind = Kind::kModified;
  std::string path;       // the new path (the old one for a deletion)
  std::string old_path;   // differs from `path` only for a rename
  std::string old_oid;    // "" when the file is added
  std::string new_oid;    // "" when the file is deleted
  uint32_t old_mode = 0;  // git file modes (0100644, 0100755, 0120000 for a link)
  uint32_t new_mode = 0;
  bool submodule = false;  // either side is a submodule: a commit id, no content to compare
  uint64_t old_size = 0;   // blob sizes in git (an LFS file's pointer size)
  uint64_t new_size = 0;
};

// The paths that differ from `old_tree` ("": the empty tree, for a root commit) to `new_tree`,
// in path order, with exact renames (same content, new path) detected. At most `max_files`
// are returned; `*truncated` says whether there were more.
Result<std::vector<GitDelta>> diff_trees(GitRepo& repo, const std::string& old_tree,
                                         const std::string& new_tree, size_t max_files,
                                         bool* truncated);

struct GitPatch {
  bool binary = false;  // git's rule: a NUL byte in the first 8000 bytes of either side
  std::string text;     // hunks only: "@@ -a,b +c,d @@" lines, then ' ', '+', '-' lines
  bool truncated = false;
  size_t additions = 0;  // lines, counted over the whole diff (also past a truncation)
  size_t deletions = 0;
};

// The unified diff (3 lines of context) from blob `old_oid` to blob `new_oid` ("" for a side
// that does not exist). `text` stops at the last whole line that fits in `max_bytes`.
Result<GitPatch> diff_blobs(GitRepo& repo, const std::string& old_oid, const std::string& new_oid,
                            size_t max_bytes);

}  // namespace vitrine::storage
