// Unit tests for the Parquet writer (parquet_writer.hpp): files written and read back through
// ParquetFile (parquet_rows.hpp) give the same cells and Features for every type, with nulls at
// every level of nesting, over several row groups, pages and codecs, with and without a
// dictionary; the footer says what pyarrow's would (schema annotations, statistics, the
// `huggingface` metadata byte for byte); and cells that do not fit, unsupported features and a
// failing sink are errors that name what is wrong.
#include "formats/datasets/parquet_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_json_cells.hpp"
#include "formats/datasets/parquet_rows.hpp"
#include "formats/datasets/parquet_value_encoder.hpp"

namespace vitrine::datasets {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

// A writer of `features` ([{"name", "type"}] as JSON text) whose sink appends to *bytes (or
// drops the bytes when it is null).
Result<std::unique_ptr<ParquetWriter>> make_writer(const std::string& features,
                                                   std::string* bytes = nullptr,
                                                   ParquetWriteOptions options = {}) {
  return ParquetWriter::create(
      ordered::parse(features),
      [bytes](std::string_view b) {
        if (bytes) bytes->append(b);
        return Status::ok();
      },
      options);
}

// `rows` written with `features`; every row must be accepted.
std::string write_file(const std::string& features, const std::vector<Row>& rows,
                       ParquetWriteOptions options = {}) {
  std::string bytes;
  auto writer = make_writer(features, &bytes, options);
  EXPECT_TRUE(writer) << writer.status().message();
  if (!writer) return {};
  for (const auto& row : rows) {
    Status s = (*writer)->add_row(row);
    EXPECT_TRUE(s) << s.message();
  }
  Status s = (*writer)->finish();
  EXPECT_TRUE(s) << s.message();
  EXPECT_EQ((*writer)->bytes_written(), bytes.size());
  EXPECT_EQ((*writer)->num_rows(), rows.size());
  return bytes;
}

Row row_of(const std::string& cells) {
  json parsed = json::parse(cells);
  return Row(parsed.begin(), parsed.end());
}

std::vector<Row> rows_of(const std::vector<std::string>& rows) {
  std::vector<Row> out;
  for (const auto& r : rows) out.push_back(row_of(r));
  return out;
}

std::vector<Row> read_all(const std::string& bytes, uint64_t offset = 0, uint64_t count = 1000) {
  auto file = ParquetFile::open(memory_file(bytes));
  EXPECT_TRUE(file) << file.status().message();
  if (!file) return {};
  auto rows = file->read_rows(offset, count);
  EXPECT_TRUE(rows) << rows.status().message();
  return rows ? *rows : std::vector<Row>{};
}

// Writes `rows`, reads them back, and checks they are `expected` (the same when empty).
void expect_round_trip(const std::string& features, const std::vector<std::string>& rows,
                       const std::vector<std::string>& expected = {},
                       ParquetWriteOptions options = {}) {
  std::string bytes = write_file(features, rows_of(rows), options);
  auto read = read_all(bytes);
  auto want = rows_of(expected.empty() ? rows : expected);
  ASSERT_EQ(read.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(json(read[i]), json(want[i])) << "row " << i;
  }
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  EXPECT_EQ(file->features(), ordered::parse(features));
}

std::string value(const std::string& dtype) {
  return R"({"dtype": ")" + dtype + R"(", "_type": "Value"})";
}

TEST(ParquetWriter, IntegersBoolsAndFloats) {
  std::string features = R"([
    {"name": "b", "type": )" +
                         value("bool") + R"(},
    {"name": "i8", "type": )" +
                         value("int8") + R"(},
    {"name": "i16", "type": )" +
                         value("int16") + R"(},
    {"name": "i32", "type": )" +
                         value("int32") + R"(},
    {"name": "i64", "type": )" +
                         value("int64") + R"(},
    {"name": "u8", "type": )" +
                         value("uint8") + R"(},
    {"name": "u16", "type": )" +
                         value("uint16") + R"(},
    {"name": "u32", "type": )" +
                         value("uint32") + R"(},
    {"name": "u64", "type": )" +
                         value("uint64") + R"(},
    {"name": "f16", "type": )" +
                         value("float16") + R"(},
    {"name": "f32", "type": )" +
                         value("float32") + R"(},
    {"name": "f64", "type": )" +
                         value("float64") + R"(}])";
  expect_round_trip(
      features,
      {R"([true, -128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, 0, -2, -1.5, -1e300])",
       R"([false, 127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295,
           18446744073709551615, 65504, 3.25, 0.1])",
       R"([null, null, null, null, null, null, null, null, null, null, null, null])",
       R"([true, 0, 1, 2, 3, 4, 5, 6, 7, 0.5, 1, 2])"});
}

