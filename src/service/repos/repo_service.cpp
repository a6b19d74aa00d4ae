// Repository lookup with access, the gate, listings and lifecycle.
#include "service/repos/repo_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "domain/ref_names.hpp"
#include "formats/card/card_metadata.hpp"
#include "formats/git/git_patterns.hpp"
#include "formats/hub/repo_name.hpp"
#include "service/access/audit_log.hpp"
#include "service/access/auth_service.hpp"
#include "service/datasets/dataset_viewer.hpp"
#include "service/lineage/lineage.hpp"
#include "service/repos/download_counter.hpp"
#include "service/repos/listing_tags.hpp"
#include "service/transparency/log_entries.hpp"
#include "service/transparency/transparency.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "util/concurrency_limit.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

using domain::kDefaultBranch;
using domain::kHeads;

namespace {

Status repo_not_found() {
  return Status(ErrorKind::kRepoNotFound, "Repository not found");
}

}  // namespace

Lookup<domain::MemberRole> RepoService::namespace_role(const std::string& ns,
                                                       const Caller& caller) const {
  if (!caller.user) return std::optional<domain::MemberRole>();
  // A user owns their namespace.
  if (util::to_lower_ascii(caller.user->name) == util::to_lower_ascii(ns)) {
    return std::optional<domain::MemberRole>(domain::MemberRole::kAdmin);
  }
  return hub_.db().org_role(ns, caller.user->id);
}

std::vector<std::string> RepoService::namespaces_of(const Caller& caller) const {
  if (!caller.user) return {};
  std::vector<std::string> out{caller.user->name};
  for (const auto& m : hub_.db().orgs_of_user(caller.user->id)) out.push_back(m.org.name);
  return out;
}

Result<bool> RepoService::may(const domain::RepoRecord& repo, const Caller& caller,
                              AccessLevel level) const {
  // Anyone reads a public repository; writing and managing need a token that writes (a
  // session acts so), then a fine-grained token's scopes, then the user's role.
  if (level == AccessLevel::kRead && !repo.is_private) return true;
  if (level != AccessLevel::kRead && !caller.can_write()) return false;
  if (caller.fine_grained() && !scopes_allow(caller.scopes, repo.type, repo.ns, repo.name, level)) {
    return false;
  }
  if (caller.is_admin()) return true;
  auto role = namespace_role(repo.ns, caller);
  if (!role) return role.status();
  if (!*role) return false;
  // Any member reads; write and admin members write and manage.
  return level == AccessLevel::kRead || **role != domain::MemberRole::kRead;
}

bool RepoService::can_read(const domain::RepoRecord& repo, const Caller& caller) const {
  auto allowed = may(repo, caller, AccessLevel::kRead);
  return allowed && *allowed;
}

bool RepoService::can_write(const domain::RepoRecord& repo, const Caller& caller) const {
  auto allowed = may(repo, caller, AccessLevel::kWrite);
  return allowed && *allowed;
}

bool RepoService::can_manage(const domain::RepoRecord& repo, const Caller& caller) const {
  auto allowed = may(repo, caller, AccessLevel::kManage);
  return allowed && *allowed;
}

Status RepoService::check_grant(const std::string& repo_uid, const std::string& user,
                                int64_t token_id, bool write) {
  Status revoked(ErrorKind::kUnauthorized,
                 "This grant no longer gives access (the repository, its visibility, the "
                 "membership or the access token changed); ask for a new one");
  auto found = hub_.db().find_repo_by_uid(repo_uid);
  if (!found) return found.status();  // could not read: an error, not a revocation
  if (!*found) return revoked;
  const domain::RepoRecord& repo = **found;
  auto now = AuthService(hub_).caller_now(
      user, token_id, write ? domain::TokenRole::kWrite : domain::TokenRole::kRead);
  if (!now) return now.status();  // could not read: an error, not a revocation
  if (!*now) return revoked;
  const Caller& caller = **now;
  auto readable = may(repo, caller, AccessLevel::kRead);
  if (!readable) return readable.status();
  if (!*readable) return revoked;
  if (!write) {
    if (auto st = check_file_access(repo, caller); !st) {
      return st.kind() == ErrorKind::kInternal ? st : revoked;
    }
  }
  return Status::ok();
}

Lookup<domain::RepoRecord> RepoService::by_uid(const std::string& uid) {
  return hub_.db().find_repo_by_uid(uid);
}

bool RepoService::can_read_uid(const std::string& uid, const Caller& caller) {
  auto rec = by_uid(uid);
  return rec && *rec && can_read(**rec, caller);
}

