// The git refs a repository's history is named by on the hub: branches, tags, and the default
// branch every repository is created with (and `HEAD` names).
#pragma once

#include <string>

namespace vitrine::domain {

inline constexpr const char* kDefaultBranch = "main";
inline const std::string kHeads = "refs/heads/";  // branches
inline const std::string kTags = "refs/tags/";

}  // namespace vitrine::domain
