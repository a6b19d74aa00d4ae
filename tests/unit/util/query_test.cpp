// Unit tests for util/query: QueryParams parsing, flags and re-encoding.
#include "util/query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vitrine::util {
namespace {

using Values = std::vector<std::string>;

TEST(QueryParams, ParsesPairs) {
  auto q = QueryParams::parse("a=1&b=two&c=");
  EXPECT_EQ(q.get("a"), "1");
  EXPECT_EQ(q.get("b"), "two");
  EXPECT_EQ(q.get("c"), "");
  EXPECT_EQ(q.get("d"), std::nullopt);
  EXPECT_TRUE(q.has("c"));
  EXPECT_FALSE(q.has("d"));
}

TEST(QueryParams, KeyWithoutValueAndEmptyPieces) {
  auto q = QueryParams::parse("&&flag&x=1&");
  EXPECT_TRUE(q.has("flag"));
  EXPECT_EQ(q.get("flag"), "");
  EXPECT_EQ(q.get("x"), "1");
  EXPECT_FALSE(q.has(""));
}

TEST(QueryParams, EmptyQuery) {
  auto q = QueryParams::parse("");
  EXPECT_FALSE(q.has("a"));
  EXPECT_EQ(q.encode(), "");
}

TEST(QueryParams, DecodesPlusAndPercent) {
  auto q = QueryParams::parse("search=hello+world&path=a%2Fb%20c&k%20ey=v");
  EXPECT_EQ(q.get("search"), "hello world");
  EXPECT_EQ(q.get("path"), "a/b c");
  EXPECT_EQ(q.get("k ey"), "v");
}

TEST(QueryParams, EncodedPlusStaysPlus) {
  EXPECT_EQ(QueryParams::parse("v=a%2Bb").get("v"), "a+b");
}

TEST(QueryParams, MalformedEscapeKeepsRaw) {
  auto q = QueryParams::parse("v=100%&w=%zz+x");
  EXPECT_EQ(q.get("v"), "100%");
  EXPECT_EQ(q.get("w"), "%zz x");
}

TEST(QueryParams, ValueMayContainEquals) {
  EXPECT_EQ(QueryParams::parse("a=b=c").get("a"), "b=c");
}

TEST(QueryParams, RepeatedAndBracketKeys) {
  auto q = QueryParams::parse("expand[]=downloads&expand[]=likes&expand=sha&other=1");
  EXPECT_EQ(q.get_all("expand"), (Values{"downloads", "likes", "sha"}));
  EXPECT_EQ(q.get("expand"), "downloads");
  EXPECT_FALSE(q.has("expand[]"));
  EXPECT_TRUE(q.get_all("missing").empty());
  // A percent-encoded bracket suffix is the same key once decoded.
  EXPECT_EQ(QueryParams::parse("expand%5B%5D=a").get_all("expand"), (Values{"a"}));
}

TEST(QueryParams, Flags) {
  auto q = QueryParams::parse("a=true&b=True&c=1&d=false&e=False&f=0&g=&h=yes&i=TRUE");
  EXPECT_TRUE(q.flag("a"));
  EXPECT_TRUE(q.flag("b"));
  EXPECT_TRUE(q.flag("c"));
  EXPECT_FALSE(q.flag("d"));
  EXPECT_FALSE(q.flag("e"));
  EXPECT_FALSE(q.flag("f"));
  EXPECT_FALSE(q.flag("g"));
  EXPECT_FALSE(q.flag("h"));
  EXPECT_FALSE(q.flag("i"));
  EXPECT_FALSE(q.flag("absent"));
}

TEST(QueryParams, FlagUsesFirstValue) {
  EXPECT_TRUE(QueryParams::parse("x=1&x=0").flag("x"));
  EXPECT_FALSE(QueryParams::parse("x=0&x=1").flag("x"));
}

TEST(QueryParams, EncodeRoundTrips) {
  auto q = QueryParams::parse("search=a+b&path=x%2Fy&expand[]=1&expand[]=2&e=%26%3D");
  EXPECT_EQ(q.encode(), "search=a%20b&path=x%2Fy&expand=1&expand=2&e=%26%3D");
  auto again = QueryParams::parse(q.encode());
  EXPECT_EQ(again.get("search"), "a b");
  EXPECT_EQ(again.get("path"), "x/y");
  EXPECT_EQ(again.get_all("expand"), (Values{"1", "2"}));
  EXPECT_EQ(again.get("e"), "&=");
}

TEST(QueryParams, SetReplacesAllValuesInPlace) {
  auto q = QueryParams::parse("limit=10&cursor=abc&x=1&cursor=def");
  q.set("cursor", "next token");
  EXPECT_EQ(q.get_all("cursor"), (Values{"next token"}));
  EXPECT_EQ(q.encode(), "limit=10&cursor=next%20token&x=1");
  q.set("new", "v");
  EXPECT_EQ(q.encode(), "limit=10&cursor=next%20token&x=1&new=v");
}

}  // namespace
}  // namespace vitrine::util
