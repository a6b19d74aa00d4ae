// Xet CAS access tokens: short-lived, self-contained (HMAC-signed with the hub's signing key),
// scoped to one repository and to read or write. Issued by /api/{type}s/{repo}/xet-*-token/{rev}
// after the hub's own access checks; checked by every CAS endpoint. A token of another repo, a
// read token on a write endpoint, an expired or altered token are all refused. The token names
// the user and the access token it was issued to, so each use re-checks that access to the
// repository: a repository that turns private, a member who leaves, or a revoked or narrowed
// access token stops it at once, not when it expires.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::service {

struct XetClaims {
  std::string repo_uid;
  bool write = false;
  int64_t expires = 0;  // unix seconds
  std::string revision;
  std::string user;      // the user it was issued to; "" when anonymous
  int64_t token_id = 0;  // the access token it was issued through; 0: a session or anonymous
};

std::string issue_xet_token(std::string_view signing_key, const XetClaims& claims);
// kUnauthorized when the token is malformed, altered or expired.
Result<XetClaims> verify_xet_token(std::string_view signing_key, std::string_view token,
                                   int64_t now);

}  // namespace vitrine::service
