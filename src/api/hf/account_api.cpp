// Accounts: who the caller is (whoami-v2), user and organization overviews (the Hub's
// /api/users/{name}/overview and /api/organizations/{name}/overview, as huggingface_hub's
// get_user_overview and get_organization_overview read them), organization members. Counts
// are of public repositories only: a profile says nothing of private ones.
#include "api/api.hpp"
#include "util/time.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

// The user's avatar, or the hub's default image.
std::string avatar_or_default(Context& ctx, int64_t user_id) {
  std::string url = ctx.hub.db().avatar_url(user_id);
  return url.empty() ? "/avatars/default.svg" : url;
}

// A namespace's organizations as the Hub's overviews list them.
json org_summary(const storage::OrgRecord& org) {
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
  json orgs = json::array();
  for (const auto& m : ctx.hub.db().orgs_of_user(u.id)) {
    orgs.push_back({{"type", "org"},
                    {"id", "org-" + std::to_string(m.org.id)},
                    {"name", m.org.name},
                    {"fullname", m.org.fullname.empty() ? m.org.name : m.org.fullname},
                    {"email", nullptr},
                    {"canPay", false},
                    {"avatarUrl", "/avatars/default.svg"},
                    {"periodEnd", nullptr},
                    {"roleInOrg", m.role}});
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
              {"avatarUrl", avatar_or_default(ctx, u.id)},
              {"billingMode", "postpaid"},
              {"orgs", orgs},
              {"auth",
               {{"type", "access_token"},
                {"accessToken",
                 {{"displayName", call.caller.token_name},
                  {"role", call.caller.role},
                  {"createdAt", util::iso8601_utc(call.caller.token_created_at)}}}}}};
  if (call.caller.fine_grained()) {
    // The Hub's shape: scoped entities with repo.* permission names.
    json scoped = json::array();
    for (const auto& scope : call.caller.scopes) {
      json permissions = json::array();
      for (const auto& p : scope.permissions) {
        permissions.push_back(p == "read" ? "repo.content.read" : "repo." + p);
      }
      std::string type = scope.kind;
      if (type == "namespace") type = ctx.hub.db().find_org(scope.name) ? "org" : "user";
      scoped.push_back(
          {{"entity", {{"type", type}, {"name", scope.name}}}, {"permissions", permissions}});
    }
    out["auth"]["accessToken"]["fineGrained"] = {{"scoped", scoped}, {"global", json::array()}};
  }
  return json_response(200, out);
}

http::Response handle_user_overview(Context& ctx, Call& call) {
  const std::string name = call.params.get("user");
  auto user = ctx.hub.db().find_user(name);
  if (!user) return error_response(not_found("User not found"), call.caller);
  json orgs = json::array();
  for (const auto& m : ctx.hub.db().orgs_of_user(user->id)) orgs.push_back(org_summary(m.org));
  return json_response(200,
                       json{{"_id", std::to_string(user->id)},
                            {"type", "user"},
                            {"user", user->name},
                            {"name", user->name},
                            {"fullname", user->fullname.empty() ? user->name : user->fullname},
                            {"avatarUrl", avatar_or_default(ctx, user->id)},
                            {"isPro", false},
                            {"createdAt", util::iso8601_utc(user->created_at)},
                            {"numModels", ctx.hub.db().count_public_repos(user->name, "model")},
                            {"numDatasets", ctx.hub.db().count_public_repos(user->name, "dataset")},
                            {"orgs", orgs}});
}

http::Response handle_org_overview(Context& ctx, Call& call) {
  const std::string name = call.params.get("org");
  auto org = ctx.hub.db().find_org(name);
  if (!org) return error_response(not_found("Organization not found"), call.caller);
  json out = org_summary(*org);
  out["_id"] = "org-" + std::to_string(org->id);
  out["numUsers"] = ctx.hub.db().org_members(org->id).size();
  out["numModels"] = ctx.hub.db().count_public_repos(org->name, "model");
  out["numDatasets"] = ctx.hub.db().count_public_repos(org->name, "dataset");
  out["createdAt"] = util::iso8601_utc(org->created_at);
  return json_response(200, out);
}

http::Response handle_org_members(Context& ctx, Call& call) {
  const std::string name = call.params.get("org");
  auto org = ctx.hub.db().find_org(name);
  if (!org) return error_response(not_found("Organization not found"), call.caller);
  json out = json::array();
  for (const auto& m : ctx.hub.db().org_members(org->id)) {
    out.push_back({{"_id", std::to_string(m.user.id)},
                   {"type", "user"},
                   {"user", m.user.name},
                   {"fullname", m.user.fullname.empty() ? m.user.name : m.user.fullname},
                   {"avatarUrl", avatar_or_default(ctx, m.user.id)},
                   {"isPro", false},
                   {"role", m.role}});
  }
  return json_response(200, out);
}

}  // namespace vitrine::api
