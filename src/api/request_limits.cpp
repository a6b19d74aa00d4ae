// RequestLimits: per-caller API-call and per-address authentication-failure limits, and the
// RateLimit headers and 429 answers they produce (see request_limits.hpp).
#include "api/request_limits.hpp"

#include <spdlog/fmt/fmt.h>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "http/server.hpp"

namespace vitrine::api {

namespace {

constexpr std::string_view kApiResource = "api";
constexpr std::string_view kAuthResource = "auth";

void add_rate_limit_headers(http::Response& response, const RateLimitDecision& decision,
                            std::string_view resource) {
  if (decision.limit == 0) return;
  response.headers.add("RateLimit", fmt::format("\"{}\";r={};t={}", resource, decision.remaining,
                                                decision.reset_seconds));
  response.headers.add("RateLimit-Policy",
                       fmt::format("\"fixed window\";\"{}\";q={};w={}", resource, decision.limit,
                                   decision.window_seconds));
}

// The contract's error shape (X-Error-Message and {"error": ...}) with status 429.
http::Response rate_limited(const RateLimitDecision& decision, std::string_view resource,
                            const std::string& message) {
  auto response = json_response(429, nlohmann::json{{"error", message}});
  response.headers.set("X-Error-Message", message);
  response.headers.set("Retry-After", std::to_string(decision.reset_seconds));
  add_rate_limit_headers(response, decision, resource);
  return response;
}

}  // namespace

RequestLimits::RequestLimits(const service::HubConfig& config)
    : calls_(config.rate_limit_requests, std::chrono::seconds(config.rate_limit_window_seconds)),
      auth_failures_(config.rate_limit_auth_failures,
                     std::chrono::seconds(config.rate_limit_window_seconds)) {}

namespace {
http::Response too_many_failures(const RateLimitDecision& decision) {
  return rate_limited(decision, kAuthResource,
                      fmt::format("Too many failed authentication attempts from this address "
                                  "({} per {} seconds); retry in {} seconds",
                                  decision.limit, decision.window_seconds, decision.reset_seconds));
}
}  // namespace

std::optional<http::Response> RequestLimits::reserve_sign_in(const http::Request& request) {
  return count_auth_failure(request);  // counted up front; refund_sign_in gives it back
}

void RequestLimits::refund_sign_in(const http::Request& request) {
  auth_failures_.release(http::client_key(request.remote_address));
}

std::optional<http::Response> RequestLimits::count_auth_failure(const http::Request& request) {
  if (!auth_failures_.enabled()) return std::nullopt;
  auto decision = auth_failures_.acquire(http::client_key(request.remote_address));
  if (decision.allowed) return std::nullopt;
  return too_many_failures(decision);
}

RateLimitDecision RequestLimits::count_call(const http::Request& request,
                                            const service::Caller& caller) {
  if (!calls_.enabled()) return {};
  // User ids and IP addresses share one table; '#' never starts an address.
  if (caller.user) return calls_.acquire("#" + std::to_string(caller.user->id));
  return calls_.acquire(http::client_key(request.remote_address));
}

http::Response RequestLimits::too_many_requests(const RateLimitDecision& decision) {
  return rate_limited(decision, kApiResource,
                      fmt::format("Rate limit exceeded: at most {} requests per {} seconds; "
                                  "retry in {} seconds",
                                  decision.limit, decision.window_seconds, decision.reset_seconds));
}

void RequestLimits::add_headers(http::Response& response, const RateLimitDecision& decision) {
  add_rate_limit_headers(response, decision, kApiResource);
}

}  // namespace vitrine::api
