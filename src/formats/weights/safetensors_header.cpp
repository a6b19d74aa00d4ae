// Reads a safetensors file's header and a sharded index from untrusted bytes. Every length is
// checked against what is left of the input (or of the file) before it is used, arithmetic on
// sizes is overflow-checked, and JSON is parsed without unbounded nesting, so a hostile header
// can neither crash Vitrine nor make it allocate more than the header's own size justifies.
#include "formats/weights/safetensors_header.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace vitrine::service {
namespace {

using nlohmann::json;
using weight_header::as_uint;
using weight_header::checked_add;
using weight_header::checked_mul;
using weight_header::list_text;
using weight_header::parse_json_strictly;
using weight_header::quote_name;

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

json safetensors_info_json(const std::map<std::string, uint64_t>& parameters, uint64_t total) {
  json counts = json::object();
  for (const auto& [dtype, count] : parameters) counts[dtype] = count;
  return {{"parameters", std::move(counts)}, {"total", total}};
}

}  // namespace vitrine::service
