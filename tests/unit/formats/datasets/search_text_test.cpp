// Unit tests for search documents and query terms (search_text.hpp): which features are
// searchable, the strings a cell gives by its feature, Chinese and Japanese characters spaced
// apart, and a query's terms (split, lowercased, deduplicated, bounded).
#include "formats/datasets/search_text.hpp"

#include <gtest/gtest.h>

namespace vitrine::datasets {
namespace {

using ordered = nlohmann::ordered_json;
using json = nlohmann::json;

ordered value(const std::string& dtype) {
  return ordered{{"dtype", dtype}, {"_type", "Value"}};
}

TEST(SearchText, SearchableFeaturesAreThoseHoldingStrings) {
  EXPECT_TRUE(searchable_feature(value("string")));
  EXPECT_TRUE(searchable_feature(value("large_string")));
  EXPECT_FALSE(searchable_feature(value("int64")));
  EXPECT_TRUE(searchable_feature(ordered{{"feature", value("string")}, {"_type", "List"}}));
  EXPECT_FALSE(searchable_feature(ordered{{"feature", value("int32")}, {"_type", "List"}}));
  EXPECT_TRUE(searchable_feature(ordered{{"a", value("int32")}, {"b", value("string")}}));
  EXPECT_TRUE(searchable_feature(ordered{{"_type", "Json"}}));
  EXPECT_TRUE(searchable_feature(ordered{{"languages", {"en", "fr"}}, {"_type", "Translation"}}));
  EXPECT_FALSE(searchable_feature(ordered{{"_type", "Image"}}));
  EXPECT_FALSE(searchable_feature(ordered{{"names", {"a", "b"}}, {"_type", "ClassLabel"}}));
  EXPECT_TRUE(searchable_feature(ordered::array({value("string")})));  // legacy [feature]
}

std::string text_of(const ordered& type, const json& cell) {
  std::string out;
  append_search_text(type, cell, &out);
  return out;
}

TEST(SearchText, CellsGiveTheirStringsByTheirFeature) {
  EXPECT_EQ(text_of(value("string"), "hello"), "hello ");
  EXPECT_EQ(text_of(value("string"), nullptr), "");
  ordered list{{"feature", value("string")}, {"_type", "List"}};
  EXPECT_EQ(text_of(list, json::array({"a", nullptr, "b"})), "a b ");
  ordered st{{"n", value("int32")}, {"s", value("string")}, {"img", {{"_type", "Image"}}}};
  EXPECT_EQ(text_of(st, json{{"n", 5}, {"s", "x"}, {"img", {{"path", "p.png"}}}}), "x ");
  // A Json cell: its strings wherever they lie, not its keys.
  EXPECT_EQ(
      text_of(ordered{{"_type", "Json"}}, json::parse(R"({"k": ["v", {"k2": "w"}], "n": 1})")),
      "v w ");
  // A Sequence of a struct holds a struct of lists.
  ordered seq{{"feature", {{"q", value("string")}}}, {"_type", "Sequence"}};
  EXPECT_EQ(text_of(seq, json{{"q", {"one", "two"}}}), "one two ");
  // Chinese and Japanese characters are spaced apart; other scripts are left as they are.
  EXPECT_EQ(text_of(value("string"), "東京タワー tower"), " 東  京  タ  ワ  ー  tower ");
  EXPECT_EQ(text_of(value("string"), "Привет"), "Привет ");
}

TEST(SearchText, QueryTerms) {
  EXPECT_EQ(search_terms("Hello, WORLD hello"), (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(search_terms("GPT-4"), (std::vector<std::string>{"gpt", "4"}));
  EXPECT_EQ(search_terms("東京"), (std::vector<std::string>{" 東  京 "}));
  EXPECT_EQ(search_terms("мир"), (std::vector<std::string>{"мир"}));
  EXPECT_TRUE(search_terms(" ,.;*\"() ").empty());
  std::string many;
  for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + " ";
  auto terms = search_terms(many);
  ASSERT_EQ(terms.size(), kMaxQueryTerms);
  EXPECT_EQ(terms.back(), "w31");
}

}  // namespace
}  // namespace vitrine::datasets
