// Routing: splits the raw path into segments (decoded one by one, so %2F stays inside its
// segment), recognises repository ids, authenticates, and adds the headers every response
// carries (X-Request-Id, CORS).
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "api/api.hpp"
#include "api/request_limits.hpp"
#include "api/routes.hpp"
#include "api/xet_api.hpp"
#include "http/server.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/json.hpp"

namespace vitrine::api {
namespace {

using nlohmann::json;

constexpr const char* kExposedHeaders =
    "X-Repo-Commit, X-Linked-Etag, X-Linked-Size, ETag, Content-Range, Content-Length, Link, "
    "X-Error-Code, X-Error-Message, X-Request-Id, X-Total-Count, Accept-Ranges";

std::optional<std::vector<std::string>> split_segments(std::string_view raw) {
  std::vector<std::string> out;
  size_t start = 1;  // skip the leading '/'
  while (start <= raw.size()) {
    size_t slash = raw.find('/', start);
    if (slash == std::string_view::npos) slash = raw.size();
    auto decoded = util::percent_decode(raw.substr(start, slash - start));
    if (!decoded) return std::nullopt;
    out.push_back(std::move(*decoded));
    start = slash + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();  // trailing '/'
  return out;
}

std::string error_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kRepoNotFound:
      return "RepoNotFound";
    case ErrorKind::kRevisionNotFound:
      return "RevisionNotFound";
    case ErrorKind::kEntryNotFound:
      return "EntryNotFound";
    case ErrorKind::kGatedRepo:
      return "GatedRepo";
    default:
      return "";
  }
}

int http_status_for(ErrorKind kind, const service::Caller& caller) {
  switch (kind) {
    case ErrorKind::kBadRequest:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kRepoNotFound:
      return caller.authenticated() ? 404 : 401;
    case ErrorKind::kGatedRepo:
      return caller.authenticated() ? 403 : 401;
    case ErrorKind::kRevisionNotFound:
    case ErrorKind::kEntryNotFound:
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kPreconditionFailed:
      return 412;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kRangeNotSatisfiable:
      return 416;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kTooManyRequests:
      return 429;
    case ErrorKind::kRequestTimeout:
      return 408;
    case ErrorKind::kNotImplemented:
      return 501;
    default:
      return 500;
  }
}

// Header values must not carry line breaks or non-ASCII bytes.
std::string header_safe(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 1000)) out += (c < 0x20 || c >= 0x7f) ? ' ' : char(c);
  return out;
}

// A repo id in web URLs: [datasets/]ns/name, followed by the rest.
std::optional<RepoTarget> web_target(const std::vector<std::string>& seg) {
  size_t i = 0;
  std::optional<service::RepoType> type = service::repo_type_from_name("model");
  if (!seg.empty() && seg[0] == "datasets") {
    type = service::repo_type_from_name("dataset");
    i = 1;
  }
  if (seg.size() < i + 2) return std::nullopt;
  RepoTarget t{*type, seg[i], seg[i + 1], {}};
  t.rest.assign(seg.begin() + static_cast<long>(i) + 2, seg.end());
  return t;
}

// Sub-resource keywords of /api/{type}s/{ns}/{name}/...: after a single segment they mark a
// one-segment repo id.
const std::vector<std::string> kRepoKeywords = {
    "revision",  "tlog",         "tree",       "paths-info",     "commit",
    "commits",   "refs",         "preupload",  "branch",         "tag",
    "settings",  "discussions",  "auth-check", "xet-read-token", "xet-write-token",
    "lfs-files", "super-squash", "resolve",    "ask-access",     "user-access-request",
    "croissant"};

