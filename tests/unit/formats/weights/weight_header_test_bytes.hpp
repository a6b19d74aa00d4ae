// Bytes for the weight-header unit tests (safetensors_header_test, gguf_header_test): integers
// in the little-endian order both formats use, and random filler for data sections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace vitrine::service::weight_header_test {

inline std::string random_bytes(size_t n) {
  static std::mt19937 generator(42);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(generator());
  return out;
}

inline std::string le64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (8 * i));
  return out;
}

inline std::string le32(uint32_t value) {
  return le64(value).substr(0, 4);
}

}  // namespace vitrine::service::weight_header_test
