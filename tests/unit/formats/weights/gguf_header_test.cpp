// Unit tests for service/gguf_header: GGUF headers built byte by byte here, then parsed back,
// asked for more bytes when cut short, and malformed variants of them rejected with a message
// naming the rule.
#include "formats/weights/gguf_header.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "weight_header_test_bytes.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;
using weight_header_test::le32;
using weight_header_test::le64;
using weight_header_test::random_bytes;

// ---- GGUF writer: "GGUF", u32 version, u64 tensor count, u64 kv count, kv pairs (string key,
// u32 type, value), tensor infos (string name, u32 n_dims, u64 dims, u32 type, u64 offset),
// padding to the alignment, tensor data.

struct GgufTensor {
  std::string name;
  std::vector<uint64_t> dims;
  uint32_t type;
  uint64_t offset = 0;
  uint64_t bytes = 0;  // data size (computed by the test's own table in GgufFile::tensor)
};

std::string gguf_string(std::string_view text) {
  return le64(text.size()) + std::string(text);
}

class GgufFile {
 public:
  uint32_t version = 3;
  uint64_t alignment = 32;
  std::vector<GgufTensor> tensors;
  uint64_t data_size = 0;  // as laid out by tensor(), whatever a test changes later

  void kv(std::string_view key, uint32_t type, const std::string& value) {
    kvs_ += gguf_string(key) + le32(type) + value;
    ++kv_count_;
  }
  void kv_string(std::string_view key, std::string_view value) { kv(key, 8, gguf_string(value)); }
  void kv_u32(std::string_view key, uint32_t value) { kv(key, 4, le32(value)); }
  void kv_u64(std::string_view key, uint64_t value) { kv(key, 10, le64(value)); }

  // Adds a tensor after the previous one, at the next aligned offset.
  void tensor(std::string name, std::vector<uint64_t> dims, uint32_t type) {
    // (block size, bytes per block) for the types used here, from ggml's type_traits.
    static const std::map<uint32_t, std::pair<uint64_t, uint64_t>> kSizes = {
        {0, {1, 4}}, {1, {1, 2}}, {8, {32, 34}}, {12, {256, 144}}, {30, {1, 2}}};
    uint64_t elements = 1;
    for (uint64_t d : dims) elements *= d;
    auto [block, size] = kSizes.at(type);
    uint64_t offset = 0;
    if (!tensors.empty()) {
      offset =
          (tensors.back().offset + tensors.back().bytes + alignment - 1) / alignment * alignment;
    }
    tensors.push_back({std::move(name), std::move(dims), type, offset, elements / block * size});
    data_size = offset + tensors.back().bytes;
  }

  std::string header() const {
    std::string out = "GGUF" + le32(version) + le64(tensors.size()) + le64(kv_count_) + kvs_;
    for (const auto& t : tensors) {
      out += gguf_string(t.name) + le32(static_cast<uint32_t>(t.dims.size()));
      for (uint64_t d : t.dims) out += le64(d);
      out += le32(t.type) + le64(t.offset);
    }
    return out;
  }

  std::string bytes() const {
    std::string out = header();
    out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    return out + random_bytes(data_size);
  }

 private:
  std::string kvs_;
  uint64_t kv_count_ = 0;
};

GgufFile llama_file() {
  GgufFile file;
  file.kv_string("general.architecture", "llama");
  file.kv_string("general.name", "Tiny Llama");
  file.kv_u32("general.file_type", 15);
  file.kv_u32("llama.context_length", 4096);
  file.kv_u64("general.base_model.count", 2);
  file.kv_string("general.base_model.0.name", "Base One");
  file.kv_string("general.base_model.0.organization", "Org");
  file.kv_string("general.base_model.0.version", "v1");
  file.kv_string("general.base_model.0.repo_url", "https://example.com/org/base-one");
  file.kv_string("general.base_model.1.name", "Base Two");
  // An array of strings, an array of arrays, and a long string: summarised for display.
  file.kv("tokenizer.ggml.tokens", 9,
          le32(8) + le64(3) + gguf_string("a") + gguf_string("bb") + gguf_string("<s>"));
  file.kv("nested", 9, le32(9) + le64(2) + le32(4) + le64(1) + le32(7) + le32(0) + le64(0));
  file.kv_string("general.description", std::string(3000, 'd'));
  file.kv("flag", 7, std::string(1, '\1'));
  file.kv("scale", 6, std::string("\0\0\x80\x3f", 4));  // 1.0f
  file.kv("offset", 5, le32(static_cast<uint32_t>(-5)));
  file.tensor("token_embd.weight", {64, 10}, 1);
  file.tensor("blk.0.attn_q.weight", {256, 2}, 12);
  file.tensor("blk.0.ffn.weight", {32, 3}, 8);
  file.tensor("output_norm.weight", {64}, 0);
  return file;
}

