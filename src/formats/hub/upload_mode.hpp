// Regular-vs-LFS decision for a file about to be uploaded (the `uploadMode` of the preupload
// endpoint and the mode git commits use), per contract §4.7. Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "formats/git/git_patterns.hpp"

namespace vitrine::service {

enum class UploadMode { kRegular, kLfs };

// Files of at least this size always go to LFS (the Hub rejects larger regular git blobs).
inline constexpr uint64_t kLfsSizeThreshold = 10ull * 1024 * 1024;
// Binary files (a NUL byte in the sample) larger than this go to LFS.
inline constexpr uint64_t kLfsBinaryThreshold = 1000 * 1000;

// Rules, first match wins: size 0 -> regular; path tracked by `filter=lfs` in attrs -> lfs;
// size >= 10 MiB -> lfs; sample (the file's first bytes) contains NUL and size > 1 MB -> lfs;
// otherwise regular.
UploadMode classify_upload(std::string_view path, uint64_t size, std::string_view sample,
                           const GitAttributes& attrs);

}  // namespace vitrine::service
