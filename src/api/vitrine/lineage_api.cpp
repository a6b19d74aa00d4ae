// Lineage and openness over HTTP (docs/lineage.md, docs/api.md): /api/vitrine/lineage/...,
// /api/vitrine/openness/..., /api/datasets/{repo}/croissant, and the model-tree fields of
// model info (baseModels, childrenModelCount, safetensors, gguf).
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "api/api.hpp"
#include "service/lineage/lineage.hpp"
#include "service/openness/openness.hpp"
#include "util/encoding.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 10000;

Result<int64_t> int_arg(const Call& call, const char* name, int64_t fallback, int64_t max) {
  auto v = call.query.get(name);
  if (!v) return fallback;
  uint64_t n = 0;
  if (!util::parse_u64(*v, &n) || n > static_cast<uint64_t>(max)) {
    return bad_request(std::string("parameter ") + name + " must be an integer from 0 to " +
                       std::to_string(max));
  }
  return static_cast<int64_t>(n);
}

// Whether the caller may see a repository, by uid: it exists and the caller may read it
// (memoized per request). The graph asks only about private repositories.
service::Lineage::Visible visibility(Context& ctx, const Call& call) {
  auto memo = std::make_shared<std::unordered_map<std::string, bool>>();
  return [&ctx, &call, memo](const std::string& uid) {
    auto it = memo->find(uid);
    if (it == memo->end()) {
      // Fails closed: a repository that cannot be read now is not shown.
      auto rec = ctx.hub.db().find_repo_by_uid(uid);
      it = memo->emplace(uid, rec && *rec && ctx.repos.can_read(**rec, call.caller)).first;
    }
    return it->second;
  };
}

json node_ref(Context& ctx, const std::string& uid, const std::string& commit = "") {
  auto read = ctx.hub.db().find_repo_by_uid(uid);
  std::optional<storage::RepoRecord> rec = read ? *read : std::nullopt;
  json j = {{"type", rec ? rec->type : "model"}, {"id", rec ? rec->id() : uid}};
  if (!commit.empty()) j["revision"] = commit;
  return j;
}

json hit_json(Context& ctx, const service::LineageHit& h,
              std::unordered_map<std::string, json>& names) {
  auto name = [&](const std::string& uid) -> const json& {
    auto it = names.find(uid);
    if (it == names.end()) it = names.emplace(uid, node_ref(ctx, uid)).first;
    return it->second;
  };
  json j = name(h.uid);
  if (!h.commit.empty()) j["revision"] = h.commit;
  j["relation"] = h.relation;
  j["status"] = h.certainty;
  j["depth"] = h.depth;
  j["parent"] = name(h.via_uid)["id"];
  return j;
}

struct Target {
  service::RepoRef repo;
  std::unique_ptr<storage::GitRepo> git;
  std::string commit;
  std::string ref;
};

// The route's repository (the router found it) at ?revision= (default main).
Result<Target> open_target(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  auto git = ctx.hub.open_git(repo.record);
  if (!git) return git.status();
  std::string revision = call.query.get("revision").value_or("main");
  auto rev = ctx.repos.resolve(**git, revision);
  if (!rev) return rev.status();
  return Target{repo, std::move(*git), rev->commit, rev->ref};
}

