#include "service/jobs/job_queue.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "hub_test_fixture.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {
namespace {

using domain::JobState;

class JobQueueTest : public HubTest {};

TEST_F(JobQueueTest, TheSameWorkIsQueuedOnceEvenAfterItIsDone) {
  JobQueue jobs(*hub_);
  auto a = jobs.enqueue("dataset-revision", "uid1@c1", "{}");
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  EXPECT_EQ(a->state, JobState::kQueued);
  auto again = jobs.enqueue("dataset-revision", "uid1@c1", "{\"other\":1}");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->id, a->id);
  EXPECT_EQ(again->payload, "{}");
  auto b = jobs.enqueue("dataset-revision", "uid1@c2", "{}");
  auto c = jobs.enqueue("index-build", "uid1@c1", "{}");  // another kind, same key
  ASSERT_TRUE(b.is_ok() && c.is_ok());
  EXPECT_NE(b->id, a->id);
  EXPECT_NE(c->id, a->id);

  auto claimed = jobs.claim({"dataset-revision"}, "w1");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->id, a->id);
  ASSERT_TRUE(jobs.succeed(**claimed).is_ok());
  auto done = jobs.enqueue("dataset-revision", "uid1@c1", "{}");
  ASSERT_TRUE(done.is_ok());
  EXPECT_EQ(done->id, a->id);
  EXPECT_EQ(done->state, JobState::kDone);
  EXPECT_EQ(done->progress, 1.0);
  EXPECT_FALSE(jobs.enqueue("", "k", "").is_ok());
}

TEST_F(JobQueueTest, WorkersClaimOldestFirstEachJobOnceAndOnlyTheKindsTheyAsk) {
  JobQueue jobs(*hub_);
  auto first = *jobs.enqueue("a", "1", "");
  auto second = *jobs.enqueue("b", "2", "");
  auto third = *jobs.enqueue("a", "3", "");
  auto w1 = jobs.claim({"a"}, "w1");
  ASSERT_TRUE(w1.is_ok() && w1->has_value());
  EXPECT_EQ((*w1)->id, first.id);
  EXPECT_EQ((*w1)->state, JobState::kRunning);
  EXPECT_EQ((*w1)->attempts, 1);
  EXPECT_EQ((*w1)->owner, "w1");
  auto w2 = jobs.claim({"a"}, "w2");
  ASSERT_TRUE(w2.is_ok() && w2->has_value());
  EXPECT_EQ((*w2)->id, third.id);
  auto w3 = jobs.claim({"a"}, "w3");
  ASSERT_TRUE(w3.is_ok());
  EXPECT_FALSE(w3->has_value());  // the only one left is of kind b
  auto any = jobs.claim({}, "w4");
  ASSERT_TRUE(any.is_ok() && any->has_value());
  EXPECT_EQ((*any)->id, second.id);
}

TEST_F(JobQueueTest, AStoppedWorkerLosesItsJobWhenTheLeaseRunsOut) {
  auto& db = hub_->db();
  auto job = db.enqueue_job("a", "1", "", 1000);
  ASSERT_TRUE(job.is_ok());
  auto w1 = db.claim_job({}, "w1", 1000, 2000, 3);
  ASSERT_TRUE(w1.is_ok() && w1->has_value());
  // While the lease holds, nobody else gets it.
  auto early = db.claim_job({}, "w2", 1999, 3000, 3);
  ASSERT_TRUE(early.is_ok());
  EXPECT_FALSE(early->has_value());
  ASSERT_TRUE(db.renew_job(job->id, "w1", 2500, 0.5).is_ok());
  auto still = db.claim_job({}, "w2", 2400, 3000, 3);
  ASSERT_TRUE(still.is_ok());
  EXPECT_FALSE(still->has_value());
  // Past it, the next worker takes over; the first can neither renew nor finish it.
  auto w2 = db.claim_job({}, "w2", 2501, 5000, 3);
  ASSERT_TRUE(w2.is_ok() && w2->has_value());
  EXPECT_EQ((*w2)->attempts, 2);
  EXPECT_EQ((*w2)->owner, "w2");
  EXPECT_EQ((*w2)->progress, 0.0);
  EXPECT_EQ(db.renew_job(job->id, "w1", 9000, 0.9).kind(), ErrorKind::kPreconditionFailed);
  EXPECT_EQ(db.finish_job(job->id, "w1", JobState::kDone, "", 2600).kind(),
            ErrorKind::kPreconditionFailed);
  ASSERT_TRUE(db.finish_job(job->id, "w2", JobState::kDone, "", 2700).is_ok());
  auto found = db.find_job(job->id);
  ASSERT_TRUE(found.is_ok() && found->has_value());
  EXPECT_EQ((*found)->state, JobState::kDone);
  EXPECT_EQ((*found)->finished_ms, 2700);
}

