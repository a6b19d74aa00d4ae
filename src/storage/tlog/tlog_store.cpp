// TlogStore: see tlog_store.hpp.
#include "storage/tlog/tlog_store.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "storage/metadata/schema_migrations.hpp"
#include "storage/metadata/sqlite_statement.hpp"
#include "util/time.hpp"

namespace vitrine::storage {

struct TlogStore::Impl {
  sqlite3* writer = nullptr;  // appends, under write_mutex
  sqlite3* reader = nullptr;  // proofs, tiles, lookups, under read_mutex
  std::mutex write_mutex;
  std::mutex read_mutex;
  // Prepared once, used under write_mutex.
  std::unique_ptr<Statement> insert_entry, insert_hash, insert_key, insert_pending, delete_pending,
      read_hash_w, max_index_w;
  // Prepared once, used under read_mutex.
  std::unique_ptr<Statement> read_hash_r, max_index_r;
  std::mutex resolved_mutex;
  std::vector<int64_t> resolved;  // resolve_later() queue
  ~Impl() {
    for (auto* s : {&insert_entry, &insert_hash, &insert_key, &insert_pending, &delete_pending,
                    &read_hash_w, &max_index_w, &read_hash_r, &max_index_r}) {
      s->reset();
    }
    sqlite3_close(writer);
    sqlite3_close(reader);
  }
};

namespace {

// Migration 1, the baseline: the log as the releases before versioning wrote it (lookup keys
// with no visibility; intents with their writer's start time, added in place by some of them).
Status baseline(sqlite3* db) {
  if (auto st = exec_sql(db, R"sql(
CREATE TABLE IF NOT EXISTS entries(
  idx INTEGER PRIMARY KEY, data BLOB NOT NULL, sealed BLOB, nonce BLOB, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS hashes(id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS keys(key TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(key, idx))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending(
  idx INTEGER PRIMARY KEY, kind TEXT NOT NULL, repo_id TEXT NOT NULL, ref TEXT NOT NULL,
  expect TEXT NOT NULL, created_ms INTEGER NOT NULL, pid INTEGER NOT NULL,
  started INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints(
  size INTEGER PRIMARY KEY, note TEXT NOT NULL, time_ms INTEGER NOT NULL);
)sql");
      !st) {
    return st;
  }
  if (has_column(db, "pending", "started")) return Status::ok();
  return exec_sql(db, "ALTER TABLE pending ADD COLUMN started INTEGER NOT NULL DEFAULT 0");
}

Result<sqlite3*> open_connection(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return internal_error("cannot open the transparency log " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, 30000);
  return db;
}

tlog::Hash hash_of(std::string_view blob) {
  tlog::Hash h{};
  if (blob.size() == h.size()) std::memcpy(h.data(), blob.data(), h.size());
  return h;
}

// Reads stored hashes with `s` (SELECT hash FROM hashes WHERE id = ?); the caller holds the
// connection's mutex.
Result<std::vector<tlog::Hash>> read_hashes_with(Statement& s, std::span<const int64_t> ids) {
  if (!s.ok()) return internal_error("database error: " + s.error());
  std::vector<tlog::Hash> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    s.reset();
    s.bind(1, id);
    if (s.step() != SQLITE_ROW) {
      return not_found("the transparency log has no stored hash " + std::to_string(id));
    }
    out.push_back(hash_of(s.blob(0)));
  }
  s.reset();
  return out;
}

constexpr const char* kReadHash = "SELECT hash FROM hashes WHERE id = ?";
constexpr const char* kMaxIndex = "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries";

Result<int64_t> size_with(Statement& s) {
  s.reset();
  if (s.step() != SQLITE_ROW) return internal_error("database error: " + s.error());
  int64_t n = s.integer(0);
  s.reset();
  return n;
}

// Appends the stored hashes of record n (leaf hash given) inside the caller's transaction.
Status store_hashes(Statement& read, int64_t n, const tlog::Hash& leaf, Statement& insert) {
  auto reader = [&read](std::span<const int64_t> ids) { return read_hashes_with(read, ids); };
  auto hashes = tlog::stored_hashes_for_record_hash(n, leaf, reader);
  if (!hashes) return hashes.status();
  int64_t id = tlog::stored_hash_index(0, n);
  for (const auto& h : *hashes) {
    insert.reset();
    insert.bind(1, id++).bind_blob(2, h.data(), h.size());
    if (auto st = step_done(insert); !st) return st;
  }
  return Status::ok();
}

// Migration 2: the lookup keys say who may see their entry (keys.vis, sealed_repos). The keys
// table is rebuilt, each sealed entry's repository read once out of it; every sealed entry
// starts hidden (set_open() and the hub's reconciliation at start open those of public
// repositories). Logs of the release that introduced the layout, before versioning, have it.
Status lookup_visibility(sqlite3* db) {
  if (auto st = exec_sql(db,
                         "CREATE TABLE IF NOT EXISTS sealed_repos(uid TEXT PRIMARY KEY, "
                         "open INTEGER NOT NULL DEFAULT 0);");
      !st) {
    return st;
  }
  if (!has_column(db, "keys", "vis")) {
    if (auto st = exec_sql(db, R"sql(
CREATE TABLE keys_upgraded(
  key TEXT NOT NULL, vis TEXT NOT NULL DEFAULT '', idx INTEGER NOT NULL,
  sealed TEXT NOT NULL DEFAULT '', PRIMARY KEY(key, vis, idx)) WITHOUT ROWID;
INSERT INTO keys_upgraded(key, vis, idx, sealed)
  SELECT key, s, idx, s FROM (
    SELECT k.key AS key, k.idx AS idx,
           CASE WHEN e.sealed IS NULL THEN ''
           ELSE COALESCE(json_extract(CAST(e.sealed AS TEXT), '$.repo_id'), '?') END AS s
    FROM keys k LEFT JOIN entries e ON e.idx = k.idx);
INSERT OR IGNORE INTO sealed_repos(uid) SELECT DISTINCT sealed FROM keys_upgraded WHERE sealed != '';
DROP TABLE keys;
ALTER TABLE keys_upgraded RENAME TO keys;
)sql");
        !st) {
      return st;
    }
  }
  return exec_sql(db,
                  "CREATE INDEX IF NOT EXISTS keys_by_sealed ON keys(sealed) WHERE sealed != '';");
}

// tlog/log.sqlite's migrations, in order; append, never edit (schema_migrations.hpp).
constexpr Migration kMigrations[] = {
    {1, "baseline: entries, stored hashes, lookup keys, intents, checkpoints", baseline},
    {2, "lookup keys say who may see their entry", lookup_visibility},
};

// Whether the sealed entries of `uid` are open to all (recording the repository as one with
// sealed entries if it is new), inside the caller's transaction.
Result<bool> sealed_repo_open(sqlite3* db, const std::string& uid) {
  Statement add(db, "INSERT OR IGNORE INTO sealed_repos(uid) VALUES (?)");
  add.bind(1, uid);
  if (auto st = step_done(add); !st) return st;
  Statement open(db, "SELECT open FROM sealed_repos WHERE uid = ?");
  open.bind(1, uid);
  if (open.step() != SQLITE_ROW) return internal_error("database error: " + open.error());
  return open.integer(0) != 0;
}

}  // namespace

TlogStore::TlogStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlogStore::~TlogStore() {
  (void)flush_resolved();
}

Result<std::unique_ptr<TlogStore>> TlogStore::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internal_error("cannot create " + dir + ": " + ec.message());
  const std::string path = dir + "/log.sqlite";
  auto impl = std::make_unique<Impl>();
  auto writer = open_connection(path, true);
  if (!writer) return writer.status();
  impl->writer = *writer;
  if (auto st = exec_sql(impl->writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
      !st) {
    return st;
  }
  if (auto st = migrate(impl->writer, path, kMigrations); !st) return st;
  auto reader = open_connection(path, false);
  if (!reader) return reader.status();
  impl->reader = *reader;
  auto prepare = [](sqlite3* db, const char* sql) { return std::make_unique<Statement>(db, sql); };
  impl->insert_entry =
      prepare(impl->writer,
              "INSERT INTO entries(idx, data, sealed, nonce, created_ms) VALUES (?, ?, ?, ?, ?)");
  impl->insert_hash = prepare(impl->writer, "INSERT INTO hashes(id, hash) VALUES (?, ?)");
  impl->insert_key = prepare(
      impl->writer, "INSERT OR IGNORE INTO keys(key, vis, idx, sealed) VALUES (?, ?, ?, ?)");
  impl->insert_pending =
      prepare(impl->writer,
              "INSERT INTO pending(idx, kind, repo_id, ref, expect, created_ms, pid, started) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  impl->delete_pending = prepare(impl->writer, "DELETE FROM pending WHERE idx = ?");
  impl->read_hash_w = prepare(impl->writer, kReadHash);
  impl->max_index_w = prepare(impl->writer, kMaxIndex);
  impl->read_hash_r = prepare(impl->reader, kReadHash);
  impl->max_index_r = prepare(impl->reader, kMaxIndex);
  for (auto* st : {impl->insert_entry.get(), impl->insert_hash.get(), impl->insert_key.get(),
                   impl->insert_pending.get(), impl->delete_pending.get(), impl->read_hash_w.get(),
                   impl->max_index_w.get(), impl->read_hash_r.get(), impl->max_index_r.get()}) {
    if (!st->ok()) return internal_error("transparency log: " + st->error());
  }
  return std::unique_ptr<TlogStore>(new TlogStore(std::move(impl)));
}

int64_t process_start_time(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = stat.rfind(')');
  if (pid <= 0 || paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::strtoll(field.c_str(), nullptr, 10);
  }
  return -1;
}

namespace {

int64_t pid_of(const TlogIntent& intent) {
  return intent.pid ? intent.pid : static_cast<int64_t>(::getpid());
}

// The writer's start time; this process's own is read once.
int64_t start_time_of(int64_t pid) {
  static const int64_t self_pid = ::getpid();
  static const int64_t self_start = process_start_time(self_pid);
  return pid == self_pid ? self_start : process_start_time(pid);
}

Status delete_pending(Statement& del, std::span<const int64_t> indexes) {
  for (int64_t i : indexes) {
    del.reset();
    del.bind(1, i);
    if (auto st = step_done(del); !st) return st;
  }
  del.reset();
  return Status::ok();
}

}  // namespace

Result<int64_t> TlogStore::append(const std::vector<TlogAppend>& entries,
                                  std::span<const int64_t> resolves) {
  std::lock_guard lock(impl_->write_mutex);
  sqlite3* db = impl_->writer;
  std::vector<int64_t> resolved;
  {
    std::lock_guard q(impl_->resolved_mutex);
    resolved.swap(impl_->resolved);
  }
  const size_t queued = resolved.size();
  resolved.insert(resolved.end(), resolves.begin(), resolves.end());
  auto requeue = [&] {  // only what was queued before; `resolves` fail with the append
    std::lock_guard q(impl_->resolved_mutex);
    impl_->resolved.insert(impl_->resolved.end(), resolved.begin(),
                           resolved.begin() + static_cast<std::ptrdiff_t>(queued));
  };
  Transaction tx(db);
  if (!tx.status()) {
    requeue();
    return tx.status();
  }
  auto result = [&]() -> Result<int64_t> {
    auto first = size_with(*impl_->max_index_w);
    if (!first) return first.status();
    Statement& insert_entry = *impl_->insert_entry;
    Statement& insert_key = *impl_->insert_key;
    Statement& insert_pending = *impl_->insert_pending;
    const int64_t now = util::now_ms();
    int64_t n = *first;
    for (const auto& e : entries) {
      insert_entry.reset();
      insert_entry.bind(1, n).bind_blob(2, e.data.data(), e.data.size());
      if (!e.sealed_entry.empty()) {
        insert_entry.bind_blob(3, e.sealed_entry.data(), e.sealed_entry.size());
        insert_entry.bind_blob(4, e.nonce.data(), e.nonce.size());
      }
      insert_entry.bind(5, now);
      if (auto st = step_done(insert_entry); !st) return st;
      if (auto st =
              store_hashes(*impl_->read_hash_w, n, tlog::record_hash(e.data), *impl_->insert_hash);
          !st) {
        return st;
      }
      // A sealed entry's keys name its repository (one no uid matches when it names none),
      // and are seen by its readers only, unless the repository's sealed entries are open.
      std::string sealed, vis;
      if (!e.sealed_entry.empty()) {
        sealed = e.sealed_repo.empty() ? "?" : e.sealed_repo;
        auto open = sealed_repo_open(db, sealed);
        if (!open) return open.status();
        vis = *open ? "" : sealed;
      }
      for (const auto& key : e.keys) {
        insert_key.reset();
        insert_key.bind(1, key).bind(2, vis).bind(3, n).bind(4, sealed);
        if (auto st = step_done(insert_key); !st) return st;
      }
      if (e.intent) {
        insert_pending.reset();
        insert_pending.bind(1, n)
            .bind(2, e.intent->kind)
            .bind(3, e.intent->repo_id)
            .bind(4, e.intent->ref)
            .bind(5, e.intent->expect)
            .bind(6, now)
            .bind(7, pid_of(*e.intent))
            .bind(8, start_time_of(pid_of(*e.intent)));
        if (auto st = step_done(insert_pending); !st) return st;
      }
      ++n;
    }
    if (auto st = delete_pending(*impl_->delete_pending, resolved); !st) return st;
    return *first;
  }();
  for (auto* s : {impl_->insert_entry.get(), impl_->insert_hash.get(), impl_->insert_key.get(),
                  impl_->insert_pending.get()}) {
    s->reset();
  }
  if (!result) {
    requeue();
    return result;
  }
  if (auto st = tx.commit(); !st) {
    requeue();
    return st;
  }
  return result;
}

Status TlogStore::resolve(std::span<const int64_t> indexes) {
  if (indexes.empty()) return Status::ok();
  std::lock_guard lock(impl_->write_mutex);
  Transaction tx(impl_->writer);
  if (!tx.status()) return tx.status();
  if (auto st = delete_pending(*impl_->delete_pending, indexes); !st) return st;
  return tx.commit();
}

void TlogStore::resolve_later(std::span<const int64_t> indexes) {
  std::lock_guard q(impl_->resolved_mutex);
  impl_->resolved.insert(impl_->resolved.end(), indexes.begin(), indexes.end());
}

Status TlogStore::flush_resolved() {
  std::vector<int64_t> resolved;
  {
    std::lock_guard q(impl_->resolved_mutex);
    resolved.swap(impl_->resolved);
  }
  auto st = resolve(resolved);
  if (!st) resolve_later(resolved);
  return st;
}

Result<std::vector<TlogPendingIntent>> TlogStore::pending(int64_t before_ms) {
  if (auto st = flush_resolved(); !st) return st;
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader,
              "SELECT idx, kind, repo_id, ref, expect, created_ms, pid, started FROM pending "
              "WHERE created_ms < ? ORDER BY idx");
  s.bind(1, before_ms);
  std::vector<TlogPendingIntent> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back({s.integer(0),
                   {s.text(1), s.text(2), s.text(3), s.text(4), s.integer(6), s.integer(7)},
                   s.integer(5)});
  }
  if (rc != SQLITE_DONE) return internal_error("database error: " + s.error());
  return out;
}

Result<bool> TlogStore::later_resolved(int64_t index, const std::string& key) {
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader,
              "SELECT 1 FROM keys k WHERE k.key = ? AND k.idx > ? "
              "AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.idx = k.idx) "
              "AND NOT EXISTS (SELECT 1 FROM keys v WHERE v.key = 'voided:' || k.idx) LIMIT 1");
  s.bind(1, key).bind(2, index);
  int rc = s.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return internal_error("database error: " + s.error());
}

Result<std::vector<int64_t>> TlogStore::find_intents(const TlogIntent& intent) {
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader,
              "SELECT idx FROM pending WHERE kind = ? AND repo_id = ? AND ref = ? AND expect = ? "
              "AND pid = ? ORDER BY idx");
  s.bind(1, intent.kind)
      .bind(2, intent.repo_id)
      .bind(3, intent.ref)
      .bind(4, intent.expect)
      .bind(5, intent.pid ? intent.pid : static_cast<int64_t>(::getpid()));
  std::vector<int64_t> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.integer(0));
  if (rc != SQLITE_DONE) return internal_error("database error: " + s.error());
  return out;
}

