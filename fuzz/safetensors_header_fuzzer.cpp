// Fuzzes the safetensors header parser (the input is a whole file) and the sharded index parser
// (the input as index JSON). Whatever parses must describe tensors that tile the data section
// exactly, with counts that add up, and every message must be fit for a JSON report.
#include <algorithm>
#include <string>

#include "formats/weights/safetensors_header.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::as_text(data, size);
  auto prefix_size = service::safetensors_prefix_size(bytes.substr(0, 8), size);
  auto header = service::parse_safetensors(bytes, size);
  if (prefix_size) {
    FUZZ_CHECK(*prefix_size >= 8 && *prefix_size <= size);
    // A prefix one byte short asks for exactly the missing bytes.
    if (*prefix_size > 8) {
      auto short_prefix = service::parse_safetensors(bytes.substr(0, *prefix_size - 1), size);
      FUZZ_CHECK(short_prefix.status().kind() == ErrorKind::kRangeNotSatisfiable);
      FUZZ_CHECK(short_prefix.status().message() ==
                 "need " + std::to_string(*prefix_size) + " bytes");
    }
  } else {
    FUZZ_CHECK(!header.is_ok());
  }
  if (header) {
    FUZZ_CHECK(prefix_size && header->header_size + 8 == *prefix_size);
    // Only the header is needed: the same answer without the data section.
    auto again = service::parse_safetensors(bytes.substr(0, *prefix_size), size);
    FUZZ_CHECK(again.is_ok() && again->total == header->total);
    uint64_t covered = 0;
    uint64_t total = 0;
    for (const auto& tensor : header->tensors) {
      FUZZ_CHECK(tensor.begin == covered && tensor.end >= tensor.begin);
      covered = tensor.end;
    }
    FUZZ_CHECK(covered == size - *prefix_size);
    for (const auto& [dtype, count] : header->parameters) total += count;
    FUZZ_CHECK(total == header->total);
    service::safetensors_info_json(header->parameters, header->total).dump();
  } else {
    FUZZ_CHECK(!header.status().message().empty());
    nlohmann::json(header.status().message()).dump();
  }

  auto index = service::parse_safetensors_index(bytes);
  if (index) {
    FUZZ_CHECK(std::is_sorted(index->shards.begin(), index->shards.end()));
    FUZZ_CHECK(std::adjacent_find(index->shards.begin(), index->shards.end()) ==
               index->shards.end());
    for (const auto& [tensor, file] : index->weight_map) {
      FUZZ_CHECK(!file.empty() && file[0] != '/');
      FUZZ_CHECK(("/" + file + "/").find("/../") == std::string::npos);
      FUZZ_CHECK(std::binary_search(index->shards.begin(), index->shards.end(), file));
    }
  } else {
    nlohmann::json(index.status().message()).dump();
  }
  return 0;
}
