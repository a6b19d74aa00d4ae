// Profiles and memberships.
#include "service/access/account_service.hpp"

#include "service/hub.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

std::string AccountService::avatar_url(int64_t user_id) {
  std::string url = hub_.db().avatar_url(user_id);
  return url.empty() ? "/avatars/default.svg" : url;
}

std::vector<domain::OrgMembership> AccountService::memberships(int64_t user_id) {
  return hub_.db().orgs_of_user(user_id);
}

Result<bool> AccountService::is_org(const std::string& name) {
  auto org = hub_.db().find_org(name);
  if (!org) return org.status();
  return org->has_value();
}

Result<UserProfile> AccountService::user_profile(const std::string& name) {
  auto user = found_or(hub_.db().find_user(name), not_found("User not found"));
  if (!user) return user.status();
  UserProfile out;
  out.user = std::move(*user);
  out.avatar_url = avatar_url(out.user.id);
  for (const auto& m : hub_.db().orgs_of_user(out.user.id)) out.orgs.push_back(m.org);
  out.public_models = hub_.db().count_public_repos(out.user.name, domain::RepoKind::kModel);
  out.public_datasets = hub_.db().count_public_repos(out.user.name, domain::RepoKind::kDataset);
  return out;
}

Result<OrgProfile> AccountService::org_profile(const std::string& name) {
  auto org = found_or(hub_.db().find_org(name), not_found("Organization not found"));
  if (!org) return org.status();
  OrgProfile out;
  out.org = std::move(*org);
  out.members = hub_.db().org_members(out.org.id).size();
  out.public_models = hub_.db().count_public_repos(out.org.name, domain::RepoKind::kModel);
  out.public_datasets = hub_.db().count_public_repos(out.org.name, domain::RepoKind::kDataset);
  return out;
}

Result<std::vector<OrgMember>> AccountService::org_members(const std::string& name) {
  auto org = found_or(hub_.db().find_org(name), not_found("Organization not found"));
  if (!org) return org.status();
  std::vector<OrgMember> out;
  for (auto& m : hub_.db().org_members(org->id)) {
    std::string avatar = avatar_url(m.user.id);
    out.push_back({std::move(m.user), m.role, std::move(avatar)});
  }
  return out;
}

std::vector<domain::UserRecord> AccountService::users() {
  return hub_.db().list_users();
}

Status AccountService::set_avatar_url(int64_t user_id, const std::string& url) {
  return hub_.db().set_avatar_url(user_id, url);
}

}  // namespace vitrine::service
