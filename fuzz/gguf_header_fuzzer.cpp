// Fuzzes the GGUF header parser (the input is a whole file). Reading the file the way the
// service does, from a short prefix that grows as each "need N bytes" asks, must end with the
// very answer the whole file gives; whatever parses must keep its tensors inside the file,
// aligned and apart, and its metadata must serialize.
#include <algorithm>
#include <string>

#include "formats/weights/gguf_header.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::as_text(data, size);
  auto whole = service::parse_gguf(bytes, size);
  FUZZ_CHECK(whole.status().kind() != ErrorKind::kRangeNotSatisfiable);

  uint64_t prefix = std::min<uint64_t>(size, 16);
  auto grown = service::parse_gguf(bytes.substr(0, prefix), size);
  while (!grown.is_ok() && grown.status().kind() == ErrorKind::kRangeNotSatisfiable) {
    const std::string message = grown.status().message();
    FUZZ_CHECK(message.rfind("need ", 0) == 0);
    uint64_t need = std::stoull(message.substr(5));
    FUZZ_CHECK(message == "need " + std::to_string(need) + " bytes");
    FUZZ_CHECK(need > prefix && need <= size);
    prefix = need;
    grown = service::parse_gguf(bytes.substr(0, prefix), size);
  }
  FUZZ_CHECK(grown.is_ok() == whole.is_ok());
  FUZZ_CHECK(grown.status().message() == whole.status().message());

  if (!whole) {
    nlohmann::json(whole.status().message()).dump();
    return 0;
  }
  const auto& header = *whole;
  FUZZ_CHECK(header.version == 2 || header.version == 3);
  FUZZ_CHECK(header.header_size <= size);
  FUZZ_CHECK(grown->total == header.total && grown->tensors.size() == header.tensors.size());
  uint64_t total = 0;
  for (const auto& [type, count] : header.parameters) total += count;
  FUZZ_CHECK(total == header.total);
  for (const auto& tensor : header.tensors) {
    FUZZ_CHECK(tensor.begin <= tensor.end);
    FUZZ_CHECK(header.header_size + tensor.end <= size);
    FUZZ_CHECK(tensor.shape.size() <= 4);
  }
  header.metadata.dump();
  nlohmann::json names = nlohmann::json::array();
  for (const auto& tensor : header.tensors) names.push_back(tensor.name);
  for (const auto& base : header.base_models) names.push_back(base.name + base.repo_url);
  names.push_back(header.architecture + header.name + header.quantization);
  names.dump();
  return 0;
}