std::vector<std::string> RepoService::readable_private_uids(const Caller& caller) {
  std::vector<std::string> out;
  std::vector<std::string> namespaces = namespaces_of(caller);
  if (caller.is_admin()) {
    for (const auto& scope : caller.scopes)
      namespaces.push_back(scope.name.substr(0, scope.name.find('/')));
  }
  for (const auto& repo : hub_.db().private_repos_in(namespaces)) {
    if (can_read(repo, caller)) out.push_back(repo.uid);
  }
  return out;
}

Lookup<domain::RepoRecord> RepoService::by_name(RepoKind type, const std::string& ns,
                                                const std::string& name) {
  return hub_.db().find_repo(type, ns, name);
}

std::vector<domain::RepoRecord> RepoService::list(const Caller& caller, domain::RepoListQuery q) {
  q.visible_private_namespaces.clear();
  q.visible_private_repos.clear();
  q.all_private_visible = false;
  if (caller.user) {
    // may() as SQL: the user's namespaces, narrowed to a fine-grained token's scopes. An
    // admin's scoped token is listed only its scopes inside the namespaces the admin belongs
    // to, less than may() lets it read (scopes naming other namespaces): a listing may show
    // less, never more.
    bool scoped = caller.fine_grained();
    q.all_private_visible = caller.is_admin() && !scoped;
    const std::vector<std::string> namespaces = namespaces_of(caller);
    for (const auto& ns : namespaces) {
      // A namespace scope covers every repository of the namespace.
      if (!scoped || scopes_allow(caller.scopes, q.type, ns, "", AccessLevel::kRead)) {
        q.visible_private_namespaces.push_back(ns);
      }
    }
    if (scoped) {
      for (const auto& s : caller.scopes) {
        auto slash = s.name.find('/');
        if (s.repo != q.type || slash == std::string::npos) continue;
        std::string ns = s.name.substr(0, slash), name = s.name.substr(slash + 1);
        bool member = caller.is_admin() ||
                      std::any_of(namespaces.begin(), namespaces.end(), [&](const auto& n) {
                        return util::to_lower_ascii(n) == util::to_lower_ascii(ns);
                      });
        if (member && scopes_allow(caller.scopes, q.type, ns, name, AccessLevel::kRead)) {
          q.visible_private_repos.emplace_back(ns, name);
        }
      }
    }
  }
  // sort=downloads orders by the counts written so far: such a listing writes the pending ones
  // first unless a listing did less than a second ago (the 2 s background flush writes the rest;
  // other sorts never write), so that listings cannot force a write transaction each. A failed
  // write is tried again later; the listing goes on with the counts written before.
  (void)hub_.downloads().flush_for_listing(q.sort);
  return hub_.db().list_repos(q);
}

Status RepoService::check_file_access(const domain::RepoRecord& repo, const Caller& caller) const {
  if (!domain::is_gated(repo.gated)) return Status::ok();
  // A fine-grained token opens a gate only inside its scopes, whatever its user may do.
  bool in_scope = !caller.fine_grained() ||
                  scopes_allow(caller.scopes, repo.type, repo.ns, repo.name, AccessLevel::kRead);
  if (in_scope && caller.is_admin()) return Status::ok();
  if (in_scope) {
    auto role = namespace_role(repo.ns, caller);
    if (!role) return role.status();  // could not read: an error, never a closed gate
    if (*role) return Status::ok();
  }
  std::optional<std::string> request;
  if (in_scope && caller.user) {
    auto read = hub_.db().access_status(repo.uid, caller.user->id);
    if (!read) return read.status();  // could not read: an error, never a closed gate
    request = *read;
  }
  if (request == "accepted") return Status::ok();
  // The Hub's wording for a request still waiting or refused, so that the web interface and
  // the clients can tell the caller where they stand.
  const std::string what = domain::to_wire(repo.type) + " " + repo.id();
  if (request == "pending") {
    return Status(ErrorKind::kGatedRepo, "Your request to access " + what +
                                             " is awaiting a review from the repo authors.");
  }
  if (request == "rejected") {
    return Status(ErrorKind::kGatedRepo,
                  "Your request to access " + what + " has been rejected by the repo's authors.");
  }
  return Status(ErrorKind::kGatedRepo,
                "Access to " + what +
                    " is restricted and you are not in the authorized list. Visit " +
                    hub_.config().public_url + "/" + domain::url_prefix(repo.type) + repo.id() +
                    " to ask for access.");
}

