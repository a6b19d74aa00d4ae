// SQLite implementation of MetadataDb. Statements are prepared per call: the metadata path is
// not hot enough for a statement cache to matter yet.
#include "storage/metadata/metadata_db.hpp"

#include <functional>

#include "storage/metadata/schema_migrations.hpp"
#include "storage/metadata/sqlite_statement.hpp"
#include "util/time.hpp"

namespace vitrine::storage {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  fullname TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  fullname TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS org_members (
  org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  PRIMARY KEY(org_id, user_id)
);
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL DEFAULT 0,
  scopes_json TEXT NOT NULL DEFAULT '',
  parent_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS repos (
  uid TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  ns TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE,
  private INTEGER NOT NULL DEFAULT 0,
  gated TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_modified INTEGER NOT NULL,
  head_sha TEXT NOT NULL DEFAULT '',
  card_json TEXT NOT NULL DEFAULT '{}',
  downloads INTEGER NOT NULL DEFAULT 0,
  likes INTEGER NOT NULL DEFAULT 0,
  next_pr INTEGER NOT NULL DEFAULT 1,
  UNIQUE(type, ns, name)
);
CREATE TABLE IF NOT EXISTS repo_tags (
  uid TEXT NOT NULL,
  tag TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY(uid, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS repo_tags_by_tag ON repo_tags(tag, uid);
CREATE TABLE IF NOT EXISTS repo_lfs_objects (
  uid TEXT NOT NULL,
  oid TEXT NOT NULL,
  PRIMARY KEY(uid, oid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_requests (
  uid TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  fields_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY(uid, user_id)
);
CREATE TABLE IF NOT EXISTS repo_redirects (
  type TEXT NOT NULL,
  ns TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE,
  uid TEXT NOT NULL,
  PRIMARY KEY(type, ns, name)
);
CREATE TABLE IF NOT EXISTS audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL COLLATE NOCASE,
  target TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  details_json TEXT NOT NULL DEFAULT '{}',
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_events_by_type ON audit_events(type, id);
CREATE INDEX IF NOT EXISTS audit_events_by_actor ON audit_events(actor, id);
CREATE INDEX IF NOT EXISTS audit_events_by_target ON audit_events(target, id);
CREATE TABLE IF NOT EXISTS lineage_revisions (
  uid TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  indexed_at INTEGER NOT NULL,
  facts_json TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY(uid, commit_sha)
);
CREATE TABLE IF NOT EXISTS lineage_edges (
  child_uid TEXT NOT NULL,
  child_commit TEXT NOT NULL,
  ord INTEGER NOT NULL,
  relation TEXT NOT NULL,
  parent_type TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  parent_uid TEXT NOT NULL DEFAULT '',
  parent_commit TEXT NOT NULL DEFAULT '',
  verified INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL,
  detail_json TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY(child_uid, child_commit, ord)
);
CREATE INDEX IF NOT EXISTS lineage_edges_by_parent ON lineage_edges(parent_uid, parent_commit);
CREATE INDEX IF NOT EXISTS lineage_edges_by_parent_id ON lineage_edges(parent_type, parent_id COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS lineage_heads (
  uid TEXT NOT NULL,
  ref TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  PRIMARY KEY(uid, ref)
);
CREATE INDEX IF NOT EXISTS lineage_heads_by_commit ON lineage_heads(commit_sha);
CREATE TABLE IF NOT EXISTS repo_downloads (
  uid TEXT NOT NULL,
  day INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(uid, day)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS repo_downloads_by_day ON repo_downloads(day);
CREATE TABLE IF NOT EXISTS weight_headers (
  content_key TEXT PRIMARY KEY,
  summary_json TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

constexpr const char* kRepoColumns =
    "uid, type, ns, name, private, gated, created_at, last_modified, head_sha, card_json, "
    "downloads, downloads_all_time";

RepoRecord read_repo(const Statement& s) {
  RepoRecord r;
  r.uid = s.text(0);
  // Only this file writes these columns: a kind it does not know reads as a model, a gating
  // mode it does not know as manual (closed until an admin lets the caller in).
  r.type = domain::repo_kind_from_wire(s.text(1)).value_or(RepoKind::kModel);
  r.ns = s.text(2);
  r.name = s.text(3);
  r.is_private = s.integer(4) != 0;
  r.gated = domain::gating_mode_from_wire(s.text(5)).value_or(GatingMode::kManual);
  r.created_at = s.integer(6);
  r.last_modified = s.integer(7);
  r.head_sha = s.text(8);
  r.card_json = s.text(9);
  r.downloads = s.integer(10);
  r.downloads_all_time = s.integer(11);
  return r;
}

// Migration 1, the baseline: the tables of the releases before versioning, and the columns
// those releases added in place over time (absent from folders of the earliest ones).
Status baseline(sqlite3* db) {
  if (auto st = exec_sql(db, kSchema); !st) return st;
  const std::pair<const char*, const char*> added_columns[] = {
      {"tokens", "expires_at INTEGER NOT NULL DEFAULT 0"},
      {"tokens", "scopes_json TEXT NOT NULL DEFAULT ''"},
      {"tokens", "parent_id INTEGER NOT NULL DEFAULT 0"},
      {"users", "password_hash TEXT NOT NULL DEFAULT ''"},
      {"users", "avatar_url TEXT NOT NULL DEFAULT ''"},
      {"repos", "downloads_all_time INTEGER NOT NULL DEFAULT 0"}};
  for (const auto& [table, column] : added_columns) {
    std::string name(column, std::string_view(column).find(' '));
    if (has_column(db, table, name.c_str())) continue;
    std::string alter = std::string("ALTER TABLE ") + table + " ADD COLUMN " + column;
    if (auto st = exec_sql(db, alter.c_str()); !st) return st;
  }
  return Status::ok();
}

// Migration 2: the background job queue (metadata_jobs.cpp). A job is unique by (kind, key).
Status add_jobs(sqlite3* db) {
  return exec_sql(db, R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  progress REAL NOT NULL DEFAULT 0,
  owner TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  UNIQUE(kind, key)
);
CREATE INDEX jobs_by_state ON jobs(state, id);
)sql");
}

// Migration 3: the dataset viewer's answers per dataset revision (metadata_viewer.cpp).
Status add_viewer_results(sqlite3* db) {
  return exec_sql(db, R"sql(
CREATE TABLE viewer_results (
  repo_uid TEXT NOT NULL,
  revision TEXT NOT NULL,
  step TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '',
  split TEXT NOT NULL DEFAULT '',
  http_status INTEGER NOT NULL,
  error_code TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (repo_uid, revision, step, config, split)
);
)sql");
}

// Migration 4: which object links only the Parquet export made, and when (`vitrine gc` takes
// back those no ref reaches any more). Links of earlier releases count as the repository's own.
Status add_export_links(sqlite3* db) {
  return exec_sql(db,
                  "ALTER TABLE repo_lfs_objects ADD COLUMN export_only INTEGER NOT NULL DEFAULT 0;"
                  "ALTER TABLE repo_lfs_objects ADD COLUMN linked_ms INTEGER NOT NULL DEFAULT 0;");
}

// vitrine.db's migrations, in order; append, never edit (schema_migrations.hpp).
constexpr Migration kMigrations[] = {
    {1, "baseline: accounts, tokens, repositories, access, audit, lineage, downloads", baseline},
    {2, "the background job queue", add_jobs},
    {3, "the dataset viewer's answers", add_viewer_results},
    {4, "object links made by the Parquet export", add_export_links},
};

}  // namespace

Result<std::unique_ptr<MetadataDb>> MetadataDb::open(const std::string& path) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return internal_error("cannot open database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<MetadataDb> out(new MetadataDb(db, path));
  for (const char* sql :
       {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=NORMAL;", "PRAGMA foreign_keys=ON;"}) {
    if (auto st = out->exec(sql); !st) return st;
  }
  if (auto st = migrate(out->db_, path, kMigrations); !st) return st;
  return out;
}

MetadataDb::~MetadataDb() {
  for (sqlite3* r : readers_) sqlite3_close(r);
  sqlite3_close(db_);
}

MetadataDb::Reader MetadataDb::reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!readers_.empty()) {
      sqlite3* conn = readers_.back();
      readers_.pop_back();
      return Reader(*this, conn);
    }
  }
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    // Statements on a null handle fail to prepare: lookups answer an error (next_row).
    sqlite3_close(conn);
    conn = nullptr;
  } else {
    sqlite3_busy_timeout(conn, 10000);
  }
  return Reader(*this, conn);
}

void MetadataDb::release_reader(sqlite3* conn) {
  if (!conn) return;
  std::lock_guard lock(readers_mutex_);
  if (readers_.size() < 16) {
    readers_.push_back(conn);
  } else {
    sqlite3_close(conn);
  }
}

Status MetadataDb::exec(const char* sql) {
  return exec_sql(db_, sql);
}

Result<UserRecord> MetadataDb::create_user(const std::string& name, const std::string& fullname,
                                           const std::string& email, bool is_admin) {
  std::lock_guard lock(mutex_);
  Statement org(db_, "SELECT 1 FROM organizations WHERE name = ?");
  org.bind(1, name);
  if (org.step() == SQLITE_ROW) return conflict("An organization named " + name + " exists");
  Statement s(db_,
              "INSERT INTO users(name, fullname, email, is_admin, created_at) VALUES(?,?,?,?,?)");
  int64_t now = util::now_ms();
  s.bind(1, name).bind(2, fullname).bind(3, email).bind(4, int64_t{is_admin}).bind(5, now);
  if (auto st = step_done(s); !st) {
    if (st.kind() == ErrorKind::kConflict) return conflict("User " + name + " already exists");
    return st;
  }
  return UserRecord{sqlite3_last_insert_rowid(db_), name, fullname, email, is_admin, now};
}

Lookup<UserRecord> MetadataDb::find_user(const std::string& name) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT id, name, fullname, email, is_admin, created_at FROM users WHERE name = ?");
  s.bind(1, name);
  return lookup_row(s, [](const Statement& row) { return user_at(row); });
}

Lookup<UserRecord> MetadataDb::find_user_by_id(int64_t id) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT id, name, fullname, email, is_admin, created_at FROM users WHERE id = ?");
  s.bind(1, id);
  return lookup_row(s, [](const Statement& row) { return user_at(row); });
}

Result<TokenRecord> MetadataDb::create_token(int64_t user_id, const std::string& name,
                                             TokenRole role, const std::string& hash,
                                             int64_t expires_at, const std::string& scopes_json,
                                             int64_t parent_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO tokens(user_id, name, role, hash, created_at, expires_at, scopes_json, "
              "parent_id) VALUES(?,?,?,?,?,?,?,?)");
  int64_t now = util::now_ms();
  s.bind(1, user_id).bind(2, name).bind(3, domain::to_wire(role)).bind(4, hash).bind(5, now);
  s.bind(6, expires_at).bind(7, scopes_json).bind(8, parent_id);
  if (auto st = step_done(s); !st) return st;
  return TokenRecord{sqlite3_last_insert_rowid(db_),
                     user_id,
                     name,
                     role,
                     hash,
                     now,
                     0,
                     false,
                     expires_at,
                     scopes_json,
                     parent_id};
}

Lookup<TokenRecord> MetadataDb::find_token_by_hash(const std::string& hash) {
  auto reader = this->reader();
  Statement s(reader.get(),
              (std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash = ?").c_str());
  s.bind(1, hash);
  return lookup_row(s, [](const Statement& row) { return token_at(row); });
}

void MetadataDb::touch_token(int64_t token_id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?");
  s.bind(1, now_ms).bind(2, token_id).bind(3, now_ms - 60000);
  s.step();
}

Status MetadataDb::insert_repo(const RepoRecord& r) {
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO repos(uid, type, ns, name, private, gated, created_at, last_modified, "
              "head_sha, card_json) VALUES(?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.uid).bind(2, domain::to_wire(r.type)).bind(3, r.ns).bind(4, r.name);
  s.bind(5, int64_t{r.is_private}).bind(6, domain::to_wire(r.gated)).bind(7, r.created_at);
  s.bind(8, r.last_modified).bind(9, r.head_sha).bind(10, r.card_json);
  if (auto st = step_done(s); !st) return st;
  // A new repository takes over its id from any redirect left by an earlier rename.
  Statement d(db_, "DELETE FROM repo_redirects WHERE type = ? AND ns = ? AND name = ?");
  d.bind(1, domain::to_wire(r.type)).bind(2, r.ns).bind(3, r.name);
  return step_done(d);
}

Lookup<RepoRecord> MetadataDb::find_repo(RepoKind type, const std::string& ns,
                                         const std::string& name) {
  std::string key = domain::to_wire(type) + "/" + ns + "/" + name;
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto cached = cached_repo(key)) return *cached;
  uint64_t generation = repo_generation_.load();  // read before the row: a later write voids it
  std::optional<RepoRecord> found;
  {
    auto reader = this->reader();
    std::string sql = std::string("SELECT ") + kRepoColumns +
                      " FROM repos WHERE type = ? AND ns = ? AND name = ?";
    Statement s(reader.get(), sql.c_str());
    s.bind(1, domain::to_wire(type)).bind(2, ns).bind(3, name);
    auto row = next_row(s);
    if (!row) return row.status();  // not cached: the next request reads again
    if (*row) found = read_repo(s);
  }
  cache_repo(key, found, generation);
  return found;
}

Lookup<RepoRecord> MetadataDb::find_repo_by_uid(const std::string& uid) {
  auto reader = this->reader();
  std::string sql = std::string("SELECT ") + kRepoColumns + " FROM repos WHERE uid = ?";
  Statement s(reader.get(), sql.c_str());
  s.bind(1, uid);
  return lookup_row(s, [](const Statement& row) { return read_repo(row); });
}

std::optional<std::optional<RepoRecord>> MetadataDb::cached_repo(const std::string& key) {
  std::lock_guard lock(repo_cache_mutex_);
  auto it = repo_cache_.find(key);
  if (it == repo_cache_.end() || it->second.generation != repo_generation_.load() ||
      it->second.expires_ms < util::now_ms()) {
    return std::nullopt;
  }
  return it->second.repo;
}

void MetadataDb::cache_repo(const std::string& key, const std::optional<RepoRecord>& repo,
                            uint64_t generation) {
  std::lock_guard lock(repo_cache_mutex_);
  if (repo_cache_.size() > 10000) repo_cache_.clear();
  repo_cache_[key] = {repo, generation, util::now_ms() + 1000};
}

Lookup<RepoRecord> MetadataDb::find_redirect(RepoKind type, const std::string& ns,
                                             const std::string& name) {
  auto reader = this->reader();
  std::string sql = std::string("SELECT ") + kRepoColumns +
                    " FROM repos WHERE uid = (SELECT uid FROM repo_redirects WHERE type = ? AND "
                    "ns = ? AND name = ?)";
  Statement s(reader.get(), sql.c_str());
  s.bind(1, domain::to_wire(type)).bind(2, ns).bind(3, name);
  return lookup_row(s, [](const Statement& row) { return read_repo(row); });
}

Status MetadataDb::delete_repo(const std::string& uid) {
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  // One transaction: a failure leaves the repository whole, never without its tags or counts.
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement requests(db_, "DELETE FROM access_requests WHERE uid = ?");
  requests.bind(1, uid);
  if (auto st = step_done(requests); !st) return st;
  Statement objects(db_, "DELETE FROM repo_lfs_objects WHERE uid = ?");
  objects.bind(1, uid);
  if (auto st = step_done(objects); !st) return st;
  Statement tags(db_, "DELETE FROM repo_tags WHERE uid = ?");
  tags.bind(1, uid);
  if (auto st = step_done(tags); !st) return st;
  Statement downloads(db_, "DELETE FROM repo_downloads WHERE uid = ?");
  downloads.bind(1, uid);
  if (auto st = step_done(downloads); !st) return st;
  // The dataset viewer's answers hold the dataset's rows: they go with it.
  Statement viewer(db_, "DELETE FROM viewer_results WHERE repo_uid = ?");
  viewer.bind(1, uid);
  if (auto st = step_done(viewer); !st) return st;
  Statement r(db_, "DELETE FROM repo_redirects WHERE uid = ?");
  r.bind(1, uid);
  if (auto st = step_done(r); !st) return st;
  Statement s(db_, "DELETE FROM repos WHERE uid = ?");
  s.bind(1, uid);
  if (auto st = step_done(s); !st) return st;
  return tx.commit();
}

Status MetadataDb::rename_repo(const std::string& uid, const std::string& new_ns,
                               const std::string& new_name) {
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement old(db_, "SELECT type, ns, name FROM repos WHERE uid = ?");
  old.bind(1, uid);
  if (old.step() != SQLITE_ROW) return not_found("repository not found");
  std::string type = old.text(0), old_ns = old.text(1), old_name = old.text(2);
  Statement u(db_, "UPDATE repos SET ns = ?, name = ? WHERE uid = ?");
  u.bind(1, new_ns).bind(2, new_name).bind(3, uid);
  if (auto st = step_done(u); !st) return st;
  Statement clear(db_, "DELETE FROM repo_redirects WHERE type = ? AND ns = ? AND name = ?");
  clear.bind(1, type).bind(2, new_ns).bind(3, new_name);
  if (auto st = step_done(clear); !st) return st;
  if (!(old_ns == new_ns && old_name == new_name)) {
    Statement red(db_,
                  "INSERT OR REPLACE INTO repo_redirects(type, ns, name, uid) VALUES(?,?,?,?)");
    red.bind(1, type).bind(2, old_ns).bind(3, old_name).bind(4, uid);
    if (auto st = step_done(red); !st) return st;
  }
  return tx.commit();
}

Status MetadataDb::update_repo_settings(const std::string& uid, bool is_private, GatingMode gated) {
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE repos SET private = ?, gated = ? WHERE uid = ?");
  s.bind(1, int64_t{is_private}).bind(2, domain::to_wire(gated)).bind(3, uid);
  return step_done(s);
}

Status MetadataDb::update_repo_index(const std::string& uid, const std::string& head_sha,
                                     int64_t last_modified, const std::string& card_json) {
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE repos SET head_sha = ?, last_modified = ?, card_json = ? WHERE uid = ?");
  s.bind(1, head_sha).bind(2, last_modified).bind(3, card_json).bind(4, uid);
  return step_done(s);
}

std::string MetadataDb::list_repos_sql(const RepoListQuery& q, std::vector<std::string>* params) {
  std::string order = "lower(ns || '/' || name)";
  if (q.sort == "lastModified") order = "last_modified";
  if (q.sort == "createdAt") order = "created_at";
  if (q.sort == "downloads" || q.sort == "trendingScore") order = "downloads";
  if (q.sort == "likes") order = "likes";
  // The page is chosen on (uid, sort key) alone, then its rows are read: sorting thousands of
  // matches does not carry their card data along.
  std::string where = "type = ?";
  params->push_back(domain::to_wire(q.type));
  for (const auto& term : q.search) {
    where += " AND instr(lower(ns || '/' || name), lower(?)) > 0";
    params->push_back(term);
  }
  if (!q.author.empty()) {
    where += " AND ns = ?";
    params->push_back(q.author);
  }
  // Each group is a lookup in the (tag, uid) index; `tag` compares without case (NOCASE).
  for (const auto& group : q.tags) {
    if (group.empty()) continue;
    where += " AND uid IN (SELECT uid FROM repo_tags WHERE tag IN (";
    for (size_t i = 0; i < group.size(); ++i) {
      where += i ? ", ?" : "?";
      params->push_back(group[i]);
    }
    where += "))";
  }
  if (q.gated) where += *q.gated ? " AND gated != ''" : " AND gated = ''";
  if (!q.all_private_visible) {
    where += " AND (private = 0";
    for (const auto& ns : q.visible_private_namespaces) {
      where += " OR ns = ?";
      params->push_back(ns);
    }
    for (const auto& [ns, name] : q.visible_private_repos) {
      where += " OR (ns = ? COLLATE NOCASE AND name = ? COLLATE NOCASE)";
      params->push_back(ns);
      params->push_back(name);
    }
    where += ")";
  }
  std::string dir = q.descending ? " DESC" : " ASC";
  std::string page_order = " ORDER BY page_key" + dir + ", page_uid" + dir;
  return std::string("SELECT ") + kRepoColumns + " FROM (SELECT uid AS page_uid, " + order +
         " AS page_key FROM repos WHERE " + where + page_order +
         " LIMIT ? OFFSET ?) JOIN repos ON repos.uid = page_uid" + page_order;
}

std::vector<RepoRecord> MetadataDb::list_repos(const RepoListQuery& q) {
  auto reader = this->reader();
  std::vector<std::string> params;
  std::string sql = list_repos_sql(q, &params);
  Statement s(reader.get(), sql.c_str());
  int i = 1;
  for (const auto& p : params) s.bind(i++, p);
  s.bind(i, q.limit);
  s.bind(i + 1, q.offset);
  std::vector<RepoRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back(read_repo(s));
  return out;
}

Status MetadataDb::add_repo_lfs_objects(const std::string& uid,
                                        const std::vector<std::string>& oids) {
  if (oids.empty()) return Status::ok();
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  for (const auto& oid : oids) {
    // A commit's link is the repository's own, even where the export linked the object first.
    Statement s(db_,
                "INSERT INTO repo_lfs_objects(uid, oid) VALUES(?, ?)"
                " ON CONFLICT(uid, oid) DO UPDATE SET export_only = 0");
    s.bind(1, uid).bind(2, oid);
    if (auto st = step_done(s); !st) return st;
  }
  return tx.commit();
}

Status MetadataDb::add_export_lfs_objects(const std::string& uid,
                                          const std::vector<std::string>& oids) {
  if (oids.empty()) return Status::ok();
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  int64_t now = util::now_ms();
  for (const auto& oid : oids) {
    Statement s(db_,
                "INSERT INTO repo_lfs_objects(uid, oid, export_only, linked_ms) VALUES(?, ?, 1, ?)"
                " ON CONFLICT(uid, oid) DO UPDATE SET linked_ms = excluded.linked_ms"
                " WHERE export_only = 1");
    s.bind(1, uid).bind(2, oid).bind(3, now);
    if (auto st = step_done(s); !st) return st;
  }
  return tx.commit();
}

std::vector<std::string> MetadataDb::repos_with_export_links() {
  std::vector<std::string> out;
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT DISTINCT uid FROM repo_lfs_objects WHERE export_only = 1");
  while (s.step() == SQLITE_ROW) out.push_back(s.text(0));
  return out;
}

Result<size_t> MetadataDb::drop_export_lfs_objects(const std::string& uid,
                                                   const std::set<std::string>& keep,
                                                   int64_t linked_before_ms) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  std::vector<std::string> dropped;
  {
    Statement s(db_,
                "SELECT oid FROM repo_lfs_objects WHERE uid = ? AND export_only = 1"
                " AND linked_ms < ?");
    s.bind(1, uid).bind(2, linked_before_ms);
    while (s.step() == SQLITE_ROW) {
      std::string oid = s.text(0);
      if (!keep.contains(oid)) dropped.push_back(std::move(oid));
    }
  }
  for (const auto& oid : dropped) {
    Statement s(db_,
                "DELETE FROM repo_lfs_objects WHERE uid = ? AND oid = ? AND export_only = 1"
                " AND linked_ms < ?");
    s.bind(1, uid).bind(2, oid).bind(3, linked_before_ms);
    if (auto st = step_done(s); !st) return st;
  }
  if (auto st = tx.commit(); !st) return st;
  return dropped.size();
}

bool MetadataDb::repo_has_lfs_object(const std::string& uid, const std::string& oid) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT 1 FROM repo_lfs_objects WHERE uid = ? AND oid = ?");
  s.bind(1, uid).bind(2, oid);
  return s.step() == SQLITE_ROW;
}

Result<int64_t> MetadataDb::next_pr_number(const std::string& uid) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE repos SET next_pr = next_pr + 1 WHERE uid = ? RETURNING next_pr - 1");
  s.bind(1, uid);
  if (s.step() != SQLITE_ROW) return internal_error("cannot allocate a pull request number");
  int64_t n = s.integer(0);
  s.step();
  return n;
}

}  // namespace vitrine::storage

