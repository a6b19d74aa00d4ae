// Fuzzes .gitattributes parsing and LFS routing. Input: the attributes text, then a NUL byte,
// then '\n'-separated repository paths to ask is_lfs() about.
#include "formats/git/git_patterns.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  std::string_view text = fuzz::take_until(input, '\0');
  auto attributes = service::GitAttributes::parse(text);
  // Paths from the input when there are some; the text's own lines otherwise, so that
  // attribute files alone (e.g. the seed corpus) still exercise matching.
  std::string_view paths = input.empty() ? text : input;
  while (!paths.empty()) (void)attributes.is_lfs(fuzz::take_until(paths, '\n'));
  (void)attributes.is_lfs("model.safetensors");
  (void)attributes.is_lfs("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/file.bin");
  return 0;
}