Result<int64_t> TlogStore::size() {
  std::lock_guard lock(impl_->read_mutex);
  return size_with(*impl_->max_index_r);
}

Result<std::vector<tlog::Hash>> TlogStore::read_hashes(std::span<const int64_t> indexes) {
  std::lock_guard lock(impl_->read_mutex);
  return read_hashes_with(*impl_->read_hash_r, indexes);
}

tlog::HashReader TlogStore::hash_reader() {
  return [this](std::span<const int64_t> ids) { return read_hashes(ids); };
}

Result<std::vector<TlogEntry>> TlogStore::entries(int64_t from, int64_t to) {
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader,
              "SELECT idx, data, sealed, nonce FROM entries WHERE idx >= ? AND idx < ? "
              "ORDER BY idx");
  s.bind(1, from).bind(2, to);
  std::vector<TlogEntry> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(
        {s.integer(0), std::string(s.blob(1)), std::string(s.blob(2)), std::string(s.blob(3))});
  }
  if (rc != SQLITE_DONE) return internal_error("database error: " + s.error());
  return out;
}

Result<TlogEntry> TlogStore::entry(int64_t index) {
  auto found = entries(index, index + 1);
  if (!found) return found.status();
  if (found->empty()) return not_found("No entry " + std::to_string(index) + " in the log");
  return std::move(found->front());
}

