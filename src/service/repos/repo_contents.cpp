// Refs, revisions, trees and snapshots of a repository.
#include "service/repos/repo_contents.hpp"

#include "domain/ref_names.hpp"
#include "formats/git/lfs_pointer.hpp"
#include "service/hub.hpp"
#include "storage/git/git_repo.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using domain::kDefaultBranch;
using domain::kHeads;
using domain::kTags;

namespace {

// A tree entry with the LFS pointer its blob holds, if it is one (only blobs small enough to be
// a pointer are read).
FileEntry file_entry(RepoHandle& git, domain::TreeEntry entry) {
  FileEntry out{std::move(entry), std::nullopt};
  if (!out.git.is_dir && out.git.size <= kMaxLfsPointerBytes) {
    auto blob = git->read_blob(out.git.oid);
    if (blob) out.lfs = parse_lfs_pointer(*blob);
  }
  return out;
}

}  // namespace

Result<ResolvedRevision> RepoContents::resolve(RepoHandle& git, const std::string& rev) {
  auto not_found = [&] { return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + rev); };
  if (rev.empty()) return not_found();
  std::string name = rev == "HEAD" ? std::string(kDefaultBranch) : rev;
  if (name.starts_with("refs/")) {
    if (auto target = git->ref_target(name)) return ResolvedRevision{*target, name};
    return not_found();
  }
  for (const std::string& prefix : {kHeads, kTags}) {
    if (auto target = git->ref_target(prefix + name))
      return ResolvedRevision{*target, prefix + name};
  }
  if (name.size() >= 5 && name.size() <= 40 && util::is_hex(name)) {
    if (auto commit = git->find_commit(name)) return ResolvedRevision{*commit, ""};
  }
  return not_found();
}

Result<ResolvedRevision> RepoContents::resolve_segments(RepoHandle& git,
                                                        const std::vector<std::string>& segments,
                                                        size_t* consumed) {
  if (segments.empty()) return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: ");
  auto first = resolve(git, segments[0]);
  if (first) {
    *consumed = 1;
    return first;
  }
  std::string joined = segments[0];
  std::optional<ResolvedRevision> best;
  for (size_t i = 1; i < segments.size(); ++i) {
    joined += "/" + segments[i];
    std::string full = joined.starts_with("refs/") ? joined : "";
    std::vector<std::string> candidates;
    if (!full.empty())
      candidates.push_back(full);
    else
      candidates = {kHeads + joined, kTags + joined};
    for (const auto& candidate : candidates) {
      if (auto target = git->ref_target(candidate)) {
        best = ResolvedRevision{*target, candidate};
        *consumed = i + 1;
        break;
      }
    }
  }
  if (best) return *best;
  return first;
}

std::vector<domain::GitRef> RepoContents::list_refs(RepoHandle& git) {
  return git->list_refs();
}

Status FileAtRevision::not_found() const {
  return Status(ErrorKind::kEntryNotFound,
                "Entry not found: " + (path.empty() ? "(empty path)" : path));
}

Result<FileAtRevision> RepoContents::file_at_segments(RepoHandle& git,
                                                      const std::vector<std::string>& segments) {
  size_t consumed = 0;
  auto rev = resolve_segments(git, segments, &consumed);
  if (!rev) return rev.status();
  FileAtRevision out;
  out.revision = std::move(*rev);
  for (size_t i = consumed; i < segments.size(); ++i) {
    out.path += (out.path.empty() ? "" : "/") + segments[i];
  }
  if (out.path.empty()) return out;
  auto entry = entry_at(git, out.revision.commit, out.path);
  if (!entry) return entry.status();
  if (entry->has_value() && !(*entry)->git.is_dir) out.file = std::move(**entry);
  return out;
}

Result<std::optional<FileEntry>> RepoContents::entry_at(RepoHandle& git, const std::string& commit,
                                                        const std::string& path) {
  auto entry = git->entry_at(commit, path);
  if (!entry) return entry.status();
  if (!entry->has_value()) return std::optional<FileEntry>();
  return std::optional<FileEntry>(file_entry(git, std::move(**entry)));
}

Result<std::vector<FileEntry>> RepoContents::list_tree(RepoHandle& git, const std::string& commit,
                                                       const std::string& path, bool recursive) {
  auto entries = git->list_tree(commit, path, recursive);
  if (!entries) return entries.status();
  std::vector<FileEntry> out;
  out.reserve(entries->size());
  for (auto& e : *entries) out.push_back(file_entry(git, std::move(e)));
  return out;
}

Result<std::shared_ptr<const Snapshot>> RepoContents::snapshot(const domain::RepoRecord& repo,
                                                               RepoHandle* git,
                                                               const std::string& commit) {
  if (auto cached = hub_.snapshots().get(repo.uid, commit)) return cached;
  std::optional<RepoHandle> opened;
  if (!git) {
    auto g = hub_.open_git(repo);
    if (!g) return g.status();
    opened = std::move(*g);
    git = &*opened;
  }
  auto entries = list_tree(*git, commit, "", true);
  if (!entries) return entries.status();
  auto snap = std::make_shared<Snapshot>();
  snap->entries = std::move(*entries);
  if (auto info = (*git)->commit_info(commit)) snap->commit_time_ms = info->time_ms;
  hub_.snapshots().put(repo.uid, commit, snap);
  return std::shared_ptr<const Snapshot>(snap);
}

}  // namespace vitrine::service
