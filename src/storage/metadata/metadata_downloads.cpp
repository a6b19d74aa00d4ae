// MetadataDb: download counts. `repo_downloads` holds one row per repository and UTC day with
// downloads; `repos.downloads` (the last 30 days) and `repos.downloads_all_time` are kept next
// to the other repository columns so that listings sort on them without a join.
#include <string>
#include <utility>
#include <vector>

#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {
namespace {

// The days a 30-day count covers: (today - 30, today].
constexpr int64_t kWindowDays = 30;

constexpr const char* kRecount =
    "UPDATE repos SET downloads = COALESCE((SELECT SUM(count) FROM repo_downloads d "
    "WHERE d.uid = repos.uid AND d.day > ?), 0)";

}  // namespace

Status MetadataDb::add_downloads(const std::vector<std::pair<std::string, int64_t>>& counts,
                                 int64_t day) {
  if (counts.empty()) return Status::ok();
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  // The day row only for a repository that still exists (a deleted one leaves nothing behind).
  Statement add_day(db_,
                    "INSERT INTO repo_downloads(uid, day, count) SELECT uid, ?2, ?3 FROM repos "
                    "WHERE uid = ?1 ON CONFLICT(uid, day) DO UPDATE SET count = count + ?3");
  Statement add_total(
      db_, "UPDATE repos SET downloads_all_time = downloads_all_time + ?2 WHERE uid = ?1");
  Statement recount(db_, (std::string(kRecount) + " WHERE uid = ?2").c_str());
  for (const auto& [uid, n] : counts) {
    add_day.bind(1, uid).bind(2, day).bind(3, n);
    if (auto st = step_done(add_day); !st) return st;
    add_day.reset();
    add_total.bind(1, uid).bind(2, n);
    if (auto st = step_done(add_total); !st) return st;
    add_total.reset();
    recount.bind(1, day - kWindowDays).bind(2, uid);
    if (auto st = step_done(recount); !st) return st;
    recount.reset();
  }
  return tx.commit();
}

Status MetadataDb::roll_download_window(int64_t today) {
  GenerationBump bump(repo_generation_);  // on return: cached rows read before are void
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  Statement drop(db_, "DELETE FROM repo_downloads WHERE day <= ?");
  drop.bind(1, today - kWindowDays);
  if (auto st = step_done(drop); !st) return st;
  // Only rows that can change: a count still above zero, or a repository with recent days.
  Statement recount(db_, (std::string(kRecount) +
                          " WHERE downloads != 0 OR uid IN (SELECT uid FROM repo_downloads)")
                             .c_str());
  recount.bind(1, today - kWindowDays);
  if (auto st = step_done(recount); !st) return st;
  return tx.commit();
}

}  // namespace vitrine::storage