Result<RepoRef> RepoService::find(RepoKind type, const std::string& ns, const std::string& name,
                                  const Caller& caller, AccessLevel access) {
  RepoRef ref;
  auto record = hub_.db().find_repo(type, ns, name);
  if (!record) return record.status();  // could not read: an error, never "not found"
  if (!*record) {
    record = hub_.db().find_redirect(type, ns, name);
    if (!record) return record.status();
    ref.redirected = record->has_value();
  }
  if (!*record) return repo_not_found();
  auto readable = may(**record, caller, AccessLevel::kRead);
  if (!readable) return readable.status();
  if (!*readable) return repo_not_found();
  ref.record = **record;
  if (auto st = check_access(ref.record, caller, access); !st) return st;
  return ref;
}

Status RepoService::check_access(const domain::RepoRecord& repo, const Caller& caller,
                                 AccessLevel access) const {
  if (access == AccessLevel::kRead) return Status::ok();  // find() checked it
  auto allowed = may(repo, caller, access);
  if (!allowed) return allowed.status();
  if (!*allowed) {
    if (!caller.authenticated()) {
      return Status(ErrorKind::kUnauthorized, "You must be authenticated to write to this repo");
    }
    return forbidden("You don't have the rights to write to " + repo.id() +
                     (caller.role == domain::TokenRole::kRead ? " (read-only token)" : ""));
  }
  return Status::ok();
}

Result<domain::RepoRecord> RepoService::create(const Caller& caller, const CreateRepoRequest& req) {
  if (!caller.authenticated()) {
    return Status(ErrorKind::kUnauthorized, "You must be authenticated to create a repo");
  }
  auto type = domain::repo_kind_from_wire(req.type);
  if (!type) return bad_request("Unsupported repository type '" + req.type + "'");
  const std::string& type_name = domain::to_wire(*type);
  std::string ns = req.ns.empty() ? caller.user->name : req.ns;
  if (auto st = validate_namespace(ns); !st) return st;
  if (auto st = validate_repo_name(req.name); !st) return st;
  auto existing = hub_.db().find_repo(*type, ns, req.name);
  if (!existing) return existing.status();
  if (*existing) {
    auto readable = may(**existing, caller, AccessLevel::kRead);
    if (!readable) return readable.status();
    if (*readable) {
      return conflict("You already created this " + type_name + " repo: " + (*existing)->id());
    }
  }
  domain::RepoRecord probe;
  probe.type = *type;
  probe.ns = ns;
  probe.name = req.name;
  auto writable = may(probe, caller, AccessLevel::kWrite);
  if (!writable) return writable.status();
  if (!*writable) {
    return forbidden("You don't have the rights to create a " + type_name +
                     " under the namespace " + ns);
  }
  if (*existing) {
    return conflict("You already created this " + type_name + " repo: " + ns + "/" + req.name);
  }
  auto user = hub_.db().find_user(ns);
  if (!user) return user.status();
  if (*user) {
    ns = (*user)->name;  // canonical case of the namespace
  } else {
    auto org = hub_.db().find_org(ns);
    if (!org) return org.status();
    if (*org) ns = (*org)->name;
  }

  // A new repository holds no LFS object, so a file whose bytes are an LFS pointer would name
  // an object it may not read (the object-access rule, docs/security.md).
  for (const auto& [path, content] : req.files) {
    if (parse_lfs_pointer(content)) {
      return unprocessable("'" + path +
                           "' is an LFS pointer; a new repository holds no LFS objects: upload "
                           "the file through the LFS batch API, then commit it");
    }
  }

  domain::RepoRecord repo;
  repo.uid = util::to_hex(util::random_bytes(12));
  repo.type = *type;
  repo.ns = ns;
  repo.name = req.name;
  repo.is_private = req.is_private;
  repo.created_at = repo.last_modified = util::now_ms();
  repo.card_json = "{}";

  // The git repository is complete (initial commit on main) before the row that makes it
  // visible is inserted; a crash in between leaves an unreferenced directory, not a broken repo.
  auto git = storage::GitRepo::create(hub_.git_path(repo), kDefaultBranch);
  if (!git) return git.status();
  std::vector<storage::TreeChange> changes;
  auto add_file = [&](const std::string& path, const std::string& content) -> Status {
    auto blob = (*git)->write_blob(content);
    if (!blob) return blob.status();
    changes.push_back({storage::TreeChange::Kind::kPutBlob, path, *blob, false});
    return Status::ok();
  };
  Status st = add_file(".gitattributes", default_gitattributes(*type == RepoKind::kDataset));
  if (st && !req.license.empty())
    st = add_file("README.md", "---\nlicense: " + req.license + "\n---\n");
  for (const auto& [path, content] : req.files) {
    if (!st) break;
    st = add_file(path, content);
  }
  Result<std::string> commit = st;
  if (st) {
    auto tree = (*git)->build_tree("", changes);
    commit = tree ? (*git)->create_commit(*tree, {}, caller.author_name(), caller.author_email(),
                                          "initial commit")
                  : Result<std::string>(tree.status());
  }
  if (commit)
    st = (*git)->update_ref(kHeads + kDefaultBranch, *commit, "", "create repository");
  else
    st = commit.status();
  if (!st) {
    std::filesystem::remove_all(hub_.git_path(repo));
    return st;
  }
  repo.head_sha = *commit;
  // The repository becomes visible with its row: log it (with its first commit) before that.
  LoggedChange logged(hub_.transparency().store());
  const std::string main_ref = kHeads + kDefaultBranch;
  st = logged.begin({make_entry(repo,
                                {{"kind", "repo"},
                                 {"action", "create"},
                                 {"private", repo.is_private},
                                 {"actor", caller.author_name()},
                                 {"refs", {{main_ref, *commit}}}},
                                {"ref:" + repo.uid + ":" + main_ref,
                                 "from:" + repo.uid + ":" + main_ref + ":", "commit:" + *commit},
                                storage::TlogIntent{"create", repo.uid, "", ""})});
  if (!st) {
    std::filesystem::remove_all(hub_.git_path(repo));
    return st;
  }
  if (auto ins = hub_.db().insert_repo(repo); !ins) {
    std::filesystem::remove_all(hub_.git_path(repo));
    if (ins.kind() == ErrorKind::kConflict) {
      return conflict("You already created this " + type_name + " repo: " + repo.id());
    }
    return ins;
  }
  logged.done();
  AuditLog(hub_).record(audit::kRepoCreate, &caller, AuditLog::repo_target(repo),
                        {{"private", repo.is_private}});
  if (auto idx = reindex(repo); !idx) return idx;
  auto created = hub_.db().find_repo(repo.type, repo.ns, repo.name);
  if (!created) return created.status();
  if (!*created) return internal_error("repository " + repo.id() + " vanished after its creation");
  return **created;
}

