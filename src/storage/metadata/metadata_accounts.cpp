// MetadataDb: accounts — listing and deleting users, organizations and their members, token
// listing and revocation.
#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"
#include "util/time.hpp"

namespace vitrine::storage {
namespace {

constexpr const char* kUserColumns = "u.id, u.name, u.fullname, u.email, u.is_admin, u.created_at";

OrgRecord org_at(const Statement& s, int first) {
  return OrgRecord{s.integer(first), s.text(first + 1), s.text(first + 2), s.integer(first + 3)};
}

}  // namespace

std::vector<UserRecord> MetadataDb::list_users() {
  auto reader = this->reader();
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY lower(u.name)";
  Statement s(reader.get(), sql.c_str());
  std::vector<UserRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back(user_at(s, 0));
  return out;
}

Status MetadataDb::delete_user(const std::string& name) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM users WHERE name = ?");  // tokens and memberships cascade
  s.bind(1, name);
  if (auto st = step_done(s); !st) return st;
  if (sqlite3_changes(db_) == 0) return not_found("no user named " + name);
  return Status::ok();
}

Result<OrgRecord> MetadataDb::create_org(const std::string& name, const std::string& fullname,
                                         int64_t owner_user_id) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement user(db_, "SELECT 1 FROM users WHERE name = ?");
  user.bind(1, name);
  if (user.step() == SQLITE_ROW) return conflict("A user named " + name + " exists");
  int64_t now = util::now_ms();
  Statement s(db_, "INSERT INTO organizations(name, fullname, created_at) VALUES(?,?,?)");
  s.bind(1, name).bind(2, fullname).bind(3, now);
  if (auto st = step_done(s); !st) {
    if (st.kind() == ErrorKind::kConflict) {
      return conflict("Organization " + name + " already exists");
    }
    return st;
  }
  int64_t id = sqlite3_last_insert_rowid(db_);
  Statement m(db_, "INSERT INTO org_members(org_id, user_id, role) VALUES(?,?,'admin')");
  m.bind(1, id).bind(2, owner_user_id);
  if (auto st = step_done(m); !st) return st;
  if (auto st = tx.commit(); !st) return st;
  return OrgRecord{id, name, fullname, now};
}

Lookup<OrgRecord> MetadataDb::find_org(const std::string& name) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT id, name, fullname, created_at FROM organizations WHERE name = ?");
  s.bind(1, name);
  return lookup_row(s, [](const Statement& row) { return org_at(row, 0); });
}

Status MetadataDb::set_org_member(int64_t org_id, int64_t user_id, MemberRole role) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT OR REPLACE INTO org_members(org_id, user_id, role) VALUES(?,?,?)");
  s.bind(1, org_id).bind(2, user_id).bind(3, domain::to_wire(role));
  return step_done(s);
}

std::vector<OrgMembership> MetadataDb::memberships(const char* where_and_order, int64_t id) {
  auto reader = this->reader();
  std::string sql = std::string("SELECT o.id, o.name, o.fullname, o.created_at, ") + kUserColumns +
                    ", m.role FROM org_members m JOIN organizations o ON o.id = m.org_id "
                    "JOIN users u ON u.id = m.user_id " +
                    where_and_order;
  Statement s(reader.get(), sql.c_str());
  s.bind(1, id);
  std::vector<OrgMembership> out;
  while (s.step() == SQLITE_ROW) {
    // Only set_org_member writes the role; a row whose role this release does not know is no
    // membership at all.
    if (auto role = domain::member_role_from_wire(s.text(10))) {
      out.push_back({org_at(s, 0), user_at(s, 4), *role});
    }
  }
  return out;
}

std::vector<OrgMembership> MetadataDb::org_members(int64_t org_id) {
  return memberships("WHERE m.org_id = ? ORDER BY lower(u.name)", org_id);
}

std::vector<OrgMembership> MetadataDb::orgs_of_user(int64_t user_id) {
  return memberships("WHERE m.user_id = ? ORDER BY lower(o.name)", user_id);
}