http::Response dispatch(Context& ctx, Call& call) {
  auto segments_opt = split_segments(call.request.path);
  if (!segments_opt)
    return error_response(bad_request("Malformed percent-encoding in URL"), call.caller);
  auto& seg = *segments_opt;
  const std::string& method = call.request.method;
  bool get = method == "GET" || method == "HEAD";

  // Only what the route table lists is served: an endpoint missing from it is unreachable,
  // so the table (routes.hpp, `vitrine routes`, the authorization matrix) lists every one.
  if (!find_route(method, seg, call.request.query)) {
    if (seg.size() >= 3 && seg[0] == "api" && service::repo_type_from_plural(seg[1])) {
      // One-segment ids (`gpt2`) exist on the Hub but not here: answer as a missing repo.
      if (seg.size() == 3 ||
          std::find(kRepoKeywords.begin(), kRepoKeywords.end(), seg[3]) != kRepoKeywords.end()) {
        return error_response(Status(ErrorKind::kRepoNotFound, "Repository not found"),
                              call.caller);
      }
      if (seg.size() >= 5) {
        return error_response(Status(ErrorKind::kNotImplemented,
                                     "'" + seg[4] + "' is not implemented by this hub yet"),
                              call.caller);
      }
    }
    return error_response(not_found("Not found: " + call.request.path), call.caller);
  }

  if (!seg.empty() && (seg[0] == "v1" || seg[0] == "v2")) return handle_cas(ctx, call, seg);
  if (!seg.empty() && seg[0] == "tlog" && get) return handle_tlog_static(ctx, call, seg);
  if (!seg.empty() && seg[0] == "assets" && get) return handle_web_asset(ctx, call, seg);
  if (!seg.empty() && seg[0] == "api") {
    if (seg.size() == 1) return error_response(not_found("Not found"), call.caller);
    const std::string& area = seg[1];
    if (area == "whoami-v2" && seg.size() == 2 && get) return handle_whoami(ctx, call);
    if (area == "validate-yaml" && seg.size() == 2 && method == "POST") {
      return handle_validate_yaml(ctx, call);
    }
    if (area == "users" && seg.size() == 4 && seg[3] == "overview" && get) {
      return handle_user_overview(ctx, call, seg[2]);
    }
    if (area == "organizations" && seg.size() == 4 && seg[3] == "members" && get) {
      return handle_org_members(ctx, call, seg[2]);
    }
    if (area == "organizations" && seg.size() == 4 && seg[3] == "overview" && get) {
      return handle_org_overview(ctx, call, seg[2]);
    }
    if (area == "vitrine" && seg.size() == 3 && seg[2] == "tokens") {
      if (get) return handle_token_list(ctx, call);
      if (method == "POST") return handle_token_create(ctx, call);
    }
    if (area == "vitrine" && seg.size() == 4 && seg[2] == "tokens" && method == "DELETE") {
      return handle_token_revoke(ctx, call, seg[3]);
    }
    if (area == "repos" && seg.size() == 3) {
      if (seg[2] == "create" && method == "POST") return handle_repo_create(ctx, call);
      if (seg[2] == "delete" && method == "DELETE") return handle_repo_delete(ctx, call);
      if (seg[2] == "move" && method == "POST") return handle_repo_move(ctx, call);
    }
    if (area == "vitrine" && seg.size() == 3 && seg[2] == "logout" && method == "POST") {
      return handle_logout(ctx, call);
    }
    if (area == "vitrine" && seg.size() >= 3 && seg[2] == "lfs") {
      return handle_lfs_object(ctx, call, std::vector<std::string>(seg.begin() + 3, seg.end()));
    }
    if (area == "vitrine" && seg.size() >= 4 && seg[2] == "xet" && seg[3] == "xorbs" && get) {
      return handle_xorb_data(ctx, call, std::vector<std::string>(seg.begin() + 4, seg.end()));
    }
    if (area == "tlog" && get) return handle_tlog_api(ctx, call, seg);
    if (area == "vitrine" && (seg.size() == 6 || seg.size() == 7) && seg[2] == "lineage" && get) {
      return handle_lineage_api(ctx, call, seg);
    }
    if (area == "vitrine" && seg.size() == 6 && seg[2] == "openness" && get) {
      return handle_openness_api(ctx, call, seg);
    }
    if (area == "vitrine" && seg.size() == 6 && seg[2] == "card" && (get || method == "POST")) {
      return handle_card_api(ctx, call, seg);
    }
    if (area == "vitrine" && seg.size() >= 8 && seg[2] == "render" && get) {
      return handle_render_api(ctx, call, seg);
    }
    if (area == "vitrine" && seg.size() >= 7 && seg[2] == "diff" && get) {
      return handle_diff_api(ctx, call, seg);
    }
    if (area == "vitrine" && seg.size() == 3 && seg[2] == "audit" && get) {
      return handle_audit_log(ctx, call);
    }
    if (area == "spaces") {
      return error_response(
          Status(ErrorKind::kNotImplemented, "Spaces are not supported by this hub"), call.caller);
    }
    if (auto type = service::repo_type_from_plural(area)) {
      if (seg.size() == 2) {
        if (get) return handle_repo_listing(ctx, call, *type);
        return error_response(Status(ErrorKind::kNotFound, "Method not allowed"), call.caller);
      }
      RepoTarget target{*type, seg[2], seg.size() > 3 ? seg[3] : "", {}};
      if (seg.size() > 3) target.rest.assign(seg.begin() + 4, seg.end());
      // One-segment ids (`gpt2`) exist on the Hub but not here: answer as a missing repo.

      if (seg.size() == 3 ||
          std::find(kRepoKeywords.begin(), kRepoKeywords.end(), seg[3]) != kRepoKeywords.end()) {
        return error_response(Status(ErrorKind::kRepoNotFound, "Repository not found"),
                              call.caller);
      }
      return handle_repo_api(ctx, call, target);
    }
    return error_response(not_found("Not found: " + call.request.path), call.caller);
  }

  if (auto target = web_target(seg)) {
    // git-lfs and the clients address LFS at {repo}.git/info/lfs/...
    if (target->rest.size() >= 2 && target->rest[0] == "info" && target->rest[1] == "lfs") {
      if (target->name.ends_with(".git")) target->name.resize(target->name.size() - 4);
      target->rest.erase(target->rest.begin(), target->rest.begin() + 2);
      if (target->rest == std::vector<std::string>{"objects", "batch"} && method == "POST") {
        return handle_lfs_batch(ctx, call, *target);
      }
      if (!target->rest.empty() && target->rest[0] == "locks") {
        return handle_lfs_locks(ctx, call, *target);
      }
      return error_response(not_found("Unknown LFS endpoint"), call.caller);
    }
    if (!target->rest.empty() &&
        (target->rest[0] == "info" || target->rest[0].starts_with("git-"))) {
      if (target->name.ends_with(".git")) target->name.resize(target->name.size() - 4);
      return handle_git(ctx, call, *target);
    }
    if (!target->rest.empty() && (target->rest[0] == "resolve" || target->rest[0] == "raw") &&
        get) {
      bool raw = target->rest[0] == "raw";
      target->rest.erase(target->rest.begin());
      return handle_download(ctx, call, *target, raw);
    }
    // The web interface's pages under a repository: blob/tree/edit/{rev}/{path*},
    // tree/{rev}, commits/{rev}[/{path*}], commit/{sha}, compare/{base}..{head}, settings.
    if (get && !target->rest.empty()) {
      const std::string& what = target->rest[0];
      size_t n = target->rest.size();
      bool page = ((what == "blob" || what == "edit") && n >= 3) ||
                  ((what == "tree" || what == "commits") && n >= 2) ||
                  ((what == "commit" || what == "compare") && n == 2) ||
                  (what == "settings" && n == 1);
      if (page) return handle_web_page(ctx, call, seg);
    }
  }
  // Pages of the web interface: /, /{page}, a repository's /{prefix}{repo} and the pages
  // under it (above).
  if (get && (seg.size() <= 1 || (web_target(seg) && web_target(seg)->rest.empty()))) {
    return handle_web_page(ctx, call, seg);
  }
  return error_response(not_found("Not found: " + call.request.path), call.caller);
}

}  // namespace

