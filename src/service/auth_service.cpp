// Users, tokens and request authentication.
#include "service/auth_service.hpp"

#include "service/repo_name.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

Result<storage::UserRecord> AuthService::create_user(const std::string& name, bool is_admin,
                                                     const std::string& fullname,
                                                     const std::string& email) {
  if (auto st = validate_namespace(name); !st) return st;
  return hub_.db().create_user(name, fullname, email, is_admin);
}

Result<std::string> AuthService::create_token(const std::string& user_name, const std::string& role,
                                              const std::string& token_name) {
  if (role != "read" && role != "write") return bad_request("role must be read or write");
  auto user = hub_.db().find_user(user_name);
  if (!user) return not_found("no user named " + user_name);
  std::string token = "hf_" + util::random_alnum(34);
  auto record = hub_.db().create_token(user->id, token_name, role, util::sha256_hex(token));
  if (!record) return record.status();
  return token;
}

Result<storage::OrgRecord> AuthService::create_org(const std::string& name,
                                                   const std::string& owner,
                                                   const std::string& fullname) {
  if (auto st = validate_namespace(name); !st) return st;
  auto user = hub_.db().find_user(owner);
  if (!user) return not_found("no user named " + owner);
  return hub_.db().create_org(name, fullname, user->id);
}

Status AuthService::set_org_member(const std::string& org, const std::string& user,
                                   const std::string& role) {
  auto o = hub_.db().find_org(org);
  if (!o) return not_found("no organization named " + org);
  auto u = hub_.db().find_user(user);
  if (!u) return not_found("no user named " + user);
  return hub_.db().set_org_member(o->id, u->id, role);
}

Result<std::vector<storage::TokenRecord>> AuthService::list_tokens(const std::string& user_name) {
  auto user = hub_.db().find_user(user_name);
  if (!user) return not_found("no user named " + user_name);
  return hub_.db().list_tokens(user->id);
}

Status AuthService::revoke_token(const std::string& user_name, int64_t token_id) {
  auto user = hub_.db().find_user(user_name);
  if (!user) return not_found("no user named " + user_name);
  return hub_.db().revoke_token(user->id, token_id);
}

Caller AuthService::authenticate(std::string_view authorization) {
  Caller caller;
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  if (authorization.empty()) return caller;
  std::string token;
  auto space = authorization.find(' ');
  std::string scheme(authorization.substr(0, space));
  std::string_view credentials =
      space == std::string_view::npos ? std::string_view() : authorization.substr(space + 1);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "bearer") {
    token = std::string(credentials);
  } else if (scheme == "basic") {
    auto decoded = util::base64_decode(credentials);
    if (decoded) {
      auto colon = decoded->find(':');
      token = colon == std::string::npos ? *decoded : decoded->substr(colon + 1);
    }
  }
  while (!token.empty() && token.back() == ' ') token.pop_back();
  caller.bad_token = true;
  if (token.empty() || token.size() > 256) return caller;
  std::string hash = util::sha256_hex(token);
  auto record = hub_.db().find_token_by_hash(hash);
  if (!record || record->revoked || !util::constant_time_equals(record->hash, hash)) return caller;
  auto user = hub_.db().find_user_by_id(record->user_id);
  if (!user) return caller;
  caller.bad_token = false;
  caller.user = *user;
  caller.role = record->role;
  caller.token_name = record->name;
  caller.token_created_at = record->created_at;
  int64_t now = util::now_ms();
  if (now - record->last_used_at > 60000) hub_.db().touch_token(record->id, now);
  return caller;
}

}  // namespace vitrine::service