Result<GgufHeader> parse_whole(const std::string& bytes) {
  return parse_gguf(bytes, bytes.size());
}

TEST(Gguf, ParsesLlamaHeader) {
  GgufFile file = llama_file();
  std::string bytes = file.bytes();
  auto header = parse_whole(bytes);
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->version, 3u);
  EXPECT_EQ(header->header_size, file.header().size());
  EXPECT_EQ(header->architecture, "llama");
  EXPECT_EQ(header->name, "Tiny Llama");
  EXPECT_EQ(header->file_type, 15);
  EXPECT_EQ(header->quantization, "Q4_K_M");
  EXPECT_EQ(header->context_length, 4096u);
  ASSERT_EQ(header->base_models.size(), 2u);
  EXPECT_EQ(header->base_models[0].name, "Base One");
  EXPECT_EQ(header->base_models[0].organization, "Org");
  EXPECT_EQ(header->base_models[0].version, "v1");
  EXPECT_EQ(header->base_models[0].repo_url, "https://example.com/org/base-one");
  EXPECT_EQ(header->base_models[1].name, "Base Two");
  EXPECT_EQ(header->base_models[1].organization, "");
  EXPECT_EQ(header->parameters, (std::map<std::string, uint64_t>{
                                    {"F16", 640}, {"Q4_K", 512}, {"Q8_0", 96}, {"F32", 64}}));
  EXPECT_EQ(header->total, 640u + 512 + 96 + 64);
  ASSERT_EQ(header->tensors.size(), 4u);
  EXPECT_EQ(header->tensors[1].name, "blk.0.attn_q.weight");
  EXPECT_EQ(header->tensors[1].dtype, "Q4_K");
  EXPECT_EQ(header->tensors[1].shape, (std::vector<uint64_t>{256, 2}));
  EXPECT_EQ(header->tensors[1].begin, 1280u);  // after 1280 bytes of F16
  EXPECT_EQ(header->tensors[1].end, 1280u + 288);

  const json& metadata = header->metadata;
  EXPECT_EQ(metadata["general.architecture"], "llama");
  EXPECT_EQ(metadata["general.file_type"], 15);
  EXPECT_EQ(metadata["tokenizer.ggml.tokens"], json({{"type", "array"}, {"length", 3}}));
  EXPECT_EQ(metadata["nested"], json({{"type", "array"}, {"length", 2}}));
  EXPECT_EQ(metadata["general.description"].get<std::string>().size(), 1024u);
  EXPECT_EQ(metadata["flag"], true);
  EXPECT_EQ(metadata["scale"], 1.0);
  EXPECT_EQ(metadata["offset"], -5);
  EXPECT_FALSE(header->metadata_truncated);
  EXPECT_NO_THROW(metadata.dump());
}

TEST(Gguf, QuantizationFallsBackToTheLargestTensorType) {
  GgufFile file;
  file.version = 2;
  file.alignment = 64;
  file.kv_u32("general.alignment", 64);
  file.tensor("a", {32, 4}, 8);
  file.tensor("b", {16}, 0);
  file.tensor("c", {8}, 30);
  auto header = parse_whole(file.bytes());
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->version, 2u);
  EXPECT_EQ(header->file_type, -1);
  EXPECT_EQ(header->quantization, "Q8_0");
  EXPECT_EQ(header->tensors[1].begin, 192u);  // 136 bytes of Q8_0, aligned to 64
  EXPECT_EQ(header->architecture, "");
  EXPECT_EQ(header->context_length, 0u);
  EXPECT_TRUE(header->base_models.empty());

  // A file_type that is not an integer is left unexplained rather than rejected.
  GgufFile odd;
  odd.kv_string("general.file_type", "Q4_K_M");
  odd.tensor("a", {16}, 0);
  auto odd_header = parse_whole(odd.bytes());
  ASSERT_TRUE(odd_header.is_ok()) << odd_header.status().message();
  EXPECT_EQ(odd_header->file_type, -1);
  EXPECT_EQ(odd_header->quantization, "F32");
}

