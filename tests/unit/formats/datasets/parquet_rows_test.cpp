// Unit tests for Parquet rows (parquet_rows.hpp): records assembled from definition and
// repetition levels (lists with null and empty elements, structs that are null or hold nulls,
// bare repeated fields), rows read from an offset, cells of every logical type as the viewer
// writes them, and files whose levels lie.
#include "formats/datasets/parquet_rows.hpp"

#include <gtest/gtest.h>

#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using namespace test;
using json = nlohmann::json;

std::vector<uint32_t> u(std::initializer_list<uint32_t> v) {
  return v;
}

// A column whose one v1 page holds `rep` and `def` levels (max levels given) and PLAIN values.
TestColumn nested_column(std::vector<std::string> path, PhysicalType type, int max_rep, int max_def,
                         const std::vector<uint32_t>& rep, const std::vector<uint32_t>& def,
                         const std::string& values) {
  std::string body;
  if (max_rep > 0) body += v1_levels(rep, max_rep);
  if (max_def > 0) body += v1_levels(def, max_def);
  body += values;
  TestColumn c;
  c.name = path.back();
  c.path = path;
  c.type = type;
  size_t n = max_def > 0 ? def.size() : rep.size();
  c.pages = data_page_v1(body, body.size(), int(n), Encoding::kPlain);
  c.num_values = int64_t(n);
  return c;
}

// message schema {
//   optional group tags (LIST) { repeated group list { optional binary element (UTF8); } }
//   required int64 id;
//   optional group s { optional int32 a; repeated int32 b; }
// }
std::string nested_file(int rows_repeated = 1) {
  std::vector<TestElement> elements{
      {"tags", std::nullopt, Repetition::kOptional, 1, ConvertedType::kList},
      {"list", std::nullopt, Repetition::kRepeated, 1},
      {"element", PhysicalType::kByteArray, Repetition::kOptional, 0, ConvertedType::kUtf8},
      {"id", PhysicalType::kInt64, Repetition::kRequired},
      {"s", std::nullopt, Repetition::kOptional, 2},
      {"a", PhysicalType::kInt32, Repetition::kOptional},
      {"b", PhysicalType::kInt32, Repetition::kRepeated},
  };
  // Rows: {tags: ["a", null], id: 1, s: {a: 1, b: [1, 2]}}, {null, 2, null},
  //       {tags: [], id: 3, s: {a: null, b: []}}; repeated `rows_repeated` times.
  std::vector<uint32_t> tr, td, ir, id, ar, ad, br, bd;
  std::vector<std::string> tags;
  std::vector<int64_t> ids;
  std::vector<int32_t> as, bs;
  for (int k = 0; k < rows_repeated; ++k) {
    for (uint32_t v : u({0, 1, 0, 0})) tr.push_back(v);
    for (uint32_t v : u({3, 2, 0, 1})) td.push_back(v);
    tags.push_back("a" + std::to_string(k));
    for (int64_t v : {1, 2, 3}) ids.push_back(v + 3 * k);
    for (uint32_t v : u({2, 0, 1})) ad.push_back(v);
    as.push_back(k);
    for (uint32_t v : u({0, 1, 0, 0})) br.push_back(v);
    for (uint32_t v : u({2, 2, 0, 1})) bd.push_back(v);
    bs.push_back(1);
    bs.push_back(2 + k);
  }
  std::vector<TestColumn> columns{
      nested_column({"tags", "list", "element"}, PhysicalType::kByteArray, 1, 3, tr, td,
                    plain_strings(tags)),
      nested_column({"id"}, PhysicalType::kInt64, 0, 0, std::vector<uint32_t>(ids.size(), 0), {},
                    plain(ids)),
      nested_column({"s", "a"}, PhysicalType::kInt32, 0, 2, {}, ad, plain(as)),
      nested_column({"s", "b"}, PhysicalType::kInt32, 1, 2, br, bd, plain(bs)),
  };
  columns[0].converted_type = ConvertedType::kUtf8;
  return build_parquet(columns, 3 * rows_repeated, {}, {}, &elements, 3);
}

json row_json(const std::vector<std::string>& names, const Row& row) {
  json out = json::object();
  for (size_t i = 0; i < names.size(); ++i) out[names[i]] = row[i];
  return out;
}

