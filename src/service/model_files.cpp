// Reads the headers of model weight files (safetensors, its sharded index, GGUF) from untrusted
// bytes. Every length and count is checked against what is left of the input (or of the file)
// before it is used, arithmetic on sizes is overflow-checked, and JSON is parsed without
// unbounded nesting, so a hostile header can neither crash Vitrine nor make it allocate more
// than the header's own size justifies.
#include "service/model_files.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_set>
#include <utility>

namespace vitrine::service {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonDepth = 64;           // objects/arrays nested in a JSON header
constexpr uint32_t kMaxGgufArrayDepth = 8;     // GGUF arrays of arrays
constexpr size_t kMaxDisplayString = 1024;     // a GGUF string value kept for display
constexpr size_t kMaxMetadataBytes = 1 << 20;  // GGUF keys and values kept for display
constexpr size_t kMaxNameInMessage = 200;      // a name quoted in an error message

bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}
bool checked_add(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_add_overflow(a, b, &out);
}

// Copies `in`, replacing each invalid UTF-8 sequence by U+FFFD and stopping before `max_bytes`
// would be exceeded (on a character boundary), so the result can go into JSON (nlohmann's dump()
// throws on invalid UTF-8).
std::string sanitize_utf8(std::string_view in, size_t max_bytes) {
  static constexpr uint32_t kMinCodePoint[] = {0, 0, 0x80, 0x800, 0x10000};
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  size_t i = 0;
  while (i < in.size()) {
    auto lead = static_cast<unsigned char>(in[i]);
    size_t length = lead < 0x80             ? 1
                    : (lead & 0xE0) == 0xC0 ? 2
                    : (lead & 0xF0) == 0xE0 ? 3
                    : (lead & 0xF8) == 0xF0 ? 4
                                            : 0;
    uint32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    bool valid = length > 0 && length <= in.size() - i;
    for (size_t k = 1; valid && k < length; ++k) {
      auto next = static_cast<unsigned char>(in[i + k]);
      valid = (next & 0xC0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (valid && length > 1) {
      valid = code_point >= kMinCodePoint[length] && code_point <= 0x10FFFF &&
              (code_point < 0xD800 || code_point > 0xDFFF);
    }
    std::string_view piece = valid ? in.substr(i, length) : std::string_view("\xEF\xBF\xBD");
    if (piece.size() > max_bytes - out.size()) break;
    out.append(piece);
    i += valid ? length : 1;
  }
  return out;
}

// A name as it appears in an error message: JSON-quoted, valid UTF-8, not too long.
std::string quote_name(std::string_view name) {
  std::string text = sanitize_utf8(name, kMaxNameInMessage);
  if (text.size() < name.size()) text += "...";
  return json(text).dump();
}

std::string list_text(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + "]";
}

std::optional<uint64_t> as_uint(const json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return std::nullopt;
}

// Builds a JSON document like nlohmann's own DOM parser (whose parser is iterative), but refuses
// duplicate keys (nlohmann silently keeps the last) and nesting deeper than kMaxJsonDepth
// (destroying and dumping a document recurse).
class StrictJsonBuilder {
 public:
  json root;
  std::string error;

  bool null() { return add(nullptr); }
  bool boolean(bool value) { return add(value); }
  bool number_integer(json::number_integer_t value) { return add(value); }
  bool number_unsigned(json::number_unsigned_t value) { return add(value); }
  bool number_float(json::number_float_t value, const json::string_t&) { return add(value); }
  bool string(json::string_t& value) { return add(std::move(value)); }
  bool binary(json::binary_t&) {
    error = "binary values are not JSON";
    return false;
  }
  bool start_object(size_t) { return open(json::object()); }
  bool start_array(size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    if (stack_.back()->contains(name)) {
      error = "duplicate key " + quote_name(name);
      return false;
    }
    key_ = std::move(name);
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at ...: <reason>"; keep the reason.
    std::string_view what = e.what();
    size_t reason = what.find(": ");
    if (reason != std::string_view::npos) what.remove_prefix(reason + 2);
    error = "invalid JSON at byte " + std::to_string(position) + ": " + sanitize_utf8(what, 200);
    return false;
  }

 private:
  json* place(json&& value) {
    if (stack_.empty()) {
      root = std::move(value);
      return &root;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(value));
      return &top.back();
    }
    json& slot = top[key_];
    slot = std::move(value);
    return &slot;
  }
  bool add(json value) {
    place(std::move(value));
    return true;
  }
  bool open(json container) {
    if (stack_.size() >= kMaxJsonDepth) {
      error = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<json*> stack_;  // open containers; each points into its parent (stable)
  std::string key_;
};

Result<json> parse_json_strictly(std::string_view text, std::string_view what) {
  StrictJsonBuilder builder;
  bool parsed = false;
  try {
    parsed = json::sax_parse(text.data(), text.data() + text.size(), &builder);
  } catch (const std::exception& e) {
    return bad_request(std::string(what) + ": invalid JSON: " + sanitize_utf8(e.what(), 200));
  }
  if (!parsed) {
    if (builder.error.empty()) builder.error = "invalid JSON";
    return bad_request(std::string(what) + ": " + builder.error);
  }
  return std::move(builder.root);
}

// ---- safetensors -------------------------------------------------------------------------

struct SafetensorsDtype {
  std::string_view name;
  uint64_t bits;
};

// The dtypes of the safetensors format, with their sizes in bits (F4/F6 are packed).
constexpr SafetensorsDtype kSafetensorsDtypes[] = {
    {"BOOL", 8},    {"U8", 8},   {"I8", 8},      {"F8_E5M2", 8}, {"F8_E4M3", 8},
    {"F8_E8M0", 8}, {"F4", 4},   {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"I16", 16},
    {"U16", 16},    {"F16", 16}, {"BF16", 16},   {"I32", 32},    {"U32", 32},
    {"F32", 32},    {"F64", 64}, {"I64", 64},    {"U64", 64},    {"C64", 64},
};

std::optional<uint64_t> safetensors_dtype_bits(std::string_view name) {
  for (const auto& dtype : kSafetensorsDtypes) {
    if (dtype.name == name) return dtype.bits;
  }
  return std::nullopt;
}

Status safetensors_error(std::string message) {
  return bad_request("safetensors: " + message);
}

// Reads one tensor entry of the header into `tensor` and its element count into `elements`.
Status read_safetensors_tensor(const std::string& name, const json& entry, uint64_t data_size,
                               TensorInfo& tensor, uint64_t& elements) {
  std::string who = "tensor " + quote_name(name);
  if (!entry.is_object()) return safetensors_error(who + " is not a JSON object");
  auto dtype = entry.find("dtype");
  auto shape = entry.find("shape");
  auto offsets = entry.find("data_offsets");
  if (dtype == entry.end() || !dtype->is_string()) {
    return safetensors_error(who + " has no \"dtype\" string");
  }
  tensor.name = name;
  tensor.dtype = dtype->get<std::string>();
  auto bits = safetensors_dtype_bits(tensor.dtype);
  if (!bits) return safetensors_error(who + " has unknown dtype " + quote_name(tensor.dtype));
  if (shape == entry.end() || !shape->is_array()) {
    return safetensors_error(who + " has no \"shape\" array");
  }
  for (const json& dim : *shape) {
    auto value = as_uint(dim);
    if (!value) return safetensors_error(who + " shape holds " + dim.dump() + ", not a size");
    tensor.shape.push_back(*value);
  }
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
      !as_uint((*offsets)[0]) || !as_uint((*offsets)[1])) {
    return safetensors_error(who + " has no \"data_offsets\" pair of sizes");
  }
  tensor.begin = *as_uint((*offsets)[0]);
  tensor.end = *as_uint((*offsets)[1]);
  std::string offsets_text = "data_offsets " + list_text({tensor.begin, tensor.end});
  if (tensor.end < tensor.begin) return safetensors_error(who + " " + offsets_text + " end first");
  if (tensor.end > data_size) {
    return safetensors_error(who + " " + offsets_text + " go past the data section (" +
                             std::to_string(data_size) + " bytes)");
  }

  // A zero dimension makes the tensor empty whatever the others say.
  elements = 1;
  bool empty = std::find(tensor.shape.begin(), tensor.shape.end(), 0) != tensor.shape.end();
  for (uint64_t dim : tensor.shape) {
    if (empty) break;
    if (!checked_mul(elements, dim, elements)) {
      return safetensors_error(who + " shape " + list_text(tensor.shape) +
                               " has more elements than fit in 64 bits");
    }
  }
  if (empty) elements = 0;
  uint64_t total_bits = 0;
  if (!checked_mul(elements, *bits, total_bits)) {
    return safetensors_error(who + " shape " + list_text(tensor.shape) + " of dtype " +
                             tensor.dtype + " is larger than fits in 64 bits");
  }
  if (total_bits % 8 != 0) {
    return safetensors_error(who + " shape " + list_text(tensor.shape) + " of dtype " +
                             tensor.dtype + " is not a whole number of bytes");
  }
  uint64_t bytes = total_bits / 8;
  if (tensor.end - tensor.begin != bytes) {
    return safetensors_error(who + " " + offsets_text + " do not match dtype " + tensor.dtype +
                             " and shape " + list_text(tensor.shape) + " (" +
                             std::to_string(bytes) + " bytes)");
  }
  return Status::ok();
}

// ---- GGUF ----------------------------------------------------------------------------------

enum GgufValueType : uint32_t {
  kGgufUint8 = 0,
  kGgufInt8 = 1,
  kGgufUint16 = 2,
  kGgufInt16 = 3,
  kGgufUint32 = 4,
  kGgufInt32 = 5,
  kGgufFloat32 = 6,
  kGgufBool = 7,
  kGgufString = 8,
  kGgufArray = 9,
  kGgufUint64 = 10,
  kGgufInt64 = 11,
  kGgufFloat64 = 12,
};

// The fewest bytes a value of each type takes (a string's length, an array's type and count).
constexpr uint64_t kGgufMinValueSize[] = {1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8};
constexpr bool gguf_fixed_size(uint32_t type) {
  return type != kGgufString && type != kGgufArray;
}

struct GgmlType {
  std::string_view name;
  uint64_t block_size = 0;  // elements per block; 0 for an unknown (or removed) type id
  uint64_t type_size = 0;   // bytes per block
};

// ggml's tensor types by id (ggml.h enum ggml_type, type_traits in ggml.c).
constexpr auto kGgmlTypes = [] {
  std::array<GgmlType, 40> types{};
  types[0] = {"F32", 1, 4};
  types[1] = {"F16", 1, 2};
  types[2] = {"Q4_0", 32, 18};
  types[3] = {"Q4_1", 32, 20};
  types[6] = {"Q5_0", 32, 22};
  types[7] = {"Q5_1", 32, 24};
  types[8] = {"Q8_0", 32, 34};
  types[9] = {"Q8_1", 32, 36};
  types[10] = {"Q2_K", 256, 84};
  types[11] = {"Q3_K", 256, 110};
  types[12] = {"Q4_K", 256, 144};
  types[13] = {"Q5_K", 256, 176};
  types[14] = {"Q6_K", 256, 210};
  types[15] = {"Q8_K", 256, 292};
  types[16] = {"IQ2_XXS", 256, 66};
  types[17] = {"IQ2_XS", 256, 74};
  types[18] = {"IQ3_XXS", 256, 98};
  types[19] = {"IQ1_S", 256, 50};
  types[20] = {"IQ4_NL", 32, 18};
  types[21] = {"IQ3_S", 256, 110};
  types[22] = {"IQ2_S", 256, 82};
  types[23] = {"IQ4_XS", 256, 136};
  types[24] = {"I8", 1, 1};
  types[25] = {"I16", 1, 2};
  types[26] = {"I32", 1, 4};
  types[27] = {"I64", 1, 8};
  types[28] = {"F64", 1, 8};
  types[29] = {"IQ1_M", 256, 56};
  types[30] = {"BF16", 1, 2};
  types[34] = {"TQ1_0", 256, 54};
  types[35] = {"TQ2_0", 256, 66};
  types[39] = {"MXFP4", 32, 17};
  return types;
}();

const GgmlType* ggml_type(uint32_t id) {
  if (id >= kGgmlTypes.size() || kGgmlTypes[id].block_size == 0) return nullptr;
  return &kGgmlTypes[id];
}

// llama.cpp's names for general.file_type (enum llama_ftype, without the MOSTLY_ prefix).
std::string_view llama_file_type_name(int64_t file_type) {
  static constexpr std::pair<int64_t, std::string_view> kNames[] = {
      {0, "F32"},      {1, "F16"},      {2, "Q4_0"},       {3, "Q4_1"},    {7, "Q8_0"},
      {8, "Q5_0"},     {9, "Q5_1"},     {10, "Q2_K"},      {11, "Q3_K_S"}, {12, "Q3_K_M"},
      {13, "Q3_K_L"},  {14, "Q4_K_S"},  {15, "Q4_K_M"},    {16, "Q5_K_S"}, {17, "Q5_K_M"},
      {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"},    {21, "Q2_K_S"}, {22, "IQ3_XS"},
      {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"},    {26, "IQ3_S"},  {27, "IQ3_M"},
      {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"},    {31, "IQ1_M"},  {32, "BF16"},
      {36, "TQ1_0"},   {37, "TQ2_0"},   {38, "MXFP4_MOE"},
  };
  for (const auto& [id, name] : kNames) {
    if (id == file_type) return name;
  }
  return {};
}

// Reads a GGUF header front to back. The first failure is kept in status(); later reads fail
// at once. When the bytes run out, the failure says whether reading more can help.
class GgufReader {
 public:
  GgufReader(std::string_view prefix, uint64_t file_size)
      : input_(prefix.substr(0, std::min<uint64_t>(prefix.size(), file_size))),
        file_size_(file_size),
        limit_(std::max<uint64_t>(input_.size(), std::min(file_size, kMaxWeightHeaderBytes))) {}

  uint64_t position() const { return position_; }
  const Status& status() const { return status_; }
  bool fail(Status status) {
    if (status_.is_ok()) status_ = std::move(status);
    return false;
  }

  // Makes sure `n` more bytes can be read: false, with the reason in status(), when they lie
  // past the file's end or the header cap (kBadRequest) or only past the prefix (need more).
  bool have(uint64_t n, std::string_view what) {
    if (!status_.is_ok()) return false;
    if (n <= input_.size() - position_) return true;
    if (n > limit_ - position_) {
      std::string where = limit_ == file_size_
                              ? "the end of the file (" + std::to_string(file_size_) + " bytes)"
                              : "the " + std::to_string(kMaxWeightHeaderBytes >> 20) +
                                    " MiB Vitrine reads of a header";
      return fail(bad_request("truncated GGUF header: " + std::string(what) + " (" +
                              std::to_string(n) + " bytes at offset " + std::to_string(position_) +
                              ") runs past " + where));
    }
    uint64_t wanted = position_ + n;
    uint64_t guess = std::min(limit_, std::max<uint64_t>(wanted, 2 * input_.size()));
    return fail({ErrorKind::kRangeNotSatisfiable, "need " + std::to_string(guess) + " bytes"});
  }

  // Fails unless `count` items of at least `min_size` bytes each can fit in what is left of
  // the readable header: checked before a count is trusted for anything.
  bool plausible_count(uint64_t count, uint64_t min_size, std::string_view what) {
    if (!status_.is_ok()) return false;
    if (count <= (limit_ - position_) / min_size) return true;
    return fail(bad_request("GGUF: " + std::string(what) + " count " + std::to_string(count) +
                            " cannot fit in the file (at least " + std::to_string(min_size) +
                            " bytes each)"));
  }

  bool bytes(uint64_t n, std::string_view& out, std::string_view what) {
    if (!have(n, what)) return false;
    out = input_.substr(position_, n);
    position_ += n;
    return true;
  }
  bool skip(uint64_t n, std::string_view what) {
    if (!have(n, what)) return false;
    position_ += n;
    return true;
  }
  template <typename T>
  bool number(T& out, std::string_view what) {
    std::string_view raw;
    if (!bytes(sizeof(T), raw, what)) return false;
    // GGUF is little-endian, as is every machine Vitrine runs on.
    std::memcpy(&out, raw.data(), sizeof(T));
    return true;
  }
  bool string(std::string_view& out, std::string_view what) {
    uint64_t length = 0;
    return number(length, what) && bytes(length, out, what);
  }

 private:
  std::string_view input_;
  uint64_t file_size_;
  uint64_t limit_;  // the header cannot extend past this offset
  uint64_t position_ = 0;
  Status status_;
};

// Reads one metadata value of `type`. `display` (when not null) receives its display form.
bool read_gguf_value(GgufReader& reader, uint32_t type, uint32_t depth, json* display,
                     const std::string& who) {
  auto scalar = [&](auto value) {
    if (!reader.number(value, who)) return false;
    if (display) *display = value;
    return true;
  };
  switch (type) {
    case kGgufUint8:
      return scalar(uint8_t{});
    case kGgufInt8:
      return scalar(int8_t{});
    case kGgufUint16:
      return scalar(uint16_t{});
    case kGgufInt16:
      return scalar(int16_t{});
    case kGgufUint32:
      return scalar(uint32_t{});
    case kGgufInt32:
      return scalar(int32_t{});
    case kGgufFloat32:
      return scalar(float{});
    case kGgufUint64:
      return scalar(uint64_t{});
    case kGgufInt64:
      return scalar(int64_t{});
    case kGgufFloat64:
      return scalar(double{});
    case kGgufBool: {
      uint8_t value = 0;
      if (!reader.number(value, who)) return false;
      if (display) *display = value != 0;
      return true;
    }
    case kGgufString: {
      std::string_view value;
      if (!reader.string(value, who)) return false;
      if (display) *display = sanitize_utf8(value, kMaxDisplayString);
      return true;
    }
    case kGgufArray: {
      if (depth >= kMaxGgufArrayDepth) {
        return reader.fail(bad_request("GGUF: " + who + " has arrays nested deeper than " +
                                       std::to_string(kMaxGgufArrayDepth) + " levels"));
      }
      uint32_t element_type = 0;
      uint64_t count = 0;
      if (!reader.number(element_type, who) || !reader.number(count, who)) return false;
      if (element_type > kGgufFloat64) {
        return reader.fail(bad_request("GGUF: " + who + " is an array of unknown value type " +
                                       std::to_string(element_type)));
      }
      uint64_t element_size = kGgufMinValueSize[element_type];
      if (!reader.plausible_count(count, element_size, who + " array")) return false;
      if (gguf_fixed_size(element_type)) {
        if (!reader.skip(count * element_size, who)) return false;  // no overflow: plausible
      } else {
        for (uint64_t i = 0; i < count; ++i) {
          if (!read_gguf_value(reader, element_type, depth + 1, nullptr, who)) return false;
        }
      }
      if (display) *display = {{"type", "array"}, {"length", count}};
      return true;
    }
    default:
      return reader.fail(
          bad_request("GGUF: " + who + " has unknown value type " + std::to_string(type)));
  }
}

// Keys whose values parse_gguf interprets (the rest are only displayed).
bool gguf_key_of_interest(std::string_view key) {
  constexpr std::string_view kContext = ".context_length";
  return key.substr(0, 8) == "general." ||
         (key.size() > kContext.size() && key.substr(key.size() - kContext.size()) == kContext);
}

std::string string_value(const std::map<std::string, json, std::less<>>& values,
                         const std::string& key) {
  auto it = values.find(key);
  return it != values.end() && it->second.is_string() ? it->second.get<std::string>() : "";
}

// Interprets the general.* and <arch>.context_length values gathered while reading.
Status interpret_gguf_values(const std::map<std::string, json, std::less<>>& values,
                             GgufHeader& header, uint64_t& alignment) {
  header.architecture = string_value(values, "general.architecture");
  header.name = string_value(values, "general.name");
  // A file_type of another type than an integer is only left unexplained, not an error: it
  // does not change how the file is laid out.
  if (auto it = values.find("general.file_type"); it != values.end()) {
    if (it->second.is_number_unsigned()) {
      header.file_type =
          static_cast<int64_t>(std::min<uint64_t>(it->second.get<uint64_t>(), INT64_MAX));
    } else if (it->second.is_number_integer()) {
      header.file_type = it->second.get<int64_t>();
    }
  }
  if (auto it = values.find("general.alignment"); it != values.end()) {
    auto value = as_uint(it->second);
    if (!value || *value == 0 || (*value & (*value - 1)) != 0 || *value > (1u << 30)) {
      return bad_request("GGUF: general.alignment " + it->second.dump() +
                         " is not a power of two up to 2^30");
    }
    alignment = *value;
  }
  if (!header.architecture.empty()) {
    auto it = values.find(header.architecture + ".context_length");
    if (it != values.end()) header.context_length = as_uint(it->second).value_or(0);
  }
  if (auto it = values.find("general.base_model.count"); it != values.end()) {
    // Entries without any field are left out; there cannot be more entries than values.
    uint64_t count = std::min<uint64_t>(as_uint(it->second).value_or(0), values.size());
    for (uint64_t i = 0; i < count; ++i) {
      std::string prefix = "general.base_model." + std::to_string(i) + ".";
      GgufBaseModel base{
          string_value(values, prefix + "name"), string_value(values, prefix + "organization"),
          string_value(values, prefix + "version"), string_value(values, prefix + "repo_url")};
      if (!base.name.empty() || !base.organization.empty() || !base.version.empty() ||
          !base.repo_url.empty()) {
        header.base_models.push_back(std::move(base));
      }
    }
  }
  return Status::ok();
}

// Reads one tensor info and checks its shape and type; the offset is checked by the caller.
bool read_gguf_tensor(GgufReader& reader, std::unordered_set<std::string_view>& names,
                      TensorInfo& tensor, uint64_t& elements, uint64_t& bytes) {
  std::string_view name;
  uint32_t n_dims = 0;
  if (!reader.string(name, "tensor name") || !reader.number(n_dims, "tensor info")) return false;
  std::string who = "tensor " + quote_name(name);
  if (!names.insert(name).second) return reader.fail(bad_request("GGUF: duplicate " + who));
  if (n_dims > 4) {
    return reader.fail(bad_request("GGUF: " + who + " has " + std::to_string(n_dims) +
                                   " dimensions, more than 4"));
  }
  tensor.name = sanitize_utf8(name, name.size() * 3);
  elements = 1;
  for (uint32_t i = 0; i < n_dims; ++i) {
    uint64_t dim = 0;
    if (!reader.number(dim, who)) return false;
    tensor.shape.push_back(dim);
    if (!checked_mul(elements, dim, elements) || elements > INT64_MAX) {
      return reader.fail(bad_request("GGUF: " + who + " shape " + list_text(tensor.shape) +
                                     " has more elements than fit in 63 bits"));
    }
  }
  uint32_t type_id = 0;
  if (!reader.number(type_id, who) || !reader.number(tensor.begin, who)) return false;
  const GgmlType* type = ggml_type(type_id);
  if (!type) {
    return reader.fail(
        bad_request("GGUF: " + who + " has unknown ggml type " + std::to_string(type_id)));
  }
  tensor.dtype = std::string(type->name);
  uint64_t row = tensor.shape.empty() ? 1 : tensor.shape[0];
  if (row % type->block_size != 0) {
    return reader.fail(bad_request("GGUF: " + who + " first dimension " + std::to_string(row) +
                                   " is not a multiple of the " + tensor.dtype + " block size " +
                                   std::to_string(type->block_size)));
  }
  if (!checked_mul(elements / type->block_size, type->type_size, bytes)) {
    return reader.fail(bad_request("GGUF: " + who + " is larger than fits in 64 bits"));
  }
  return true;
}

// Checks that every tensor's data lies inside the file and that no two overlap.
Status check_gguf_tensor_data(GgufHeader& header, uint64_t alignment, uint64_t file_size) {
  uint64_t data_start = (header.header_size + alignment - 1) / alignment * alignment;
  uint64_t data_size = data_start <= file_size ? file_size - data_start : 0;
  for (auto& tensor : header.tensors) {
    std::string who = "tensor " + quote_name(tensor.name);
    if (tensor.begin % alignment != 0) {
      return bad_request("GGUF: " + who + " offset " + std::to_string(tensor.begin) +
                         " is not a multiple of the alignment " + std::to_string(alignment));
    }
    uint64_t bytes = tensor.end;  // the caller parks the byte size in `end`
    if (tensor.begin > data_size || bytes > data_size - tensor.begin) {
      return bad_request("GGUF: " + who + " data (" + std::to_string(bytes) + " bytes at offset " +
                         std::to_string(tensor.begin) +
                         " of the tensor data, which starts at byte " + std::to_string(data_start) +
                         ") runs past the end of the file (" + std::to_string(file_size) +
                         " bytes)");
    }
    tensor.end = tensor.begin + bytes;
  }
  std::vector<const TensorInfo*> by_offset;
  by_offset.reserve(header.tensors.size());
  for (const auto& tensor : header.tensors) by_offset.push_back(&tensor);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return std::pair(a->begin, a->end) < std::pair(b->begin, b->end);
  });
  const TensorInfo* furthest = nullptr;  // the tensor reaching furthest so far
  for (const TensorInfo* tensor : by_offset) {
    if (tensor->begin == tensor->end) continue;
    if (furthest && tensor->begin < furthest->end) {
      return bad_request("GGUF: tensor " + quote_name(tensor->name) + " data " +
                         list_text({tensor->begin, tensor->end}) + " overlaps tensor " +
                         quote_name(furthest->name) + " " +
                         list_text({furthest->begin, furthest->end}));
    }
    if (!furthest || tensor->end > furthest->end) furthest = tensor;
  }
  return Status::ok();
}

}  // namespace

Result<uint64_t> safetensors_prefix_size(std::string_view first8, uint64_t file_size) {
  if (first8.size() < 8 || file_size < 8) {
    return safetensors_error("file is shorter than the 8-byte header length");
  }
  uint64_t header_size = 0;
  std::memcpy(&header_size, first8.data(), 8);  // little-endian, like every host Vitrine runs on
  if (header_size > kMaxWeightHeaderBytes) {
    return safetensors_error("header length " + std::to_string(header_size) + " exceeds the " +
                             std::to_string(kMaxWeightHeaderBytes >> 20) + " MiB Vitrine reads");
  }
  if (header_size > file_size - 8) {
    return safetensors_error("header length " + std::to_string(header_size) +
                             " runs past the end of the file (" + std::to_string(file_size) +
                             " bytes)");
  }
  return 8 + header_size;
}

Result<SafetensorsHeader> parse_safetensors(std::string_view prefix, uint64_t file_size) {
  if (file_size >= 8 && prefix.size() < 8) {
    return Status(ErrorKind::kRangeNotSatisfiable, "need 8 bytes");
  }
  auto prefix_size = safetensors_prefix_size(prefix.substr(0, 8), file_size);
  if (!prefix_size) return prefix_size.status();
  if (prefix.size() < *prefix_size) {
    return Status(ErrorKind::kRangeNotSatisfiable,
                  "need " + std::to_string(*prefix_size) + " bytes");
  }
  SafetensorsHeader header;
  header.header_size = *prefix_size - 8;
  uint64_t data_size = file_size - *prefix_size;

  auto parsed = parse_json_strictly(prefix.substr(8, header.header_size), "safetensors header");
  if (!parsed) return parsed.status();
  if (!parsed->is_object()) return safetensors_error("header is not a JSON object");
  for (auto& [name, entry] : parsed->items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) return safetensors_error("__metadata__ is not a JSON object");
      for (auto& [key, value] : entry.items()) {
        if (!value.is_string()) {
          return safetensors_error("__metadata__ value of " + quote_name(key) + " is not a string");
        }
        header.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    TensorInfo tensor;
    uint64_t elements = 0;
    Status read = read_safetensors_tensor(name, entry, data_size, tensor, elements);
    if (!read) return read;
    if (!checked_add(header.parameters[tensor.dtype], elements, header.parameters[tensor.dtype]) ||
        !checked_add(header.total, elements, header.total)) {
      return safetensors_error("parameter count overflows 64 bits");
    }
    header.tensors.push_back(std::move(tensor));
  }
  for (auto it = header.parameters.begin(); it != header.parameters.end();) {
    it = it->second == 0 ? header.parameters.erase(it) : std::next(it);
  }

  // Sorted by offsets, each tensor must start where the previous one ended: no overlap, no
  // hole, and the last one ends where the file does.
  std::sort(header.tensors.begin(), header.tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) {
              return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
            });
  uint64_t covered = 0;
  const TensorInfo* previous = nullptr;
  for (const auto& tensor : header.tensors) {
    if (tensor.begin < covered) {
      return safetensors_error("tensor " + quote_name(tensor.name) + " data_offsets " +
                               list_text({tensor.begin, tensor.end}) + " overlap tensor " +
                               quote_name(previous->name) + " data_offsets " +
                               list_text({previous->begin, previous->end}));
    }
    if (tensor.begin > covered) {
      return safetensors_error("bytes [" + std::to_string(covered) + ", " +
                               std::to_string(tensor.begin) +
                               ") of the data section belong to no tensor (a hole before "
                               "tensor " +
                               quote_name(tensor.name) + ")");
    }
    covered = tensor.end;
    previous = &tensor;
  }
  if (covered != data_size) {
    return safetensors_error("bytes [" + std::to_string(covered) + ", " +
                             std::to_string(data_size) +
                             ") of the data section belong to no tensor (the data section is " +
                             std::to_string(data_size) + " bytes)");
  }
  return header;
}

Result<SafetensorsIndex> parse_safetensors_index(std::string_view json_text) {
  auto parsed = parse_json_strictly(json_text, "safetensors index");
  if (!parsed) return parsed.status();
  auto index_error = [](std::string message) {
    return bad_request("safetensors index: " + message);
  };
  if (!parsed->is_object()) return index_error("not a JSON object");
  SafetensorsIndex index;
  if (auto metadata = parsed->find("metadata"); metadata != parsed->end()) {
    if (!metadata->is_object() && !metadata->is_null()) {
      return index_error("\"metadata\" is not a JSON object");
    }
    auto total = metadata->is_object() ? metadata->find("total_size") : metadata->end();
    if (metadata->is_object() && total != metadata->end()) {
      // Some writers store the size as a float; accept it when it is a whole number.
      if (auto size = as_uint(*total)) {
        index.total_size = *size;
      } else if (total->is_number_float() && total->get<double>() >= 0 &&
                 total->get<double>() < 0x1p64 &&
                 total->get<double>() ==
                     static_cast<double>(static_cast<uint64_t>(total->get<double>()))) {
        index.total_size = static_cast<uint64_t>(total->get<double>());
      } else {
        return index_error("metadata.total_size " + total->dump() + " is not a size");
      }
    }
  }
  auto weight_map = parsed->find("weight_map");
  if (weight_map == parsed->end() || !weight_map->is_object()) {
    return index_error("no \"weight_map\" object");
  }
  std::set<std::string> shards;
  for (auto& [tensor, file] : weight_map->items()) {
    if (!file.is_string()) return index_error("tensor " + quote_name(tensor) + " maps to no file");
    const std::string& path = file.get_ref<const std::string&>();
    bool plain = !path.empty() && path.front() != '/' && path.find('\\') == std::string::npos &&
                 path.find('\0') == std::string::npos;
    for (size_t start = 0; plain && start <= path.size();) {
      size_t end = std::min(path.find('/', start), path.size());
      std::string_view part = std::string_view(path).substr(start, end - start);
      plain = !part.empty() && part != "." && part != "..";
      start = end + 1;
    }
    if (!plain) {
      return index_error("tensor " + quote_name(tensor) + " maps to " + quote_name(path) +
                         ", not a plain relative path");
    }
    index.weight_map[tensor] = path;
    shards.insert(path);
  }
  index.shards.assign(shards.begin(), shards.end());
  return index;
}

Result<GgufHeader> parse_gguf(std::string_view prefix, uint64_t file_size) {
  GgufReader reader(prefix, file_size);
  GgufHeader header;
  std::string_view magic;
  uint64_t tensor_count = 0;
  uint64_t kv_count = 0;
  if (!reader.bytes(4, magic, "magic")) return reader.status();
  if (magic != "GGUF") return bad_request("GGUF: bad magic, not a GGUF file");
  if (!reader.number(header.version, "version")) return reader.status();
  if (header.version != 2 && header.version != 3) {
    uint32_t swapped = __builtin_bswap32(header.version);
    return bad_request("GGUF: unsupported version " + std::to_string(header.version) +
                       (swapped == 2 || swapped == 3 ? " (a big-endian file?)" : "") +
                       "; Vitrine reads versions 2 and 3");
  }
  if (!reader.number(tensor_count, "tensor count") || !reader.number(kv_count, "metadata count") ||
      !reader.plausible_count(tensor_count, 24, "tensor") ||
      !reader.plausible_count(kv_count, 13, "metadata key-value")) {
    return reader.status();
  }

  std::unordered_set<std::string_view> keys;
  std::map<std::string, json, std::less<>> values;  // the values parse_gguf interprets
  size_t kept_bytes = 0;
  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string_view key;
    uint32_t type = 0;
    if (!reader.string(key, "metadata key") || !reader.number(type, "metadata value type")) {
      return reader.status();
    }
    std::string who = "key " + quote_name(key);
    if (!keys.insert(key).second) return bad_request("GGUF: duplicate " + who);
    json display;
    if (!read_gguf_value(reader, type, 0, &display, who)) return reader.status();
    if (type != kGgufArray && gguf_key_of_interest(key)) values[std::string(key)] = display;
    size_t cost = key.size() + (display.is_string() ? display.get_ref<std::string&>().size() : 16);
    if (kept_bytes + cost > kMaxMetadataBytes) {
      header.metadata_truncated = true;
    } else {
      kept_bytes += cost;
      header.metadata[sanitize_utf8(key, kMaxDisplayString)] = std::move(display);
    }
  }
  uint64_t alignment = 32;
  if (Status interpreted = interpret_gguf_values(values, header, alignment); !interpreted) {
    return interpreted;
  }

  std::unordered_set<std::string_view> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    TensorInfo tensor;
    uint64_t elements = 0;
    uint64_t bytes = 0;
    if (!read_gguf_tensor(reader, names, tensor, elements, bytes)) return reader.status();
    tensor.end = bytes;  // made absolute by check_gguf_tensor_data
    if (!checked_add(header.parameters[tensor.dtype], elements, header.parameters[tensor.dtype]) ||
        !checked_add(header.total, elements, header.total)) {
      return bad_request("GGUF: parameter count overflows 64 bits");
    }
    header.tensors.push_back(std::move(tensor));
  }
  header.header_size = reader.position();
  if (Status checked = check_gguf_tensor_data(header, alignment, file_size); !checked) {
    return checked;
  }
  for (auto it = header.parameters.begin(); it != header.parameters.end();) {
    it = it->second == 0 ? header.parameters.erase(it) : std::next(it);
  }

  header.quantization = std::string(llama_file_type_name(header.file_type));
  if (header.quantization.empty()) {
    uint64_t most = 0;
    for (const auto& [type, count] : header.parameters) {
      if (count > most) {
        most = count;
        header.quantization = type;
      }
    }
  }
  return header;
}

json safetensors_info_json(const std::map<std::string, uint64_t>& parameters, uint64_t total) {
  json counts = json::object();
  for (const auto& [dtype, count] : parameters) counts[dtype] = count;
  return {{"parameters", std::move(counts)}, {"total", total}};
}

}  // namespace vitrine::service
