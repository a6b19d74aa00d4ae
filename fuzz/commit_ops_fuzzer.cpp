// Fuzzes the commit NDJSON parsers with a whole body: every line goes through both
// parse_commit_header and parse_commit_operation, and whatever they accept must satisfy the
// contract in commit_ops.hpp.
#include <type_traits>
#include <variant>

#include "formats/hub/commit_ops.hpp"
#include "formats/hub/repo_path.hpp"
#include "fuzz_check.hpp"
#include "util/encoding.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body = fuzz::as_text(data, size);
  while (!body.empty()) {
    std::string_view line = fuzz::take_until(body, '\n');
    if (auto header = service::parse_commit_header(line)) {
      FUZZ_CHECK(!header->summary.empty());
      if (header->parent_commit) FUZZ_CHECK(util::is_lower_hex(*header->parent_commit, 40));
    }
    auto op = service::parse_commit_operation(line);
    if (!op) continue;
    std::visit(
        [](const auto& o) {
          FUZZ_CHECK(service::validate_repo_path(o.path).is_ok());
          if constexpr (std::is_same_v<std::decay_t<decltype(o)>, service::LfsFileOp>) {
            FUZZ_CHECK(util::is_lower_hex(o.oid, 64));
          }
          if constexpr (std::is_same_v<std::decay_t<decltype(o)>, service::DeleteFolderOp>) {
            FUZZ_CHECK(o.path.back() != '/');
          }
        },
        *op);
  }
  return 0;
}
