// The domain's enums read back what they write, and read nothing else.
#include <gtest/gtest.h>

#include "domain/access_level.hpp"
#include "domain/gating_mode.hpp"
#include "domain/job.hpp"
#include "domain/repo_kind.hpp"
#include "domain/role.hpp"

namespace vitrine::domain {
namespace {

TEST(RepoKindWire, EachSpellingReadsBack) {
  for (auto kind : kRepoKinds) {
    EXPECT_EQ(repo_kind_from_wire(to_wire(kind)), kind);
    EXPECT_EQ(repo_kind_from_plural(plural(kind)), kind);
  }
  EXPECT_EQ(to_wire(RepoKind::kModel), "model");
  EXPECT_EQ(plural(RepoKind::kDataset), "datasets");
  EXPECT_EQ(url_prefix(RepoKind::kModel), "");
  EXPECT_EQ(url_prefix(RepoKind::kDataset), "datasets/");
  for (const char* other : {"", "Model", "models", "space", "spaces", "datasets "}) {
    EXPECT_FALSE(repo_kind_from_wire(other)) << other;
  }
  EXPECT_FALSE(repo_kind_from_plural("model"));
  EXPECT_FALSE(repo_kind_from_plural("spaces"));
}

TEST(GatingModeWire, EachSpellingReadsBack) {
  for (auto mode : {GatingMode::kNone, GatingMode::kAuto, GatingMode::kManual}) {
    EXPECT_EQ(gating_mode_from_wire(to_wire(mode)), mode);
  }
  EXPECT_EQ(to_wire(GatingMode::kNone), "");
  EXPECT_FALSE(is_gated(GatingMode::kNone));
  EXPECT_TRUE(is_gated(GatingMode::kAuto));
  for (const char* other : {"false", "true", "Manual", "bogus"}) {
    EXPECT_FALSE(gating_mode_from_wire(other)) << other;
  }
}

TEST(AccessLevelWire, LevelsImplyTheOnesBelow) {
  for (auto level : {AccessLevel::kRead, AccessLevel::kWrite, AccessLevel::kManage}) {
    EXPECT_EQ(access_level_from_wire(to_wire(level)), level);
    EXPECT_TRUE(implies(level, AccessLevel::kRead));
    EXPECT_TRUE(implies(AccessLevel::kManage, level));
  }
  EXPECT_FALSE(implies(AccessLevel::kRead, AccessLevel::kWrite));
  EXPECT_FALSE(implies(AccessLevel::kWrite, AccessLevel::kManage));
  EXPECT_FALSE(access_level_from_wire("admin"));
}

TEST(RoleWire, EachSpellingReadsBack) {
  for (auto role : {TokenRole::kRead, TokenRole::kWrite, TokenRole::kFineGrained}) {
    EXPECT_EQ(token_role_from_wire(to_wire(role)), role);
  }
  for (auto role : {MemberRole::kRead, MemberRole::kWrite, MemberRole::kAdmin}) {
    EXPECT_EQ(member_role_from_wire(to_wire(role)), role);
  }
  EXPECT_EQ(to_wire(TokenRole::kFineGrained), "fineGrained");
  EXPECT_FALSE(token_role_from_wire("admin"));
  EXPECT_FALSE(token_role_from_wire("finegrained"));
  EXPECT_FALSE(member_role_from_wire("fineGrained"));
  EXPECT_FALSE(member_role_from_wire("contributor"));
  EXPECT_EQ(kTokenRoles.size(), 3u);
  EXPECT_EQ(kMemberRoles.size(), 3u);
}

TEST(JobStateWire, EachSpellingReadsBack) {
  for (auto state : kJobStates) EXPECT_EQ(job_state_from_wire(to_wire(state)), state);
  EXPECT_EQ(to_wire(JobState::kQueued), "queued");
  EXPECT_FALSE(job_state_from_wire("Queued"));
  EXPECT_FALSE(job_state_from_wire("paused"));
  EXPECT_FALSE(job_state_from_wire(""));
}

}  // namespace
}  // namespace vitrine::domain
