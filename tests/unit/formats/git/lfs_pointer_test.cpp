// Unit tests for service/lfs_pointer: git-lfs pointer parsing and formatting.
#include "formats/git/lfs_pointer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

const std::string kOid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

std::string pointer_text(std::string_view oid, std::string_view size) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(oid) + "\nsize " +
         std::string(size) + "\n";
}

TEST(LfsPointer, FormatsCanonicalText) {
  EXPECT_EQ(format_lfs_pointer({kOid, 12345}), pointer_text(kOid, "12345"));
  EXPECT_EQ(format_lfs_pointer({kOid, 12345}).size(), 130u);
}

TEST(LfsPointer, RoundTrips) {
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, UINT64_MAX}) {
    auto parsed = parse_lfs_pointer(format_lfs_pointer({kOid, size}));
    ASSERT_TRUE(parsed.has_value()) << size;
    EXPECT_EQ(parsed->oid, kOid);
    EXPECT_EQ(parsed->size, size);
  }
}

TEST(LfsPointer, RejectsMalformedPointers) {
  const std::string good = pointer_text(kOid, "10");
  ASSERT_TRUE(parse_lfs_pointer(good).has_value());
  std::string upper = kOid;
  upper[0] = 'D';
  for (const std::string& bad : {
           std::string(),
           std::string("hello world\n"),
           good.substr(0, good.size() - 1),             // no final newline
           good + "\n",                                 // trailing data
           good + "ext-0-foo sha256:" + kOid + "\n",    // extension keys
           pointer_text(upper, "10"),                   // uppercase hex
           pointer_text(kOid.substr(1), "10"),          // short oid
           pointer_text(kOid + "0", "10"),              // long oid
           pointer_text(kOid, ""),                      // empty size
           pointer_text(kOid, "-1"),                    // negative
           pointer_text(kOid, "+1"),                    // sign
           pointer_text(kOid, "01"),                    // leading zero
           pointer_text(kOid, "1 "),                    // trailing space
           pointer_text(kOid, "18446744073709551616"),  // overflow
           "version https://git-lfs.github.com/spec/v2\noid sha256:" + kOid + "\nsize 1\n",
           "version https://git-lfs.github.com/spec/v1\nsize 1\noid sha256:" + kOid + "\n",
           "version https://git-lfs.github.com/spec/v1\r\noid sha256:" + kOid + "\r\nsize 1\r\n",
           "version https://git-lfs.github.com/spec/v1\noid md5:" + kOid + "\nsize 1\n",
       }) {
    EXPECT_FALSE(parse_lfs_pointer(bad).has_value()) << bad;
  }
}

TEST(LfsPointer, RejectsOversizedBlob) {
  std::string big = pointer_text(kOid, "1") + std::string(2000, 'x');
  EXPECT_FALSE(parse_lfs_pointer(big).has_value());
}

}  // namespace
}  // namespace vitrine::service
