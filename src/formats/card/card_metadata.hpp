// Metadata of a model/dataset card: the YAML front matter at the top of README.md, converted
// to JSON for the `cardData` field of repository info. Pure function, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vitrine::service {

// The largest YAML front matter parsed (model cards with long model-index results use tens of
// kilobytes).
inline constexpr size_t kMaxFrontMatterBytes = 256u << 10;

struct FrontMatter {
  bool present = false;                            // the README opens with a front-matter block
  nlohmann::json data = nlohmann::json::object();  // the block as a JSON object
  std::string error;  // non-empty when the block is present but invalid
  // Where the Markdown after the block begins in the README (past its closing `---` line);
  // 0 when there is no block.
  size_t content_offset = 0;
};

// Extracts and parses the front matter of a README. The block is present when, after an
// optional UTF-8 BOM and optional blank lines, the first line is `---` and a later line is
// `---` (lines may end in "\r\n"); an unterminated block counts as no front matter, as in
// huggingface_hub. The YAML between is converted to JSON: mappings become objects (keys as
// their text), sequences arrays, plain scalars are typed per the YAML 1.2 core schema (null,
// bool, int, float) and quoted or block scalars stay strings. An empty block is an empty
// object. When the YAML does not parse or its top level is not a mapping, `error` says why
// and `data` is an empty object. A block over kMaxFrontMatterBytes is an error without being
// parsed (yaml-cpp holds a few hundred bytes of nodes per byte of YAML), and at most four blocks
// are parsed at once in the process. Never throws.
FrontMatter parse_front_matter(std::string_view readme);

}  // namespace vitrine::service
