// Fuzzes git's wildmatch. Input: one flags byte (bit 0: pathname), the pattern, a NUL byte,
// then the text. Checks a few identities that hold in git's implementation.
#include <string>

#include "formats/git/git_patterns.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool pathname = (data[0] & 1) != 0;
  std::string_view input = fuzz::as_text(data + 1, size - 1);
  std::string_view pattern = fuzz::take_until(input, '\0');
  std::string_view text = input;
  bool matched = service::wildmatch(pattern, text, pathname);
  // Without wildcards and escapes a pattern matches exactly itself.
  if (pattern.find_first_of("*?[\\") == std::string_view::npos) {
    FUZZ_CHECK(matched == (pattern == text));
  }
  // Every text matches itself once each of its special characters is escaped.
  std::string escaped;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  if (text.find('\0') == std::string_view::npos) {
    FUZZ_CHECK(service::wildmatch(escaped, text, pathname));
  }
  // "**" matches everything when '/' is ordinary.
  if (text.find('\0') == std::string_view::npos) FUZZ_CHECK(service::wildmatch("**", text, false));
  return 0;
}
