// Validation of repository names and namespaces (users and organizations), the two segments
// of a repo id "namespace/name". Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "util/result.hpp"

namespace vitrine::service {

inline constexpr size_t kMaxRepoNameLength = 96;
inline constexpr size_t kMaxNamespaceLength = 42;

// A repository name: 1-96 characters of [A-Za-z0-9._-], not starting or ending with '-' or
// '.', and containing neither "--" nor "..". Returns ok or kBadRequest with a message.
Status validate_repo_name(std::string_view name);

// A namespace: the same rules as a repository name, at most 42 characters.
Status validate_namespace(std::string_view ns);

}  // namespace vitrine::service