TEST(Gguf, AsksForMoreBytesUntilTheHeaderIsComplete) {
  GgufFile file = llama_file();
  std::string bytes = file.bytes() + std::string(100000, 'x');  // a larger file
  uint64_t prefix = 16;
  int rounds = 0;
  Result<GgufHeader> header = parse_gguf(bytes.substr(0, prefix), bytes.size());
  while (!header.is_ok() && header.status().kind() == ErrorKind::kRangeNotSatisfiable) {
    std::string message = header.status().message();
    ASSERT_EQ(message.rfind("need ", 0), 0u) << message;
    uint64_t need = std::stoull(message.substr(5));
    EXPECT_EQ(message, "need " + std::to_string(need) + " bytes");
    ASSERT_GT(need, prefix);
    ASSERT_LE(need, bytes.size());
    prefix = need;
    header = parse_gguf(bytes.substr(0, prefix), bytes.size());
    ASSERT_LT(++rounds, 20);
  }
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_GT(rounds, 2);
  EXPECT_LT(prefix, bytes.size());  // the data was never needed
  EXPECT_EQ(header->total, 640u + 512 + 96 + 64);

  // A prefix that already is the whole file cannot grow: the header is truncated.
  std::string header_bytes = llama_file().header();
  std::string cut = header_bytes.substr(0, header_bytes.size() - 3);
  auto truncated = parse_whole(cut);
  ASSERT_FALSE(truncated.is_ok());
  EXPECT_EQ(truncated.status().kind(), ErrorKind::kBadRequest);
  EXPECT_NE(truncated.status().message().find("truncated GGUF header"), std::string::npos);
  auto tiny = parse_gguf("GG", 2);
  EXPECT_EQ(tiny.status().kind(), ErrorKind::kBadRequest);
  auto more = parse_gguf("GG", 1000);
  EXPECT_EQ(more.status().kind(), ErrorKind::kRangeNotSatisfiable);
}

std::string gguf_error(const std::string& bytes, uint64_t file_size = 0) {
  auto header = parse_gguf(bytes, file_size ? file_size : bytes.size());
  EXPECT_FALSE(header.is_ok());
  if (header) return "";
  EXPECT_EQ(header.status().kind(), ErrorKind::kBadRequest) << header.status().message();
  return header.status().message();
}

TEST(Gguf, RejectsMalformedHeaders) {
  auto with = [](auto change) {
    GgufFile file;
    file.kv_string("general.architecture", "llama");
    file.tensor("a", {32}, 0);
    file.tensor("b", {32}, 0);
    change(file);
    return file.bytes();
  };
  std::string prelude = "GGUF" + le32(3);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GGML" + le32(3) + le64(0) + le64(0), "bad magic"},
      {"GGUF" + le32(1) + le64(0) + le64(0), "unsupported version 1"},
      {"GGUF" + le32(3u << 24) + le64(0) + le64(0), "big-endian"},
      {prelude + le64(1ull << 60) + le64(0), "tensor count 1152921504606846976 cannot fit"},
      {prelude + le64(0) + le64(1ull << 60), "metadata key-value count"},
      {prelude + le64(0) + le64(1) + le64(1ull << 60) + std::string(20, 'k'),
       "truncated GGUF header: metadata key"},
      {prelude + le64(0) + le64(1) + gguf_string("k") + le32(8) + le64(1ull << 62),
       "truncated GGUF header: key \"k\""},
      {prelude + le64(0) + le64(1) + gguf_string("k") + le32(9) + le32(4) + le64(1ull << 60),
       "key \"k\" array count 1152921504606846976 cannot fit"},
      {prelude + le64(0) + le64(1) + gguf_string("k") + le32(9) + le32(8) + le64(1ull << 60),
       "key \"k\" array count"},
      {prelude + le64(0) + le64(1) + gguf_string("k") + le32(13) + le32(0),
       "key \"k\" has unknown value type 13"},
      {prelude + le64(0) + le64(1) + gguf_string("k") + le32(9) + le32(42) + le64(0),
       "array of unknown value type 42"},
      {with([](GgufFile& f) { f.tensors[0].type = 4; }), "tensor \"a\" has unknown ggml type 4"},
      {with([](GgufFile& f) { f.tensors[0].type = 1000; }), "unknown ggml type 1000"},
      {with([](GgufFile& f) {
         f.tensors[0].dims = {1, 1, 1, 1, 32};
       }),
       "tensor \"a\" has 5 dimensions, more than 4"},
      {with([](GgufFile& f) { f.tensors[1].offset = 130; }),
       "tensor \"b\" offset 130 is not a multiple of the alignment 32"},
      {with([](GgufFile& f) { f.tensors[1].offset = 96; }),
       "tensor \"b\" data [96, 224] overlaps tensor \"a\" [0, 128]"},
      {with([](GgufFile& f) { f.tensors[0].offset = 1ull << 40; }),
       "tensor \"a\" data (128 bytes at offset 1099511627776"},
      {with([](GgufFile& f) { f.tensors[1].dims = {1ull << 40}; }),
       "runs past the end of the file"},
      {with([](GgufFile& f) {
         f.tensors[1].dims = {1ull << 32, 1ull << 32};
       }),
       "more elements than fit in 63 bits"},
      {with([](GgufFile& f) { f.tensors[1].name = "a"; }), "duplicate tensor \"a\""},
      {with([](GgufFile& f) { f.kv_string("general.architecture", "x"); }),
       "duplicate key \"general.architecture\""},
      {with([](GgufFile& f) { f.kv_u32("general.alignment", 48); }),
       "general.alignment 48 is not a power of two"},
      {with([](GgufFile& f) { f.kv_u32("general.alignment", 0); }), "general.alignment 0"},
  };
  for (const auto& [bytes, message] : cases) {
    std::string error = gguf_error(bytes);
    EXPECT_NE(error.find(message), std::string::npos) << "got: " << error << "\nwant: " << message;
    EXPECT_NO_THROW(json(error).dump()) << error;
  }
  // A Q4_K row must hold whole 256-element blocks.
  GgufFile rows;
  rows.tensor("q", {256, 1}, 12);
  rows.tensors[0].dims = {128, 2};
  EXPECT_NE(gguf_error(rows.bytes())
                .find("first dimension 128 is not a multiple of the Q4_K "
                      "block size 256"),
            std::string::npos);

  // Arrays nested past the limit.
  std::string nested;
  for (int i = 0; i < 9; ++i) nested += le32(9) + le64(1);
  nested += le32(0) + le64(0);
  EXPECT_NE(gguf_error(prelude + le64(0) + le64(1) + gguf_string("deep") + le32(9) + nested)
                .find("nested deeper than 8"),
            std::string::npos);
}

