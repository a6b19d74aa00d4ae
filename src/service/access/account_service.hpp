// AccountService: what the hub tells about its accounts: a user's or an organization's profile,
// an organization's members, the organizations of a user. Profiles count public repositories
// only (gated ones included): they say nothing of private ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

struct UserProfile {
  domain::UserRecord user;
  std::string avatar_url;  // the user's, or the hub's default image
  std::vector<domain::OrgRecord> orgs;
  int64_t public_models = 0;
  int64_t public_datasets = 0;
};

struct OrgProfile {
  domain::OrgRecord org;
  size_t members = 0;
  int64_t public_models = 0;
  int64_t public_datasets = 0;
};

struct OrgMember {
  domain::UserRecord user;
  domain::MemberRole role = domain::MemberRole::kRead;
  std::string avatar_url;
};

class AccountService {
 public:
  explicit AccountService(Hub& hub) : hub_(hub) {}

  // kNotFound "User not found" / "Organization not found", or the read error.
  Result<UserProfile> user_profile(const std::string& name);
  Result<OrgProfile> org_profile(const std::string& name);
  Result<std::vector<OrgMember>> org_members(const std::string& org);
  // The user's organizations with their role in each, by name.
  std::vector<domain::OrgMembership> memberships(int64_t user_id);
  // The user's avatar URL, or the hub's default image.
  std::string avatar_url(int64_t user_id);
  // Whether `name` is an organization (else a user, or nothing), or the read error.
  Result<bool> is_org(const std::string& name);
  // Every user, by name (`vitrine user list`).
  std::vector<domain::UserRecord> users();
  // The image shown for the user (`vitrine user create --avatar-url`).
  Status set_avatar_url(int64_t user_id, const std::string& url);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
