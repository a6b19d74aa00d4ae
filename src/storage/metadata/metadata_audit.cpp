// MetadataDb: the security audit log, an append-only table read newest first.
#include <string>

#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {

Result<int64_t> MetadataDb::append_audit_event(const AuditEventRecord& event) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO audit_events(time, type, actor, target, details_json, ip) "
              "VALUES(?,?,?,?,?,?)");
  s.bind(1, event.time)
      .bind(2, event.type)
      .bind(3, event.actor)
      .bind(4, event.target)
      .bind(5, event.details_json)
      .bind(6, event.ip);
  if (auto st = step_done(s); !st) return st;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

std::vector<AuditEventRecord> MetadataDb::audit_events(const AuditQuery& query) {
  // Empty filters match everything; the (column, id) indexes serve each single filter.
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT id, time, type, actor, target, details_json, ip FROM audit_events "
              "WHERE (?1 = '' OR type = ?1) AND (?2 = '' OR actor = ?2) "
              "AND (?3 = '' OR target = ?3) AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?5");
  s.bind(1, query.type)
      .bind(2, query.actor)
      .bind(3, query.target)
      .bind(4, query.before_id)
      .bind(5, query.limit);
  std::vector<AuditEventRecord> out;
  while (s.step() == SQLITE_ROW) {
    AuditEventRecord e;
    e.id = s.integer(0);
    e.time = s.integer(1);
    e.type = s.text(2);
    e.actor = s.text(3);
    e.target = s.text(4);
    e.details_json = s.text(5);
    e.ip = s.text(6);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vitrine::storage
