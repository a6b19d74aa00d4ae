// Repository API: lifecycle, info, trees, refs, history, settings, identity, YAML validation.
#include <algorithm>

#include "api/api.hpp"
#include "api/hf/repo_json.hpp"
#include "api/hf/repo_listing_query.hpp"
#include "api/xet/xet_api.hpp"
#include "formats/card/card_metadata.hpp"
#include "formats/card/card_renderer.hpp"
#include "formats/hub/repo_path.hpp"
#include "formats/hub/token_scope.hpp"
#include "formats/tlog/merkle.hpp"
#include "service/commits/last_commits.hpp"
#include "service/commits/object_links.hpp"
#include "service/commits/ref_service.hpp"
#include "service/repos/download_counter.hpp"
#include "service/transparency/log_view.hpp"
#include "util/encoding.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace vitrine::api {
namespace {

// Xet-aware clients read a file's Xet id from its tree entry and skip the HEAD request.
void add_xet_hash(Context& ctx, nlohmann::json& item, const service::FileEntry& entry) {
  if (!entry.lfs || !ctx.hub.config().xet_enabled) return;
  if (auto hash = service::ObjectLinks(ctx.hub).xet_hash(entry.lfs->oid)) item["xetHash"] = *hash;
}

using nlohmann::json;
using service::AccessLevel;

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

std::string join(const std::vector<std::string>& parts, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (i > from) out += "/";
    out += parts[i];
  }
  return out;
}

// Absolute URL of the next page: same path and query with one parameter replaced.
std::string next_page_url(Context& ctx, Call& call, const std::string& key,
                          const std::string& value) {
  auto query = call.query;
  query.set(key, value);
  return ctx.hub.config().public_url + call.request.path + "?" + query.encode();
}

int64_t int_param(const Call& call, const char* key, int64_t fallback, int64_t max) {
  auto v = call.query.get(key);
  if (!v) return fallback;
  try {
    int64_t n = std::stoll(*v);
    return std::clamp<int64_t>(n, 0, max);
  } catch (...) {
    return fallback;
  }
}

// Splits "ns/name" (or a bare name with a separate namespace).
bool split_repo_id(const std::string& name, const std::string& organization, std::string* ns,
                   std::string* repo_name) {
  auto slash = name.find('/');
  if (slash != std::string::npos) {
    if (name.find('/', slash + 1) != std::string::npos) return false;
    *ns = name.substr(0, slash);
    *repo_name = name.substr(slash + 1);
    return true;
  }
  *ns = organization;
  *repo_name = name;
  return true;
}

struct OpenedRevision {
  std::optional<service::RepoHandle> git;
  service::ResolvedRevision revision;
  size_t consumed = 0;
};

Result<OpenedRevision> open_revision(Context& ctx, const domain::RepoRecord& repo,
                                     const std::vector<std::string>& segments, bool multi) {
  OpenedRevision out;
  auto git = ctx.hub.open_git(repo);
  if (!git) return git.status();
  out.git = std::move(*git);
  std::vector<std::string> segs = segments;
  if (segs.empty()) segs.push_back("main");
  Result<service::ResolvedRevision> rev =
      multi ? ctx.contents.resolve_segments(*out.git, segs, &out.consumed)
            : ctx.contents.resolve(*out.git, join(segs));
  if (!rev) return rev.status();
  if (!multi) out.consumed = segs.size();
  out.revision = *rev;
  return out;
}

}  // namespace

