// RequestLimits: the hub's rate-limit policies, applied by the router to every request.
//
// - API calls: every request (API, resolve and LFS object downloads, git smart HTTP; one
//   request is one unit) counts against the caller: the user when authenticated, else the
//   client's IP address. Over the limit: 429.
// - Authentication failures: each request whose token is bad, expired or revoked counts against
//   the client's IP address, with a much lower limit; once it is spent, such requests get 429
//   instead of 401 until the window ends. A valid token is never refused by this limit, so
//   behind one address (a NAT, a reverse proxy) one client's bad tokens lock nobody else out.
// - Password sign-ins: each attempt reserves one unit of its address's failure budget before
//   the password is checked (so concurrent attempts cannot all pass a check made before any
//   was counted); a successful sign-in gives its unit back. Over the budget: 429 without
//   checking the password.
// Client addresses are the TCP peer's, or X-Forwarded-For's as http::ServerOptions describes
// for trusted proxies (`--trusted-proxy`).
//
// Answers carry the headers of the IETF ratelimit-headers draft in the form the Hugging Face
// Hub sends and huggingface_hub (utils/_http.py, `_parse_ratelimit`) parses:
//   RateLimit: "api";r=<remaining>;t=<seconds until the window resets>
//   RateLimit-Policy: "fixed window";"api";q=<limit>;w=<window seconds>
// and a 429 also carries Retry-After (seconds), X-Error-Message and {"error": message}.
// The resource is "api" for API calls and "auth" for the authentication-failure limit.
//
// Thread-safe (the limiters are). Limits come from HubConfig; 0 disables one.
#pragma once

#include <optional>
#include <string_view>

#include "api/rate_limiter.hpp"
#include "http/message.hpp"
#include "service/access/auth_service.hpp"
#include "service/hub.hpp"

namespace vitrine::api {

class RequestLimits {
 public:
  explicit RequestLimits(const service::HubConfig& config);

  // Before a password sign-in: reserves one failure unit for the request's address, or the
  // 429 answer when its budget is spent. After a successful sign-in, refund_sign_in().
  std::optional<http::Response> reserve_sign_in(const http::Request& request);
  void refund_sign_in(const http::Request& request);
  // After a bad token: counts one failure against the request's address; the 429 answer when
  // the address's budget was spent already (else the caller answers 401).
  std::optional<http::Response> count_auth_failure(const http::Request& request);

  // After authentication: counts one call for the caller (user, else address). When the
  // decision is not allowed, answer too_many_requests(decision) instead of dispatching.
  RateLimitDecision count_call(const http::Request& request, const service::Caller& caller);

  // The 429 answer for an API-call decision that was refused (headers included).
  static http::Response too_many_requests(const RateLimitDecision& decision);
  // Adds RateLimit and RateLimit-Policy for an API-call decision (nothing if disabled).
  static void add_headers(http::Response& response, const RateLimitDecision& decision);

 private:
  RateLimiter calls_;
  RateLimiter auth_failures_;
};

}  // namespace vitrine::api
