// Implements packaged_modules.hpp: the extension tables of packaged_modules/__init__.py and
// load.py's module inference. Comments name the Python each part follows.
#include "formats/datasets/packaged_modules.hpp"

#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "formats/datasets/fsspec_glob.hpp"

namespace vitrine::datasets::modules {
namespace {

using Json = nlohmann::json;

// Python's str.lower() where the result can be an ASCII extension: ASCII letters, and the
// Kelvin sign (U+212A) that lowers to 'k'. Any other non-ASCII character leaves the result
// non-ASCII, which no known extension is; nullopt then.
std::optional<std::string> lower_to_ascii(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char32_t c = fsspec::next_code_point(s, i);
    if (c == 0x212A) {
      out.push_back('k');
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// imagefolder.py, audiofolder.py, videofolder.py, meshfolder.py (audio lists .ogg twice).
constexpr std::string_view kImageExtensions[] = {
    ".blp",  ".bmp",  ".dib", ".bufr", ".cur", ".pcx",  ".dcx", ".dds",  ".ps",  ".eps",  ".fit",
    ".fits", ".fli",  ".flc", ".ftc",  ".ftu", ".gbr",  ".gif", ".grib", ".png", ".apng", ".jp2",
    ".j2k",  ".jpc",  ".jpf", ".jpx",  ".j2c", ".icns", ".ico", ".im",   ".iim", ".tif",  ".tiff",
    ".jfif", ".jpe",  ".jpg", ".jpeg", ".mpg", ".mpeg", ".msp", ".pcd",  ".pxr", ".pbm",  ".pgm",
    ".ppm",  ".pnm",  ".psd", ".bw",   ".rgb", ".rgba", ".sgi", ".ras",  ".tga", ".icb",  ".vda",
    ".vst",  ".webp", ".wmf", ".emf",  ".xbm", ".xpm"};
constexpr std::string_view kAudioExtensions[] = {
    ".aiff",  ".au",   ".avr", ".caf",  ".flac",  ".htk",  ".svx", ".mat4", ".mat5",
    ".mpc2k", ".ogg",  ".paf", ".pvf",  ".raw",   ".rf64", ".sd2", ".sds",  ".ircam",
    ".voc",   ".w64",  ".wav", ".nist", ".wavex", ".wve",  ".xi",  ".mp3",  ".opus",
    ".3gp",   ".3g2",  ".avi", ".asf",  ".flv",   ".mp4",  ".mov", ".m4v",  ".mkv",
    ".mpg",   ".webm", ".f4v", ".wmv",  ".wma",   ".ogg",  ".ogm", ".mxf",  ".nut"};
constexpr std::string_view kVideoExtensions[] = {".mkv", ".mp4", ".avi", ".mpeg", ".mov"};
constexpr std::string_view kMeshExtensions[] = {".glb", ".ply", ".stl"};
constexpr std::string_view kPdfExtensions[] = {".pdf"};
constexpr std::string_view kNiftiExtensions[] = {".nii"};

struct ExtensionTables {
  std::unordered_map<std::string, ModuleChoice> module_of;        // _EXTENSION_TO_MODULE
  std::unordered_set<std::string> allowed;                        // _ALL_ALLOWED_EXTENSIONS
  std::map<std::string, std::vector<std::string>> extensions_of;  // + ".zip" + metadata ones
  std::map<std::string, std::vector<std::string>> metadata_files_of;
  std::unordered_set<std::string> metadata_files;  // _ALL_METADATA_FILENAMES
};

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

const ExtensionTables& extension_tables() {
  static const ExtensionTables tables = [] {
    ExtensionTables t;
    std::vector<std::string> order;  // a dict keeps the first insertion's position
    auto set = [&](const std::string& ext, const std::string& module, Json kwargs) {
      if (!t.module_of.count(ext)) order.push_back(ext);
      t.module_of[ext] = ModuleChoice{module, std::move(kwargs)};
    };
    set(".csv", "csv", Json::object());
    set(".tsv", "csv", Json{{"sep", "\t"}});
    for (const char* ext : {".json", ".jsonl", ".ndjson"}) set(ext, "json", Json::object());
    for (const char* ext : {".parquet", ".geoparquet", ".gpq"}) set(ext, "parquet", Json::object());
    set(".arrow", "arrow", Json::object());
    set(".txt", "text", Json::object());
    set(".conll", "conll", Json::object());
    set(".conllu", "conll", Json{{"comment_prefix", "#"}});
    set(".tar", "webdataset", Json::object());
    set(".xml", "xml", Json::object());
    for (const char* ext : {".hdf5", ".h5"}) set(ext, "hdf5", Json::object());
    set(".eval", "eval", Json::object());
    set(".lance", "lance", Json::object());
    set(".tsfile", "tsfile", Json::object());
    // The folder builders, each in lower then upper case; a later builder takes over an
    // extension an earlier one had (.mpg and .mpeg are audio and video, not images).
    auto folder = [&](const auto& extensions, const std::string& module) {
      for (std::string_view ext : extensions) {
        set(std::string(ext), module, Json::object());
      }
      for (std::string_view ext : extensions) set(ascii_upper(ext), module, Json::object());
    };
    folder(kImageExtensions, "imagefolder");
    folder(kAudioExtensions, "audiofolder");
    folder(kVideoExtensions, "videofolder");
    folder(kMeshExtensions, "meshfolder");
    folder(kPdfExtensions, "pdffolder");
    folder(kNiftiExtensions, "niftifolder");
    for (const std::string& ext : order) {
      t.allowed.insert(ext);
      t.extensions_of[t.module_of[ext].name].push_back(ext);
    }
    for (auto& [module, extensions] : t.extensions_of) extensions.push_back(".zip");
    t.extensions_of["zip"] = {".zip"};  // the module left to the archives' contents
    const std::vector<std::string> folder_metadata = {"metadata.csv", "metadata.jsonl",
                                                      "metadata.parquet"};
    for (const char* module :
         {"imagefolder", "audiofolder", "videofolder", "meshfolder", "pdffolder", "niftifolder"}) {
      t.metadata_files_of[module] = folder_metadata;
    }
    t.metadata_files_of["lance"] = {"latest_version_hint.json"};
    for (const char* ext : {".idx", ".txn", ".manifest"}) t.extensions_of["lance"].push_back(ext);
    t.allowed.insert(".zip");
    for (const char* ext : {".idx", ".manifest", ".txn"}) t.allowed.insert(ext);
    for (const auto& [module, names] : t.metadata_files_of) {
      t.metadata_files.insert(names.begin(), names.end());
    }
    return t;
  }();
  return tables;
}

// DataFilesList.filter: re.match(r".*(ext|…)(\..+)?$") or re.match(r".*[\/]?(name|…)$") on
// the file's URL. `.` stops at a newline and `$` also matches before a final one.
bool passes_module_filter(std::string_view subject, const std::vector<std::string>& extensions,
                          const std::vector<std::string>& names) {
  size_t newline = subject.find('\n');
  auto tail_ok_for_extension = [](std::string_view tail) {
    if (tail.empty() || tail == "\n") return true;
    if (tail.front() != '.') return false;
    std::string_view rest = tail.substr(1);
    if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
    return !rest.empty() && rest.find('\n') == std::string_view::npos;
  };
  for (const std::string& ext : extensions) {
    for (size_t at = subject.find(ext); at != std::string_view::npos;
         at = subject.find(ext, at + 1)) {
      if (newline != std::string_view::npos && newline < at) break;
      if (tail_ok_for_extension(subject.substr(at + ext.size()))) return true;
    }
  }
  for (const std::string& name : names) {
    for (std::string_view end : {std::string_view(""), std::string_view("\n")}) {
      size_t total = name.size() + end.size();
      if (subject.size() < total) continue;
      size_t at = subject.size() - total;
      if (subject.substr(at) != name + std::string(end)) continue;
      if (newline == std::string_view::npos || newline >= at) return true;
    }
  }
  return false;
}

std::optional<LayoutError> infer_module_in_archives(const std::vector<std::string>& repo_files,
                                                    const std::vector<uint32_t>& files,
                                                    const LayoutOptions& options,
                                                    ModuleChoice& out) {
  if (!options.list_archive) {
    out = ModuleChoice{"zip", Json::object()};
    return std::nullopt;
  }
  // Counter over the lower-cased suffixes of every entry, most_common(1): the first counted
  // among the most frequent.
  std::vector<std::pair<std::string, size_t>> counts;
  std::unordered_map<std::string, size_t> position;
  size_t archives = 0;
  for (uint32_t index : files) {
    const std::string& path = repo_files[index];
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".zip") != 0) continue;
    if (++archives > kMaxArchivesForInference) break;
    auto entries = options.list_archive(path);
    if (!entries) return LayoutError{"ConfigNamesError", "Cannot list the archive '" + path + "'"};
    for (const std::string& entry : *entries) {
      for (std::string_view suffix : dot_suffixes(file_name(entry))) {
        // Python lowers every character; only ASCII (and the Kelvin sign) is lowered here.
        std::string key = "." + lower_to_ascii(suffix).value_or(std::string(suffix));
        auto [it, inserted] = position.try_emplace(key, counts.size());
        if (inserted) counts.emplace_back(key, 0);
        ++counts[it->second].second;
      }
    }
  }
  out = ModuleChoice{};
  if (counts.empty()) return std::nullopt;
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (it->second > best->second) best = it;
  }
  const auto& module_of = extension_tables().module_of;
  if (auto found = module_of.find(best->first); found != module_of.end()) out = found->second;
  return std::nullopt;
}

std::optional<LayoutError> infer_split_module(const std::vector<std::string>& repo_files,
                                              const std::vector<uint32_t>& files,
                                              const LayoutOptions& options, ModuleChoice& out) {
  const ExtensionTables& tables = extension_tables();
  // Counter((".suffix".lower(), is_metadata_file)), sorted by (not metadata, count, parquet,
  // lance, arrow, jsonl, json, csv, extension) descending; the first known extension wins.
  // Extensions that are neither known nor ".zip" never win nor reorder the others: skipped.
  std::map<std::pair<std::string, bool>, size_t> counts;
  for (uint32_t index : files) {
    std::string_view name = file_name(repo_files[index]);
    bool is_metadata = tables.metadata_files.count(std::string(name)) > 0;
    for (std::string_view suffix : dot_suffixes(name)) {
      auto lowered = lower_to_ascii(suffix);
      if (!lowered) continue;
      std::string ext = "." + *lowered;
      if (ext != ".zip" && !tables.module_of.count(ext)) continue;
      ++counts[{ext, is_metadata}];
    }
  }
  out = ModuleChoice{};
  if (counts.empty()) return std::nullopt;
  auto rank = [](const std::pair<const std::pair<std::string, bool>, size_t>& entry) {
    const std::string& ext = entry.first.first;
    return std::make_tuple(!entry.first.second, entry.second, ext == ".parquet", ext == ".lance",
                           ext == ".arrow", ext == ".jsonl", ext == ".json", ext == ".csv",
                           std::string_view(ext));
  };
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (rank(*it) > rank(*best)) best = it;
  }
  const std::string& ext = best->first.first;
  if (ext == ".zip") return infer_module_in_archives(repo_files, files, options, out);
  out = tables.module_of.at(ext);
  return std::nullopt;
}

}  // namespace

