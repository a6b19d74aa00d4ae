// Web sign-in: password login to a session cookie, and logout.
#include "api/api.hpp"
#include "service/access/audit_log.hpp"

namespace vitrine::api {

using nlohmann::json;

http::Response handle_login(Context& ctx, Call& call) {
  auto body = read_json(call, 64 * 1024);
  if (!body) return error_response(body.status(), call.caller);
  if (!body->is_object() || !(*body).contains("username") || !(*body)["username"].is_string() ||
      !(*body).contains("password") || !(*body)["password"].is_string()) {
    return error_response(bad_request("Expected {\"username\", \"password\"}"), call.caller);
  }
  std::string user = (*body)["username"];
  auto session = ctx.auth.login(user, (*body)["password"].get<std::string>());
  service::AuditLog audit(ctx.hub);
  if (!session) {
    audit.record("auth.login_failure", user, user, json{{"reason", "bad credentials"}},
                 call.caller.ip);
    return error_response(session.status(), call.caller);
  }
  audit.record("auth.login", session->user, session->user, json::object(), call.caller.ip);
  auto r = json_response(200, json{{"user", session->user}, {"csrfToken", session->csrf}});
  r.headers.set("Set-Cookie", std::string(kSessionCookie) + "=" + session->cookie +
                                  "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=604800");
  r.headers.set("Cache-Control", "no-store");
  return r;
}

http::Response handle_logout(Context& ctx, Call& call) {
  std::string cookies = call.request.header("Cookie");
  std::string prefix = std::string(kSessionCookie) + "=";
  auto at = cookies.find(prefix);
  if (at != std::string::npos) {
    auto end = cookies.find(';', at);
    ctx.auth.logout(cookies.substr(at + prefix.size(), end == std::string::npos
                                                           ? std::string::npos
                                                           : end - at - prefix.size()));
  }
  auto r = json_response(200, json::object());
  r.headers.set("Set-Cookie", std::string(kSessionCookie) +
                                  "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
  return r;
}

}  // namespace vitrine::api