TEST(ParquetRows, AssemblesListsStructsNullsAndEmptyLists) {
  std::string bytes = nested_file();
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  EXPECT_EQ(file->num_rows(), 3u);
  auto names = file->column_names();
  EXPECT_EQ(names, (std::vector<std::string>{"tags", "id", "s"}));
  auto rows = file->read_rows(0, 10);
  ASSERT_TRUE(rows) << rows.status().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ(row_json(names, (*rows)[0]),
            json::parse(R"({"tags":["a0",null],"id":1,"s":{"a":0,"b":[1,2]}})"));
  EXPECT_EQ(row_json(names, (*rows)[1]), json::parse(R"({"tags":null,"id":2,"s":null})"));
  EXPECT_EQ(row_json(names, (*rows)[2]),
            json::parse(R"({"tags":[],"id":3,"s":{"a":null,"b":[]}})"));
  // The features say the same shapes.
  EXPECT_EQ(json(file->features()[0]["type"]),
            json::parse(R"({"feature":{"dtype":"string","_type":"Value"},"_type":"List"})"));
  EXPECT_EQ(file->features()[2]["type"]["b"]["_type"], "List");
}

TEST(ParquetRows, ReadsFromAnOffset) {
  std::string bytes = nested_file(4);  // 12 rows
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  auto names = file->column_names();
  auto rows = file->read_rows(6, 4);
  ASSERT_TRUE(rows) << rows.status().message();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ(row_json(names, (*rows)[0]),
            json::parse(R"({"tags":["a2",null],"id":7,"s":{"a":2,"b":[1,4]}})"));
  EXPECT_EQ(row_json(names, (*rows)[3]),
            json::parse(R"({"tags":["a3",null],"id":10,"s":{"a":3,"b":[1,5]}})"));
  auto past = file->read_rows(12, 5);
  ASSERT_TRUE(past);
  EXPECT_TRUE(past->empty());
  auto last = file->read_rows(11, 100);
  ASSERT_TRUE(last);
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*last)[0][1], 12);
}

TEST(ParquetRows, BatchesThroughARowGroupDecodeAWholeChunkOnce) {
  // One row group of 6,000 rows whose list columns are v1 pages without a page index: their
  // rows cannot be found without decoding the chunk from its start. Read in batches of 100 rows
  // with keep_whole_chunks, those chunks are decoded once (not once per batch) and the rows are
  // those of one plain read, also when a batch starts again behind the last.
  std::string bytes = nested_file(2000);
  auto plain = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(plain);
  auto all = plain->read_rows(0, 6000);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 6000u);
  auto batched = [&](bool keep, ParquetReadStats* stats) {
    auto file = ParquetFile::open(memory_file(bytes));
    EXPECT_TRUE(file);
    if (keep) file->keep_whole_chunks();
    std::vector<Row> rows;
    for (uint64_t at = 0; at < 6000; at += 100) {
      auto got = file->read_rows(at, 100, {}, stats);
      EXPECT_TRUE(got) << got.status().message();
      if (!got) break;
      for (auto& r : *got) rows.push_back(std::move(r));
    }
    auto again = file->read_rows(50, 3, {}, stats);  // behind the last batch: from the start
    EXPECT_TRUE(again);
    if (again) {
      EXPECT_EQ(json((*again)[0]), json((*all)[50]));
      EXPECT_EQ(json((*again)[2]), json((*all)[52]));
    }
    return rows;
  };
  ParquetReadStats kept, each;
  auto rows = batched(true, &kept);
  ASSERT_EQ(rows.size(), all->size());
  for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(json(rows[i]), json((*all)[i])) << i;
  auto again = batched(false, &each);
  ASSERT_EQ(again.size(), all->size());
  // Without keeping, every batch decodes the list chunks whole (60 batches of 8,000 + 8,000
  // slots); kept, they are decoded once, plus the chunks of the read behind.
  EXPECT_GT(each.values, 60u * 16000u);
  EXPECT_LT(kept.values, 4u * 16000u + 61u * 100u * 2u);
}

TEST(ParquetRows, AFlatFieldIsReadAsItsColumn) {
  // The statistics read a field stored as one flat column as that column: its slots are the
  // rows, and their cells those read_rows gives.
  std::string bytes = nested_file(4);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  EXPECT_FALSE(file->flat_column(0));  // tags: a list
  EXPECT_FALSE(file->flat_column(2));  // s: a struct
  EXPECT_FALSE(file->flat_column(3));  // no such field
  auto id = file->flat_column(1);
  ASSERT_TRUE(id);
  ParquetReadStats stats;
  auto values = file->read_column(0, *id, {}, &stats);
  ASSERT_TRUE(values) << values.status().message();
  auto rows = file->read_rows(0, 12);
  ASSERT_TRUE(rows);
  ASSERT_EQ(values->num_slots, rows->size());
  for (size_t r = 0; r < rows->size(); ++r) {
    EXPECT_EQ(parquet_cell(file->schema().column_element(*id), values->values, r), (*rows)[r][1]);
  }
  EXPECT_EQ(stats.values, 12u);
  EXPECT_FALSE(file->read_column(1, *id));  // no second row group
  ParquetReadLimits small;
  small.max_read_bytes = 8;
  EXPECT_EQ(file->read_column(0, *id, small).status().kind(), ErrorKind::kPayloadTooLarge);
}

