// MetadataDb: access requests to gated repositories.
#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"
#include "util/time.hpp"

namespace vitrine::storage {

Status MetadataDb::put_access_request(const std::string& uid, int64_t user_id,
                                      const std::string& status, const std::string& fields_json) {
  std::lock_guard lock(mutex_);
  int64_t now = util::now_ms();
  Statement s(db_,
              "INSERT INTO access_requests(uid, user_id, status, fields_json, created_at, "
              "updated_at) VALUES(?,?,?,?,?,?) ON CONFLICT(uid, user_id) DO UPDATE SET "
              "status = CASE WHEN access_requests.status = 'accepted' THEN 'accepted' "
              "ELSE excluded.status END, fields_json = excluded.fields_json, "
              "updated_at = excluded.updated_at");
  s.bind(1, uid).bind(2, user_id).bind(3, status).bind(4, fields_json).bind(5, now).bind(6, now);
  return step_done(s);
}

Status MetadataDb::set_access_status(const std::string& uid, int64_t user_id,
                                     const std::string& status, bool create) {
  std::lock_guard lock(mutex_);
  int64_t now = util::now_ms();
  if (create) {
    Statement s(db_,
                "INSERT INTO access_requests(uid, user_id, status, created_at, updated_at) "
                "VALUES(?,?,?,?,?) ON CONFLICT(uid, user_id) DO UPDATE SET status = "
                "excluded.status, updated_at = excluded.updated_at");
    s.bind(1, uid).bind(2, user_id).bind(3, status).bind(4, now).bind(5, now);
    return step_done(s);
  }
  Statement s(
      db_, "UPDATE access_requests SET status = ?, updated_at = ? WHERE uid = ? AND user_id = ?");
  s.bind(1, status).bind(2, now).bind(3, uid).bind(4, user_id);
  if (auto st = step_done(s); !st) return st;
  if (sqlite3_changes(db_) == 0) return not_found("This user has no access request");
  return Status::ok();
}

Lookup<std::string> MetadataDb::access_status(const std::string& uid, int64_t user_id) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT status FROM access_requests WHERE uid = ? AND user_id = ?");
  s.bind(1, uid).bind(2, user_id);
  return lookup_row(s, [](const Statement& row) { return row.text(0); });
}

Result<std::vector<AccessRequestRecord>> MetadataDb::access_requests(const std::string& uid,
                                                                     const std::string& status) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT u.id, u.name, u.fullname, u.email, u.is_admin, u.created_at, r.status, "
              "r.fields_json, r.created_at, r.updated_at FROM access_requests r JOIN users u ON "
              "u.id = r.user_id WHERE r.uid = ? AND r.status = ? ORDER BY r.created_at");
  s.bind(1, uid).bind(2, status);
  std::vector<AccessRequestRecord> out;
  for (;;) {
    auto row = next_row(s);  // a failed read is an error, not an empty list
    if (!row) return row.status();
    if (!*row) break;
    AccessRequestRecord r;
    r.repo_uid = uid;
    r.user =
        UserRecord{s.integer(0), s.text(1), s.text(2), s.text(3), s.integer(4) != 0, s.integer(5)};
    r.status = s.text(6);
    r.fields_json = s.text(7);
    r.created_at = s.integer(8);
    r.updated_at = s.integer(9);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace vitrine::storage
