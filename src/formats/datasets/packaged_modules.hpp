// The packaged module (builder) a dataset's data files select, as `datasets` infers it:
// packaged_modules/__init__.py's extension tables, and load.py's
// infer_module_for_data_files_list, infer_module_for_data_files_list_in_archives,
// infer_module_for_data_files and the DataFilesList.filter it applies after. Internal to
// formats/datasets (data_files.cpp); data_files.hpp states the rules.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/data_files.hpp"

namespace vitrine::datasets::modules {

// A module and its default builder kwargs (e.g. csv with {"sep": "\t"}); an empty name is
// Python's None (no module).
struct ModuleChoice {
  std::string name;
  nlohmann::json kwargs = nlohmann::json::object();
  bool operator==(const ModuleChoice&) const = default;
};

// A split's files as indices into the repository's sorted file list.
struct SplitFileIndices {
  std::string split;
  std::vector<uint32_t> files;
};

// posixpath.basename.
std::string_view file_name(std::string_view path);

// name.split(".")[1:]: every dot-suffix, as `datasets` reads extensions.
std::vector<std::string_view> dot_suffixes(std::string_view name);

// resolve_pattern's allowed_extensions (_ALL_ALLOWED_EXTENSIONS): some dot-suffix of the file
// name, as written, is a data extension.
bool has_data_extension(std::string_view path);

// DataFilesList.filter(extensions=<the module's>, file_names=<its metadata files>) on the
// file's URL (`url`; the repository name in it matters, see data_files.cpp).
bool kept_for_module(std::string_view url, const std::string& module);

// infer_module_for_data_files over the splits' files (indices into `files`): the module every
// split agrees on. FileFormatMismatchBetweenSplitsError when they do not, DataFilesNotFoundError
// when none has one, ConfigNamesError when LayoutOptions::list_archive cannot read an archive.
std::optional<LayoutError> infer_dataset_module(const std::vector<std::string>& files,
                                                const std::vector<SplitFileIndices>& splits,
                                                const LayoutOptions& options, ModuleChoice& out);

}  // namespace vitrine::datasets::modules
