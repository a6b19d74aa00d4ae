// The dataset viewer's stored answers (metadata_viewer.cpp).
#include <gtest/gtest.h>

#include "hub_test_fixture.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {
namespace {

class ViewerResultsTest : public HubTest {
 protected:
  domain::ViewerResult result(const std::string& revision, const std::string& step,
                              const std::string& config, const std::string& split,
                              const std::string& body, int64_t t) {
    domain::ViewerResult r;
    r.repo_uid = "u1";
    r.revision = revision;
    r.step = step;
    r.config = config;
    r.split = split;
    r.body = body;
    r.updated_ms = t;
    return r;
  }
};

TEST_F(ViewerResultsTest, AnAnswerIsKeptPerRevisionStepConfigAndSplitAndReplacedWhenWrittenAgain) {
  auto& db = hub_->db();
  ASSERT_TRUE(
      db.put_viewer_result(result("c1", "split-first-rows", "default", "train", "{}", 1)).is_ok());
  auto failed = result("c1", "split-first-rows", "default", "test", "{\"error\":\"x\"}", 2);
  failed.http_status = 500;
  failed.error_code = "StreamingRowsError";
  ASSERT_TRUE(db.put_viewer_result(failed).is_ok());
  ASSERT_TRUE(
      db.put_viewer_result(result("c1", "split-first-rows", "default", "train", "{\"v\":2}", 3))
          .is_ok());

  auto train = db.viewer_result("u1", "c1", "split-first-rows", "default", "train");
  ASSERT_TRUE(train.is_ok() && train->has_value());
  EXPECT_EQ((*train)->body, "{\"v\":2}");
  EXPECT_EQ((*train)->http_status, 200);
  auto test = db.viewer_result("u1", "c1", "split-first-rows", "default", "test");
  ASSERT_TRUE(test.is_ok() && test->has_value());
  EXPECT_EQ((*test)->error_code, "StreamingRowsError");
  EXPECT_EQ((*test)->http_status, 500);
  auto none = db.viewer_result("u1", "c2", "split-first-rows", "default", "train");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  auto all = db.viewer_results("u1", "c1", "split-first-rows");
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].split, "test");  // config, split order
}

TEST_F(ViewerResultsTest, RevisionsNewestFirstAndOlderOnesForgotten) {
  auto& db = hub_->db();
  ASSERT_TRUE(db.put_viewer_result(result("old", "dataset-layout", "", "", "{}", 10)).is_ok());
  ASSERT_TRUE(db.put_viewer_result(result("new", "dataset-layout", "", "", "{}", 20)).is_ok());
  ASSERT_TRUE(db.put_viewer_result(result("old", "split-first-rows", "a", "b", "{}", 11)).is_ok());
  auto revisions = db.viewer_revisions("u1", "dataset-layout");
  ASSERT_TRUE(revisions.is_ok());
  EXPECT_EQ(*revisions, (std::vector<std::string>{"new", "old"}));
  ASSERT_TRUE(db.delete_viewer_results("u1", "new").is_ok());
  EXPECT_EQ(*db.viewer_revisions("u1", "dataset-layout"), (std::vector<std::string>{"new"}));
  EXPECT_FALSE(db.viewer_result("u1", "old", "split-first-rows", "a", "b")->has_value());
  ASSERT_TRUE(db.delete_viewer_results("u1", "").is_ok());
  EXPECT_TRUE(db.viewer_revisions("u1", "dataset-layout")->empty());
}

}  // namespace
}  // namespace vitrine::service