TEST(ParquetRows, ListLengthsFromTheLevelsAreTheCellsSizes) {
  // tags: ["a", null], null, [] per three rows: lengths 2, -1 (null), 0, as read_rows' cells.
  std::string bytes = nested_file(3);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->has_list_lengths(0));
  EXPECT_FALSE(file->has_list_lengths(1));  // id: no list
  EXPECT_FALSE(file->has_list_lengths(2));  // s: a struct (its b is a list inside it)
  auto lengths = file->list_lengths(0, 0);
  ASSERT_TRUE(lengths) << lengths.status().message();
  auto rows = file->read_rows(0, 9);
  ASSERT_TRUE(rows);
  ASSERT_EQ(lengths->size(), rows->size());
  for (size_t r = 0; r < rows->size(); ++r) {
    const auto& cell = (*rows)[r][0];
    EXPECT_EQ((*lengths)[r], cell.is_null() ? -1 : static_cast<int64_t>(cell.size())) << r;
  }
  EXPECT_EQ(*lengths, (std::vector<int64_t>{2, -1, 0, 2, -1, 0, 2, -1, 0}));
  EXPECT_FALSE(file->list_lengths(0, 1));
}

TEST(ParquetRows, ReadsOnlyTheFieldsAskedFor) {
  std::string bytes = nested_file(2);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  std::vector<size_t> fields{1, 2};
  ParquetReadStats stats;
  auto rows = file->read_rows(3, 2, {}, &stats, &fields);
  ASSERT_TRUE(rows) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  ASSERT_EQ((*rows)[0].size(), 2u);  // id and s only (tags is not read)
  EXPECT_EQ((*rows)[0][0], 4);
  EXPECT_EQ((*rows)[0][1], json::parse(R"({"a":1,"b":[1,3]})"));
  std::vector<size_t> reversed{2, 1};
  auto again = file->read_rows(3, 1, {}, nullptr, &reversed);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0][1], 4);
  EXPECT_EQ(stats.chunks_read, 3u);  // id, s.a, s.b
}

TEST(ParquetRows, ReadBudgetIsKept) {
  std::string bytes = nested_file(4);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  ParquetReadLimits limits;
  limits.max_read_bytes = 20;
  auto rows = file->read_rows(0, 1, limits);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.status().kind(), ErrorKind::kPayloadTooLarge);
  limits = {};
  limits.max_values = 5;
  rows = file->read_rows(0, 1, limits);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.status().kind(), ErrorKind::kPayloadTooLarge);
}

TEST(ParquetRows, LyingLevelsAreErrors) {
  std::vector<TestElement> elements{
      {"l", std::nullopt, Repetition::kOptional, 1, ConvertedType::kList},
      {"list", std::nullopt, Repetition::kRepeated, 1},
      {"element", PhysicalType::kInt32, Repetition::kRequired},
      {"id", PhysicalType::kInt32, Repetition::kRequired},
  };
  // The list column says one row, the id column two.
  std::vector<TestColumn> columns{
      nested_column({"l", "list", "element"}, PhysicalType::kInt32, 1, 2, u({0, 1}), u({2, 2}),
                    plain(std::vector<int32_t>{1, 2})),
      nested_column({"id"}, PhysicalType::kInt32, 0, 0, u({0, 0}), {},
                    plain(std::vector<int32_t>{1, 2})),
  };
  std::string bytes = build_parquet(columns, 2, {}, {}, &elements, 2);
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  auto rows = file->read_rows(0, 2);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.status().kind(), ErrorKind::kUnprocessable);
  // A first page that begins inside a row.
  columns[0] = nested_column({"l", "list", "element"}, PhysicalType::kInt32, 1, 2, u({1, 0}),
                             u({2, 2}), plain(std::vector<int32_t>{1, 2}));
  bytes = build_parquet(columns, 2, {}, {}, &elements, 2);
  file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  rows = file->read_rows(0, 2);
  ASSERT_FALSE(rows);
  EXPECT_NE(rows.status().message().find("inside a row"), std::string::npos);
  // Every cut of the file fails cleanly or reads.
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    std::string cut_bytes = bytes.substr(0, cut);
    auto f = ParquetFile::open(memory_file(cut_bytes));
    if (f) (void)f->read_rows(0, 2);
  }
}

