// The caller's own access tokens: GET/POST /api/vitrine/tokens, DELETE /api/vitrine/tokens/{id}
// (rules in service/access/token_service.hpp). A token's secret appears once, in the creation
// answer; listings carry neither secrets nor hashes.
#include <charconv>

#include "api/api.hpp"
#include "service/access/token_service.hpp"
#include "util/time.hpp"

namespace vitrine::api {
namespace {

using nlohmann::json;

json time_or_null(int64_t unix_ms) {
  return unix_ms > 0 ? json(util::iso8601_utc(unix_ms)) : json(nullptr);
}

json token_json(const domain::TokenRecord& t) {
  json scopes = json::array();
  for (const auto& s : service::scopes_from_json(t.scopes_json)) {
    scopes.push_back(service::format_token_scope(s));
  }
  return {{"id", t.id},
          {"name", t.name},
          {"role", domain::to_wire(t.role)},
          {"scopes", scopes},
          {"createdAt", util::iso8601_utc(t.created_at)},
          {"lastUsedAt", time_or_null(t.last_used_at)},
          {"expiresAt", time_or_null(t.expires_at)}};
}

// Token answers are never cached: one carries a secret, the others change with every revocation.
http::Response no_store(http::Response r) {
  r.headers.set("Cache-Control", "no-store");
  return r;
}

http::Response refusal(const Status& status, const service::Caller& caller,
                       const std::string& code) {
  auto r = error_response(status, caller);
  if (!code.empty()) r.headers.set("X-Error-Code", code);
  return no_store(std::move(r));
}

// The request body's fields; a field of the wrong type is refused with its code.
Result<service::TokenRequest> parse_request(const json& body, std::string* code) {
  service::TokenRequest request;
  if (!body.is_object()) {
    *code = service::kInvalidTokenRequest;
    return bad_request("Expected a JSON object {\"name\", \"role\"}");
  }
  if (!body.contains("name") || !body["name"].is_string()) {
    *code = service::kInvalidTokenName;
    return bad_request("name (a string) is required");
  }
  request.name = body["name"].get<std::string>();
  if (!body.contains("role") || !body["role"].is_string()) {
    *code = service::kInvalidTokenRole;
    return bad_request("role (read, write or fineGrained) is required");
  }
  request.role = body["role"].get<std::string>();
  if (body.contains("scopes") && !body["scopes"].is_null()) {
    if (!body["scopes"].is_array()) {
      *code = service::kInvalidTokenScope;
      return bad_request("scopes must be an array of strings such as \"namespace:alice=read\"");
    }
    for (const auto& s : body["scopes"]) {
      if (!s.is_string()) {
        *code = service::kInvalidTokenScope;
        return bad_request("scopes must be an array of strings such as \"namespace:alice=read\"");
      }
      request.scope_specs.push_back(s.get<std::string>());
    }
  }
  if (body.contains("expiresIn") && !body["expiresIn"].is_null()) {
    const json& e = body["expiresIn"];
    Result<int64_t> seconds = bad_request("expiresIn must be seconds or a duration such as 30d");
    if (e.is_number_integer() && e.get<int64_t>() > 0) seconds = e.get<int64_t>();
    if (e.is_string()) seconds = service::parse_duration_seconds(e.get<std::string>());
    if (!seconds) {
      *code = service::kInvalidTokenExpiry;
      return seconds.status();
    }
    request.expires_in_seconds = *seconds;
  }
  return request;
}

}  // namespace

http::Response handle_token_list(Context& ctx, Call& call) {
  auto tokens = service::TokenService(ctx.hub).list(call.caller);
  if (!tokens) return refusal(tokens.status(), call.caller, "");
  json out = json::array();
  for (const auto& t : *tokens) out.push_back(token_json(t));
  return no_store(json_response(200, out));
}

http::Response handle_token_create(Context& ctx, Call& call) {
  service::TokenService tokens(ctx.hub);
  // Who may ask comes before what is asked: a refused caller learns nothing from validation.
  if (auto st = tokens.may_manage(call.caller); !st) return refusal(st, call.caller, "");
  auto body = read_json(call, 64 * 1024);
  if (!body) {
    return refusal(
        body.status(), call.caller,
        body.status().kind() == ErrorKind::kBadRequest ? service::kInvalidTokenRequest : "");
  }
  std::string code;
  auto request = parse_request(*body, &code);
  if (!request) return refusal(request.status(), call.caller, code);
  auto created = tokens.create(call.caller, *request, &code);
  if (!created) return refusal(created.status(), call.caller, code);
  json out = token_json(created->record);
  out["token"] = created->secret;
  return no_store(json_response(201, out));
}

http::Response handle_token_revoke(Context& ctx, Call& call) {
  const std::string id = call.params.get("id");
  service::TokenService tokens(ctx.hub);
  if (auto st = tokens.may_manage(call.caller); !st) return refusal(st, call.caller, "");
  int64_t token_id = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), token_id);
  if (ec != std::errc() || end != id.data() + id.size() || token_id <= 0) {
    return refusal(bad_request("A token id is a positive number"), call.caller, "");
  }
  if (auto st = tokens.revoke(call.caller, token_id); !st) {
    return refusal(st, call.caller,
                   st.kind() == ErrorKind::kNotFound ? service::kTokenNotFound : "");
  }
  return no_store(json_response(200, json::object()));
}

}  // namespace vitrine::api
