// TokenService: a user's own access tokens as the HTTP API manages them (list, create,
// revoke), with the rules that keep a token from outliving or outranking whoever made it.
// Who may call: a password session (the web interface) or a `write` token of the same user;
// read and fine-grained tokens may not (a fine-grained token would otherwise mint a token
// wider than its scopes). A token made by a token never expires after it. Thread-safe; each
// creation and revocation is recorded in the audit log (by AuthService).
#pragma once

#include <string>
#include <vector>

#include "service/hub.hpp"

namespace vitrine::service {

inline constexpr size_t kMaxTokensPerUser = 100;  // active (neither revoked nor expired)
inline constexpr size_t kMaxTokenNameLength = 64;
inline constexpr size_t kMaxScopesPerToken = 32;

struct TokenRequest {
  std::string name;
  std::string role;                      // read | write | fineGrained, as the caller wrote it
  std::vector<std::string> scope_specs;  // `namespace:acme=read,write` (fineGrained only)
  int64_t expires_in_seconds = 0;        // 0: never (or as long as the calling token)
};

struct CreatedToken {
  domain::TokenRecord record;  // its hash is never shown
  std::string secret;          // the only copy outside the caller's hands
};

// Why a request was refused, for clients that branch on it (the API's X-Error-Code).
inline constexpr const char* kInvalidTokenName = "InvalidTokenName";
inline constexpr const char* kInvalidTokenRole = "InvalidTokenRole";
inline constexpr const char* kInvalidTokenScope = "InvalidTokenScope";
inline constexpr const char* kInvalidTokenExpiry = "InvalidTokenExpiry";
inline constexpr const char* kInvalidTokenRequest = "InvalidTokenRequest";  // not a JSON object
inline constexpr const char* kTooManyTokens = "TooManyTokens";
inline constexpr const char* kTokenNotFound = "TokenNotFound";

class TokenService {
 public:
  explicit TokenService(Hub& hub) : hub_(hub) {}

  // kUnauthorized without a user; kForbidden for read and fine-grained tokens.
  Status may_manage(const Caller& caller) const;
  // The caller's tokens that are not revoked (expired ones included), oldest first.
  Result<std::vector<domain::TokenRecord>> list(const Caller& caller);
  // kBadRequest for a bad name (1-64 letters, digits, spaces, `.`, `_`, `-`; no space at
  // either end), role, scope or lifetime; kConflict at kMaxTokensPerUser. `error_code` (if
  // given) receives one of the codes above on a refusal of the request's content.
  Result<CreatedToken> create(const Caller& caller, const TokenRequest& request,
                              std::string* error_code = nullptr);
  // kNotFound when the caller has no such active token (another user's id included).
  Status revoke(const Caller& caller, int64_t token_id);

  static Status validate_name(const std::string& name);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
