// MetadataDb: the hub's metadata in SQLite (WAL mode): users, tokens, the repository index and
// rename redirects. The git repositories are the source of truth for content; the repo rows
// (head sha, card data, last modified) are an index rebuilt from them on every ref change.
// Thread-safe: writes go through one connection guarded by a mutex (SQLite serializes writers
// anyway); reads take a connection from a small pool, so they run in parallel under WAL.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "domain/access_request.hpp"
#include "domain/account.hpp"
#include "domain/audit_event.hpp"
#include "domain/job.hpp"
#include "domain/lineage_edge.hpp"
#include "domain/repo.hpp"
#include "domain/viewer_result.hpp"
#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

// The records it keeps are the domain's (domain/): storage speaks in them.
using domain::AccessRequestRecord;
using domain::AuditEventRecord;
using domain::AuditQuery;
using domain::GatingMode;
using domain::JobRecord;
using domain::JobState;
using domain::LineageEdgeRow;
using domain::MemberRole;
using domain::OrgMembership;
using domain::OrgRecord;
using domain::RepoKind;
using domain::RepoListQuery;
using domain::RepoRecord;
using domain::TokenRecord;
using domain::TokenRole;
using domain::UserRecord;
using domain::ViewerResult;

class MetadataDb {
 public:
  static Result<std::unique_ptr<MetadataDb>> open(const std::string& path);
  ~MetadataDb();

  Result<UserRecord> create_user(const std::string& name, const std::string& fullname,
                                 const std::string& email, bool is_admin);
  // Lookups tell "none" (an empty optional) from "could not read" (an error).
  Lookup<UserRecord> find_user(const std::string& name);
  Lookup<UserRecord> find_user_by_id(int64_t id);

  std::vector<UserRecord> list_users();
  // A user's avatar URL ("" when none was set).
  Status set_avatar_url(int64_t user_id, const std::string& url);
  std::string avatar_url(int64_t user_id);
  // The Argon2id-encoded password ("" when the user has none).
  Status set_password_hash(int64_t user_id, const std::string& encoded);
  Result<std::string> password_hash(int64_t user_id);
  // Web sessions, stored by the SHA-256 of their cookie value.
  Status create_session(const std::string& hash, int64_t user_id, const std::string& csrf,
                        int64_t expires_at);
  // (user id, CSRF token) of a live session.
  Lookup<std::pair<int64_t, std::string>> find_session(const std::string& hash);
  Status delete_session(const std::string& hash);
  // Deletes the user, their tokens and memberships (their repositories stay, owned by the
  // namespace, until an admin deletes them).
  Status delete_user(const std::string& name);

  // Users and organizations share one namespace: kConflict when either holds the name.
  Result<OrgRecord> create_org(const std::string& name, const std::string& fullname,
                               int64_t owner_user_id);
  Lookup<OrgRecord> find_org(const std::string& name);
  // Adds the member or changes their role.
  Status set_org_member(int64_t org_id, int64_t user_id, MemberRole role);
  std::vector<OrgMembership> org_members(int64_t org_id);
  std::vector<OrgMembership> orgs_of_user(int64_t user_id);
  // How many public (gated included) repositories of `type` the namespace holds
  // (metadata_profiles.cpp); private ones never count, so profiles reveal nothing of them.
  int64_t count_public_repos(const std::string& ns, RepoKind type);
  // The user's role in the organization named `org`, if a member.
  Lookup<MemberRole> org_role(const std::string& org, int64_t user_id);

  Result<TokenRecord> create_token(int64_t user_id, const std::string& name, TokenRole role,
                                   const std::string& hash, int64_t expires_at = 0,
                                   const std::string& scopes_json = "", int64_t parent_id = 0);
  Lookup<TokenRecord> find_token_by_hash(const std::string& hash);
  void touch_token(int64_t token_id, int64_t now_ms);
  Result<std::vector<TokenRecord>> list_tokens(int64_t user_id);
  // kNotFound when the user has no such token.
  Status revoke_token(int64_t user_id, int64_t token_id);

