// Unit tests for parquet_offset_index: page locations, the page of a row, and malformed indexes.
#include "formats/datasets/parquet_offset_index.hpp"

#include <gtest/gtest.h>

#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using test::ThriftWriter;

std::string offset_index(const std::vector<PageLocation>& pages) {
  ThriftWriter w;
  w.list(1, ThriftType::kStruct, pages.size());
  for (const auto& p : pages) {
    w.open().i64(1, p.offset).i32(2, p.compressed_page_size).i64(3, p.first_row_index).end();
  }
  w.list(2, ThriftType::kI64, 0);  // unencoded_byte_array_data_bytes: skipped
  return w.finish();
}

TEST(ParquetOffsetIndex, PagesAndTheirRows) {
  auto pages = parse_offset_index(offset_index({{4, 100, 0}, {104, 90, 1000}, {194, 50, 2000}}));
  ASSERT_TRUE(pages) << pages.status().message();
  ASSERT_EQ(pages->size(), 3u);
  EXPECT_EQ((*pages)[1].offset, 104);
  EXPECT_EQ((*pages)[1].compressed_page_size, 90);
  EXPECT_EQ(page_for_row(*pages, 0), 0u);
  EXPECT_EQ(page_for_row(*pages, 999), 0u);
  EXPECT_EQ(page_for_row(*pages, 1000), 1u);
  EXPECT_EQ(page_for_row(*pages, 5000), 2u);
  EXPECT_EQ(page_for_row(*pages, -1), 3u);
  EXPECT_EQ(page_for_row({}, 0), 0u);
}

TEST(ParquetOffsetIndex, Malformed) {
  EXPECT_FALSE(parse_offset_index(offset_index({{104, 90, 0}, {4, 100, 1000}})));
  EXPECT_FALSE(parse_offset_index(offset_index({{4, 90, 0}, {104, 100, 0}})));
  EXPECT_FALSE(parse_offset_index(offset_index({{-4, 90, 0}})));
  std::string good = offset_index({{4, 100, 0}, {104, 90, 1000}});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto pages = parse_offset_index(good.substr(0, cut));
    ASSERT_FALSE(pages);
    EXPECT_EQ(pages.status().kind(), ErrorKind::kUnprocessable);
  }
  ThriftWriter lying;
  lying.list(1, ThriftType::kStruct, 1'000'000);
  auto lie = parse_offset_index(lying.finish());
  ASSERT_FALSE(lie);
  EXPECT_NE(lie.status().message().find("elements"), std::string::npos);
}

}  // namespace
}  // namespace vitrine::datasets