TEST_F(JobQueueTest, AJobWhoseWorkersKeepStoppingFailsAfterTheLastAttempt) {
  auto& db = hub_->db();
  auto job = *db.enqueue_job("a", "1", "", 0);
  int64_t now = 10;
  for (int i = 1; i <= 3; ++i) {
    auto claimed = db.claim_job({}, "w" + std::to_string(i), now, now + 5, 3);
    ASSERT_TRUE(claimed.is_ok() && claimed->has_value()) << i;
    EXPECT_EQ((*claimed)->attempts, i);
    now += 10;  // the lease runs out: the worker stopped
  }
  auto none = db.claim_job({}, "w4", now, now + 5, 3);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  auto found = *db.find_job(job.id);
  EXPECT_EQ(found->state, JobState::kFailed);
  EXPECT_NE(found->error.find("stopped 3 times"), std::string::npos) << found->error;
}

TEST_F(JobQueueTest, FailuresAreRetriedUntilTheLastAttemptAndFinalOnesAtOnce) {
  JobQueue jobs(*hub_);
  auto job = *jobs.enqueue("a", "1", "");
  for (int64_t attempt = 1; attempt <= JobQueue::kMaxAttempts; ++attempt) {
    auto claimed = jobs.claim({}, "w");
    ASSERT_TRUE(claimed.is_ok() && claimed->has_value()) << attempt;
    ASSERT_TRUE(jobs.fail(**claimed, "disk full", false).is_ok());
    auto now = *jobs.find(job.id);
    EXPECT_EQ(now->state, attempt < JobQueue::kMaxAttempts ? JobState::kQueued : JobState::kFailed);
    EXPECT_EQ(now->error, "disk full");
  }
  auto none = jobs.claim({}, "w");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());

  auto bad = *jobs.enqueue("a", "2", "");
  auto claimed = jobs.claim({}, "w");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value());
  ASSERT_TRUE(jobs.fail(**claimed, "not a Parquet file", true).is_ok());
  EXPECT_EQ((*jobs.find(bad.id))->state, JobState::kFailed);
}

TEST_F(JobQueueTest, JobsSurviveARestartAndListNewestFirst) {
  JobQueue jobs(*hub_);
  auto a = *jobs.enqueue("a", "1", "{\"x\":1}");
  auto b = *jobs.enqueue("a", "2", "");
  auto claimed = jobs.claim({}, "w1");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value());
  ASSERT_TRUE(jobs.renew(**claimed, 0.25).is_ok());
  reopen();
  ASSERT_FALSE(HasFatalFailure());
  JobQueue after(*hub_);
  auto all = after.list(std::nullopt);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b.id);
  EXPECT_EQ((*all)[1].id, a.id);
  EXPECT_EQ((*all)[1].state, JobState::kRunning);
  EXPECT_EQ((*all)[1].owner, "w1");
  EXPECT_EQ((*all)[1].progress, 0.25);
  EXPECT_EQ((*all)[1].payload, "{\"x\":1}");
  auto queued = after.list(JobState::kQueued);
  ASSERT_TRUE(queued.is_ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].id, b.id);
  auto by_key = after.find("a", "2");
  ASSERT_TRUE(by_key.is_ok() && by_key->has_value());
  EXPECT_EQ((*by_key)->id, b.id);
}

TEST_F(JobQueueTest, AStoredStateThisReleaseDoesNotKnowIsNeverClaimed) {
  JobQueue jobs(*hub_);
  auto job = *jobs.enqueue("a", "1", "");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "vitrine.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE jobs SET state = 'paused'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto none = jobs.claim({}, "w");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ((*jobs.find(job.id))->state, JobState::kFailed);
}

}  // namespace
}  // namespace vitrine::service
