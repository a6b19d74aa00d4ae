// LFS pointer parsing and formatting (see lfs_pointer.hpp).
#include "formats/git/lfs_pointer.hpp"

#include <charconv>

#include "util/encoding.hpp"

namespace vitrine::service {
namespace {

constexpr std::string_view kVersionLine = "version https://git-lfs.github.com/spec/v1\n";
constexpr std::string_view kOidPrefix = "oid sha256:";
constexpr std::string_view kSizePrefix = "size ";

// Consumes one '\n'-terminated line starting with prefix; returns its value without the
// prefix and newline.
std::optional<std::string_view> take_line(std::string_view& blob, std::string_view prefix) {
  if (!blob.starts_with(prefix)) return std::nullopt;
  size_t nl = blob.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view value = blob.substr(prefix.size(), nl - prefix.size());
  blob.remove_prefix(nl + 1);
  return value;
}

}  // namespace

std::optional<LfsPointer> parse_lfs_pointer(std::string_view blob) {
  if (blob.size() > kMaxLfsPointerBytes || !blob.starts_with(kVersionLine)) return std::nullopt;
  blob.remove_prefix(kVersionLine.size());
  auto oid = take_line(blob, kOidPrefix);
  if (!oid || !util::is_lower_hex(*oid, 64)) return std::nullopt;
  auto size_text = take_line(blob, kSizePrefix);
  if (!size_text || size_text->empty() || !blob.empty()) return std::nullopt;
  if (size_text->size() > 1 && size_text->front() == '0') return std::nullopt;
  LfsPointer pointer{std::string(*oid), 0};
  const char* first = size_text->data();
  const char* last = first + size_text->size();
  auto [end, ec] = std::from_chars(first, last, pointer.size);
  if (ec != std::errc() || end != last) return std::nullopt;
  return pointer;
}

std::string format_lfs_pointer(const LfsPointer& p) {
  std::string out(kVersionLine);
  out += kOidPrefix;
  out += p.oid;
  out.push_back('\n');
  out += kSizePrefix;
  out += std::to_string(p.size);
  out.push_back('\n');
  return out;
}

}  // namespace vitrine::service
