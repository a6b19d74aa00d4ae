// Fine-grained token scopes.
#include "formats/hub/token_scope.hpp"

#include <algorithm>
#include <charconv>

#include "formats/hub/repo_name.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {
namespace {

const std::string kNamespaceKind = "namespace";

}  // namespace

const std::string& TokenScope::kind() const {
  return repo ? domain::to_wire(*repo) : kNamespaceKind;
}

Result<TokenScope> parse_token_scope(std::string_view spec) {
  auto colon = spec.find(':');
  auto equals = spec.find('=');
  if (colon == std::string_view::npos || equals == std::string_view::npos || equals < colon) {
    return bad_request("scope must look like KIND:NAME=PERMISSIONS, e.g. namespace:acme=read");
  }
  TokenScope scope;
  std::string_view kind = spec.substr(0, colon);
  scope.name = std::string(spec.substr(colon + 1, equals - colon - 1));
  scope.repo = domain::repo_kind_from_wire(kind);
  if (!scope.repo && kind != kNamespaceKind) {
    return bad_request("scope kind must be namespace, model or dataset");
  }
  auto slash = scope.name.find('/');
  if (!scope.repo) {
    if (auto st = validate_namespace(scope.name); !st) return st;
  } else if (slash == std::string::npos || !validate_namespace(scope.name.substr(0, slash)) ||
             !validate_repo_name(scope.name.substr(slash + 1))) {
    return bad_request("a repository scope names NAMESPACE/NAME");
  }
  std::string_view perms = spec.substr(equals + 1);
  while (!perms.empty()) {
    auto comma = perms.find(',');
    std::string p(perms.substr(0, comma));
    auto level = domain::access_level_from_wire(p);
    if (!level) return bad_request("permission must be read, write or manage, not '" + p + "'");
    scope.permissions.push_back(*level);
    if (comma == std::string_view::npos) break;
    perms.remove_prefix(comma + 1);
  }
  if (scope.permissions.empty()) return bad_request("a scope needs at least one permission");
  return scope;
}

std::string format_token_scope(const TokenScope& scope) {
  std::string out = scope.kind() + ":" + scope.name + "=";
  for (size_t i = 0; i < scope.permissions.size(); ++i) {
    out += (i ? "," : "") + domain::to_wire(scope.permissions[i]);
  }
  return out;
}

nlohmann::json scopes_to_json(const std::vector<TokenScope>& scopes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : scopes) {
    nlohmann::json permissions = nlohmann::json::array();
    for (auto p : s.permissions) permissions.push_back(domain::to_wire(p));
    out.push_back({{"kind", s.kind()}, {"name", s.name}, {"permissions", permissions}});
  }
  return out;
}

std::vector<TokenScope> scopes_from_json(const std::string& text) {
  std::vector<TokenScope> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (!item.is_object()) continue;
    // Only scopes_to_json writes this; a kind or permission it does not know grants nothing.
    std::string kind = item.value("kind", "");
    TokenScope s{domain::repo_kind_from_wire(kind), item.value("name", ""), {}};
    if (!s.repo && kind != kNamespaceKind) continue;
    if (item.contains("permissions") && item["permissions"].is_array()) {
      for (const auto& p : item["permissions"]) {
        if (!p.is_string()) continue;
        if (auto level = domain::access_level_from_wire(p.get<std::string>())) {
          s.permissions.push_back(*level);
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool scopes_allow(const std::vector<TokenScope>& scopes, domain::RepoKind type,
                  const std::string& ns, const std::string& name, domain::AccessLevel permission) {
  std::string repo = util::to_lower_ascii(ns + "/" + name);
  for (const auto& s : scopes) {
    bool covers = (!s.repo && util::to_lower_ascii(s.name) == util::to_lower_ascii(ns)) ||
                  (s.repo == type && util::to_lower_ascii(s.name) == repo);
    if (!covers) continue;
    for (auto p : s.permissions) {
      if (domain::implies(p, permission)) return true;
    }
  }
  return false;
}

Result<int64_t> parse_duration_seconds(std::string_view text) {
  if (text.empty()) return bad_request("empty duration");
  int64_t unit = 1;
  char last = text.back();
  if (last == 's' || last == 'm' || last == 'h' || last == 'd') {
    unit = last == 's' ? 1 : last == 'm' ? 60 : last == 'h' ? 3600 : 86400;
    text.remove_suffix(1);
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n <= 0) {
    return bad_request("duration must be a positive number with an optional s, m, h or d");
  }
  // Compared before multiplying: n * unit must not overflow.
  if (n > kMaxTokenLifetimeSeconds / unit) return bad_request("duration is over 3650 days");
  return n * unit;
}

}  // namespace vitrine::service
