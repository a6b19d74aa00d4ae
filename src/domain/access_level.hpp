// AccessLevel: what a caller may do with a repository, each level implying the ones below it:
// manage ⊃ write ⊃ read. Manage covers settings, deletion, renames and access decisions. The
// same words name a fine-grained token's scope permissions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vitrine::domain {

enum class AccessLevel { kRead, kWrite, kManage };

// "read" | "write" | "manage"
const std::string& to_wire(AccessLevel level);
std::optional<AccessLevel> access_level_from_wire(std::string_view text);
// Whether holding `held` grants `needed`.
inline bool implies(AccessLevel held, AccessLevel needed) {
  return static_cast<int>(held) >= static_cast<int>(needed);
}

}  // namespace vitrine::domain
