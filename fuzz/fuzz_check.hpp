// Helpers shared by the fuzz targets: FUZZ_CHECK for properties the code under test promises
// (a violated one aborts, which libFuzzer reports as a crash with the input saved), and
// splitting one input into several parts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace vitrine::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Removes and returns the text up to the first `sep` (the whole text when there is none).
inline std::string_view take_until(std::string_view& text, char sep) {
  size_t at = text.find(sep);
  std::string_view head = text.substr(0, at);
  text = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
  return head;
}

}  // namespace vitrine::fuzz
