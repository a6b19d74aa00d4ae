// Fuzzes repository-name and namespace validation against the rules of repo_name.hpp.
#include "formats/hub/repo_name.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

namespace {

void check_accepted(std::string_view name, size_t max_length) {
  FUZZ_CHECK(!name.empty() && name.size() <= max_length);
  for (char c : name) {
    bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    FUZZ_CHECK(allowed);
  }
  FUZZ_CHECK(name.front() != '-' && name.front() != '.');
  FUZZ_CHECK(name.back() != '-' && name.back() != '.');
  FUZZ_CHECK(name.find("--") == std::string_view::npos);
  FUZZ_CHECK(name.find("..") == std::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view name = fuzz::as_text(data, size);
  bool repo_ok = service::validate_repo_name(name).is_ok();
  bool ns_ok = service::validate_namespace(name).is_ok();
  if (repo_ok) check_accepted(name, service::kMaxRepoNameLength);
  if (ns_ok) check_accepted(name, service::kMaxNamespaceLength);
  // A namespace is a repository name with a shorter length limit.
  FUZZ_CHECK(ns_ok == (repo_ok && name.size() <= service::kMaxNamespaceLength));
  return 0;
}
