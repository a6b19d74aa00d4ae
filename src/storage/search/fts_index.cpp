// The SQLite FTS5 index of /search (fts_index.hpp).
#include "storage/search/fts_index.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <random>

#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {

namespace {

constexpr int kFormatVersion = 1;
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

Status sqlite_error(sqlite3* db, const std::string& what) {
  return Status(ErrorKind::kInternal,
                "search index: " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
}

Status exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : "?";
    sqlite3_free(message);
    return Status(ErrorKind::kInternal, std::string("search index: ") + m);
  }
  return Status::ok();
}

// Per query: the rows indexed, their mean length, and each phrase's idf.
struct Bm25Query {
  double rows = 0;
  double mean_length = 0;
  std::vector<double> idf;
  std::vector<int> tf;  // per phrase, for the row being scored
};

int count_rows(const Fts5ExtensionApi*, Fts5Context*, void* count) {
  ++*static_cast<int64_t*>(count);
  return SQLITE_OK;
}

// hub_bm25(table): the Hub's BM25 of the current row (fts_index.hpp).
void hub_bm25(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int,
              sqlite3_value**) {
  auto* q = static_cast<Bm25Query*>(api->xGetAuxdata(fts, 0));
  if (!q) {
    auto owned = std::make_unique<Bm25Query>();
    sqlite3_int64 rows = 0, tokens = 0;
    if (int rc = api->xRowCount(fts, &rows); rc != SQLITE_OK)
      return sqlite3_result_error_code(ctx, rc);
    if (int rc = api->xColumnTotalSize(fts, -1, &tokens); rc != SQLITE_OK) {
      return sqlite3_result_error_code(ctx, rc);
    }
    owned->rows = static_cast<double>(rows);
    owned->mean_length = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 0;
    int phrases = api->xPhraseCount(fts);
    for (int i = 0; i < phrases; ++i) {
      int64_t df = 0;
      if (int rc = api->xQueryPhrase(fts, i, &df, count_rows); rc != SQLITE_OK) {
        return sqlite3_result_error_code(ctx, rc);
      }
      double d = static_cast<double>(df);
      owned->idf.push_back(std::log((owned->rows - d + 0.5) / (d + 0.5) + 1.0));
    }
    owned->tf.resize(owned->idf.size());
    q = owned.get();
    if (int rc = api->xSetAuxdata(fts, owned.release(),
                                  [](void* p) { delete static_cast<Bm25Query*>(p); });
        rc != SQLITE_OK) {
      return sqlite3_result_error_code(ctx, rc);
    }
  }
  std::fill(q->tf.begin(), q->tf.end(), 0);
  int instances = 0;
  if (int rc = api->xInstCount(fts, &instances); rc != SQLITE_OK) {
    return sqlite3_result_error_code(ctx, rc);
  }
  for (int i = 0; i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    if (int rc = api->xInst(fts, i, &phrase, &column, &offset); rc != SQLITE_OK) {
      return sqlite3_result_error_code(ctx, rc);
    }
    if (phrase >= 0 && static_cast<size_t>(phrase) < q->tf.size()) ++q->tf[phrase];
  }
  int length = 0;
  if (int rc = api->xColumnSize(fts, -1, &length); rc != SQLITE_OK) {
    return sqlite3_result_error_code(ctx, rc);
  }
  double norm = q->mean_length > 0 ? static_cast<double>(length) / q->mean_length : 0;
  double score = 0;
  for (size_t i = 0; i < q->tf.size(); ++i) {
    if (q->tf[i] == 0) continue;
    double tf = q->tf[i];
    score += q->idf[i] * tf * (kK1 + 1) / (tf + kK1 * (1 - kB + kB * norm));
  }
  sqlite3_result_double(ctx, score);
}

Status register_bm25(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return sqlite_error(db, "FTS5 is missing");
  }
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (!api) return Status(ErrorKind::kInternal, "search index: SQLite has no FTS5");
  if (api->xCreateFunction(api, "hub_bm25", nullptr, hub_bm25, nullptr) != SQLITE_OK) {
    return sqlite_error(db, "registering hub_bm25");
  }
  return Status::ok();
}