Status RepoService::remove(const Caller& caller, RepoKind type, const std::string& ns,
                           const std::string& name) {
  auto repo = find(type, ns, name, caller, AccessLevel::kManage);
  if (!repo) return repo.status();
  if (repo->redirected) return repo_not_found();
  // The row goes first: from then on the repo is invisible, and the directory can go. The log
  // keeps what its refs named.
  nlohmann::json refs = nlohmann::json::object();
  if (auto git = hub_.open_git(repo->record)) {
    for (const auto& r : (*git)->list_refs()) refs[r.name] = r.target;
  }
  // A repository with many refs lists them in `part` entries after the delete entry.
  using nlohmann::json;
  json pairs = json::array();
  for (const auto& [ref_name, target] : refs.items()) {
    pairs.push_back(json::array({ref_name, target}));
  }
  auto parts = split_into_parts(pairs);
  json entry = {{"kind", "repo"},
                {"action", "delete"},
                {"private", repo->record.is_private},
                {"actor", caller.author_name()},
                {"refs", parts.size() > 1 ? json::object() : std::move(refs)}};
  if (parts.size() > 1) entry["refs_parts"] = parts.size();
  std::vector<storage::TlogAppend> entries = {make_entry(
      repo->record, std::move(entry), {}, storage::TlogIntent{"delete", repo->record.uid, "", ""})};
  for (size_t k = 0; parts.size() > 1 && k < parts.size(); ++k) {
    entries.push_back(make_entry(repo->record,
                                 {{"kind", "part"},
                                  {"of", "refs"},
                                  {"part", k + 1},
                                  {"parts", parts.size()},
                                  {"items", std::move(parts[k])}},
                                 {}, std::nullopt));
  }
  LoggedChange logged(hub_.transparency().store());
  if (auto st = logged.begin(entries); !st) return st;
  // Its sealed entries go back to hidden before it is gone (it has no readers then).
  if (auto st = hub_.transparency().store().set_open(repo->record.uid, false); !st) return st;
  if (auto st = hub_.db().delete_repo(repo->record.uid); !st) return st;
  logged.done();
  hub_.lineage().on_repo_deleted(repo->record.uid);
  AuditLog(hub_).record(audit::kRepoDelete, &caller, AuditLog::repo_target(repo->record));
  std::error_code ec;
  std::filesystem::remove_all(hub_.git_path(repo->record), ec);
  DatasetViewer(hub_).forget_search_indexes(repo->record.uid);
  return Status::ok();
}

