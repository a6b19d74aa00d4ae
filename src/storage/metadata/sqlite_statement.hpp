// Statement: a prepared SQLite statement with typed binding, shared by the MetadataDb
// implementation files. Internal to the storage layer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

#include "storage/metadata/metadata_db.hpp"
#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

// RAII prepared statement with typed binding helpers.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return stmt_ != nullptr; }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind_real(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Statement& bind_blob(int i, const void* data, size_t size) {
    sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string_view blob(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }
  std::string text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Steps a lookup: true with a row, false when there is none, an error when the statement could
// not be prepared or run (a failed read is not "no row").
inline Result<bool> next_row(Statement& s) {
  if (!s.ok()) return internal_error("database error: " + s.error());
  int rc = s.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return internal_error("database error: " + s.error());
}

// Steps a lookup of at most one row: what `read` makes of the row, nothing when there is
// none, or the error (next_row).
template <typename Read>
auto lookup_row(Statement& s, Read read) -> Lookup<decltype(read(s))> {
  using T = decltype(read(s));
  auto row = next_row(s);
  if (!row) return row.status();
  if (!*row) return std::optional<T>();
  return std::optional<T>(read(s));
}

inline Status step_done(Statement& s) {
  int rc = s.step();
  if (rc == SQLITE_DONE) return Status::ok();
  if (rc == SQLITE_CONSTRAINT) return conflict(s.error());
  return internal_error("database error: " + s.error());
}

// Runs SQL without results (BEGIN, COMMIT, schema).
inline Status exec_sql(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return internal_error("database error: " + message);
  }
  return Status::ok();
}

// A write transaction (BEGIN IMMEDIATE) rolled back on destruction unless commit() succeeded.
// Declare it before the statements it covers, so they are finalized before the rollback.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db), status_(exec_sql(db, "BEGIN IMMEDIATE")) {}
  ~Transaction() {
    if (status_.is_ok() && !committed_) exec_sql(db_, "ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& status() const { return status_; }
  Status commit() {
    Status st = exec_sql(db_, "COMMIT");
    committed_ = st.is_ok();
    return st;
  }

 private:
  sqlite3* db_;
  Status status_;
  bool committed_ = false;
};

// Row readers shared by the MetadataDb files; `first` is the column of the row's first field.
inline constexpr const char* kTokenColumns =
    "id, user_id, name, role, hash, created_at, last_used_at, revoked, expires_at, scopes_json, "
    "parent_id";

inline UserRecord user_at(const Statement& s, int first = 0) {
  return UserRecord{s.integer(first),  s.text(first + 1),         s.text(first + 2),
                    s.text(first + 3), s.integer(first + 4) != 0, s.integer(first + 5)};
}

inline TokenRecord token_at(const Statement& s) {
  // Only create_token writes the role; a token whose role this release does not know grants
  // nothing: it reads as revoked.
  auto role = domain::token_role_from_wire(s.text(3));
  return TokenRecord{
      s.integer(0), s.integer(1), s.text(2),    role.value_or(domain::TokenRole::kRead),
      s.text(4),    s.integer(5), s.integer(6), s.integer(7) != 0 || !role,
      s.integer(8), s.text(9),    s.integer(10)};
}

}  // namespace vitrine::storage
