// RepoContents: what a repository holds at a revision — its refs, revisions named the ways the
// clients name them, the entries of its trees (with LFS pointers read), and snapshots of whole
// commits (cached: a commit never changes). Reads only; the caller has checked access (the
// router did, for a {repo} route) and opened the repository (Hub::open_git).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/repo.hpp"
#include "domain/tree_entry.hpp"
#include "service/repos/repo_handle.hpp"
#include "service/repos/snapshot_cache.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

struct ResolvedRevision {
  std::string commit;
  std::string ref;  // full ref name when the revision named a ref; empty for a commit id
};

// What URL segments {rev...}/{path...} name, as /resolve/ and the render route take them.
struct FileAtRevision {
  ResolvedRevision revision;
  std::string path;               // the segments after the revision, joined with '/'
  std::optional<FileEntry> file;  // nullopt: the revision has no file there (nothing, a folder)
  // kEntryNotFound naming the path, for a lookup that found no file.
  Status not_found() const;
};

class RepoContents {
 public:
  explicit RepoContents(Hub& hub) : hub_(hub) {}

  // A revision as a single string: branch, tag, full ref (refs/pr/1), HEAD, full or short id.
  Result<ResolvedRevision> resolve(RepoHandle& git, const std::string& revision);
  // A revision spread over URL segments (raw `refs/pr/1` or `feature/x` from the JS client):
  // the first segment if it resolves, else the longest prefix naming a ref. `consumed`
  // receives how many segments the revision used.
  Result<ResolvedRevision> resolve_segments(RepoHandle& git,
                                            const std::vector<std::string>& segments,
                                            size_t* consumed);

  // Every ref (branches, tags, refs/convert/*, refs/pr/*), tags peeled to their commit.
  std::vector<domain::GitRef> list_refs(RepoHandle& git);

  Result<std::optional<FileEntry>> entry_at(RepoHandle& git, const std::string& commit,
                                            const std::string& path);
  // The revision (resolve_segments) and the file the remaining segments name.
  Result<FileAtRevision> file_at_segments(RepoHandle& git,
                                          const std::vector<std::string>& segments);
  Result<std::vector<FileEntry>> list_tree(RepoHandle& git, const std::string& commit,
                                           const std::string& path, bool recursive);

  // Every file and directory of a commit, with its time; cached per (repo, commit). `git` may
  // be null: it is opened only on a cache miss.
  Result<std::shared_ptr<const Snapshot>> snapshot(const domain::RepoRecord& repo, RepoHandle* git,
                                                   const std::string& commit);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