std::string_view file_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::vector<std::string_view> dot_suffixes(std::string_view name) {
  std::vector<std::string_view> out;
  size_t dot = name.find('.');
  while (dot != std::string_view::npos) {
    size_t next = name.find('.', dot + 1);
    out.push_back(name.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1));
    dot = next;
  }
  return out;
}

bool has_data_extension(std::string_view path) {
  const auto& allowed = extension_tables().allowed;
  for (std::string_view suffix : dot_suffixes(file_name(path))) {
    if (allowed.count("." + std::string(suffix))) return true;
  }
  return false;
}

bool kept_for_module(std::string_view url, const std::string& module) {
  static const std::vector<std::string> kNone;
  const ExtensionTables& tables = extension_tables();
  auto extensions = tables.extensions_of.find(module);
  auto names = tables.metadata_files_of.find(module);
  return passes_module_filter(url,
                              extensions == tables.extensions_of.end() ? kNone : extensions->second,
                              names == tables.metadata_files_of.end() ? kNone : names->second);
}

std::optional<LayoutError> infer_dataset_module(const std::vector<std::string>& repo_files,
                                                const std::vector<SplitFileIndices>& splits,
                                                const LayoutOptions& options, ModuleChoice& out) {
  std::vector<ModuleChoice> modules;
  for (const SplitFileIndices& split : splits) {
    ModuleChoice module;
    if (auto failure = infer_split_module(repo_files, split.files, options, module)) return failure;
    modules.push_back(std::move(module));
  }
  for (size_t i = 1; i < modules.size(); ++i) {
    if (!(modules[i] == modules[0])) {
      std::string got;
      for (size_t k = 0; k < splits.size(); ++k) {
        got += (k ? ", '" : "'") + splits[k].split + "': (" +
               (modules[k].name.empty() ? "None" : "'" + modules[k].name + "'") + ", " +
               modules[k].kwargs.dump() + ")";
      }
      return LayoutError{
          "FileFormatMismatchBetweenSplitsError",
          "Couldn't infer the same data file format for all splits. Got {" + got + "}"};
    }
  }
  if (modules.empty() || modules[0].name.empty()) {
    return LayoutError{"DataFilesNotFoundError", "No (supported) data files found"};
  }
  out = modules[0];
  return std::nullopt;
}

}  // namespace vitrine::datasets::modules