http::Response node_view(Context& ctx, Call& call, Target& t) {
  auto idx = ctx.hub.lineage().revision(t.repo.record, *t.git, t.commit);
  if (!idx) return error_response(idx.status(), call.caller);
  // What the training manifest says is file content: in a gated repository it is shown only
  // to callers with access to the files.
  bool files_ok = ctx.repos.check_file_access(t.repo.record, call.caller).is_ok();
  json parents = json::array();
  for (const auto& e : idx->edges) {
    if (e.source == "manifest" && !files_ok) continue;
    parents.push_back(service::edge_json(ctx.hub, ctx.repos, e, call.caller));
  }
  json out = {{"type", t.repo.record.type},
              {"id", t.repo.record.id()},
              {"revision", t.commit},
              {"ref", t.ref.empty() ? json(nullptr) : json(t.ref)},
              {"parents", parents}};
  for (const char* key :
       {"card", "manifest", "safetensors", "safetensorsIndex", "gguf", "weightErrors"}) {
    if (idx->facts.contains(key)) out[key] = idx->facts[key];
  }
  if (!files_ok && out.contains("manifest") && out["manifest"].value("present", false)) {
    out["manifest"] = {{"present", true}, {"gated", true}, {"problems", json::array()}};
  }
  auto visible = visibility(ctx, call);
  auto children = ctx.hub.lineage().descendants(t.repo.record.uid, visible, 1, kDefaultLimit);
  std::unordered_map<std::string, json> names;
  json list = json::array();
  for (const auto& h : children.hits) list.push_back(hit_json(ctx, h, names));
  out["children"] = {{"count", children.by_relation}, {"total", children.total}, {"items", list}};
  return json_response(200, out);
}

http::Response traversal_response(Context& ctx, const Target& t,
                                  const service::Lineage::Traversal& tr, size_t limit,
                                  const char* key) {
  std::unordered_map<std::string, json> names;
  json list = json::array();
  for (const auto& h : tr.hits) list.push_back(hit_json(ctx, h, names));
  json out = {{"root", {{"type", t.repo.record.type}, {"id", t.repo.record.id()}}},
              {"total", tr.total},
              {"byRelation", tr.by_relation},
              {key, list},
              {"truncated", tr.total > limit}};
  return json_response(200, out);
}

http::Response ancestors(Context& ctx, Call& call, Target& t, int64_t max_depth) {
  // Upwards from the revision: pinned edges go to the named commit, unpinned ones to the
  // parent's current main. Few nodes, so the database answers directly.
  json out_list = json::array();
  std::set<std::pair<std::string, std::string>> seen;
  struct Item {
    storage::RepoRecord repo;
    std::string commit;
    int depth;
  };
  std::deque<Item> queue;
  queue.push_back({t.repo.record, t.commit, 0});
  seen.emplace(t.repo.record.uid, t.commit);
  while (!queue.empty() && out_list.size() < static_cast<size_t>(kMaxLimit)) {
    auto item = queue.front();
    queue.pop_front();
    if (max_depth > 0 && item.depth >= max_depth) continue;
    auto git = ctx.hub.open_git(item.repo);
    if (!git) continue;
    auto idx = ctx.hub.lineage().revision(item.repo, **git, item.commit);
    if (!idx) continue;
    bool files_ok = ctx.repos.check_file_access(item.repo, call.caller).is_ok();
    for (const auto& e : idx->edges) {
      if (e.source == "manifest" && !files_ok) continue;  // gated file content
      json j = service::edge_json(ctx.hub, ctx.repos, e, call.caller);
      j["depth"] = item.depth + 1;
      j["child"] = {{"id", item.repo.id()}, {"revision", item.commit}};
      std::optional<storage::RepoRecord> rec;
      if (!e.parent_uid.empty()) {
        auto read = ctx.hub.db().find_repo_by_uid(e.parent_uid);
        if (!read) return error_response(read.status(), call.caller);
        rec = *read;
      }
      if (rec && ctx.repos.can_read(*rec, call.caller)) {
        std::string at = e.parent_commit;
        if (at.empty()) {
          for (const auto& [ref, commit] : ctx.hub.db().lineage_heads(rec->uid)) {
            if (ref == "refs/heads/main") at = commit;
          }
          if (!at.empty()) j["resolvedRevision"] = at;
        }
        if (!at.empty() && seen.emplace(rec->uid, at).second) {
          queue.push_back({*rec, at, item.depth + 1});
        }
      }
      out_list.push_back(std::move(j));
    }
  }
  json out = {
      {"root", {{"type", t.repo.record.type}, {"id", t.repo.record.id()}, {"revision", t.commit}}},
      {"ancestors", out_list}};
  return json_response(200, out);
}