TEST(ParquetWriter, StringsBinaryJsonAndNulls) {
  std::string features = R"([
    {"name": "s", "type": )" +
                         value("string") + R"(},
    {"name": "ls", "type": )" +
                         value("large_string") + R"(},
    {"name": "bin", "type": )" +
                         value("binary") + R"(},
    {"name": "j", "type": {"_type": "Json"}},
    {"name": "n", "type": )" +
                         value("null") + R"(},
    {"name": "label", "type": {"names": ["neg", "pos"], "_type": "ClassLabel"}}])";
  expect_round_trip(
      features,
      {R"(["héllo ✓ 🎉", "", "AAEC/w==", {"a": [1, "x", null]}, null, 1])",
       R"([null, "x", "", [1, 2.5, true], null, null])",
       R"(["", null, null, "just a string", null, "pos"])", R"(["s", "t", null, null, null, -1])"},
      {R"(["héllo ✓ 🎉", "", "AAEC/w==", {"a": [1, "x", null]}, null, 1])",
       R"([null, "x", "", [1, 2.5, true], null, null])",
       R"(["", null, null, "just a string", null, 1])", R"(["s", "t", null, null, null, -1])"});
}

TEST(ParquetWriter, DatesTimesTimestampsAndDecimals) {
  std::string features = R"([
    {"name": "d", "type": )" +
                         value("date32") + R"(},
    {"name": "ts", "type": )" +
                         value("timestamp[s]") + R"(},
    {"name": "tms", "type": )" +
                         value("timestamp[ms]") + R"(},
    {"name": "tus", "type": )" +
                         value("timestamp[us, tz=UTC]") + R"(},
    {"name": "tns", "type": )" +
                         value("timestamp[ns, tz=Europe/Paris]") + R"(},
    {"name": "t32", "type": )" +
                         value("time32[ms]") + R"(},
    {"name": "t64", "type": )" +
                         value("time64[us]") + R"(},
    {"name": "dec", "type": )" +
                         value("decimal128(7, 2)") + R"(},
    {"name": "big", "type": )" +
                         value("decimal256(50, 3)") + R"(}])";
  expect_round_trip(features,
                    {R"(["2024-02-29", "2024-01-02T03:04:05", "1969-12-31T23:59:59.999",
           "2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.123456789Z", "23:59:59.999",
           "12:00:00.000001", "-12345.67", "-12345678901234567890123456789012345678901234.567"])",
                     R"(["0001-01-01", "1970-01-01 00:00:00", "2024-06-01T12:00:00+02:00",
           "2024-06-01T12:00:00-01:30", "2024-06-01T12:00", "00:00:00", "00:00:00",
           "0.5", 1])",
                     R"([null, null, null, null, null, null, null, null, null])",
                     R"([0, 1700000000, 1, 1, 1, 1, 1, 100, "1E+3"])"},
                    {R"(["2024-02-29", "2024-01-02T03:04:05", "1969-12-31T23:59:59.999000",
           "2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.123456789Z", "23:59:59.999000",
           "12:00:00.000001", "-12345.67", "-12345678901234567890123456789012345678901234.567"])",
                     R"(["0001-01-01", "1970-01-01T00:00:00", "2024-06-01T10:00:00",
           "2024-06-01T13:30:00Z", "2024-06-01T12:00:00Z", "00:00:00", "00:00:00",
           "0.50", "1.000"])",
                     R"([null, null, null, null, null, null, null, null, null])",
                     R"(["1970-01-01", "2023-11-14T22:13:20", "1970-01-01T00:00:00.001000",
           "1970-01-01T00:00:00.000001Z", "1970-01-01T00:00:00.000000001Z", "00:00:00.001000",
           "00:00:00.000001", "100.00", "1000.000"])"});
}

