// Unit tests for json_reader and text_reader (row_reader.hpp): JSON Lines and top-level arrays
// as `datasets`' json builder reads them, the nesting and size bounds, and text files line by
// line as its text builder splits them.
#include <gtest/gtest.h>

#include <string>

#include "formats/datasets/row_reader.hpp"
#include "row_reader_test_util.hpp"

namespace vitrine::datasets {
namespace {

using nlohmann::json;
using test::drain;
using test::Drained;

Drained read_json(std::string_view text, ReaderLimits limits = {}) {
  auto reader = json_reader(memory_source(text), limits);
  return drain(*reader);
}

Drained read_text(std::string_view text, ReaderLimits limits = {}) {
  auto reader = text_reader(memory_source(text), limits);
  return drain(*reader);
}

json rows_of(const Drained& d) {
  json out = json::array();
  for (const auto& row : d.rows) out.push_back(row);
  return out;
}

TEST(JsonReader, JsonLinesWithNestedObjectsAndLists) {
  auto d = read_json(
      "{\"id\": 1, \"meta\": {\"lang\": \"en\", \"tags\": [\"a\", \"b\"]}, \"scores\": [1.5, 2]}\n"
      "{\"id\": 2, \"meta\": {\"lang\": \"fr\", \"tags\": []}, \"scores\": null}\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"id", "meta", "scores"}));
  ASSERT_EQ(d.rows.size(), 2u);
  EXPECT_EQ(d.rows[0][1], json::parse(R"({"lang": "en", "tags": ["a", "b"]})"));
  EXPECT_EQ(d.rows[1][2], nullptr);
}

TEST(JsonReader, ColumnsComeInTheOrderKeysAreFirstSeen) {
  // Not sorted: "zeta" before "alpha", as Arrow's schema has them.
  auto d =
      read_json("{\"zeta\": 1, \"alpha\": 2}\n{\"alpha\": 3, \"new\": true}\n\n{\"zeta\": 4}\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"zeta", "alpha", "new"}));
  // A row has the columns known when it was read; later ones are missing, not null-padded.
  EXPECT_EQ(rows_of(d), json::parse(R"([[1, 2], [null, 3, true], [4, null, null]])"));
}

TEST(JsonReader, BlankLinesAndCrLfAreFine) {
  auto d = read_json("\xEF\xBB\xBF{\"a\": 1}\r\n\r\n   \n{\"a\": 2}");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(rows_of(d), json::parse("[[1],[2]]"));
}

TEST(JsonReader, ALineThatIsNotAnObjectIsAnError) {
  auto d = read_json("{\"a\": 1}\n[1, 2]\n");
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(d.status.message(), "JSON line 2 is not a JSON object");
  d = read_json("{\"a\": 1}\n{\"a\": \n");
  EXPECT_EQ(d.status.message(), "JSON line 2: malformed JSON");
  d = read_json("{\"a\": \"\xC3\x28\"}\n");  // not UTF-8
  EXPECT_FALSE(d.status);
}

TEST(JsonReader, AnArrayOfObjects) {
  auto d = read_json("[\n  {\"a\": 1, \"b\": [1, 2]},\n  {\"a\": 2, \"c\": \"x\"}\n]\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows_of(d), json::parse(R"([[1, [1, 2]], [2, null, "x"]])"));
  d = read_json("  []  ");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_TRUE(d.rows.empty());
  // Brackets and commas inside strings are text.
  d = read_json(R"([{"s": "],[{\"x"}, {"s": ","}])");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(rows_of(d), json::parse(R"([["],[{\"x"], [","]])"));
}

TEST(JsonReader, AnArrayOfValuesIsAColumnText) {
  // `datasets`: no '{' before the first '"' in the first 100 bytes.
  auto d = read_json(R"(["first", "second {x}", "third"])");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"text"}));
  EXPECT_EQ(rows_of(d), json::parse(R"([["first"], ["second {x}"], ["third"]])"));
  d = read_json("[1, 2.5, null]");
  EXPECT_EQ(rows_of(d), json::parse("[[1], [2.5], [null]]"));
}

TEST(JsonReader, MalformedArraysAreErrors) {
  for (std::string_view text : {"[{\"a\": 1},]", "[{\"a\": 1}", "[{\"a\": 1}] x", "[,{\"a\": 1}]",
                                "[{\"a\": 1}}]", "[{\"a\": 1} {\"a\": 2}]", "[{\"a\": 1}, 3]"}) {
    auto d = read_json(text);
    EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable) << text;
  }
}

