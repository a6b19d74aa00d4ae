// Checks a git push against the hub's rules before its refs move.
#include "service/commits/push_policy.hpp"

#include <memory>

#include "formats/git/lfs_pointer.hpp"
#include "formats/hub/repo_path.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::service {
namespace {

const std::string kZero(40, '0');

bool is_hex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

// Checks the files one commit adds or changes relative to its first parent.
Status check_commit(git_repository* repo, storage::BlobStore& blobs, const git_oid* id,
                    std::vector<std::string>* lfs_oids) {
  git_commit* commit = nullptr;
  if (git_commit_lookup(&commit, repo, id) != 0)
    return unprocessable("cannot read commit " + hex(id));
  std::unique_ptr<git_commit, decltype(&git_commit_free)> commit_guard(commit, git_commit_free);
  git_tree* tree = nullptr;
  git_tree* parent_tree = nullptr;
  git_commit_tree(&tree, commit);
  if (git_commit_parentcount(commit) > 0) {
    git_commit* parent = nullptr;
    if (git_commit_parent(&parent, commit, 0) == 0) {
      git_commit_tree(&parent_tree, parent);
      git_commit_free(parent);
    }
  }
  git_diff* diff = nullptr;
  int rc = git_diff_tree_to_tree(&diff, repo, parent_tree, tree, nullptr);
  git_tree_free(tree);
  git_tree_free(parent_tree);
  if (rc != 0) return unprocessable("cannot diff commit " + hex(id));
  std::unique_ptr<git_diff, decltype(&git_diff_free)> diff_guard(diff, git_diff_free);
  for (size_t i = 0; i < git_diff_num_deltas(diff); ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    if (d->status == GIT_DELTA_DELETED) continue;
    std::string path = d->new_file.path;
    if (auto st = validate_repo_path(path); !st) {
      return unprocessable("commit " + hex(id).substr(0, 12) + ": " + st.message());
    }
    if (d->new_file.mode == GIT_FILEMODE_COMMIT) {
      return unprocessable("commit " + hex(id).substr(0, 12) + ": submodules are not supported (" +
                           path + ")");
    }
    if (d->new_file.size > 1024) continue;
    git_blob* blob = nullptr;
    if (git_blob_lookup(&blob, repo, &d->new_file.id) != 0) continue;
    std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob)),
                             static_cast<size_t>(git_blob_rawsize(blob)));
    auto pointer = parse_lfs_pointer(content);
    git_blob_free(blob);
    if (!pointer) continue;
    auto stored = blobs.size(pointer->oid);
    if (!stored || *stored != pointer->size) {
      return unprocessable("LFS object " + pointer->oid + " (" + path +
                           ") is not on the server; push it with git-lfs first (git lfs push)");
    }
    lfs_oids->push_back(pointer->oid);
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<RefUpdate>> parse_ref_updates(std::string_view text) {
  std::vector<RefUpdate> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    auto a = line.find(' ');
    auto b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos) return bad_request("malformed ref update line");
    RefUpdate u{std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)),
                std::string(line.substr(b + 1))};
    if (!is_hex40(u.old_oid) || !is_hex40(u.new_oid) || u.ref.empty()) {
      return bad_request("malformed ref update line");
    }
    out.push_back(std::move(u));
  }
  return out;
}

Status check_push(git_repository* repo, storage::BlobStore& blobs,
                  const std::vector<RefUpdate>& updates, bool pusher_is_admin,
                  std::vector<std::string>* lfs_oids) {
  git_revwalk* walk = nullptr;
  if (git_revwalk_new(&walk, repo) != 0) return internal_error("revwalk");
  std::unique_ptr<git_revwalk, decltype(&git_revwalk_free)> walk_guard(walk, git_revwalk_free);
  bool any_new = false;
  for (const auto& u : updates) {
    bool admin_ref = u.ref.starts_with("refs/pr/") || u.ref.starts_with("refs/convert/");
    if (admin_ref && !pusher_is_admin) {
      return forbidden("refusing to update " + u.ref +
                       ": refs/pr/ and refs/convert/ are managed by the hub");
    }
    if (!admin_ref && !u.ref.starts_with("refs/heads/") && !u.ref.starts_with("refs/tags/")) {
      return forbidden("refusing to update " + u.ref + ": only branches and tags can be pushed");
    }
    if (u.new_oid == kZero) {
      if (u.ref == "refs/heads/main") return forbidden("Cannot delete refs/heads/main");
      continue;
    }
    git_oid oid;
    git_oid_fromstr(&oid, u.new_oid.c_str());
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) != 0) {
      return unprocessable("pushed object " + u.new_oid + " is missing");
    }
    git_object* peeled = nullptr;
    int rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (rc != 0) {
      if (u.ref.starts_with("refs/heads/")) return unprocessable(u.ref + " must point at a commit");
      continue;  // a tag of a non-commit: nothing to check
    }
    git_revwalk_push(walk, git_object_id(peeled));
    git_object_free(peeled);
    any_new = true;
  }
  if (!any_new) return Status::ok();
  // Only commits the repository does not have yet: everything reachable from existing refs
  // was checked when it arrived.
  git_revwalk_hide_glob(walk, "refs/*");
  git_oid next;
  while (git_revwalk_next(&next, walk) == 0) {
    if (auto st = check_commit(repo, blobs, &next, lfs_oids); !st) return st;
  }
  return Status::ok();
}

}  // namespace vitrine::service
