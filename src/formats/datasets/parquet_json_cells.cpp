// Json cells (parquet_json_cells.hpp). The type forms are those parquet_write_schema.hpp
// writes: [X], List, LargeList, Sequence (of a dict: a dict of lists) and dicts of features.
#include "formats/datasets/parquet_json_cells.hpp"

#include <string>

#include "util/json.hpp"

namespace vitrine::datasets {

namespace {

using Type = nlohmann::ordered_json;

// The element type of a list type, or nullptr.
const Type* list_element(const Type& type) {
  if (type.is_array()) return type.size() == 1 ? &type[0] : nullptr;
  if (!type.is_object()) return nullptr;
  auto kind = type.find("_type");
  if (kind == type.end() || !kind->is_string()) return nullptr;
  const auto& k = kind->get_ref<const std::string&>();
  if (k != "List" && k != "LargeList" && k != "Sequence") return nullptr;
  auto feature = type.find("feature");
  return feature == type.end() ? nullptr : &*feature;
}

bool is_json(const Type& type) {
  if (!type.is_object()) return false;
  auto kind = type.find("_type");
  return kind != type.end() && *kind == "Json";
}

// A dict of features (no "_type").
bool is_dict(const Type& type) {
  return type.is_object() && !type.contains("_type");
}

}  // namespace

bool feature_has_json(const Type& type) {
  if (is_json(type)) return true;
  if (const Type* element = list_element(type)) return feature_has_json(*element);
  if (is_dict(type)) {
    for (const auto& [key, sub] : type.items()) {
      if (feature_has_json(sub)) return true;
    }
  }
  return false;
}

void decode_json_cells(const Type& type, nlohmann::json& cell) {
  if (cell.is_null()) return;
  if (is_json(type)) {
    if (!cell.is_string()) return;
    const auto& text = cell.get_ref<const std::string&>();
    if (util::json_nesting_depth(text, util::kMaxJsonDepth + 1) > util::kMaxJsonDepth) return;
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (!parsed.is_discarded()) cell = std::move(parsed);
    return;
  }
  if (const Type* element = list_element(type)) {
    bool sequence_of_dict = !type.is_array() && type["_type"] == "Sequence" && is_dict(*element);
    if (sequence_of_dict) {  // `datasets` reads it as a dict of lists
      if (!cell.is_object()) return;
      for (const auto& [key, sub] : element->items()) {
        auto it = cell.find(key);
        if (it == cell.end() || !it->is_array()) continue;
        for (auto& item : *it) decode_json_cells(sub, item);
      }
      return;
    }
    if (!cell.is_array()) return;
    for (auto& item : cell) decode_json_cells(*element, item);
    return;
  }
  if (is_dict(type) && cell.is_object()) {
    for (const auto& [key, sub] : type.items()) {
      auto it = cell.find(key);
      if (it != cell.end()) decode_json_cells(sub, *it);
    }
  }
}

}  // namespace vitrine::datasets
