// Gated repositories: users ask for access; the repository's writers list, accept and reject
// requests (contract §3.9, "Gating"). Downloads, LFS and git clones check the outcome.
#include "api/api.hpp"
#include "service/repos/access_requests.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace vitrine::api {

using nlohmann::json;

// POST /api/{type}s/{repo}/ask-access
http::Response handle_ask_access(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  // Fields arrive as JSON or as a form; they are kept as JSON for the owner to read.
  auto body = call.request.read_body(ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  json fields = json::object();
  if (call.request.header("Content-Type").starts_with("application/json")) {
    auto parsed = util::parse_untrusted_json(*body);
    if (!parsed && parsed.status().kind() == ErrorKind::kUnprocessable) {
      return error_response(parsed.status(), call.caller);
    }
    if (!parsed || !(parsed->is_object() || parsed->is_null())) {
      return error_response(bad_request("Expected a JSON object of fields"), call.caller);
    }
    if (parsed->is_object()) fields = std::move(*parsed);
  } else {
    auto form = util::QueryParams::parse(*body);
    for (const auto& [key, value] : form.entries()) fields[key] = value;
  }
  auto st = service::AccessRequests(ctx.hub).ask_access(
      repo.record, call.caller, fields.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!st) return error_response(st, call.caller);
  return json_response(200, json::object());
}

// GET /api/{type}s/{repo}/user-access-request/{status}
http::Response handle_access_requests(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  const std::string action = call.params.get("status");
  if (action == "pending" || action == "accepted" || action == "rejected") {
    auto requests = service::AccessRequests(ctx.hub).access_requests(repo.record, action);
    if (!requests) return error_response(requests.status(), call.caller);
    json out = json::array();
    for (const auto& r : *requests) {
      auto fields = json::parse(r.fields_json, nullptr, false);
      out.push_back({{"user",
                      {{"_id", std::to_string(r.user.id)},
                       {"user", r.user.name},
                       {"fullname", r.user.fullname.empty() ? r.user.name : r.user.fullname},
                       {"email", r.user.email.empty() ? json(nullptr) : json(r.user.email)},
                       {"avatarUrl", "/avatars/default.svg"},
                       {"type", "user"}}},
                     {"status", r.status},
                     {"timestamp", util::iso8601_utc(r.created_at)},
                     {"fields", fields.is_discarded() ? json::object() : fields}});
    }
    return json_response(200, out);
  }
  return error_response(not_found("Unknown access-request endpoint"), call.caller);
}

namespace {

// handle: {"user", "status"} decides a request; grant: {"user"} accepts one, asked or not.
http::Response decide(Context& ctx, Call& call, bool grant) {
  const service::RepoRef& repo = *call.repo;
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  if (!body->is_object() || !body->contains("user") || !(*body)["user"].is_string()) {
    return error_response(bad_request("Expected {\"user\": \"<name>\"}"), call.caller);
  }
  std::string status = grant ? "accepted" : body->value("status", "");
  auto st = service::AccessRequests(ctx.hub).set_access(
      repo.record, (*body)["user"].get<std::string>(), status, grant, &call.caller);
  if (!st) return error_response(st, call.caller);
  return json_response(200, json::object());
}

}  // namespace

// POST /api/{type}s/{repo}/user-access-request/handle
http::Response handle_access_decision(Context& ctx, Call& call) {
  return decide(ctx, call, false);
}

// POST /api/{type}s/{repo}/user-access-request/grant
http::Response handle_access_grant(Context& ctx, Call& call) {
  return decide(ctx, call, true);
}

}  // namespace vitrine::api