Lookup<MemberRole> MetadataDb::org_role(const std::string& org, int64_t user_id) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT m.role FROM org_members m JOIN organizations o ON o.id = m.org_id "
              "WHERE o.name = ? AND m.user_id = ?");
  s.bind(1, org).bind(2, user_id);
  auto row = next_row(s);
  if (!row) return row.status();
  if (!*row) return std::optional<MemberRole>();
  // Only set_org_member writes the column; a role this release does not know is no membership.
  return domain::member_role_from_wire(s.text(0));
}

Result<std::vector<TokenRecord>> MetadataDb::list_tokens(int64_t user_id) {
  auto reader = this->reader();
  std::string sql =
      std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE user_id = ? ORDER BY id";
  Statement s(reader.get(), sql.c_str());
  s.bind(1, user_id);
  std::vector<TokenRecord> out;
  while (true) {
    auto row = next_row(s);
    if (!row) return row.status();
    if (!*row) return out;
    out.push_back(token_at(s));
  }
}

Status MetadataDb::revoke_token(int64_t user_id, int64_t token_id) {
  std::lock_guard lock(mutex_);
  // The token and every token made from it, and from those, in one statement: a leaked token
  // cannot outlive its revocation through a token it minted.
  Statement s(db_,
              "WITH RECURSIVE made(id) AS (SELECT id FROM tokens WHERE id = ?1 AND user_id = ?2 "
              "UNION SELECT t.id FROM tokens t JOIN made ON t.parent_id = made.id) "
              "UPDATE tokens SET revoked = 1 WHERE user_id = ?2 AND id IN (SELECT id FROM made)");
  s.bind(1, token_id).bind(2, user_id);
  if (auto st = step_done(s); !st) return st;
  if (sqlite3_changes(db_) == 0) return not_found("no such token");
  return Status::ok();
}

}  // namespace vitrine::storage

namespace vitrine::storage {

Status MetadataDb::set_avatar_url(int64_t user_id, const std::string& url) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE users SET avatar_url = ? WHERE id = ?");
  s.bind(1, url).bind(2, user_id);
  return step_done(s);
}

std::string MetadataDb::avatar_url(int64_t user_id) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT avatar_url FROM users WHERE id = ?");
  s.bind(1, user_id);
  return s.step() == SQLITE_ROW ? s.text(0) : "";
}

Status MetadataDb::set_password_hash(int64_t user_id, const std::string& encoded) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE users SET password_hash = ? WHERE id = ?");
  s.bind(1, encoded).bind(2, user_id);
  return step_done(s);
}

Result<std::string> MetadataDb::password_hash(int64_t user_id) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT password_hash FROM users WHERE id = ?");
  s.bind(1, user_id);
  auto row = next_row(s);
  if (!row) return row.status();
  return *row ? s.text(0) : std::string();
}

Status MetadataDb::create_session(const std::string& hash, int64_t user_id, const std::string& csrf,
                                  int64_t expires_at) {
  std::lock_guard lock(mutex_);
  Statement cleanup(db_, "DELETE FROM sessions WHERE expires_at < ?");
  cleanup.bind(1, util::now_ms());
  cleanup.step();
  Statement s(
      db_, "INSERT INTO sessions(hash, user_id, csrf, created_at, expires_at) VALUES(?,?,?,?,?)");
  s.bind(1, hash).bind(2, user_id).bind(3, csrf).bind(4, util::now_ms()).bind(5, expires_at);
  return step_done(s);
}

Lookup<std::pair<int64_t, std::string>> MetadataDb::find_session(const std::string& hash) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT user_id, csrf FROM sessions WHERE hash = ? AND expires_at > ?");
  s.bind(1, hash).bind(2, util::now_ms());
  return lookup_row(
      s, [](const Statement& row) { return std::make_pair(row.integer(0), row.text(1)); });
}

Status MetadataDb::delete_session(const std::string& hash) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM sessions WHERE hash = ?");
  s.bind(1, hash);
  return step_done(s);
}

}  // namespace vitrine::storage
