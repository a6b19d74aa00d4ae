// Repository path validation (see repo_path.hpp).
#include "formats/hub/repo_path.hpp"

#include <cstdint>

namespace vitrine::service {
namespace {

// Returns true iff s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t code_point;
    uint32_t min;
    if ((b & 0xE0) == 0xC0) {
      extra = 1;
      code_point = b & 0x1F;
      min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2;
      code_point = b & 0x0F;
      min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3;
      code_point = b & 0x07;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (c & 0x3F);
    }
    if (code_point < min || code_point > 0x10FFFF) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    i += extra + 1;
  }
  return true;
}

bool iequals_dot_git(std::string_view component) {
  if (component.size() != 4 || component[0] != '.') return false;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  return lower(component[1]) == 'g' && lower(component[2]) == 'i' && lower(component[3]) == 't';
}

Status invalid(std::string_view path, std::string_view reason) {
  std::string message = "Invalid path: '";
  message += path;
  message += "' ";
  message += reason;
  return unprocessable(std::move(message));
}

}  // namespace

Status validate_repo_path(std::string_view path) {
  if (path.empty()) return unprocessable("Invalid path: the path is empty");
  if (path.size() > kMaxRepoPathBytes) {
    return unprocessable("Invalid path: the path is " + std::to_string(path.size()) +
                         " bytes long, more than the " + std::to_string(kMaxRepoPathBytes) +
                         " allowed");
  }
  for (char c : path) {
    auto b = static_cast<unsigned char>(c);
    // Control characters are not echoed back: they would garble the message.
    if (b < 0x20) return unprocessable("Invalid path: contains a control character");
  }
  if (!is_valid_utf8(path)) return unprocessable("Invalid path: not valid UTF-8");
  if (path.find('\\') != std::string_view::npos) return invalid(path, "contains a backslash");
  if (path.front() == '/') return invalid(path, "starts with '/'");
  if (path.back() == '/') return invalid(path, "ends with '/'");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view component = path.substr(start, end - start);
    if (component.empty()) return invalid(path, "contains an empty component ('//')");
    if (component == ".") return invalid(path, "contains '.'");
    if (component == "..") return invalid(path, "contains '..'");
    if (iequals_dot_git(component)) return invalid(path, "contains '.git'");
    start = end + 1;
  }
  return Status::ok();
}

bool path_within(std::string_view path, std::string_view folder) {
  return path.starts_with(folder) && (path.size() == folder.size() || path[folder.size()] == '/');
}

std::string normalize_folder_path(std::string_view p) {
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

}  // namespace vitrine::service
