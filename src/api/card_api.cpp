// Rendered model and dataset cards for the web interface (docs/api.md):
// GET /api/vitrine/card/{type}s/{ns}/{name}[?revision=]. The card is metadata, like repository
// info: read access, and public in gated repositories, as on the Hub.
// POST to the same URL with {"content", "revision"?} renders a README that is not committed yet
// (the card editor's preview) through the same renderer and sanitizer, its relative links
// resolved against the revision; only those who may write the repository may ask, so the hub
// is not an open Markdown renderer.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api.hpp"
#include "service/card_renderer.hpp"
#include "service/revision_reader.hpp"

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

}  // namespace

http::Response handle_card_api(Context& ctx, Call& call, const std::vector<std::string>& seg) {
  auto type = service::repo_type_from_plural(seg[3]);
  if (!type) return error_response(not_found("Not found: " + call.request.path), call.caller);
  const bool preview = call.request.method == "POST";
  auto repo = ctx.repos.find(*type, seg[4], seg[5], call.caller,
                             preview ? service::Access::kWrite : service::Access::kRead);
  if (!repo) return error_response(repo.status(), call.caller);
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
  auto rev = ctx.repos.resolve(**git, revision);
  if (!rev) return error_response(rev.status(), call.caller);

  json out = {{"revision", rev->commit},
              {"html", ""},
              {"metadata", json::object()},
              {"yamlError", nullptr},
              {"hasCard", false}};
  service::RenderOptions options;
  options.repo_path = "/" + type->url_prefix + repo->record.id();
  options.revision = rev->commit;
  // A committed card is rendered once per repository path and commit (Hub::cards).
  const std::string cache_key = options.repo_path + "\n" + rev->commit;
  std::shared_ptr<const service::RenderedCard> card;
  if (!draft) card = ctx.hub.cards().get(cache_key);
  if (card) return json_response(200, card_json(out, *card));
  Result<std::string> text = std::string();
  if (draft) {
    // One byte past the bound tells the renderer the README was longer (it adds a note).
    if (draft->size() > service::kMaxCardBytes + 1) draft->resize(service::kMaxCardBytes + 1);
    text = std::move(*draft);
  } else {
    auto entry = ctx.repos.entry_at(**git, rev->commit, "README.md");
    if (!entry) return error_response(entry.status(), call.caller);
    if (!*entry || (*entry)->git.is_dir) return json_response(200, out);
    text = service::read_file_prefix(ctx.hub, **git, **entry, service::kMaxCardBytes + 1);
    if (!text) return error_response(text.status(), call.caller);
  }
  card = std::make_shared<const service::RenderedCard>(service::render_card(*text, options));
  // Weighed by what it holds: the HTML, the error, and the metadata parsed from the README
  // (JSON values take several times their YAML text; 8x bounds it).
  if (!draft) {
    ctx.hub.cards().put(cache_key, card,
                        card->html.size() + card->yaml_error.size() + 8 * text->size() + 1024);
  }
  return json_response(200, card_json(out, *card));
}

}  // namespace vitrine::api
