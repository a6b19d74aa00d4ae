// RepoService: the lifecycle and read side of repositories — lookup with access checks,
// create/delete/move/settings, revisions, branches and tags, history and trees. Access rule of
// this stage: public repositories are readable by anyone; private ones by their namespace's
// owner and admins; writing needs a write token of the owner or an admin. A repository the
// caller may not see is reported exactly like a missing one (kRepoNotFound).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/git/lfs_pointer.hpp"
#include "service/hub.hpp"
#include "service/repos/snapshot_cache.hpp"

namespace vitrine::service {

// kManage: settings, deletion, renames, access decisions. Role tokens with write access may
// manage; fine-grained tokens need the "manage" permission in a scope.
enum class Access { kRead, kWrite, kManage };

// Repository types of this hub, with their URL and API spellings.
struct RepoType {
  std::string name;        // "model" | "dataset"
  std::string url_prefix;  // "" | "datasets/"
  std::string api_plural;  // "models" | "datasets"
};
std::optional<RepoType> repo_type_from_name(std::string_view name);      // "model"
std::optional<RepoType> repo_type_from_plural(std::string_view plural);  // "models"

struct RepoRef {
  storage::RepoRecord record;
  bool redirected = false;  // found through an old (renamed) id
};

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

struct CreateRepoRequest {
  std::string type = "model";
  std::string ns;  // empty: the caller's own namespace
  std::string name;
  bool is_private = false;
  std::vector<std::pair<std::string, std::string>> files;  // path → content
  std::string license;
};

class RepoService {
 public:
  explicit RepoService(Hub& hub) : hub_(hub) {}

  Result<RepoRef> find(const RepoType& type, const std::string& ns, const std::string& name,
                       const Caller& caller, Access access);
  // Whether the caller has `access` to a repository they can read (find() already checked
  // that): kUnauthorized for an anonymous caller, kForbidden otherwise.
  Status check_access(const storage::RepoRecord& repo, const Caller& caller, Access access) const;
  bool can_read(const storage::RepoRecord& repo, const Caller& caller) const;
  bool can_write(const storage::RepoRecord& repo, const Caller& caller) const;
  bool can_manage(const storage::RepoRecord& repo, const Caller& caller) const;
  // The caller's role in a namespace: "admin" in their own, their membership role in an
  // organization, nothing elsewhere.
  std::optional<std::string> namespace_role(const std::string& ns, const Caller& caller) const;
  // The namespaces the caller has a role in: their own, then their organizations (none when
  // anonymous). Their private repositories are those can_read lets the caller read (before a
  // fine-grained token's scopes narrow it).
  std::vector<std::string> namespaces_of(const Caller& caller) const;

  // File contents of a gated repository need an accepted access request; the namespace's
  // members and admins always pass. kGatedRepo with the contract's message otherwise.
  Status check_file_access(const storage::RepoRecord& repo, const Caller& caller) const;
  // `fields_json`: what the user filled in. Auto-gated repos accept at once.
  Status ask_access(const storage::RepoRecord& repo, const Caller& caller,
                    const std::string& fields_json);
  // status: accepted | rejected | pending. `create`: grant without a prior request.
  // `actor`: who decided, for the audit log (null: the admin CLI).
  Status set_access(const storage::RepoRecord& repo, const std::string& user,
                    const std::string& status, bool create, const Caller* actor = nullptr);

  // kConflict (with the existing record's id in the message) when the repo exists.
  Result<storage::RepoRecord> create(const Caller& caller, const CreateRepoRequest& request);
  Status remove(const Caller& caller, const RepoType& type, const std::string& ns,
                const std::string& name);
  Result<storage::RepoRecord> move(const Caller& caller, const RepoType& type,
                                   const std::string& from, const std::string& to);
  // Changes of visibility and gating are audited with `actor` (null: the admin CLI).
  Status update_settings(const storage::RepoRecord& repo, std::optional<bool> is_private,
                         std::optional<std::string> gated, const Caller* actor = nullptr);

  // A revision as a single string: branch, tag, full ref (refs/pr/1), HEAD, full or short id.
  Result<ResolvedRevision> resolve(storage::GitRepo& git, const std::string& revision);
  // A revision spread over URL segments (raw `refs/pr/1` or `feature/x` from the JS client):
  // the first segment if it resolves, else the longest prefix naming a ref. `consumed`
  // receives how many segments the revision used.
  Result<ResolvedRevision> resolve_segments(storage::GitRepo& git,
                                            const std::vector<std::string>& segments,
                                            size_t* consumed);

  Result<std::optional<FileEntry>> entry_at(storage::GitRepo& git, const std::string& commit,
                                            const std::string& path);
  // The revision (resolve_segments) and the file the remaining segments name.
  Result<FileAtRevision> file_at_segments(storage::GitRepo& git,
                                          const std::vector<std::string>& segments);
  Result<std::vector<FileEntry>> list_tree(storage::GitRepo& git, const std::string& commit,
                                           const std::string& path, bool recursive);

  // Every file and directory of a commit, with its time; cached per (repo, commit). `git` may
  // be null: it is opened only on a cache miss.
  Result<std::shared_ptr<const Snapshot>> snapshot(const storage::RepoRecord& repo,
                                                   storage::GitRepo* git,
                                                   const std::string& commit);

  Status create_branch(const storage::RepoRecord& repo, const std::string& branch,
                       const std::optional<std::string>& starting_point, bool empty, bool overwrite,
                       const Caller& caller);
  Status delete_branch(const storage::RepoRecord& repo, const std::string& branch,
                       const Caller& caller);
  Status create_tag(const storage::RepoRecord& repo, const std::string& revision,
                    const std::string& tag, const std::string& message, const Caller& caller);
  Status delete_tag(const storage::RepoRecord& repo, const std::string& tag, const Caller& caller);

  // Refreshes the index row (head sha, lastModified, card data) after the default branch moved.
  Status reindex(const storage::RepoRecord& repo);

 private:
  Hub& hub_;
};

Status validate_ref_name(const std::string& short_name);

}  // namespace vitrine::service
