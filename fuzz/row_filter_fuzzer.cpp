// Fuzzes the /filter grammar (row_filter.hpp): any text either parses into a plan that evaluates
// over a row without failing, or is refused as a bad request with a message; the Hub's
// forbidden sequences never parse.
#include <nlohmann/json.hpp>
#include <string>

#include "formats/datasets/row_filter.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  nlohmann::json row = {{"a", 1}, {"b", "x"}, {"c", nullptr}, {"d", {{"e", true}}}};
  auto f = datasets::RowFilter::parse(text);
  if (f) {
    FUZZ_CHECK(text.find(';') == std::string_view::npos &&
               text.find("--") == std::string_view::npos);
    f->matches([&](const std::string& name) -> const nlohmann::json* {
      auto it = row.find(name);
      return it == row.end() ? nullptr : &*it;
    });
    FUZZ_CHECK(!f->columns().empty());
  } else {
    FUZZ_CHECK(f.status().kind() == ErrorKind::kBadRequest && !f.status().message().empty());
  }
  auto o = datasets::RowOrder::parse(text);
  if (o) o->before(row["a"], row["b"]);
  return 0;
}
