// Unit tests for PlainDictionary (plain_dictionary.hpp): values numbered in the order first
// seen, found again by their bytes whatever the table's growth, the entries back to back as the
// dictionary page holds them, and entries taken back by truncate as if never added.
#include "formats/datasets/plain_dictionary.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::datasets {
namespace {

TEST(PlainDictionary, NumbersValuesInTheOrderFirstSeen) {
  PlainDictionary d;
  bool added = false;
  EXPECT_EQ(d.find_or_add("b", &added), 0u);
  EXPECT_TRUE(added);
  EXPECT_EQ(d.find_or_add("", &added), 1u);  // the empty value is a value
  EXPECT_TRUE(added);
  EXPECT_EQ(d.find_or_add("b", &added), 0u);
  EXPECT_FALSE(added);
  EXPECT_EQ(d.find_or_add(std::string("a\0b", 3), &added), 2u);
  EXPECT_EQ(d.find_or_add(std::string("a\0c", 3), &added), 3u);  // bytes after a zero count
  EXPECT_EQ(d.size(), 4u);
  EXPECT_EQ(d.data(), std::string("b") + std::string("a\0b", 3) + std::string("a\0c", 3));
  EXPECT_EQ(d.bytes(), 7u);
  EXPECT_EQ(d.entry(1), "");
  EXPECT_EQ(d.entry(3), std::string("a\0c", 3));
}

TEST(PlainDictionary, ManyValuesAcrossGrowth) {
  PlainDictionary d;
  bool added = false;
  std::string expected;
  for (int i = 0; i < 50000; ++i) {
    std::string v = "value " + std::to_string(i * 7919 % 100003);
    ASSERT_EQ(d.find_or_add(v, &added), static_cast<uint32_t>(i));
    ASSERT_TRUE(added);
    expected += v;
  }
  for (int i = 0; i < 50000; i += 7) {
    std::string v = "value " + std::to_string(i * 7919 % 100003);
    ASSERT_EQ(d.find_or_add(v, &added), static_cast<uint32_t>(i));
    ASSERT_FALSE(added);
  }
  EXPECT_EQ(d.data(), expected);
}

TEST(PlainDictionary, TruncateTakesEntriesBack) {
  PlainDictionary d;
  bool added = false;
  for (std::string v : {"x", "y", "z"}) d.find_or_add(v, &added);
  d.truncate(1);
  EXPECT_EQ(d.size(), 1u);
  EXPECT_EQ(d.data(), "x");
  EXPECT_EQ(d.find_or_add("z", &added), 1u);  // a new entry again, numbered after "x"
  EXPECT_TRUE(added);
  EXPECT_EQ(d.find_or_add("x", &added), 0u);
  EXPECT_FALSE(added);
  d.clear();
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.find_or_add("z", &added), 0u);
  EXPECT_TRUE(added);
}

}  // namespace
}  // namespace vitrine::datasets
