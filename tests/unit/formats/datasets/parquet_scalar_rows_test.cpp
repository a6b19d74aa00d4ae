// Unit tests for rows given to the Parquet writer as ScalarCells (add_scalar_row, the export's
// path for CSV) and for the CSV text path that makes them (TextRowReader::next_text,
// FeatureInference::observe_text and typed_text): the same file as the JSON cells make, byte
// for byte, on the caller's thread or in background batches; cells that do not fit are errors
// naming the column and row (in the background, reported later and for good); schemas that are
// not flat are refused. JSON rows go through the background batches the same way.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/datasets/parquet_rows.hpp"
#include "formats/datasets/parquet_writer.hpp"
#include "formats/datasets/row_reader.hpp"

namespace vitrine::datasets {
namespace {

using ordered = nlohmann::ordered_json;
using Kind = ScalarCell::Kind;

constexpr char kFeatures[] = R"([
  {"name": "i", "type": {"dtype": "int64", "_type": "Value"}},
  {"name": "u", "type": {"dtype": "uint64", "_type": "Value"}},
  {"name": "f", "type": {"dtype": "float64", "_type": "Value"}},
  {"name": "b", "type": {"dtype": "bool", "_type": "Value"}},
  {"name": "s", "type": {"dtype": "string", "_type": "Value"}},
  {"name": "small", "type": {"dtype": "int8", "_type": "Value"}},
  {"name": "g", "type": {"dtype": "float32", "_type": "Value"}}])";

ScalarCell int64(int64_t v) {
  return {.kind = Kind::kInt64, .int64 = v, .text = {}};
}
ScalarCell uint64(uint64_t v) {
  return {.kind = Kind::kUInt64, .uint64 = v, .text = {}};
}
ScalarCell float64(double v) {
  return {.kind = Kind::kFloat64, .float64 = v, .text = {}};
}
ScalarCell boolean(bool v) {
  return {.kind = Kind::kBool, .boolean = v, .text = {}};
}
ScalarCell text(std::string_view v) {
  return {.kind = Kind::kString, .text = v};
}

struct Written {
  std::string bytes;
  Status status;  // of the first refused call
  uint64_t rows = 0;
};

// `rows` written as JSON cells or as ScalarCells (with `background`: batches of 3 rows).
Written write(const std::vector<std::vector<ScalarCell>>& rows, bool scalar, bool background,
              const char* features = kFeatures, uint64_t first_row_number = 0) {
  Written out;
  ParquetWriteOptions options;
  options.first_row_number = first_row_number;
  options.row_group_rows = 5;
  options.background = background;
  options.background_batch_rows = 3;
  auto writer = ParquetWriter::create(
      ordered::parse(features),
      [&](std::string_view b) {
        out.bytes.append(b);
        return Status::ok();
      },
      options);
  EXPECT_TRUE(writer) << writer.status().message();
  for (const auto& row : rows) {
    Status s;
    if (scalar) {
      s = (*writer)->add_scalar_row(row);
    } else {
      Row cells;
      for (const auto& c : row) cells.push_back(scalar_json(c));
      s = (*writer)->add_row(cells);
    }
    if (!s && out.status.is_ok()) out.status = s;
  }
  Status s = (*writer)->finish();
  if (!s && out.status.is_ok()) out.status = s;
  out.rows = (*writer)->num_rows();
  return out;
}

