// A commit's changes with their diffs, for the web interface's commit page (docs/api.md):
// GET /api/vitrine/diff/{type}s/{ns}/{name}/{rev}[?base={rev}]. The Hub has no such API route (its
// commit pages are HTML), so it lives in Vitrine's own namespace. Diffs show file contents:
// the access is that of a download (read access plus the gate of a gated repository).
#include <memory>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "formats/xet/format.hpp"
#include "service/commits/commit_diff.hpp"
#include "service/commits/object_links.hpp"
#include "util/time.hpp"

namespace vitrine::api {
namespace {

using nlohmann::json;

json pointer_json(Context& ctx, const std::optional<service::LfsPointer>& p) {
  if (!p) return nullptr;
  json out = {{"oid", p->oid}, {"size", p->size}};
  if (ctx.hub.config().xet_enabled) {
    if (auto hash = service::ObjectLinks(ctx.hub).xet_hash(p->oid)) out["xetHash"] = *hash;
  }
  return out;
}

json size_json(const std::optional<uint64_t>& size) {
  return size ? json(*size) : json(nullptr);
}

}  // namespace

http::Response handle_diff(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;  // with the gate passed: file contents
  auto opened = ctx.hub.open_git(repo.record);
  if (!opened) return error_response(opened.status(), call.caller);
  service::RepoHandle& git = *opened;
  // The revision may span segments (a raw refs/pr/1); usually it is one commit id.
  const std::string revision = call.params.get("rev");
  auto rev = ctx.contents.resolve(git, revision);
  if (!rev) return error_response(rev.status(), call.caller);
  // ?base={rev}: from that revision to this one (comparing two revisions) instead of from the
  // first parent.
  std::string base;
  if (auto b = call.query.get("base"); b && !b->empty()) {
    auto resolved = ctx.contents.resolve(git, *b);
    if (!resolved) return error_response(resolved.status(), call.caller);
    base = resolved->commit;
  }
  const std::string cache_key = repo.record.uid + ":" + base + ":" + rev->commit;
  std::shared_ptr<const service::CommitDiff> diff = ctx.hub.diffs().get(cache_key);
  if (!diff) {
    auto made = base.empty() ? service::diff_commit(git, rev->commit)
                             : service::diff_commits(git, base, rev->commit);
    if (!made) return error_response(made.status(), call.caller);
    size_t weight = 1024;
    for (const auto& f : made->files) weight += f.patch.size() + 2 * f.path.size() + 256;
    diff = std::make_shared<const service::CommitDiff>(std::move(*made));
    ctx.hub.diffs().put(cache_key, diff, weight);
  }

  const auto& c = diff->commit;
  json files = json::array();
  for (const auto& f : diff->files) {
    json item = {{"path", f.path},
                 {"status", f.status},
                 {"binary", f.binary},
                 {"oldSize", size_json(f.old_size)},
                 {"newSize", size_json(f.new_size)},
                 {"additions", f.additions},
                 {"deletions", f.deletions},
                 {"patch", f.patch},
                 {"truncated", f.truncated}};
    if (!f.old_path.empty()) item["oldPath"] = f.old_path;
    if (f.lfs()) {
      item["lfs"] = {{"old", pointer_json(ctx, f.old_lfs)}, {"new", pointer_json(ctx, f.new_lfs)}};
    }
    files.push_back(std::move(item));
  }
  json out = {{"commit",
               {{"id", c.id},
                {"title", c.title},
                {"message", c.message},
                {"date", util::iso8601_utc(c.time_ms)},
                {"authors", json::array({{{"user", c.author_name}}})},
                {"parents", c.parents}}},
              {"files", std::move(files)},
              {"truncated", diff->truncated}};
  if (!diff->base.empty()) out["base"] = diff->base;
  return json_response(200, out);
}

}  // namespace vitrine::api
