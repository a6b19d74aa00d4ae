// Configs and splits of a dataset repository, derived from its files exactly as the `datasets`
// library does (dataset-viewer-contract.md §6; `datasets` 5.0.2.dev0 at b7cb10b: load.py,
// data_files.py, utils/metadata.py, packaged_modules/__init__.py, builder.py, inspect.py) and
// as the dataset viewer reports it (its job runners dataset/config_names.py and
// config/split_names.py, libcommon/operations.py). Pure function of the file list and the
// card's YAML: no I/O (archives are listed through a callback), thread-safe. The parts live in
// fsspec_glob.hpp (the glob), packaged_modules.hpp (module inference) and metadata_configs.hpp
// (the YAML configs).
//
// Order of precedence:
//  1. `viewer` in the YAML with a false value (false, null, 0, "", [], {}):
//     NotSupportedDisabledViewerError (the viewer checks it before running anything);
//  2. more than kMaxRepoFiles files: ConfigNamesError (a Vitrine bound);
//  3. a dataset script, "<name>.py" at the root (any root "*.py" when the name is not given):
//     DatasetWithScriptNotSupportedError;
//  4. YAML `configs:` (README front matter merged with `.huggingface.yaml`, whose keys win), a
//     list of {config_name, data_files?, data_dir?, default?, features?, builder kwargs…}.
//     `data_files` is a string or a list of strings (split "train"), or a list of
//     {split, path} (a string or a list of strings); without it the config's splits are
//     detected as in 5 inside `data_dir` (or the whole repository). Patterns are relative to
//     `data_dir` when both are given. The default config is the only one, else the one named
//     "default", else the one with a true `default` (two of these: ConfigNamesError), else the
//     single config named by the YAML `dataset_info`;
//  5. without configs, one config "default" whose splits come from the first rule that matches
//     any file (hidden and ignored files aside, whatever their extension):
//     data/{split}-NNNNN-of-NNNNN*.* (custom split names, which must match ^\w+(\.\w+)*$;
//     order train, validation, test, then the others sorted), **/*.eval (split "logs"), a
//     split keyword as a whole folder name or delimited by [-._ 0-9] in one, then the same in
//     the file name, else everything is "train" (fsspec >= 2023.12 glob semantics). Keywords:
//     train|training, validation|valid|dev|val, test|testing|eval|evaluation.
//
// Files: a pattern lists the files it matches in path order; a split lists its patterns'
// files one pattern after the other, so a file two patterns match is listed twice (as in
// `datasets`). Never listed: README.md, config.json, dataset_info.json, dataset_infos.json,
// dummy_data.zip, dataset_dict.json (unless the pattern names that file); hidden (`.x`) files
// and folders and `__x` folders unless the pattern names as many of them; files with no
// suffix among the data extensions (any dot-suffix counts, case-sensitive: `a.csv.gz`,
// `a.jsonl.zst` and `a.tar.gz` are kept, `a.CSV` is not, `a.PNG` is).
//
// Builder: ONE packaged module for the whole dataset, inferred from the first YAML config's
// `data_files` (resolved from the root, ignoring its `data_dir`) or else from the splits of 5
// over the whole repository: per split the most common lower-cased extension (metadata.csv,
// metadata.jsonl, metadata.parquet and latest_version_hint.json count last; ties: parquet >
// lance > arrow > jsonl > json > csv > reverse code point order; `.zip` means "look inside the
// first 10 archives"). Every split must agree, module and kwargs (`.csv` with `.tsv` does not):
// FileFormatMismatchBetweenSplitsError; no split with a known extension: DataFilesNotFoundError;
// no file at all for a rule-5 detection: EmptyDatasetError. Without YAML configs the files are
// then filtered down to the module's extensions and metadata files; YAML configs keep every
// file with a data extension.
//
// Errors: a dataset-level error makes the result !ok. An error the viewer reports for one
// config only (its split step) is that config's `error`, with no splits: a pattern naming a
// missing file or an invalid glob in a config other than the one the module is inferred from
// (SplitNamesFromStreamingError), more than kMaxSplitsPerConfig splits
// (DatasetWithTooManySplitsError). Anything else malformed in the YAML is ConfigNamesError.
//
// Bounds: patterns and data_dir values over kMaxPatternBytes, more than kMaxGlobPatterns
// distinct glob patterns, or more than kMaxListedFiles file entries over all configs are
// ConfigNamesError. Matching one path against one glob is O(len(pattern) × len(path)) (an NFA,
// no backtracking); a glob is tried only on the files under its literal folder prefix (binary
// search in the sorted list) that contain its longest literal; a pattern without wildcards is
// one lookup. Rule-5 detection runs at most 63 globs per folder, memoized per folder. So the
// work is O(F log F + Σ over distinct globs of the files under their prefix × the match cost).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vitrine::datasets {

