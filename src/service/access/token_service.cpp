// A user's own access tokens through the API: the rules on who may manage them and what may
// be minted.
#include "service/access/token_service.hpp"

#include <mutex>

#include "formats/hub/token_scope.hpp"
#include "service/access/auth_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

// Counting the active tokens and adding one happen under this lock, so concurrent requests
// cannot take a user past kMaxTokensPerUser.
std::mutex& creation_mutex() {
  static std::mutex m;
  return m;
}

bool active(const domain::TokenRecord& t, int64_t now) {
  return !t.revoked && (t.expires_at == 0 || t.expires_at > now);
}

Status refuse(std::string* error_code, const char* code, Status status) {
  if (error_code) *error_code = code;
  return status;
}

}  // namespace

Status TokenService::may_manage(const Caller& caller) const {
  if (!caller.user) {
    return Status(ErrorKind::kUnauthorized, "Sign in to manage your access tokens");
  }
  if (caller.session || caller.role == domain::TokenRole::kWrite) return Status::ok();
  return forbidden("A " + std::string(caller.fine_grained() ? "fine-grained" : "read") +
                   " token cannot manage access tokens: sign in with a password or use a write "
                   "token");
}

Status TokenService::validate_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxTokenNameLength) {
    return bad_request("A token name has 1 to " + std::to_string(kMaxTokenNameLength) +
                       " characters");
  }
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != ' ' && c != '.' && c != '_' && c != '-') {
      return bad_request("A token name may hold letters, digits, spaces, '.', '_' and '-' only");
    }
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return bad_request("A token name cannot start or end with a space");
  }
  return Status::ok();
}

Result<std::vector<domain::TokenRecord>> TokenService::list(const Caller& caller) {
  if (auto st = may_manage(caller); !st) return st;
  auto tokens = hub_.db().list_tokens(caller.user->id);
  if (!tokens) return tokens.status();
  std::vector<domain::TokenRecord> out;
  for (auto& t : *tokens) {
    if (!t.revoked) out.push_back(std::move(t));
  }
  return out;
}

Result<CreatedToken> TokenService::create(const Caller& caller, const TokenRequest& request,
                                          std::string* error_code) {
  if (auto st = may_manage(caller); !st) return st;
  if (auto st = validate_name(request.name); !st) {
    return refuse(error_code, kInvalidTokenName, st);
  }
  auto role = domain::token_role_from_wire(request.role);
  if (!role) {
    return refuse(error_code, kInvalidTokenRole,
                  bad_request("role must be read, write or fineGrained"));
  }
  bool fine_grained = *role == domain::TokenRole::kFineGrained;
  if (request.scope_specs.size() > kMaxScopesPerToken) {
    return refuse(
        error_code, kInvalidTokenScope,
        bad_request("At most " + std::to_string(kMaxScopesPerToken) + " scopes per token"));
  }
  std::vector<TokenScope> scopes;
  for (const auto& spec : request.scope_specs) {
    auto scope = parse_token_scope(spec);
    if (!scope) return refuse(error_code, kInvalidTokenScope, scope.status());
    scopes.push_back(std::move(*scope));
  }
  if (fine_grained != !scopes.empty()) {
    return refuse(error_code, kInvalidTokenScope,
                  bad_request(fine_grained ? "a fineGrained token needs at least one scope"
                                           : "scopes are only for fineGrained tokens"));
  }
  if (request.expires_in_seconds < 0) {
    return refuse(error_code, kInvalidTokenExpiry, bad_request("expiresIn must be positive"));
  }
  if (request.expires_in_seconds > kMaxTokenLifetimeSeconds) {
    return refuse(error_code, kInvalidTokenExpiry,
                  bad_request("expiresIn is over 3650 days, the longest a token may live"));
  }
  int64_t lifetime = request.expires_in_seconds;
  int64_t now = util::now_ms();
  if (!caller.session && caller.token_expires_at > 0) {
    // Made by a token that expires: the new one expires no later (a second early, as the
    // lifetime is counted again from a slightly later instant).
    int64_t left = (caller.token_expires_at - now) / 1000 - 1;
    if (left <= 0) {
      return refuse(error_code, kInvalidTokenExpiry,
                    bad_request("The token making this request is about to expire"));
    }
    lifetime = lifetime == 0 ? left : std::min(lifetime, left);
  }

  std::lock_guard lock(creation_mutex());
  auto tokens = hub_.db().list_tokens(caller.user->id);
  if (!tokens) return tokens.status();  // the limit cannot be checked: refuse, with the error
  size_t count = 0;
  for (const auto& t : *tokens) count += active(t, now) ? 1 : 0;
  if (count >= kMaxTokensPerUser) {
    return refuse(error_code, kTooManyTokens,
                  conflict("You have " + std::to_string(kMaxTokensPerUser) +
                           " active tokens, the most allowed: revoke one first"));
  }
  auto secret = AuthService(hub_).create_token(caller.user->name, *role, request.name, lifetime,
                                               scopes, &caller);
  if (!secret) return secret.status();
  auto record = hub_.db().find_token_by_hash(util::sha256_hex(*secret));
  if (!record) return record.status();
  if (!*record) return internal_error("the new token cannot be read back");
  return CreatedToken{std::move(**record), std::move(*secret)};
}

Status TokenService::revoke(const Caller& caller, int64_t token_id) {
  if (auto st = may_manage(caller); !st) return st;
  auto tokens = hub_.db().list_tokens(caller.user->id);
  if (!tokens) return tokens.status();
  bool mine = false;
  for (const auto& t : *tokens) {
    mine = mine || (t.id == token_id && !t.revoked);
  }
  // Another user's token answers exactly as a missing one.
  if (!mine) return not_found("You have no token with id " + std::to_string(token_id));
  return AuthService(hub_).revoke_token(caller.user->name, token_id, &caller);
}

}  // namespace vitrine::service
