// MetadataDb: the listing tags of repositories (what `filter`, `pipeline_tag`, `license`...
// of GET /api/models and /api/datasets match) and the plan of listing queries.
#include <string>
#include <vector>

#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {

Status MetadataDb::set_repo_tags(const std::string& uid, const std::vector<std::string>& tags) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement clear(db_, "DELETE FROM repo_tags WHERE uid = ?");
  clear.bind(1, uid);
  if (auto st = step_done(clear); !st) return st;
  // OR IGNORE: the key compares the tag without case, so "MIT" after "mit" is a duplicate.
  Statement insert(db_, "INSERT OR IGNORE INTO repo_tags(uid, tag) VALUES(?, ?)");
  for (const auto& tag : tags) {
    insert.bind(1, uid).bind(2, tag);
    if (auto st = step_done(insert); !st) return st;
    insert.reset();
  }
  return tx.commit();
}

std::vector<std::string> MetadataDb::repo_tags(const std::string& uid) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT tag FROM repo_tags WHERE uid = ? ORDER BY tag");
  s.bind(1, uid);
  std::vector<std::string> out;
  while (s.step() == SQLITE_ROW) out.push_back(s.text(0));
  return out;
}

bool MetadataDb::any_repo_tags() {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT 1 FROM repo_tags LIMIT 1");
  return s.step() == SQLITE_ROW;
}

std::vector<std::string> MetadataDb::explain_list_repos(const RepoListQuery& q) {
  auto reader = this->reader();
  std::vector<std::string> params;
  std::string sql = "EXPLAIN QUERY PLAN " + list_repos_sql(q, &params);
  Statement s(reader.get(), sql.c_str());
  int i = 1;
  for (const auto& p : params) s.bind(i++, p);
  s.bind(i, q.limit);
  s.bind(i + 1, q.offset);
  std::vector<std::string> out;
  while (s.step() == SQLITE_ROW) out.push_back(s.text(3));  // id, parent, notused, detail
  return out;
}

}  // namespace vitrine::storage
