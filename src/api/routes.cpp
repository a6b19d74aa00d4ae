// The route table and its matcher. Each row names its handler (api.hpp); the router
// (router.cpp) resolves the row's access before calling it.
#include "api/routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/xet/xet_api.hpp"

namespace vitrine::api {

namespace {
using A = RouteAccess;
using enum ErrorShape;
}  // namespace

const std::vector<Route>& routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/", A::kPublic, handle_web_page},
      {"GET", "/api/whoami-v2", A::kUser, handle_whoami},
      {"POST", "/api/validate-yaml", A::kPublic, handle_validate_yaml},
      {"GET", "/api/users/{user}/overview", A::kPublic, handle_user_overview},
      {"GET", "/api/organizations/{org}/members", A::kPublic, handle_org_members},
      {"GET", "/api/organizations/{org}/overview", A::kPublic, handle_org_overview},
      // The repository of these three is named in the body: the handlers check their access.
      {"POST", "/api/repos/create", A::kUser, handle_repo_create},
      {"DELETE", "/api/repos/delete", A::kManage, handle_repo_delete},
      {"POST", "/api/repos/move", A::kManage, handle_repo_move},
      {"POST", "/api/vitrine/login", A::kPublic, handle_login},
      {"POST", "/api/vitrine/logout", A::kPublic, handle_logout},
      {"GET", "/api/vitrine/audit", A::kAdmin, handle_audit_log},
      {"GET", "/api/vitrine/tokens", A::kAccount, handle_token_list},
      {"POST", "/api/vitrine/tokens", A::kAccount, handle_token_create},
      {"DELETE", "/api/vitrine/tokens/{id}", A::kAccount, handle_token_revoke},
      {"GET", "/api/vitrine/lineage/{type}s/{repo}", A::kRead, handle_lineage_node},
      {"GET", "/api/vitrine/lineage/{type}s/{repo}/ancestors", A::kRead, handle_lineage_ancestors},
      {"GET", "/api/vitrine/lineage/models/{repo}/descendants", A::kRead,
       handle_lineage_descendants},
      {"GET", "/api/vitrine/lineage/datasets/{repo}/models", A::kRead, handle_lineage_models},
      {"GET", "/api/vitrine/lineage/datasets/{repo}/impact", A::kRead, handle_lineage_impact},
      {"GET", "/api/vitrine/openness/models/{repo}", A::kRead, handle_openness},
      {"GET", "/api/vitrine/card/{type}s/{repo}", A::kRead, handle_card},
      {"POST", "/api/vitrine/card/{type}s/{repo}", A::kWrite, handle_card},
      {"GET", "/api/vitrine/diff/{type}s/{repo}/{rev}", A::kFiles, handle_diff},
      {"GET", "/api/vitrine/render/{type}s/{repo}/{rev}/{path*}", A::kFiles, handle_render},
      // The dataset viewer: the dataset is named in the query; the handlers find it with the
      // caller's access and its gate (viewer_api.cpp).
      {"GET", "/datasets-server/is-valid", A::kPublic, handle_viewer_is_valid},
      {"GET", "/datasets-server/splits", A::kPublic, handle_viewer_splits},
      {"GET", "/datasets-server/first-rows", A::kPublic, handle_viewer_first_rows},
      {"GET", "/datasets-server/rows", A::kPublic, handle_viewer_rows},
      {"GET", "/datasets-server/assets/{path*}", A::kPublic, handle_viewer_asset},
      {"GET", "/datasets-server/cached-assets/{path*}", A::kPublic, handle_viewer_asset},
      {"GET", "/datasets-server/search", A::kPublic, handle_viewer_search},
      {"GET", "/datasets-server/filter", A::kPublic, handle_viewer_filter},
      {"GET", "/datasets-server/parquet", A::kPublic, handle_viewer_parquet},
      {"GET", "/datasets-server/info", A::kPublic, handle_viewer_info},
      {"GET", "/datasets-server/size", A::kPublic, handle_viewer_size},
      {"GET", "/datasets-server/statistics", A::kPublic, handle_viewer_statistics},
      {"GET", "/datasets-server/croissant-crumbs", A::kPublic, handle_viewer_croissant_crumbs},
      {"GET", "/tlog/checkpoint", A::kPublic, handle_tlog_checkpoint},
      {"GET", "/tlog/key", A::kPublic, handle_tlog_key},
      {"GET", "/tlog/tile/{path*}", A::kPublic, handle_tlog_tile},
      {"GET", "/api/tlog/proof/inclusion", A::kPublic, handle_tlog_inclusion_proof},
      {"GET", "/api/tlog/proof/consistency", A::kPublic, handle_tlog_consistency_proof},
      {"GET", "/api/tlog/entries/{index}", A::kPublic, handle_tlog_entry},
      {"GET", "/api/tlog/lookup", A::kPublic, handle_tlog_lookup},
      {"PUT", "/api/vitrine/lfs/objects/{oid}/{size}", A::kSigned, handle_lfs_object},
      {"GET", "/api/vitrine/lfs/objects/{oid}/{size}", A::kSigned, handle_lfs_object},
      {"PUT", "/api/vitrine/lfs/parts/{oid}/{size}/{part}", A::kSigned, handle_lfs_part},
      {"POST", "/api/vitrine/lfs/complete/{oid}/{size}", A::kSigned, handle_lfs_complete},
      {"POST", "/api/vitrine/lfs/verify/{oid}/{size}", A::kSigned, handle_lfs_verify},
      {"GET", "/api/spaces/{path*}", A::kNone, handle_spaces},
      {"GET", "/api/{type}s", A::kPublic, handle_repo_listing},
      {"GET", "/api/{type}s/{repo}", A::kRead, handle_repo_info},
      {"GET", "/api/{type}s/{repo}/revision/{rev}", A::kRead, handle_repo_info},
      {"GET", "/api/{type}s/{repo}/tree/{rev}/{path*}", A::kRead, handle_tree},
      {"POST", "/api/{type}s/{repo}/paths-info/{rev}", A::kRead, handle_paths_info},
      {"GET", "/api/{type}s/{repo}/commits/{rev}", A::kRead, handle_commits},
      {"GET", "/api/{type}s/{repo}/refs", A::kRead, handle_refs},
      {"GET", "/api/{type}s/{repo}/tlog", A::kRead, handle_repo_tlog},
      {"GET", "/api/datasets/{repo}/croissant", A::kRead, handle_croissant},
      {"GET", "/api/datasets/{repo}/parquet", A::kFiles, handle_dataset_parquet},
      {"GET", "/api/datasets/{repo}/parquet/{path*}", A::kFiles, handle_dataset_parquet},
      {"POST", "/api/{type}s/{repo}/branch/{name}", A::kWrite, handle_branch},
      {"DELETE", "/api/{type}s/{repo}/branch/{name}", A::kWrite, handle_branch},
      {"POST", "/api/{type}s/{repo}/tag/{rev}", A::kWrite, handle_tag},
      {"DELETE", "/api/{type}s/{repo}/tag/{name}", A::kWrite, handle_tag},
      {"PUT", "/api/{type}s/{repo}/settings", A::kManage, handle_settings},
      {"GET", "/api/{type}s/{repo}/auth-check", A::kFiles, handle_auth_check},
      {"GET", "/api/{type}s/{repo}/auth-check/write", A::kWrite, handle_auth_check},
      {"POST", "/api/{type}s/{repo}/ask-access", A::kRead, handle_ask_access},
      {"GET", "/api/{type}s/{repo}/user-access-request/{status}", A::kManage,
       handle_access_requests},
      {"POST", "/api/{type}s/{repo}/user-access-request/handle", A::kManage,
       handle_access_decision},
      {"POST", "/api/{type}s/{repo}/user-access-request/grant", A::kManage, handle_access_grant},
      // Write access, or read access for a request that opens a pull request (create_pr=1).
      {"POST", "/api/{type}s/{repo}/preupload/{rev}", A::kWrite, handle_preupload, kHub, true},
      {"POST", "/api/{type}s/{repo}/commit/{rev}", A::kWrite, handle_commit, kHub, true},
      {"GET", "/api/{type}s/{repo}/xet-read-token/{rev}", A::kFiles, handle_xet_read_token},
      // Write access, or, for a signed-in caller, read access for a pull request's revision.
      {"GET", "/api/{type}s/{repo}/xet-write-token/{rev}", A::kWrite, handle_xet_write_token, kHub,
       true},
      {"GET", "/v1/reconstructions/{file}", A::kXet, handle_cas_reconstruction, kXet},
      {"GET", "/v2/reconstructions/{file}", A::kXet, handle_cas_reconstruction_v2, kXet},
      {"POST", "/v1/reconstructions", A::kXet, handle_cas_reconstructions, kXet},
      {"GET", "/v1/chunks/{prefix}/{chunk}", A::kXet, handle_cas_chunk, kXet},
      {"POST", "/v1/xorbs/{prefix}/{xorb}", A::kXetWrite, handle_cas_xorb, kXet},
      {"POST", "/v1/shards", A::kXetWrite, handle_cas_shard, kXet},
      {"POST", "/v2/shards", A::kXetWrite, handle_cas_shard_v2, kXet},
      {"GET", "/v2/file-chunk-hashes/{file}", A::kNone, handle_cas_file_chunk_hashes, kXet},
      {"GET", "/api/vitrine/xet/xorbs/{xorb}", A::kSigned, handle_xorb_data, kXet},
      {"GET", "/{prefix}{repo}/resolve/{rev}/{path*}", A::kFiles, handle_resolve},
      {"GET", "/{prefix}{repo}/raw/{rev}/{path*}", A::kFiles, handle_raw},
      // Read access to the repository; the body says whether it downloads (the gate applies)
      // or pushes to a ref (write access).
      {"POST", "/{prefix}{repo}.git/info/lfs/objects/batch", A::kFiles, handle_lfs_batch, kLfs,
       true},
      {"GET", "/{prefix}{repo}.git/info/lfs/locks", A::kRead, handle_lfs_locks, kLfs},
      {"POST", "/{prefix}{repo}.git/info/lfs/locks/verify", A::kRead, handle_lfs_locks, kLfs},
      {"GET", "/{prefix}{repo}.git/info/refs?service=git-upload-pack", A::kFiles, handle_git_refs,
       kGit},
      {"GET", "/{prefix}{repo}.git/info/refs?service=git-receive-pack", A::kWrite, handle_git_refs,
       kGit},
      {"POST", "/{prefix}{repo}.git/git-upload-pack", A::kFiles, handle_git_upload_pack, kGit},
      {"POST", "/{prefix}{repo}.git/git-receive-pack", A::kWrite, handle_git_receive_pack, kGit},
      // The web interface (after every other row: its patterns are the widest). Pages are the
      // same index.html for every path; the application asks the API what the caller may see.
      {"GET", "/assets/{path*}", A::kPublic, handle_web_asset},
      {"GET", "/{page}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/blob/{rev}/{path*}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/edit/{rev}/{path*}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/tree/{rev}/{path*}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/commits/{rev}/{path*}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/commit/{rev}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/compare/{rev}", A::kPublic, handle_web_page},
      {"GET", "/{prefix}{repo}/settings", A::kPublic, handle_web_page},
  };
  return kRoutes;
}

