// Unit tests for service/listing_tags and the tag side of MetadataDb::list_repos: which tags a
// card gives, that reindexing stores them, and that tag groups filter (without case) through
// the (tag, uid) index.
#include "service/repos/listing_tags.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "hub_test_fixture.hpp"
#include "service/access/auth_service.hpp"
#include "service/repos/repo_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Tags = std::vector<std::string>;

bool has(const Tags& tags, const std::string& tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

TEST(ListingTags, CardTagsAsTheHubListsThem) {
  json card = {{"tags", {"pytorch", "llama"}},
               {"license", "mit"},
               {"language", {"en", "fr"}},
               {"datasets", "org/data"},
               {"base_model", "org/base"}};
  EXPECT_EQ(card_tags(domain::RepoKind::kModel, card),
            (Tags{"pytorch", "llama", "license:mit", "en", "fr", "dataset:org/data",
                  "base_model:org/base"}));
  json dataset = {{"language", "en"},
                  {"task_categories", {"text-classification"}},
                  {"size_categories", "1K<n<10K"}};
  EXPECT_EQ(
      card_tags(domain::RepoKind::kDataset, dataset),
      (Tags{"language:en", "task_categories:text-classification", "size_categories:1K<n<10K"}));
  EXPECT_TRUE(card_tags(domain::RepoKind::kModel, json::array()).empty());
}

TEST(ListingTags, FieldFormsLanguagesLineageAndNoDuplicates) {
  json card = {{"tags", {"transformers", "en"}},
               {"language", "en"},
               {"pipeline_tag", "text-generation"},
               {"library_name", "transformers"}};
  auto tags = listing_tags(domain::RepoKind::kModel, card,
                           {"base_model:org/base", "base_model:adapter:org/base"});
  for (const char* t : {"pipeline_tag:text-generation", "text-generation",
                        "library_name:transformers", "transformers", "en", "language:en",
                        "base_model:org/base", "base_model:adapter:org/base"}) {
    EXPECT_TRUE(has(tags, t)) << t;
  }
  EXPECT_EQ(std::count(tags.begin(), tags.end(), "transformers"), 1);
  // Datasets have no pipeline tag or library.
  auto dataset = listing_tags(domain::RepoKind::kDataset, card, {});
  EXPECT_FALSE(has(dataset, "pipeline_tag:text-generation"));
  EXPECT_TRUE(has(dataset, "language:en"));
}

class ListingTagsDbTest : public AliceHubTest {
 protected:
  Tags ids(const domain::RepoListQuery& q) {
    Tags out;
    for (const auto& r : hub_->db().list_repos(q)) out.push_back(r.id());
    return out;
  }
  domain::RepoListQuery query(std::vector<Tags> groups) {
    domain::RepoListQuery q;
    q.type = domain::RepoKind::kModel;
    q.all_private_visible = true;
    q.tags = std::move(groups);
    return q;
  }
};

TEST_F(ListingTagsDbTest, CreationStoresTagsAndGroupsFilter) {
  auto a = create("a", "---\nlicense: mit\ntags:\n- PyTorch\npipeline_tag: fill-mask\n---\n");
  create("b", "---\nlicense: apache-2.0\ntags:\n- pytorch\n---\n");
  create("c", "");
  auto tags = hub_->db().repo_tags(a.uid);
  EXPECT_TRUE(has(tags, "license:mit"));
  EXPECT_TRUE(has(tags, "pipeline_tag:fill-mask"));
  EXPECT_EQ(ids(query({{"pytorch"}})), (Tags{"alice/a", "alice/b"}));  // without case
  EXPECT_EQ(ids(query({{"pytorch"}, {"LICENSE:MIT"}})), (Tags{"alice/a"}));
  EXPECT_EQ(ids(query({{"license:mit", "license:apache-2.0"}})), (Tags{"alice/a", "alice/b"}));
  EXPECT_TRUE(ids(query({{"pytorch"}, {"license:gpl"}})).empty());
  // The tag index answers the groups.
  bool uses_index = false;
  for (const auto& line : hub_->db().explain_list_repos(query({{"pytorch"}}))) {
    if (line.find("repo_tags_by_tag") != std::string::npos) uses_index = true;
  }
  EXPECT_TRUE(uses_index);
}

TEST_F(ListingTagsDbTest, RefreshAndRebuildAndDelete) {
  auto a = create("a", "---\nlicense: mit\n---\n");
  ASSERT_TRUE(hub_->db().set_repo_tags(a.uid, {}).is_ok());
  EXPECT_TRUE(ids(query({{"license:mit"}})).empty());
  auto rebuilt = rebuild_listing_tags(*hub_);
  ASSERT_TRUE(rebuilt.is_ok());
  EXPECT_EQ(*rebuilt, 1u);
  EXPECT_EQ(ids(query({{"license:mit"}})), (Tags{"alice/a"}));
  ASSERT_TRUE(RepoService(*hub_).remove(alice_, RepoKind::kModel, "alice", "a"));
  EXPECT_TRUE(hub_->db().repo_tags(a.uid).empty());
  EXPECT_FALSE(hub_->db().any_repo_tags());
}

}  // namespace
}  // namespace vitrine::service
