// Roles. A token's role says what the token may do with its user's rights; a member's role
// says what a user may do in an organization (a user is the admin of their own namespace).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace vitrine::domain {

enum class TokenRole {
  kRead,         // read what the user may read
  kWrite,        // and write where the user may write (a signed-in session acts so)
  kFineGrained,  // only what the token's scopes name, within the user's rights
};

inline constexpr std::array<TokenRole, 3> kTokenRoles = {TokenRole::kRead, TokenRole::kWrite,
                                                         TokenRole::kFineGrained};

// "read" | "write" | "fineGrained"
const std::string& to_wire(TokenRole role);
std::optional<TokenRole> token_role_from_wire(std::string_view text);

enum class MemberRole { kRead, kWrite, kAdmin };

inline constexpr std::array<MemberRole, 3> kMemberRoles = {MemberRole::kRead, MemberRole::kWrite,
                                                           MemberRole::kAdmin};

// "read" | "write" | "admin"
const std::string& to_wire(MemberRole role);
std::optional<MemberRole> member_role_from_wire(std::string_view text);

}  // namespace vitrine::domain
