// Unit tests for service/lineage: relinking of revisions that named a repository before it
// existed, under the striped index locks.
#include "service/lineage/lineage.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include "hub_test_fixture.hpp"
#include "service/repos/repo_service.hpp"

namespace vitrine::service {
namespace {

class LineageTest : public AliceHubTest {
 protected:
  // Runs `work`, failing the whole test binary if it has not finished in two minutes: a
  // deadlocked thread can neither be joined nor left behind.
  template <typename F>
  void within_two_minutes(F work) {
    auto done = std::async(std::launch::async, std::move(work));
    if (done.wait_for(std::chrono::minutes(2)) != std::future_status::ready) {
      std::fprintf(stderr, "deadlock: the lineage work did not finish in two minutes\n");
      std::fflush(stderr);
      std::_Exit(1);
    }
    done.get();
  }
};

// A base model created after the fine-tune that names it links the fine-tune, whatever stripes
// of the index locks their ids fall in. 150 pairs: with 32 stripes, some pair almost surely
// (p > 0.99) shares one, which once made the creation of the base wait on itself forever.
TEST_F(LineageTest, BaseCreatedAfterItsFineTuneLinksItInAnyLockStripe) {
  within_two_minutes([&] {
    for (int i = 0; i < 150; ++i) {
      const std::string base = "base-" + std::to_string(i);
      auto child = create("ft-" + std::to_string(i),
                          "---\nbase_model: alice/" + base + "\n---\nA fine-tune.\n");
      auto parent = create(base, "---\nlicense: mit\n---\nA base.\n");
      auto found = hub_->lineage().descendants(
          parent.uid, [](const std::string&) { return true; }, 1, 10);
      ASSERT_EQ(found.hits.size(), 1u) << base;
      EXPECT_EQ(found.hits[0].uid, child.uid) << base;
      EXPECT_EQ(found.hits[0].relation, "finetune") << base;
    }
  });
}

// A rename into a name that cards already use relinks them (RepoService::move), the same way.
TEST_F(LineageTest, RenameIntoANamedIdLinksItInAnyLockStripe) {
  within_two_minutes([&] {
    RepoService repos(*hub_);
    auto model = RepoKind::kModel;
    for (int i = 0; i < 150; ++i) {
      const std::string to = "renamed-" + std::to_string(i);
      auto child =
          create("names-" + std::to_string(i), "---\nbase_model: alice/" + to + "\n---\nx\n");
      create("src-" + std::to_string(i), "---\nlicense: mit\n---\ny\n");
      auto moved = repos.move(alice_, model, "alice/src-" + std::to_string(i), "alice/" + to);
      ASSERT_TRUE(moved.is_ok()) << moved.status().message();
      auto found = hub_->lineage().descendants(
          moved->uid, [](const std::string&) { return true; }, 1, 10);
      ASSERT_EQ(found.hits.size(), 1u) << to;
      EXPECT_EQ(found.hits[0].uid, child.uid) << to;
    }
  });
}

}  // namespace
}  // namespace vitrine::service
