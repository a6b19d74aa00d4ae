// Reads a GGUF file's header from untrusted bytes. Every length and count is checked against
// what is left of the input (or of the file) before it is used, arithmetic on sizes is
// overflow-checked and arrays of arrays are nested only so deep, so a hostile header can
// neither crash Vitrine nor make it allocate more than the header's own size justifies.
#include "formats/weights/gguf_header.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>

namespace vitrine::service {
namespace {

using nlohmann::json;
using weight_header::as_uint;
using weight_header::checked_add;
using weight_header::checked_mul;
using weight_header::list_text;
using weight_header::quote_name;
using weight_header::sanitize_utf8;

constexpr uint32_t kMaxGgufArrayDepth = 8;     // GGUF arrays of arrays
constexpr size_t kMaxDisplayString = 1024;     // a GGUF string value kept for display
constexpr size_t kMaxMetadataBytes = 1 << 20;  // GGUF keys and values kept for display

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

}  // namespace vitrine::service
