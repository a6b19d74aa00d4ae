// Rendered model and dataset cards for the web interface (docs/api.md):
// GET /api/vitrine/card/{type}s/{ns}/{name}[?revision=]. The card is metadata, like repository
// info: read access, and public in gated repositories, as on the Hub.
// POST to the same URL with {"content", "revision"?} renders a README that is not committed yet
// (the card editor's preview) through the same renderer and sanitizer, its relative links
// resolved against the revision; only those who may write the repository may ask, so the hub
// is not an open Markdown renderer.
// GET /api/vitrine/render/{type}s/{ns}/{name}/{rev}/{path} renders any file of a revision as
// Markdown the same way (the file viewer's rendered view of a .md file), its relative links
// resolved from the file's folder. That is file content: the gate applies, as to downloads.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api.hpp"
#include "formats/card/card_renderer.hpp"
#include "service/repos/revision_reader.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

// The answer for a README that exists: `out` (revision and defaults) with the card's parts.
json card_json(json out, const service::RenderedCard& card) {
  out["hasCard"] = true;
  out["html"] = card.html;
  out["metadata"] = card.metadata;
  if (!card.yaml_error.empty()) out["yamlError"] = card.yaml_error;
  if (card.truncated) out["truncated"] = true;
  return out;
}

// A committed file rendered (or found in Hub::cards, keyed by repository path, commit and file).
Result<std::shared_ptr<const service::RenderedCard>> render_committed(
    Context& ctx, service::RepoHandle& git, const service::FileEntry& entry,
    const service::RenderOptions& options, const std::string& cache_key) {
  if (auto card = ctx.hub.cards().get(cache_key)) return card;
  // One byte past the bound tells the renderer the file was longer (it adds a note).
  auto text = service::read_file_prefix(ctx.hub, git, entry, service::kMaxCardBytes + 1);
  if (!text) return text.status();
  auto card = std::make_shared<const service::RenderedCard>(service::render_card(*text, options));
  // Weighed by what it holds: the HTML, the error, and the metadata parsed from the front
  // matter (JSON values take several times their YAML text; 8x bounds it).
  ctx.hub.cards().put(cache_key, card,
                      card->html.size() + card->yaml_error.size() + 8 * text->size() + 1024);
  return card;
}

}  // namespace

http::Response handle_render(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;  // with the gate passed: file contents
  auto opened = ctx.hub.open_git(repo.record);
  if (!opened) return error_response(opened.status(), call.caller);
  service::RepoHandle& git = *opened;
  auto found = ctx.contents.file_at_segments(git, call.params.segments_from("rev"));
  if (!found) return error_response(found.status(), call.caller);
  if (!found->file) return error_response(found->not_found(), call.caller);
  const std::string& commit = found->revision.commit;
  const std::string& path = found->path;
  service::RenderOptions options;
  options.repo_path = "/" + domain::url_prefix(*call.type) + repo.record.id();
  options.revision = commit;
  auto slash = path.rfind('/');
  if (slash != std::string::npos) options.base_dir = path.substr(0, slash);
  auto card = render_committed(ctx, git, *found->file, options,
                               options.repo_path + "\n" + commit + "\n" + path);
  if (!card) return error_response(card.status(), call.caller);
  json out = {{"revision", commit}, {"path", path}};
  return json_response(200, card_json(out, **card));
}

http::Response handle_card(Context& ctx, Call& call) {
  domain::RepoKind type = *call.type;
  const service::RepoRef* repo = &*call.repo;  // write access for a preview (POST)
  const bool preview = call.request.method == "POST";
  std::string revision = call.query.get("revision").value_or("main");
  std::optional<std::string> draft;
  if (preview) {
    auto body = read_json(call, ctx.hub.config().max_json_body);
    if (!body) return error_response(body.status(), call.caller);
    if (!body->is_object() || !body->contains("content") || !(*body)["content"].is_string()) {
      return error_response(bad_request("Expected {\"content\": \"<README.md text>\"}"),
                            call.caller);
    }
    if (body->contains("revision") && !(*body)["revision"].is_null()) {
      if (!(*body)["revision"].is_string()) {
        return error_response(bad_request("revision must be a string"), call.caller);
      }
      revision = (*body)["revision"].get<std::string>();
    }
    draft = (*body)["content"].get<std::string>();
  }
  auto git = ctx.hub.open_git(repo->record);
  if (!git) return error_response(git.status(), call.caller);
  auto rev = ctx.contents.resolve(*git, revision);
  if (!rev) return error_response(rev.status(), call.caller);

  json out = {{"revision", rev->commit},
              {"html", ""},
              {"metadata", json::object()},
              {"yamlError", nullptr},
              {"hasCard", false}};
  service::RenderOptions options;
  options.repo_path = "/" + domain::url_prefix(type) + repo->record.id();
  options.revision = rev->commit;
  if (draft) {
    // One byte past the bound tells the renderer the README was longer (it adds a note).
    if (draft->size() > service::kMaxCardBytes + 1) draft->resize(service::kMaxCardBytes + 1);
    return json_response(200, card_json(out, service::render_card(*draft, options)));
  }
  // A committed card is rendered once per repository path and commit (Hub::cards).
  auto entry = ctx.contents.entry_at(*git, rev->commit, "README.md");
  if (!entry) return error_response(entry.status(), call.caller);
  if (!*entry || (*entry)->git.is_dir) return json_response(200, out);
  auto card = render_committed(ctx, *git, **entry, options,
                               options.repo_path + "\n" + rev->commit + "\nREADME.md");
  if (!card) return error_response(card.status(), call.caller);
  return json_response(200, card_json(out, **card));
}

}  // namespace vitrine::api