// Two columns of 12 rows in 3 pages each (a dictionary-encoded string column after its
// dictionary page), with an OffsetIndex per column.
std::string paged_file(bool lying_index = false) {
  TestColumn id;
  id.name = "id";
  id.type = PhysicalType::kInt64;
  TestColumn s;
  s.name = "s";
  s.type = PhysicalType::kByteArray;
  s.converted_type = ConvertedType::kUtf8;
  s.has_dictionary = true;
  std::string dict_body = plain_strings({"x", "y", "z"});
  s.pages = dictionary_page(dict_body, dict_body.size(), 3);
  for (int p = 0; p < 3; ++p) {
    std::vector<int64_t> ids;
    std::vector<uint32_t> indices;
    for (int r = 0; r < 4; ++r) {
      ids.push_back(p * 4 + r);
      indices.push_back(uint32_t((p * 4 + r) % 3));
    }
    std::string page = data_page_v1(plain(ids), ids.size() * 8, 4, Encoding::kPlain);
    id.index.push_back({id.pages.size(), int32_t(page.size()), p * 4});
    id.pages += page;
    std::string body = std::string(1, char(2)) + rle_hybrid(indices, 2, true);
    page = data_page_v1(body, body.size(), 4, Encoding::kRleDictionary);
    s.index.push_back({s.pages.size(), int32_t(page.size()), p * 4});
    s.pages += page;
  }
  id.num_values = s.num_values = 12;
  if (lying_index) id.index[1].at += 1000000;
  return build_parquet({id, s}, 12);
}

TEST(ParquetRows, ThePageIndexSkipsPages) {
  std::string bytes = paged_file();
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file) << file.status().message();
  ParquetReadStats stats;
  auto rows = file->read_rows(9, 2, {}, &stats);
  ASSERT_TRUE(rows) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0], 9);
  EXPECT_EQ((*rows)[0][1], "x");  // 9 % 3
  EXPECT_EQ((*rows)[1][0], 10);
  EXPECT_EQ((*rows)[1][1], "y");
  EXPECT_EQ(stats.pages_skipped, 4u);  // two pages of each column
  // Rows across two pages.
  stats = {};
  rows = file->read_rows(3, 2, {}, &stats);
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0][0], 3);
  EXPECT_EQ((*rows)[1][0], 4);
  EXPECT_EQ((*rows)[1][1], "y");
  EXPECT_EQ(stats.pages_skipped, 2u);
  // The whole file, and an index that does not describe its chunk: read whole, same rows.
  auto all = file->read_rows(0, 12);
  ASSERT_TRUE(all);
  std::string lying = paged_file(true);
  auto lied = ParquetFile::open(memory_file(lying));
  ASSERT_TRUE(lied) << lied.status().message();
  stats = {};
  auto same = lied->read_rows(0, 12, {}, &stats);
  ASSERT_TRUE(same) << same.status().message();
  EXPECT_EQ(*same, *all);
  EXPECT_EQ(stats.pages_skipped, 0u);
}

SchemaElement leaf(PhysicalType type) {
  SchemaElement e;
  e.name = "v";
  e.type = type;
  e.repetition = Repetition::kOptional;
  return e;
}

json cell_of_int64(SchemaElement e, int64_t v) {
  ParquetValues values;
  values.type = PhysicalType::kInt64;
  values.int64s = {v};
  return parquet_cell(e, values, 0);
}

json cell_of_bytes(SchemaElement e, PhysicalType type, std::string b) {
  ParquetValues values;
  values.type = type;
  values.append_bytes(b);
  return parquet_cell(e, values, 0);
}

