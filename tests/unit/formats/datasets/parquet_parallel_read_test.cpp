// ParquetFile reads a row group's largest column chunk on a thread of its own beside the others
// (parquet_rows.cpp, read_windows): the rows and the limits must be those of a read in one
// thread. The first file has a chunk past 1 MiB (random text, which snappy cannot shrink) and
// others past a quarter of that, so the default limits take that path; the second is small, read
// with parallel_chunk_bytes 0 (any chunk aside) and UINT64_MAX (none).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "formats/datasets/parquet_rows.hpp"
#include "formats/datasets/parquet_writer.hpp"

namespace vitrine::datasets {
namespace {

using json = nlohmann::json;

std::string value(const std::string& dtype) {
  return R"({"dtype": ")" + dtype + R"(", "_type": "Value"})";
}

struct Written {
  std::vector<Row> rows;
  std::string bytes;
};

// 30,000 rows in one row group: an id, 60 random letters, a float and a list of 0-3 ints.
const Written& written() {
  static const Written w = [] {
    Written out;
    std::mt19937_64 random(7);
    for (int i = 0; i < 30000; ++i) {
      std::string text;
      for (int k = 0; k < 60; ++k) text += static_cast<char>('a' + random() % 26);
      json tags = json::array();
      for (uint64_t k = 0; k < random() % 4; ++k)
        tags.push_back(static_cast<int64_t>(random() % 1000));
      out.rows.push_back(
          Row{i, text, static_cast<double>(random() % 100000) / 7.0, i % 11 == 0 ? json() : tags});
    }
    std::string features =
        R"([{"name": "id", "type": )" + value("int64") + R"(}, {"name": "text", "type": )" +
        value("string") + R"(}, {"name": "score", "type": )" + value("float64") +
        R"(}, {"name": "tags", "type": {"feature": )" + value("int64") + R"(, "_type": "List"}}])";
    ParquetWriteOptions options;
    options.row_group_rows = 30000;
    options.dictionary = false;
    auto writer = ParquetWriter::create(
        nlohmann::ordered_json::parse(features),
        [&](std::string_view b) {
          out.bytes.append(b);
          return Status::ok();
        },
        options);
    EXPECT_TRUE(writer) << writer.status().message();
    for (const auto& row : out.rows) EXPECT_TRUE((*writer)->add_row(row));
    EXPECT_TRUE((*writer)->finish());
    return out;
  }();
  return w;
}

TEST(ParquetParallelRead, RowsAreThoseWritten) {
  const auto& w = written();
  auto file = ParquetFile::open(memory_file(w.bytes));
  ASSERT_TRUE(file) << file.status().message();
  ASSERT_EQ(file->footer().row_groups.size(), 1u);
  const auto& text = file->footer().row_groups[0].columns[1].meta_data;
  ASSERT_TRUE(text);
  // The path under test is taken: a chunk past 1 MiB, the others past 256 KiB together.
  ASSERT_GT(text->total_compressed_size, 1 << 20);
  int64_t others = 0;
  for (size_t c : {0u, 2u, 3u})
    others += file->footer().row_groups[0].columns[c].meta_data->total_compressed_size;
  ASSERT_GT(others, 1 << 18);
  for (uint64_t offset : {0ull, 1ull, 12345ull, 29900ull, 29999ull}) {
    ParquetReadStats stats;
    auto rows = file->read_rows(offset, 100, {}, &stats);
    ASSERT_TRUE(rows) << rows.status().message();
    ASSERT_EQ(rows->size(), std::min<uint64_t>(100, 30000 - offset));
    for (size_t i = 0; i < rows->size(); ++i) {
      ASSERT_EQ(json((*rows)[i]), json(w.rows[offset + i])) << "row " << offset + i;
    }
    EXPECT_EQ(stats.chunks_read, 4u);
  }
  // The same through a page cache, twice (the second from the cache), and scattered rows.
  ParquetPageCache cache(64u << 20);
  file->use_page_cache(&cache, "k");
  for (int pass = 0; pass < 2; ++pass) {
    auto rows = file->read_rows_at({5, 17000, 29998});
    ASSERT_TRUE(rows) << rows.status().message();
    ASSERT_EQ(rows->size(), 3u);
    EXPECT_EQ(json((*rows)[0]), json(w.rows[5]));
    EXPECT_EQ(json((*rows)[1]), json(w.rows[17000]));
    EXPECT_EQ(json((*rows)[2]), json(w.rows[29998]));
  }
}

// The limits hold as in one thread: reads past max_read_bytes or max_value_bytes fail whichever
// thread read the chunk that passed them, and a limit just large enough passes.
TEST(ParquetParallelRead, LimitsHoldAcrossTheThreads) {
  const auto& w = written();
  auto file = ParquetFile::open(memory_file(w.bytes));
  ASSERT_TRUE(file);
  ParquetReadStats full;
  ASSERT_TRUE(file->read_rows(20000, 100, {}, &full));
  ParquetReadLimits exact;
  exact.max_read_bytes = full.bytes_read;
  exact.max_value_bytes = full.value_bytes;
  exact.max_values = full.values;
  EXPECT_TRUE(file->read_rows(20000, 100, exact));
  for (int which = 0; which < 3; ++which) {
    ParquetReadLimits tight = exact;
    if (which == 0) tight.max_read_bytes -= 1;
    if (which == 1) tight.max_value_bytes -= 1;
    if (which == 2) tight.max_values -= 1;
    auto rows = file->read_rows(20000, 100, tight);
    ASSERT_FALSE(rows) << which;
    EXPECT_EQ(rows.status().kind(), ErrorKind::kPayloadTooLarge) << which;
  }
}

// Small row groups with nested and null cells, every read done both ways (any chunk aside, and
// none): the same rows, and the same reads fail under tight limits.
TEST(ParquetParallelRead, AnyChunkAsideReadsAsOneThread) {
  std::string features = R"([{"name": "id", "type": )" + value("int64") +
                         R"(}, {"name": "s", "type": )" + value("string") +
                         R"(}, {"name": "point", "type": {"x": )" + value("float64") +
                         R"(, "tags": {"feature": )" + value("string") +
                         R"(, "_type": "List"}}}, {"name": "n", "type": {"feature": )" +
                         value("int32") + R"(, "_type": "List"}}])";
  std::vector<Row> rows;
  for (int i = 0; i < 700; ++i) {
    json tags = json::array();
    for (int k = 0; k < i % 4; ++k) tags.push_back("t" + std::to_string(i * k));
    json n = json::array();
    for (int k = 0; k < i % 3; ++k) n.push_back(i + k);
    rows.push_back(Row{i, i % 5 == 0 ? json() : json(std::string(i % 90, 'a' + i % 26)),
                       i % 7 == 0 ? json() : json{{"x", i / 3.0}, {"tags", tags}},
                       i % 11 == 0 ? json() : n});
  }
  ParquetWriteOptions options;
  options.row_group_rows = 256;
  std::string bytes;
  auto writer = ParquetWriter::create(
      nlohmann::ordered_json::parse(features),
      [&](std::string_view b) {
        bytes.append(b);
        return Status::ok();
      },
      options);
  ASSERT_TRUE(writer);
  for (const auto& row : rows) ASSERT_TRUE((*writer)->add_row(row));
  ASSERT_TRUE((*writer)->finish());
  auto file = ParquetFile::open(memory_file(bytes));
  ASSERT_TRUE(file);
  ParquetReadLimits serial, parallel;
  serial.parallel_chunk_bytes = UINT64_MAX;
  parallel.parallel_chunk_bytes = 0;
  for (uint64_t offset : {0ull, 200ull, 250ull, 511ull, 650ull}) {
    auto one = file->read_rows(offset, 100, serial);
    auto two = file->read_rows(offset, 100, parallel);
    ASSERT_TRUE(one && two);
    ASSERT_EQ(one->size(), two->size());
    for (size_t i = 0; i < one->size(); ++i) {
      EXPECT_EQ(json((*two)[i]), json(rows[offset + i])) << offset + i;
      EXPECT_EQ(json((*one)[i]), json((*two)[i]));
    }
    ParquetReadStats full;
    ASSERT_TRUE(file->read_rows(offset, 100, serial, &full));
    for (uint64_t cut = 0; cut <= 8; ++cut) {
      ParquetReadLimits a = serial, b = parallel;
      a.max_read_bytes = b.max_read_bytes = full.bytes_read * cut / 8;
      a.max_value_bytes = b.max_value_bytes = full.value_bytes * (8 - cut / 2) / 8;
      a.max_values = b.max_values =
          full.values * (cut % 2 ? 1 : 7) / 8 + (cut == 8 ? full.values : 0);
      auto x = file->read_rows(offset, 100, a);
      auto y = file->read_rows(offset, 100, b);
      EXPECT_EQ(x.is_ok(), y.is_ok()) << offset << " " << cut;
      if (x && y) {
        EXPECT_EQ(json(*x), json(*y));
      }
    }
  }
}

}  // namespace
}  // namespace vitrine::datasets
