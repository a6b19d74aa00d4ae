// MetadataDb: the lineage index (service/lineage/lineage.hpp) and the cache of parsed weight
// headers.
#include <string>

#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {

namespace {

constexpr const char* kEdgeColumns =
    "child_uid, child_commit, relation, parent_type, parent_id, parent_uid, parent_commit, "
    "verified, source, detail_json";

LineageEdgeRow read_edge(const Statement& s) {
  LineageEdgeRow e;
  e.child_uid = s.text(0);
  e.child_commit = s.text(1);
  e.relation = s.text(2);
  e.parent_type = s.text(3);
  e.parent_id = s.text(4);
  e.parent_uid = s.text(5);
  e.parent_commit = s.text(6);
  e.verified = s.integer(7) != 0;
  e.source = s.text(8);
  e.detail_json = s.text(9);
  return e;
}

std::vector<LineageEdgeRow> read_edges(Statement& s) {
  std::vector<LineageEdgeRow> out;
  while (s.step() == SQLITE_ROW) out.push_back(read_edge(s));
  return out;
}

}  // namespace

Status MetadataDb::put_lineage_revision(const std::string& uid, const std::string& commit,
                                        const std::string& facts_json,
                                        const std::vector<LineageEdgeRow>& edges) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement del(db_, "DELETE FROM lineage_edges WHERE child_uid = ? AND child_commit = ?");
  del.bind(1, uid).bind(2, commit);
  if (auto st = step_done(del); !st) return st;
  Statement rev(db_,
                "INSERT OR REPLACE INTO lineage_revisions(uid, commit_sha, indexed_at, facts_json) "
                "VALUES(?,?,strftime('%s','now')*1000,?)");
  rev.bind(1, uid).bind(2, commit).bind(3, facts_json);
  if (auto st = step_done(rev); !st) return st;
  int64_t ord = 0;
  for (const auto& e : edges) {
    Statement ins(db_,
                  "INSERT INTO lineage_edges(child_uid, child_commit, ord, relation, parent_type, "
                  "parent_id, parent_uid, parent_commit, verified, source, detail_json) "
                  "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    ins.bind(1, uid)
        .bind(2, commit)
        .bind(3, ord++)
        .bind(4, e.relation)
        .bind(5, e.parent_type)
        .bind(6, e.parent_id)
        .bind(7, e.parent_uid)
        .bind(8, e.parent_commit)
        .bind(9, static_cast<int64_t>(e.verified ? 1 : 0))
        .bind(10, e.source)
        .bind(11, e.detail_json);
    if (auto st = step_done(ins); !st) return st;
  }
  return tx.commit();
}

Lookup<std::string> MetadataDb::lineage_facts(const std::string& uid, const std::string& commit) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT facts_json FROM lineage_revisions WHERE uid = ? AND commit_sha = ?");
  s.bind(1, uid).bind(2, commit);
  return lookup_row(s, [](const Statement& row) { return row.text(0); });
}

std::vector<LineageEdgeRow> MetadataDb::lineage_edges_of(const std::string& uid,
                                                         const std::string& commit) {
  auto reader = this->reader();
  Statement s(reader.get(), (std::string("SELECT ") + kEdgeColumns +
                             " FROM lineage_edges WHERE child_uid = ? AND child_commit = ? "
                             "ORDER BY ord")
                                .c_str());
  s.bind(1, uid).bind(2, commit);
  return read_edges(s);
}

std::vector<LineageEdgeRow> MetadataDb::lineage_edges_to(const std::string& parent_uid,
                                                         const std::string& commit) {
  auto reader = this->reader();
  Statement s(reader.get(), (std::string("SELECT ") + kEdgeColumns +
                             " FROM lineage_edges WHERE parent_uid = ?1 AND "
                             "(?2 = '' OR parent_commit = ?2 OR parent_commit = '') "
                             "ORDER BY child_uid, child_commit, ord")
                                .c_str());
  s.bind(1, parent_uid).bind(2, commit);
  return read_edges(s);
}

std::vector<LineageEdgeRow> MetadataDb::lineage_edges_at_ref(const std::string& ref) {
  auto reader = this->reader();
  Statement s(reader.get(), (std::string("SELECT ") + kEdgeColumns +
                             " FROM lineage_heads h JOIN lineage_edges e ON "
                             "e.child_uid = h.uid AND e.child_commit = h.commit_sha "
                             "WHERE h.ref = ? ORDER BY e.child_uid, e.ord")
                                .c_str());
  s.bind(1, ref);
  return read_edges(s);
}

Status MetadataDb::set_lineage_heads(
    const std::string& uid, const std::vector<std::pair<std::string, std::string>>& ref_commits) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement del(db_, "DELETE FROM lineage_heads WHERE uid = ?");
  del.bind(1, uid);
  if (auto st = step_done(del); !st) return st;
  for (const auto& [ref, commit] : ref_commits) {
    Statement ins(db_, "INSERT OR REPLACE INTO lineage_heads(uid, ref, commit_sha) VALUES(?,?,?)");
    ins.bind(1, uid).bind(2, ref).bind(3, commit);
    if (auto st = step_done(ins); !st) return st;
  }
  return tx.commit();
}

std::vector<std::pair<std::string, std::string>> MetadataDb::lineage_heads(const std::string& uid) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT ref, commit_sha FROM lineage_heads WHERE uid = ? ORDER BY ref");
  s.bind(1, uid);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step() == SQLITE_ROW) out.emplace_back(s.text(0), s.text(1));
  return out;
}

Status MetadataDb::delete_lineage(const std::string& uid) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  for (const char* sql :
       {"DELETE FROM lineage_edges WHERE child_uid = ?",
        "DELETE FROM lineage_revisions WHERE uid = ?", "DELETE FROM lineage_heads WHERE uid = ?"}) {
    Statement s(db_, sql);
    s.bind(1, uid);
    if (auto st = step_done(s); !st) return st;
  }
  return tx.commit();
}

std::vector<std::pair<std::string, std::string>> MetadataDb::lineage_unlinked_children(
    const std::string& parent_type, const std::string& parent_id) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT DISTINCT child_uid, child_commit FROM lineage_edges WHERE parent_type = ? "
              "AND parent_id = ? COLLATE NOCASE AND (parent_uid = '' OR parent_uid NOT IN "
              "(SELECT uid FROM repos))");
  s.bind(1, parent_type).bind(2, parent_id);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step() == SQLITE_ROW) out.emplace_back(s.text(0), s.text(1));
  return out;
}

std::vector<std::string> MetadataDb::private_repo_uids() {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT uid FROM repos WHERE private = 1");
  std::vector<std::string> out;
  while (s.step() == SQLITE_ROW) out.push_back(s.text(0));
  return out;
}

std::vector<std::string> MetadataDb::lineage_repos() {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT DISTINCT uid FROM lineage_revisions ORDER BY uid");
  std::vector<std::string> out;
  while (s.step() == SQLITE_ROW) out.push_back(s.text(0));
  return out;
}

Lookup<std::string> MetadataDb::weight_header(const std::string& key) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT summary_json FROM weight_headers WHERE content_key = ?");
  s.bind(1, key);
  return lookup_row(s, [](const Statement& row) { return row.text(0); });
}

Status MetadataDb::put_weight_header(const std::string& key, const std::string& summary_json) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT OR REPLACE INTO weight_headers(content_key, summary_json) VALUES(?,?)");
  s.bind(1, key).bind(2, summary_json);
  return step_done(s);
}

}  // namespace vitrine::storage
