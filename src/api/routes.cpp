// The route table; keep it in step with dispatch() in router.cpp and handle_repo_api() in
// repo_api.cpp (the authorization matrix client test checks every row is served).
#include "api/routes.hpp"

#include <nlohmann/json.hpp>

namespace vitrine::api {

const std::vector<RouteInfo>& routes() {
  static const std::vector<RouteInfo> kRoutes = {
      {"GET", "/", "public"},
      {"GET", "/api/whoami-v2", "user"},
      {"POST", "/api/validate-yaml", "public"},
      {"GET", "/api/users/{user}/overview", "public"},
      {"GET", "/api/organizations/{org}/members", "public"},
      {"POST", "/api/repos/create", "user"},
      {"DELETE", "/api/repos/delete", "manage"},
      {"POST", "/api/repos/move", "manage"},
      {"POST", "/api/vitrine/login", "public"},
      {"POST", "/api/vitrine/logout", "public"},
      {"GET", "/api/vitrine/audit", "admin"},
      {"PUT", "/api/vitrine/lfs/objects/{oid}/{size}", "signed"},
      {"GET", "/api/vitrine/lfs/objects/{oid}/{size}", "signed"},
      {"PUT", "/api/vitrine/lfs/parts/{oid}/{size}/{part}", "signed"},
      {"POST", "/api/vitrine/lfs/complete/{oid}/{size}", "signed"},
      {"POST", "/api/vitrine/lfs/verify/{oid}/{size}", "signed"},
      {"GET", "/api/spaces/{path*}", "none"},
      {"GET", "/api/{type}s", "public"},
      {"GET", "/api/{type}s/{repo}", "read"},
      {"GET", "/api/{type}s/{repo}/revision/{rev}", "read"},
      {"GET", "/api/{type}s/{repo}/tree/{rev}/{path*}", "read"},
      {"POST", "/api/{type}s/{repo}/paths-info/{rev}", "read"},
      {"GET", "/api/{type}s/{repo}/commits/{rev}", "read"},
      {"GET", "/api/{type}s/{repo}/refs", "read"},
      {"POST", "/api/{type}s/{repo}/branch/{name}", "write"},
      {"DELETE", "/api/{type}s/{repo}/branch/{name}", "write"},
      {"POST", "/api/{type}s/{repo}/tag/{rev}", "write"},
      {"DELETE", "/api/{type}s/{repo}/tag/{name}", "write"},
      {"PUT", "/api/{type}s/{repo}/settings", "manage"},
      {"GET", "/api/{type}s/{repo}/auth-check", "read"},
      {"GET", "/api/{type}s/{repo}/auth-check/write", "write"},
      {"POST", "/api/{type}s/{repo}/ask-access", "read"},
      {"GET", "/api/{type}s/{repo}/user-access-request/{status}", "manage"},
      {"POST", "/api/{type}s/{repo}/user-access-request/handle", "manage"},
      {"POST", "/api/{type}s/{repo}/user-access-request/grant", "manage"},
      {"POST", "/api/{type}s/{repo}/preupload/{rev}", "write"},
      {"POST", "/api/{type}s/{repo}/commit/{rev}", "write"},
      {"GET", "/api/{type}s/{repo}/xet-read-token/{rev}", "read"},
      {"GET", "/api/{type}s/{repo}/xet-write-token/{rev}", "read"},
      {"GET", "/{prefix}{repo}/resolve/{rev}/{path*}", "files"},
      {"GET", "/{prefix}{repo}/raw/{rev}/{path*}", "files"},
      {"POST", "/{prefix}{repo}.git/info/lfs/objects/batch", "files"},
      {"GET", "/{prefix}{repo}.git/info/lfs/locks", "read"},
      {"POST", "/{prefix}{repo}.git/info/lfs/locks/verify", "read"},
      {"GET", "/{prefix}{repo}.git/info/refs?service=git-upload-pack", "files"},
      {"GET", "/{prefix}{repo}.git/info/refs?service=git-receive-pack", "write"},
      {"POST", "/{prefix}{repo}.git/git-upload-pack", "files"},
      {"POST", "/{prefix}{repo}.git/git-receive-pack", "write"},
  };
  return kRoutes;
}

std::string routes_json() {
  auto out = nlohmann::json::array();
  for (const auto& r : routes()) {
    out.push_back({{"method", r.method}, {"pattern", r.pattern}, {"access", r.access}});
  }
  return out.dump(2);
}

}  // namespace vitrine::api