  // kConflict when a repo of that type and id (case-insensitive) exists.
  Status insert_repo(const RepoRecord& repo);
  Lookup<RepoRecord> find_repo(RepoKind type, const std::string& ns, const std::string& name);
  // By uid (stable across renames), uncached; nullopt once deleted.
  Lookup<RepoRecord> find_repo_by_uid(const std::string& uid);
  // The repository an old (renamed) id now points to.
  Lookup<RepoRecord> find_redirect(RepoKind type, const std::string& ns, const std::string& name);
  Status delete_repo(const std::string& uid);
  // Renames and records a redirect from the old id. kConflict if the target id exists.
  Status rename_repo(const std::string& uid, const std::string& new_ns,
                     const std::string& new_name);
  Status update_repo_settings(const std::string& uid, bool is_private, GatingMode gated);
  Status update_repo_index(const std::string& uid, const std::string& head_sha,
                           int64_t last_modified, const std::string& card_json);
  std::vector<RepoRecord> list_repos(const RepoListQuery& query);
  // SQLite's plan for list_repos(query), one line per step (benchmarks and tests check that the
  // tag index is used).
  std::vector<std::string> explain_list_repos(const RepoListQuery& query);
  // The tags listing filters match (service/repos/listing_tags.hpp), replaced at once; duplicates
  // that differ only in case are kept once.
  Status set_repo_tags(const std::string& uid, const std::vector<std::string>& tags);
  std::vector<std::string> repo_tags(const std::string& uid);
  // Whether any repository has listing tags (false: a data folder from before them).
  bool any_repo_tags();
  // Which LFS objects a repository's commits reference: LFS downloads hand out only those, so
  // knowing another repository's object id grants nothing.
  Status add_repo_lfs_objects(const std::string& uid, const std::vector<std::string>& oids);
  // The same for the objects of the Parquet export (refs/convert/parquet): links marked as the
  // export's own and stamped now (again when already the export's), unless a commit already
  // links the object (a later commit's link unmarks it).
  Status add_export_lfs_objects(const std::string& uid, const std::vector<std::string>& oids);
  // The repositories holding links only their export made.
  std::vector<std::string> repos_with_export_links();
  // Removes the export's own links stamped before `linked_before_ms`, except `keep` (what the
  // repository's refs still name); how many were removed. A commit's links are never removed.
  Result<size_t> drop_export_lfs_objects(const std::string& uid, const std::set<std::string>& keep,
                                         int64_t linked_before_ms);
  bool repo_has_lfs_object(const std::string& uid, const std::string& oid);
  // Every LFS object some existing repository's commits name (what garbage collection keeps).
  std::set<std::string> live_lfs_objects();
  // The repositories whose commits name this LFS object.
  std::vector<RepoRecord> repos_naming_lfs_object(const std::string& oid);
  // The private repositories of these namespaces (compared case-insensitively), all types.
  std::vector<RepoRecord> private_repos_in(const std::vector<std::string>& namespaces);

  // Lineage index. put_lineage_revision replaces the revision's row and edges at once.
  Status put_lineage_revision(const std::string& uid, const std::string& commit,
                              const std::string& facts_json,
                              const std::vector<LineageEdgeRow>& edges);
  Lookup<std::string> lineage_facts(const std::string& uid, const std::string& commit);
  std::vector<LineageEdgeRow> lineage_edges_of(const std::string& uid, const std::string& commit);
  // Edges of every indexed revision pointing at the repository (any commit, or `commit`).
  std::vector<LineageEdgeRow> lineage_edges_to(const std::string& parent_uid,
                                               const std::string& commit = "");
  // Edges of the revisions the repositories' `ref` currently names (the current graph).
  std::vector<LineageEdgeRow> lineage_edges_at_ref(const std::string& ref);
  Status set_lineage_heads(const std::string& uid,
                           const std::vector<std::pair<std::string, std::string>>& ref_commits);
  std::vector<std::pair<std::string, std::string>> lineage_heads(const std::string& uid);
  // Forgets a deleted repository's revisions, edges and heads.
  Status delete_lineage(const std::string& uid);
  // The background job queue (service/jobs/job_queue.hpp has the rules). enqueue_job adds a
  // queued job unless one of the same kind and key exists, and returns the job either way.
  Result<JobRecord> enqueue_job(const std::string& kind, const std::string& key,
                                const std::string& payload, int64_t now_ms);
  // Claims the oldest claimable job of `kinds` (all kinds when empty) for `owner` until
  // `lease_until_ms`: a queued job, or a running one whose lease ran out before `now_ms` (its
  // worker stopped). A job claimed `max_attempts` times already is marked failed instead.
  Lookup<JobRecord> claim_job(const std::vector<std::string>& kinds, const std::string& owner,
                              int64_t now_ms, int64_t lease_until_ms, int64_t max_attempts);
  // Extends the lease of a job `owner` holds and records its progress; kPreconditionFailed
  // when `owner` no longer holds it (the lease ran out and another worker claimed it).
  Status renew_job(int64_t id, const std::string& owner, int64_t lease_until_ms, double progress);
  // Moves a job `owner` holds to `state` (done, failed, or queued again to be retried) with the
  // attempt's error. kPreconditionFailed when `owner` no longer holds it.
  Status finish_job(int64_t id, const std::string& owner, JobState state, const std::string& error,
                    int64_t now_ms);
  Lookup<JobRecord> find_job(int64_t id);
  Lookup<JobRecord> find_job_by_key(const std::string& kind, const std::string& key);
  // Newest first, at most `limit`; only `state` when given.
  Result<std::vector<JobRecord>> list_jobs(std::optional<JobState> state, size_t limit);
  // Queues a finished (done or failed) job again with its attempts reset, to redo its work on
  // request; a queued or running job is left as it is. Returns the job; none when no job has
  // that kind and key.
  Lookup<JobRecord> requeue_job(const std::string& kind, const std::string& key);

