// Accounts: who the caller is (whoami-v2), user and organization overviews (the Hub's
// /api/users/{name}/overview and /api/organizations/{name}/overview, as huggingface_hub's
// get_user_overview and get_organization_overview read them), organization members. Counts
// are of public repositories only: a profile says nothing of private ones.
#include "api/api.hpp"
#include "service/access/account_service.hpp"
#include "util/time.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

// A namespace's organizations as the Hub's overviews list them.
json org_summary(const domain::OrgRecord& org) {
  return {{"type", "org"},
          {"name", org.name},
          {"fullname", org.fullname.empty() ? org.name : org.fullname},
          {"avatarUrl", "/avatars/default.svg"}};
}

}  // namespace

http::Response handle_whoami(Context& ctx, Call& call) {
  if (!call.caller.user) {
    return error_response(Status(ErrorKind::kUnauthorized, "Invalid user token."), call.caller);
  }
  const auto& u = *call.caller.user;
  service::AccountService accounts(ctx.hub);
  json orgs = json::array();
  for (const auto& m : accounts.memberships(u.id)) {
    orgs.push_back({{"type", "org"},
                    {"id", "org-" + std::to_string(m.org.id)},
                    {"name", m.org.name},
                    {"fullname", m.org.fullname.empty() ? m.org.name : m.org.fullname},
                    {"email", nullptr},
                    {"canPay", false},
                    {"avatarUrl", "/avatars/default.svg"},
                    {"periodEnd", nullptr},
                    {"roleInOrg", domain::to_wire(m.role)}});
  }
  json out = {{"type", "user"},
              {"id", std::to_string(u.id)},
              {"name", u.name},
              {"fullname", u.fullname.empty() ? u.name : u.fullname},
              {"email", u.email.empty() ? json(nullptr) : json(u.email)},
              {"emailVerified", !u.email.empty()},
              {"isPro", false},
              {"canPay", false},
              {"periodEnd", nullptr},
              {"avatarUrl", accounts.avatar_url(u.id)},
              {"billingMode", "postpaid"},
              {"orgs", orgs},
              {"auth",
               {{"type", "access_token"},
                {"accessToken",
                 {{"displayName", call.caller.token_name},
                  {"role", domain::to_wire(call.caller.role)},
                  {"createdAt", util::iso8601_utc(call.caller.token_created_at)}}}}}};
  if (call.caller.fine_grained()) {
    // The Hub's shape: scoped entities with repo.* permission names.
    json scoped = json::array();
    for (const auto& scope : call.caller.scopes) {
      json permissions = json::array();
      for (auto p : scope.permissions) {
        permissions.push_back(p == domain::AccessLevel::kRead ? "repo.content.read"
                                                              : "repo." + domain::to_wire(p));
      }
      std::string type = scope.kind();
      if (!scope.repo) {
        auto org = accounts.is_org(scope.name);
        if (!org) return error_response(org.status(), call.caller);
        type = *org ? "org" : "user";
      }
      scoped.push_back(
          {{"entity", {{"type", type}, {"name", scope.name}}}, {"permissions", permissions}});
    }
    out["auth"]["accessToken"]["fineGrained"] = {{"scoped", scoped}, {"global", json::array()}};
  }
  return json_response(200, out);
}

http::Response handle_user_overview(Context& ctx, Call& call) {
  const std::string name = call.params.get("user");
  auto profile = service::AccountService(ctx.hub).user_profile(name);
  if (!profile) return error_response(profile.status(), call.caller);
  const domain::UserRecord& user = profile->user;
  json orgs = json::array();
  for (const auto& org : profile->orgs) orgs.push_back(org_summary(org));
  return json_response(200, json{{"_id", std::to_string(user.id)},
                                 {"type", "user"},
                                 {"user", user.name},
                                 {"name", user.name},
                                 {"fullname", user.fullname.empty() ? user.name : user.fullname},
                                 {"avatarUrl", profile->avatar_url},
                                 {"isPro", false},
                                 {"createdAt", util::iso8601_utc(user.created_at)},
                                 {"numModels", profile->public_models},
                                 {"numDatasets", profile->public_datasets},
                                 {"orgs", orgs}});
}

http::Response handle_org_overview(Context& ctx, Call& call) {
  const std::string name = call.params.get("org");
  auto profile = service::AccountService(ctx.hub).org_profile(name);
  if (!profile) return error_response(profile.status(), call.caller);
  json out = org_summary(profile->org);
  out["_id"] = "org-" + std::to_string(profile->org.id);
  out["numUsers"] = profile->members;
  out["numModels"] = profile->public_models;
  out["numDatasets"] = profile->public_datasets;
  out["createdAt"] = util::iso8601_utc(profile->org.created_at);
  return json_response(200, out);
}

http::Response handle_org_members(Context& ctx, Call& call) {
  const std::string name = call.params.get("org");
  auto members = service::AccountService(ctx.hub).org_members(name);
  if (!members) return error_response(members.status(), call.caller);
  json out = json::array();
  for (const auto& m : *members) {
    out.push_back({{"_id", std::to_string(m.user.id)},
                   {"type", "user"},
                   {"user", m.user.name},
                   {"fullname", m.user.fullname.empty() ? m.user.name : m.user.fullname},
                   {"avatarUrl", m.avatar_url},
                   {"isPro", false},
                   {"role", domain::to_wire(m.role)}});
  }
  return json_response(200, out);
}

}  // namespace vitrine::api