namespace {

// The entries carrying every key, below a size, at most a number (one column idx); with
// `in_part`, only those of one part of the index (an entry's keys all share its part).
std::string matching_sql(size_t keys, bool in_part) {
  std::string sql;
  for (size_t i = 0; i < keys; ++i) {
    if (i) sql += " INTERSECT ";
    sql += in_part ? "SELECT idx FROM keys WHERE key = ? AND vis = ? AND idx < ?"
                   : "SELECT idx FROM keys WHERE key = ? AND idx < ?";
  }
  return sql + " ORDER BY idx LIMIT ?";
}

void bind_matching(Statement& s, const std::vector<std::string>& keys, int64_t limit_index,
                   size_t max_results, const std::string* part = nullptr) {
  int p = 1;
  for (const auto& k : keys) {
    s.bind(p++, k);
    if (part) s.bind(p++, *part);
    s.bind(p++, limit_index);
  }
  s.bind(p, static_cast<int64_t>(max_results));
}

}  // namespace

Result<std::vector<int64_t>> TlogStore::lookup(const std::vector<std::string>& keys,
                                               int64_t limit_index, size_t max_results) {
  if (keys.empty()) return bad_request("a lookup needs at least one key");
  std::string sql = matching_sql(keys.size(), false);
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader, sql.c_str());
  bind_matching(s, keys, limit_index, max_results);
  std::vector<int64_t> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.integer(0));
  if (rc != SQLITE_DONE) return internal_error("database error: " + s.error());
  return out;
}