http::Response handle_repo_info(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  const std::vector<std::string> rev_segments = call.params.segments("rev");
  // The default branch's head is in the index row, and a commit's file list is cached: the
  // common request (repo info at main) touches neither git nor the disk.
  std::string commit;
  std::optional<service::RepoHandle> git;  // opened only when the index row does not answer
  bool default_branch =
      rev_segments.empty() ||
      (rev_segments.size() == 1 && (rev_segments[0] == "main" || rev_segments[0] == "HEAD"));
  if (default_branch && !repo.record.head_sha.empty()) {
    commit = repo.record.head_sha;
  } else {
    auto opened = open_revision(ctx, repo.record, rev_segments, false);
    if (!opened) return error_response(opened.status(), call.caller);
    commit = opened->revision.commit;
    git = std::move(opened->git);
  }
  auto snapshot = ctx.contents.snapshot(repo.record, git ? &*git : nullptr, commit);
  if (!snapshot) return error_response(snapshot.status(), call.caller);
  auto info = repo_info_json(repo.record, commit, (*snapshot)->commit_time_ms,
                             &(*snapshot)->entries, call.query.flag("blobs"));
  add_lineage_info(ctx, call, repo.record, commit, info);
  // Downloads made since the counter last wrote to the database count already.
  int64_t unflushed = ctx.hub.downloads().pending(repo.record.uid);
  info["downloads"] = repo.record.downloads + unflushed;
  info["downloadsAllTime"] = repo.record.downloads_all_time + unflushed;
  return json_response(200, apply_expand(info, call.query.get_all("expand")));
}

http::Response handle_tree(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  const std::vector<std::string> rest = call.params.segments_from("rev");
  auto opened = open_revision(ctx, repo.record, rest, true);
  if (!opened) return error_response(opened.status(), call.caller);
  std::string path = join(rest, opened->consumed);
  auto entries = ctx.contents.list_tree(*opened->git, opened->revision.commit, path,
                                        call.query.flag("recursive"));
  if (!entries) return error_response(entries.status(), call.caller);
  bool expand = call.query.flag("expand");
  int64_t page = static_cast<int64_t>(ctx.hub.config().tree_page_size);
  if (expand) page = std::min<int64_t>(page, 50);
  page = std::max<int64_t>(1, int_param(call, "limit", page, page));
  int64_t offset = int_param(call, "cursor", 0, INT64_MAX);
  json out = json::array();
  int64_t total = static_cast<int64_t>(entries->size());
  for (int64_t i = offset; i < total && i < offset + page; ++i) {
    json item = tree_entry_json((*entries)[static_cast<size_t>(i)]);
    add_xet_hash(ctx, item, (*entries)[static_cast<size_t>(i)]);
    out.push_back(std::move(item));
  }
  if (expand && !out.empty()) {
    std::vector<std::string> paths;
    for (const auto& item : out) paths.push_back(item["path"].get<std::string>());
    auto last = service::last_commits(*opened->git, opened->revision.commit, paths);
    for (size_t i = 0; i < out.size(); ++i) {
      if (last[i]) {
        out[i]["lastCommit"] = {{"id", last[i]->id},
                                {"title", last[i]->title},
                                {"date", util::iso8601_utc(last[i]->time_ms)}};
      }
    }
  }
  auto r = json_response(200, out);
  if (offset + page < total) {
    r.headers.set("Link", "<" + next_page_url(ctx, call, "cursor", std::to_string(offset + page)) +
                              ">; rel=\"next\"");
  }
  return r;
}

http::Response handle_paths_info(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  const std::vector<std::string> rest = call.params.segments("rev");
  auto opened = open_revision(ctx, repo.record, rest, true);
  if (!opened) return error_response(opened.status(), call.caller);
  auto body = call.request.read_body(ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  std::vector<std::string> paths;
  if (call.request.header("Content-Type").starts_with("application/json")) {
    auto read = util::parse_untrusted_json(*body);
    if (!read) return error_response(read.status(), call.caller);
    const json& parsed = *read;
    if (!parsed.is_object())
      return error_response(bad_request("Expected a JSON object"), call.caller);
    if (parsed.contains("paths") && parsed["paths"].is_array()) {
      for (const auto& p : parsed["paths"]) {
        if (p.is_string()) paths.push_back(p.get<std::string>());
      }
    }
  } else {
    paths = util::QueryParams::parse(*body).get_all("paths");
  }
  json out = json::array();
  for (auto path : paths) {
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.empty()) continue;
    auto entry = ctx.contents.entry_at(*opened->git, opened->revision.commit, path);
    if (entry && entry->has_value()) {
      json item = tree_entry_json(**entry);
      add_xet_hash(ctx, item, **entry);
      out.push_back(std::move(item));
    }
  }
  return json_response(200, out);
}

