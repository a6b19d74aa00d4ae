// Implements metadata_configs.hpp. Comments name the Python each part follows.
#include "formats/datasets/metadata_configs.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

namespace vitrine::datasets::metadata {
namespace {

using Json = nlohmann::json;

std::optional<LayoutError> yaml_error(const std::string& message) {
  return LayoutError{"ConfigNamesError", message};
}

// MetadataConfigs._raise_if_data_files_field_not_valid.
bool data_files_field_valid(const Json& data_files) {
  if (data_files.is_null() || data_files.is_string()) return true;
  if (!data_files.is_array()) return false;
  for (const Json& item : data_files) {
    if (item.is_string()) continue;
    if (!item.is_object() || item.size() != 2 || !item.contains("split") ||
        !item["split"].is_string() ||
        !is_valid_split_name(item["split"].get_ref<const std::string&>()) ||
        !item.contains("path") || !(item["path"].is_string() || item["path"].is_array())) {
      return false;
    }
  }
  return true;
}

// BuilderConfig.__post_init__: the name makes a cache folder.
bool config_name_is_valid(const std::string& name) {
  return name.find_first_of("<>:/\\|?*") == std::string::npos;
}

}  // namespace

bool truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return false;
    case Json::value_t::boolean:
      return v.get<bool>();
    case Json::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return v.get<double>() != 0.0;
    case Json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    default:
      return !v.empty();  // array, object, binary
  }
}

bool is_valid_split_name(std::string_view name) {
  if (!name.empty() && name.back() == '\n') name.remove_suffix(1);
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char previous = 0;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    bool word = u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z') || c == '_';
    if (!word && !(c == '.' && previous != '.')) return false;
    previous = c;
  }
  return true;
}

std::optional<LayoutError> parse_configs(const Json& card, std::vector<YamlConfig>& out) {
  if (!card.is_object() || !card.contains("configs") || !truthy(card["configs"])) {
    return std::nullopt;
  }
  const Json& configs = card["configs"];
  if (!configs.is_array()) {
    return yaml_error("Expected configs to be a list, but got '" + configs.dump() + "'");
  }
  for (const Json& config : configs) {
    if (!config.is_object() || !config.contains("config_name")) {
      return yaml_error(
          "Each config must include `config_name` field with a string name of a config, but "
          "got " +
          config.dump() + ".");
    }
    if (config.contains("data_files") && !data_files_field_valid(config["data_files"])) {
      return yaml_error(
          "Expected data_files in YAML to be either a string or a list of strings or a list of "
          "dicts with two keys: 'split' and 'path', but got " +
          config["data_files"].dump());
    }
  }
  for (const Json& config : configs) {
    YamlConfig entry{config["config_name"], config};
    entry.params.erase("config_name");
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const YamlConfig& c) { return c.name == entry.name; });
    if (same != out.end()) {
      same->params = std::move(entry.params);
    } else {
      out.push_back(std::move(entry));
    }
  }
  return std::nullopt;
}

std::optional<LayoutError> check_bounds(const std::vector<YamlConfig>& configs) {
  std::set<std::pair<std::string, std::string>> globs;
  auto check = [&](const Json& value, std::string_view data_dir) -> std::optional<LayoutError> {
    if (!value.is_string()) return std::nullopt;
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxPatternBytes) {
      return yaml_error("A data_files pattern or data_dir is longer than " +
                        std::to_string(kMaxPatternBytes) + " bytes");
    }
    if (text.find_first_of("*?[") != std::string::npos ||
        data_dir.find_first_of("*?[") != std::string::npos) {
      globs.emplace(data_dir, text);
      if (globs.size() > kMaxGlobPatterns) {
        return yaml_error("The YAML configs use more than " + std::to_string(kMaxGlobPatterns) +
                          " distinct glob patterns");
      }
    }
    return std::nullopt;
  };
  for (const YamlConfig& config : configs) {
    std::string data_dir;
    if (config.params.contains("data_dir")) {
      if (auto failure = check(config.params["data_dir"], "")) return failure;
      if (config.params["data_dir"].is_string()) data_dir = config.params["data_dir"];
    }
    if (!config.params.contains("data_files")) continue;
    const Json& data_files = config.params["data_files"];
    std::vector<const Json*> values;
    if (data_files.is_string()) values.push_back(&data_files);
    if (data_files.is_array()) {
      for (const Json& item : data_files) {
        if (item.is_object() && item.contains("path")) {
          const Json& path = item["path"];
          if (path.is_array()) {
            for (const Json& p : path) values.push_back(&p);
          } else {
            values.push_back(&path);
          }
        } else {
          values.push_back(&item);
        }
      }
    }
    for (const Json* value : values) {
      if (auto failure = check(*value, data_dir)) return failure;
    }
  }
  return std::nullopt;
}

