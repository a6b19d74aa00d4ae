// MetadataDb: the background job queue (service/jobs/job_queue.hpp has the rules). Claims and
// state changes are single write transactions, so two workers (or two nodes, once the queue
// moves to PostgreSQL) never hold the same job, and a worker that stopped loses its job when its
// lease runs out.
#include <string>
#include <vector>

#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {
namespace {

constexpr const char* kJobColumns =
    "id, kind, key, payload, state, attempts, progress, owner, created_ms, started_ms, "
    "finished_ms, lease_until_ms, error";

JobRecord job_at(const Statement& s) {
  JobRecord j;
  j.id = s.integer(0);
  j.kind = s.text(1);
  j.key = s.text(2);
  j.payload = s.text(3);
  // Only this file writes the state; one this release does not know is left alone: it reads as
  // failed, which no worker claims.
  j.state = domain::job_state_from_wire(s.text(4)).value_or(JobState::kFailed);
  j.attempts = s.integer(5);
  j.progress = s.real(6);
  j.owner = s.text(7);
  j.created_ms = s.integer(8);
  j.started_ms = s.integer(9);
  j.finished_ms = s.integer(10);
  j.lease_until_ms = s.integer(11);
  j.error = s.text(12);
  return j;
}

std::string select_jobs(const std::string& where) {
  return "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE " + where;
}

Lookup<JobRecord> job_by_key(sqlite3* db, const std::string& kind, const std::string& key) {
  Statement s(db, select_jobs("kind = ? AND key = ?").c_str());
  s.bind(1, kind).bind(2, key);
  return lookup_row(s, job_at);
}

}  // namespace

Result<JobRecord> MetadataDb::enqueue_job(const std::string& kind, const std::string& key,
                                          const std::string& payload, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  {
    Statement add(db_,
                  "INSERT INTO jobs(kind, key, payload, state, created_ms) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT(kind, key) DO NOTHING");
    add.bind(1, kind).bind(2, key).bind(3, payload).bind(4, to_wire(JobState::kQueued));
    add.bind(5, now_ms);
    if (auto st = step_done(add); !st) return st;
  }
  auto job = job_by_key(db_, kind, key);
  if (!job) return job.status();
  if (!*job) return internal_error("database error: the job just queued is missing");
  if (auto st = tx.commit(); !st) return st;
  return **job;
}

Lookup<JobRecord> MetadataDb::claim_job(const std::vector<std::string>& kinds,
                                        const std::string& owner, int64_t now_ms,
                                        int64_t lease_until_ms, int64_t max_attempts) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (!tx.status()) return tx.status();
  std::string where = "(state = 'queued' OR (state = 'running' AND lease_until_ms < ?))";
  if (!kinds.empty()) {
    where += " AND kind IN (";
    for (size_t i = 0; i < kinds.size(); ++i) where += i ? ", ?" : "?";
    where += ")";
  }
  for (;;) {
    std::optional<JobRecord> job;
    {
      Statement s(db_, (select_jobs(where) + " ORDER BY id LIMIT 1").c_str());
      s.bind(1, now_ms);
      int i = 2;
      for (const auto& k : kinds) s.bind(i++, k);
      auto found = lookup_row(s, job_at);
      if (!found) return found.status();
      job = std::move(*found);
    }
    if (!job) break;
    if (job->attempts >= max_attempts) {
      // Claimed that often and never finished: its workers keep stopping on it.
      Statement fail(db_,
                     "UPDATE jobs SET state = 'failed', owner = '', finished_ms = ?, error = ? "
                     "WHERE id = ?");
      fail.bind(1, now_ms)
          .bind(2, "stopped " + std::to_string(job->attempts) + " times without finishing" +
                       (job->error.empty() ? std::string() : " (last error: " + job->error + ")"))
          .bind(3, job->id);
      if (auto st = step_done(fail); !st) return st;
      continue;
    }
    Statement take(db_,
                   "UPDATE jobs SET state = 'running', owner = ?, attempts = attempts + 1, "
                   "started_ms = ?, lease_until_ms = ?, progress = 0 WHERE id = ?");
    take.bind(1, owner).bind(2, now_ms).bind(3, lease_until_ms).bind(4, job->id);
    if (auto st = step_done(take); !st) return st;
    job->state = JobState::kRunning;
    job->owner = owner;
    job->attempts += 1;
    job->started_ms = now_ms;
    job->lease_until_ms = lease_until_ms;
    job->progress = 0;
    if (auto st = tx.commit(); !st) return st;
    return job;
  }
  if (auto st = tx.commit(); !st) return st;
  return std::optional<JobRecord>();
}

Status MetadataDb::renew_job(int64_t id, const std::string& owner, int64_t lease_until_ms,
                             double progress) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "UPDATE jobs SET lease_until_ms = ?, progress = ? "
              "WHERE id = ? AND owner = ? AND state = 'running'");
  s.bind(1, lease_until_ms).bind_real(2, progress).bind(3, id).bind(4, owner);
  if (auto st = step_done(s); !st) return st;
  if (sqlite3_changes(db_) == 0) {
    return Status(ErrorKind::kPreconditionFailed, "the job's lease was lost");
  }
  return Status::ok();
}

Status MetadataDb::finish_job(int64_t id, const std::string& owner, JobState state,
                              const std::string& error, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "UPDATE jobs SET state = ?, error = ?, owner = '', lease_until_ms = 0, "
              "finished_ms = ?, progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END "
              "WHERE id = ? AND owner = ? AND state = 'running'");
  s.bind(1, to_wire(state)).bind(2, error).bind(3, state == JobState::kQueued ? 0 : now_ms);
  s.bind(4, to_wire(state)).bind(5, id).bind(6, owner);
  if (auto st = step_done(s); !st) return st;
  if (sqlite3_changes(db_) == 0) {
    return Status(ErrorKind::kPreconditionFailed, "the job's lease was lost");
  }
  return Status::ok();
}

Lookup<JobRecord> MetadataDb::find_job(int64_t id) {
  auto reader = this->reader();
  Statement s(reader.get(), select_jobs("id = ?").c_str());
  s.bind(1, id);
  return lookup_row(s, job_at);
}

Lookup<JobRecord> MetadataDb::find_job_by_key(const std::string& kind, const std::string& key) {
  auto reader = this->reader();
  return job_by_key(reader.get(), kind, key);
}

Result<std::vector<JobRecord>> MetadataDb::list_jobs(std::optional<JobState> state, size_t limit) {
  auto reader = this->reader();
  Statement s(reader.get(),
              (select_jobs(state ? "state = ?" : "1") + " ORDER BY id DESC LIMIT ?").c_str());
  int i = 1;
  if (state) s.bind(i++, to_wire(*state));
  s.bind(i, static_cast<int64_t>(limit));
  std::vector<JobRecord> out;
  for (;;) {
    auto row = next_row(s);
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(job_at(s));
  }
  return out;
}

Lookup<JobRecord> MetadataDb::requeue_job(const std::string& kind, const std::string& key) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "UPDATE jobs SET state = 'queued', attempts = 0, progress = 0, owner = '', "
              "started_ms = 0, finished_ms = 0, lease_until_ms = 0, error = '' "
              "WHERE kind = ? AND key = ? AND state IN ('done', 'failed')");
  s.bind(1, kind).bind(2, key);
  if (auto st = step_done(s); !st) return st;
  return job_by_key(db_, kind, key);
}

}  // namespace vitrine::storage
