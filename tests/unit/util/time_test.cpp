// Unit tests for util/time: clock and ISO 8601 formatting.
#include "util/time.hpp"

#include <gtest/gtest.h>

namespace vitrine::util {
namespace {

TEST(Iso8601, Epoch) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
}

TEST(Iso8601, KnownInstants) {
  EXPECT_EQ(iso8601_utc(1714566896000), "2024-05-01T12:34:56.000Z");
  EXPECT_EQ(iso8601_utc(1714566896789), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(iso8601_utc(1709164800005), "2024-02-29T00:00:00.005Z");  // leap day
  EXPECT_EQ(iso8601_utc(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(Iso8601, BeforeEpoch) {
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(iso8601_utc(-86400000), "1969-12-31T00:00:00.000Z");
}

TEST(NowMs, IsRecentAndMonotonicEnough) {
  int64_t a = now_ms();
  int64_t b = now_ms();
  EXPECT_GT(a, 1700000000000);  // after Nov 2023
  EXPECT_GE(b, a - 1000);
}

}  // namespace
}  // namespace vitrine::util
