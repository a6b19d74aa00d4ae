// Unit tests for api/repo_listing_query: what the clients' listing parameters become, and the
// 400s for values that cannot be used.
#include "api/hf/repo_listing_query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vitrine::api {
namespace {

using Groups = std::vector<std::vector<std::string>>;

RepoListingQuery parse_ok(const std::string& text,
                          domain::RepoKind type = domain::RepoKind::kModel) {
  auto parsed = parse_repo_listing_query(util::QueryParams::parse(text), type);
  EXPECT_TRUE(parsed.is_ok()) << text << ": " << parsed.status().message();
  return parsed.is_ok() ? *parsed : RepoListingQuery{};
}

std::string error_of(const std::string& text) {
  auto parsed = parse_repo_listing_query(util::QueryParams::parse(text), domain::RepoKind::kModel);
  EXPECT_FALSE(parsed.is_ok()) << text;
  return parsed.is_ok() ? "" : parsed.status().message();
}

TEST(RepoListingQuery, Defaults) {
  auto q = parse_ok("").db;
  EXPECT_EQ(q.type, domain::RepoKind::kModel);
  EXPECT_TRUE(q.search.empty());
  EXPECT_TRUE(q.tags.empty());
  EXPECT_EQ(q.sort, "id");
  EXPECT_FALSE(q.descending);
  EXPECT_EQ(q.limit, 1000);
  EXPECT_EQ(q.offset, 0);
  EXPECT_FALSE(q.gated.has_value());
}

TEST(RepoListingQuery, SearchAuthorAndNames) {
  auto q = parse_ok("search=bert&search=base&model_name=x&author=Alice").db;
  EXPECT_EQ(q.search, (std::vector<std::string>{"bert", "base", "x"}));
  EXPECT_EQ(q.author, "Alice");
  EXPECT_EQ(parse_ok("dataset_name=squad", domain::RepoKind::kDataset).db.search,
            (std::vector<std::string>{"squad"}));
}

TEST(RepoListingQuery, FiltersBecomeTagGroups) {
  auto q = parse_ok(
               "filter=pytorch&filter=base_model%3Aadapter%3Aorg%2Fbase&tags=fiftyone&"
               "pipeline_tag=text-generation&library=transformers&language=en&license=mit&"
               "trained_dataset=org%2Fdata&filter=")
               .db;
  EXPECT_EQ(q.tags, (Groups{{"pytorch"},
                            {"base_model:adapter:org/base"},
                            {"fiftyone"},
                            {"pipeline_tag:text-generation"},
                            {"library_name:transformers", "transformers"},
                            {"dataset:org/data"},
                            {"language:en"},
                            {"license:mit"}}));
}

TEST(RepoListingQuery, PrefixedValuesKeepTheirPrefix) {
  auto q = parse_ok(
               "license=license%3Amit&task_categories=task_categories%3Atext-classification&"
               "task_ids=language-modeling&size_categories=1K%3Cn%3C10K&benchmark=official",
               domain::RepoKind::kDataset)
               .db;
  EXPECT_EQ(q.tags, (Groups{{"license:mit"},
                            {"task_categories:text-classification"},
                            {"task_ids:language-modeling"},
                            {"size_categories:1K<n<10K"},
                            {"benchmark:official"}}));
}

TEST(RepoListingQuery, Sorts) {
  EXPECT_EQ(parse_ok("sort=downloads").db.sort, "downloads");
  EXPECT_TRUE(parse_ok("sort=downloads").db.descending);
  EXPECT_FALSE(parse_ok("sort=downloads&direction=1").db.descending);
  EXPECT_TRUE(parse_ok("sort=id&direction=-1").db.descending);
  EXPECT_EQ(parse_ok("sort=last_modified").db.sort, "lastModified");
  EXPECT_EQ(parse_ok("sort=created_at").db.sort, "createdAt");
  EXPECT_EQ(parse_ok("sort=trending_score").db.sort, "trendingScore");
  EXPECT_EQ(parse_ok("sort=likes30d").db.sort, "likes");
  EXPECT_EQ(parse_ok("sort=").db.sort, "id");
  EXPECT_NE(error_of("sort=bogus").find("Invalid sort parameter 'bogus'"), std::string::npos);
  EXPECT_NE(error_of("direction=up").find("direction"), std::string::npos);
}

TEST(RepoListingQuery, LimitAndCursor) {
  EXPECT_EQ(parse_ok("limit=20").db.limit, 20);
  EXPECT_EQ(parse_ok("limit=5000").db.limit, 1000);
  EXPECT_EQ(parse_ok("cursor=40").db.offset, 40);
  EXPECT_NE(error_of("limit=abc").find("Invalid limit parameter 'abc'"), std::string::npos);
  EXPECT_FALSE(error_of("limit=0").empty());
  EXPECT_FALSE(error_of("limit=-3").empty());
  EXPECT_FALSE(error_of("limit=10x").empty());
  EXPECT_NE(error_of("cursor=zzz").find("cursor"), std::string::npos);
}

TEST(RepoListingQuery, GatedAndUnservedFilters) {
  EXPECT_EQ(parse_ok("gated=True").db.gated, std::optional<bool>(true));
  EXPECT_EQ(parse_ok("gated=false").db.gated, std::optional<bool>(false));
  EXPECT_FALSE(error_of("gated=maybe").empty());
  EXPECT_FALSE(parse_ok("expand=likes").matches_nothing);
  EXPECT_TRUE(parse_ok("inference=warm").matches_nothing);
  EXPECT_TRUE(parse_ok("inference_provider=all").matches_nothing);
  EXPECT_TRUE(parse_ok("apps=lmstudio").matches_nothing);
}

}  // namespace
}  // namespace vitrine::api
