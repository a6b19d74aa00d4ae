// Routing: splits the raw path into segments (decoded one by one, so %2F stays inside its
// segment), recognises repository ids, authenticates, and adds the headers every response
// carries (X-Request-Id, CORS).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "api/api.hpp"
#include "api/request_limits.hpp"
#include "api/routes.hpp"
#include "api/xet/xet_api.hpp"
#include "http/server.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace vitrine::api {
namespace {

using nlohmann::json;

constexpr const char* kExposedHeaders =
    "X-Repo-Commit, X-Linked-Etag, X-Linked-Size, ETag, Content-Range, Content-Length, Link, "
    "X-Error-Code, X-Error-Message, X-Request-Id, X-Total-Count, Accept-Ranges, X-Revision";

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

// A refusal in the shape of the route's protocol.
http::Response refuse(const Route& route, const Status& st, const service::Caller& caller) {
  switch (route.errors) {
    case ErrorShape::kLfs:
      return lfs_error(st, caller);
    case ErrorShape::kGit:
      return git_error(st, caller);
    case ErrorShape::kXet:
      return cas_error(st);
    case ErrorShape::kHub:
      break;
  }
  return error_response(st, caller);
}

// What a request that matches no row gets: the Hub's answers for what it has and this hub
// does not (a one-segment repository id reads as a missing repository; an unknown
// sub-resource of a repository is not implemented), else 404.
http::Response unrouted(const Call& call, const std::vector<std::string>& seg) {
  if (seg.size() >= 3 && seg[0] == "api" && domain::repo_kind_from_plural(seg[1])) {
    const auto& names = repo_subresources();
    if (seg.size() == 3 || std::find(names.begin(), names.end(), seg[3]) != names.end()) {
      return error_response(Status(ErrorKind::kRepoNotFound, "Repository not found"), call.caller);
    }
    if (seg.size() >= 5) {
      return error_response(
          Status(ErrorKind::kNotImplemented, "'" + seg[4] + "' is not implemented by this hub yet"),
          call.caller);
    }
  }
  return error_response(not_found("Not found: " + call.request.path), call.caller);
}

// What the row's access names, resolved before its handler runs: the repository of a {repo}
// route with the caller's permission on it, or the Xet token of a CAS route.
Status resolve_access(Context& ctx, Call& call, const Route& route) {
  const RouteParams& params = call.params;
  switch (route.access) {
    case RouteAccess::kRead:
    case RouteAccess::kWrite:
    case RouteAccess::kManage:
    case RouteAccess::kFiles: {
      if (!params.has_repo()) break;  // named in the body (repos/delete, repos/move)
      auto access = service::AccessLevel::kRead;
      if (!route.handler_raises_access) {
        if (route.access == RouteAccess::kWrite) access = service::AccessLevel::kWrite;
        if (route.access == RouteAccess::kManage) access = service::AccessLevel::kManage;
      }
      auto repo = ctx.repos.find(*call.type, params.repo_namespace(), params.repo_name(),
                                 call.caller, access);
      if (!repo) return repo.status();
      if (route.access == RouteAccess::kFiles && !route.handler_raises_access) {
        if (auto st = ctx.repos.check_file_access(repo->record, call.caller); !st) return st;
      }
      call.repo = std::move(*repo);
      break;
    }
    case RouteAccess::kXet:
    case RouteAccess::kXetWrite: {
      if (!ctx.hub.config().xet_enabled) {
        return Status(ErrorKind::kNotImplemented, "Xet is disabled on this hub");
      }
      std::string auth = call.request.header("Authorization");
      if (!auth.starts_with("Bearer ")) {
        return Status(ErrorKind::kUnauthorized,
                      "A Xet access token is required (Authorization: Bearer ...)");
      }
      auto claims =
          service::verify_xet_token(ctx.hub.signing_key(), auth.substr(7), util::now_ms() / 1000);
      if (!claims) return claims.status();
      // Re-checked on every use: see RepoService::check_grant.
      if (auto st = ctx.repos.check_grant(claims->repo_uid, claims->user, claims->token_id,
                                          claims->write);
          !st) {
        return st;
      }
      if (route.access == RouteAccess::kXetWrite && !claims->write) {
        return forbidden("This Xet token is read-only; request an xet-write-token");
      }
      call.xet = std::move(*claims);
      break;
    }
    default:
      break;  // public, signed, none; user, account and admin: the handler's service words it
  }
  return Status::ok();
}

http::Response dispatch(Context& ctx, Call& call) {
  // A `datasets-server.` host name is the dataset viewer (the name `datasets` derives from
  // HF_ENDPOINT): its paths are the viewer's, under the prefix it has on the hub's own name.
  std::string path = call.request.path;
  std::string host = call.request.header("Host").substr(0, 16);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host == "datasets-server.") path = "/datasets-server" + path;
  auto segments = split_segments(path);
  if (!segments) {
    return error_response(bad_request("Malformed percent-encoding in URL"), call.caller);
  }
  // Only what the route table lists is served, so the table (routes.hpp, `vitrine routes`,
  // the authorization matrix) lists every endpoint.
  auto match = find_route(call.request.method, *segments, call.request.query);
  if (!match) return unrouted(call, *segments);
  const Route& route = *match->route;
  call.params = std::move(match->params);
  if (call.params.has_repo()) {
    call.type = domain::repo_kind_from_wire(call.params.repo_type());
  } else if (auto plural = call.params.get("type"); !plural.empty()) {
    call.type = domain::repo_kind_from_plural(plural);
  }
  if (auto st = resolve_access(ctx, call, route); !st) return refuse(route, st, call.caller);
  return route.handler(ctx, call);
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

std::string repo_url(Context& ctx, domain::RepoKind type, const std::string& id) {
  return ctx.hub.config().public_url + "/" + domain::url_prefix(type) + id;
}

std::string caller_key(const Call& call) {
  if (call.caller.user) return "#" + std::to_string(call.caller.user->id);
  return http::client_key(call.request.remote_address);
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
      if (!call.caller.unreadable.is_ok()) {
        response = error_response(call.caller.unreadable, call.caller);
      } else if (!csrf_ok) {
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