Status TlogStore::set_open(const std::string& repo_uid, bool open) {
  std::lock_guard lock(impl_->write_mutex);
  Transaction tx(impl_->writer);
  if (!tx.status()) return tx.status();
  if (!open) {  // nothing to close for a repository that never had a sealed entry
    Statement known(impl_->writer, "SELECT 1 FROM sealed_repos WHERE uid = ?");
    known.bind(1, repo_uid);
    if (known.step() != SQLITE_ROW) return Status::ok();
  }
  Statement mark(impl_->writer,
                 "INSERT INTO sealed_repos(uid, open) VALUES (?1, ?2) "
                 "ON CONFLICT(uid) DO UPDATE SET open = ?2");
  mark.bind(1, repo_uid).bind(2, static_cast<int64_t>(open));
  if (auto st = step_done(mark); !st) return st;
  Statement keys(impl_->writer,  // "sealed != ''" lets the partial index keys_by_sealed serve
                 "UPDATE keys SET vis = ?1 WHERE sealed = ?2 AND sealed != '' AND vis != ?1");
  keys.bind(1, open ? std::string() : repo_uid).bind(2, repo_uid);
  if (auto st = step_done(keys); !st) return st;
  return tx.commit();
}

Result<std::vector<std::pair<std::string, bool>>> TlogStore::sealed_repos() {
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader, "SELECT uid, open FROM sealed_repos ORDER BY uid");
  std::vector<std::pair<std::string, bool>> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.emplace_back(s.text(0), s.integer(1) != 0);
  if (rc != SQLITE_DONE) return internal_error("database error: " + s.error());
  return out;
}

