// Branches and tags through the API: logged ref moves.
#include "service/commits/ref_service.hpp"

#include <git2.h>

#include "domain/ref_names.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/transparency/log_entries.hpp"
#include "storage/git/git_repo.hpp"

namespace vitrine::service {

using domain::kDefaultBranch;
using domain::kHeads;
using domain::kTags;

Status validate_ref_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.starts_with("refs/") || name.starts_with("/") ||
      name.ends_with("/") || name.ends_with(".lock") || name.ends_with(".") ||
      name.find("..") != std::string::npos || name.find("//") != std::string::npos ||
      name.find("@{") != std::string::npos || name == "HEAD" || name.starts_with("-")) {
    return bad_request("Invalid reference name '" + name + "'");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' ||
        c == '*' || c == '[' || c == '\\') {
      return bad_request("Invalid reference name '" + name + "'");
    }
  }
  return Status::ok();
}

Status RefService::create_branch(const domain::RepoRecord& repo, const std::string& branch,
                                 const std::optional<std::string>& starting_point, bool empty,
                                 bool overwrite, const Caller& caller) {
  if (branch.starts_with("refs/") || !validate_ref_name(branch)) {
    return bad_request("Invalid reference for a branch: " + branch);
  }
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  std::string target;
  if (empty) {
    auto tree = (*git)->build_tree("", {});
    if (!tree) return tree.status();
    auto commit = (*git)->create_commit(*tree, {}, caller.author_name(), caller.author_email(),
                                        "Create empty branch " + branch);
    if (!commit) return commit.status();
    target = *commit;
  } else {
    auto start = RepoContents(hub_).resolve(*git, starting_point.value_or(kDefaultBranch));
    if (!start) return start.status();
    target = start->commit;
  }
  auto current = (*git)->ref_target(kHeads + branch);
  if (current && !overwrite) {
    return conflict("Reference refs/heads/" + branch + " already exists");
  }
  auto st = logged_ref_update(
      hub_, **git, repo, caller.author_name(),
      RefMove{
          kHeads + branch, target, current.value_or(""), "create branch " + branch, {}, {}, {}});
  if (!st && st.kind() == ErrorKind::kPreconditionFailed) {
    return conflict("Reference refs/heads/" + branch + " already exists");
  }
  return st;
}

Status RefService::delete_branch(const domain::RepoRecord& repo, const std::string& branch,
                                 const Caller& caller) {
  if (branch == kDefaultBranch) return forbidden("Cannot delete refs/heads/main");
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  auto current = (*git)->ref_target(kHeads + branch);
  if (!current) return bad_request("Invalid rev id: " + branch);
  return logged_ref_update(hub_, **git, repo, caller.author_name(),
                           RefMove{kHeads + branch, "", *current, "", {}, {}, {}});
}

Status RefService::create_tag(const domain::RepoRecord& repo, const std::string& revision,
                              const std::string& tag, const std::string& message,
                              const Caller& caller) {
  if (!validate_ref_name(tag)) return bad_request("Invalid tag name '" + tag + "'");
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  auto target = RepoContents(hub_).resolve(*git, revision);
  if (!target) return target.status();
  if ((*git)->ref_target(kTags + tag)) return conflict("Tag " + tag + " already exists");
  std::string object = target->commit;
  if (!message.empty()) {
    // An annotated tag carries the message, as `git tag -a` would: the tag object is written
    // here, the ref moves (logged) below.
    git_oid commit_oid, tag_oid;
    git_oid_fromstr(&commit_oid, target->commit.c_str());
    git_object* commit_obj = nullptr;
    git_signature* sig = nullptr;
    if (git_object_lookup(&commit_obj, (*git)->raw(), &commit_oid, GIT_OBJECT_COMMIT) != 0 ||
        git_signature_now(&sig, caller.author_name().c_str(), caller.author_email().c_str()) != 0 ||
        git_tag_annotation_create(&tag_oid, (*git)->raw(), tag.c_str(), commit_obj, sig,
                                  message.c_str()) != 0) {
      git_object_free(commit_obj);
      git_signature_free(sig);
      return internal_error("cannot create tag: " + storage::git_error_message());
    }
    git_object_free(commit_obj);
    git_signature_free(sig);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &tag_oid);
    object = hex;
  }
  auto st = logged_ref_update(
      hub_, **git, repo, caller.author_name(),
      RefMove{kTags + tag, object, "", "create tag " + tag, {}, target->commit, {}});
  if (!st && st.kind() == ErrorKind::kPreconditionFailed) {
    return conflict("Tag " + tag + " already exists");
  }
  return st;
}

Status RefService::delete_tag(const domain::RepoRecord& repo, const std::string& tag,
                              const Caller& caller) {
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  auto current = (*git)->ref_target(kTags + tag);  // the commit, for the log
  if (!current) return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + tag);
  // The compare-and-swap needs what the ref names itself (an annotated tag's object).
  auto raw = (*git)->ref_object(kTags + tag);
  if (!raw) return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + tag);
  return logged_ref_update(hub_, **git, repo, caller.author_name(),
                           RefMove{kTags + tag, "", *raw, "", *current, "", {}});
}

}  // namespace vitrine::service
