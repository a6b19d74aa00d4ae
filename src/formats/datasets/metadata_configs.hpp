// The card's YAML `configs:` as `datasets` reads them: utils/metadata.py (MetadataConfigs,
// _raise_if_data_files_field_not_valid, get_default_config_name), data_files.py
// (sanitize_patterns), the per-config checks of load.py create_builder_configs_from_metadata_
// configs and builder.py BuilderConfig, and the Python truth and split-name rules they rely on.
// Internal to formats/datasets (data_files.cpp); data_files.hpp states the rules. Every error is
// ConfigNamesError, as the viewer reports a ValueError or TypeError from the library.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/data_files.hpp"

namespace vitrine::datasets::metadata {

// One YAML config: its config_name (a string unless the YAML is wrong) and every other key.
struct YamlConfig {
  nlohmann::json name;
  nlohmann::json params;
};

// One split and its data_files patterns, in order. Strings, except where the YAML put something
// else in a path list (an error only when that split is resolved, as in `datasets`).
struct SplitPatterns {
  std::string split;
  std::vector<nlohmann::json> patterns;
};

// Python's truth value of a YAML value (null, false, 0, "", [] and {} are false).
bool truthy(const nlohmann::json& value);

// re.match(r"^\w+(\.\w+)*$", name) (naming._split_re). `$` also matches before a final newline.
// \w is Unicode in Python; here every non-ASCII character counts as a word character.
bool is_valid_split_name(std::string_view name);

// MetadataConfigs.from_dataset_card_data: the configs in YAML order, a repeated config_name
// keeping its first place and its last definition (a dict comprehension). None when `configs`
// is absent or falsy.
std::optional<LayoutError> parse_configs(const nlohmann::json& card, std::vector<YamlConfig>& out);

// Vitrine's bounds on the YAML: kMaxPatternBytes per path and data_dir, kMaxGlobPatterns
// distinct (data_dir, glob) pairs.
std::optional<LayoutError> check_bounds(const std::vector<YamlConfig>& configs);

// MetadataConfigs.get_default_config_name: the only config, the one named "default", or the
// one with a true `default`; two of these are an error; none leaves `out` empty.
std::optional<LayoutError> default_config_name(const std::vector<YamlConfig>& configs,
                                               std::optional<std::string>& out);

// sanitize_patterns(data_files): a string or a list of strings is split "train"; a list of
// {split, path} keeps its order.
std::optional<LayoutError> sanitize_patterns(const nlohmann::json& data_files,
                                             std::vector<SplitPatterns>& out);

// The config's data_dir as create_builder_configs_from_metadata_configs joins it ("" when
// absent or falsy; not a string is an error).
std::optional<LayoutError> config_data_dir(const YamlConfig& config, std::string& data_dir);

// BuilderConfig.__post_init__: the name is a string without <>:/\|?* (it names a cache folder).
std::optional<LayoutError> check_config_name(const YamlConfig& config);

// The one config the YAML `dataset_info` names (DatasetInfosDict.from_dataset_card_data, whose
// single entry load.py takes as the default config when the configs name none).
std::optional<std::string> dataset_info_config_name(const nlohmann::json& card);

// A config name for messages (the YAML value as written when it is not a string).
std::string display_name(const nlohmann::json& name);

}  // namespace vitrine::datasets::metadata
