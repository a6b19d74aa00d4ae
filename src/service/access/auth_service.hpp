// AuthService: users and access tokens. Tokens are `hf_` + 34 random alphanumerics, shown
// once, stored only as their SHA-256, and compared in constant time after lookup.
#pragma once

#include <string>
#include <string_view>

#include "service/hub.hpp"

namespace vitrine::service {

// Every change is recorded in the audit log; `actor` is who asked (null: the admin CLI).
class AuthService {
 public:
  explicit AuthService(Hub& hub) : hub_(hub) {}

  Result<domain::UserRecord> create_user(const std::string& name, bool is_admin,
                                         const std::string& fullname = "",
                                         const std::string& email = "",
                                         const Caller* actor = nullptr);
  // Returns the plain token (the only time it exists outside the caller's hands).
  // A fine-grained token needs `scopes` (where and what), the others none; `expires_in_seconds`
  // 0 means never.
  Result<std::string> create_token(const std::string& user_name, domain::TokenRole role,
                                   const std::string& token_name, int64_t expires_in_seconds = 0,
                                   const std::vector<TokenScope>& scopes = {},
                                   const Caller* actor = nullptr);
  // Organizations share the namespace of users; the owner becomes an admin member.
  Result<domain::OrgRecord> create_org(const std::string& name, const std::string& owner,
                                       const std::string& fullname = "",
                                       const Caller* actor = nullptr);
  Status set_org_member(const std::string& org, const std::string& user, domain::MemberRole role,
                        const Caller* actor = nullptr);
  Status delete_user(const std::string& name, const Caller* actor = nullptr);
  Result<std::vector<domain::TokenRecord>> list_tokens(const std::string& user_name);
  Status revoke_token(const std::string& user_name, int64_t token_id,
                      const Caller* actor = nullptr);

  // Web interface accounts: passwords are stored as Argon2id hashes (RFC 9106 parameters for
  // memory-constrained hosts: 19 MiB, 2 passes), verified in constant time.
  Status set_password(const std::string& user_name, const std::string& password);
  struct Session {
    std::string cookie;  // the secret cookie value; only its SHA-256 is stored
    std::string csrf;    // sent back in X-CSRF-Token on every state-changing request
    std::string user;
  };
  // kUnauthorized "Invalid username or password" for an unknown user or a wrong password,
  // after the same amount of work in both cases.
  Result<Session> login(const std::string& user_name, const std::string& password);
  Status logout(const std::string& cookie);
  // A caller from a session cookie, with the session's CSRF token in `csrf`.
  Caller authenticate_session(const std::string& cookie, std::string* csrf);

  // Identifies the caller from an Authorization header value: `Bearer <token>` or
  // `Basic base64(user:<token>)`. An empty header is anonymous; anything unrecognised, revoked
  // or expired sets bad_token.
  Caller authenticate(std::string_view authorization);

  // The caller a grant was issued to (a Xet token, a signed download URL), as they are now: the
  // user by name ("" = anonymous) and the access token by id (0 = a session or anonymous;
  // `role` then stands for it). Nothing when the user is gone or the token revoked or expired;
  // the read error when that cannot be told. A fine-grained token brings its current scopes.
  Lookup<Caller> caller_now(const std::string& user, int64_t token_id, domain::TokenRole role);
  // The user named `name`: kNotFound "no user named …" when there is none, the read error when
  // the accounts could not be read.
  Result<domain::UserRecord> user_named(const std::string& name);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
