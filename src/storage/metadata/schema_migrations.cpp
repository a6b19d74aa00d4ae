// Migrations: see schema_migrations.hpp.
#include "storage/metadata/schema_migrations.hpp"

#include "storage/metadata/sqlite_statement.hpp"
#include "util/time.hpp"

namespace vitrine::storage {
namespace {

constexpr const char* kVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
    "description TEXT NOT NULL, applied_ms INTEGER NOT NULL)";

}  // namespace

Result<int> schema_version(sqlite3* db) {
  Statement exists(db,
                   "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists.ok()) return internal_error("database error: " + exists.error());
  if (exists.step() != SQLITE_ROW) return 0;
  Statement s(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!s.ok() || s.step() != SQLITE_ROW) return internal_error("database error: " + s.error());
  return static_cast<int>(s.integer(0));
}

bool has_column(sqlite3* db, const char* table, const char* column) {
  Statement s(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  s.bind(1, std::string(table)).bind(2, std::string(column));
  return s.step() == SQLITE_ROW;
}

Status migrate(sqlite3* db, const std::string& what, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return internal_error(what + ": migration " + std::to_string(i + 1) + " is misnumbered");
    }
  }
  const int latest = static_cast<int>(migrations.size());
  auto current = schema_version(db);  // read outside a transaction: the common case is "done"
  if (!current) return current.status();
  if (*current == latest) return Status::ok();
  for (const auto& m : migrations) {
    Transaction tx(db);
    if (!tx.status()) return tx.status();
    if (auto st = exec_sql(db, kVersionTable); !st) return st;
    auto now = schema_version(db);  // another process may have got here first
    if (!now) return now.status();
    if (*now > latest) {
      return internal_error(what + " has schema version " + std::to_string(*now) +
                            ", newer than this release knows (" + std::to_string(latest) +
                            "): it was written by a newer release of Vitrine; run that release");
    }
    if (*now >= m.version) continue;
    if (auto st = m.apply(db); !st) {
      return internal_error(what + ": migration " + std::to_string(m.version) + " (" +
                            m.description + ") failed: " + st.message());
    }
    Statement row(db,
                  "INSERT INTO schema_version(version, description, applied_ms) VALUES (?, ?, ?)");
    row.bind(1, int64_t{m.version}).bind(2, std::string(m.description)).bind(3, util::now_ms());
    if (auto st = step_done(row); !st) return st;
    if (auto st = tx.commit(); !st) return st;
  }
  return Status::ok();
}

}  // namespace vitrine::storage
