// Fuzzes card rendering (cmark-gfm + the allowlist sanitizer) and the sanitizer alone on the
// raw input (HTML that cmark would never produce). Checks the sanitizer's promises on both
// outputs: only allowed elements and attributes, no `<script`, no on* or style attribute, no
// href/src with a scheme other than http, https, mailto (data:image for src), tags balanced in
// '<' and '>'; and that the answer serializes as JSON (the card endpoint's shape).
#include <nlohmann/json.hpp>

#include "card_html_invariants.hpp"
#include "formats/card/card_renderer.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

namespace {

void check_html(const std::string& html) {
  std::string violation = fuzz::card_html_violation(html);
  if (!violation.empty()) std::fprintf(stderr, "violation: %s\n", violation.c_str());
  FUZZ_CHECK(violation.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  service::RenderOptions options;
  options.repo_path = "/datasets/alice/wiki";
  options.revision = "refs/pr/1";
  service::RenderedCard card = service::render_card(input, options);
  check_html(card.html);
  FUZZ_CHECK(card.metadata.is_object());
  nlohmann::json out = {{"html", card.html}, {"metadata", card.metadata}};
  (void)out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  std::string sanitized = service::sanitize_card_html(input, options);
  check_html(sanitized);
  return 0;
}
