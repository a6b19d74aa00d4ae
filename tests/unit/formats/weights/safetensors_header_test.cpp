// Unit tests for service/safetensors_header: safetensors headers and sharded indexes built
// byte by byte here, then parsed back, and malformed variants of them rejected with a message
// naming the rule.
#include "formats/weights/safetensors_header.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weight_header_test_bytes.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;
using weight_header_test::le64;
using weight_header_test::random_bytes;

// ---- safetensors writer: u64 LE header length N, N bytes of JSON, then the data section.

// A safetensors file with the given header JSON text and `data_size` random data bytes.
std::string safetensors_file(const std::string& header, size_t data_size) {
  return le64(header.size()) + header + random_bytes(data_size);
}

struct TensorSpec {
  std::string name, dtype;
  std::vector<uint64_t> shape;
  uint64_t bytes;  // the data size the format implies (element count x dtype size)
};

// A well-formed file: tensors laid out back to back in the order given.
std::string safetensors_file(const std::vector<TensorSpec>& tensors, const json& metadata) {
  json header = json::object();
  if (!metadata.is_null()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    header[t.name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes}}};
    offset += t.bytes;
  }
  return safetensors_file(header.dump(), offset);
}

// A header with one tensor entry given as JSON text, and `data_size` data bytes.
std::string one_tensor(const std::string& entry, size_t data_size) {
  return safetensors_file(R"({"w": )" + entry + "}", data_size);
}

std::string error_of(const std::string& file) {
  auto parsed = parse_safetensors(file, file.size());
  EXPECT_FALSE(parsed.is_ok());
  if (parsed) return "";
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kBadRequest) << parsed.status().message();
  return parsed.status().message();
}

TEST(Safetensors, CountsParametersByDtype) {
  std::string file = safetensors_file(
      {
          {"embed.weight", "BF16", {4, 3}, 24},
          {"layer.weight", "F32", {2, 3}, 24},
          {"layer.scale", "I8", {}, 1},  // a scalar: one element
          {"packed", "F4", {2, 3}, 3},   // 6 elements of 4 bits
          {"empty", "F16", {0, 7}, 0},
          {"fp8", "F8_E4M3", {5}, 5},
      },
      {{"format", "pt"}});
  auto header = parse_safetensors(file, file.size());
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->parameters,
            (std::map<std::string, uint64_t>{
                {"BF16", 12}, {"F32", 6}, {"I8", 1}, {"F4", 6}, {"F8_E4M3", 5}}));
  EXPECT_EQ(header->total, 30u);
  EXPECT_EQ(header->metadata, (std::map<std::string, std::string>{{"format", "pt"}}));
  ASSERT_EQ(header->tensors.size(), 6u);
  uint64_t covered = 0;
  for (const auto& tensor : header->tensors) {  // sorted by begin, back to back
    EXPECT_EQ(tensor.begin, covered) << tensor.name;
    covered = tensor.end;
  }
  EXPECT_EQ(covered, file.size() - 8 - header->header_size);
  EXPECT_EQ(header->tensors[0].name, "embed.weight");
  EXPECT_EQ(header->tensors[0].dtype, "BF16");
  EXPECT_EQ(header->tensors[0].shape, (std::vector<uint64_t>{4, 3}));
  EXPECT_EQ(header->tensors[2].name, "layer.scale");
  EXPECT_TRUE(header->tensors[2].shape.empty());

  EXPECT_EQ(safetensors_info_json(header->parameters, header->total),
            json::parse(R"({"parameters": {"BF16": 12, "F32": 6, "I8": 1, "F4": 6,
                            "F8_E4M3": 5}, "total": 30})"));
}

TEST(Safetensors, AcceptsEveryDtypeAndEmptyFiles) {
  std::vector<TensorSpec> tensors;
  for (auto [dtype, bits] : std::vector<std::pair<std::string, int>>{{"BOOL", 8},
                                                                     {"U8", 8},
                                                                     {"I8", 8},
                                                                     {"F8_E5M2", 8},
                                                                     {"F8_E4M3", 8},
                                                                     {"F8_E8M0", 8},
                                                                     {"I16", 16},
                                                                     {"U16", 16},
                                                                     {"F16", 16},
                                                                     {"BF16", 16},
                                                                     {"I32", 32},
                                                                     {"U32", 32},
                                                                     {"F32", 32},
                                                                     {"F64", 64},
                                                                     {"I64", 64},
                                                                     {"U64", 64},
                                                                     {"F4", 4},
                                                                     {"F6_E2M3", 6},
                                                                     {"F6_E3M2", 6}}) {
    tensors.push_back({"t_" + dtype, dtype, {4, 2}, 8u * bits / 8});
  }
  std::string file = safetensors_file(tensors, nullptr);
  auto header = parse_safetensors(file, file.size());
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->parameters.size(), tensors.size());
  EXPECT_EQ(header->total, 8 * tensors.size());

  std::string empty = safetensors_file("{}", 0);
  auto none = parse_safetensors(empty, empty.size());
  ASSERT_TRUE(none.is_ok()) << none.status().message();
  EXPECT_EQ(none->total, 0u);
  EXPECT_TRUE(none->tensors.empty());
}

