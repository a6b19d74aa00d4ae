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
      {"GET", "/api/organizations/{org}/overview", "public"},
      {"POST", "/api/repos/create", "user"},
      {"DELETE", "/api/repos/delete", "manage"},
      {"POST", "/api/repos/move", "manage"},
      {"POST", "/api/vitrine/login", "public"},
      {"POST", "/api/vitrine/logout", "public"},
      {"GET", "/api/vitrine/audit", "admin"},
      {"GET", "/api/vitrine/tokens", "account"},
      {"POST", "/api/vitrine/tokens", "account"},
      {"DELETE", "/api/vitrine/tokens/{id}", "account"},
      {"GET", "/api/vitrine/lineage/{type}s/{repo}", "read"},
      {"GET", "/api/vitrine/lineage/{type}s/{repo}/ancestors", "read"},
      {"GET", "/api/vitrine/lineage/models/{repo}/descendants", "read"},
      {"GET", "/api/vitrine/lineage/datasets/{repo}/models", "read"},
      {"GET", "/api/vitrine/lineage/datasets/{repo}/impact", "read"},
      {"GET", "/api/vitrine/openness/models/{repo}", "read"},
      {"GET", "/api/vitrine/card/{type}s/{repo}", "read"},
      {"POST", "/api/vitrine/card/{type}s/{repo}", "write"},
      {"GET", "/api/vitrine/diff/{type}s/{repo}/{rev}", "files"},
      {"GET", "/api/vitrine/render/{type}s/{repo}/{rev}/{path*}", "files"},
      {"GET", "/tlog/checkpoint", "public"},
      {"GET", "/tlog/key", "public"},
      {"GET", "/tlog/tile/{path*}", "public"},
      {"GET", "/api/tlog/proof/inclusion", "public"},
      {"GET", "/api/tlog/proof/consistency", "public"},
      {"GET", "/api/tlog/entries/{index}", "public"},
      {"GET", "/api/tlog/lookup", "public"},
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
      {"GET", "/api/{type}s/{repo}/tlog", "read"},
      {"GET", "/api/datasets/{repo}/croissant", "read"},
      {"POST", "/api/{type}s/{repo}/branch/{name}", "write"},
      {"DELETE", "/api/{type}s/{repo}/branch/{name}", "write"},
      {"POST", "/api/{type}s/{repo}/tag/{rev}", "write"},
      {"DELETE", "/api/{type}s/{repo}/tag/{name}", "write"},
      {"PUT", "/api/{type}s/{repo}/settings", "manage"},
      {"GET", "/api/{type}s/{repo}/auth-check", "files"},
      {"GET", "/api/{type}s/{repo}/auth-check/write", "write"},
      {"POST", "/api/{type}s/{repo}/ask-access", "read"},
      {"GET", "/api/{type}s/{repo}/user-access-request/{status}", "manage"},
      {"POST", "/api/{type}s/{repo}/user-access-request/handle", "manage"},
      {"POST", "/api/{type}s/{repo}/user-access-request/grant", "manage"},
      {"POST", "/api/{type}s/{repo}/preupload/{rev}", "write"},
      {"POST", "/api/{type}s/{repo}/commit/{rev}", "write"},
      {"GET", "/api/{type}s/{repo}/xet-read-token/{rev}", "files"},
      {"GET", "/api/{type}s/{repo}/xet-write-token/{rev}", "write"},
      {"GET", "/v1/reconstructions/{file}", "xet"},
      {"GET", "/v2/reconstructions/{file}", "xet"},
      {"POST", "/v1/reconstructions", "xet"},
      {"GET", "/v1/chunks/{prefix}/{chunk}", "xet"},
      {"POST", "/v1/xorbs/{prefix}/{xorb}", "xet-write"},
      {"POST", "/v1/shards", "xet-write"},
      {"POST", "/v2/shards", "xet-write"},
      {"GET", "/v2/file-chunk-hashes/{file}", "none"},
      {"GET", "/api/vitrine/xet/xorbs/{xorb}", "signed"},
      {"GET", "/{prefix}{repo}/resolve/{rev}/{path*}", "files"},
      {"GET", "/{prefix}{repo}/raw/{rev}/{path*}", "files"},
      {"POST", "/{prefix}{repo}.git/info/lfs/objects/batch", "files"},
      {"GET", "/{prefix}{repo}.git/info/lfs/locks", "read"},
      {"POST", "/{prefix}{repo}.git/info/lfs/locks/verify", "read"},
      {"GET", "/{prefix}{repo}.git/info/refs?service=git-upload-pack", "files"},
      {"GET", "/{prefix}{repo}.git/info/refs?service=git-receive-pack", "write"},
      {"POST", "/{prefix}{repo}.git/git-upload-pack", "files"},
      {"POST", "/{prefix}{repo}.git/git-receive-pack", "write"},
      // The web interface (after every other row: its patterns are the widest). Pages are the
      // same index.html for every path; the application asks the API what the caller may see.
      {"GET", "/assets/{path*}", "public"},
      {"GET", "/{page}", "public"},
      {"GET", "/{prefix}{repo}", "public"},
      {"GET", "/{prefix}{repo}/blob/{rev}/{path*}", "public"},
      {"GET", "/{prefix}{repo}/edit/{rev}/{path*}", "public"},
      {"GET", "/{prefix}{repo}/tree/{rev}/{path*}", "public"},
      {"GET", "/{prefix}{repo}/commits/{rev}/{path*}", "public"},
      {"GET", "/{prefix}{repo}/commit/{rev}", "public"},
      {"GET", "/{prefix}{repo}/compare/{rev}", "public"},
      {"GET", "/{prefix}{repo}/settings", "public"},
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

