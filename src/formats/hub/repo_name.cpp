// Repository name and namespace validation (see repo_name.hpp).
#include "formats/hub/repo_name.hpp"

#include <string>

namespace vitrine::service {
namespace {

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Status validate_segment(std::string_view value, std::string_view what, size_t max_length) {
  std::string label(what);
  if (value.empty()) return bad_request("Invalid " + label + ": must not be empty");
  if (value.size() > max_length) {
    return bad_request("Invalid " + label + " '" + std::string(value) + "': longer than " +
                       std::to_string(max_length) + " characters");
  }
  for (char c : value) {
    if (!is_name_char(c)) {
      return bad_request("Invalid " + label + " '" + std::string(value) +
                         "': only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  auto quoted = "Invalid " + label + " '" + std::string(value) + "': ";
  if (value.front() == '-' || value.front() == '.') {
    return bad_request(quoted + "must not start with '-' or '.'");
  }
  if (value.back() == '-' || value.back() == '.') {
    return bad_request(quoted + "must not end with '-' or '.'");
  }
  if (value.find("--") != std::string_view::npos) return bad_request(quoted + "contains '--'");
  if (value.find("..") != std::string_view::npos) return bad_request(quoted + "contains '..'");
  return Status::ok();
}

}  // namespace

Status validate_repo_name(std::string_view name) {
  return validate_segment(name, "repository name", kMaxRepoNameLength);
}

Status validate_namespace(std::string_view ns) {
  // Top-level paths the hub serves itself; a repository there could never be reached.
  // parquet-converter: the author of the Parquet exports (refs/convert/parquet).
  for (std::string_view reserved :
       {"api", "tlog", "v1", "v2", "datasets", "spaces", "assets", "parquet-converter"}) {
    if (ns == reserved) {
      return bad_request("'" + std::string(ns) + "' is reserved and cannot be a namespace");
    }
  }
  return validate_segment(ns, "namespace", kMaxNamespaceLength);
}

}  // namespace vitrine::service