// The FTS5 query of `terms`: each a quoted string (a phrase of its tokens), any of them.
std::string match_expression(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " OR ";
    out += '"';
    for (char c : t) {
      if (c == '"') out += '"';
      if (c != '\0') out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace

struct FtsIndexWriter::Insert {
  explicit Insert(sqlite3* db) : stmt(db, "INSERT INTO rows(rowid, text) VALUES(?, ?)") {}
  Statement stmt;
};

Result<std::unique_ptr<FtsIndexWriter>> FtsIndexWriter::create(const std::string& path) {
  std::unique_ptr<FtsIndexWriter> w(new FtsIndexWriter);
  w->path_ = path;
  std::random_device random;
  w->tmp_ = path + ".tmp" + std::to_string(random()) + std::to_string(::getpid());
  if (sqlite3_open_v2(w->tmp_.c_str(), &w->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return sqlite_error(w->db_, "creating " + w->tmp_);
  }
  // Written once, by one job, and renamed into place: no journal is needed.
  for (const char* sql :
       {"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA page_size=8192",
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
        "CREATE VIRTUAL TABLE rows USING fts5(text, content='', "
        "tokenize='unicode61 remove_diacritics 2')",
        "BEGIN"}) {
    if (auto s = exec(w->db_, sql); !s) return s;
  }
  Statement version(w->db_, "INSERT INTO meta VALUES('format', ?)");
  version.bind(1, std::to_string(kFormatVersion));
  if (version.step() != SQLITE_DONE) return sqlite_error(w->db_, "writing the format");
  w->insert_ = std::make_unique<Insert>(w->db_);
  if (!w->insert_->stmt.ok()) return sqlite_error(w->db_, "preparing");
  return w;
}

FtsIndexWriter::~FtsIndexWriter() {
  insert_.reset();
  if (db_) {
    sqlite3_close(db_);
    ::unlink(tmp_.c_str());
  }
}

Status FtsIndexWriter::add(uint64_t row, std::string_view text) {
  auto& s = insert_->stmt;
  s.bind(1, static_cast<int64_t>(row));
  s.bind(2, std::string(text));
  int rc = s.step();
  s.reset();
  if (rc != SQLITE_DONE) return sqlite_error(db_, "indexing a row");
  return Status::ok();
}

Status FtsIndexWriter::finish() {
  insert_.reset();
  for (const char* sql : {"COMMIT", "INSERT INTO rows(rows) VALUES('optimize')"}) {
    if (auto s = exec(db_, sql); !s) return s;
  }
  if (sqlite3_close(db_) != SQLITE_OK) return sqlite_error(db_, "closing");
  db_ = nullptr;
  // Durable before it is named: the rename is what makes it the split's index.
  int fd = ::open(tmp_.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    ::unlink(tmp_.c_str());
    return Status(ErrorKind::kInternal, "search index: cannot rename into " + path_);
  }
  return Status::ok();
}

Result<std::unique_ptr<FtsIndex>> FtsIndex::open(const std::string& path) {
  std::unique_ptr<FtsIndex> index(new FtsIndex);
  if (sqlite3_open_v2(path.c_str(), &index->db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    sqlite3_close(index->db_);
    index->db_ = nullptr;
    return Status(ErrorKind::kNotFound, "no search index at " + path);
  }
  Statement version(index->db_, "SELECT value FROM meta WHERE key = 'format'");
  if (!version.ok() || version.step() != SQLITE_ROW ||
      version.text(0) != std::to_string(kFormatVersion)) {
    return Status(ErrorKind::kNotFound, "a search index of another format at " + path);
  }
  if (auto s = register_bm25(index->db_); !s) return s;
  return index;
}

FtsIndex::~FtsIndex() {
  if (db_) sqlite3_close(db_);
}

Result<FtsHits> FtsIndex::search(const std::vector<std::string>& terms, uint64_t offset,
                                 uint64_t length, uint64_t max_millis) const {
  FtsHits hits;
  if (terms.empty()) return hits;
  std::string match = match_expression(terms);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_millis);
  sqlite3_progress_handler(
      db_, 10000,
      [](void* d) -> int {
        return std::chrono::steady_clock::now() >
                       *static_cast<std::chrono::steady_clock::time_point*>(d)
                   ? 1
                   : 0;
      },
      &deadline);
  struct Unset {
    sqlite3* db;
    ~Unset() { sqlite3_progress_handler(db, 0, nullptr, nullptr); }
  } unset{db_};
  auto failed = [&](const char* what) -> Status {
    if (sqlite3_errcode(db_) == SQLITE_INTERRUPT) {
      return Status(ErrorKind::kPayloadTooLarge,
                    "The search matches too many rows to rank within " +
                        std::to_string(max_millis) + " ms; use rarer words");
    }
    return sqlite_error(db_, what);
  };
  Statement count(db_, "SELECT count(*) FROM rows WHERE rows MATCH ?");
  if (!count.ok()) return failed("counting");
  count.bind(1, match);
  int rc = count.step();
  if (rc != SQLITE_ROW) return failed("counting");
  hits.total = static_cast<uint64_t>(count.integer(0));
  if (hits.total == 0 || offset >= hits.total || length == 0) return hits;
  Statement page(db_,
                 "SELECT rowid FROM rows WHERE rows MATCH ? "
                 "ORDER BY hub_bm25(rows) DESC, rowid LIMIT ? OFFSET ?");
  if (!page.ok()) return failed("ranking");
  page.bind(1, match);
  page.bind(2, static_cast<int64_t>(std::min<uint64_t>(length, INT64_MAX)));
  page.bind(3, static_cast<int64_t>(std::min<uint64_t>(offset, INT64_MAX)));
  while ((rc = page.step()) == SQLITE_ROW)
    hits.rows.push_back(static_cast<uint64_t>(page.integer(0)));
  if (rc != SQLITE_DONE) return failed("ranking");
  return hits;
}

}  // namespace vitrine::storage