// Rows of every kind, nulls and extremes among them, over several row groups and batches.
std::vector<std::vector<ScalarCell>> sample_rows(std::vector<std::string>& texts) {
  std::vector<std::vector<ScalarCell>> rows;
  for (int r = 0; r < 23; ++r) texts.push_back("row " + std::to_string(r % 7) + " é");
  for (int r = 0; r < 23; ++r) {
    std::vector<ScalarCell> row = {int64(r == 3 ? INT64_MIN : r * 1000 - 7),
                                   uint64(r == 4 ? UINT64_MAX : static_cast<uint64_t>(r)),
                                   float64(r * 0.25 - 1),
                                   boolean(r % 3 == 0),
                                   text(texts[static_cast<size_t>(r)]),
                                   int64(r % 2 ? -128 : 127),
                                   float64(r / 3.0)};
    if (r % 5 == 2) row[static_cast<size_t>(r % 7)] = ScalarCell();  // a null, column by column
    if (r == 9) row.resize(4);                                       // short: padded with nulls
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(ParquetScalarRows, SameFileAsJsonCellsOnThisThreadAndInTheBackground) {
  std::vector<std::string> texts;
  auto rows = sample_rows(texts);
  Written json_cells = write(rows, false, false);
  ASSERT_TRUE(json_cells.status) << json_cells.status.message();
  Written scalar = write(rows, true, false);
  ASSERT_TRUE(scalar.status) << scalar.status.message();
  Written background = write(rows, true, true);
  ASSERT_TRUE(background.status) << background.status.message();
  Written json_background = write(rows, false, true);  // JSON rows in batches too
  ASSERT_TRUE(json_background.status) << json_background.status.message();
  EXPECT_EQ(scalar.bytes, json_cells.bytes);
  EXPECT_EQ(background.bytes, json_cells.bytes);
  EXPECT_EQ(json_background.bytes, json_cells.bytes);
  EXPECT_EQ(background.rows, rows.size());

  auto file = ParquetFile::open(memory_file(background.bytes));
  ASSERT_TRUE(file) << file.status().message();
  auto read = file->read_rows(0, rows.size());
  ASSERT_TRUE(read) << read.status().message();
  ASSERT_EQ(read->size(), rows.size());
  EXPECT_EQ((*read)[3][0], INT64_MIN);
  EXPECT_EQ((*read)[4][1], UINT64_MAX);
  EXPECT_EQ((*read)[5][4], "row 5 é");
  EXPECT_TRUE((*read)[9][4].is_null());
  EXPECT_TRUE((*read)[2][2].is_null());
}

TEST(ParquetScalarRows, CellsThatDoNotFitNameTheColumnAndRow) {
  std::vector<std::string> texts;
  auto rows = sample_rows(texts);
  rows[7][5] = int64(128);  // past int8
  Written scalar = write(rows, true, false);
  EXPECT_EQ(scalar.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(scalar.status.message(),
            "column 'small', row 7: expected an integer in range for int8");
  EXPECT_EQ(scalar.rows, rows.size() - 1);  // on this thread the writer goes on without it

  // In the background the error comes with a later call, and the writer stays failed.
  Written background = write(rows, true, true);
  EXPECT_EQ(background.status.message(), scalar.status.message());
  EXPECT_LT(background.rows, rows.size() - 1);
  Written json_background = write(rows, false, true);
  EXPECT_EQ(json_background.status.message(), scalar.status.message());
  EXPECT_LT(json_background.rows, rows.size() - 1);
  // Rows numbered from first_row_number (a shard's first row in its split).
  Written numbered = write(rows, true, true, kFeatures, 1000);
  EXPECT_EQ(numbered.status.message(),
            "column 'small', row 1007: expected an integer in range for int8");

  std::vector<std::vector<ScalarCell>> wrong = {{text("1")},
                                                {int64(1), int64(2), float64(1.5), text("x")}};
  Written kinds = write(wrong, true, false);
  EXPECT_EQ(kinds.status.message(), "column 'i', row 0: expected an integer");
  const char invalid[] = "\xff";
  Written utf8 =
      write({{int64(1), uint64(1), float64(1), boolean(true), text(invalid)}}, true, false);
  EXPECT_EQ(utf8.status.message(), "column 's', row 0: expected a UTF-8 string");
}

TEST(ParquetScalarRows, OnlyFlatSchemas) {
  constexpr char kNested[] = R"([{"name": "l", "type": {"feature": {"dtype": "int64",
    "_type": "Value"}, "_type": "List"}}])";
  Written nested = write({{int64(1)}}, true, false, kNested);
  EXPECT_EQ(nested.status.kind(), ErrorKind::kUnprocessable);
  EXPECT_NE(nested.status.message().find("'l' is not a value"), std::string::npos);
  EXPECT_EQ(nested.rows, 0u);
}

TEST(CsvTextRows, SameCellsTypesAndValuesAsTheJsonRows) {
  // Fields the whole-record path splits, and those it leaves to the byte-by-byte reading
  // (quotes inside, '\r', blank lines, a record cut by the read size).
  std::string csv =
      "id,text,score,flag,label,big\n"
      "1,plain,0.5,true,3,18446744073709551615\n"
      "\n"
      "2,\"quoted, with a comma\",inf,False,,1\n"
      "3,\"a \"\"quote\"\" inside\",-1e3,TRUE,NA,2\r\n"
      "  \n"
      "4,\"two\nlines\",nan,false,7,3\n"
      "5,,1,true,8,4\n"
      "6,x,-0,true,-0,5\n";
  for (size_t piece : {size_t{1}, size_t{5}, csv.size()}) {
    SCOPED_TRACE(piece);
    auto json_reader = csv_reader(memory_source(csv, piece), {});
    auto text_reader = csv_reader(memory_source(csv, piece), {});
    FeatureInference by_json(SourceFormat::kCsv), by_text(SourceFormat::kCsv);
    FeatureInference fused(SourceFormat::kCsv);  // observed and typed in one pass
    std::vector<Row> rows;
    std::vector<std::vector<std::string>> texts;
    for (;;) {
      auto row = json_reader->next();
      ASSERT_TRUE(row) << row.status().message();
      auto cells = text_reader->next_text();
      ASSERT_TRUE(cells) << cells.status().message();
      ASSERT_EQ(row->has_value(), *cells != nullptr);
      if (!*row) break;
      by_json.observe(json_reader->columns(), **row);
      by_text.observe_text(**cells);
      std::vector<ScalarCell> typed_now;
      fused.observe_text(json_reader->columns(), **cells, &typed_now);
      Row expected_now = by_json.typed(json_reader->columns(), **row);
      ASSERT_EQ(typed_now.size(), expected_now.size());
      for (size_t c = 0; c < typed_now.size(); ++c)
        EXPECT_EQ(scalar_json(typed_now[c]), expected_now[c]);
      if (texts.size() == 5) {  // "-0" in a float64 column of integers is -0.0, as pandas reads it
        EXPECT_EQ(typed_now[4].kind, Kind::kFloat64);
        EXPECT_TRUE(std::signbit(typed_now[4].float64));
      }
      rows.push_back(**row);
      texts.emplace_back((*cells)->begin(), (*cells)->end());
    }
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(texts[1][1], "quoted, with a comma");
    EXPECT_EQ(texts[2][1], "a \"quote\" inside");
    EXPECT_EQ(texts[3][1], "two\nlines");
    const auto& columns = json_reader->columns();
    EXPECT_EQ(by_text.features(columns), by_json.features(columns));
    EXPECT_EQ(by_text.features(columns)[5]["type"]["dtype"], "uint64");
    for (size_t r = 0; r < rows.size(); ++r) {
      std::vector<std::string_view> views(texts[r].begin(), texts[r].end());
      std::vector<ScalarCell> typed;
      by_text.typed_text(columns, views, &typed);
      Row expected = by_json.typed(columns, rows[r]);
      ASSERT_EQ(typed.size(), expected.size());
      for (size_t c = 0; c < typed.size(); ++c) EXPECT_EQ(scalar_json(typed[c]), expected[c]) << r;
    }
  }
}

