// RepoService: repositories and who may do what with them — the access rule (`may`), lookup
// with access checks, the gate of gated repositories and the grants handed out from it,
// listings, and the lifecycle (create, delete, move, settings, reindex). What a repository
// holds at a revision is RepoContents (repo_contents.hpp); its branches and tags RefService
// (service/commits/ref_service.hpp); access requests to a gated repository AccessRequests
// (access_requests.hpp). A repository the caller may not see is reported exactly like a
// missing one (kRepoNotFound).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/access_level.hpp"
#include "domain/access_request.hpp"
#include "domain/repo_kind.hpp"
#include "domain/role.hpp"
#include "service/hub.hpp"

namespace vitrine::service {

// kManage: settings, deletion, renames, access decisions. Role tokens with write access may
// manage; fine-grained tokens need the "manage" permission in a scope.
using domain::AccessLevel;
using domain::RepoKind;

struct RepoRef {
  domain::RepoRecord record;
  bool redirected = false;  // found through an old (renamed) id
};

struct CreateRepoRequest {
  std::string type = "model";  // as the caller wrote it: "model" | "dataset"
  std::string ns;              // empty: the caller's own namespace
  std::string name;
  bool is_private = false;
  std::vector<std::pair<std::string, std::string>> files;  // path → content
  std::string license;
};

class RepoService {
 public:
  explicit RepoService(Hub& hub) : hub_(hub) {}

  Result<RepoRef> find(RepoKind type, const std::string& ns, const std::string& name,
                       const Caller& caller, AccessLevel access);
  // Whether the caller has `access` to a repository they can read (find() already checked
  // that): kUnauthorized for an anonymous caller, kForbidden otherwise; the read error when the
  // caller's memberships could not be read.
  Status check_access(const domain::RepoRecord& repo, const Caller& caller,
                      AccessLevel access) const;
  // The one access rule: whether the caller may `level` the repository, or the read error.
  Result<bool> may(const domain::RepoRecord& repo, const Caller& caller, AccessLevel level) const;
  // may(), where a read error counts as no (for filters that show less, never more).
  bool can_read(const domain::RepoRecord& repo, const Caller& caller) const;
  bool can_write(const domain::RepoRecord& repo, const Caller& caller) const;
  bool can_manage(const domain::RepoRecord& repo, const Caller& caller) const;
  // The caller's role in a namespace: kAdmin in their own, their membership role in an
  // organization, nothing elsewhere; or the read error.
  Lookup<domain::MemberRole> namespace_role(const std::string& ns, const Caller& caller) const;
  // The namespaces the caller has a role in: their own, then their organizations (none when
  // anonymous). Their private repositories are those can_read lets the caller read (before a
  // fine-grained token's scopes narrow it).
  std::vector<std::string> namespaces_of(const Caller& caller) const;

  // By uid (stable across renames), with no access check: for grants and index entries that
  // name a repository by uid, whose users then ask can_read.
  Lookup<domain::RepoRecord> by_uid(const std::string& uid);
  // Whether the repository with this uid exists and the caller may read it; fails closed (a
  // repository that cannot be read now is not readable).
  bool can_read_uid(const std::string& uid, const Caller& caller);
  // The uids of the private repositories the caller may read: those of their namespaces (their
  // own, their organizations'; for an administrator's scoped token, also those its scopes name),
  // as may() decides.
  std::vector<std::string> readable_private_uids(const Caller& caller);
  // By its current name (no redirects), with no access check either.
  Lookup<domain::RepoRecord> by_name(RepoKind type, const std::string& ns, const std::string& name);
  // One page of a listing: the repositories matching `query` that the caller may read (its
  // visibility fields are filled in here: the caller's namespaces, narrowed to a fine-grained
  // token's scopes; every repository for an admin's unscoped token). sort=downloads first
  // writes the pending download counts (DownloadCounter::flush_for_listing).
  std::vector<domain::RepoRecord> list(const Caller& caller, domain::RepoListQuery query);

  // Whether a grant handed out earlier (a Xet token, a signed download URL) still holds: its
  // repository exists and the user and access token it was issued to (AuthService::caller_now)
  // still read it, and pass its gate unless the grant is for writing. kUnauthorized otherwise;
  // the read error when that cannot be told. Each use of a grant asks, so revocations take
  // effect at once.
  Status check_grant(const std::string& repo_uid, const std::string& user, int64_t token_id,
                     bool write);

  // File contents of a gated repository need an accepted access request; the namespace's
  // members and admins always pass. kGatedRepo with the contract's message otherwise.
  Status check_file_access(const domain::RepoRecord& repo, const Caller& caller) const;

  // kConflict (with the existing record's id in the message) when the repo exists.
  Result<domain::RepoRecord> create(const Caller& caller, const CreateRepoRequest& request);
  Status remove(const Caller& caller, RepoKind type, const std::string& ns,
                const std::string& name);
  Result<domain::RepoRecord> move(const Caller& caller, RepoKind type, const std::string& from,
                                  const std::string& to);
  // Changes of visibility and gating are audited with `actor` (null: the admin CLI).
  Status update_settings(const domain::RepoRecord& repo, std::optional<bool> is_private,
                         std::optional<domain::GatingMode> gated, const Caller* actor = nullptr);

  // Refreshes the index row (head sha, lastModified, card data) after the default branch moved.
  Status reindex(const domain::RepoRecord& repo);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
