// MetadataDb: the dataset viewer's answers (service/datasets/dataset_viewer.hpp has the rules).
#include <string>
#include <vector>

#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {
namespace {

constexpr const char* kSelectResults =
    "SELECT repo_uid, revision, step, config, split, http_status, error_code, body, updated_ms "
    "FROM viewer_results WHERE ";

ViewerResult result_at(const Statement& s) {
  ViewerResult r;
  r.repo_uid = s.text(0);
  r.revision = s.text(1);
  r.step = s.text(2);
  r.config = s.text(3);
  r.split = s.text(4);
  r.http_status = static_cast<int>(s.integer(5));
  r.error_code = s.text(6);
  r.body = s.text(7);
  r.updated_ms = s.integer(8);
  return r;
}

}  // namespace

Status MetadataDb::put_viewer_result(const ViewerResult& r) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO viewer_results(repo_uid, revision, step, config, split, http_status, "
              "error_code, body, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(repo_uid, revision, step, config, split) DO UPDATE SET "
              "http_status = excluded.http_status, error_code = excluded.error_code, "
              "body = excluded.body, updated_ms = excluded.updated_ms");
  s.bind(1, r.repo_uid).bind(2, r.revision).bind(3, r.step).bind(4, r.config).bind(5, r.split);
  s.bind(6, static_cast<int64_t>(r.http_status)).bind(7, r.error_code).bind(8, r.body);
  s.bind(9, r.updated_ms);
  return step_done(s);
}

Lookup<ViewerResult> MetadataDb::viewer_result(const std::string& uid, const std::string& revision,
                                               const std::string& step, const std::string& config,
                                               const std::string& split) {
  auto reader = this->reader();
  Statement s(reader.get(), (std::string(kSelectResults) +
                             "repo_uid = ? AND revision = ? AND step = ? AND config = ? AND "
                             "split = ?")
                                .c_str());
  s.bind(1, uid).bind(2, revision).bind(3, step).bind(4, config).bind(5, split);
  return lookup_row(s, result_at);
}

Result<std::vector<ViewerResult>> MetadataDb::viewer_results(const std::string& uid,
                                                             const std::string& revision,
                                                             const std::string& step) {
  auto reader = this->reader();
  Statement s(reader.get(), (std::string(kSelectResults) +
                             "repo_uid = ? AND revision = ? AND step = ? ORDER BY config, split")
                                .c_str());
  s.bind(1, uid).bind(2, revision).bind(3, step);
  std::vector<ViewerResult> out;
  for (;;) {
    auto row = next_row(s);
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(result_at(s));
  }
  return out;
}

Result<std::vector<std::tuple<std::string, std::string, std::string>>> MetadataDb::viewer_outcomes(
    const std::string& uid, const std::string& revision, const std::string& step) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT config, split, error_code FROM viewer_results WHERE repo_uid = ? AND "
              "revision = ? AND step = ? ORDER BY config, split");
  s.bind(1, uid).bind(2, revision).bind(3, step);
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  for (;;) {
    auto row = next_row(s);
    if (!row) return row.status();
    if (!*row) break;
    out.emplace_back(s.text(0), s.text(1), s.text(2));
  }
  return out;
}

Result<std::vector<std::string>> MetadataDb::viewer_revisions(const std::string& uid,
                                                              const std::string& step) {
  auto reader = this->reader();
  Statement s(reader.get(),
              "SELECT revision, MAX(updated_ms) AS t FROM viewer_results WHERE repo_uid = ? AND "
              "step = ? GROUP BY revision ORDER BY t DESC");
  s.bind(1, uid).bind(2, step);
  std::vector<std::string> out;
  for (;;) {
    auto row = next_row(s);
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(s.text(0));
  }
  return out;
}

Status MetadataDb::delete_viewer_results(const std::string& uid, const std::string& keep) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM viewer_results WHERE repo_uid = ? AND revision != ?");
  s.bind(1, uid).bind(2, keep);
  return step_done(s);
}

}  // namespace vitrine::storage