std::string_view to_wire(RouteAccess access) {
  switch (access) {
    case A::kPublic:
      return "public";
    case A::kUser:
      return "user";
    case A::kAccount:
      return "account";
    case A::kRead:
      return "read";
    case A::kWrite:
      return "write";
    case A::kManage:
      return "manage";
    case A::kFiles:
      return "files";
    case A::kAdmin:
      return "admin";
    case A::kSigned:
      return "signed";
    case A::kNone:
      return "none";
    case A::kXet:
      return "xet";
    case A::kXetWrite:
      return "xet-write";
  }
  return "none";
}

std::optional<RouteAccess> route_access_from_wire(std::string_view text) {
  for (auto a : {A::kPublic, A::kUser, A::kAccount, A::kRead, A::kWrite, A::kManage, A::kFiles,
                 A::kAdmin, A::kSigned, A::kNone, A::kXet, A::kXetWrite}) {
    if (to_wire(a) == text) return a;
  }
  return std::nullopt;
}

std::string routes_json() {
  auto out = nlohmann::json::array();
  for (const auto& r : routes()) {
    out.push_back({{"method", r.method}, {"pattern", r.pattern}, {"access", to_wire(r.access)}});
  }
  return out.dump(2);
}

// ---- RouteParams ----

const RouteParams::Span* RouteParams::find(std::string_view name) const {
  for (const auto& s : spans_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> RouteParams::segments(std::string_view name) const {
  const Span* s = find(name);
  if (!s) return {};
  return {segments_.begin() + static_cast<long>(s->begin),
          segments_.begin() + static_cast<long>(s->end)};
}

std::vector<std::string> RouteParams::segments_from(std::string_view name) const {
  const Span* s = find(name);
  if (!s) return {};
  return {segments_.begin() + static_cast<long>(s->begin), segments_.end()};
}

std::string RouteParams::get(std::string_view name) const {
  std::string out;
  const Span* s = find(name);
  if (!s) return out;
  for (size_t i = s->begin; i < s->end; ++i) {
    if (i > s->begin) out += '/';
    out += segments_[i];
  }
  return out;
}

// ---- matching ----

// Matches one pattern against a request's segments, recording what each placeholder took.
// Nothing is copied until the whole pattern matched.
class RouteMatcher {
 public:
  // `pattern` outlives the parameters (the compiled table's): their names point into it.
  RouteMatcher(const std::vector<std::string>& pattern, const std::vector<std::string>& request)
      : pat_(pattern), req_(request) {}

  std::optional<RouteParams> run() {
    if (!match(0, 0)) return std::nullopt;
    RouteParams out;
    out.segments_ = req_;
    out.spans_ = std::move(spans_);
    out.repo_at_ = repo_at_;
    out.repo_type_ = repo_type_;
    if (strip_git_) {
      std::string& name = out.segments_[repo_at_ + 1];
      name.resize(name.size() - 4);
    }
    return out;
  }

 private:
  using Span = RouteParams::Span;

  // Records `name` = request segments [begin, end) and goes on; undone if the rest fails.
  bool take(std::string_view name, size_t begin, size_t end, size_t p) {
    spans_.push_back(Span{name, begin, end});
    if (match(p + 1, end)) return true;
    spans_.pop_back();
    return false;
  }

  bool take_repo(size_t r, size_t p, const char* type, bool dot_git) {
    if (r + 2 > req_.size()) return false;
    const std::string& name = req_[r + 1];
    repo_at_ = r;
    repo_type_ = type;
    strip_git_ = dot_git && name.size() > 4 && name.ends_with(".git");
    if (take("repo", r, r + 2, p)) return true;
    repo_at_ = RouteParams::kNone;
    strip_git_ = false;
    return false;
  }

  // The first segments of the hub's own surfaces (the API, the log, the CAS API, the web
  // interface's files): a path starting with one is never a page or a repository (no
  // namespace may take these names: validate_namespace).
  static bool top_level(std::string_view segment) {
    for (std::string_view t : {"api", "tlog", "v1", "v2", "assets"}) {
      if (segment == t) return true;
    }
    return false;
  }

  bool match(size_t p, size_t r) {
    if (p == pat_.size()) return r == req_.size();
    const std::string& token = pat_[p];
    const bool last = p + 1 == pat_.size();
    if (r == 0 && token.starts_with('{') && !req_.empty() && top_level(req_[0])) return false;
    if (token == "{prefix}{repo}" || token == "{prefix}{repo}.git") {
      const bool dot_git = token.ends_with(".git");
      // A model first, then a dataset behind its prefix.
      if (take_repo(r, p, "model", dot_git)) return true;
      return r < req_.size() && req_[r] == "datasets" && take_repo(r + 1, p, "dataset", dot_git);
    }
    if (token == "{repo}") {
      // The type: a {type}s placeholder before it, or the literal models/datasets before it.
      const std::string* plural = nullptr;
      for (const auto& span : spans_) {
        if (span.name == "type") plural = &req_[span.begin];
      }
      if (!plural && r > 0) plural = &req_[r - 1];
      if (!plural || (*plural != "models" && *plural != "datasets")) return false;
      return take_repo(r, p, *plural == "datasets" ? "dataset" : "model", false);
    }
    if (token == "{type}s") {
      return r < req_.size() && (req_[r] == "models" || req_[r] == "datasets") &&
             take("type", r, r + 1, p);
    }
    if (token.size() > 2 && token.front() == '{' && token.back() == '}') {
      std::string_view name(token);
      name = name.substr(1, name.size() - 2);
      if (name.ends_with('*')) return take(name.substr(0, name.size() - 1), r, req_.size(), p);
      if (r >= req_.size()) return false;
      // The last placeholder of a pattern takes the rest of the path (revisions such as a raw
      // refs/pr/1 span segments), except {page}, exactly one segment.
      if (last && name != "page") return take(name, r, req_.size(), p);
      return take(name, r, r + 1, p);
    }
    return r < req_.size() && req_[r] == token && match(p + 1, r + 1);
  }

  const std::vector<std::string>& pat_;
  const std::vector<std::string>& req_;
  std::vector<Span> spans_;
  size_t repo_at_ = RouteParams::kNone;
  const char* repo_type_ = "";
  bool strip_git_ = false;
};

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

struct CompiledRoute {
  const Route* route;
  std::vector<std::string> pattern;
  std::string required_query;  // "&k=v&" or ""
};

const std::vector<CompiledRoute>& compiled() {
  static const std::vector<CompiledRoute> kCompiled = [] {
    std::vector<CompiledRoute> out;
    for (const auto& route : routes()) {
      std::string_view pattern = route.pattern;
      std::string query;
      if (auto q = pattern.find('?'); q != std::string_view::npos) {
        query = "&" + std::string(pattern.substr(q + 1)) + "&";
        pattern = pattern.substr(0, q);
      }
      out.push_back({&route, split(pattern.substr(1)), query});
    }
    return out;
  }();
  return kCompiled;
}

}  // namespace

std::optional<RouteMatch> find_route(const std::string& method,
                                     const std::vector<std::string>& segments,
                                     const std::string& query) {
  const std::string m = method == "HEAD" ? "GET" : method;
  for (const auto& c : compiled()) {
    if (m != c.route->method) continue;
    if (!c.required_query.empty() &&
        ("&" + query + "&").find(c.required_query) == std::string::npos) {
      continue;
    }
    if (auto params = RouteMatcher(c.pattern, segments).run()) {
      return RouteMatch{c.route, std::move(*params)};
    }
  }
  return std::nullopt;
}

const std::vector<std::string>& repo_subresources() {
  static const std::vector<std::string> kNames = [] {
    // Sub-resources the Hub has and this hub does not serve yet: the Hub answers a one-segment
    // id before them too.
    std::vector<std::string> out = {"discussions", "lfs-files", "super-squash", "resolve"};
    for (const auto& c : compiled()) {
      const auto& p = c.pattern;
      if (p.size() >= 4 && p[0] == "api" && (p[1] == "{type}s" || p[1] == "datasets") &&
          p[2] == "{repo}" && std::find(out.begin(), out.end(), p[3]) == out.end()) {
        out.push_back(p[3]);
      }
    }
    return out;
  }();
  return kNames;
}

}  // namespace vitrine::api
