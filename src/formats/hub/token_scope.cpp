// Fine-grained token scopes.
#include "formats/hub/token_scope.hpp"

#include <algorithm>
#include <charconv>

#include "formats/hub/repo_name.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {
namespace {

int rank(const std::string& permission) {
  if (permission == "read") return 1;
  if (permission == "write") return 2;
  if (permission == "manage") return 3;
  return 0;
}

}  // namespace

Result<TokenScope> parse_token_scope(std::string_view spec) {
  auto colon = spec.find(':');
  auto equals = spec.find('=');
  if (colon == std::string_view::npos || equals == std::string_view::npos || equals < colon) {
    return bad_request("scope must look like KIND:NAME=PERMISSIONS, e.g. namespace:acme=read");
  }
  TokenScope scope;
  scope.kind = std::string(spec.substr(0, colon));
  scope.name = std::string(spec.substr(colon + 1, equals - colon - 1));
  if (scope.kind != "namespace" && scope.kind != "model" && scope.kind != "dataset") {
    return bad_request("scope kind must be namespace, model or dataset");
  }
  auto slash = scope.name.find('/');
  if (scope.kind == "namespace") {
    if (auto st = validate_namespace(scope.name); !st) return st;
  } else if (slash == std::string::npos || !validate_namespace(scope.name.substr(0, slash)) ||
             !validate_repo_name(scope.name.substr(slash + 1))) {
    return bad_request("a repository scope names NAMESPACE/NAME");
  }
  std::string_view perms = spec.substr(equals + 1);
  while (!perms.empty()) {
    auto comma = perms.find(',');
    std::string p(perms.substr(0, comma));
    if (rank(p) == 0)
      return bad_request("permission must be read, write or manage, not '" + p + "'");
    scope.permissions.push_back(p);
    if (comma == std::string_view::npos) break;
    perms.remove_prefix(comma + 1);
  }
  if (scope.permissions.empty()) return bad_request("a scope needs at least one permission");
  return scope;
}

std::string format_token_scope(const TokenScope& scope) {
  std::string out = scope.kind + ":" + scope.name + "=";
  for (size_t i = 0; i < scope.permissions.size(); ++i) {
    out += (i ? "," : "") + scope.permissions[i];
  }
  return out;
}

nlohmann::json scopes_to_json(const std::vector<TokenScope>& scopes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : scopes) {
    out.push_back({{"kind", s.kind}, {"name", s.name}, {"permissions", s.permissions}});
  }
  return out;
}

std::vector<TokenScope> scopes_from_json(const std::string& text) {
  std::vector<TokenScope> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (!item.is_object()) continue;
    TokenScope s{item.value("kind", ""), item.value("name", ""), {}};
    if (item.contains("permissions") && item["permissions"].is_array()) {
      for (const auto& p : item["permissions"]) {
        if (p.is_string()) s.permissions.push_back(p.get<std::string>());
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool scopes_allow(const std::vector<TokenScope>& scopes, const std::string& type,
                  const std::string& ns, const std::string& name, const std::string& permission) {
  int needed = rank(permission);
  std::string repo = util::to_lower_ascii(ns + "/" + name);
  for (const auto& s : scopes) {
    bool covers =
        (s.kind == "namespace" && util::to_lower_ascii(s.name) == util::to_lower_ascii(ns)) ||
        (s.kind == type && util::to_lower_ascii(s.name) == repo);
    if (!covers) continue;
    for (const auto& p : s.permissions) {
      if (rank(p) >= needed) return true;
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