  // The dataset viewer's answers (metadata_viewer.cpp): one per (repository, revision, step,
  // config, split), replaced when written again.
  Status put_viewer_result(const ViewerResult& result);
  Lookup<ViewerResult> viewer_result(const std::string& uid, const std::string& revision,
                                     const std::string& step, const std::string& config,
                                     const std::string& split);
  // Every answer of one step for a revision (all configs and splits), in config, split order.
  Result<std::vector<ViewerResult>> viewer_results(const std::string& uid,
                                                   const std::string& revision,
                                                   const std::string& step);
  // Which answers of one step a revision has, without their bodies: (config, split, error
  // code, empty when it succeeded), in config, split order.
  Result<std::vector<std::tuple<std::string, std::string, std::string>>> viewer_outcomes(
      const std::string& uid, const std::string& revision, const std::string& step);
  // The revisions of the repository that have an answer of `step`, newest first.
  Result<std::vector<std::string>> viewer_revisions(const std::string& uid,
                                                    const std::string& step);
  // Forgets the repository's answers of every revision but `keep` ("" forgets all).
  Status delete_viewer_results(const std::string& uid, const std::string& keep);

  // Indexed revisions with an edge naming `parent_id` (any case) of `parent_type` that links to
  // no existing repository: what to index again when such a repository appears.
  std::vector<std::pair<std::string, std::string>> lineage_unlinked_children(
      const std::string& parent_type, const std::string& parent_id);
  // The uids of private repositories (lineage answers hide those the caller cannot read).
  std::vector<std::string> private_repo_uids();
  // Every repository uid with at least one indexed revision.
  std::vector<std::string> lineage_repos();
  // Parsed weight-file headers, by content ("sha256:<hex>" or "git:<oid>").
  Lookup<std::string> weight_header(const std::string& key);
  Status put_weight_header(const std::string& key, const std::string& summary_json);

  // Creates or replaces the user's request (a new request resets a rejection to `status`).
  Status put_access_request(const std::string& uid, int64_t user_id, const std::string& status,
                            const std::string& fields_json);
  // kNotFound when the user has no request and `create` is false.
  Status set_access_status(const std::string& uid, int64_t user_id, const std::string& status,
                           bool create);
  Lookup<std::string> access_status(const std::string& uid, int64_t user_id);
  Result<std::vector<AccessRequestRecord>> access_requests(const std::string& uid,
                                                           const std::string& status);

  // Download counts (metadata_downloads.cpp). `counts` are (repository uid, downloads) made on
  // UTC day `day` (days since the Unix epoch): added to that day's row and the all-time total,
  // and the repositories' 30-day counts recomputed, in one transaction. Uids of repositories
  // that no longer exist are skipped.
  Status add_downloads(const std::vector<std::pair<std::string, int64_t>>& counts, int64_t day);
  // Moves the 30-day window to end on `today`: day rows older than the window are dropped and
  // every repository's 30-day count is recomputed (the all-time totals stay).
  Status roll_download_window(int64_t today);

  // Allocates the next pull-request number of a repository (1, 2, ...).
  Result<int64_t> next_pr_number(const std::string& uid);

  // The audit log is append-only: there is no update or delete, and triggers refuse both.
  // Returns the new event's id.
  Result<int64_t> append_audit_event(const AuditEventRecord& event);
  std::vector<AuditEventRecord> audit_events(const AuditQuery& query);

 private:
  explicit MetadataDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status exec(const char* sql);

  // A pooled read-only connection, returned to the pool when it goes out of scope.
  class Reader {
   public:
    Reader(MetadataDb& db, sqlite3* conn) : db_(db), conn_(conn) {}
    ~Reader() { db_.release_reader(conn_); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    sqlite3* get() const { return conn_; }

   private:
    MetadataDb& db_;
    sqlite3* conn_;
  };
  Reader reader();
  void release_reader(sqlite3* conn);
  // Organization memberships selected by `where_and_order` with one bound id.
  std::vector<OrgMembership> memberships(const char* where_and_order, int64_t id);
  // The SQL of list_repos and its bound text parameters (limit and offset follow them).
  static std::string list_repos_sql(const RepoListQuery& query, std::vector<std::string>* params);

  std::mutex mutex_;
  sqlite3* db_;
  std::string path_;
  std::mutex readers_mutex_;
  std::vector<sqlite3*> readers_;

  // Repository rows by (type, lower-case id), for one second at most and void after any
  // repository write of this process (a generation counter bumped when the write returns):
  // the hot path (every request names a repo) then skips SQLite. Other processes never
  // write repository rows.
  struct CachedRepo {
    std::optional<RepoRecord> repo;
    uint64_t generation = 0;
    int64_t expires_ms = 0;
  };
  struct GenerationBump {
    explicit GenerationBump(std::atomic<uint64_t>& g) : generation(g) {}
    ~GenerationBump() { ++generation; }
    std::atomic<uint64_t>& generation;
  };
  std::optional<std::optional<RepoRecord>> cached_repo(const std::string& key);
  void cache_repo(const std::string& key, const std::optional<RepoRecord>& repo,
                  uint64_t generation);
  std::atomic<uint64_t> repo_generation_{0};
  std::mutex repo_cache_mutex_;
  std::unordered_map<std::string, CachedRepo> repo_cache_;
};

}  // namespace vitrine::storage