TEST(Gguf, HugeCountsFailWithoutReadingMore) {
  // A claimed count that cannot fit in the file is refused from the first bytes, even when the
  // prefix is short (no "need N bytes" round trip).
  std::string start = "GGUF" + le32(3) + le64(1ull << 40) + le64(0);
  auto header = parse_gguf(start, 1 << 20);
  ASSERT_FALSE(header.is_ok());
  EXPECT_EQ(header.status().kind(), ErrorKind::kBadRequest);
  // A string longer than the 64 MiB Vitrine reads of a header, in a huge file.
  std::string key = "GGUF" + le32(3) + le64(0) + le64(1) + le64(1ull << 30);
  auto long_key = parse_gguf(key, 1ull << 40);
  ASSERT_FALSE(long_key.is_ok());
  EXPECT_EQ(long_key.status().kind(), ErrorKind::kBadRequest);
  EXPECT_NE(long_key.status().message().find("64 MiB"), std::string::npos);
}

TEST(Gguf, ManyStringsParseInLinearTime) {
  GgufFile file;
  std::string tokens = le32(8) + le64(200000);
  for (int i = 0; i < 200000; ++i) tokens += gguf_string("tok");
  file.kv("tokenizer.ggml.tokens", 9, tokens);
  for (int i = 0; i < 5000; ++i) file.kv_string("k" + std::to_string(i), std::string(100, 'v'));
  auto header = parse_whole(file.bytes());
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->metadata["tokenizer.ggml.tokens"]["length"], 200000);
  EXPECT_EQ(header->metadata.size(), 5001u);
  EXPECT_FALSE(header->metadata_truncated);

  GgufFile big;
  for (int i = 0; i < 2000; ++i) big.kv_string("k" + std::to_string(i), std::string(1000, 'v'));
  auto capped = parse_whole(big.bytes());
  ASSERT_TRUE(capped.is_ok()) << capped.status().message();
  EXPECT_TRUE(capped->metadata_truncated);
  EXPECT_LT(capped->metadata.size(), 2000u);
}

TEST(Gguf, InvalidUtf8IsReplacedForDisplay) {
  GgufFile file;
  file.kv_string("general.name", "bad \xff\xfe name");
  file.kv_string("k\xc3", "v");
  auto header = parse_whole(file.bytes());
  ASSERT_TRUE(header.is_ok()) << header.status().message();
  EXPECT_EQ(header->name, "bad \xEF\xBF\xBD\xEF\xBF\xBD name");
  EXPECT_NO_THROW(header->metadata.dump());
}

}  // namespace
}  // namespace vitrine::service
