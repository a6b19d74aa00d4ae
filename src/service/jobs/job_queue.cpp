#include "service/jobs/job_queue.hpp"

#include <algorithm>

#include "service/hub.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/time.hpp"

namespace vitrine::service {

Result<domain::JobRecord> JobQueue::enqueue(const std::string& kind, const std::string& key,
                                            const std::string& payload) {
  if (kind.empty() || key.empty()) return bad_request("a job needs a kind and a key");
  return hub_.db().enqueue_job(kind, key, payload, util::now_ms());
}

Lookup<domain::JobRecord> JobQueue::claim(const std::vector<std::string>& kinds,
                                          const std::string& owner) {
  const int64_t now = util::now_ms();
  return hub_.db().claim_job(kinds, owner, now, now + kLeaseMs, kMaxAttempts);
}

Status JobQueue::renew(const domain::JobRecord& job, double progress) {
  return hub_.db().renew_job(job.id, job.owner, util::now_ms() + kLeaseMs,
                             std::clamp(progress, 0.0, 1.0));
}

Status JobQueue::succeed(const domain::JobRecord& job) {
  return hub_.db().finish_job(job.id, job.owner, domain::JobState::kDone, "", util::now_ms());
}

Status JobQueue::fail(const domain::JobRecord& job, const std::string& error, bool final) {
  bool retry = !final && job.attempts < kMaxAttempts;
  return hub_.db().finish_job(job.id, job.owner,
                              retry ? domain::JobState::kQueued : domain::JobState::kFailed, error,
                              util::now_ms());
}

Lookup<domain::JobRecord> JobQueue::find(int64_t id) {
  return hub_.db().find_job(id);
}

Lookup<domain::JobRecord> JobQueue::find(const std::string& kind, const std::string& key) {
  return hub_.db().find_job_by_key(kind, key);
}

Result<domain::JobRecord> JobQueue::redo(const std::string& kind, const std::string& key,
                                         const std::string& payload) {
  auto again = hub_.db().requeue_job(kind, key);
  if (!again) return again.status();
  if (*again) return **again;
  return enqueue(kind, key, payload);
}

Result<std::vector<domain::JobRecord>> JobQueue::list(std::optional<domain::JobState> state) {
  return hub_.db().list_jobs(state, kMaxListed);
}

}  // namespace vitrine::service
