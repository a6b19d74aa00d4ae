// The api layer: HTTP handlers for the Hugging Face Hub protocol. Handlers are thin: they
// parse the request, authorize through the service layer, call it, and shape the answer the
// clients expect (headers and JSON per shared/reference/hf-api-contract.md).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "service/auth_service.hpp"
#include "service/git_transport.hpp"
#include "service/hub.hpp"
#include "service/lfs_service.hpp"
#include "service/repo_service.hpp"
#include "util/query.hpp"

namespace vitrine::api {

struct Context {
  explicit Context(service::Hub& h) : hub(h), auth(h), repos(h), lfs(h), git(h) {}
  service::Hub& hub;
  service::AuthService auth;
  service::RepoService repos;
  service::LfsService lfs;
  service::GitTransport git;
  // The built web interface (index.html, assets/); empty: none installed, and `/` answers
  // a line of text. Set once before serving.
  std::string web_dir;
};

// One request as the handlers see it.
struct Call {
  http::Request& request;
  service::Caller caller;
  util::QueryParams query;
};

// A repository addressed by a URL, with the decoded segments that follow its id.
struct RepoTarget {
  service::RepoType type;
  std::string ns;
  std::string name;
  std::vector<std::string> rest;  // decoded, one per raw segment
};

// Who a call counts against for per-caller limits: its user ("#<id>"), or for anonymous calls
// its client address (an IPv6 client by its /64: http::client_key).
std::string caller_key(const Call& call);

// Builds the hub's request handler (every route, CORS, request ids, authentication).
http::Handler make_handler(Context& context);

http::Response json_response(int status, const nlohmann::json& body);
// The contract's error shape: status by kind (401 vs 404 for hidden repos depends on whether
// the caller is authenticated), X-Error-Code, X-Error-Message and {"error": message}.
http::Response error_response(const Status& status, const service::Caller& caller);
// Parses a JSON body (bounded); kBadRequest if malformed.
Result<nlohmann::json> read_json(Call& call, size_t limit);
std::string repo_url(Context& ctx, const service::RepoType& type, const std::string& id);
// The repository of a route /api/vitrine/{what}/{type}s/{ns}/{name}/... (`seg`) whose answer
// shows file contents, as a download does: read access plus the gate of a gated repository;
// its git repository opened. A type other than models and datasets is kNotFound.
struct ContentTarget {
  service::RepoType type;
  service::RepoRef repo;
  std::unique_ptr<storage::GitRepo> git;
};
Result<ContentTarget> open_for_content(Context& ctx, const Call& call,
                                       const std::vector<std::string>& seg);

// Whether a grant handed out earlier (a Xet token, a signed download URL) still holds: its
// repository exists and the user and access token it was issued to (AuthService::caller_now)
// still read it, and pass its gate unless the grant is for writing. kUnauthorized otherwise.
// Each use of a grant asks, so revocations take effect at once.
Status check_grant_still_holds(Context& ctx, const std::string& repo_uid, const std::string& user,
                               int64_t token_id, bool write);

// Web sessions (session_api.cpp). POST /api/vitrine/login {"username","password"} sets the
// HttpOnly, Secure, SameSite=Strict cookie kSessionCookie and answers the CSRF token that
// state-changing requests authenticated by the cookie must send in X-CSRF-Token.
inline constexpr char kSessionCookie[] = "vitrine_session";
http::Response handle_login(Context& ctx, Call& call);
http::Response handle_logout(Context& ctx, Call& call);

// Repository API (repo_api.cpp).
http::Response handle_repo_create(Context& ctx, Call& call);
http::Response handle_repo_delete(Context& ctx, Call& call);
http::Response handle_repo_move(Context& ctx, Call& call);
http::Response handle_repo_listing(Context& ctx, Call& call, const service::RepoType& type);
http::Response handle_validate_yaml(Context& ctx, Call& call);

// Accounts (account_api.cpp): whoami-v2, user and organization overviews, members.
http::Response handle_whoami(Context& ctx, Call& call);
http::Response handle_user_overview(Context& ctx, Call& call, const std::string& name);
http::Response handle_org_overview(Context& ctx, Call& call, const std::string& name);
http::Response handle_org_members(Context& ctx, Call& call, const std::string& name);
// The caller's own access tokens (token_api.cpp): GET/POST /api/vitrine/tokens,
// DELETE /api/vitrine/tokens/{id}; a password session or a write token.
http::Response handle_token_list(Context& ctx, Call& call);
http::Response handle_token_create(Context& ctx, Call& call);
http::Response handle_token_revoke(Context& ctx, Call& call, const std::string& id);
// /api/{type}s/{ns}/{name}/... sub-resources (and the bare info route).
http::Response handle_repo_api(Context& ctx, Call& call, RepoTarget& target);

// Gated access (access_api.cpp): ask-access and user-access-request/{status|handle|grant}.
http::Response handle_access_api(Context& ctx, Call& call, const service::RepoRef& repo,
                                 const std::string& keyword, const std::vector<std::string>& rest);

// Downloads (download_api.cpp): /{prefix}{ns}/{name}/resolve|raw/{rev}/{path}.
http::Response handle_download(Context& ctx, Call& call, RepoTarget& target, bool raw);

// git smart HTTP (git/smart_http.cpp): rest is info/refs, git-upload-pack or git-receive-pack.
http::Response handle_git(Context& ctx, Call& call, RepoTarget& target);

// Uploads (upload_api.cpp).
http::Response handle_preupload(Context& ctx, Call& call, const service::RepoRef& repo,
                                const std::vector<std::string>& rev_segments);
http::Response handle_commit(Context& ctx, Call& call, const service::RepoRef& repo,
                             const std::vector<std::string>& rev_segments);
http::Response handle_lfs_batch(Context& ctx, Call& call, RepoTarget& target);
http::Response handle_lfs_locks(Context& ctx, Call& call, RepoTarget& target);
// Signed object URLs under /api/vitrine/lfs/... (no Authorization: the signature is the key).
http::Response handle_lfs_object(Context& ctx, Call& call, const std::vector<std::string>& rest);

// Security audit log (audit_api.cpp): GET /api/vitrine/audit, for hub administrators.
http::Response handle_audit_log(Context& ctx, Call& call);
// The transparency log (tlog_api.cpp): /tlog/... (static tiles), /api/tlog/... (proofs,
// lookups), /api/{type}s/{repo}/tlog.
http::Response handle_tlog_static(Context& ctx, Call& call, const std::vector<std::string>& seg);
http::Response handle_tlog_api(Context& ctx, Call& call, const std::vector<std::string>& seg);
http::Response handle_repo_tlog(Context& ctx, Call& call, const service::RepoRef& repo);
// Lineage and openness (lineage_api.cpp): /api/vitrine/lineage/{type}s/{ns}/{name}[/action],
// /api/vitrine/openness/models/{ns}/{name}, /api/datasets/{repo}/croissant, and the
// model-tree fields model info adds (baseModels, childrenModelCount, safetensors, gguf).
http::Response handle_lineage_api(Context& ctx, Call& call, const std::vector<std::string>& seg);
http::Response handle_openness_api(Context& ctx, Call& call, const std::vector<std::string>& seg);
http::Response handle_croissant(Context& ctx, Call& call, const service::RepoRef& repo);
void add_lineage_info(Context& ctx, const Call& call, const storage::RepoRecord& repo,
                      const std::string& commit, nlohmann::json& info);
// Rendered cards (card_api.cpp): GET /api/vitrine/card/{type}s/{ns}/{name}[?revision=].
http::Response handle_card_api(Context& ctx, Call& call, const std::vector<std::string>& seg);
http::Response handle_render_api(Context& ctx, Call& call, const std::vector<std::string>& seg);
// A commit's changes and diffs (diff_api.cpp): GET /api/vitrine/diff/{type}s/{ns}/{name}/{rev}.
http::Response handle_diff_api(Context& ctx, Call& call, const std::vector<std::string>& seg);
// The web interface (web_api.cpp): the single-page application's files from ctx.web_dir.
// Pages (/, /{page}, /{prefix}{repo}, /{prefix}{repo}/blob/{rev}/{path*}) answer its
// index.html (no-cache), /assets/{path*} the content-hashed files (immutable); a
// pre-compressed `.gz` beside a file is sent to clients that accept gzip.
http::Response handle_web_page(Context& ctx, Call& call, const std::vector<std::string>& seg);
http::Response handle_web_asset(Context& ctx, Call& call, const std::vector<std::string>& seg);
// Where the build installs the web interface for this binary: `web/` beside it, or
// `../share/vitrine/web`; "" when neither holds an index.html.
std::string default_web_dir(const std::string& executable_path);
// Records a request refused for bad credentials (unknown, revoked or expired token).
void record_auth_failure(Context& ctx, const http::Request& request);

}  // namespace vitrine::api
