// Fuzzes .gitignore parsing and matching. Input: the ignore text, then a NUL byte, then
// '\n'-separated repository paths to ask is_ignored() about.
#include "formats/git/git_patterns.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  std::string_view text = fuzz::take_until(input, '\0');
  auto ignore = service::GitIgnore::parse(text);
  std::string_view paths = input.empty() ? text : input;
  while (!paths.empty()) (void)ignore.is_ignored(fuzz::take_until(paths, '\n'));
  (void)ignore.is_ignored("src/build/out/file.o");
  (void)ignore.is_ignored("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/file.bin");
  return 0;
}
