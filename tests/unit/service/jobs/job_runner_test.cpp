#include "service/jobs/job_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "hub_test_fixture.hpp"
#include "service/jobs/job_queue.hpp"

namespace vitrine::service {
namespace {

using domain::JobState;

class JobRunnerTest : public HubTest {};

TEST_F(JobRunnerTest, RunsEachQueuedJobOfItsKindsAndRecordsTheOutcome) {
  JobQueue queue(*hub_);
  auto ok = *queue.enqueue("work", "ok", "payload-1");
  auto bad = *queue.enqueue("work", "bad", "");
  auto other = *queue.enqueue("other-kind", "x", "");
  std::vector<std::string> seen;
  JobRunner runner(*hub_);
  runner.handle("work", [&](JobContext& c) {
    seen.push_back(c.job().key + ":" + c.job().payload);
    c.progress(0.5);
    if (c.job().key == "bad") return JobOutcome::give_up(unprocessable("bad input"));
    return JobOutcome::ok();
  });
  EXPECT_EQ(runner.run_pending("test"), 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"ok:payload-1", "bad:"}));
  EXPECT_EQ((*queue.find(ok.id))->state, JobState::kDone);
  auto failed = **queue.find(bad.id);
  EXPECT_EQ(failed.state, JobState::kFailed);  // final: not retried
  EXPECT_EQ(failed.error, "bad input");
  EXPECT_EQ((*queue.find(other.id))->state, JobState::kQueued);  // no function for its kind
}

TEST_F(JobRunnerTest, ARetryableFailureRunsAgainUntilTheAttemptsRunOut) {
  JobQueue queue(*hub_);
  auto job = *queue.enqueue("work", "flaky", "");
  int runs = 0;
  JobRunner runner(*hub_);
  runner.handle("work", [&](JobContext&) {
    ++runs;
    return JobOutcome::retry(internal_error("disk hiccup"));
  });
  runner.run_pending("test");
  EXPECT_EQ(runs, JobQueue::kMaxAttempts);
  auto after = **queue.find(job.id);
  EXPECT_EQ(after.state, JobState::kFailed);
  EXPECT_EQ(after.error, "disk hiccup");
}

TEST_F(JobRunnerTest, AnExceptionInAJobIsAFailureNotACrash) {
  JobQueue queue(*hub_);
  auto job = *queue.enqueue("work", "throws", "");
  JobRunner runner(*hub_);
  runner.handle("work", [&](JobContext&) -> JobOutcome { throw std::runtime_error("boom"); });
  runner.run_pending("test");
  auto after = **queue.find(job.id);
  EXPECT_EQ(after.state, JobState::kFailed);
  EXPECT_NE(after.error.find("boom"), std::string::npos);
}

TEST_F(JobRunnerTest, RedoQueuesFinishedWorkAgainWithItsAttemptsReset) {
  JobQueue queue(*hub_);
  auto job = *queue.enqueue("work", "k", "p");
  JobRunner runner(*hub_);
  int runs = 0;
  runner.handle("work", [&](JobContext&) {
    ++runs;
    return JobOutcome::ok();
  });
  runner.run_pending("test");
  EXPECT_EQ(queue.enqueue("work", "k", "p")->state, JobState::kDone);  // queued once
  auto again = queue.redo("work", "k", "p");
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(again->id, job.id);
  EXPECT_EQ(again->state, JobState::kQueued);
  EXPECT_EQ(again->attempts, 0);
  runner.run_pending("test");
  EXPECT_EQ(runs, 2);
  auto fresh = queue.redo("work", "new", "p");  // nothing to redo: queued
  ASSERT_TRUE(fresh.is_ok());
  EXPECT_EQ(fresh->state, JobState::kQueued);
}

TEST_F(JobRunnerTest, BackgroundWorkersTakeQueuedWorkWhenWokenAndStopCleanly) {
  std::atomic<int> runs{0};
  JobRunner runner(*hub_);
  runner.handle("work", [&](JobContext&) {
    ++runs;
    return JobOutcome::ok();
  });
  runner.start(2);
  JobQueue queue(*hub_);
  for (int i = 0; i < 5; ++i) queue.enqueue("work", std::to_string(i), "");
  runner.wake();
  for (int i = 0; i < 200 && runs < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  runner.stop();
  EXPECT_EQ(runs, 5);
  auto done = queue.list(JobState::kDone);
  ASSERT_TRUE(done.is_ok());
  EXPECT_EQ(done->size(), 5u);
}

}  // namespace
}  // namespace vitrine::service
