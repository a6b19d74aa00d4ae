// RequestLimits: the hub's rate-limit policies, applied by the router to every request.
//
// - API calls: every request (API, resolve and LFS object downloads, git smart HTTP; one
//   request is one unit) counts against the caller: the user when authenticated, else the
//   client's IP address. Over the limit: 429.
// - Authentication failures: each request whose token is bad, expired or revoked counts against
//   the client's IP address, with a much lower limit. Once it is spent, every request from that
//   address that carries an Authorization header gets 429 until the window ends, without the
//   token being looked at: this slows token guessing down to the limit.
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
#include "service/auth_service.hpp"
#include "service/hub.hpp"

namespace vitrine::api {

class RequestLimits {
 public:
  explicit RequestLimits(const service::HubConfig& config);

  // Before authentication: a 429 when the request carries credentials (an Authorization
  // header, or a password login) and its address has spent its authentication-failure budget.
  std::optional<http::Response> refuse_credentials(const http::Request& request) const;
  // After a bad token: counts one failure against the request's address.
  void count_auth_failure(const http::Request& request);

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
