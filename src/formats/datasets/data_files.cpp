// Implements data_files.hpp: data_files.py's pattern resolution and split detection over an
// in-memory sorted file list, and the steps of load.py's HubDatasetModuleFactory.get_module
// and of the viewer's config and split jobs in the order they run. The glob is fsspec_glob.hpp,
// the module inference packaged_modules.hpp, the YAML configs metadata_configs.hpp. Comments
// name the Python each part follows.
#include "formats/datasets/data_files.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "formats/datasets/fsspec_glob.hpp"
#include "formats/datasets/metadata_configs.hpp"
#include "formats/datasets/packaged_modules.hpp"

namespace vitrine::datasets {
namespace {

using Json = nlohmann::json;
using metadata::SplitPatterns;
using modules::SplitFileIndices;

// ---------------------------------------------------------------------------------------------
// Paths as Python sees them.

// posixpath.join(a, b).
std::string posix_join(std::string_view a, std::string_view b) {
  if (!b.empty() && b.front() == '/') return std::string(b);
  if (a.empty() || a.back() == '/') return std::string(a) + std::string(b);
  return std::string(a) + "/" + std::string(b);
}

// !is_relative_path(pattern): urlparse finds a scheme, or the path is absolute. Such a pattern
// names something outside the repository, which is not resolved here.
bool is_outside_repository(std::string_view pattern) {
  if (!pattern.empty() && pattern.front() == '/') return true;
  // urlsplit first strips leading C0 controls and spaces and removes tabs and newlines.
  std::string url;
  size_t from = 0;
  while (from < pattern.size() && static_cast<unsigned char>(pattern[from]) <= 0x20) ++from;
  for (char c : pattern.substr(from)) {
    if (c != '\t' && c != '\r' && c != '\n') url.push_back(c);
  }
  size_t colon = url.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(url[0])) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = url[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// PurePath(path).parts: '/'-separated, empty and "." parts dropped. `visit` sees each part and
// whether it is the last.
template <typename Visit>
void for_each_pure_path_part(std::string_view path, Visit visit) {
  std::string_view previous;
  bool have_previous = false;
  for (size_t from = 0; from <= path.size();) {
    size_t slash = std::min(path.find('/', from), path.size());
    std::string_view part = path.substr(from, slash - from);
    from = slash + 1;
    if (part.empty() || part == ".") continue;
    if (have_previous) visit(previous, false);
    previous = part;
    have_previous = true;
  }
  if (have_previous) visit(previous, true);
}

// The counts _is_unrequested_hidden_file_or_is_inside_unrequested_hidden_dir and
// _is_inside_unrequested_special_dir compare between a path and the pattern that matched it:
// parts starting with '.' (but not all dots), and folders (not the last part) starting "__".
size_t hidden_parts(std::string_view path) {
  size_t n = 0;
  for_each_pure_path_part(path, [&](std::string_view part, bool) {
    if (part.front() == '.' && part.find_first_not_of('.') != std::string_view::npos) ++n;
  });
  return n;
}

size_t special_parent_parts(std::string_view path) {
  size_t n = 0;
  for_each_pure_path_part(path, [&](std::string_view part, bool last) {
    if (!last && part.substr(0, 2) == "__") ++n;
  });
  return n;
}

// ---------------------------------------------------------------------------------------------
// data_files.py's split detection patterns (the fsspec >= 2023.12 variants).

constexpr std::string_view kShardedPattern =
    "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";
constexpr std::string_view kSeparators = "-._ 0-9";  // NON_WORDS_CHARS

struct SplitKeywords {
  std::string_view split;
  std::vector<std::string_view> keywords;
};

// SPLIT_KEYWORDS, in DEFAULT_SPLITS order.
const std::vector<SplitKeywords>& split_keywords() {
  static const std::vector<SplitKeywords> keywords = {
      {"train", {"train", "training"}},
      {"validation", {"validation", "valid", "dev", "val"}},
      {"test", {"test", "testing", "eval", "evaluation"}},
  };
  return keywords;
}

std::string format_pattern(std::string_view base, std::string_view keyword) {
  std::string out;
  for (size_t i = 0; i < base.size();) {
    if (base.substr(i, 9) == "{keyword}") {
      out += keyword;
      i += 9;
    } else if (base.substr(i, 5) == "{sep}") {
      out += kSeparators;
      i += 5;
    } else {
      out.push_back(base[i++]);
    }
  }
  return out;
}

// ALL_DEFAULT_PATTERNS: DEFAULT_PATTERNS_LOGS, then the keywords in folder names, in file
// names, then everything as "train"; each a list of splits and their patterns.
const std::vector<std::vector<SplitPatterns>>& default_pattern_groups() {
  static const std::vector<std::vector<SplitPatterns>> groups = [] {
    auto keyword_group = [](std::initializer_list<std::string_view> bases) {
      std::vector<SplitPatterns> group;
      for (const SplitKeywords& sk : split_keywords()) {
        SplitPatterns sp{std::string(sk.split), {}};
        for (std::string_view keyword : sk.keywords) {
          for (std::string_view base : bases) {
            sp.patterns.emplace_back(format_pattern(base, keyword));
          }
        }
        group.push_back(std::move(sp));
      }
      return group;
    };
    std::vector<std::vector<SplitPatterns>> g;
    g.push_back({{"logs", {"**/*.eval"}}});
    g.push_back(keyword_group({"**/{keyword}/**", "**/{keyword}[{sep}]*/**",
                               "**/*[{sep}]{keyword}/**", "**/*[{sep}]{keyword}[{sep}]*/**"}));
    g.push_back(keyword_group({"**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*"}));
    g.push_back({{"train", {"**"}}});
    return g;
  }();
  return groups;
}

// string_to_dict(basename, "{split}-[0-9]{5}-of-[0-9]{5}*.*"): re.search of
// "(?P<_split>.+)-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*", so the split is
// the longest newline-free text, leftmost first, followed by "-DDDDD-of-DDDD".
std::optional<std::string> shard_split_name(std::string_view name) {
  auto digit = [&](size_t i) { return i < name.size() && name[i] >= '0' && name[i] <= '9'; };
  auto shard_suffix_at = [&](size_t e) {  // "-DDDDD-of-DDDD" at e
    for (size_t k : {1, 2, 3, 4, 5, 10, 11, 12, 13}) {
      if (!digit(e + k)) return false;
    }
    return name[e] == '-' && name.substr(e + 6, 4) == "-of-";
  };
  for (size_t start = 0; start < name.size();) {
    size_t line_end = std::min(name.find('\n', start), name.size());
    for (size_t e = line_end; e > start; --e) {
      if (shard_suffix_at(e)) return std::string(name.substr(start, e - start));
    }
    start = line_end + 1;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// resolve_pattern over the repository's sorted file list.

// What fsspec lists for one pattern after resolve_pattern's filters, before the extension
// filter: indices into the sorted file list, in path order.
struct Matches {
  bool invalid = false;  // glob_translate's ValueError
  std::vector<uint32_t> files;
};

class Resolver {
 public:
  explicit Resolver(const std::vector<std::string>& files) : files_(files) {}

  const std::vector<std::string>& files() const { return files_; }

  // resolve_pattern(pattern, base_path=<repo>/<base>) without allowed_extensions, memoized.
  // A glob reads only the files under its literal prefix; a plain path is one lookup.
  const Matches& resolve(std::string_view base, std::string_view pattern) {
    std::string combined = posix_join(base, pattern);
    bool outside = is_outside_repository(pattern) || (!base.empty() && base.front() == '/');
    std::string key = (outside ? "\x01" : "") + combined;
    auto found = cache_.find(key);
    if (found != cache_.end()) return found->second;
    Matches& out = cache_[key];
    // Outside the repository fsspec still translates a glob (and rejects an invalid one), but
    // nothing there is listed here.
    fsspec::Glob glob(is_outside_repository(pattern) ? std::string(pattern) : combined);
    if (outside) {
      out.invalid = !glob.valid();
      return out;
    }
    if (!glob.valid()) {
      out.invalid = true;
      return out;
    }
    std::vector<uint32_t> candidates;
    if (!glob.has_magic()) {
      auto it = std::lower_bound(files_.begin(), files_.end(), glob.literal_path());
      if (it != files_.end() && *it == glob.literal_path()) {
        candidates.push_back(static_cast<uint32_t>(it - files_.begin()));
      }
    } else {
      auto it = std::lower_bound(files_.begin(), files_.end(), glob.root());
      for (; it != files_.end() && it->compare(0, glob.root().size(), glob.root()) == 0; ++it) {
        if (glob.matches(*it)) candidates.push_back(static_cast<uint32_t>(it - files_.begin()));
      }
    }
    // FILES_TO_IGNORE, except the one the pattern names; hidden and "__" folders unless the
    // pattern names as many.
    static const std::set<std::string_view> kFilesToIgnore = {
        "README.md",          "config.json",    "dataset_info.json",
        "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"};
    std::string_view pattern_name = modules::file_name(combined);
    size_t pattern_hidden = hidden_parts(combined);
    size_t pattern_special = special_parent_parts(combined);
    for (uint32_t index : candidates) {
      std::string_view path = files_[index];
      std::string_view name = modules::file_name(path);
      if (name != pattern_name && kFilesToIgnore.count(name)) continue;
      if (special_parent_parts(path) != pattern_special) continue;
      if (hidden_parts(path) != pattern_hidden) continue;
      out.files.push_back(index);
    }
    return out;
  }

  // DataFilesList.from_patterns(patterns, base_path, allowed_extensions=_ALL_ALLOWED_EXTENSIONS):
  // each pattern's data files in turn; a pattern without wildcards that finds none fails (as
  // does an invalid glob or a pattern that is no string). The failure's message, or nullopt.
  std::optional<std::string> resolve_data_files(std::string_view base,
                                                const std::vector<Json>& patterns,
                                                std::vector<uint32_t>& out) {
    for (const Json& pattern : patterns) {
      if (!pattern.is_string())
        return "a data_files pattern must be a string, got " + pattern.dump();
      const auto& text = pattern.get_ref<const std::string&>();
      const Matches& matches = resolve(base, text);
      if (matches.invalid) {
        return "Invalid pattern '" + text + "': '**' can only be an entire path component";
      }
      size_t before = out.size();
      for (uint32_t index : matches.files) {
        if (modules::has_data_extension(files_[index])) out.push_back(index);
      }
      bool magic = text.find_first_of("*?[") != std::string::npos;
      if (out.size() == before && !magic) {
        std::string message =
            "Unable to find '" + posix_join(base, text) + "' with any supported extension";
        if (is_outside_repository(text) || (!base.empty() && base.front() == '/')) {
          message += " (files outside the repository are not resolved)";
        }
        return message;
      }
    }
    return std::nullopt;
  }

 private:
  const std::vector<std::string>& files_;
  std::unordered_map<std::string, Matches> cache_;
};

// get_data_patterns(<repo>/<base>) (_get_data_files_patterns): the splits and their patterns,
// from the first rule that finds any file (whatever its extension).
struct Detection {
  std::optional<LayoutError> error;
  std::vector<SplitPatterns> splits;
};

Detection detect_splits(Resolver& resolver, std::string_view base) {
  Detection out;
  std::string sharded(kShardedPattern);
  sharded.replace(sharded.find("{split}"), 7, "*");
  const Matches& shards = resolver.resolve(base, sharded);
  if (!shards.files.empty()) {
    std::set<std::string> names;  // code point order, as Python's sorted()
    for (uint32_t index : shards.files) {
      const std::string& path = resolver.files()[index];
      auto name = shard_split_name(modules::file_name(path));
      if (!name) {
        out.error = LayoutError{"ConfigNamesError", "Cannot read a split name in '" + path + "'"};
        return out;
      }
      names.insert(*name);
    }
    for (const std::string& name : names) {
      if (!metadata::is_valid_split_name(name)) {
        out.error =
            LayoutError{"ConfigNamesError",
                        "Split name should match '^\\w+(\\.\\w+)*$' but got '" + name + "'."};
        return out;
      }
    }
    std::vector<std::string> ordered;
    for (const char* known : {"train", "validation", "test"}) {
      if (names.erase(known)) ordered.emplace_back(known);
    }
    ordered.insert(ordered.end(), names.begin(), names.end());
    for (std::string& name : ordered) {
      std::string pattern(kShardedPattern);
      pattern.replace(pattern.find("{split}"), 7, name);
      out.splits.push_back({std::move(name), {Json(pattern)}});
    }
    return out;
  }
  for (const auto& group : default_pattern_groups()) {
    for (const SplitPatterns& sp : group) {
      for (const Json& pattern : sp.patterns) {
        if (!resolver.resolve(base, pattern.get_ref<const std::string&>()).files.empty()) {
          out.splits.push_back(sp);
          break;
        }
      }
    }
    if (!out.splits.empty()) return out;
  }
  std::string where = base.empty() ? "" : " in '" + std::string(base) + "'";
  out.error = LayoutError{"EmptyDatasetError", "The dataset is empty: no data file" + where + "."};
  return out;
}

// ---------------------------------------------------------------------------------------------
// The derivation, in the order the library and the viewer run it.

// A config on its way out: its layout, and its splits' files as indices until the end.
struct PendingConfig {
  ConfigLayout layout;
  std::vector<SplitFileIndices> splits;
};

LayoutResult fail(LayoutError e) {
  LayoutResult result;
  result.error = std::move(e);
  return result;
}

// dataset_module_factory: "<name>.py" at the root (the last non-empty segment of the name).
bool has_dataset_script(const std::vector<std::string>& files, const LayoutOptions& options) {
  if (options.dataset_name.empty()) {
    return std::any_of(files.begin(), files.end(), [](const std::string& f) {
      return f.find('/') == std::string::npos && f.size() >= 3 &&
             f.compare(f.size() - 3, 3, ".py") == 0;
    });
  }
  std::string_view name = options.dataset_name;
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  std::string script(modules::file_name(name));
  if (script.size() < 3 || script.compare(script.size() - 3, 3, ".py") != 0) script += ".py";
  return std::binary_search(files.begin(), files.end(), script);
}

// config/split_names.py: more than kMaxSplitsPerConfig splits fail the config.
void limit_splits(PendingConfig& config) {
  if (config.layout.error || config.splits.size() <= kMaxSplitsPerConfig) return;
  std::string examples;
  for (size_t i = 0; i < config.splits.size() && i < 5; ++i) {
    examples += (i ? ", " : "") + config.splits[i].split;
  }
  config.layout.error = LayoutError{
      "DatasetWithTooManySplitsError",
      "The " + config.layout.name + " config contains " + std::to_string(config.splits.size()) +
          " while it should generally contain 3 splits maximum (train/validation/test). If the "
          "splits " +
          examples +
          "... are not used to differentiate between training and evaluation, please consider "
          "defining configs of this dataset instead."};
  config.splits.clear();
}

class Derivation {
 public:
  Derivation(const std::vector<std::string>& files, const Json& card, const LayoutOptions& options)
      : files_(files), card_(card), options_(options), resolver_(files_) {}

  LayoutResult run() {
    if (auto failure = metadata::parse_configs(card_, yaml_)) return fail(*failure);
    if (auto failure = metadata::check_bounds(yaml_)) return fail(*failure);
    if (auto failure = infer_module()) return fail(*failure);
    std::vector<PendingConfig> pending;
    std::optional<std::string> default_name = "default";
    if (yaml_.empty()) {
      pending.push_back(config_without_yaml());
    } else if (auto failure = configs_from_yaml(pending, default_name)) {
      return fail(*failure);
    }
    return finish(std::move(pending), default_name);
  }

 private:
  const Detection& detect(const std::string& base) {
    auto found = detections_.find(base);
    if (found != detections_.end()) return found->second;
    return detections_.emplace(base, detect_splits(resolver_, base)).first->second;
  }

  std::optional<std::string> resolve_splits(std::string_view base,
                                            const std::vector<SplitPatterns>& patterns,
                                            std::vector<SplitFileIndices>& out) {
    out.clear();
    for (const SplitPatterns& sp : patterns) {
      out.push_back({sp.split, {}});
      if (auto failure = resolver_.resolve_data_files(base, sp.patterns, out.back().files)) {
        return failure;
      }
    }
    return std::nullopt;
  }

  // HubDatasetModuleFactory.get_module: the module from the first YAML config's data_files
  // (resolved from the root, whatever its data_dir), else from the splits detected over the
  // whole repository.
  std::optional<LayoutError> infer_module() {
    std::vector<SplitPatterns> patterns;
    if (!yaml_.empty() && yaml_.front().params.contains("data_files")) {
      if (auto failure =
              metadata::sanitize_patterns(yaml_.front().params["data_files"], patterns)) {
        return failure;
      }
    } else {
      const Detection& detection = detect("");
      if (detection.error) return detection.error;
      patterns = detection.splits;
    }
    if (auto failure = resolve_splits("", patterns, module_files_)) {
      return LayoutError{"ConfigNamesError", *failure};
    }
    return modules::infer_dataset_module(files_, module_files_, options_, module_);
  }

  // Without YAML configs: one config "default" with the detected files, filtered down to the
  // module's extensions and metadata files (DataFilesDict.filter on each file's URL, whose
  // repository name may hold an extension too).
  PendingConfig config_without_yaml() {
    std::string prefix =
        options_.dataset_name.empty() ? "" : "hf://datasets/" + options_.dataset_name + "@0/";
    PendingConfig config;
    config.layout.name = "default";
    config.layout.builder = module_.name;
    config.layout.builder_kwargs = module_.kwargs;
    for (SplitFileIndices& split : module_files_) {
      std::erase_if(split.files, [&](uint32_t index) {
        return !modules::kept_for_module(prefix + files_[index], module_.name);
      });
      config.splits.push_back(std::move(split));
    }
    return config;
  }

  // create_builder_configs_from_metadata_configs, then the viewer's config-names job (the
  // config limit), then each config's split-names job (resolution from its data_dir).
  std::optional<LayoutError> configs_from_yaml(std::vector<PendingConfig>& pending,
                                               std::optional<std::string>& default_name) {
    if (auto failure = metadata::default_config_name(yaml_, default_name)) return failure;
    std::vector<std::vector<SplitPatterns>> patterns(yaml_.size());
    std::vector<std::string> data_dirs(yaml_.size());
    for (size_t i = 0; i < yaml_.size(); ++i) {
      const metadata::YamlConfig& config = yaml_[i];
      if (auto failure = metadata::config_data_dir(config, data_dirs[i])) return failure;
      if (config.params.contains("data_files") && !config.params["data_files"].is_null()) {
        if (auto failure = metadata::sanitize_patterns(config.params["data_files"], patterns[i])) {
          return failure;
        }
      } else {
        const Detection& detection = detect(data_dirs[i]);
        if (detection.error && detection.error->code == "EmptyDatasetError") {
          return LayoutError{"EmptyDatasetError",
                             "No data file matches the patterns of config '" +
                                 metadata::display_name(config.name) +
                                 "': check `data_files` and `data_dir` in the YAML `configs`."};
        }
        if (detection.error) return detection.error;
        patterns[i] = detection.splits;
      }
      if (auto failure = metadata::check_config_name(config)) return failure;
    }
    // HubDatasetModuleFactory: a single YAML dataset_info names the default when no config does.
    if (!default_name) default_name = metadata::dataset_info_config_name(card_);
    if (yaml_.size() > kMaxConfigs) {
      return LayoutError{"DatasetWithTooManyConfigsError",
                         "The maximum number of configs allowed is " + std::to_string(kMaxConfigs) +
                             ", dataset has " + std::to_string(yaml_.size()) + " configs."};
    }
    for (size_t i = 0; i < yaml_.size(); ++i) {
      PendingConfig config;
      config.layout.name = yaml_[i].name.get<std::string>();
      config.layout.builder = module_.name;
      config.layout.builder_kwargs = module_.kwargs;
      for (const auto& [key, value] : yaml_[i].params.items()) {
        if (key == "features") {
          config.layout.features = value;
        } else if (key != "data_files" && key != "data_dir" && key != "default") {
          config.layout.builder_kwargs[key] = value;
        }
      }
      if (config.layout.name.empty()) {
        config.layout.error =
            LayoutError{"SplitNamesFromStreamingError", "BuilderConfig must have a name, got ''"};
      } else if (auto failure = resolve_splits(data_dirs[i], patterns[i], config.splits)) {
        config.layout.error = LayoutError{"SplitNamesFromStreamingError",
                                          "Cannot get the split names for the config '" +
                                              config.layout.name + "' of the dataset: " + *failure};
        config.splits.clear();
      }
      pending.push_back(std::move(config));
    }
    return std::nullopt;
  }

  // The split limit, the bound on listed files, then the viewer's order: the default config
  // first, then the others by name.
  LayoutResult finish(std::vector<PendingConfig> pending,
                      const std::optional<std::string>& default_name) {
    size_t listed = 0;
    for (PendingConfig& config : pending) {
      limit_splits(config);
      for (const SplitFileIndices& split : config.splits) listed += split.files.size();
    }
    if (listed > kMaxListedFiles) {
      return fail(LayoutError{"ConfigNamesError", "The configs list more than " +
                                                      std::to_string(kMaxListedFiles) + " files."});
    }
    LayoutResult result;
    result.ok = true;
    for (PendingConfig& config : pending) {
      config.layout.is_default = default_name && config.layout.name == *default_name;
      for (const SplitFileIndices& split : config.splits) {
        SplitFiles out{split.split, {}};
        out.files.reserve(split.files.size());
        for (uint32_t index : split.files) out.files.push_back(files_[index]);
        config.layout.splits.push_back(std::move(out));
      }
      result.layout.configs.push_back(std::move(config.layout));
    }
    std::stable_sort(result.layout.configs.begin(), result.layout.configs.end(),
                     [](const ConfigLayout& a, const ConfigLayout& b) {
                       if (a.is_default != b.is_default) return a.is_default;
                       return a.name < b.name;
                     });
    return result;
  }

  const std::vector<std::string>& files_;
  const Json& card_;
  const LayoutOptions& options_;
  Resolver resolver_;
  std::unordered_map<std::string, Detection> detections_;  // get_data_patterns per folder
  std::vector<metadata::YamlConfig> yaml_;
  std::vector<SplitFileIndices> module_files_;
  modules::ModuleChoice module_;
};

}  // namespace

LayoutResult derive_layout(const std::vector<std::string>& files, const nlohmann::json& card) {
  return derive_layout(files, card, LayoutOptions{});
}

LayoutResult derive_layout(const std::vector<std::string>& input_files, const nlohmann::json& card,
                           const LayoutOptions& options) {
  // libcommon/operations.py: cardData.get("viewer", True) false disables the viewer, before
  // anything else runs.
  if (card.is_object() && card.contains("viewer") && !metadata::truthy(card["viewer"])) {
    return fail(LayoutError{"NotSupportedDisabledViewerError",
                            "Not supported: dataset viewer is disabled in the dataset "
                            "configuration."});
  }
  if (input_files.size() > kMaxRepoFiles) {
    return fail(LayoutError{"ConfigNamesError", "The repository has more than " +
                                                    std::to_string(kMaxRepoFiles) + " files."});
  }
  std::vector<std::string> files = input_files;
  std::sort(files.begin(), files.end());  // byte order is code point order, as Python sorts
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (has_dataset_script(files, options)) {
    return fail(LayoutError{"DatasetWithScriptNotSupportedError",
                            "The dataset viewer doesn't support this dataset because it runs "
                            "arbitrary Python code."});
  }
  return Derivation(files, card, options).run();
}

bool fsspec_match(const std::string& pattern, const std::string& path) {
  return fsspec::Glob(pattern).matches(path);
}

}  // namespace vitrine::datasets