TEST(Safetensors, PrefixSizeAndShortPrefix) {
  std::string file = safetensors_file({{"w", "F32", {3}, 12}}, nullptr);
  uint64_t n = file.size() - 8 - 12;
  auto size = safetensors_prefix_size(file.substr(0, 8), file.size());
  ASSERT_TRUE(size.is_ok());
  EXPECT_EQ(*size, 8 + n);
  EXPECT_FALSE(safetensors_prefix_size(file.substr(0, 7), file.size()).is_ok());
  EXPECT_FALSE(safetensors_prefix_size(le64(kMaxWeightHeaderBytes + 1), 1ull << 40).is_ok());
  EXPECT_FALSE(safetensors_prefix_size(le64(100), 107).is_ok());
  EXPECT_TRUE(safetensors_prefix_size(le64(100), 108).is_ok());

  auto short_prefix = parse_safetensors(file.substr(0, 20), file.size());
  ASSERT_FALSE(short_prefix.is_ok());
  EXPECT_EQ(short_prefix.status().kind(), ErrorKind::kRangeNotSatisfiable);
  EXPECT_EQ(short_prefix.status().message(), "need " + std::to_string(8 + n) + " bytes");
  auto exact = parse_safetensors(file.substr(0, 8 + n), file.size());  // no data needed
  ASSERT_TRUE(exact.is_ok()) << exact.status().message();
  EXPECT_EQ(exact->total, 3u);
}

TEST(Safetensors, RejectsMalformedHeaders) {
  std::string deep =
      R"({"__metadata__": {"a": )" + std::string(100, '[') + std::string(100, ']') + "}}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {le64(1ull << 40) + "{}", "header length 1099511627776 exceeds"},
      {le64(100) + "{}", "runs past the end of the file"},
      {std::string("\x02\0\0\0", 4), "shorter than the 8-byte"},
      {safetensors_file("[]", 0), "header is not a JSON object"},
      {safetensors_file("{\"a\":", 0), "invalid JSON"},
      {safetensors_file("{} x", 0), "invalid JSON"},
      {one_tensor(R"({"dtype": "F7", "shape": [1], "data_offsets": [0, 1]})", 1),
       "tensor \"w\" has unknown dtype \"F7\""},
      {one_tensor(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 10]})", 10),
       "safetensors: tensor \"w\" data_offsets [0, 10] do not match dtype F32 and shape [3] "
       "(12 bytes)"},
      {one_tensor(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 12]})", 8),
       "tensor \"w\" data_offsets [0, 12] go past the data section (8 bytes)"},
      {one_tensor(R"({"dtype": "F32", "shape": [3], "data_offsets": [12, 0]})", 12), "end first"},
      {one_tensor(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 12]})", 16),
       "bytes [12, 16) of the data section belong to no tensor"},
      {one_tensor(R"({"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]})",
                  0),
       "more elements than fit in 64 bits"},
      {one_tensor(R"({"dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 0]})", 0),
       "larger than fits in 64 bits"},
      {one_tensor(R"({"dtype": "F4", "shape": [3], "data_offsets": [0, 1]})", 1),
       "not a whole number of bytes"},
      {one_tensor(R"({"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]})", 0),
       "shape holds -1, not a size"},
      {one_tensor(R"({"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]})", 4),
       "shape holds 1.0, not a size"},
      {one_tensor(R"({"dtype": "F32", "shape": [1], "data_offsets": [0]})", 4),
       "no \"data_offsets\" pair"},
      {one_tensor(R"({"shape": [1], "data_offsets": [0, 4]})", 4), "no \"dtype\" string"},
      {one_tensor(R"({"dtype": "F32", "data_offsets": [0, 4]})", 4), "no \"shape\" array"},
      {one_tensor("[1]", 4), "tensor \"w\" is not a JSON object"},
      {safetensors_file(R"({"__metadata__": {"a": 1}})", 0), "__metadata__ value of \"a\""},
      {safetensors_file(R"({"__metadata__": []})", 0), "__metadata__ is not a JSON object"},
      {safetensors_file(
           R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
               "b": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}})",
           6),
       "tensor \"b\" data_offsets [2, 6] overlap tensor \"a\" data_offsets [0, 4]"},
      {safetensors_file(
           R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
               "b": {"dtype": "U8", "shape": [4], "data_offsets": [6, 10]}})",
           10),
       "bytes [4, 6) of the data section belong to no tensor (a hole before tensor \"b\")"},
      {safetensors_file(
           R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
               "a": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}})",
           8),
       "duplicate key \"a\""},
      {safetensors_file(deep, 0), "nested deeper than 64 levels"},
      {safetensors_file("{\"\xff\": 1}", 0), "invalid JSON"},
  };
  for (const auto& [file, message] : cases) {
    std::string error = error_of(file);
    EXPECT_NE(error.find(message), std::string::npos) << "got: " << error << "\nwant: " << message;
    EXPECT_NO_THROW(json(error).dump()) << error;  // fit for a JSON report
  }
}