TEST(CsvTextRows, SameTypesSeesWhatTheFeaturesHide) {
  // Both are "string" columns, but the second keeps NA text ("NA" stays "NA"): the export's
  // single pass must not take the first types for the final ones.
  auto observe = [](FeatureInference& inference, std::string_view cell) {
    inference.observe_text(std::vector<std::string_view>{cell});
  };
  std::vector<std::string> columns = {"a"};
  FeatureInference early(SourceFormat::kCsv);
  observe(early, "-9223372036854775809");
  observe(early, "NA");
  FeatureInference later = early;
  observe(later, "18446744073709551615");
  EXPECT_EQ(early.features(columns), later.features(columns));
  EXPECT_FALSE(early.same_types(later, columns));
  EXPECT_TRUE(early.same_types(early, columns));
  std::vector<ScalarCell> typed;
  early.typed_text(columns, {"NA"}, &typed);
  EXPECT_EQ(typed[0].kind, Kind::kNull);
  later.typed_text(columns, {"NA"}, &typed);
  EXPECT_EQ(scalar_json(typed[0]), "NA");
}

TEST(CsvTextRows, OddSeparatorsReadAsTheStateMachineReadsThem) {
  // A quote, a line break or '\r' as the separator: records are read byte by byte, as pandas'
  // tokenizer orders its tests.
  struct Case {
    char sep;
    std::string csv;
  };
  for (const Case& c : {Case{'"', "a\"b\n1\"2\n"}, Case{'\n', "h\n\"a\"\nb\n"},
                        Case{';', "a;b\r\n1;\"x;y\"\r\n"}}) {
    CsvOptions options;
    options.sep = c.sep;
    for (size_t piece : {size_t{1}, c.csv.size()}) {
      auto whole = csv_reader(memory_source(c.csv, piece), options);
      auto bytewise = csv_reader(memory_source(c.csv, 1), options);
      for (;;) {
        auto a = whole->next_text();
        auto b = bytewise->next();
        ASSERT_EQ(a.is_ok(), b.is_ok());
        if (!a) {
          EXPECT_EQ(a.status().message(), b.status().message());
          break;
        }
        ASSERT_EQ(*a != nullptr, b->has_value());
        if (!*a) break;
        std::vector<nlohmann::json> cells;
        for (std::string_view f : **a) {
          cells.push_back(f.empty() ? nlohmann::json() : nlohmann::json(std::string(f)));
        }
        EXPECT_EQ(cells, **b);
      }
      EXPECT_EQ(whole->columns(), bytewise->columns());
    }
  }
  CsvOptions quote;
  quote.sep = '"';
  auto header = csv_reader(memory_source("a\"b\n1\"2\n"), quote);
  ASSERT_TRUE(header->next_text().is_ok());
  EXPECT_EQ(header->columns(), (std::vector<std::string>{"a", "b"}));
}

TEST(CsvTextRows, ErrorsAreThoseOfTheJsonRows) {
  ReaderLimits limits;
  limits.max_row_bytes = 10;
  for (std::string csv : {std::string("a,b\n1,2\n3,4,5\n"), std::string("a\n12345678901\n"),
                          std::string("a\n\xff\n")}) {
    auto json_reader = csv_reader(memory_source(csv), {}, limits);
    auto text_reader = csv_reader(memory_source(csv), {}, limits);
    // Each reading's first error (every input here has one before its end).
    auto first_error = [](auto next) {
      for (;;) {
        auto got = next();
        if (!got) return got.status();
        if (!*got) return Status::ok();
      }
    };
    Status a = first_error([&] { return json_reader->next(); });
    Status b = first_error([&] { return text_reader->next_text(); });
    EXPECT_EQ(b.kind(), ErrorKind::kUnprocessable);
    EXPECT_EQ(b.message(), a.message());
  }
}

}  // namespace
}  // namespace vitrine::datasets
