// Unit tests for the /filter grammar (row_filter.hpp): what parses, SQL's null and precedence
// rules, LIKE, methods, ordering, and what is refused (the Hub's forbidden sequences, functions
// outside the list, runaway nesting and size).
#include "formats/datasets/row_filter.hpp"

#include <gtest/gtest.h>

#include <random>
#include <regex>

namespace vitrine::datasets {
namespace {

using json = nlohmann::json;

bool match(const std::string& where, const json& row) {
  auto f = RowFilter::parse(where);
  EXPECT_TRUE(f) << where << ": " << f.status().message();
  if (!f) return false;
  return f->matches([&](const std::string& name) -> const json* {
    auto it = row.find(name);
    return it == row.end() ? nullptr : &*it;
  });
}

TEST(RowFilter, TheContractsAcceptedExamples) {
  json row = {{"col", "A"}, {"col2", "C"}, {"col3", -1}};
  EXPECT_TRUE(match(R"("col"='A' and ("col2" != 'B' or "col3" < 0))", row));
  EXPECT_TRUE(match(R"(("col" LIKE '%A'))", row));
  EXPECT_TRUE(match(R"("col".upper() = 'A')", {{"col", "a"}}));
  EXPECT_TRUE(match(R"("col".replace('a', 'A') = 'AbA')", {{"col", "aba"}}));
  EXPECT_TRUE(match(R"("col"."subcol" = 'A')", {{"col", {{"subcol", "A"}}}}));
  EXPECT_TRUE(match(R"(("col").lower() = 'a')", row));
}

TEST(RowFilter, NullsPrecedenceAndTypes) {
  json row = {{"a", nullptr}, {"b", 2}, {"s", "it's"}, {"f", true}, {"l", json::array({1, 2})}};
  EXPECT_FALSE(match(R"("a" = 1)", row));
  EXPECT_FALSE(match(R"("a" != 1)", row));  // unknown, not true
  EXPECT_TRUE(match(R"("a" IS NULL)", row));
  EXPECT_TRUE(match(R"("b" is not null)", row));
  EXPECT_FALSE(match(R"("b" = null)", row));
  // AND binds tighter than OR: false OR (true AND true).
  EXPECT_TRUE(match(R"("b" = 3 or "b" = 2 and "f" = true)", row));
  EXPECT_FALSE(match(R"(("b" = 3 or "b" = 2) and "f" = false)", row));
  EXPECT_TRUE(match(R"("b" = '2')", row));      // a quoted number against a number
  EXPECT_FALSE(match(R"("s" = 2)", row));       // a string against a number: no match
  EXPECT_TRUE(match(R"("s" = 'it''s')", row));  // '' is a quote
  EXPECT_TRUE(match(R"("b" >= 1.5e0 AND "b" <= 2 AND "b" <> 3 AND "b" == 2)", row));
  EXPECT_TRUE(match(R"("l".length() = 2 and "s".length() = 4)", row));
  EXPECT_FALSE(match(R"("missing" = 1)", row));
}

TEST(RowFilter, Like) {
  json row = {{"s", "Hello, wörld"}};
  EXPECT_TRUE(match(R"("s" LIKE 'Hello%')", row));
  EXPECT_FALSE(match(R"("s" LIKE 'hello%')", row));
  EXPECT_TRUE(match(R"("s" ILIKE 'hello%')", row));
  EXPECT_TRUE(match(R"("s" LIKE '%w_rld')", row));  // _ is one character, ö included
  EXPECT_TRUE(match(R"("s" NOT LIKE '%x%')", row));
  EXPECT_TRUE(match(R"("s" LIKE '%')", row));
  // A pattern that backtracks a lot is still quick (one backtrack point).
  json long_row = {{"s", std::string(20000, 'a')}};
  EXPECT_FALSE(match(R"("s" LIKE '%a%a%a%a%a%a%a%a%a%a%b')", long_row));
}

TEST(RowFilter, Refused) {
  for (const char* where :
       {R"("id" = 1; DROP TABLE data)", R"("id" = 1 -- x)", R"("id" = 1 /* x */)",
        R"(getenv('FOO') = 'bar')", R"("id" = version())", R"("id".system('ls') = 1)", R"("id" =)",
        R"("id" = 1 or)", R"("id" 1)", R"(id = 1)", R"("id" = 'open)", R"("id" LIKE 5)",
        R"("id" IS 5)", R"("id" = 1 ) extra)", R"("id" = 1 @ 2)", ""}) {
    auto f = RowFilter::parse(where);
    EXPECT_FALSE(f) << where;
    if (!f) {
      EXPECT_EQ(f.status().kind(), ErrorKind::kBadRequest) << where;
    }
  }
  std::string deep = std::string(40, '(') + R"("id" = 1)" + std::string(40, ')');
  EXPECT_FALSE(RowFilter::parse(deep));
  std::string many;
  for (int i = 0; i < 70; ++i) many += std::string(i ? " or " : "") + R"("id" = 1)";
  EXPECT_FALSE(RowFilter::parse(many));
  EXPECT_FALSE(RowFilter::parse(std::string(5000, ' ') + R"("id" = 1)"));
}

TEST(RowFilter, ColumnsAndOrder) {
  auto f = RowFilter::parse(R"("a" = 1 and ("b"."c" = 2 or "a" > 0))");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->columns(), (std::vector<std::string>{"a", "b"}));
  auto o = RowOrder::parse(R"("score" DESC)");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->descending);
  EXPECT_TRUE(o->before(json(3), json(2)));
  EXPECT_TRUE(o->before(json(1), json(nullptr)));  // nulls last
  EXPECT_FALSE(o->before(json(nullptr), json(1)));
  auto asc = RowOrder::parse(R"("name".lower())");
  ASSERT_TRUE(asc);
  EXPECT_FALSE(asc->descending);
  EXPECT_EQ(asc->column.function, "lower");
  EXPECT_FALSE(RowOrder::parse(R"("a" sideways)"));
  EXPECT_FALSE(RowOrder::parse(R"("a", "b")"));
  EXPECT_FALSE(RowOrder::parse(R"("a"; drop)"));
}

