// Unit tests for service/card_metadata: README front matter to JSON.
#include "formats/card/card_metadata.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace vitrine::service {
namespace {

using nlohmann::json;

TEST(FrontMatter, TypicalModelCard) {
  auto fm = parse_front_matter(
      "---\n"
      "license: apache-2.0\n"
      "language:\n"
      "- en\n"
      "- fr\n"
      "tags: [text-generation, pytorch]\n"
      "library_name: transformers\n"
      "pipeline_tag: text-generation\n"
      "---\n"
      "# My model\n\nSome text.\n");
  EXPECT_TRUE(fm.present);
  EXPECT_EQ(fm.error, "");
  EXPECT_EQ(fm.data, json::parse(R"({
    "license": "apache-2.0",
    "language": ["en", "fr"],
    "tags": ["text-generation", "pytorch"],
    "library_name": "transformers",
    "pipeline_tag": "text-generation"
  })"));
}

TEST(FrontMatter, ScalarTypesFollowCoreSchema) {
  auto fm = parse_front_matter(
      "---\n"
      "int: 42\n"
      "negative: -7\n"
      "plus: +3\n"
      "octal: 0o17\n"
      "hex: 0x1F\n"
      "big: 18446744073709551615\n"
      "float: 3.5\n"
      "exp: 1e3\n"
      "dot: .5\n"
      "yes_bool: true\n"
      "no_bool: False\n"
      "null_value: null\n"
      "tilde: ~\n"
      "empty:\n"
      "quoted_int: \"42\"\n"
      "single_quoted: '3.14'\n"
      "quoted_bool: 'true'\n"
      "yes_word: yes\n"
      "version: 1.2.3\n"
      "date: 2024-05-01\n"
      "literal: |\n"
      "  123\n"
      "---\n");
  ASSERT_TRUE(fm.present);
  ASSERT_EQ(fm.error, "");
  const json& d = fm.data;
  EXPECT_EQ(d["int"], 42);
  EXPECT_TRUE(d["int"].is_number_integer());
  EXPECT_EQ(d["negative"], -7);
  EXPECT_EQ(d["plus"], 3);
  EXPECT_EQ(d["octal"], 15);
  EXPECT_EQ(d["hex"], 31);
  EXPECT_EQ(d["big"].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_TRUE(d["float"].is_number_float());
  EXPECT_DOUBLE_EQ(d["float"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(d["exp"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(d["dot"].get<double>(), 0.5);
  EXPECT_EQ(d["yes_bool"], true);
  EXPECT_EQ(d["no_bool"], false);
  EXPECT_TRUE(d["null_value"].is_null());
  EXPECT_TRUE(d["tilde"].is_null());
  EXPECT_TRUE(d.contains("empty"));
  EXPECT_TRUE(d["empty"].is_null());
  EXPECT_EQ(d["quoted_int"], "42");
  EXPECT_EQ(d["single_quoted"], "3.14");
  EXPECT_EQ(d["quoted_bool"], "true");
  EXPECT_EQ(d["yes_word"], "yes");  // YAML 1.1 booleans are strings in 1.2
  EXPECT_EQ(d["version"], "1.2.3");
  EXPECT_EQ(d["date"], "2024-05-01");
  EXPECT_EQ(d["literal"], "123\n");
}

TEST(FrontMatter, NestedStructures) {
  auto fm = parse_front_matter(
      "---\n"
      "model-index:\n"
      "- name: m\n"
      "  results:\n"
      "  - metrics:\n"
      "    - type: accuracy\n"
      "      value: 0.9\n"
      "configs:\n"
      "  - config_name: default\n"
      "    data_files: data/*.parquet\n"
      "1: numeric key\n"
      "---\n");
  ASSERT_EQ(fm.error, "");
  EXPECT_EQ(fm.data["model-index"][0]["results"][0]["metrics"][0]["type"], "accuracy");
  EXPECT_DOUBLE_EQ(fm.data["model-index"][0]["results"][0]["metrics"][0]["value"].get<double>(),
                   0.9);
  EXPECT_EQ(fm.data["configs"][0]["data_files"], "data/*.parquet");
  EXPECT_EQ(fm.data["1"], "numeric key");
}

TEST(FrontMatter, NoFrontMatter) {
  for (const char* text : {"", "# Title\n", "text\n---\na: 1\n---\n", "--- \na: 1\n---\n",
                           "---\na: 1\n", "----\na: 1\n----\n"}) {
    auto fm = parse_front_matter(text);
    EXPECT_FALSE(fm.present) << text;
    EXPECT_EQ(fm.data, json::object()) << text;
    EXPECT_EQ(fm.error, "") << text;
  }
}

TEST(FrontMatter, BomCrlfAndLeadingBlankLines) {
  auto fm = parse_front_matter("\xEF\xBB\xBF---\r\nlicense: mit\r\ntags:\r\n- a\r\n---\r\nbody");
  EXPECT_TRUE(fm.present);
  EXPECT_EQ(fm.error, "");
  EXPECT_EQ(fm.data, json::parse(R"({"license":"mit","tags":["a"]})"));

  auto blank = parse_front_matter("\n  \n---\nlicense: mit\n---\n");
  EXPECT_TRUE(blank.present);
  EXPECT_EQ(blank.data["license"], "mit");
}

TEST(FrontMatter, ClosingLineAtEndWithoutNewline) {
  auto fm = parse_front_matter("---\nlicense: mit\n---");
  EXPECT_TRUE(fm.present);
  EXPECT_EQ(fm.data["license"], "mit");
}

TEST(FrontMatter, EmptyBlockIsEmptyObject) {
  for (const char* text : {"---\n---\n", "---\n\n---\n", "---\n# just a comment\n---\nbody"}) {
    auto fm = parse_front_matter(text);
    EXPECT_TRUE(fm.present) << text;
    EXPECT_EQ(fm.error, "") << text;
    EXPECT_EQ(fm.data, json::object()) << text;
  }
}

TEST(FrontMatter, BrokenYamlReportsError) {
  auto fm = parse_front_matter("---\nlicense: [mit\ntags: {a\n---\nbody\n");
  EXPECT_TRUE(fm.present);
  EXPECT_NE(fm.error, "");
  EXPECT_EQ(fm.data, json::object());

  auto bad_indent = parse_front_matter("---\na: 1\n  b: 2\n c: 3\n---\n");
  EXPECT_TRUE(bad_indent.present);
  EXPECT_NE(bad_indent.error, "");
}

TEST(FrontMatter, NonMappingTopLevelReportsError) {
  for (const char* text : {"---\n- a\n- b\n---\n", "---\njust a string\n---\n", "---\n42\n---\n"}) {
    auto fm = parse_front_matter(text);
    EXPECT_TRUE(fm.present) << text;
    EXPECT_NE(fm.error.find("mapping"), std::string::npos) << text << fm.error;
    EXPECT_EQ(fm.data, json::object()) << text;
  }
}

TEST(FrontMatter, AnchorsAndAliases) {
  auto fm = parse_front_matter("---\nbase: &b {x: 1}\ncopy: *b\n---\n");
  ASSERT_EQ(fm.error, "");
  EXPECT_EQ(fm.data["copy"], json::parse(R"({"x":1})"));
}

TEST(FrontMatter, DumpsAsValidJson) {
  auto fm = parse_front_matter("---\nweird: .nan\ninf: -.inf\nutf8: \"caf\xC3\xA9\"\n---\n");
  ASSERT_EQ(fm.error, "");
  EXPECT_TRUE(std::isnan(fm.data["weird"].get<double>()));
  EXPECT_TRUE(std::isinf(fm.data["inf"].get<double>()));
  EXPECT_EQ(fm.data["utf8"], "caf\xC3\xA9");
  EXPECT_NO_THROW(fm.data.dump());
}

// Regression (found by fuzz/front_matter_fuzzer): invalid UTF-8 in the block made
// RepoService::reindex's dump() throw after the commit had landed.
TEST(FrontMatter, InvalidUtf8IsAnError) {
  auto fm = parse_front_matter("---\nlicense: \xFF\n---\n");
  EXPECT_TRUE(fm.present);
  EXPECT_NE(fm.error, "");
  EXPECT_EQ(fm.data, json::object());
}

// Regression: aliases nested ten-fold eight times name 10^9 values in 519 bytes; expanding
// them exhausted memory (POST /api/validate-yaml needs no token).
TEST(FrontMatter, AliasBombIsAnError) {
  std::string text = "---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) text += ", " + prev;
    text += "]\n";
  }
  text += "---\n";
  auto fm = parse_front_matter(text);
  EXPECT_TRUE(fm.present);
  EXPECT_NE(fm.error.find("values"), std::string::npos) << fm.error;
  EXPECT_EQ(fm.data, json::object());
}

}  // namespace
}  // namespace vitrine::service