// What every lineage route reads: its target and ?limit=, ?depth=.
struct LineageCall {
  Target t;
  int64_t limit = 0;
  int64_t depth = 0;
};

Result<LineageCall> lineage_call(Context& ctx, Call& call) {
  auto t = open_target(ctx, call);
  if (!t) return t.status();
  auto limit = int_arg(call, "limit", kDefaultLimit, kMaxLimit);
  if (!limit) return limit.status();
  auto depth = int_arg(call, "depth", 0, 1000);
  if (!depth) return depth.status();
  return LineageCall{std::move(*t), *limit, *depth};
}

}  // namespace

// GET /api/vitrine/lineage/{type}s/{repo}
http::Response handle_lineage_node(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  return node_view(ctx, call, l->t);
}

// GET /api/vitrine/lineage/{type}s/{repo}/ancestors
http::Response handle_lineage_ancestors(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  return ancestors(ctx, call, l->t, l->depth);
}

// GET /api/vitrine/lineage/models/{repo}/descendants
http::Response handle_lineage_descendants(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  std::string relation = call.query.get("relation").value_or("");
  if (!relation.empty() && !service::is_model_relation(relation)) {
    return error_response(bad_request("relation must be finetune, adapter, merge or quantized"),
                          call.caller);
  }
  auto tr = ctx.hub.lineage().descendants(l->t.repo.record.uid, visibility(ctx, call),
                                          static_cast<int>(l->depth), static_cast<size_t>(l->limit),
                                          relation);
  return traversal_response(ctx, l->t, tr, static_cast<size_t>(l->limit), "descendants");
}

// GET /api/vitrine/lineage/datasets/{repo}/models
http::Response handle_lineage_models(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  // Without ?revision: any revision. With it: edges pinned to that commit (plus unpinned).
  std::string rev = call.query.get("revision") ? l->t.commit : "";
  auto tr = ctx.hub.lineage().trained_on(l->t.repo.record.uid, rev, visibility(ctx, call),
                                         static_cast<int>(l->depth), static_cast<size_t>(l->limit));
  return traversal_response(ctx, l->t, tr, static_cast<size_t>(l->limit), "models");
}

// GET /api/vitrine/lineage/datasets/{repo}/impact?revision=
http::Response handle_lineage_impact(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  const Target& t = l->t;
  if (!call.query.get("revision")) {
    return error_response(bad_request("impact needs ?revision=<the withdrawn revision>"),
                          call.caller);
  }
  bool truncated = false;
  auto hits = ctx.hub.lineage().impact(t.repo.record.uid, t.commit, visibility(ctx, call),
                                       static_cast<size_t>(l->limit), &truncated);
  // Group by repository, with the refs that name each affected commit now.
  json affected = json::array();
  std::map<std::string, size_t> at;
  std::unordered_map<std::string, json> names;
  for (const auto& h : hits) {
    auto it = at.find(h.uid);
    if (it == at.end()) {
      json repo = node_ref(ctx, h.uid);
      repo["revisions"] = json::array();
      it = at.emplace(h.uid, affected.size()).first;
      affected.push_back(std::move(repo));
    }
    json refs = json::array();
    for (const auto& [ref, commit] : ctx.hub.db().lineage_heads(h.uid)) {
      if (commit == h.commit) refs.push_back(ref);
    }
    auto via = names.find(h.via_uid);
    if (via == names.end()) via = names.emplace(h.via_uid, node_ref(ctx, h.via_uid)).first;
    affected[it->second]["revisions"].push_back({{"revision", h.commit},
                                                 {"refs", refs},
                                                 {"relation", h.relation},
                                                 {"status", h.certainty},
                                                 {"depth", h.depth},
                                                 {"via", via->second["id"]}});
  }
  json out = {{"dataset", t.repo.record.id()},
              {"revision", t.commit},
              {"affected", affected},
              {"truncated", truncated}};
  return json_response(200, out);
}