TEST(SafetensorsIndex, ParsesWeightMapAndShards) {
  auto index = parse_safetensors_index(R"({
    "metadata": {"total_size": 1234, "format": "pt"},
    "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                   "b.weight": "model-00002-of-00002.safetensors",
                   "c.weight": "model-00001-of-00002.safetensors",
                   "d.weight": "sub/model-extra.safetensors"}})");
  ASSERT_TRUE(index.is_ok()) << index.status().message();
  EXPECT_EQ(index->total_size, 1234u);
  EXPECT_EQ(index->weight_map.size(), 4u);
  EXPECT_EQ(index->weight_map["b.weight"], "model-00002-of-00002.safetensors");
  EXPECT_EQ(index->shards, (std::vector<std::string>{"model-00001-of-00002.safetensors",
                                                     "model-00002-of-00002.safetensors",
                                                     "sub/model-extra.safetensors"}));

  auto no_metadata = parse_safetensors_index(R"({"weight_map": {}})");
  ASSERT_TRUE(no_metadata.is_ok());
  EXPECT_EQ(no_metadata->total_size, 0u);
  auto float_size = parse_safetensors_index(
      R"({"metadata": {"total_size": 16060522496.0}, "weight_map": {"a": "x.safetensors"}})");
  ASSERT_TRUE(float_size.is_ok()) << float_size.status().message();
  EXPECT_EQ(float_size->total_size, 16060522496u);
}

TEST(SafetensorsIndex, RejectsMalformedIndexes) {
  for (const std::string& text : {
           std::string("[]"),
           std::string("{}"),
           std::string(R"({"weight_map": []})"),
           std::string(R"({"weight_map": {"a": 1}})"),
           std::string(R"({"weight_map": {"a": "../x.safetensors"}})"),
           std::string(R"({"weight_map": {"a": "/x.safetensors"}})"),
           std::string(R"({"weight_map": {"a": "sub//x.safetensors"}})"),
           std::string(R"({"weight_map": {"a": "sub/./x.safetensors"}})"),
           std::string(R"({"weight_map": {"a": "sub\\x.safetensors"}})"),
           std::string(R"({"weight_map": {"a": ""}})"),
           std::string(R"({"weight_map": {"a": "x/"}})"),
           std::string(R"({"weight_map": {"a": "x", "a": "y"}})"),
           std::string(R"({"metadata": {"total_size": -1}, "weight_map": {}})"),
           std::string(R"({"metadata": {"total_size": 1.5}, "weight_map": {}})"),
           std::string(R"({"metadata": {"total_size": "1"}, "weight_map": {}})"),
           std::string(R"({"weight_map": {})") + std::string(200, '[') + std::string(200, ']'),
           std::string("not json"),
       }) {
    auto index = parse_safetensors_index(text);
    ASSERT_FALSE(index.is_ok()) << text;
    EXPECT_EQ(index.status().kind(), ErrorKind::kBadRequest);
    EXPECT_EQ(index.status().message().rfind("safetensors index: ", 0), 0u)
        << index.status().message();
  }
}

}  // namespace
}  // namespace vitrine::service
