// Validation of file paths inside a repository, as sent by clients in commits and uploads.
// A valid path is a relative, '/'-separated, UTF-8 path that git can store and that cannot
// escape the repository or touch git's own metadata. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::service {

// Maximum length of a repository path, in bytes.
inline constexpr size_t kMaxRepoPathBytes = 1024;

// Returns ok, or ErrorKind::kUnprocessable with a message naming the path and the rule broken.
// Rules: non-empty; at most kMaxRepoPathBytes bytes; valid UTF-8; no control characters
// (< 0x20, which includes NUL); no backslash; no leading '/'; no trailing '/'; no
// empty component ("a//b"); no component "." or ".."; no component ".git" (any case).
Status validate_repo_path(std::string_view path);

// Strips trailing '/' characters, e.g. "dir/" -> "dir" (for deletedFolder operations).
std::string normalize_folder_path(std::string_view p);

// Whether `path` is `folder` itself or lies anywhere under it ("a/b/c" is within "a/b", "a/bc"
// is not). Both are repository paths without a trailing '/'.
bool path_within(std::string_view path, std::string_view folder);

}  // namespace vitrine::service