TEST(ParquetWriter, NullsAtEveryLevelOfLists) {
  std::string features = R"([
    {"name": "l", "type": {"feature": )" +
                         value("int64") + R"(, "_type": "List"}},
    {"name": "s", "type": {"a": )" +
                         value("string") + R"(, "b": {"feature": )" + value("int32") +
                         R"(, "_type": "List"}}}])";
  expect_round_trip(features,
                    {R"([[1, null, 3], {"a": "x", "b": [1]}])", R"([null, null])",
                     R"([[], {"a": null, "b": null}])", R"([[null], {"a": "y", "b": []}])",
                     R"([[4], {"b": [null, 2]}])"},
                    {R"([[1, null, 3], {"a": "x", "b": [1]}])", R"([null, null])",
                     R"([[], {"a": null, "b": null}])", R"([[null], {"a": "y", "b": []}])",
                     R"([[4], {"a": null, "b": [null, 2]}])"});
}

TEST(ParquetWriter, DeepNesting) {
  // A list of dicts holding a list of lists of dicts, a LargeList, the [X] form and a legacy
  // Sequence of a dict (a dict of lists).
  std::string features = R"([
    {"name": "deep", "type": {"feature": {"id": )" +
                         value("int64") + R"(,
        "grid": {"feature": {"feature": {"v": )" +
                         value("float64") + R"(, "t": )" + value("string") +
                         R"(}, "_type": "List"}, "_type": "LargeList"}},
        "_type": "List"}},
    {"name": "short", "type": [[)" +
                         value("int16") + R"(]]},
    {"name": "seq", "type": {"feature": {"x": )" +
                         value("int64") + R"(, "y": )" + value("string") +
                         R"(}, "_type": "Sequence"}}])";
  expect_round_trip(features,
                    {R"([[{"id": 1, "grid": [[{"v": 1.5, "t": "a"}, null], [], null]}, null,
           {"id": null, "grid": null}, {"id": 2, "grid": [[{"v": null, "t": null}]]}],
           [[1, 2], [], null, [null]], {"x": [1, 2], "y": ["a", null]}])",
                     R"([null, null, null])", R"([[], [], {"x": [], "y": null}])",
                     R"([[{"id": 3, "grid": [[]]}], [[3]], {"x": null, "y": ["z"]}])"});
}

TEST(ParquetWriter, MediaFeaturesAreBytesAndPath) {
  std::string features = R"([
    {"name": "image", "type": {"decode": true, "_type": "Image"}},
    {"name": "audio", "type": {"_type": "Audio"}}])";
  expect_round_trip(
      features,
      {R"([{"bytes": "iVBORw0KGgo=", "path": "a.png"}, null])",
       R"(["images/b.jpg", {"bytes": null, "path": "x.wav"}])",
       R"([{"bytes": "AAAA", "path": null}, {"path": "y.mp3"}])"},
      {R"([{"bytes": "iVBORw0KGgo=", "path": "a.png"}, null])",
       R"([{"bytes": null, "path": "images/b.jpg"}, {"bytes": null, "path": "x.wav"}])",
       R"([{"bytes": "AAAA", "path": null}, {"bytes": null, "path": "y.mp3"}])"});
}

TEST(ParquetWriter, JsonInsideListsIsParsedBack) {
  std::string features =
      R"([{"name": "events", "type": {"feature": {"_type": "Json"}, "_type": "List"}},
          {"name": "meta", "type": {"extra": {"_type": "Json"}, "n": )" +
      value("int64") + R"(}}])";
  expect_round_trip(features,
                    {R"([[1, "two", {"three": [3]}, null], {"extra": {"k": "v"}, "n": 1}])",
                     R"([[], {"extra": "[not json", "n": null}])"});
  // Reading some fields only: the Json types follow the fields asked for.
  std::string bytes = write_file(features, rows_of({R"([["x"], {"extra": [1], "n": 2}])"}));
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  std::vector<size_t> fields{1, 0};
  auto rows = file->read_rows(0, 1, {}, nullptr, &fields);
  ASSERT_TRUE(rows);
  EXPECT_EQ(json((*rows)[0]), json::parse(R"([{"extra": [1], "n": 2}, ["x"]])"));
  // Text that is not JSON stays the string it is; so do cells not shaped as the type says.
  json cell = json::parse(R"({"extra": "[1,", "n": 1})");
  decode_json_cells(ordered::parse(features)[1]["type"], cell);
  EXPECT_EQ(cell, json::parse(R"({"extra": "[1,", "n": 1})"));
  json legacy = json::parse(R"({"a": ["1", "{}"], "b": ["[]"]})");
  decode_json_cells(ordered::parse(R"({"feature": {"a": {"_type": "Json"}, "b": )" +
                                   value("string") + R"(}, "_type": "Sequence"})"),
                    legacy);
  EXPECT_EQ(legacy, json::parse(R"({"a": [1, {}], "b": ["[]"]})"));
  EXPECT_FALSE(feature_has_json(ordered::parse(features)[1]["type"]["n"]));
}

TEST(ParquetWriter, RowGroupsAndReadsAcrossThem) {
  std::string features = R"([{"name": "i", "type": )" + value("int64") + R"(},
      {"name": "tags", "type": {"feature": )" +
                         value("string") + R"(, "_type": "List"}}])";
  std::vector<Row> rows;
  for (int i = 0; i < 10; ++i) {
    rows.push_back(
        Row{i, i % 3 == 0 ? json(nullptr) : json::array({"t" + std::to_string(i), "common"})});
  }
  ParquetWriteOptions options;
  options.row_group_rows = 3;
  std::string bytes = write_file(features, rows, options);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  ASSERT_EQ(file->footer().row_groups.size(), 4u);
  EXPECT_EQ(file->footer().row_groups[3].num_rows, 1);
  EXPECT_EQ(file->num_rows(), 10u);
  for (uint64_t offset : {0, 2, 5, 8, 9}) {
    auto read = file->read_rows(offset, 4);
    ASSERT_TRUE(read) << read.status().message();
    ASSERT_EQ(read->size(), std::min<uint64_t>(4, 10 - offset));
    for (size_t k = 0; k < read->size(); ++k) {
      EXPECT_EQ(json((*read)[k]), json(rows[offset + k])) << offset << "+" << k;
    }
  }
}

TEST(ParquetWriter, FooterAsPyarrowWritesIt) {
  std::string features = R"([{"name": "id", "type": )" + value("int64") + R"(},
      {"name": "name", "type": )" +
                         value("string") + R"(},
      {"name": "small", "type": )" +
                         value("uint8") + R"(},
      {"name": "é", "type": {"feature": )" +
                         value("float32") + R"(, "_type": "List"}}])";
  std::string bytes =
      write_file(features, rows_of({R"([5, "b", 1, [0.0, 2]])", R"([-3, "a", null, [-1]])",
                                    R"([null, "b", 200, null])"}));
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  const ParquetFooter& footer = file->footer();
  EXPECT_EQ(footer.version, 2);
  EXPECT_EQ(footer.created_by, "vitrine");
  const std::string* hf = footer.metadata_value("huggingface");
  ASSERT_NE(hf, nullptr);
  EXPECT_EQ(*hf,
            R"({"info": {"features": {"id": {"dtype": "int64", "_type": "Value"}, )"
            R"("name": {"dtype": "string", "_type": "Value"}, )"
            R"("small": {"dtype": "uint8", "_type": "Value"}, )"
            R"("\u00e9": {"feature": {"dtype": "float32", "_type": "Value"}, "_type": "List"}}}})");
  const ParquetSchema& schema = file->schema();
  ASSERT_EQ(schema.columns.size(), 4u);
  EXPECT_EQ(schema.column_node(3).path, (std::vector<std::string>{"é", "list", "element"}));
  EXPECT_EQ(schema.column_node(3).max_definition_level, 3);
  EXPECT_EQ(schema.column_node(3).max_repetition_level, 1);
  EXPECT_EQ(schema.elements[0].repetition, Repetition::kRequired);
  EXPECT_EQ(schema.column_element(0).repetition, Repetition::kOptional);
  EXPECT_EQ(schema.column_element(0).logical_type.kind, LogicalType::Kind::kNone);
  EXPECT_EQ(schema.column_element(1).converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(schema.column_element(2).logical_type.kind, LogicalType::Kind::kInteger);
  EXPECT_FALSE(schema.column_element(2).logical_type.is_signed);
  EXPECT_EQ(schema.column_element(2).converted_type, ConvertedType::kUint8);
  // Without the metadata, the schema alone gives the same Features.
  EXPECT_EQ(parquet_features(schema), ordered::parse(features));
  const auto& chunks = footer.row_groups[0].columns;
  const Statistics& ids = *chunks[0].meta_data->statistics;
  EXPECT_EQ(ids.null_count, 1);
  ASSERT_TRUE(ids.min_value && ids.max_value);
  int64_t min, max;
  std::memcpy(&min, ids.min_value->data(), 8);
  std::memcpy(&max, ids.max_value->data(), 8);
  EXPECT_EQ(min, -3);
  EXPECT_EQ(max, 5);
  EXPECT_EQ(chunks[1].meta_data->statistics->min_value, "a");
  EXPECT_EQ(chunks[1].meta_data->statistics->max_value, "b");
  uint32_t small_max;
  std::memcpy(&small_max, chunks[2].meta_data->statistics->max_value->data(), 4);
  EXPECT_EQ(small_max, 200u);
  // -0.0 as the minimum of a float column that holds 0, +2 as its maximum.
  EXPECT_EQ(*chunks[3].meta_data->statistics->min_value, std::string("\0\0\x80\xbf", 4));
  EXPECT_EQ(chunks[3].meta_data->statistics->null_count, 1);
  // The string column is dictionary-encoded, the others PLAIN.
  EXPECT_TRUE(chunks[1].meta_data->dictionary_page_offset.has_value());
  EXPECT_NE(std::find(chunks[1].meta_data->encodings.begin(), chunks[1].meta_data->encodings.end(),
                      Encoding::kRleDictionary),
            chunks[1].meta_data->encodings.end());
  EXPECT_FALSE(chunks[0].meta_data->dictionary_page_offset.has_value());
  EXPECT_EQ(chunks[0].meta_data->codec, CompressionCodec::kSnappy);
}

TEST(ParquetWriter, EveryCodecAndEncodingReadsBack) {
  std::string features = R"([{"name": "s", "type": )" + value("string") + R"(},
      {"name": "x", "type": )" +
                         value("float64") + R"(}])";
  std::vector<std::string> rows;
  for (int i = 0; i < 50; ++i) {
    rows.push_back(R"([")" + std::string(i % 7, 'a') + R"(", )" + std::to_string(i * 0.25) + "]");
  }
  for (CompressionCodec codec :
       {CompressionCodec::kUncompressed, CompressionCodec::kSnappy, CompressionCodec::kGzip,
        CompressionCodec::kZstd, CompressionCodec::kLz4Raw}) {
    for (bool dictionary : {true, false}) {
      SCOPED_TRACE(parquet_codec_name(codec) + (dictionary ? " dictionary" : " plain"));
      ParquetWriteOptions options;
      options.codec = codec;
      options.dictionary = dictionary;
      expect_round_trip(features, rows, {}, options);
      std::string bytes = write_file(features, rows_of(rows), options);
      auto file = ParquetFile::open(memory_file(bytes));
      ASSERT_TRUE(file);
      const ColumnMetaData& meta = *file->footer().row_groups[0].columns[0].meta_data;
      EXPECT_EQ(meta.codec, codec);
      EXPECT_EQ(meta.dictionary_page_offset.has_value(), dictionary);
    }
  }
  ParquetWriteOptions brotli;
  brotli.codec = CompressionCodec::kBrotli;
  auto writer = make_writer(features, nullptr, brotli);
  EXPECT_FALSE(writer);
}

TEST(ParquetWriter, LargeColumnsSplitPagesAndLeaveTheDictionary) {
  // 3 MiB of distinct strings: several pages, and past 1 MiB the dictionary gives way to PLAIN.
  std::string features = R"([{"name": "i", "type": )" + value("int64") + R"(},
      {"name": "s", "type": )" +
                         value("string") + R"(}])";
  std::vector<Row> rows;
  for (int i = 0; i < 768; ++i) {
    rows.push_back(Row{i, std::to_string(i) + std::string(4096, char('a' + i % 26))});
  }
  std::string bytes = write_file(features, rows);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  const ColumnMetaData& meta = *file->footer().row_groups[0].columns[1].meta_data;
  EXPECT_TRUE(meta.dictionary_page_offset.has_value());
  EXPECT_NE(std::find(meta.encodings.begin(), meta.encodings.end(), Encoding::kPlain),
            meta.encodings.end());
  // The pages of the flat column are found from their headers: reading the last rows skips the
  // first pages.
  ParquetReadStats stats;
  auto tail = file->read_rows(760, 10, {}, &stats);
  ASSERT_TRUE(tail) << tail.status().message();
  ASSERT_EQ(tail->size(), 8u);
  EXPECT_EQ(json((*tail)[7]), json(rows[767]));
  EXPECT_GT(stats.pages_skipped, 0u);
  auto all = file->read_rows(0, 1000);
  ASSERT_TRUE(all);
  for (size_t i = 0; i < rows.size(); i += 97) EXPECT_EQ(json((*all)[i]), json(rows[i]));
}

TEST(ParquetWriter, ByteBoundClosesRowGroups) {
  std::string features = R"([{"name": "s", "type": )" + value("string") + R"(}])";
  ParquetWriteOptions options;
  options.row_group_max_bytes = 10000;
  std::string bytes;
  auto writer = make_writer(features, &bytes, options);
  ASSERT_TRUE(writer);
  EXPECT_EQ((*writer)->bytes_written(), 4u);  // "PAR1"
  ASSERT_TRUE((*writer)->add_row(Row{std::string(3000, 'x')}));
  EXPECT_GT((*writer)->bytes_buffered(), 3000u);
  EXPECT_EQ((*writer)->bytes_written(), 4u);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE((*writer)->add_row(Row{std::string(3000, 'a' + i)}));
  EXPECT_GT((*writer)->bytes_written(), 4u);
  ASSERT_TRUE((*writer)->finish());
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  EXPECT_GE(file->footer().row_groups.size(), 3u);
  EXPECT_EQ(file->num_rows(), 10u);
}

TEST(ParquetWriter, CellsThatDoNotFitNameTheColumnAndRow) {
  std::string features = R"([{"name": "x", "type": )" + value("int8") + R"(},
      {"name": "s", "type": {"inner": {"feature": )" +
                         value("date32") + R"(, "_type": "List"}}}])";
  std::string bytes;
  auto writer = make_writer(features, &bytes);
  ASSERT_TRUE(writer);
  ParquetWriter& w = **writer;
  ASSERT_TRUE(w.add_row(row_of(R"([1, {"inner": ["2024-01-01"]}])")));
  struct Case {
    const char* row;
    const char* message;
  } cases[] = {
      {R"([1.5, null])", "column 'x', row 1: expected an integer"},
      {R"([128, null])", "column 'x', row 1: expected an integer in range for int8"},
      {R"([1, {"inner": ["2024-02-30"]}])", "column 's.inner', row 1: expected a date"},
      {R"([1, {"inner": "2024-01-01"}])", "column 's.inner', row 1: expected a list"},
      {R"([1, [1]])", "column 's', row 1: expected an object"},
      {R"([1, null, 3])", "row 1: 3 cells for 2 columns"},
  };
  for (const auto& c : cases) {
    Status s = w.add_row(row_of(c.row));
    ASSERT_FALSE(s) << c.row;
    EXPECT_EQ(s.kind(), ErrorKind::kUnprocessable);
    EXPECT_EQ(s.message().substr(0, std::string(c.message).size()), c.message) << s.message();
  }
  // The refused rows left nothing behind; a short row is padded with nulls.
  ASSERT_TRUE(w.add_row(row_of(R"([2])")));
  ASSERT_TRUE(w.finish());
  EXPECT_FALSE(w.add_row(row_of(R"([3, null])")));
  auto read = read_all(bytes);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(json(read[0]), json::parse(R"([1, {"inner": ["2024-01-01"]}])"));
  EXPECT_EQ(json(read[1]), json::parse(R"([2, null])"));
}

TEST(ParquetWriter, RefusedRowsLeaveNoValueBehind) {
  // A row refused at its second cell, after its first went into the dictionary (or the PLAIN
  // page): neither the values nor the statistics keep it.
  std::string features = R"([{"name": "s", "type": )" + value("string") + R"(},
      {"name": "i", "type": )" +
                         value("int32") + "}]";
  for (bool dictionary : {true, false}) {
    SCOPED_TRACE(dictionary ? "dictionary" : "plain");
    ParquetWriteOptions options;
    options.dictionary = dictionary;
    std::string bytes;
    auto writer = make_writer(features, &bytes, options);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->add_row(row_of(R"(["b", 1])")));
    ASSERT_FALSE((*writer)->add_row(row_of(R"(["zzz", "x"])")));
    ASSERT_TRUE((*writer)->add_row(row_of(R"(["a", 2])")));
    ASSERT_TRUE((*writer)->finish());
    auto file = ParquetFile::open(memory_file(bytes));
    ASSERT_TRUE(file);
    const Statistics& stats = *file->footer().row_groups[0].columns[0].meta_data->statistics;
    EXPECT_EQ(stats.max_value, "b");
    EXPECT_EQ(stats.min_value, "a");
    auto rows = file->read_rows(0, 10);
    ASSERT_TRUE(rows);
    EXPECT_EQ(json(*rows), json::parse(R"([["b", 1], ["a", 2]])"));
  }
}

TEST(ParquetWriter, ValuesOutOfTheirTypeAreRefused) {
  struct Case {
    std::string dtype;
    std::string cell;
    std::string message;
  } cases[] = {
      {"uint16", "-1", "expected a non-negative integer"},
      {"uint32", "4294967296", "expected an integer in range"},
      {"int64", "18446744073709551615", "expected an integer in range"},
      {"bool", "1", "expected a boolean"},
      {"string", "5", "expected a string"},
      {"binary", R"("not base64!")", "expected base64"},
      {"timestamp[s]", R"("2024-01-01T00:00:00.5")", "second precision"},
      {"timestamp[ms]", R"("2024-01-01 25:00:00")", "expected a timestamp"},
      {"time32[ms]", R"("12:00:00.0001")", "millisecond precision"},
      {"decimal128(4, 1)", R"("123.45")", "at most 1 decimal places"},
      {"decimal128(4, 1)", R"("12345")", "at most 4 digits"},
      {"decimal128(4, 1)", R"("1.2.3")", "expected a decimal"},
      {"null", "0", "expected null"},
      {"float32", R"("1.5")", "expected a number"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.dtype + " " + c.cell);
    auto writer = make_writer(R"([{"name": "v", "type": )" + value(c.dtype) + "}]");
    ASSERT_TRUE(writer) << writer.status().message();
    Status s = (*writer)->add_row(row_of("[" + c.cell + "]"));
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("column 'v', row 0"), std::string::npos) << s.message();
  }
}

TEST(ParquetWriter, UnsupportedFeaturesAreRefused) {
  for (const char* features : {
           R"([{"name": "a", "type": {"shape": [2, 2], "dtype": "int32", "_type": "Array2D"}}])",
           R"([{"name": "a", "type": {"dtype": "duration[s]", "_type": "Value"}}])",
           R"j([{"name": "a", "type": {"dtype": "decimal128(40, 2)", "_type": "Value"}}])j",
           R"([{"name": "a", "type": {}}])",
           R"([{"name": "a", "type": 5}])",
           R"([{"name": "a", "type": {"_type": "Value"}}])",
           R"([{"name": "a", "type": {"dtype": "int64", "_type": "Value"}},
               {"name": "a", "type": {"dtype": "int64", "_type": "Value"}}])",
           R"([{"type": {"dtype": "int64", "_type": "Value"}}])",
       }) {
    auto writer = make_writer(features);
    ASSERT_FALSE(writer) << features;
    EXPECT_EQ(writer.status().kind(), ErrorKind::kUnprocessable);
  }
  auto writer = make_writer(R"([{"name": "img", "type": {"_type": "Array3D"}}])");
  ASSERT_FALSE(writer);
  EXPECT_NE(writer.status().message().find("'img'"), std::string::npos);
  EXPECT_NE(writer.status().message().find("Array3D"), std::string::npos);
}

TEST(ParquetWriter, SinkErrorsFailTheWriterForGood) {
  int calls = 0;
  ParquetWriteOptions options;
  options.row_group_rows = 1;
  auto writer = ParquetWriter::create(
      ordered::parse(R"([{"name": "v", "type": )" + value("int64") + "}]"),
      [&](std::string_view) {
        return ++calls > 1 ? Status(ErrorKind::kInternal, "disk full") : Status::ok();
      },
      options);
  ASSERT_TRUE(writer);
  Status s = (*writer)->add_row(Row{1});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.message(), "disk full");
  EXPECT_EQ((*writer)->add_row(Row{2}).message(), "disk full");
  EXPECT_EQ((*writer)->finish().message(), "disk full");
  EXPECT_EQ(calls, 2);
}

TEST(ParquetWriter, EmptyFileHasTheSchema) {
  std::string features = R"([{"name": "v", "type": )" + value("string") + "}]";
  std::string bytes = write_file(features, {});
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  EXPECT_EQ(file->num_rows(), 0u);
  EXPECT_EQ(file->features(), ordered::parse(features));
}

TEST(ParquetWriter, MetadataIsPythonsJsonDumps) {
  // The expected text is Python's json.dumps of the same value (object_pairs_hook=OrderedDict).
  auto value = ordered::parse(R"({"é🎉\n\"\\/\u0001\u007f": {"names": ["a", "ü", 1, 2.0, 2.5,
      -0.0, 1e20, 1e-7, true, null, [], {}], "_type": "ClassLabel"}, "x": [{"dtype": "int64"}]})");
  EXPECT_EQ(python_json_dumps(value),
            R"({"\u00e9\ud83c\udf89\n\"\\/\u0001\u007f": {"names": ["a", "\u00fc", 1, 2.0, 2.5, )"
            R"(-0.0, 1e+20, 1e-07, true, null, [], {}], "_type": "ClassLabel"}, )"
            R"("x": [{"dtype": "int64"}]})");
}

TEST(ParquetWriter, HalfPrecisionRoundsToNearestEven) {
  EXPECT_EQ(float_to_half(1.0), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0), 0xc000);
  EXPECT_EQ(float_to_half(0.1), 0x2e66);
  EXPECT_EQ(float_to_half(65504.0), 0x7bff);
  EXPECT_EQ(float_to_half(65519.0), 0x7bff);
  EXPECT_EQ(float_to_half(65520.0), 0x7c00);  // halfway past the largest: infinity
  EXPECT_EQ(float_to_half(-1e10), 0xfc00);
  EXPECT_EQ(float_to_half(0x1p-24), 0x0001);            // the smallest subnormal
  EXPECT_EQ(float_to_half(0x1p-25), 0x0000);            // halfway to it: ties to even (zero)
  EXPECT_EQ(float_to_half(0x1.ff8p-15), 0x03ff);        // the largest subnormal
  EXPECT_EQ(float_to_half(0x1p-14), 0x0400);            // the smallest normal
  EXPECT_EQ(float_to_half(1.0 + 0x1p-11), 0x3c00);      // a tie: to even
  EXPECT_EQ(float_to_half(1.0 + 3 * 0x1p-11), 0x3c02);  // a tie: to even
  EXPECT_EQ(float_to_half(-0.0), 0x8000);
}

}  // namespace
}  // namespace vitrine::datasets

namespace vitrine::datasets {
namespace {

// Rows asked for by index (as /filter's page asks for them) are those of a plain read, over
// row groups, pages, nulls, dictionaries, lists and structs; each page is read once however
// many of the rows it holds.
TEST(ParquetWriter, RowsReadByIndexAreThoseOfAPlainRead) {
  std::string features = R"([{"name": "i", "type": )" + value("int64") + R"(},
      {"name": "s", "type": )" +
                         value("string") + R"(},
      {"name": "n", "type": )" +
                         value("float64") + R"(},
      {"name": "tags", "type": {"feature": )" +
                         value("string") + R"(, "_type": "List"}},
      {"name": "st", "type": {"a": )" +
                         value("int32") + R"(, "b": )" + value("string") + R"(}}])";
  std::vector<Row> rows;
  for (int i = 0; i < 2000; ++i) {
    json tags = i % 5 == 0 ? json(nullptr) : json::array();
    for (int k = 0; k < i % 4; ++k) tags.push_back("t" + std::to_string(i + k));
    rows.push_back(Row{i, std::to_string(i) + std::string(600, char('a' + i % 26)),
                       i % 7 == 0 ? json(nullptr) : json(i * 0.5), tags,
                       i % 11 == 0 ? json(nullptr) : json{{"a", i}, {"b", i % 3 ? "x" : "y"}}});
  }
  ParquetWriteOptions options;
  options.row_group_rows = 700;  // 3 groups; the string column has several pages in each
  std::string bytes = write_file(features, rows, options);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  std::vector<std::vector<uint64_t>> sets{
      {0},
      {1999},
      {0, 1, 2, 3},
      {5, 699, 700, 701, 1400, 1999},
      {10, 500, 501, 502, 1000, 1303, 1304, 1700, 2500},  // 2500 is past the end
      {},
  };
  std::vector<uint64_t> every_13th;
  for (uint64_t r = 3; r < 2000; r += 13) every_13th.push_back(r);
  sets.push_back(every_13th);
  ParquetReadStats whole;
  ASSERT_TRUE(file->read_rows(0, 2000, {}, &whole));
  for (const auto& set : sets) {
    ParquetReadStats stats;
    auto read = file->read_rows_at(set, {}, &stats);
    ASSERT_TRUE(read) << read.status().message();
    size_t in_file = 0;
    for (uint64_t r : set) in_file += r < 2000;
    ASSERT_EQ(read->size(), in_file);
    for (size_t k = 0; k < in_file; ++k) {
      EXPECT_EQ(json((*read)[k]), json(rows[set[k]])) << set[k];
    }
    EXPECT_LE(stats.bytes_read, whole.bytes_read);  // no page read twice
  }
  // Fields by index, too.
  std::vector<size_t> fields{3, 0};
  auto some = file->read_rows_at({4, 702, 1990}, {}, nullptr, &fields);
  ASSERT_TRUE(some) << some.status().message();
  ASSERT_EQ(some->size(), 3u);
  EXPECT_EQ(json((*some)[1]), json::array({rows[702][3], 702}));
  // Rows out of order are the caller's error.
  EXPECT_FALSE(file->read_rows_at({5, 4}));
}

// Rows scattered over one large page cost one read of it: the budget of a single read suffices.
TEST(ParquetWriter, ScatteredRowsOfOneLargePageReadItOnce) {
  std::string features = R"([{"name": "s", "type": )" + value("string") + R"(}])";
  std::vector<Row> rows;
  for (int i = 0; i < 900; ++i) rows.push_back(Row{std::to_string(i) + std::string(1000, 'q')});
  ParquetWriteOptions options;
  options.codec = CompressionCodec::kUncompressed;
  options.dictionary = false;
  std::string bytes = write_file(features, rows, options);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  std::vector<uint64_t> scattered;
  for (uint64_t r = 0; r < 900; r += 9) scattered.push_back(r);
  ParquetReadLimits limits;
  limits.max_read_bytes = bytes.size();
  ParquetReadStats stats;
  auto read = file->read_rows_at(scattered, limits, &stats);
  ASSERT_TRUE(read) << read.status().message();
  ASSERT_EQ(read->size(), 100u);
  EXPECT_EQ(json((*read)[99]), json(rows[891]));
  EXPECT_EQ(stats.values, 100u);  // only the rows asked for are decoded
}

// With a page cache, a second read of the same rows takes its pages from the cache: the same
// rows, without reading the pages again; a cache too small to hold a page keeps nothing.
TEST(ParquetWriter, ACachedPageIsNotReadAgain) {
  std::string features = R"([{"name": "i", "type": )" + value("int64") + R"(},
      {"name": "s", "type": )" +
                         value("string") + R"(},
      {"name": "tags", "type": {"feature": )" +
                         value("string") + R"(, "_type": "List"}}])";
  std::vector<Row> rows;
  for (int i = 0; i < 1500; ++i) {
    rows.push_back(Row{i, std::string(300, char('a' + i % 26)) + std::to_string(i),
                       json::array({"t" + std::to_string(i % 7)})});
  }
  ParquetWriteOptions options;
  options.row_group_rows = 500;
  std::string bytes = write_file(features, rows, options);
  for (size_t capacity : {size_t{64} << 20, size_t{100}}) {
    auto file = ParquetFile::open(memory_file(bytes));
    ASSERT_TRUE(file);
    ParquetPageCache cache(capacity);
    file->use_page_cache(&cache, "the file");
    std::vector<uint64_t> wanted{3, 480, 520, 1100, 1499};
    ParquetReadStats first, second;
    auto a = file->read_rows_at(wanted, {}, &first);
    auto b = file->read_rows_at(wanted, {}, &second);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->size(), wanted.size());
    for (size_t k = 0; k < wanted.size(); ++k) {
      EXPECT_EQ(json((*a)[k]), json(rows[wanted[k]]));
      EXPECT_EQ(json((*b)[k]), json(rows[wanted[k]]));
    }
    if (capacity > 100) {
      EXPECT_GT(cache.size(), 0u);
      EXPECT_LT(second.bytes_read * 4, first.bytes_read);  // page headers only, to find them
    } else {
      EXPECT_EQ(cache.size(), 0u);
      EXPECT_EQ(second.bytes_read, first.bytes_read);
    }
  }
}

// A file counting its reads.
class CountingFile : public RandomAccessFile {
 public:
  explicit CountingFile(std::string_view bytes) : inner_(memory_file(bytes)) {}
  uint64_t size() const override { return inner_->size(); }
  Status read_at(uint64_t offset, size_t n, std::string* out) override {
    ++reads;
    return inner_->read_at(offset, n, out);
  }
  std::atomic<int> reads{0};  // read_at may be called from two threads at once

 private:
  std::unique_ptr<RandomAccessFile> inner_;
};

// With a footer cache, a file opened again is not read to parse its footer, and reads the same.
TEST(ParquetWriter, ACachedFooterIsNotReadAgain) {
  std::string features = R"([{"name": "i", "type": )" + value("int64") + R"(}])";
  std::vector<Row> rows;
  for (int i = 0; i < 50; ++i) rows.push_back(Row{i});
  std::string bytes = write_file(features, rows);
  ParquetFile::FooterCache cache(1u << 20);
  auto first = std::make_shared<CountingFile>(bytes);
  auto a = ParquetFile::open(first, &cache, "k");
  ASSERT_TRUE(a) << a.status().message();
  EXPECT_GT(first->reads, 0);
  auto second = std::make_shared<CountingFile>(bytes);
  auto b = ParquetFile::open(second, &cache, "k");
  ASSERT_TRUE(b);
  EXPECT_EQ(second->reads, 0);
  auto got = b->read_rows(45, 10);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 5u);
  EXPECT_EQ(json((*got)[4]), json(rows[49]));
  EXPECT_EQ(b->footer().num_rows, 50);
  // Another key parses its own.
  auto third = std::make_shared<CountingFile>(bytes);
  ASSERT_TRUE(ParquetFile::open(third, &cache, "other"));
  EXPECT_GT(third->reads, 0);
}

}  // namespace
}  // namespace vitrine::datasets