Result<std::vector<int64_t>> TlogStore::lookup_visible(
    const std::vector<std::string>& keys, int64_t limit_index, size_t max_results,
    const std::vector<std::string>& readable_repos) {
  if (keys.empty()) return bad_request("a lookup needs at least one key");
  // One part of the index at a time (what everyone sees, then each readable repository's
  // sealed entries), each in index order up to the limit.
  std::string sql = matching_sql(keys.size(), true);
  std::vector<std::string> parts{""};
  parts.insert(parts.end(), readable_repos.begin(), readable_repos.end());
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader, sql.c_str());
  std::vector<int64_t> out;
  for (const auto& part : parts) {
    s.reset();
    bind_matching(s, keys, limit_index, max_results, &part);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.integer(0));
    if (rc != SQLITE_DONE) return internal_error("database error: " + s.error());
  }
  s.reset();
  std::sort(out.begin(), out.end());
  if (out.size() > max_results) out.resize(max_results);
  return out;
}

Status TlogStore::save_checkpoint(const TlogCheckpoint& c) {
  std::lock_guard lock(impl_->write_mutex);
  Statement s(impl_->writer,
              "INSERT OR REPLACE INTO checkpoints(size, note, time_ms) VALUES (?, ?, ?)");
  s.bind(1, c.size).bind(2, c.note).bind(3, c.time_ms);
  return step_done(s);
}