std::optional<LayoutError> default_config_name(const std::vector<YamlConfig>& configs,
                                               std::optional<std::string>& out) {
  out.reset();
  for (const YamlConfig& config : configs) {
    bool is_default = configs.size() == 1 || config.name == Json("default") ||
                      (config.params.contains("default") && truthy(config.params["default"]));
    if (!is_default) continue;
    if (out) {
      return yaml_error("Dataset has several default configs: '" + *out + "' and '" +
                        display_name(config.name) + "'.");
    }
    out = display_name(config.name);
  }
  return std::nullopt;
}

std::optional<LayoutError> sanitize_patterns(const Json& data_files,
                                             std::vector<SplitPatterns>& out) {
  out.clear();
  if (data_files.is_string()) {
    out.push_back({"train", {data_files}});
    return std::nullopt;
  }
  if (!data_files.is_array()) {
    return yaml_error("Invalid data_files: " + data_files.dump());
  }
  bool any_dict = std::any_of(data_files.begin(), data_files.end(),
                              [](const Json& item) { return item.is_object(); });
  if (!any_dict) {
    out.push_back({"train", std::vector<Json>(data_files.begin(), data_files.end())});
    return std::nullopt;
  }
  std::set<std::string> seen;
  for (const Json& item : data_files) {
    if (!item.is_object() || item.size() != 2 || !item.contains("split") ||
        !item.contains("path") || !(item["path"].is_string() || item["path"].is_array())) {
      return yaml_error(
          "Invalid format for data_files entry. Each item must be a dictionary with the structure "
          "{'split': <split_name>, 'path': <path_or_list_of_paths>}.\nReceived: " +
          item.dump());
    }
    std::string split =
        item["split"].is_string() ? item["split"].get<std::string>() : item["split"].dump();
    if (!seen.insert(split).second) {
      return yaml_error("Some splits are duplicated in data_files: " + data_files.dump());
    }
    const Json& path = item["path"];
    out.push_back({split, path.is_array() ? std::vector<Json>(path.begin(), path.end())
                                          : std::vector<Json>{path}});
  }
  return std::nullopt;
}

std::optional<LayoutError> config_data_dir(const YamlConfig& config, std::string& data_dir) {
  data_dir.clear();
  if (!config.params.contains("data_dir") || !truthy(config.params["data_dir"])) {
    return std::nullopt;
  }
  const Json& value = config.params["data_dir"];
  if (!value.is_string()) return yaml_error("data_dir must be a string, got " + value.dump());
  data_dir = value.get<std::string>();
  return std::nullopt;
}

std::optional<LayoutError> check_config_name(const YamlConfig& config) {
  if (!config.name.is_string()) {
    return yaml_error("config_name must be a string, got " + config.name.dump());
  }
  if (!config_name_is_valid(config.name.get_ref<const std::string&>())) {
    return yaml_error("Bad characters from black list '<>:/\\|?*' found in '" +
                      config.name.get<std::string>() + "'.");
  }
  return std::nullopt;
}

std::optional<std::string> dataset_info_config_name(const Json& card) {
  if (!card.is_object() || !card.contains("dataset_info")) return std::nullopt;
  const Json& info = card["dataset_info"];
  std::vector<Json> names;
  auto add = [&](const Json& item) {
    if (!item.is_object()) return;
    Json name = item.contains("config_name") ? item["config_name"] : Json("default");
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  if (info.is_object()) add(info);
  if (info.is_array()) {
    for (const Json& item : info) add(item);
  }
  if (names.size() == 1 && names[0].is_string()) return names[0].get<std::string>();
  return std::nullopt;
}

std::string display_name(const Json& name) {
  return name.is_string() ? name.get<std::string>() : name.dump();
}

}  // namespace vitrine::datasets::metadata
