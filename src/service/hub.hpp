// Hub: the service layer's context. It owns the storage backends (metadata database, git
// repositories on disk, large-object store) and the configuration, and is shared by every
// request thread. Everything it holds is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "domain/account.hpp"
#include "domain/repo.hpp"
#include "domain/role.hpp"
#include "formats/card/card_renderer.hpp"
#include "formats/datasets/parquet_rows.hpp"
#include "formats/hub/token_scope.hpp"
#include "service/commits/commit_diff.hpp"
#include "service/commits/commit_history.hpp"
#include "service/repos/repo_handle.hpp"
#include "service/repos/snapshot_cache.hpp"
#include "util/lru_cache.hpp"
#include "util/result.hpp"

// The stores a hub owns; their headers are private to the service layer.
namespace vitrine::storage {
class BlobStore;
class MetadataDb;
class XetStore;
}  // namespace vitrine::storage

namespace vitrine::service {

class DownloadCounter;
class Lineage;
class Transparency;

struct HubConfig {
  std::string data_dir = "./data";
  std::string public_url = "http://127.0.0.1:8080";  // what clients put in HF_ENDPOINT
  uint64_t multipart_threshold = 512ull << 20;       // LFS objects above this upload in parts
  uint64_t multipart_chunk_size = 64ull << 20;       // size of each part
  size_t tree_page_size = 1000;
  size_t max_json_body = 2u << 20;      // JSON request bodies (nesting: util::kMaxJsonDepth)
  size_t max_commit_body = 1ull << 30;  // NDJSON commit bodies, streamed
  size_t max_commit_line = 64u << 20;   // one NDJSON line (a base64 regular file)
  uint64_t max_lfs_object = 64ull << 30;
  // One LFS batch request: objects it may list (git-lfs sends 100, huggingface_hub up to 256),
  // and signed part URLs its answer may carry in all (objects past that get a per-object 413).
  size_t max_lfs_batch_objects = 1000;
  size_t max_lfs_batch_parts = 10000;
  int64_t signed_url_ttl_seconds = 3600;
  uint64_t max_push_body = 64ull << 30;  // git receive-pack bodies (packs), spooled to disk
  // git upload-pack (clone, fetch) request bodies: wants and haves, after decompression.
  uint64_t max_fetch_body = 100ull << 20;
  // Rate limits (api/request_limits.hpp), in fixed windows of rate_limit_window_seconds;
  // 0 disables a limit. Requests of every kind count, per user or per IP when anonymous.
  uint64_t rate_limit_requests = 10000;
  uint64_t rate_limit_auth_failures = 100;  // bad or revoked tokens per IP
  int64_t rate_limit_window_seconds = 300;
  std::string executable_path;  // this binary, for git hooks (`vitrine hook pre-receive`)
  // Xet: offered to clients that ask (LFS batch "xet" transfer, X-Xet-Hash on downloads).
  bool xet_enabled = true;
  int64_t xet_token_ttl_seconds = 3600;
  // Requests of one requester for one repository with gaps under this count as one download
  // (service/repos/download_counter.hpp); 0 counts every request.
  int64_t download_series_seconds = 300;
};

// Who is calling. An anonymous caller has no user; a bad token is remembered so that write
// endpoints can refuse it with the contract's message instead of treating it as anonymous.
struct Caller {
  std::optional<domain::UserRecord> user;
  domain::TokenRole role = domain::TokenRole::kRead;  // a session acts as kWrite
  std::string token_name;
  int64_t token_created_at = 0;
  int64_t token_expires_at = 0;    // unix ms; 0: never (or not a token)
  int64_t token_id = 0;            // the token's row; 0: not a token (anonymous, a session)
  std::vector<TokenScope> scopes;  // role kFineGrained: what the token may touch
  bool session = false;            // signed in with a password (the web session cookie)
  bool bad_token = false;
  // Set when the credentials could not be checked (the token store could not be read): the
  // request is answered with this error, neither as anonymous nor as bad credentials.
  Status unreadable;
  std::string ip;  // the request's remote address, for the audit log
  bool authenticated() const { return user.has_value(); }
  bool is_admin() const { return user && user->is_admin; }
  bool fine_grained() const { return role == domain::TokenRole::kFineGrained; }
  // The token's role allows writing somewhere (scopes still decide where, for fine-grained).
  bool can_write() const { return user && role != domain::TokenRole::kRead; }
  // Who the commits and tags the caller makes are by: the user ("vitrine" for the admin CLI),
  // with the account's email or a no-reply address.
  std::string author_name() const { return user ? user->name : std::string("vitrine"); }
  std::string author_email() const {
    if (user && !user->email.empty()) return user->email;
    return author_name() + "@users.noreply.vitrine";
  }
};

class Hub {
 public:
  static Result<std::unique_ptr<Hub>> open(HubConfig config);
  ~Hub();