// GET /api/vitrine/openness/models/{ns}/{name}[?revision=&format=md]
http::Response handle_openness(Context& ctx, Call& call) {
  auto t = open_target(ctx, call);
  if (!t) return error_response(t.status(), call.caller);
  auto facts = service::gather_model_facts(ctx.hub, ctx.repos, t->repo.record, *t->git, t->commit,
                                           t->ref, call.caller);
  if (!facts) return error_response(facts.status(), call.caller);
  json report = service::openness_report(*facts);
  std::string format = call.query.get("format").value_or("json");
  if (format == "md" || format == "markdown") {
    return http::Response::text(200, service::openness_markdown(report),
                                "text/markdown; charset=utf-8");
  }
  if (format != "json") {
    return error_response(bad_request("format must be json or md"), call.caller);
  }
  return json_response(200, report);
}

// GET /api/datasets/{ns}/{name}/croissant[?revision=]
http::Response handle_croissant(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  auto git = ctx.hub.open_git(repo.record);
  if (!git) return error_response(git.status(), call.caller);
  auto rev = ctx.repos.resolve(**git, call.query.get("revision").value_or("main"));
  if (!rev) return error_response(rev.status(), call.caller);
  auto facts = service::gather_dataset_facts(ctx.hub, ctx.repos, repo.record, **git, rev->commit,
                                             call.caller);
  if (!facts) return error_response(facts.status(), call.caller);
  auto r = json_response(200, service::croissant_json_ld(*facts, ctx.hub.config().public_url));
  r.headers.set("Content-Type", "application/ld+json; charset=utf-8");
  return r;
}

void add_lineage_info(Context& ctx, const Call& call, const storage::RepoRecord& repo,
                      const std::string& commit, json& info) {
  if (repo.type != "model") return;
  auto facts_text = ctx.hub.db().lineage_facts(repo.uid, commit);
  if (!facts_text) return;  // not indexed (yet): the fields are left out
  auto facts = json::parse(*facts_text, nullptr, false);
  if (facts.is_object()) {
    if (facts.contains("safetensors")) {
      info["safetensors"] = {{"parameters", facts["safetensors"]["parameters"]},
                             {"total", facts["safetensors"]["total"]}};
    }
    if (facts.contains("gguf") && facts["gguf"].is_array() && !facts["gguf"].empty()) {
      const json& g = facts["gguf"][0];
      info["gguf"] = {{"total", g.value("total", uint64_t{0})},
                      {"architecture", g.value("architecture", "")},
                      {"context_length", g.value("context_length", uint64_t{0})}};
    }
  }
  // baseModels: the base models of this revision that are repositories the caller can see.
  json models = json::array();
  std::string relation;
  auto& tags = info["tags"];
  std::optional<bool> files_ok;
  for (const auto& e : ctx.hub.db().lineage_edges_of(repo.uid, commit)) {
    if (!service::is_model_relation(e.relation)) continue;
    if (e.source == "manifest") {
      if (!files_ok) files_ok = ctx.repos.check_file_access(repo, call.caller).is_ok();
      if (!*files_ok) continue;  // gated file content
    }
    // A repository the caller cannot see keeps the id as declared, as if it did not exist.
    // Fails closed: a base model that cannot be read now is named as declared.
    std::optional<storage::RepoRecord> rec;
    if (!e.parent_uid.empty()) {
      if (auto read = ctx.hub.db().find_repo_by_uid(e.parent_uid)) rec = *read;
    }
    bool seen = rec && ctx.repos.can_read(*rec, call.caller);
    std::string tag = "base_model:" + e.relation + ":" + (seen ? rec->id() : e.parent_id);
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    if (!seen) continue;
    models.push_back({{"_id", rec->uid}, {"id", rec->id()}});
    relation = e.relation;
  }
  if (!models.empty()) info["baseModels"] = {{"relation", relation}, {"models", models}};
  auto visible = visibility(ctx, call);
  json count = json::object();
  for (const auto& [rel, n] : ctx.hub.lineage().children_count(repo.uid, visible)) count[rel] = n;
  info["childrenModelCount"] = count;
}

}  // namespace vitrine::api
