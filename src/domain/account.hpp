// Accounts: users, organizations and their members, and the access tokens users make.
#pragma once

#include <cstdint>
#include <string>

#include "domain/role.hpp"

namespace vitrine::domain {

struct UserRecord {
  int64_t id = 0;
  std::string name;
  std::string fullname;
  std::string email;
  bool is_admin = false;
  int64_t created_at = 0;  // unix ms
};

struct TokenRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  TokenRole role = TokenRole::kRead;
  std::string hash;  // sha256 hex of the token
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  bool revoked = false;
  int64_t expires_at = 0;   // unix ms; 0: never
  std::string scopes_json;  // fine-grained tokens: their scopes
  int64_t parent_id = 0;    // the token that made this one through the API; 0: none
};

struct OrgRecord {
  int64_t id = 0;
  std::string name;
  std::string fullname;
  int64_t created_at = 0;
};

// A user's role in an organization.
struct OrgMembership {
  OrgRecord org;
  UserRecord user;
  MemberRole role = MemberRole::kRead;
};

}  // namespace vitrine::domain
