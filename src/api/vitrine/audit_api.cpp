// GET /api/vitrine/audit: the security audit log, for the hub's administrators only. Newest
// first; `cursor` is the id below which the next page starts, so pages stay stable while new
// events arrive.
#include <algorithm>

#include "api/api.hpp"
#include "service/access/audit_log.hpp"
#include "util/time.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

constexpr int64_t kDefaultPage = 100;
constexpr int64_t kMaxPage = 1000;

// A non-negative integer query parameter; nullopt when present but malformed.
std::optional<int64_t> count_param(const Call& call, const char* key, int64_t fallback) {
  auto v = call.query.get(key);
  if (!v) return fallback;
  if (v->empty() || v->size() > 18 ||
      !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(*v);
}

}  // namespace

void record_auth_failure(Context& ctx, const http::Request& request) {
  service::AuditLog(ctx.hub).record(service::audit::kAuthFailure, "anonymous", request.path,
                                    {{"method", request.method}}, request.remote_address);
}

http::Response handle_audit_log(Context& ctx, Call& call) {
  if (!call.caller.authenticated()) {
    return error_response(Status(ErrorKind::kUnauthorized, "Authentication required"), call.caller);
  }
  if (!call.caller.is_admin()) {
    return error_response(forbidden("The audit log is for the hub's administrators"), call.caller);
  }
  domain::AuditQuery query;
  auto limit = count_param(call, "limit", kDefaultPage);
  auto cursor = count_param(call, "cursor", 0);
  if (!limit || !cursor) {
    return error_response(bad_request("limit and cursor must be non-negative integers"),
                          call.caller);
  }
  query.limit = std::clamp<int64_t>(*limit, 1, kMaxPage);
  query.before_id = *cursor;
  query.type = call.query.get("type").value_or("");
  query.actor = call.query.get("actor").value_or("");
  query.target = call.query.get("target").value_or("");

  // One more than asked tells whether a next page exists.
  query.limit += 1;
  auto events = service::AuditLog(ctx.hub).list(query);
  bool more = static_cast<int64_t>(events.size()) >= query.limit;
  if (more) events.pop_back();

  json out = json::array();
  for (const auto& e : events) {
    auto details = json::parse(e.details_json, nullptr, false);
    out.push_back({{"id", e.id},
                   {"time", util::iso8601_utc(e.time)},
                   {"timeMs", e.time},
                   {"type", e.type},
                   {"actor", e.actor},
                   {"target", e.target},
                   {"ip", e.ip},
                   {"details", details.is_object() ? details : json::object()}});
  }
  auto r = json_response(200, out);
  if (more && !events.empty()) {
    auto next = call.query;
    next.set("cursor", std::to_string(events.back().id));
    r.headers.set("Link", "<" + ctx.hub.config().public_url + call.request.path + "?" +
                              next.encode() + ">; rel=\"next\"");
  }
  return r;
}

}  // namespace vitrine::api
