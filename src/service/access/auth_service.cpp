// Users, tokens and request authentication.
#include "service/access/auth_service.hpp"

#include <argon2.h>

#include <chrono>

#include "formats/hub/repo_name.hpp"
#include "formats/hub/token_scope.hpp"
#include "service/access/audit_log.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/concurrency_limit.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

Result<domain::UserRecord> AuthService::create_user(const std::string& name, bool is_admin,
                                                    const std::string& fullname,
                                                    const std::string& email, const Caller* actor) {
  if (auto st = validate_namespace(name); !st) return st;
  auto created = hub_.db().create_user(name, fullname, email, is_admin);
  if (created) AuditLog(hub_).record(audit::kUserCreate, actor, name, {{"admin", is_admin}});
  return created;
}

Result<domain::UserRecord> AuthService::user_named(const std::string& name) {
  return found_or(hub_.db().find_user(name), not_found("no user named " + name));
}

Result<std::string> AuthService::create_token(const std::string& user_name, domain::TokenRole role,
                                              const std::string& token_name,
                                              int64_t expires_in_seconds,
                                              const std::vector<TokenScope>& scopes,
                                              const Caller* actor) {
  bool fine_grained = role == domain::TokenRole::kFineGrained;
  if (fine_grained != !scopes.empty()) {
    return bad_request(fine_grained ? "a fineGrained token needs at least one scope"
                                    : "scopes are only for fineGrained tokens");
  }
  if (expires_in_seconds > kMaxTokenLifetimeSeconds) {
    return bad_request("a token lives at most 3650 days");
  }
  auto user = user_named(user_name);
  if (!user) return user.status();
  std::string token = "hf_" + util::random_alnum(34);
  int64_t expires_at = expires_in_seconds > 0 ? util::now_ms() + expires_in_seconds * 1000 : 0;
  std::string scopes_json = scopes.empty() ? "" : scopes_to_json(scopes).dump();
  // A token made by a token is its child: revoking the parent revokes it (MetadataDb).
  int64_t parent_id = actor && !actor->session ? actor->token_id : 0;
  auto record = hub_.db().create_token(user->id, token_name, role, util::sha256_hex(token),
                                       expires_at, scopes_json, parent_id);
  if (!record) return record.status();
  nlohmann::json details = {
      {"token_id", record->id}, {"name", token_name}, {"role", domain::to_wire(role)}};
  if (expires_at > 0) details["expires_at"] = expires_at;
  if (!scopes.empty()) details["scopes"] = scopes_to_json(scopes);
  AuditLog(hub_).record(audit::kTokenCreate, actor, user->name, std::move(details));
  return token;
}

Result<domain::OrgRecord> AuthService::create_org(const std::string& name, const std::string& owner,
                                                  const std::string& fullname,
                                                  const Caller* actor) {
  if (auto st = validate_namespace(name); !st) return st;
  auto user = user_named(owner);
  if (!user) return user.status();
  auto created = hub_.db().create_org(name, fullname, user->id);
  if (created) AuditLog(hub_).record(audit::kOrgCreate, actor, name, {{"owner", user->name}});
  return created;
}

Status AuthService::set_org_member(const std::string& org, const std::string& user,
                                   domain::MemberRole role, const Caller* actor) {
  auto o = found_or(hub_.db().find_org(org), not_found("no organization named " + org));
  if (!o) return o.status();
  auto u = user_named(user);
  if (!u) return u.status();
  auto st = hub_.db().set_org_member(o->id, u->id, role);
  if (st) {
    AuditLog(hub_).record(audit::kOrgMember, actor, o->name,
                          {{"user", u->name}, {"role", domain::to_wire(role)}});
  }
  return st;
}

Status AuthService::delete_user(const std::string& name, const Caller* actor) {
  auto st = hub_.db().delete_user(name);
  if (st) AuditLog(hub_).record(audit::kUserDelete, actor, name);
  return st;
}

Result<std::vector<domain::TokenRecord>> AuthService::list_tokens(const std::string& user_name) {
  auto user = user_named(user_name);
  if (!user) return user.status();
  return hub_.db().list_tokens(user->id);
}

Status AuthService::revoke_token(const std::string& user_name, int64_t token_id,
                                 const Caller* actor) {
  auto user = user_named(user_name);
  if (!user) return user.status();
  auto st = hub_.db().revoke_token(user->id, token_id);
  if (st) AuditLog(hub_).record(audit::kTokenRevoke, actor, user->name, {{"token_id", token_id}});
  return st;
}

