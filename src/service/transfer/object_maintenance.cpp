#include "service/transfer/object_maintenance.hpp"

#include <git2.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "formats/git/lfs_pointer.hpp"
#include "service/hub.hpp"
#include "service/transfer/lfs_service.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

// Bounds of one repository's walk for the objects its refs name: past either, nothing of it is
// taken back (kept, as if every object were named).
constexpr size_t kReclaimMaxCommits = 200'000;
constexpr size_t kReclaimMaxObjects = 20'000'000;  // trees and blobs looked at

// The LFS objects named by a pointer file in any commit reachable from any of the repository's
// refs (refs/convert/parquet included); nullopt when a bound is passed or git fails.
std::optional<std::set<std::string>> named_by_refs(git_repository* repo) {
  git_revwalk* walk = nullptr;
  if (git_revwalk_new(&walk, repo) != 0) return std::nullopt;
  std::unique_ptr<git_revwalk, decltype(&git_revwalk_free)> walk_guard(walk, git_revwalk_free);
  if (git_revwalk_push_glob(walk, "refs/*") != 0) return std::nullopt;
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo) != 0) return std::nullopt;
  std::unique_ptr<git_odb, decltype(&git_odb_free)> odb_guard(odb, git_odb_free);
  std::set<std::string> out;
  std::set<std::string> seen;  // trees and blobs already looked at
  size_t commits = 0;
  git_oid next;
  auto hex = [](const git_oid* id) {
    char buffer[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buffer, sizeof buffer, id);
    return std::string(buffer);
  };
  while (git_revwalk_next(&next, walk) == 0) {
    if (++commits > kReclaimMaxCommits) return std::nullopt;
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo, &next) != 0) return std::nullopt;
    git_oid root = *git_commit_tree_id(commit);
    git_commit_free(commit);
    std::vector<git_oid> trees{root};
    while (!trees.empty()) {
      git_oid id = trees.back();
      trees.pop_back();
      if (!seen.insert(hex(&id)).second) continue;
      if (seen.size() > kReclaimMaxObjects) return std::nullopt;
      git_tree* tree = nullptr;
      if (git_tree_lookup(&tree, repo, &id) != 0) return std::nullopt;
      std::unique_ptr<git_tree, decltype(&git_tree_free)> tree_guard(tree, git_tree_free);
      for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        const git_oid* entry_id = git_tree_entry_id(e);
        if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
          trees.push_back(*entry_id);
          continue;
        }
        if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) continue;
        if (!seen.insert(hex(entry_id)).second) continue;
        if (seen.size() > kReclaimMaxObjects) return std::nullopt;
        size_t size = 0;
        git_object_t type;
        if (git_odb_read_header(&size, &type, odb, entry_id) != 0) return std::nullopt;
        if (size > kMaxLfsPointerBytes) continue;  // too large to be a pointer: not read
        git_blob* blob = nullptr;
        if (git_blob_lookup(&blob, repo, entry_id) != 0) return std::nullopt;
        std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob)),
                                 static_cast<size_t>(git_blob_rawsize(blob)));
        if (auto pointer = parse_lfs_pointer(content)) out.insert(pointer->oid);
        git_blob_free(blob);
      }
    }
  }
  return out;
}

}  // namespace

size_t ObjectMaintenance::reclaim_export_links(int64_t grace_seconds) {
  size_t dropped = 0;
  int64_t before = util::now_ms() - grace_seconds * 1000;
  for (const auto& uid : hub_.db().repos_with_export_links()) {
    auto repo = hub_.db().find_repo_by_uid(uid);
    if (!repo || !*repo) continue;  // a deleted repository's links go with it
    auto git = hub_.open_git(**repo);
    if (!git) {
      spdlog::warn("gc: opening {}: {}", (*repo)->id(), git.status().message());
      continue;
    }
    auto named = named_by_refs((*git)->raw());
    if (!named) {
      spdlog::warn("gc: the objects {}'s refs name could not be listed; its exports are kept",
                   (*repo)->id());
      continue;
    }
    auto n = hub_.db().drop_export_lfs_objects(uid, *named, before);
    if (!n) {
      spdlog::warn("gc: unlinking old exports of {}: {}", (*repo)->id(), n.status().message());
      continue;
    }
    dropped += *n;
  }
  return dropped;
}

Result<domain::GcReport> ObjectMaintenance::gc(int64_t grace_seconds) {
  reclaim_export_links(grace_seconds);
  auto report = hub_.xet().gc(hub_.db().live_lfs_objects(), grace_seconds);
  if (!report) return report;
  auto parts = LfsService(hub_).remove_abandoned_parts(grace_seconds);
  if (!parts) return parts.status();
  report->part_bytes_freed = *parts;
  return report;
}

Result<domain::FsckReport> ObjectMaintenance::fsck(bool repair) {
  return hub_.xet().fsck(repair);
}

uint64_t ObjectMaintenance::legacy_count() {
  return hub_.xet().legacy_count();
}

Result<uint64_t> ObjectMaintenance::migrate() {
  return hub_.xet().migrate();
}

}  // namespace vitrine::service
