// Unit tests for parquet_page_header: data, dictionary and v2 page headers, and hostile ones
// (cut short, negative sizes, missing sub-headers, levels past the page).
#include "formats/datasets/parquet_page_header.hpp"

#include <gtest/gtest.h>

#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using test::ThriftWriter;

TEST(PageHeader, DataDictionaryAndV2Pages) {
  ThriftWriter w;
  w.i32(1, 0).i32(2, 100).i32(3, 60).i32(4, 1234);
  w.begin(5).i32(1, 10).i32(2, 8).i32(3, 3).i32(4, 3).begin(5).i64(3, 2).end().end();
  std::string data = w.finish();
  size_t consumed = 0;
  auto h = parse_page_header(data + "payload", &consumed);
  ASSERT_TRUE(h) << h.status().message();
  EXPECT_EQ(consumed, data.size());
  EXPECT_EQ(h->type, PageType::kDataPage);
  EXPECT_EQ(h->uncompressed_page_size, 100);
  EXPECT_EQ(h->compressed_page_size, 60);
  EXPECT_EQ(h->crc, 1234);
  ASSERT_TRUE(h->data_page_header);
  EXPECT_EQ(h->data_page_header->num_values, 10);
  EXPECT_EQ(h->data_page_header->encoding, Encoding::kRleDictionary);
  EXPECT_EQ(h->data_page_header->statistics->null_count, 2);

  ThriftWriter d;
  d.i32(1, 2).i32(2, 30).i32(3, 30).begin(7).i32(1, 4).i32(2, 0).boolean(3, true).end();
  auto dict = parse_page_header(d.finish(), &consumed);
  ASSERT_TRUE(dict) << dict.status().message();
  EXPECT_EQ(dict->dictionary_page_header->num_values, 4);
  EXPECT_TRUE(dict->dictionary_page_header->is_sorted);

  ThriftWriter v2;
  v2.i32(1, 3).i32(2, 50).i32(3, 40).begin(8).i32(1, 10).i32(2, 1).i32(3, 10).i32(4, 0);
  v2.i32(5, 4).i32(6, 0).boolean(7, false).end();
  auto page = parse_page_header(v2.finish(), &consumed);
  ASSERT_TRUE(page) << page.status().message();
  EXPECT_EQ(page->data_page_header_v2->num_nulls, 1);
  EXPECT_EQ(page->data_page_header_v2->definition_levels_byte_length, 4);
  EXPECT_FALSE(page->data_page_header_v2->is_compressed);
}

TEST(PageHeader, HostileHeaders) {
  size_t consumed = 0;
  ThriftWriter w;
  w.i32(1, 0).i32(2, 100).i32(3, 60).begin(5).i32(1, 10).i32(2, 0).i32(3, 3).i32(4, 3).end();
  std::string data = w.finish();
  for (size_t cut = 0; cut < data.size(); ++cut) {
    auto h = parse_page_header(data.substr(0, cut), &consumed);
    ASSERT_FALSE(h);
    EXPECT_EQ(h.status().kind(), ErrorKind::kRangeNotSatisfiable) << cut;
  }
  auto expect_refused = [&](ThriftWriter& writer, std::string_view words) {
    auto h = parse_page_header(writer.finish(), &consumed);
    ASSERT_FALSE(h);
    EXPECT_EQ(h.status().kind(), ErrorKind::kUnprocessable);
    EXPECT_NE(h.status().message().find(words), std::string::npos) << h.status().message();
  };
  ThriftWriter negative;
  negative.i32(1, 0).i32(2, -1).i32(3, 60);
  expect_refused(negative, "negative");
  ThriftWriter missing;
  missing.i32(1, 0).i32(2, 1).i32(3, 1);
  expect_refused(missing, "without data_page_header");
  ThriftWriter levels;
  levels.i32(1, 3).i32(2, 10).i32(3, 10).begin(8).i32(1, 1).i32(2, 0).i32(3, 1).i32(4, 0);
  levels.i32(5, 8).i32(6, 8).end();
  expect_refused(levels, "level lengths");
  ThriftWriter bad_type;
  bad_type.i32(1, 9).i32(2, 1).i32(3, 1);
  expect_refused(bad_type, "out of range");
  ThriftWriter wrong_type;
  wrong_type.binary(1, "x");
  expect_refused(wrong_type, "wrong type");
}

}  // namespace
}  // namespace vitrine::datasets
