// A job of the hub's background queue (service/jobs/job_queue.hpp): one unit of work (a
// dataset revision's processing, later evaluations and index builds), named by its kind and a
// key that says what it is about, so the same work is never queued twice.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrine::domain {

enum class JobState {
  kQueued,   // waiting for a worker
  kRunning,  // claimed by a worker whose lease has not run out
  kDone,
  kFailed,  // failed its last allowed attempt (`error` says why)
};

inline constexpr std::array<JobState, 4> kJobStates = {JobState::kQueued, JobState::kRunning,
                                                       JobState::kDone, JobState::kFailed};

// "queued" | "running" | "done" | "failed"
const std::string& to_wire(JobState state);
std::optional<JobState> job_state_from_wire(std::string_view text);

struct JobRecord {
  int64_t id = 0;
  std::string kind;     // e.g. "dataset-revision"
  std::string key;      // unique within the kind, e.g. "<repo uid>@<commit>"
  std::string payload;  // what the worker needs, as the kind defines it (JSON)
  JobState state = JobState::kQueued;
  int64_t attempts = 0;  // claims so far
  double progress = 0;   // 0..1, as the worker last reported it
  std::string owner;     // the worker holding a running job's lease
  int64_t created_ms = 0;
  int64_t started_ms = 0;  // the last claim
  int64_t finished_ms = 0;
  int64_t lease_until_ms = 0;  // a running job whose lease ran out may be claimed again
  std::string error;           // the last attempt's failure
};

}  // namespace vitrine::domain
