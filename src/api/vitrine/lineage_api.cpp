// Lineage and openness over HTTP (docs/lineage.md, docs/api.md): /api/vitrine/lineage/...,
// /api/vitrine/openness/..., /api/datasets/{repo}/croissant, and the model-tree fields of
// model info (baseModels, childrenModelCount, safetensors, gguf).
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "service/lineage/lineage.hpp"
#include "service/lineage/lineage_view.hpp"
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

struct Target {
  service::RepoRef repo;
  service::RepoHandle git;
  std::string commit;
  std::string ref;
};

// The route's repository (the router found it) at ?revision= (default main).
Result<Target> open_target(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  auto git = ctx.hub.open_git(repo.record);
  if (!git) return git.status();
  std::string revision = call.query.get("revision").value_or("main");
  auto rev = ctx.contents.resolve(*git, revision);
  if (!rev) return rev.status();
  return Target{repo, std::move(*git), rev->commit, rev->ref};
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
  auto out = service::LineageView(ctx.hub, ctx.repos, call.caller)
                 .node(l->t.repo.record, l->t.git, l->t.commit, l->t.ref, kDefaultLimit);
  if (!out) return error_response(out.status(), call.caller);
  return json_response(200, *out);
}

// GET /api/vitrine/lineage/{type}s/{repo}/ancestors
http::Response handle_lineage_ancestors(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  auto out = service::LineageView(ctx.hub, ctx.repos, call.caller)
                 .ancestors(l->t.repo.record, l->t.commit, static_cast<int>(l->depth), kMaxLimit);
  if (!out) return error_response(out.status(), call.caller);
  return json_response(200, *out);
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
  service::LineageView view(ctx.hub, ctx.repos, call.caller);
  auto limit = static_cast<size_t>(l->limit);
  auto tr = ctx.hub.lineage().descendants(l->t.repo.record.uid, view.visible(),
                                          static_cast<int>(l->depth), limit, relation);
  return json_response(200, view.traversal(l->t.repo.record, tr, limit, "descendants"));
}

// GET /api/vitrine/lineage/datasets/{repo}/models
http::Response handle_lineage_models(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  // Without ?revision: any revision. With it: edges pinned to that commit (plus unpinned).
  std::string rev = call.query.get("revision") ? l->t.commit : "";
  service::LineageView view(ctx.hub, ctx.repos, call.caller);
  auto limit = static_cast<size_t>(l->limit);
  auto tr = ctx.hub.lineage().trained_on(l->t.repo.record.uid, rev, view.visible(),
                                         static_cast<int>(l->depth), limit);
  return json_response(200, view.traversal(l->t.repo.record, tr, limit, "models"));
}

// GET /api/vitrine/lineage/datasets/{repo}/impact?revision=
http::Response handle_lineage_impact(Context& ctx, Call& call) {
  auto l = lineage_call(ctx, call);
  if (!l) return error_response(l.status(), call.caller);
  if (!call.query.get("revision")) {
    return error_response(bad_request("impact needs ?revision=<the withdrawn revision>"),
                          call.caller);
  }
  return json_response(200,
                       service::LineageView(ctx.hub, ctx.repos, call.caller)
                           .impact(l->t.repo.record, l->t.commit, static_cast<size_t>(l->limit)));
}

// GET /api/vitrine/openness/models/{ns}/{name}[?revision=&format=md]
http::Response handle_openness(Context& ctx, Call& call) {
  auto t = open_target(ctx, call);
  if (!t) return error_response(t.status(), call.caller);
  auto facts = service::gather_model_facts(ctx.hub, ctx.repos, t->repo.record, t->git, t->commit,
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
  auto rev = ctx.contents.resolve(*git, call.query.get("revision").value_or("main"));
  if (!rev) return error_response(rev.status(), call.caller);
  auto facts = service::gather_dataset_facts(ctx.hub, ctx.repos, repo.record, *git, rev->commit,
                                             call.caller);
  if (!facts) return error_response(facts.status(), call.caller);
  auto r = json_response(200, service::croissant_json_ld(*facts, ctx.hub.config().public_url));
  r.headers.set("Content-Type", "application/ld+json; charset=utf-8");
  return r;
}

void add_lineage_info(Context& ctx, const Call& call, const domain::RepoRecord& repo,
                      const std::string& commit, json& info) {
  service::LineageView(ctx.hub, ctx.repos, call.caller).add_model_info(repo, commit, info);
}

}  // namespace vitrine::api
