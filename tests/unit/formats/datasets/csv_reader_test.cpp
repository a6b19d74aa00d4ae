// Unit tests for csv_reader (row_reader.hpp): files read as pandas.read_csv reads them for
// `datasets` (the expected rows and messages were checked against pandas), and the bounds that
// keep one hostile record from costing more than the limits.
#include <gtest/gtest.h>

#include <string>

#include "formats/datasets/row_reader.hpp"
#include "row_reader_test_util.hpp"

namespace vitrine::datasets {
namespace {

using nlohmann::json;
using test::drain;
using test::Drained;

Drained read_csv(std::string_view text, CsvOptions options = {}, ReaderLimits limits = {}) {
  auto reader = csv_reader(memory_source(text), options, limits);
  return drain(*reader);
}

// The rows as one JSON array, for short comparisons.
json rows_of(const Drained& d) {
  json out = json::array();
  for (const auto& row : d.rows) out.push_back(row);
  return out;
}

TEST(CsvReader, HeaderThenRowsOfFieldText) {
  auto d = read_csv("a,b\n1,x\n2,y\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rows_of(d), json::parse(R"([["1","x"],["2","y"]])"));
}

TEST(CsvReader, QuotedFieldsHoldSeparatorsQuotesAndNewlines) {
  auto d = read_csv("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\r\nthree\"\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(rows_of(d),
            json::parse(R"([["1","a, b"],["2","say \"hi\""],["3","two\nlines\r\nthree"]])"));
}

TEST(CsvReader, QuotesOnlyCountAtTheStartOfAField) {
  // pandas: "ab"cd is abcd; a quote inside an unquoted field is kept.
  auto d = read_csv("a,b\n\"ab\"cd,x\"\"y\n\"abc\"   ,z\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(rows_of(d), json::parse(R"([["abcd","x\"\"y"],["abc   ","z"]])"));
}

TEST(CsvReader, BomIsSkipped) {
  auto d = read_csv("\xEF\xBB\xBFname,n\nx,1\n");
  ASSERT_TRUE(d.status);
  EXPECT_EQ(d.columns, (std::vector<std::string>{"name", "n"}));
}

TEST(CsvReader, CrLfCrAndLfAllEndRecords) {
  for (std::string_view text : {"a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4\r", "a,b\n1,2\n3,4"}) {
    auto d = read_csv(text);
    ASSERT_TRUE(d.status) << d.status.message();
    EXPECT_EQ(rows_of(d), json::parse(R"([["1","2"],["3","4"]])")) << json(text);
  }
}

TEST(CsvReader, BlankAndWhitespaceLinesAreSkipped) {
  auto d = read_csv("a,b\n\n1,2\n   \n\t\n\r\n3,4\n\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(rows_of(d), json::parse(R"([["1","2"],["3","4"]])"));
  // Leading blanks of a real line are part of its first field.
  d = read_csv("a,b\n  x,1\n");
  EXPECT_EQ(rows_of(d), json::parse(R"([["  x","1"]])"));
}

TEST(CsvReader, EmptyFieldsAreNullQuotedOrNot) {
  auto d = read_csv("a,b,c\n,\"\",x\n");
  ASSERT_TRUE(d.status);
  EXPECT_EQ(rows_of(d), json::parse(R"([[null,null,"x"]])"));
}

TEST(CsvReader, ShortRowsArePaddedWithNull) {
  auto d = read_csv("a,b,c\n1\n1,2\n1,2,3\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(rows_of(d), json::parse(R"([["1",null,null],["1","2",null],["1","2","3"]])"));
}

TEST(CsvReader, ALongRowIsPandasError) {
  auto d = read_csv("a,b\n1,2\n3,4,5\n6,7\n");
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(d.status.message(),
            "Error tokenizing data. C error: Expected 2 fields in line 3, saw 3");
  EXPECT_EQ(d.rows.size(), 1u);
  // Lines count records and skipped lines, not newlines inside quotes.
  d = read_csv("a,b\n1\n\n\n3,4,5\n");
  EXPECT_EQ(d.status.message(),
            "Error tokenizing data. C error: Expected 2 fields in line 5, saw 3");
  d = read_csv("a,b\n\"x\ny\nz\",2\n3,4,5\n");
  EXPECT_EQ(d.status.message(),
            "Error tokenizing data. C error: Expected 2 fields in line 3, saw 3");
  d = read_csv("a,b,c\n1,2,3\n4\n5,6,7,8\n");
  EXPECT_EQ(d.status.message(),
            "Error tokenizing data. C error: Expected 3 fields in line 4, saw 4");
  // The error sticks.
  auto reader = csv_reader(memory_source("a\n1\n2,3\n4\n"), {});
  EXPECT_TRUE(reader->next());
  EXPECT_FALSE(reader->next());
  EXPECT_FALSE(reader->next());
}

TEST(CsvReader, ALongFirstDataRowIsPandasImplicitIndex) {
  // pandas takes the extra leading fields as the index; pyarrow keeps it as a last column.
  auto d = read_csv("a,b\n1,2,3\n4,5,6\n7,8\n");
  ASSERT_TRUE(d.status) << d.status.message();
  EXPECT_EQ(d.columns, (std::vector<std::string>{"a", "b", "__index_level_0__"}));
  EXPECT_EQ(rows_of(d), json::parse(R"([["2","3","1"],["5","6","4"],["8",null,"7"]])"));
  d = read_csv("a,b\n1,2,3,4\n");
  EXPECT_EQ(d.columns,
            (std::vector<std::string>{"a", "b", "__index_level_0__", "__index_level_1__"}));
  EXPECT_EQ(rows_of(d), json::parse(R"([["3","4","1","2"]])"));
}

TEST(CsvReader, HeaderNamesAreDeduplicatedAsPandasDoes) {
  auto d = read_csv("a,a,a.1,,b,\n1,2,3,4,5,6\n");
  ASSERT_TRUE(d.status);
  EXPECT_EQ(d.columns,
            (std::vector<std::string>{"a", "a.2", "a.1", "Unnamed: 3", "b", "Unnamed: 5"}));
  d = read_csv("x,x,x\n1,2,3\n");
  EXPECT_EQ(d.columns, (std::vector<std::string>{"x", "x.1", "x.2"}));
}

TEST(CsvReader, HeaderOnlyHasColumnsAndNoRows) {
  auto d = read_csv("a,b");
  ASSERT_TRUE(d.status);
  EXPECT_EQ(d.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(d.rows.empty());
}

TEST(CsvReader, AnEmptyFileHasNoColumnsToParse) {
  for (std::string_view text : {"", "\n\n", "  \n"}) {
    auto d = read_csv(text);
    EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
    EXPECT_EQ(d.status.message(), "No columns to parse from file");
  }
}

TEST(CsvReader, AnUnclosedQuoteIsAnError) {
  auto d = read_csv("a,b\n\"unterminated,2\n");
  EXPECT_EQ(d.status.message(),
            "Error tokenizing data. C error: EOF inside string starting at row 1");
}

TEST(CsvReader, TabSeparated) {
  auto d = read_csv("a\tb\n1\t2\n\t \n", {.sep = '\t'});
  ASSERT_TRUE(d.status);
  EXPECT_EQ(rows_of(d), json::parse(R"([["1","2"],[null," "]])"));
}

TEST(CsvReader, InvalidUtf8IsAnError) {
  auto d = read_csv("a\n\xC3\x28\n");
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_NE(d.status.message().find("UTF-8"), std::string::npos);
  d = read_csv("a,b\n\xC3,\xA9\n");  // valid bytes only if the fields were glued together
  EXPECT_FALSE(d.status);
}

TEST(CsvReader, EveryBufferBoundaryReadsTheSame) {
  std::string text = "\xEF\xBB\xBFid,text\r\n1,\"a\r\nb\"\"c\"\r\n\r\n  \r\n2,plain\r3,\"x\"\r\n";
  auto whole = read_csv(text);
  ASSERT_TRUE(whole.status) << whole.status.message();
  for (size_t chunk = 1; chunk <= 7; ++chunk) {
    auto reader = csv_reader(memory_source(text, chunk), {});
    auto d = drain(*reader);
    ASSERT_TRUE(d.status) << chunk;
    EXPECT_EQ(rows_of(d), rows_of(whole)) << chunk;
    EXPECT_EQ(d.columns, whole.columns);
  }
}

TEST(CsvReader, BytesReadIsTheEndOfTheLastRecordReturned) {
  auto reader = csv_reader(memory_source("a\n1\n22\n"), {});
  ASSERT_TRUE(reader->next());
  EXPECT_EQ(reader->bytes_read(), 4u);
  ASSERT_TRUE(reader->next());
  EXPECT_EQ(reader->bytes_read(), 7u);
}

TEST(CsvReader, TooManyFieldsFailsAtTheColumnLimit) {
  std::string header;
  for (int i = 0; i < 1001; ++i) header += (i ? ",c" : "c") + std::to_string(i);
  auto d = read_csv(header + "\n");
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_NE(d.status.message().find("TooManyColumnsError"), std::string::npos);
}

TEST(CsvReader, ATenMillionColumnLineFailsFastWithBoundedWork) {
  // One line of 10 million empty fields, produced as it is read: the reader gives up at the
  // 1001st field, having read one buffer, never the whole line.
  for (bool as_header : {true, false}) {
    std::string head = as_header ? "" : "a,b\n";
    uint64_t size = head.size() + 10'000'000, served = 0;
    auto source = std::make_unique<test::GeneratedSource>(
        size,
        [&](uint64_t at, char* out, size_t n) {
          for (size_t i = 0; i < n; ++i) out[i] = at + i < head.size() ? head[at + i] : ',';
        },
        &served);
    auto reader = csv_reader(std::move(source), {});
    auto d = drain(*reader);
    EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
    EXPECT_NE(d.status.message().find("more than 1000 columns"), std::string::npos)
        << d.status.message();
    EXPECT_LE(served, 64u * 1024);
  }
}

TEST(CsvReader, ARecordOverTheByteLimitFailsWithoutReadingTheRest) {
  uint64_t served = 0;
  std::string head = "a\n\"";
  auto source = std::make_unique<test::GeneratedSource>(
      uint64_t{1} << 40,  // a quoted field that never ends
      [&](uint64_t at, char* out, size_t n) {
        for (size_t i = 0; i < n; ++i) out[i] = at + i < head.size() ? head[at + i] : 'x';
      },
      &served);
  ReaderLimits limits;
  limits.max_row_bytes = 1 << 20;
  auto reader = csv_reader(std::move(source), {}, limits);
  auto d = drain(*reader);
  EXPECT_EQ(d.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_NE(d.status.message().find("longer than 1048576 bytes"), std::string::npos);
  EXPECT_LE(served, (1u << 20) + 64 * 1024);
}

TEST(CsvReader, ALongColumnNameIsRefused) {
  auto d = read_csv(std::string(501, 'n') + "\n1\n");
  EXPECT_NE(d.status.message().find("TooLongColumnNameError"), std::string::npos);
}

TEST(CsvReader, ASourceErrorPassesThrough) {
  auto reader = csv_reader(std::make_unique<test::FailingSource>(), {});
  auto d = drain(*reader);
  EXPECT_EQ(d.status.kind(), ErrorKind::kInternal);
}

}  // namespace
}  // namespace vitrine::datasets