namespace {
constexpr uint32_t kArgonPasses = 2;
constexpr uint32_t kArgonMemoryKiB = 19 * 1024;
constexpr uint32_t kArgonLanes = 1;
constexpr int64_t kSessionLifetimeMs = 7LL * 24 * 3600 * 1000;

// Each Argon2 computation holds kArgonMemoryKiB: at most kMaxConcurrentHashes run at once in
// the process, and a request that waits longer than kHashWait for a slot gets 429, so a crowd of
// logins costs bounded memory and CPU instead of one hash each.
constexpr std::ptrdiff_t kMaxConcurrentHashes = 4;
constexpr auto kHashWait = std::chrono::seconds(10);

util::ConcurrencyLimit& hash_slots() {
  static util::ConcurrencyLimit slots(kMaxConcurrentHashes);
  return slots;
}

Status busy() {
  return Status(ErrorKind::kTooManyRequests, "Too many sign-ins at once; retry in a few seconds");
}

std::string argon2id_encode(const std::string& password) {
  std::string salt = util::random_bytes(16);
  std::string encoded(
      argon2_encodedlen(kArgonPasses, kArgonMemoryKiB, kArgonLanes, 16, 32, Argon2_id), '\0');
  if (argon2id_hash_encoded(kArgonPasses, kArgonMemoryKiB, kArgonLanes, password.data(),
                            password.size(), salt.data(), salt.size(), 32, encoded.data(),
                            encoded.size()) != ARGON2_OK) {
    return "";
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}
}  // namespace

Status AuthService::set_password(const std::string& user_name, const std::string& password) {
  if (password.size() < 8) return bad_request("A password needs at least 8 characters");
  if (password.size() > 1024) return bad_request("Password too long");
  auto user = user_named(user_name);
  if (!user) return user.status();
  auto slot = hash_slots().try_acquire_for(kHashWait);
  if (!slot.held()) return busy();
  std::string encoded = argon2id_encode(password);
  if (encoded.empty()) return internal_error("cannot hash the password");
  return hub_.db().set_password_hash(user->id, encoded);
}

Result<AuthService::Session> AuthService::login(const std::string& user_name,
                                                const std::string& password) {
  // An unknown user costs the same Argon2 work as a wrong password, so timing does not tell
  // which names exist.
  static const std::string decoy = argon2id_encode(util::random_alnum(24));
  std::optional<domain::UserRecord> user;
  if (password.size() <= 1024) {
    auto found = hub_.db().find_user(user_name);
    if (!found) return found.status();
    user = *found;
  }
  std::string stored;
  if (user) {
    auto read = hub_.db().password_hash(user->id);
    if (!read) return read.status();  // could not read: an error, not a wrong password
    stored = std::move(*read);
  }
  const std::string& reference = stored.empty() ? decoy : stored;
  auto slot = hash_slots().try_acquire_for(kHashWait);
  if (!slot.held()) return busy();
  bool ok = argon2id_verify(reference.c_str(), password.data(), password.size()) == ARGON2_OK;
  if (!ok || stored.empty()) {
    return Status(ErrorKind::kUnauthorized, "Invalid username or password");
  }
  Session session{util::random_alnum(48), util::random_alnum(32), user->name};
  auto st = hub_.db().create_session(util::sha256_hex(session.cookie), user->id, session.csrf,
                                     util::now_ms() + kSessionLifetimeMs);
  if (!st) return st;
  return session;
}

Status AuthService::logout(const std::string& cookie) {
  return hub_.db().delete_session(util::sha256_hex(cookie));
}

Caller AuthService::authenticate_session(const std::string& cookie, std::string* csrf) {
  Caller caller;
  auto found = hub_.db().find_session(util::sha256_hex(cookie));
  if (!found) {
    caller.unreadable = found.status();  // neither anonymous nor a stale cookie: 500
    return caller;
  }
  if (!*found) {
    caller.bad_token = true;
    return caller;
  }
  const auto& session = **found;
  auto user = hub_.db().find_user_by_id(session.first);
  if (!user) {
    caller.unreadable = user.status();  // neither anonymous nor bad credentials: 500
    return caller;
  }
  if (!*user) {
    caller.bad_token = true;
    return caller;
  }
  caller.user = **user;
  caller.role = domain::TokenRole::kWrite;  // a signed-in person acts with their own full rights
  caller.token_name = "web session";
  caller.session = true;
  *csrf = session.second;
  return caller;
}

Lookup<Caller> AuthService::caller_now(const std::string& user, int64_t token_id,
                                       domain::TokenRole role) {
  Caller caller;
  if (user.empty()) return std::optional<Caller>(caller);
  auto found = hub_.db().find_user(user);
  if (!found) return found.status();  // the grant's user answers 500, not a refusal
  if (!*found) return std::optional<Caller>();
  caller.user = **found;
  caller.role = role;
  if (token_id == 0) return std::optional<Caller>(caller);
  auto tokens = hub_.db().list_tokens(caller.user->id);
  if (!tokens) return tokens.status();
  for (const auto& t : *tokens) {
    if (t.id != token_id) continue;
    if (t.revoked || (t.expires_at > 0 && t.expires_at <= util::now_ms())) {
      return std::optional<Caller>();
    }
    caller.role = t.role;
    caller.token_id = t.id;
    if (caller.fine_grained()) caller.scopes = scopes_from_json(t.scopes_json);
    return std::optional<Caller>(caller);
  }
  return std::optional<Caller>();
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
  auto found = hub_.db().find_token_by_hash(hash);
  if (!found) {
    // Could not read: not the caller's fault, so neither 401 nor anonymous (500, logged).
    caller.bad_token = false;
    caller.unreadable = found.status();
    return caller;
  }
  const std::optional<domain::TokenRecord>& record = *found;
  int64_t now = util::now_ms();
  if (!record || record->revoked || !util::constant_time_equals(record->hash, hash) ||
      (record->expires_at > 0 && record->expires_at <= now)) {
    return caller;
  }
  auto user = hub_.db().find_user_by_id(record->user_id);
  if (!user) {
    caller.bad_token = false;
    caller.unreadable = user.status();
    return caller;
  }
  if (!*user) return caller;
  caller.bad_token = false;
  caller.user = **user;
  caller.role = record->role;
  caller.token_name = record->name;
  caller.token_id = record->id;
  caller.token_created_at = record->created_at;
  caller.token_expires_at = record->expires_at;
  if (caller.fine_grained()) caller.scopes = scopes_from_json(record->scopes_json);
  if (now - record->last_used_at > 60000) hub_.db().touch_token(record->id, now);
  return caller;
}

}  // namespace vitrine::service
