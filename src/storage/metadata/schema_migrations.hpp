// Numbered schema migrations for the hub's SQLite files (vitrine.db, xet/index.sqlite,
// tlog/log.sqlite). Each file keeps a `schema_version` table with one row per migration applied
// (version, description, when); its schema version is the highest. Opening a file applies, in
// order, every migration it has not had, each in its own write transaction together with its
// row, so a crash leaves the file at a whole version and the next open goes on from there. A
// second process opening the same file at the same time (a git hook) waits for the transaction
// and finds the work done.
//
// Migration 1 of each file is its baseline: the layout of the releases before versioning, made
// idempotent so a folder written by any of them (including 8414a8d, the last) comes out the
// same as a new one. Later migrations are plain steps, never edited or renumbered once released.
// A file whose version is higher than the binary knows was written by a newer release: it is
// refused rather than used half-understood.
#pragma once

#include <sqlite3.h>

#include <span>
#include <string>

#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

struct Migration {
  int version;              // 1, 2, 3… with no gaps
  const char* description;  // recorded in schema_version, e.g. "lookup keys say who may see them"
  Status (*apply)(sqlite3* db);  // runs inside the migration's transaction
};

// Applies the migrations `db` has not had. `what` names the file in errors. Internal error
// if a migration fails (its transaction is rolled back) or the file is newer than `migrations`.
Status migrate(sqlite3* db, const std::string& what, std::span<const Migration> migrations);

// The file's schema version: 0 before any migration.
Result<int> schema_version(sqlite3* db);

// Whether `table` has a column named `column` (for baselines, which must accept every layout
// the releases before versioning wrote).
bool has_column(sqlite3* db, const char* table, const char* column);

}  // namespace vitrine::storage