TEST(JsonReader, NestingDeeperThanTheLimitIsRefusedBeforeParsing) {
  std::string deep = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto d = read_json(deep + "\n");
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(d.status.message(), "JSON line 1 nests deeper than 64 levels");
  d = read_json("[" + deep + "]");
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(d.status.message(), "JSON array element 1 nests deeper than 64 levels");
  // Exactly at the limit is fine: the row object and 63 lists.
  std::string ok = "{\"a\": " + std::string(63, '[') + std::string(63, ']') + "}";
  d = read_json(ok);
  EXPECT_TRUE(d.status) << d.status.message();
}

TEST(JsonReader, AnArrayFileOverItsLimitIsAnError) {
  ReaderLimits limits;
  limits.max_json_array_bytes = 1000;
  std::string text = "[";
  for (int i = 0; i < 100; ++i) text += (i ? ", " : "") + std::string("{\"n\": 12345}");
  text += "]";
  auto d = read_json(text, limits);
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(d.status.message(), "JSON array file larger than 1000 bytes");
  // The same rows as JSON Lines have no such limit.
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += "{\"n\": 12345}\n";
  EXPECT_TRUE(read_json(lines, limits).status);
}

TEST(JsonReader, RowAndColumnLimits) {
  ReaderLimits limits;
  limits.max_row_bytes = 100;
  auto d = read_json("{\"a\": \"" + std::string(200, 'x') + "\"}\n", limits);
  EXPECT_EQ(d.status.message(), "JSON line 1 is longer than 100 bytes");
  d = read_json("[{\"a\": \"" + std::string(200, 'x') + "\"}]", limits);
  EXPECT_EQ(d.status.message(), "JSON array element 1 is longer than 100 bytes");
  limits = {};
  limits.max_columns = 2;
  d = read_json("{\"a\": 1, \"b\": 2}\n{\"c\": 3}\n", limits);
  EXPECT_EQ(d.rows.size(), 1u);
  EXPECT_NE(d.status.message().find("TooManyColumnsError"), std::string::npos);
  d = read_json("{\"" + std::string(501, 'k') + "\": 1}\n");
  EXPECT_NE(d.status.message().find("TooLongColumnNameError"), std::string::npos);
}

TEST(JsonReader, EveryBufferBoundaryReadsTheSame) {
  for (std::string text :
       {std::string("{\"a\": \"x\\\"]\", \"b\": [1, {\"c\": null}]}\n\n{\"a\": \"y\"}"),
        std::string("[{\"a\": \"x\\\"]\"}, {\"b\": [1, {\"c\": null}]}]")}) {
    auto whole = read_json(text);
    ASSERT_TRUE(whole.status) << whole.status.message();
    for (size_t chunk = 1; chunk <= 5; ++chunk) {
      auto reader = json_reader(memory_source(text, chunk));
      auto d = drain(*reader);
      ASSERT_TRUE(d.status) << chunk << ": " << d.status.message();
      EXPECT_EQ(rows_of(d), rows_of(whole)) << chunk;
    }
  }
}

TEST(JsonReader, AnEmptyFileHasNoRows) {
  auto d = read_json("");
  ASSERT_TRUE(d.status);
  EXPECT_TRUE(d.rows.empty());
  EXPECT_TRUE(d.columns.empty());
}

TEST(TextReader, OneRowPerLineWithoutItsBreak) {
  auto d = read_text("first\nsecond\r\nthird\rfourth");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"text"}));
  EXPECT_EQ(rows_of(d), json::parse(R"([["first"], ["second"], ["third"], ["fourth"]])"));
}

TEST(TextReader, EmptyLinesAreRowsButNoBreakAtTheEndIsNot) {
  auto d = read_text("a\n\n\r\n\nb\n");
  EXPECT_EQ(rows_of(d), json::parse(R"([["a"], [""], [""], [""], ["b"]])"));
  d = read_text("");
  EXPECT_TRUE(d.rows.empty());
  d = read_text("\n");
  EXPECT_EQ(rows_of(d), json::parse(R"([[""]])"));
}

TEST(TextReader, ABomStaysAsPythonsUtf8CodecKeepsIt) {
  auto d = read_text("\xEF\xBB\xBFhello\n");
  EXPECT_EQ(d.rows[0][0], "\xEF\xBB\xBFhello");
}

TEST(TextReader, CrLfSplitAcrossReads) {
  auto reader = text_reader(memory_source("a\r\nb\r\n\r\nc", 1));
  auto d = drain(*reader);
  EXPECT_EQ(rows_of(d), json::parse(R"([["a"], ["b"], [""], ["c"]])"));
}

TEST(TextReader, LimitsAndUtf8) {
  ReaderLimits limits;
  limits.max_row_bytes = 10;
  auto d = read_text("short\n" + std::string(11, 'x') + "\n", limits);
  EXPECT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(d.status.message(), "text line 2 is longer than 10 bytes");
  d = read_text("ok\n\xFF\n");
  EXPECT_EQ(d.status.message(), "text line 2 is not valid UTF-8");
}

}  // namespace
}  // namespace vitrine::datasets