// On text that is not valid UTF-8, LIKE without `_` matches as the character-wise match does
// (a lead byte takes its sequence's length), not by bytes.
TEST(RowFilter, LikeOnInvalidUtf8IsCharacterWise) {
  EXPECT_FALSE(match(R"("s" LIKE '%aa')", {{"s", std::string("\xC3"
                                                             "aa")}}));
  EXPECT_TRUE(match(R"("s" LIKE '%aa')", {{"s", std::string("b"
                                                            "aa")}}));
  EXPECT_TRUE(match(R"("s" LIKE '%é%')", {{"s", "café au lait"}}));
}

// LIKE and ILIKE agree with a regular expression built from the pattern (% is .*, _ is one
// character) over random texts and patterns, with and without `_` (two ways of matching).
TEST(RowFilter, LikeAgreesWithARegularExpression) {
  std::mt19937 rng(7);
  auto pick = [&](std::string_view from, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += from[rng() % from.size()];
    return out;
  };
  for (int i = 0; i < 4000; ++i) {
    std::string text = pick("abAB", rng() % 9);
    std::string pattern = pick(i % 2 ? "abA%%" : "aBb%_", rng() % 6);
    bool fold = i % 3 == 0;
    std::string re;
    for (char c : pattern) {
      if (c == '%') {
        re += ".*";
      } else if (c == '_') {
        re += '.';
      } else {
        re += c;
      }
    }
    auto flags = fold ? std::regex::icase : std::regex::ECMAScript;
    bool want = std::regex_match(text, std::regex(re, flags));
    std::string where = std::string(R"("s" )") + (fold ? "ILIKE" : "LIKE") + " '" + pattern + "'";
    EXPECT_EQ(match(where, {{"s", text}}), want) << where << " on " << text;
    EXPECT_EQ(match(std::string(R"("s" NOT )") + (fold ? "ILIKE" : "LIKE") + " '" + pattern + "'",
                    {{"s", text}}),
              !want);
  }
}

}  // namespace
}  // namespace vitrine::datasets
