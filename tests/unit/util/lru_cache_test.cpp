// util::LruCache: least recently used entries go first, by weight; replacing keeps one entry.
#include "util/lru_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::util {
namespace {

std::shared_ptr<const std::string> value(const char* text) {
  return std::make_shared<const std::string>(text);
}

TEST(LruCache, EvictsTheLeastRecentlyUsedByCount) {
  LruCache<std::string> cache(2);
  cache.put("a", value("1"));
  cache.put("b", value("2"));
  ASSERT_NE(cache.get("a"), nullptr);  // "a" is now the most recent
  cache.put("c", value("3"));
  EXPECT_EQ(cache.get("b"), nullptr);
  EXPECT_EQ(*cache.get("a"), "1");
  EXPECT_EQ(*cache.get("c"), "3");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCache, WeighsEntries) {
  LruCache<std::string> cache(10);
  cache.put("small", value("s"), 2);
  cache.put("big", value("b"), 7);
  cache.put("more", value("m"), 3);  // 12 > 10: "small" (least recent) goes
  EXPECT_EQ(cache.get("small"), nullptr);
  EXPECT_NE(cache.get("big"), nullptr);
  EXPECT_NE(cache.get("more"), nullptr);
  cache.put("huge", value("h"), 11);  // heavier than the whole cache: not kept, nothing evicted
  EXPECT_EQ(cache.get("huge"), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCache, ReplacingAKeyKeepsOneEntryWithTheNewWeight) {
  LruCache<std::string> cache(10);
  cache.put("k", value("old"), 8);
  cache.put("k", value("new"), 1);
  EXPECT_EQ(*cache.get("k"), "new");
  cache.put("other", value("o"), 9);  // 1 + 9 fits
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCache, AHeldValueOutlivesItsEviction) {
  LruCache<std::string> cache(1);
  cache.put("a", value("kept"));
  auto held = cache.get("a");
  cache.put("b", value("x"));
  EXPECT_EQ(cache.get("a"), nullptr);
  EXPECT_EQ(*held, "kept");
}

}  // namespace
}  // namespace vitrine::util