Result<std::optional<TlogCheckpoint>> TlogStore::latest_checkpoint() {
  std::lock_guard lock(impl_->read_mutex);
  Statement s(impl_->reader,
              "SELECT size, note, time_ms FROM checkpoints ORDER BY size DESC LIMIT 1");
  int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<TlogCheckpoint>();
  if (rc != SQLITE_ROW) return internal_error("database error: " + s.error());
  return std::optional<TlogCheckpoint>(TlogCheckpoint{s.integer(0), s.text(1), s.integer(2)});
}

Result<std::string> TlogStore::check() {
  std::vector<tlog::Hash> computed;
  auto reader = [&computed](std::span<const int64_t> ids) -> Result<std::vector<tlog::Hash>> {
    std::vector<tlog::Hash> out;
    for (int64_t id : ids) {
      if (id < 0 || static_cast<size_t>(id) >= computed.size()) return not_found("no hash");
      out.push_back(computed[static_cast<size_t>(id)]);
    }
    return out;
  };
  std::lock_guard lock(impl_->read_mutex);
  Statement read(impl_->reader, "SELECT idx, data FROM entries ORDER BY idx");
  int64_t n = 0;
  int rc;
  while ((rc = read.step()) == SQLITE_ROW) {
    if (read.integer(0) != n) return "entry " + std::to_string(n) + " is missing";
    auto hashes = tlog::stored_hashes_for_record(n, read.blob(1), reader);
    if (!hashes) return hashes.status();
    computed.insert(computed.end(), hashes->begin(), hashes->end());
    ++n;
  }
  if (rc != SQLITE_DONE) return internal_error("database error: " + read.error());
  Statement stored(impl_->reader, "SELECT id, hash FROM hashes ORDER BY id");
  size_t i = 0;
  while ((rc = stored.step()) == SQLITE_ROW) {
    if (stored.integer(0) != static_cast<int64_t>(i) || i >= computed.size()) {
      return "stored hash " + std::to_string(stored.integer(0)) + " has no entry behind it";
    }
    if (hash_of(stored.blob(1)) != computed[i]) {
      auto [level, k] = tlog::split_stored_hash_index(static_cast<int64_t>(i));
      return "stored hash " + std::to_string(i) + " (level " + std::to_string(level) + ", node " +
             std::to_string(k) + ") does not match the entries";
    }
    ++i;
  }
  if (rc != SQLITE_DONE) return internal_error("database error: " + stored.error());
  if (i != computed.size())
    return std::to_string(computed.size() - i) + " stored hashes are missing";
  return std::string();
}

Status TlogStore::rehash() {
  std::lock_guard lock(impl_->write_mutex);
  sqlite3* db = impl_->writer;
  Transaction tx(db);
  if (!tx.status()) return tx.status();
  if (auto st = exec_sql(db, "DELETE FROM hashes; DELETE FROM checkpoints;"); !st) return st;
  Statement read(db, "SELECT idx, data FROM entries ORDER BY idx");
  Statement insert_hash(db, "INSERT INTO hashes(id, hash) VALUES (?, ?)");
  int64_t n = 0;
  int rc;
  while ((rc = read.step()) == SQLITE_ROW) {
    if (read.integer(0) != n) {
      return unprocessable("the log's entries are not numbered 0, 1, 2, ...: entry " +
                           std::to_string(n) + " is missing");
    }
    if (auto st =
            store_hashes(*impl_->read_hash_w, n, tlog::record_hash(read.blob(1)), insert_hash);
        !st) {
      return st;
    }
    ++n;
  }
  if (rc != SQLITE_DONE) return internal_error("database error: " + read.error());
  return tx.commit();
}

}  // namespace vitrine::storage