inline constexpr size_t kMaxConfigs = 4000;        // DatasetWithTooManyConfigsError past it
inline constexpr size_t kMaxSplitsPerConfig = 30;  // DatasetWithTooManySplitsError past it
inline constexpr size_t kMaxRepoFiles = 1000000;   // a longer listing is refused (ConfigNamesError)
inline constexpr size_t kMaxPatternBytes =
    1000;  // a longer YAML path or data_dir: ConfigNamesError
inline constexpr size_t kMaxGlobPatterns = 20000;   // distinct glob patterns in one derivation
inline constexpr size_t kMaxListedFiles = 5000000;  // file entries over all configs and splits
// `datasets` looks inside at most this many archives of a split to infer its module.
inline constexpr size_t kMaxArchivesForInference = 10;

struct SplitFiles {
  std::string split;
  std::vector<std::string> files;  // repository paths, in `datasets`' order (see above); may be
                                   // empty (the viewer fails such a split later)
};

struct LayoutError {
  std::string code;     // the viewer's X-Error-Code, e.g. "EmptyDatasetError"
  std::string message;  // for the caller
};

struct ConfigLayout {
  std::string name;
  // The `datasets` packaged module: "parquet", "csv", "json", "text", "arrow", "imagefolder",
  // "audiofolder", "webdataset", … (packaged_modules/__init__.py); the same for every config.
  // `.tsv` is "csv" with builder_kwargs {"sep": "\t"}. "zip" when the module hides in archives
  // and no LayoutOptions::list_archive was given.
  std::string builder;
  // The inferred module's kwargs (e.g. sep) overlaid with every other key of the YAML config
  // (config_name, data_files, data_dir, default and features excepted). `datasets` drops, with
  // a warning, keys its builder config does not define; they are kept here.
  nlohmann::json builder_kwargs = nlohmann::json::object();
  nlohmann::json features;  // the config's YAML `features`, or null
  bool is_default = false;
  // YAML order for {split, path} lists; train, validation, test, then the others sorted for
  // detected shards; train, validation, test for keywords.
  std::vector<SplitFiles> splits;
  // Set when the viewer would fail this config's splits while still listing the config
  // (see above); `splits` is then empty.
  std::optional<LayoutError> error;
};

struct DatasetLayout {
  std::vector<ConfigLayout> configs;  // the default config first, then by name
};

struct LayoutResult {
  bool ok = false;
  DatasetLayout layout;  // when ok
  LayoutError error;     // when !ok
};

struct LayoutOptions {
  // "owner/name": the script check then looks for "<name>.py" at the root, exactly as
  // `datasets` does. Empty: any "*.py" at the root counts as a script.
  std::string dataset_name;
  // Lists the entries of the archive at a repository path (files and folders, in the sorted
  // order fsspec's zip glob gives), for a split whose most common extension is `.zip`; nullopt
  // when it cannot be read (ConfigNamesError). Unset: such a split's module is "zip".
  std::function<std::optional<std::vector<std::string>>(const std::string& path)> list_archive;
};

// `files`: every file path of the revision (repository-relative, '/'-separated), any order.
// `card`: the README's YAML front matter as JSON merged with `.huggingface.yaml` (an object;
// null or {} when absent).
LayoutResult derive_layout(const std::vector<std::string>& files, const nlohmann::json& card);
LayoutResult derive_layout(const std::vector<std::string>& files, const nlohmann::json& card,
                           const LayoutOptions& options);

// Whether fsspec's glob (>= 2023.12) of the repository-relative `pattern` lists the file
// `path`, before `datasets`' own filters (hidden, ignored files, extensions): `*` matches
// within one path component (as a whole component, at least one character), `**` as a whole
// component any number of components including none (elsewhere it makes the pattern invalid:
// false), `?` one character but '/', `[...]` a class as Python's fnmatch builds it (`[!...]`
// negates and may match '/'), `{a,b}` and '\' are not special. Without `*`, `?` or `[` the
// pattern names one file (trailing '/' ignored). Without `**`, a path deeper than the pattern
// below its literal folder prefix is not listed, as fsspec's depth-limited find does.
bool fsspec_match(const std::string& pattern, const std::string& path);

}  // namespace vitrine::datasets