http::Response handle_commits(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  const std::vector<std::string> rest = call.params.segments("rev");
  auto opened = open_revision(ctx, repo.record, rest, true);
  if (!opened) return error_response(opened.status(), call.caller);
  int64_t limit = std::max<int64_t>(1, int_param(call, "limit", 50, 1000));
  int64_t page = int_param(call, "p", 0, INT64_MAX / 2000);
  // Vitrine's extension: ?path= lists only the commits that changed that file or folder.
  std::string path = call.query.get("path").value_or("");
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.empty()) {
    if (auto st = service::validate_repo_path(path); !st) {
      return error_response(bad_request(st.message()), call.caller);
    }
  }
  auto listed = service::commit_page(
      ctx.hub.histories(), *opened->git, repo.record.uid, opened->revision.commit, path,
      static_cast<size_t>(page * limit), static_cast<size_t>(limit), caller_key(call));
  if (!listed) return error_response(listed.status(), call.caller);
  const size_t total = listed->total;
  const std::vector<domain::CommitInfo>* log = &listed->commits;
  auto expand = call.query.get_all("expand");
  bool formatted = std::find(expand.begin(), expand.end(), "formatted") != expand.end();
  bool with_log = std::find(expand.begin(), expand.end(), "transparencyLog") != expand.end();
  service::LogView log_view(ctx.hub, ctx.repos, call.caller);
  json out = json::array();
  for (const auto& c : *log) {
    json item = {{"id", c.id},
                 {"title", c.title},
                 {"message", c.message},
                 {"authors", json::array({{{"user", c.author_name}, {"avatar", ""}}})},
                 {"date", util::iso8601_utc(c.time_ms)}};
    if (formatted) {
      item["formatted"] = {{"title", util::html_escape(c.title)},
                           {"message", util::html_escape(c.message)}};
    }
    if (with_log) item["transparencyLog"] = log_view.commit_entries(repo.record, c.id);
    out.push_back(std::move(item));
  }
  auto r = json_response(200, out);
  r.headers.set("X-Total-Count", std::to_string(total));
  if (static_cast<size_t>((page + 1) * limit) < total) {
    r.headers.set(
        "Link", "<" + next_page_url(ctx, call, "p", std::to_string(page + 1)) + ">; rel=\"next\"");
  }
  return r;
}

http::Response handle_refs(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  auto git = ctx.hub.open_git(repo.record);
  if (!git) return error_response(git.status(), call.caller);
  json branches = json::array(), tags = json::array(), converts = json::array(),
       prs = json::array();
  for (const auto& ref : ctx.contents.list_refs(*git)) {
    auto entry = [&](const std::string& prefix) {
      return json{{"name", ref.name.substr(prefix.size())},
                  {"ref", ref.name},
                  {"targetCommit", ref.target}};
    };
    if (ref.name.starts_with("refs/heads/"))
      branches.push_back(entry("refs/heads/"));
    else if (ref.name.starts_with("refs/tags/"))
      tags.push_back(entry("refs/tags/"));
    else if (ref.name.starts_with("refs/convert/"))
      converts.push_back(entry("refs/convert/"));
    else if (ref.name.starts_with("refs/pr/"))
      prs.push_back(entry("refs/pr/"));
  }
  json out = {{"branches", branches}, {"converts", converts}, {"tags", tags}};
  if (call.query.flag("include_prs")) out["pullRequests"] = prs;
  return json_response(200, out);
}

http::Response handle_branch(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  std::string name = call.params.get("name");
  if (name.empty()) return error_response(bad_request("Missing branch name"), call.caller);
  if (call.request.method == "DELETE") {
    auto st = service::RefService(ctx.hub).delete_branch(repo.record, name, call.caller);
    return st ? json_response(200, json::object()) : error_response(st, call.caller);
  }
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  std::optional<std::string> start;
  if (body->contains("startingPoint") && (*body)["startingPoint"].is_string()) {
    start = (*body)["startingPoint"].get<std::string>();
  }
  bool empty = body->value("emptyBranch", false);
  bool overwrite = body->value("overwrite", false);
  auto st = service::RefService(ctx.hub).create_branch(repo.record, name, start, empty, overwrite,
                                                       call.caller);
  if (!st) return error_response(st, call.caller);
  return json_response(200, json::object());
}

