// GitRepo: one bare git repository, read and written through libgit2. Content is addressed by
// git object ids (40-hex SHA-1). Writing objects never changes what a reader sees; only
// update_ref does, with a compare-and-swap on the ref's old value, so the ref move is the
// single commit point of every change and a crash before it leaves the previous state intact.
// A GitRepo is not thread-safe: open one per request (opening is cheap).
#pragma once

#include <git2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/commit.hpp"
#include "domain/tree_entry.hpp"
#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

using GitTreeEntry = domain::TreeEntry;
using domain::GitRef;

struct ChangedBlob {
  std::string path;
  std::string content;
};

// One edit of a tree, applied in order by build_tree.
struct TreeChange {
  enum class Kind { kPutBlob, kDelete };
  Kind kind = Kind::kPutBlob;
  std::string path;
  std::string blob_oid;  // kPutBlob
  bool executable = false;
};

void init_libgit2();

class GitRepo {
 public:
  ~GitRepo();
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  // Creates a bare repository whose HEAD names refs/heads/<default_branch>.
  static Result<std::unique_ptr<GitRepo>> create(const std::string& path,
                                                 const std::string& default_branch);
  static Result<std::unique_ptr<GitRepo>> open(const std::string& path);

  // The uid of the hub repository this is, when opened through Hub::open_git ("" otherwise):
  // what the object-access rule checks LFS objects against (service/commits/object_links.hpp).
  const std::string& repo_uid() const { return repo_uid_; }
  void set_repo_uid(std::string uid) { repo_uid_ = std::move(uid); }

  std::optional<std::string> ref_target(const std::string& full_name);
  // What the ref names itself (an annotated tag's object, where ref_target gives its commit).
  std::optional<std::string> ref_object(const std::string& full_name);
  // The commit an object names (a tag peeled); the object itself when it names none.
  std::string peel_to_commit(const std::string& object);
  // Whether `ancestor` is in the history of `commit` (or is `commit`).
  bool descends_from(const std::string& commit, const std::string& ancestor);
  // Blobs added or changed from `old_tree` ("" for an empty tree) to `new_tree`, with their
  // content, leaving out blobs over `max_bytes` (read without loading them).
  Result<std::vector<ChangedBlob>> small_changed_blobs(const std::string& old_tree,
                                                       const std::string& new_tree,
                                                       uint64_t max_bytes);
  std::vector<GitRef> list_refs();
  // A full or abbreviated (>= 7 hex) commit id that names an existing commit.
  std::optional<std::string> find_commit(const std::string& hex);

  Result<domain::CommitInfo> commit_info(const std::string& commit_id);
  // Commits reachable from `commit_id`, newest first; `total` receives the full count. With a
  // `path` (a file or a folder), only the commits that changed it: a commit whose entry at
  // `path` (object and mode, or its absence) differs from that of every parent (a root commit:
  // where the path exists). Unlike `git log -- path`, history is not simplified: commits on
  // the side of a merge whose version the merge did not keep are listed too. A path's history
  // looks at the newest kMaxPathLogCommits commits only (its cost is tree lookups per commit),
  // and `total` counts within them.
  static constexpr size_t kMaxPathLogCommits = 50000;
  Result<std::vector<domain::CommitInfo>> log(const std::string& commit_id, size_t offset,
                                              size_t limit, size_t* total,
                                              const std::string& path = "");

  // What log() lists without a path, every commit of it: the ids of the commits reachable from
  // `commit_id`, newest first, as raw 20-byte ids one after another. Walks the whole history.
  Result<std::string> history(const std::string& commit_id);
  // `commit_id` and its ancestors for as long as each has exactly one parent, newest first:
  // [commit, parent, grandparent, ...], ending at a root, at the parent that is a merge, or
  // after `max` commits. A history ending in a known one's commit is the others then that one.
  Result<std::vector<std::string>> single_parent_chain(const std::string& commit_id, size_t max);

  // The entry at `path` in the commit's tree; an empty path is the root directory.
  // nullopt when the path does not exist.
  Result<std::optional<GitTreeEntry>> entry_at(const std::string& commit_id,
                                               const std::string& path);
  // Children of a directory (recursive: all descendants, directories included).
  Result<std::vector<GitTreeEntry>> list_tree(const std::string& commit_id,
                                              const std::string& dir_path, bool recursive);
  Result<std::string> read_blob(const std::string& blob_oid);
  Result<std::string> write_blob(std::string_view data);

  // Applies `changes` to the tree of `base_commit` (empty: an empty tree) and writes the new
  // tree. kEntryNotFound when a deletion names a missing path.
  Result<std::string> build_tree(const std::string& base_commit,
                                 const std::vector<TreeChange>& changes);
  Result<std::string> create_commit(const std::string& tree,
                                    const std::vector<std::string>& parents,
                                    const std::string& author_name, const std::string& author_email,
                                    const std::string& message);
  // Compare-and-swap: moves `full_name` to `new_target` only if it currently points at
  // `expected_old` (empty: the ref must not exist). kPreconditionFailed otherwise.
  Status update_ref(const std::string& full_name, const std::string& new_target,
                    const std::string& expected_old, const std::string& log_message);
  // Deletes the ref if it still points at `expected_old`.
  Status delete_ref(const std::string& full_name, const std::string& expected_old);

  git_repository* raw() { return repo_; }

 private:
  explicit GitRepo(git_repository* repo) : repo_(repo) {}
  git_repository* repo_;
  std::string repo_uid_;
};

std::string git_error_message();

}  // namespace vitrine::storage
