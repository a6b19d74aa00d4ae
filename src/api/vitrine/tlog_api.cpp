// The transparency log over HTTP (docs/transparency.md): the static C2SP tlog-tiles view
// (/tlog/checkpoint, /tlog/key, /tlog/tile/...), proofs and lookups (/api/tlog/...), and one
// repository's log (/api/{type}s/{repo}/tlog).
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "service/transparency/log_view.hpp"
#include "service/transparency/transparency.hpp"
#include "util/encoding.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";

http::Response text_response(std::string body, const char* cache_control) {
  auto r = http::Response::text(200, std::move(body), "text/plain; charset=utf-8");
  r.headers.set("Cache-Control", cache_control);
  r.headers.set("Access-Control-Allow-Origin", "*");
  return r;
}

Result<std::optional<int64_t>> int_param(const Call& call, const char* name) {
  auto v = call.query.get(name);
  if (!v) return std::optional<int64_t>();
  uint64_t n = 0;
  if (!util::parse_u64(*v, &n) || n > static_cast<uint64_t>(INT64_MAX)) {
    return bad_request(std::string("parameter ") + name + " must be a non-negative integer");
  }
  return std::optional<int64_t>(static_cast<int64_t>(n));
}

service::LogView log_view(Context& ctx, const Call& call) {
  return service::LogView(ctx.hub, ctx.repos, call.caller);
}

http::Response json_or_error(const Result<json>& out, const Call& call) {
  if (!out) return error_response(out.status(), call.caller);
  return json_response(200, *out);
}

}  // namespace

http::Response handle_tlog_checkpoint(Context& ctx, Call& call) {
  auto note = log_view(ctx, call).checkpoint_note();
  if (!note) return error_response(note.status(), call.caller);
  return text_response(*note, "no-cache");
}

http::Response handle_tlog_key(Context& ctx, Call& call) {
  auto key = ctx.hub.transparency().verifier_key();
  if (!key) return error_response(key.status(), call.caller);
  return text_response(*key + "\n", "no-cache");
}

// GET /tlog/tile/{path*}: the C2SP tiled-log layout.
http::Response handle_tlog_tile(Context& ctx, Call& call) {
  if (call.params.get("path").empty()) {
    return error_response(not_found("Not found: " + call.request.path), call.caller);
  }
  bool full = false;
  auto data = log_view(ctx, call).tile("tile/" + call.params.get("path"), &full);
  if (!data) return error_response(data.status(), call.caller);
  auto r = http::Response::text(200, std::move(*data), "application/octet-stream");
  // Full tiles never change; a partial one is superseded by a wider one, never altered.
  r.headers.set("Cache-Control", full ? kImmutable : "public, max-age=60");
  r.headers.set("Access-Control-Allow-Origin", "*");
  return r;
}

http::Response handle_tlog_inclusion_proof(Context& ctx, Call& call) {
  auto index = int_param(call, "index");
  if (!index) return error_response(index.status(), call.caller);
  if (!*index) return error_response(bad_request("missing parameter index"), call.caller);
  auto tree_size = int_param(call, "tree_size");
  if (!tree_size) return error_response(tree_size.status(), call.caller);
  return json_or_error(log_view(ctx, call).inclusion_proof(**index, *tree_size), call);
}

http::Response handle_tlog_consistency_proof(Context& ctx, Call& call) {
  auto from = int_param(call, "from");
  if (!from) return error_response(from.status(), call.caller);
  if (!*from) return error_response(bad_request("missing parameter from"), call.caller);
  auto to = int_param(call, "to");
  if (!to) return error_response(to.status(), call.caller);
  return json_or_error(log_view(ctx, call).consistency_proof(**from, *to), call);
}

http::Response handle_tlog_entry(Context& ctx, Call& call) {
  const std::string index_text = call.params.get("index");
  uint64_t index = 0;
  if (!util::parse_u64(index_text, &index) || index > static_cast<uint64_t>(INT64_MAX)) {
    return error_response(bad_request("entry index must be a non-negative integer"), call.caller);
  }
  return json_or_error(log_view(ctx, call).entry(static_cast<int64_t>(index)), call);
}

http::Response handle_tlog_lookup(Context& ctx, Call& call) {
  auto view = log_view(ctx, call);
  std::vector<std::string> keys;
  if (auto repo = call.query.get("repo")) {
    auto repo_keys = view.repo_keys(*repo, call.query.get("ref"));
    if (!repo_keys) return error_response(repo_keys.status(), call.caller);
    keys = std::move(*repo_keys);
  } else if (call.query.has("ref")) {
    return error_response(bad_request("ref needs repo"), call.caller);
  }
  if (auto commit = call.query.get("commit")) keys.push_back("commit:" + *commit);
  if (auto file = call.query.get("file")) keys.push_back("file:" + *file);
  if (keys.empty()) {
    return error_response(bad_request("give at least one of repo, commit, file"), call.caller);
  }
  return json_or_error(view.lookup(keys), call);
}

http::Response handle_repo_tlog(Context& ctx, Call& call) {
  auto keys = service::LogView::history_keys(call.repo->record, call.query.get("ref"));
  return json_or_error(log_view(ctx, call).lookup(keys), call);
}

}  // namespace vitrine::api