http::Response handle_tag(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  // POST names the revision to tag, DELETE the tag.
  std::string name =
      call.request.method == "DELETE" ? call.params.get("name") : call.params.get("rev");
  if (call.request.method == "DELETE") {
    auto st = service::RefService(ctx.hub).delete_tag(repo.record, name, call.caller);
    return st ? json_response(200, json::object()) : error_response(st, call.caller);
  }
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  std::string tag_name = str(*body, "tag");
  if (tag_name.empty()) return error_response(bad_request("Missing 'tag'"), call.caller);
  auto st = service::RefService(ctx.hub).create_tag(repo.record, name, tag_name,
                                                    str(*body, "message"), call.caller);
  if (!st) return error_response(st, call.caller);
  return json_response(200, json::object());
}

http::Response handle_settings(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  if (!body->is_object()) return error_response(bad_request("Expected a JSON object"), call.caller);
  std::optional<bool> is_private;
  std::optional<domain::GatingMode> gated;
  if (body->contains("private") && (*body)["private"].is_boolean()) {
    is_private = (*body)["private"].get<bool>();
  }
  if (body->contains("visibility")) {
    std::string v = str(*body, "visibility");
    if (v != "public" && v != "private") {
      return error_response(bad_request("visibility must be 'public' or 'private'"), call.caller);
    }
    is_private = v == "private";
  }
  if (body->contains("gated")) {
    const json& g = (*body)["gated"];
    if (g.is_boolean() && !g.get<bool>()) {
      gated = domain::GatingMode::kNone;
    } else if (g.is_string()) {
      gated = domain::gating_mode_from_wire(g.get<std::string>());
    }
    if (!gated) {
      return error_response(bad_request("gated must be false, \"auto\" or \"manual\""),
                            call.caller);
    }
  }
  if (auto st = ctx.repos.update_settings(repo.record, is_private, gated, &call.caller); !st) {
    return error_response(st, call.caller);
  }
  auto read = ctx.repos.by_uid(repo.record.uid);
  if (!read) return error_response(read.status(), call.caller);
  const std::optional<domain::RepoRecord>& updated = *read;
  bool gated_now = updated && domain::is_gated(updated->gated);
  json out = {{"private", updated ? updated->is_private : false},
              {"gated", gated_now ? json(domain::to_wire(updated->gated)) : json(false)}};
  return json_response(200, out);
}

http::Response handle_auth_check(Context&, Call&) {
  // The router checked the access the route names (for /auth-check, as on the Hub, the gate of
  // a gated repository too: GatedRepo says where the caller stands; the web interface asks).
  return json_response(200, json::object());
}

http::Response handle_spaces(Context&, Call& call) {
  return error_response(Status(ErrorKind::kNotImplemented, "Spaces are not supported by this hub"),
                        call.caller);
}

http::Response handle_repo_create(Context& ctx, Call& call) {
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  if (!body->is_object()) return error_response(bad_request("Expected a JSON object"), call.caller);
  service::CreateRepoRequest req;
  req.type = str(*body, "type");
  if (req.type.empty()) req.type = "model";
  if (!split_repo_id(str(*body, "name"), str(*body, "organization"), &req.ns, &req.name)) {
    return error_response(bad_request("Invalid repository name"), call.caller);
  }
  req.is_private = body->value("private", false) == true;
  if (body->contains("visibility")) req.is_private = str(*body, "visibility") == "private";
  req.license = str(*body, "license");
  if (body->contains("files") && (*body)["files"].is_array()) {
    for (const auto& f : (*body)["files"]) {
      std::string path = str(f, "path");
      std::string content = str(f, "content");
      if (str(f, "encoding") == "base64") {
        auto decoded = util::base64_decode(content);
        if (!decoded) return error_response(bad_request("Bad base64 in files"), call.caller);
        content = *decoded;
      }
      if (auto st = service::validate_repo_path(path); !st) return error_response(st, call.caller);
      req.files.emplace_back(path, content);
    }
  }
  auto type = domain::repo_kind_from_wire(req.type);
  auto created = ctx.repos.create(call.caller, req);
  if (!created) {
    auto r = error_response(created.status(), call.caller);
    if (created.status().kind() == ErrorKind::kConflict && type) {
      std::string ns = req.ns.empty() && call.caller.user ? call.caller.user->name : req.ns;
      // Its id as stored when the caller may read it, else as they wrote it.
      auto existing = ctx.repos.find(*type, ns, req.name, call.caller, AccessLevel::kRead);
      std::string id = existing ? existing->record.id() : ns + "/" + req.name;
      r = json_response(
          409, json{{"error", created.status().message()}, {"url", repo_url(ctx, *type, id)}});
      r.headers.set("X-Error-Message", "You already created this repo");
    }
    return r;
  }
  return json_response(200, json{{"url", repo_url(ctx, *type, created->id())},
                                 {"name", created->id()},
                                 {"id", created->uid}});
}

