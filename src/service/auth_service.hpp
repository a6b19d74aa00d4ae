// AuthService: users and access tokens. Tokens are `hf_` + 34 random alphanumerics, shown
// once, stored only as their SHA-256, and compared in constant time after lookup.
#pragma once

#include <string>
#include <string_view>

#include "service/hub.hpp"

namespace vitrine::service {

class AuthService {
 public:
  explicit AuthService(Hub& hub) : hub_(hub) {}

  Result<storage::UserRecord> create_user(const std::string& name, bool is_admin,
                                          const std::string& fullname = "",
                                          const std::string& email = "");
  // Returns the plain token (the only time it exists outside the caller's hands).
  Result<std::string> create_token(const std::string& user_name, const std::string& role,
                                   const std::string& token_name);
  // Organizations share the namespace of users; the owner becomes an admin member.
  Result<storage::OrgRecord> create_org(const std::string& name, const std::string& owner,
                                        const std::string& fullname = "");
  Status set_org_member(const std::string& org, const std::string& user, const std::string& role);
  Status delete_user(const std::string& name) { return hub_.db().delete_user(name); }
  Result<std::vector<storage::TokenRecord>> list_tokens(const std::string& user_name);
  Status revoke_token(const std::string& user_name, int64_t token_id);

  // Identifies the caller from an Authorization header value: `Bearer <token>` or
  // `Basic base64(user:<token>)`. An empty header is anonymous; anything unrecognised sets
  // bad_token.
  Caller authenticate(std::string_view authorization);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