Result<domain::RepoRecord> RepoService::move(const Caller& caller, RepoKind type,
                                             const std::string& from, const std::string& to) {
  auto split = [](const std::string& id, std::string* ns, std::string* name) {
    auto slash = id.find('/');
    if (slash == std::string::npos || id.find('/', slash + 1) != std::string::npos) return false;
    *ns = id.substr(0, slash);
    *name = id.substr(slash + 1);
    return true;
  };
  std::string from_ns, from_name, to_ns, to_name;
  if (!split(from, &from_ns, &from_name)) return bad_request("Invalid repo id: " + from);
  if (!split(to, &to_ns, &to_name)) return bad_request("Invalid repo id: " + to);
  if (auto st = validate_namespace(to_ns); !st) return st;
  if (auto st = validate_repo_name(to_name); !st) return st;
  auto repo = find(type, from_ns, from_name, caller, AccessLevel::kManage);
  if (!repo) return repo.status();
  if (repo->redirected) return repo_not_found();
  domain::RepoRecord target;
  target.type = type;
  target.ns = to_ns;
  target.name = to_name;
  auto writable = may(target, caller, AccessLevel::kWrite);
  if (!writable) return writable.status();
  if (!*writable) {
    return forbidden("You don't have the rights to move a repo to the namespace " + to_ns);
  }
  auto existing = hub_.db().find_repo(type, to_ns, to_name);
  if (!existing) return existing.status();
  if (*existing && (*existing)->uid != repo->record.uid) {
    return conflict("A " + domain::to_wire(type) + " repository called " + to + " already exists");
  }
  domain::RepoRecord renamed = repo->record;
  renamed.ns = to_ns;
  renamed.name = to_name;
  const std::string old_name = tlog_repo_name(repo->record);
  LoggedChange logged(hub_.transparency().store());
  if (auto st = logged.begin(
          {make_entry(renamed,
                      {{"kind", "repo"},
                       {"action", "rename"},
                       {"from", old_name},
                       {"private", renamed.is_private},
                       {"actor", caller.author_name()}},
                      {"renamed-from:" + renamed.uid + ":" + old_name, "name:" + old_name},
                      storage::TlogIntent{"rename", renamed.uid, "", tlog_repo_name(renamed)})});
      !st) {
    return st;
  }
  if (auto st = hub_.db().rename_repo(repo->record.uid, to_ns, to_name); !st) {
    if (st.kind() == ErrorKind::kConflict) {
      return conflict("A " + domain::to_wire(type) + " repository called " + to +
                      " already exists");
    }
    return st;
  }
  logged.done();
  auto found = hub_.db().find_repo(type, to_ns, to_name);
  if (!found) return found.status();
  if (!*found) return internal_error("repository " + to + " vanished after its rename");
  domain::RepoRecord moved = **found;
  AuditLog(hub_).record(audit::kRepoMove, &caller, AuditLog::repo_target(moved),
                        {{"from", AuditLog::repo_target(repo->record)}});
  hub_.lineage().on_repo_changed(moved);  // revisions that named the new id can link now
  return moved;
}

