// Fuzzes derive_layout and fsspec_match. Input: an optional first line "name:<owner/name>"
// (LayoutOptions::dataset_name), then one repository path per line, a line "---", then the
// card's YAML as JSON (anything unparsable is no card). Archives list their own path's
// components. Checks the promises of data_files.hpp and a few glob identities.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "formats/datasets/data_files.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

namespace {

const std::set<std::string> kErrorCodes = {"ConfigNamesError",
                                           "DataFilesNotFoundError",
                                           "EmptyDatasetError",
                                           "FileFormatMismatchBetweenSplitsError",
                                           "DatasetWithScriptNotSupportedError",
                                           "NotSupportedDisabledViewerError",
                                           "DatasetWithTooManyConfigsError"};

const std::set<std::string> kConfigErrorCodes = {"SplitNamesFromStreamingError",
                                                 "DatasetWithTooManySplitsError"};

// The path as a pattern that names only it: each wildcard inside a class.
std::string escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[') {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += c;
    }
  }
  return out;
}

void check_layout(const datasets::LayoutResult& result, const std::vector<std::string>& files) {
  if (!result.ok) {
    FUZZ_CHECK(kErrorCodes.count(result.error.code) == 1);
    FUZZ_CHECK(!result.error.message.empty());
    return;
  }
  const auto& configs = result.layout.configs;
  FUZZ_CHECK(!configs.empty() && configs.size() <= datasets::kMaxConfigs);
  std::set<std::string> known(files.begin(), files.end());
  std::set<std::string> names;
  size_t defaults = 0;
  for (size_t i = 0; i < configs.size(); ++i) {
    const auto& config = configs[i];
    FUZZ_CHECK(names.insert(config.name).second);
    FUZZ_CHECK(!config.builder.empty());
    FUZZ_CHECK(config.builder_kwargs.is_object());
    if (config.is_default) {
      ++defaults;
      FUZZ_CHECK(i == 0);  // the default config comes first
    } else if (i > 0 && !configs[i - 1].is_default) {
      FUZZ_CHECK(configs[i - 1].name < config.name);
    }
    if (config.error) {
      FUZZ_CHECK(kConfigErrorCodes.count(config.error->code) == 1);
      FUZZ_CHECK(config.splits.empty());
      continue;
    }
    FUZZ_CHECK(config.splits.size() <= datasets::kMaxSplitsPerConfig);
    std::set<std::string> splits;
    for (const auto& split : config.splits) {
      FUZZ_CHECK(!split.split.empty() && splits.insert(split.split).second);
      for (const auto& file : split.files) FUZZ_CHECK(known.count(file) == 1);
    }
  }
  FUZZ_CHECK(defaults <= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  datasets::LayoutOptions options;
  std::vector<std::string> files;
  bool first = true;
  while (!input.empty()) {
    std::string_view line = fuzz::take_until(input, '\n');
    if (line == "---") break;
    if (first && line.substr(0, 5) == "name:") {
      options.dataset_name = std::string(line.substr(5));
    } else {
      files.emplace_back(line);
    }
    first = false;
  }
  nlohmann::json card = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (card.is_discarded()) card = nullptr;
  options.list_archive = [](const std::string& path) -> std::optional<std::vector<std::string>> {
    if (path.find("unreadable") != std::string::npos) return std::nullopt;
    std::vector<std::string> entries;
    for (size_t from = 0; from <= path.size();) {
      size_t slash = std::min(path.find('/', from), path.size());
      entries.push_back(path.substr(from, slash - from));
      from = slash + 1;
    }
    return entries;
  };

  check_layout(datasets::derive_layout(files, card, options), files);

  for (const std::string& file : files) {
    FUZZ_CHECK(datasets::fsspec_match("**", file));
    if (!file.empty() && file.back() == '/') continue;
    FUZZ_CHECK(datasets::fsspec_match(escape(file), file));
    if (file.find_first_of("*?[") == std::string::npos) {
      FUZZ_CHECK(datasets::fsspec_match(file, file));
      FUZZ_CHECK(!datasets::fsspec_match(file, file + "x"));
    }
  }
  return 0;
}
