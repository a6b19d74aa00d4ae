// Fuzzes repository path validation, re-checking each accepted path against the rules of
// repo_path.hpp written out independently, and that normalize_folder_path keeps folders valid.
#include "formats/hub/repo_path.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

namespace {

bool has_component(std::string_view path, bool (*pred)(std::string_view)) {
  while (true) {
    std::string_view component = fuzz::take_until(path, '/');
    if (pred(component)) return true;
    if (path.empty()) return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view path = fuzz::as_text(data, size);
  if (service::validate_repo_path(path).is_ok()) {
    FUZZ_CHECK(!path.empty() && path.size() <= service::kMaxRepoPathBytes);
    for (char c : path) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != '\\');
    FUZZ_CHECK(path.front() != '/' && path.back() != '/');
    FUZZ_CHECK(!has_component(path, [](std::string_view c) {
      if (c.empty() || c == "." || c == "..") return true;
      if (c.size() != 4 || c[0] != '.') return false;
      return (c[1] | 0x20) == 'g' && (c[2] | 0x20) == 'i' && (c[3] | 0x20) == 't';
    }));
    // Appending "/" and normalizing again gives the same path back (deletedFolder).
    FUZZ_CHECK(service::normalize_folder_path(std::string(path) + "//") == path);
  }
  std::string folder = service::normalize_folder_path(path);
  FUZZ_CHECK(folder.empty() || folder.back() != '/');
  return 0;
}
