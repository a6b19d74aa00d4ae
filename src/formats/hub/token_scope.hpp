// TokenScope: what a fine-grained token may do. A token carries a list of scopes, each naming
// a namespace (a user or an organization) or one repository, with permissions among read,
// write and manage. A fine-grained token never grants more than its user has: the hub checks
// the user's role first, then the token's scopes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/access_level.hpp"
#include "domain/repo_kind.hpp"
#include "util/result.hpp"

namespace vitrine::service {

// Written `namespace:acme=read,write`, `model:acme/m=read` or `dataset:acme/d=write`.
struct TokenScope {
  std::optional<domain::RepoKind>
      repo;          // the kind of the repository it names; nullopt: a namespace
  std::string name;  // "acme" for a namespace, "acme/m" for a repository
  std::vector<domain::AccessLevel> permissions;
  // "namespace" | "model" | "dataset"
  const std::string& kind() const;
};

// Parses `namespace:acme=read,write`, `model:acme/m=read`, `dataset:acme/d=read,write,manage`.
Result<TokenScope> parse_token_scope(std::string_view spec);
// The same syntax back: `namespace:acme=read,write`.
std::string format_token_scope(const TokenScope& scope);
nlohmann::json scopes_to_json(const std::vector<TokenScope>& scopes);
std::vector<TokenScope> scopes_from_json(const std::string& text);
// Whether the scopes grant `permission` on the repository `type`/`ns`/`name`
// (case-insensitive names). A permission implies the ones below it: manage ⊃ write ⊃ read.
bool scopes_allow(const std::vector<TokenScope>& scopes, domain::RepoKind type,
                  const std::string& ns, const std::string& name, domain::AccessLevel permission);
// The longest lifetime a token may be given: ten years (and far from int64 overflow in ms).
inline constexpr int64_t kMaxTokenLifetimeSeconds = 3650LL * 86400;
// Parses a duration such as 3600, 90s, 12h, 30d into seconds; kBadRequest otherwise, and for
// more than kMaxTokenLifetimeSeconds.
Result<int64_t> parse_duration_seconds(std::string_view text);

}  // namespace vitrine::service
