// Git LFS pointer files (spec v1): the small blob git stores in place of an LFS object.
//   version https://git-lfs.github.com/spec/v1
//   oid sha256:<64 lowercase hex>
//   size <decimal bytes>
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrine::service {

// Pointers larger than this are not pointers (git-lfs uses the same bound).
inline constexpr size_t kMaxLfsPointerBytes = 1024;

struct LfsPointer {
  std::string oid;  // 64 lowercase hex digits of the object's SHA-256
  uint64_t size = 0;
};

// Parses a blob that is exactly the three lines above, in that order, each ending in '\n'.
// Anything else (extra keys, other versions, uppercase hex, a leading '+' or zero in size, a
// blob over kMaxLfsPointerBytes) gives nullopt.
std::optional<LfsPointer> parse_lfs_pointer(std::string_view blob);

// The canonical pointer text for p, which parse_lfs_pointer() accepts back.
std::string format_lfs_pointer(const LfsPointer& p);

}  // namespace vitrine::service
