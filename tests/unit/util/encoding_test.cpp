// Unit tests for util/encoding: percent-encoding, base64 and hex.
#include "util/encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::util {
namespace {

TEST(PercentDecode, DecodesEscapesInBothCases) {
  EXPECT_EQ(percent_decode("a%2Fb"), "a/b");
  EXPECT_EQ(percent_decode("a%2fb"), "a/b");
  EXPECT_EQ(percent_decode("%E2%9C%93"), "\xE2\x9C\x93");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain"), "plain");
}

TEST(PercentDecode, KeepsPlus) {
  EXPECT_EQ(percent_decode("a+b%20c"), "a+b c");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%2"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("%2g"), std::nullopt);
  EXPECT_EQ(percent_decode("%%41"), std::nullopt);
}

TEST(PercentEncode, ComponentMatchesEncodeURIComponent) {
  EXPECT_EQ(percent_encode_component("AZaz09-_.!~*'()"), "AZaz09-_.!~*'()");
  EXPECT_EQ(percent_encode_component("a b/c?d&e=f#g"), "a%20b%2Fc%3Fd%26e%3Df%23g");
  EXPECT_EQ(percent_encode_component("100%+"), "100%25%2B");
  EXPECT_EQ(percent_encode_component("\xE2\x9C\x93"), "%E2%9C%93");
  EXPECT_EQ(percent_encode_component(std::string(1, '\0')), "%00");
}

TEST(PercentEncode, PathKeepsSlash) {
  EXPECT_EQ(percent_encode_path("dir/sub dir/file#1.txt"), "dir/sub%20dir/file%231.txt");
  EXPECT_EQ(percent_encode_path("refs/pr/1"), "refs/pr/1");
}

TEST(PercentEncode, RoundTripsThroughDecode) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(percent_decode(percent_encode_component(all)), all);
  EXPECT_EQ(percent_decode(percent_encode_path(all)), all);
}

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xff\xfe\xfd"), "//79");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zg"), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zm9v\r\nYmFy\n"), "foobar");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
}

TEST(Base64, RejectsBadInput) {
  EXPECT_EQ(base64_decode("Zm9v YmFy"), std::nullopt);  // space
  EXPECT_EQ(base64_decode("Zm9v*"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9v-_"), std::nullopt);  // url-safe alphabet is not accepted
  EXPECT_EQ(base64_decode("Z"), std::nullopt);       // dangling symbol
  EXPECT_EQ(base64_decode("Zm9vY"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg=a"), std::nullopt);   // data after padding
  EXPECT_EQ(base64_decode("Zg="), std::nullopt);    // incomplete padding
  EXPECT_EQ(base64_decode("Zg==="), std::nullopt);  // too much padding
  EXPECT_EQ(base64_decode("Zm9v="), std::nullopt);  // padding after a full quantum
  EXPECT_EQ(base64_decode("===="), std::nullopt);
}

TEST(Base64, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(base64_decode(base64_encode(data)), data) << "length " << i;
    data.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
  }
}

TEST(Hex, ToHex) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string("\x00\x01\xab\xff", 4)), "0001abff");
}

TEST(Hex, FromHexRoundTripsAndRefusesMalformed) {
  EXPECT_EQ(from_hex(""), std::string());
  EXPECT_EQ(from_hex("0001ABff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(*from_hex(to_hex("any bytes \xfe")), "any bytes \xfe");
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
  EXPECT_FALSE(from_hex("0g").has_value());
}

TEST(Hex, IsHex) {
  EXPECT_TRUE(is_hex("0123456789abcdefABCDEF"));
  EXPECT_FALSE(is_hex(""));
  EXPECT_FALSE(is_hex("abcg"));
  EXPECT_FALSE(is_hex("12 3"));
}

TEST(Hex, IsLowerHex) {
  EXPECT_TRUE(is_lower_hex("deadbeef", 8));
  EXPECT_FALSE(is_lower_hex("deadbeef", 7));
  EXPECT_FALSE(is_lower_hex("DEADBEEF", 8));
  EXPECT_FALSE(is_lower_hex("deadbeeg", 8));
  EXPECT_TRUE(is_lower_hex("", 0));
  EXPECT_TRUE(is_lower_hex(std::string(40, 'a'), 40));
}

TEST(Text, ToLowerAsciiLeavesOtherBytes) {
  EXPECT_EQ(to_lower_ascii("Alice/My-Model_2"), "alice/my-model_2");
  EXPECT_EQ(to_lower_ascii("\xC3\x89T\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes kept
  EXPECT_EQ(to_lower_ascii(""), "");
}

TEST(Encoding, HtmlEscapeWritesTheFiveSpecialCharactersAsReferences) {
  EXPECT_EQ(html_escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text, é"), "plain text, é");
  std::string out = "kept ";
  append_html_escaped(out, "<b>");
  EXPECT_EQ(out, "kept &lt;b&gt;");
}

}  // namespace
}  // namespace vitrine::util