http::Response json_response(int status, const json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

http::Response error_response(const Status& status, const service::Caller& caller) {
  std::string message = status.message().empty() ? "Error" : status.message();
  if (status.kind() == ErrorKind::kInternal) {
    // The detail (paths of the data folder, store errors) is for the operator's log only.
    spdlog::error("internal error: {}", message);
    message = "Internal server error; the hub's log has the details";
  }
  auto r = json_response(http_status_for(status.kind(), caller), json{{"error", message}});
  if (auto code = error_code_for(status.kind()); !code.empty()) r.headers.set("X-Error-Code", code);
  r.headers.set("X-Error-Message", header_safe(message));
  return r;
}

Result<json> read_json(Call& call, size_t limit) {
  auto body = call.request.read_body(limit);
  if (!body) return body.status();
  if (body->empty()) return json::object();
  return util::parse_untrusted_json(*body);
}

std::string repo_url(Context& ctx, const service::RepoType& type, const std::string& id) {
  return ctx.hub.config().public_url + "/" + type.url_prefix + id;
}

Result<ContentTarget> open_for_content(Context& ctx, const Call& call,
                                       const std::vector<std::string>& seg) {
  auto type = service::repo_type_from_plural(seg[3]);
  if (!type) return not_found("Not found: " + call.request.path);
  auto repo = ctx.repos.find(*type, seg[4], seg[5], call.caller, service::Access::kRead);
  if (!repo) return repo.status();
  if (auto st = ctx.repos.check_file_access(repo->record, call.caller); !st) return st;
  auto git = ctx.hub.open_git(repo->record);
  if (!git) return git.status();
  return ContentTarget{*type, std::move(*repo), std::move(*git)};
}

std::string caller_key(const Call& call) {
  if (call.caller.user) return "#" + std::to_string(call.caller.user->id);
  return http::client_key(call.request.remote_address);
}

Status check_grant_still_holds(Context& ctx, const std::string& repo_uid, const std::string& user,
                               int64_t token_id, bool write) {
  Status revoked(ErrorKind::kUnauthorized,
                 "This grant no longer gives access (the repository, its visibility, the "
                 "membership or the access token changed); ask for a new one");
  auto repo = ctx.hub.db().find_repo_by_uid(repo_uid);
  if (!repo) return revoked;
  auto caller = ctx.auth.caller_now(user, token_id, write ? "write" : "read");
  if (!caller) return revoked;
  if (!ctx.repos.can_read(*repo, *caller)) return revoked;
  if (!write && !ctx.repos.check_file_access(*repo, *caller)) return revoked;
  return Status::ok();
}

namespace {

// The value of the session cookie, or "".
std::string session_cookie(const http::Request& request) {
  std::string header = request.headers.get("Cookie").value_or("");
  std::string_view rest = header;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with(kSessionCookie) && part.size() > sizeof(kSessionCookie) - 1 &&
        part[sizeof(kSessionCookie) - 1] == '=') {
      return std::string(part.substr(sizeof(kSessionCookie)));
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return "";
}

}  // namespace

http::Handler make_handler(Context& ctx) {
  // Shared by every copy of the handler; thread-safe.
  auto limits = std::make_shared<RequestLimits>(ctx.hub.config());
  return [&ctx, limits](http::Request& request) {
    auto started = std::chrono::steady_clock::now();
    std::string request_id = request.header("X-Request-Id");
    if (request_id.empty() || request_id.size() > 128) {
      request_id = "vitrine-" + util::random_alnum(20);
    }
    http::Response response;
    if (request.method == "OPTIONS") {
      response.status = 204;
      response.headers.set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
      response.headers.set("Access-Control-Allow-Headers",
                           request.headers.get("Access-Control-Request-Headers")
                               .value_or("Authorization, Content-Type, Range"));
      response.headers.set("Access-Control-Max-Age", "86400");
    } else {
      Call call{request, service::Caller{}, util::QueryParams::parse(request.query)};
      // Tokens win over cookies; a session cookie authenticates only the web interface, and
      // every state-changing request it authenticates must echo the session's CSRF token.
      std::string cookie = session_cookie(request);
      bool csrf_ok = true;
      // The CAS API (/v1, /v2) authenticates with Xet tokens, checked by its handler.
      bool cas = request.path.starts_with("/v1/") || request.path.starts_with("/v2/");
      if (cas) {
        // anonymous to the hub
      } else if (!request.header("Authorization").empty() || cookie.empty()) {
        call.caller = ctx.auth.authenticate(request.header("Authorization"));
      } else {
        std::string csrf;
        call.caller = ctx.auth.authenticate_session(cookie, &csrf);
        if (call.caller.bad_token) call.caller = service::Caller{};  // stale cookie: anonymous
        bool safe = request.method == "GET" || request.method == "HEAD";
        csrf_ok = !call.caller.user || safe ||
                  util::constant_time_equals(request.header("X-CSRF-Token"), csrf);
      }
      call.caller.ip = request.remote_address;
      bool login = request.method == "POST" && request.path == "/api/vitrine/login";
      if (!csrf_ok) {
        response = error_response(forbidden("CSRF token missing or invalid"), call.caller);
      } else if (login) {
        if (auto refused = limits->reserve_sign_in(request)) {
          response = std::move(*refused);
        } else {
          response = handle_login(ctx, call);
          if (response.status != 401) limits->refund_sign_in(request);  // not a failure
        }
      } else if (call.caller.bad_token) {
        if (auto refused = limits->count_auth_failure(request)) {
          response = std::move(*refused);  // not audited: a flood must not fill the log
        } else {
          record_auth_failure(ctx, request);
          response = error_response(
              Status(ErrorKind::kUnauthorized, "Invalid credentials in Authorization header"),
              call.caller);
        }
      } else if (auto quota = limits->count_call(request, call.caller); !quota.allowed) {
        response = RequestLimits::too_many_requests(quota);
      } else {
        try {
          response = dispatch(ctx, call);
        } catch (const json::type_error& e) {
          // A handler read a field of a client's JSON as the wrong type: the client's mistake.
          response = error_response(
              bad_request(std::string("A JSON field has the wrong type (") + e.what() + ")"),
              call.caller);
        } catch (const json::out_of_range& e) {
          response = error_response(
              bad_request(std::string("A JSON value is out of range (") + e.what() + ")"),
              call.caller);
        }
        RequestLimits::add_headers(response, quota);
      }
    }
    response.headers.set("X-Request-Id", request_id);
    response.headers.set("Access-Control-Allow-Origin",
                         request.header("Origin").empty() ? "*" : request.header("Origin"));
    static const std::string kExposed =
        std::string(kExposedHeaders) + ", RateLimit, RateLimit-Policy, Retry-After";
    response.headers.set("Access-Control-Expose-Headers", kExposed);
    if (!request.header("Origin").empty()) {
      auto vary = response.headers.get("Vary");  // e.g. Accept-Encoding, for web assets
      response.headers.set("Vary", vary ? *vary + ", Origin" : "Origin");
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
    spdlog::debug("{} {} {} {} {}us", request.remote_address, request.method, request.target,
                  response.status, elapsed);
    return response;
  };
}

}  // namespace vitrine::api
