// The api layer: HTTP handlers for the Hugging Face Hub protocol. Handlers are thin: they
// parse the request, authorize through the service layer, call it, and shape the answer the
// clients expect (headers and JSON per shared/reference/hf-api-contract.md).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/routes.hpp"
#include "formats/hub/xet_tokens.hpp"
#include "http/message.hpp"
#include "service/access/auth_service.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/repos/repo_service.hpp"
#include "service/transfer/git_transport.hpp"
#include "service/transfer/lfs_service.hpp"
#include "util/query.hpp"

namespace vitrine::api {

struct Context {
  explicit Context(service::Hub& h) : hub(h), auth(h), repos(h), contents(h), lfs(h), git(h) {}
  service::Hub& hub;
  service::AuthService auth;
  service::RepoService repos;
  service::RepoContents contents;
  service::LfsService lfs;
  service::GitTransport git;
  // The built web interface (index.html, assets/); empty: none installed, and `/` answers
  // a line of text. Set once before serving.
  std::string web_dir;
};

// One request as the handlers see it. The router fills in what the matched route's access
// names before the handler runs (routes.hpp).
struct Call {
  http::Request& request;
  service::Caller caller;
  util::QueryParams query;
  RouteParams params = {};  // the route's path parameters, by name
  // The repository type of a {type}s, {prefix} or {repo} route.
  std::optional<domain::RepoKind> type = std::nullopt;
  // A {repo} route's repository, found with the access the route needs (and, for "files", the
  // gate passed).
  std::optional<service::RepoRef> repo = std::nullopt;
  // A Xet CAS route's token, verified and still holding.
  std::optional<service::XetClaims> xet = std::nullopt;
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
// The same refusal in the shape of git-lfs ({"message"}, LFS-Authenticate), of git's smart
// HTTP (text) and of the Xet CAS API (a 422 reads as 400).
http::Response lfs_error(const Status& status, const service::Caller& caller);
http::Response git_error(const Status& status, const service::Caller& caller);
http::Response cas_error(const Status& status);
// Parses a JSON body (bounded); kBadRequest if malformed.
Result<nlohmann::json> read_json(Call& call, size_t limit);
std::string repo_url(Context& ctx, domain::RepoKind type, const std::string& id);

// The handlers, one per route row (routes.cpp, which names each one's access and pattern).
// Each reads its path parameters from call.params and, on a {repo} route, its repository from
// call.repo, resolved with the row's access.

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
http::Response handle_repo_listing(Context& ctx, Call& call);
http::Response handle_validate_yaml(Context& ctx, Call& call);
http::Response handle_repo_info(Context& ctx, Call& call);  // bare, or /revision/{rev}
http::Response handle_tree(Context& ctx, Call& call);
http::Response handle_paths_info(Context& ctx, Call& call);
http::Response handle_commits(Context& ctx, Call& call);
http::Response handle_refs(Context& ctx, Call& call);
http::Response handle_branch(Context& ctx, Call& call);  // POST creates, DELETE deletes
http::Response handle_tag(Context& ctx, Call& call);     // POST creates, DELETE deletes
http::Response handle_settings(Context& ctx, Call& call);
http::Response handle_auth_check(Context& ctx, Call& call);
http::Response handle_spaces(Context& ctx, Call& call);  // 501

// Accounts (account_api.cpp): whoami-v2, user and organization overviews, members.
http::Response handle_whoami(Context& ctx, Call& call);
http::Response handle_user_overview(Context& ctx, Call& call);
http::Response handle_org_overview(Context& ctx, Call& call);
http::Response handle_org_members(Context& ctx, Call& call);
// The caller's own access tokens (token_api.cpp): GET/POST /api/vitrine/tokens,
// DELETE /api/vitrine/tokens/{id}; a password session or a write token.
http::Response handle_token_list(Context& ctx, Call& call);
http::Response handle_token_create(Context& ctx, Call& call);
http::Response handle_token_revoke(Context& ctx, Call& call);

// Gated access (access_api.cpp): ask-access and user-access-request/{status|handle|grant}.
http::Response handle_ask_access(Context& ctx, Call& call);
http::Response handle_access_requests(Context& ctx, Call& call);
http::Response handle_access_decision(Context& ctx, Call& call);
http::Response handle_access_grant(Context& ctx, Call& call);

// Downloads (download_api.cpp): /{prefix}{repo}/resolve|raw/{rev}/{path*}.
http::Response handle_resolve(Context& ctx, Call& call);
http::Response handle_raw(Context& ctx, Call& call);

// git smart HTTP (git/smart_http.cpp): info/refs?service=..., git-upload-pack,
// git-receive-pack.
http::Response handle_git_refs(Context& ctx, Call& call);
http::Response handle_git_upload_pack(Context& ctx, Call& call);
http::Response handle_git_receive_pack(Context& ctx, Call& call);

// Uploads (upload_api.cpp).
http::Response handle_preupload(Context& ctx, Call& call);
http::Response handle_commit(Context& ctx, Call& call);
http::Response handle_lfs_batch(Context& ctx, Call& call);
http::Response handle_lfs_locks(Context& ctx, Call& call);
// Signed object URLs under /api/vitrine/lfs/... (no Authorization: the signature is the key).
http::Response handle_lfs_object(Context& ctx, Call& call);    // objects/{oid}/{size}
http::Response handle_lfs_part(Context& ctx, Call& call);      // parts/{oid}/{size}/{part}
http::Response handle_lfs_complete(Context& ctx, Call& call);  // complete/{oid}/{size}
http::Response handle_lfs_verify(Context& ctx, Call& call);    // verify/{oid}/{size}

// Security audit log (audit_api.cpp): GET /api/vitrine/audit, for hub administrators.
http::Response handle_audit_log(Context& ctx, Call& call);
// The transparency log (tlog_api.cpp): /tlog/... (static tiles), /api/tlog/... (proofs,
// lookups), /api/{type}s/{repo}/tlog.
http::Response handle_tlog_checkpoint(Context& ctx, Call& call);
http::Response handle_tlog_key(Context& ctx, Call& call);
http::Response handle_tlog_tile(Context& ctx, Call& call);
http::Response handle_tlog_inclusion_proof(Context& ctx, Call& call);
http::Response handle_tlog_consistency_proof(Context& ctx, Call& call);
http::Response handle_tlog_entry(Context& ctx, Call& call);
http::Response handle_tlog_lookup(Context& ctx, Call& call);
http::Response handle_repo_tlog(Context& ctx, Call& call);
// Lineage and openness (lineage_api.cpp): /api/vitrine/lineage/{type}s/{repo}[/action],
// /api/vitrine/openness/models/{repo}, /api/datasets/{repo}/croissant, and the model-tree
// fields model info adds (baseModels, childrenModelCount, safetensors, gguf).
http::Response handle_lineage_node(Context& ctx, Call& call);
http::Response handle_lineage_ancestors(Context& ctx, Call& call);
http::Response handle_lineage_descendants(Context& ctx, Call& call);
http::Response handle_lineage_models(Context& ctx, Call& call);
http::Response handle_lineage_impact(Context& ctx, Call& call);
http::Response handle_openness(Context& ctx, Call& call);
http::Response handle_croissant(Context& ctx, Call& call);
void add_lineage_info(Context& ctx, const Call& call, const domain::RepoRecord& repo,
                      const std::string& commit, nlohmann::json& info);
// Rendered cards (card_api.cpp): GET /api/vitrine/card/{type}s/{repo}[?revision=], and POST
// to preview a draft; files rendered for the web interface (/api/vitrine/render/...).
http::Response handle_card(Context& ctx, Call& call);
http::Response handle_render(Context& ctx, Call& call);
// A commit's changes and diffs (diff_api.cpp): GET /api/vitrine/diff/{type}s/{repo}/{rev}.
http::Response handle_diff(Context& ctx, Call& call);
// The web interface (web_api.cpp): the single-page application's files from ctx.web_dir.
// Pages (/, /{page}, /{prefix}{repo}, /{prefix}{repo}/blob/{rev}/{path*}) answer its
// index.html (no-cache), /assets/{path*} the content-hashed files (immutable); a
// pre-compressed `.gz` beside a file is sent to clients that accept gzip.
http::Response handle_web_page(Context& ctx, Call& call);
http::Response handle_web_asset(Context& ctx, Call& call);
// The dataset viewer's API (viewer/viewer_api.cpp): /datasets-server/{is-valid,splits,
// first-rows,…}?dataset=…, also at the root of a `datasets-server.` host.
http::Response handle_viewer_is_valid(Context& ctx, Call& call);
http::Response handle_viewer_splits(Context& ctx, Call& call);
http::Response handle_viewer_first_rows(Context& ctx, Call& call);
http::Response handle_viewer_rows(Context& ctx, Call& call);
http::Response handle_viewer_statistics(Context& ctx, Call& call);
http::Response handle_viewer_info(Context& ctx, Call& call);
http::Response handle_viewer_filter(Context& ctx, Call& call);
http::Response handle_viewer_search(Context& ctx, Call& call);
http::Response handle_viewer_size(Context& ctx, Call& call);
http::Response handle_viewer_parquet(Context& ctx, Call& call);
http::Response handle_viewer_croissant_crumbs(Context& ctx, Call& call);
http::Response handle_dataset_parquet(Context& ctx, Call& call);
http::Response handle_viewer_asset(Context& ctx, Call& call);  // media cells' bytes
// Where the build installs the web interface for this binary: `web/` beside it, or
// `../share/vitrine/web`; "" when neither holds an index.html.
std::string default_web_dir(const std::string& executable_path);
// Records a request refused for bad credentials (unknown, revoked or expired token).
void record_auth_failure(Context& ctx, const http::Request& request);

}  // namespace vitrine::api