namespace {

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) slash = text.size();
    out.emplace_back(text.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Matches pattern segments from `p` against request segments from `r`. A variable that ends
// the pattern absorbs the rest (revisions such as raw refs/pr/1 span segments).
bool match(const std::vector<std::string>& pat, size_t p, const std::vector<std::string>& req,
           size_t r) {
  if (p == pat.size()) return r == req.size();
  const std::string& token = pat[p];
  bool last = p + 1 == pat.size();
  if (token == "{prefix}{repo}" || token == "{prefix}{repo}.git") {
    bool dataset = r < req.size() && req[r] == "datasets";
    // Model first, then dataset prefix; {repo} is namespace/name, `.git` optional.
    for (size_t skip : {size_t{0}, size_t{dataset ? 1u : 0u}}) {
      if (r + skip + 2 > req.size()) continue;
      if (match(pat, p + 1, req, r + skip + 2)) return true;
    }
    return false;
  }
  if (token == "{repo}") return r + 2 <= req.size() && match(pat, p + 1, req, r + 2);
  if (token == "{type}s") {
    return r < req.size() && (req[r] == "models" || req[r] == "datasets") &&
           match(pat, p + 1, req, r + 1);
  }
  if (token == "{path*}") return r <= req.size();
  if (token == "{page}") return r < req.size() && match(pat, p + 1, req, r + 1);  // one segment
  if (token.size() > 2 && token.front() == '{' && token.back() == '}') {
    if (last) return r < req.size();
    return r < req.size() && match(pat, p + 1, req, r + 1);
  }
  return r < req.size() && req[r] == token && match(pat, p + 1, req, r + 1);
}

}  // namespace

const RouteInfo* find_route(const std::string& method, const std::vector<std::string>& segments,
                            const std::string& query) {
  std::string m = method == "HEAD" ? "GET" : method;
  for (const auto& route : routes()) {
    if (m != route.method) continue;
    std::string_view pattern = route.pattern;
    std::string_view required_query;
    if (auto q = pattern.find('?'); q != std::string_view::npos) {
      required_query = pattern.substr(q + 1);
      pattern = pattern.substr(0, q);
    }
    if (!required_query.empty() &&
        ("&" + query + "&").find("&" + std::string(required_query) + "&") == std::string::npos) {
      continue;
    }
    auto pat = split(pattern.substr(1));
    // `{repo}.git/...` also matches `{repo}/...`: git is given both URL forms.
    if (match(pat, 0, segments, 0)) return &route;
  }
  return nullptr;
}

}  // namespace vitrine::api