TEST(ParquetRows, CellsAsTheViewerWritesThem) {
  SchemaElement ts = leaf(PhysicalType::kInt64);
  ts.logical_type.kind = LogicalType::Kind::kTimestamp;
  ts.logical_type.unit = TimeUnit::kMicros;
  EXPECT_EQ(cell_of_int64(ts, 0), "1970-01-01T00:00:00");
  EXPECT_EQ(cell_of_int64(ts, 1577836800123456), "2020-01-01T00:00:00.123456");
  EXPECT_EQ(cell_of_int64(ts, -1), "1969-12-31T23:59:59.999999");
  ts.logical_type.adjusted_to_utc = true;
  ts.logical_type.unit = TimeUnit::kMillis;
  EXPECT_EQ(cell_of_int64(ts, 1577836800500), "2020-01-01T00:00:00.500000Z");
  ts.logical_type.unit = TimeUnit::kNanos;
  EXPECT_EQ(cell_of_int64(ts, 1577836800000000001), "2020-01-01T00:00:00.000000001Z");

  SchemaElement date = leaf(PhysicalType::kInt32);
  date.converted_type = ConvertedType::kDate;
  ParquetValues d;
  d.type = PhysicalType::kInt32;
  d.int32s = {18262, -719162};
  EXPECT_EQ(parquet_cell(date, d, 0), "2020-01-01");
  EXPECT_EQ(parquet_cell(date, d, 1), "0001-01-01");

  SchemaElement time = leaf(PhysicalType::kInt64);
  time.logical_type.kind = LogicalType::Kind::kTime;
  time.logical_type.unit = TimeUnit::kMicros;
  EXPECT_EQ(cell_of_int64(time, 3723000001), "01:02:03.000001");

  SchemaElement dec = leaf(PhysicalType::kInt64);
  dec.converted_type = ConvertedType::kDecimal;
  dec.scale = 2;
  dec.precision = 10;
  EXPECT_EQ(cell_of_int64(dec, 125), "1.25");
  EXPECT_EQ(cell_of_int64(dec, -5), "-0.05");
  EXPECT_EQ(cell_of_int64(dec, 0), "0.00");
  dec.scale = 9;
  EXPECT_EQ(cell_of_int64(dec, 1), "1E-9");  // Python: str(Decimal("1E-9"))
  dec.scale = 0;
  EXPECT_EQ(cell_of_int64(dec, -42), "-42");
  SchemaElement big = leaf(PhysicalType::kFixedLenByteArray);
  big.logical_type.kind = LogicalType::Kind::kDecimal;
  big.logical_type.precision = 38;
  big.logical_type.scale = 3;
  // -(2^64) as 16 big-endian two's complement bytes.
  std::string be(16, '\0');
  for (int i = 0; i < 8; ++i) be[i] = char(0xff);
  EXPECT_EQ(cell_of_bytes(big, PhysicalType::kFixedLenByteArray, be), "-18446744073709551.616");

  SchemaElement half = leaf(PhysicalType::kFixedLenByteArray);
  half.logical_type.kind = LogicalType::Kind::kFloat16;
  EXPECT_EQ(cell_of_bytes(half, PhysicalType::kFixedLenByteArray, std::string("\x00\x3c", 2)), 1.0);
  EXPECT_EQ(cell_of_bytes(half, PhysicalType::kFixedLenByteArray, std::string("\x00\x7c", 2)),
            nullptr);  // +Inf

  SchemaElement uuid = leaf(PhysicalType::kFixedLenByteArray);
  uuid.logical_type.kind = LogicalType::Kind::kUuid;
  EXPECT_EQ(cell_of_bytes(uuid, PhysicalType::kFixedLenByteArray, std::string(16, '\x11')),
            "11111111-1111-1111-1111-111111111111");

  SchemaElement bin = leaf(PhysicalType::kByteArray);
  EXPECT_EQ(cell_of_bytes(bin, PhysicalType::kByteArray, "hi"), "aGk=");

  // INT96: 2020-01-01 (Julian day 2458850) at 00:00:01.5.
  std::string int96(12, '\0');
  uint64_t nanos = 1500000000;
  for (int i = 0; i < 8; ++i) int96[i] = char(nanos >> (8 * i));
  uint32_t julian = 2458850;
  for (int i = 0; i < 4; ++i) int96[8 + i] = char(julian >> (8 * i));
  EXPECT_EQ(cell_of_bytes(leaf(PhysicalType::kInt96), PhysicalType::kInt96, int96),
            "2020-01-01T00:00:01.500000");

  SchemaElement u32 = leaf(PhysicalType::kInt32);
  u32.converted_type = ConvertedType::kUint32;
  ParquetValues v;
  v.type = PhysicalType::kInt32;
  v.int32s = {-1};
  EXPECT_EQ(parquet_cell(u32, v, 0), 4294967295u);

  ParquetValues f;
  f.type = PhysicalType::kFloat;
  f.floats = {0.1f, NAN};
  EXPECT_EQ(parquet_cell(leaf(PhysicalType::kFloat), f, 0).dump(), "0.10000000149011612");
  EXPECT_EQ(parquet_cell(leaf(PhysicalType::kFloat), f, 1), nullptr);
}

}  // namespace
}  // namespace vitrine::datasets