http::Response handle_repo_delete(Context& ctx, Call& call) {
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  std::string type_name = str(*body, "type");
  auto type = domain::repo_kind_from_wire(type_name.empty() ? "model" : type_name);
  if (!type) return error_response(bad_request("Unsupported repository type"), call.caller);
  std::string ns, name;
  if (!split_repo_id(str(*body, "name"), str(*body, "organization"), &ns, &name)) {
    return error_response(bad_request("Invalid repository name"), call.caller);
  }
  if (ns.empty() && call.caller.user) ns = call.caller.user->name;
  auto st = ctx.repos.remove(call.caller, *type, ns, name);
  if (!st) return error_response(st, call.caller);
  return json_response(200, json::object());
}

http::Response handle_repo_move(Context& ctx, Call& call) {
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  std::string type_name = str(*body, "type");
  auto type = domain::repo_kind_from_wire(type_name.empty() ? "model" : type_name);
  if (!type) return error_response(bad_request("Unsupported repository type"), call.caller);
  auto moved = ctx.repos.move(call.caller, *type, str(*body, "fromRepo"), str(*body, "toRepo"));
  if (!moved) return error_response(moved.status(), call.caller);
  return json_response(200, json{{"url", repo_url(ctx, *type, moved->id())}});
}

http::Response handle_repo_listing(Context& ctx, Call& call) {
  domain::RepoKind type = *call.type;
  auto parsed = parse_repo_listing_query(call.query, type);
  if (!parsed) return error_response(parsed.status(), call.caller);
  if (parsed->matches_nothing) return json_response(200, json::array());
  domain::RepoListQuery& q = parsed->db;
  // One more than asked tells whether a next page exists.
  int64_t asked = q.limit;
  q.limit = asked + 1;
  auto repos = ctx.repos.list(call.caller, q);
  bool more = static_cast<int64_t>(repos.size()) > asked;
  if (more) repos.pop_back();
  bool full = call.query.flag("full");
  bool card = call.query.flag("cardData") || full;
  auto expand = call.query.get_all("expand");
  json out = json::array();
  for (const auto& repo : repos) {
    json info = repo_info_json(repo, repo.head_sha, repo.last_modified, nullptr, false);
    if (!card) info.erase("cardData");
    out.push_back(apply_expand(info, expand));
  }
  auto r = json_response(200, out);
  if (more) {
    r.headers.set("Link", "<" +
                              next_page_url(ctx, call, "cursor", std::to_string(q.offset + asked)) +
                              ">; rel=\"next\"");
  }
  return r;
}

http::Response handle_validate_yaml(Context& ctx, Call& call) {
  // A README is at most 1 MiB where it matters (kMaxCardBytes), twice that as JSON text.
  auto body =
      read_json(call, std::min<size_t>(ctx.hub.config().max_json_body, 2 * service::kMaxCardBytes));
  if (!body && body.status().kind() == ErrorKind::kPayloadTooLarge) {
    return error_response(body.status(), call.caller);
  }
  if (!body || !body->is_object()) {
    return json_response(400,
                         json{{"errors", json::array({{{"message", "Malformed JSON body"}}})}});
  }
  auto front = service::parse_front_matter(str(*body, "content"));
  if (!front.error.empty()) {
    return json_response(400, json{{"errors", json::array({{{"message", front.error}}})}});
  }
  if (!front.present) {
    return json_response(
        200, json{{"warnings",
                   json::array({{{"message", "Empty or missing yaml metadata in repo card"}}})}});
  }
  return json_response(200, json::object());
}

}  // namespace vitrine::api