  // Cleans up after a killed server: stale git lock files (a ref lock left by a crash would
  // refuse every later update of that ref) and unfinished uploads. Call only when no other
  // process writes to this data folder, i.e. when `vitrine serve` starts.
  void recover_after_crash();

  const HubConfig& config() const { return config_; }
  SnapshotCache& snapshots() { return snapshots_; }
  // Rendered cards by repository path and commit: a commit's README never changes, and a
  // README of pathological Markdown costs its rendering once, not on every view.
  util::LruCache<RenderedCard>& cards() { return cards_; }
  // Commit diffs by repository uid and commit (they never change; each costs up to
  // DiffLimits' reads and diffing): a page viewed again is not diffed again.
  util::LruCache<CommitDiff>& diffs() { return diffs_; }
  // Parquet pages the dataset viewer's requests decompressed (by repository and file).
  datasets::ParquetPageCache& parquet_pages() { return parquet_pages_; }
  // Parquet footers the dataset viewer's requests parsed (by repository and file).
  datasets::ParquetFile::FooterCache& parquet_footers() { return parquet_footers_; }
  // Commit histories for the commits listing (service/commits/commit_history.hpp).
  CommitHistories& histories() { return histories_; }
  // The stores, for services (their types are complete only inside the service layer).
  storage::MetadataDb& db() { return *db_; }
  storage::BlobStore& blobs();
  // The same store, with its Xet interface (CAS, reconstructions, maintenance).
  storage::XetStore& xet() { return *blobs_; }
  // Key for self-authenticating URLs (LFS hrefs), created once per data folder.
  const std::string& signing_key() const { return signing_key_; }
  // The transparency log (docs/transparency.md).
  Transparency& transparency() { return *transparency_; }
  // The lineage index (docs/lineage.md).
  Lineage& lineage() { return *lineage_; }
  // Download counts, batched in memory (`vitrine serve` flushes them in the background).
  DownloadCounter& downloads() { return *downloads_; }
  // Wakes the background workers when work is queued (`vitrine serve` sets what wakes them;
  // without it, nothing happens and they find the work when they next look).
  void set_job_waker(std::function<void()> waker) { job_waker_ = std::move(waker); }
  void wake_jobs() const {
    if (job_waker_) job_waker_();
  }
  std::string git_path(const domain::RepoRecord& repo) const;
  Result<RepoHandle> open_git(const domain::RepoRecord& repo) const;

 private:
  HubConfig config_;
  std::unique_ptr<storage::MetadataDb> db_;
  std::unique_ptr<storage::XetStore> blobs_;
  std::string signing_key_;
  std::unique_ptr<Transparency> transparency_;
  std::unique_ptr<Lineage> lineage_;
  std::unique_ptr<DownloadCounter> downloads_;     // after db_: flushes into it when destroyed
  SnapshotCache snapshots_{256u << 20};            // weighed by their entries' bytes
  util::LruCache<RenderedCard> cards_{32u << 20};  // weighed by their HTML's bytes
  util::LruCache<CommitDiff> diffs_{32u << 20};    // weighed by their patches' bytes
  CommitHistories histories_{64u << 20};           // 20 bytes per commit: 3.3 million commits
  datasets::ParquetPageCache parquet_pages_{256u << 20};           // weighed by their bodies' bytes
  datasets::ParquetFile::FooterCache parquet_footers_{64u << 20};  // by 32 x their bytes
  std::function<void()> job_waker_;                                // set once, before serving
};

}  // namespace vitrine::service