namespace vitrine::storage {

std::set<std::string> MetadataDb::live_lfs_objects() {
  std::set<std::string> out;
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT DISTINCT l.oid FROM repo_lfs_objects l JOIN repos r ON r.uid = l.uid");
  while (s.step() == SQLITE_ROW) out.insert(s.text(0));
  return out;
}

std::vector<RepoRecord> MetadataDb::repos_naming_lfs_object(const std::string& oid) {
  std::vector<RepoRecord> out;
  auto reader = this->reader();
  std::string sql = std::string("SELECT ") + kRepoColumns +
                    " FROM repos WHERE uid IN (SELECT uid FROM repo_lfs_objects WHERE oid = ?)";
  Statement s(reader.get(), sql.c_str());
  s.bind(1, oid);
  while (s.step() == SQLITE_ROW) out.push_back(read_repo(s));
  return out;
}

std::vector<RepoRecord> MetadataDb::private_repos_in(const std::vector<std::string>& namespaces) {
  std::vector<RepoRecord> out;
  if (namespaces.empty()) return out;
  auto reader = this->reader();
  std::string sql =
      std::string("SELECT ") + kRepoColumns + " FROM repos WHERE private = 1 AND ns IN (";
  for (size_t i = 0; i < namespaces.size(); ++i) sql += i ? ", ?" : "?";
  sql += ")";  // ns compares case-insensitively (the column's collation)
  Statement s(reader.get(), sql.c_str());
  for (size_t i = 0; i < namespaces.size(); ++i) s.bind(static_cast<int>(i) + 1, namespaces[i]);
  while (s.step() == SQLITE_ROW) out.push_back(read_repo(s));
  return out;
}

}  // namespace vitrine::storage