Status RepoService::update_settings(const domain::RepoRecord& as_found,
                                    std::optional<bool> is_private,
                                    std::optional<domain::GatingMode> gated, const Caller* actor) {
  // One settings change per repository at a time, from its current row: the caller's record
  // may be stale (read before the request's body arrived), and two changes deciding from stale
  // rows would log, and file the log's lookup index, against the wrong visibility.
  static util::StripedMutex settings_turns;
  std::lock_guard turn(settings_turns.of(as_found.uid));
  auto current = hub_.db().find_repo_by_uid(as_found.uid);
  if (!current) return current.status();
  if (!*current) return repo_not_found();
  const domain::RepoRecord& repo = **current;
  // A change of visibility is logged before it takes effect, as seen from the state it leaves:
  // going private, in the clear (the repository was public); going public, sealed, and in the
  // clear once it is public (a failure in between must not publish a private repository).
  LoggedChange logged(hub_.transparency().store());
  const bool changes = is_private && *is_private != repo.is_private;
  const std::string was = repo.is_private ? "1" : "0";
  auto visibility_entry = [&](const domain::RepoRecord& as,
                              std::optional<storage::TlogIntent> intent) {
    return make_entry(
        as,
        {{"kind", "repo"},
         {"action", "visibility"},
         {"private", *is_private},
         {"actor", actor && actor->user ? actor->user->name : std::string("vitrine")}},
        {"visibility-from:" + repo.uid + ":" + was}, std::move(intent));
  };
  if (changes) {
    domain::RepoRecord before = repo;
    if (auto st = logged.begin({visibility_entry(
            before, storage::TlogIntent{"visibility", repo.uid, "", *is_private ? "1" : "0"})});
        !st) {
      return st;
    }
  }
  // Lookups hide its sealed entries before it turns private, and show them once it is public
  // (a failure in between leaves them hidden; the next start puts it right).
  if (changes && *is_private) {
    if (auto hidden = hub_.transparency().store().set_open(repo.uid, false); !hidden) {
      return hidden;
    }
  }
  auto st = hub_.db().update_repo_settings(repo.uid, is_private.value_or(repo.is_private),
                                           gated.value_or(repo.gated));
  if (!st) return st;
  logged.done();
  if (changes && !*is_private) {
    if (auto shown = hub_.transparency().store().set_open(repo.uid, true); !shown) {
      spdlog::warn("opening the sealed log entries of {}: {}", repo.id(), shown.message());
    }
  }
  if (gated && domain::is_gated(*gated) != domain::is_gated(repo.gated)) {
    // Whether the training manifest's base models are listing tags depends on gating.
    if (auto tags = refresh_listing_tags(hub_, repo.uid); !tags) {
      spdlog::warn("listing tags of {}: {}", repo.id(), tags.message());
    }
  }
  if (is_private && *is_private != repo.is_private) {
    domain::RepoRecord now = repo;
    now.is_private = *is_private;
    hub_.lineage().on_repo_changed(now);  // the graph hides private repositories
  }
  if (changes && !*is_private) {
    domain::RepoRecord now_public = repo;
    now_public.is_private = false;
    (void)hub_.transparency().store().append({visibility_entry(now_public, std::nullopt)});
  }
  // Only actual changes are security events; a settings call that repeats them is not.
  AuditLog audit_log(hub_);
  if (is_private && *is_private != repo.is_private) {
    audit_log.record(audit::kRepoVisibility, actor, AuditLog::repo_target(repo),
                     {{"private", *is_private}});
  }
  if (gated && *gated != repo.gated) {
    auto as_json = [](domain::GatingMode g) -> nlohmann::json {
      return domain::is_gated(g) ? nlohmann::json(domain::to_wire(g)) : nlohmann::json(false);
    };
    audit_log.record(audit::kRepoGating, actor, AuditLog::repo_target(repo),
                     {{"gated", as_json(*gated)}, {"was", as_json(repo.gated)}});
  }
  return st;
}

Status RepoService::reindex(const domain::RepoRecord& repo) {
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  auto head = (*git)->ref_target(kHeads + kDefaultBranch);
  if (!head) return Status::ok();
  std::string card = "{}";
  auto readme = (*git)->entry_at(*head, "README.md");
  if (readme && readme->has_value() && !(*readme)->is_dir && (*readme)->size < (1u << 20)) {
    auto text = (*git)->read_blob((*readme)->oid);
    if (text) {
      auto front = parse_front_matter(*text);
      if (front.present && front.error.empty()) {
        card = front.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    }
  }
  int64_t modified = util::now_ms();
  if (auto info = (*git)->commit_info(*head)) modified = info->time_ms;
  auto st = hub_.db().update_repo_index(repo.uid, *head, modified, card);
  hub_.lineage().on_refs_changed(repo);  // logs its own failures; the index can be rebuilt
  if (!st) return st;
  // A dataset's new revision is processed for the viewer in the background. A failure to queue
  // is logged: the first viewer request for the revision queues it again.
  if (repo.type == domain::RepoKind::kDataset) {
    if (auto job = DatasetViewer(hub_).queue(repo, *head); !job) {
      spdlog::warn("viewer: queueing {}@{}: {}", repo.id(), *head, job.status().message());
    }
  }
  // After the lineage index: the tags include the new head's base models. The row is already
  // right, so a failure here is logged (the next push or serve start refreshes the tags).
  if (auto tags = refresh_listing_tags(hub_, repo.uid); !tags) {
    spdlog::warn("listing tags of {}: {}", repo.id(), tags.message());
  }
  return Status::ok();
}

}  // namespace vitrine::service
