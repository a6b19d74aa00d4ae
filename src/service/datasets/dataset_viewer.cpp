#include "service/datasets/dataset_viewer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <variant>

#include "formats/card/card_metadata.hpp"
#include "formats/datasets/column_statistics.hpp"
#include "formats/datasets/data_files.hpp"
#include "formats/datasets/media.hpp"
#include "formats/datasets/row_filter.hpp"
#include "formats/datasets/row_reader.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/hub.hpp"
#include "service/jobs/job_queue.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/repos/revision_reader.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kLayoutStep[] = "dataset-layout";
constexpr char kFirstRowsStep[] = "split-first-rows";
constexpr char kParquetFilesStep[] = "split-parquet-files";
constexpr char kStatisticsStep[] = "split-descriptive-statistics";

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

std::string job_key(const std::string& uid, const std::string& commit) {
  return uid + "@" + commit;
}

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, kReplace);
}

// The HTTP status of a viewer error code (contract §1.4).
int status_of(const std::string& code) {
  static const std::set<std::string> k501 = {"DatasetWithScriptNotSupportedError",
                                             "DatasetWithTooManyConfigsError",
                                             "DatasetWithTooManySplitsError",
                                             "DatasetWithTooManyParquetFilesError",
                                             "NoSupportedFeaturesError",
                                             "TooBigContentError",
                                             "NotSupportedDisabledViewerError",
                                             "NotSupportedDisabledRepositoryError",
                                             "NotSupportedRepositoryNotFoundError",
                                             "NotSupportedTagNFAAError",
                                             "NotSupportedPrivateRepositoryError",
                                             "NotImplementedError"};
  static const std::set<std::string> k404 = {"DatasetNotFoundError", "ConfigNotFoundError",
                                             "SplitNotFoundError", "ResponseNotFound"};
  if (k501.contains(code)) return 501;
  if (k404.contains(code)) return 404;
  if (code == "SplitParquetSchemaMismatchError") return 422;
  return 500;
}

domain::ViewerResult error_result(const std::string& code, const std::string& message) {
  domain::ViewerResult r;
  r.http_status = status_of(code);
  r.error_code = code;
  r.body = dump(Json{{"error", message}});
  return r;
}

// A job told to stop: its split is computed again by whoever takes the job over.
domain::ViewerResult stopped_result() {
  domain::ViewerResult r;
  r.http_status = 0;  // never stored: process() returns first
  return r;
}

ViewerAnswer not_ready(const std::string& revision = "") {
  return ViewerAnswer::error(
      500, "ResponseNotReady",
      "The server is busier than usual and the response is not ready yet. Please retry later.",
      revision);
}

ViewerAnswer not_found(const std::string& revision) {
  return ViewerAnswer::error(404, "ResponseNotFound", "Not found.", revision);
}

// The error of a config the layout lists without splits.
ViewerAnswer config_error(const Json& config, const std::string& revision) {
  std::string code = config["error"]["code"].get<std::string>();
  return ViewerAnswer::error(status_of(code), code, config["error"]["message"].get<std::string>(),
                             revision);
}

ViewerAnswer replay(const domain::ViewerResult& r) {
  ViewerAnswer a;
  a.status = r.http_status;
  a.error_code = r.error_code;
  a.body = r.body;
  a.revision = r.revision;
  return a;
}

// The card's YAML: README.md's front matter, with `.huggingface.yaml`'s keys over it. Only the
// front matter is read (a README of any length: its first kMaxFrontMatterBytes and a line);
// YAML that does not parse, or a block past the bound, is the dataset's error (ConfigNamesError),
// never silently no YAML: `viewer: false` and `configs:` must not be lost.
Result<nlohmann::json> read_card(Hub& hub, RepoHandle& git,
                                 const std::map<std::string, const FileEntry*>& files) {
  nlohmann::json card = nlohmann::json::object();
  const size_t bound = kMaxFrontMatterBytes + 16;  // the block and its opening and closing lines
  auto yaml_of = [&](const std::string& path, bool bare) -> Result<nlohmann::json> {
    auto it = files.find(path);
    if (it == files.end()) return nlohmann::json::object();
    if (bare && it->second->size() > kMaxFrontMatterBytes) {
      return unprocessable(path + " is larger than " + std::to_string(kMaxFrontMatterBytes) +
                           " bytes");
    }
    auto read = read_file_prefix(hub, git, *it->second, bound);
    if (!read) return read.status();
    const std::string& text = *read;
    // A standalone YAML file is read as a front-matter block (one parser, one bound).
    auto front = parse_front_matter(bare ? "---\n" + text + "\n---\n" : text);
    if (!front.error.empty()) return unprocessable(path + ": " + front.error);
    if (!front.present) {
      // Opened but not closed within the bound: a block too long to read.
      auto at = text.find_first_not_of("\xEF\xBB\xBF\r\n");
      if (text.size() >= bound && at != std::string::npos && text.compare(at, 3, "---") == 0) {
        return unprocessable(path + ": the YAML front matter is larger than " +
                             std::to_string(kMaxFrontMatterBytes) + " bytes");
      }
      return nlohmann::json::object();
    }
    return front.data;
  };
  auto readme = yaml_of("README.md", false);
  if (!readme) return readme.status();
  if (readme->is_object()) card = std::move(*readme);
  auto extra = yaml_of(".huggingface.yaml", true);
  if (!extra) return extra.status();
  if (extra->is_object()) {
    for (auto& [k, v] : extra->items()) card[k] = v;
  }
  return card;
}

// ---------------------------------------------------------------------------------------------
// First rows (contract §2.3)

struct Column {
  std::string name;
  Json type;
};

// A Features type as `datasets` writes it: "_type" after the type's other fields, recursively
// (the inference hands out sorted objects).
template <typename AnyJson>
Json features_type(const AnyJson& type) {
  if (type.is_array()) {
    Json out = Json::array();
    for (const auto& t : type) out.push_back(features_type(t));
    return out;
  }
  if (!type.is_object()) return Json(type);
  Json out = Json::object();
  for (const auto& [k, v] : type.items()) {
    if (k != "_type") out[k] = features_type(v);
  }
  if (type.contains("_type")) out["_type"] = Json(type["_type"]);
  return out;
}

// A cell's JSON cut to `max_bytes`, UTF-8-safe (a partial character is dropped), or nullopt when
// it is no longer than that.
std::optional<std::string> cut_cell(const Json& cell, size_t max_bytes) {
  std::string text = dump(cell);
  if (text.size() <= max_bytes) return std::nullopt;
  size_t end = max_bytes;
  // Back up over continuation bytes to the start of the cut character, then drop it unless it
  // ends within the cut.
  size_t start = end;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  if (start < end) {
    unsigned char lead = static_cast<unsigned char>(text[start]);
    size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (start + len > end) end = start;
  }
  return text.substr(0, end);
}

// Columns whose cells are never cut: media, and strings that are mostly URLs (more than 30% of
// the values start with http:// or https://).
std::set<std::string> uncut_columns(const std::vector<Column>& columns,
                                    const std::vector<Json>& rows) {
  std::set<std::string> out;
  for (const auto& c : columns) {
    if (c.type.is_object() && c.type.contains("_type")) {
      std::string t = c.type["_type"].get<std::string>();
      if (t == "Image" || t == "Audio" || t == "Video" || t == "Pdf") {
        out.insert(c.name);
        continue;
      }
    }
    size_t urls = 0, values = 0;
    for (const auto& row : rows) {
      auto it = row.find(c.name);
      if (it == row.end() || !it->is_string()) continue;
      ++values;
      const auto& s = it->get_ref<const std::string&>();
      if (s.starts_with("http://") || s.starts_with("https://")) ++urls;
    }
    if (values > 0 && urls * 10 > values * 3) out.insert(c.name);
  }
  return out;
}

// The response's rows within max_bytes: whole rows while they fit (at least kFirstRowsMin), then
// cells cut from the last row backwards (the Hub's create_truncated_row_items).
std::pair<Json, bool> truncated_row_items(const std::vector<Json>& rows, size_t rows_max_bytes,
                                          const std::set<std::string>& uncut) {
  auto item = [](size_t idx, const Json& row) {
    return Json{{"row_idx", idx}, {"row", row}, {"truncated_cells", Json::array()}};
  };
  Json items = Json::array();
  size_t bytes = 2;  // the brackets
  size_t first = std::min(rows.size(), ViewerLimits::kFirstRowsMin);
  for (size_t i = 0; i < first; ++i) {
    items.push_back(item(i, rows[i]));
    bytes += dump(items.back()).size() + 1;
  }
  if (bytes >= rows_max_bytes) {
    for (size_t i = items.size(); i-- > 0 && bytes >= rows_max_bytes;) {
      Json& it = items[i];
      size_t before = dump(it).size();
      for (auto& [name, cell] : it["row"].items()) {
        if (uncut.contains(name)) continue;
        auto cut = cut_cell(cell, ViewerLimits::kTruncatedCellBytes);
        if (!cut) continue;
        cell = *cut;
        it["truncated_cells"].push_back(name);
      }
      bytes = bytes + dump(it).size() - before;
    }
    return {items, items.size() < rows.size()};
  }
  for (size_t i = first; i < rows.size(); ++i) {
    Json next = item(i, rows[i]);
    bytes += dump(next).size() + 1;
    if (bytes >= rows_max_bytes) break;
    items.push_back(std::move(next));
  }
  return {items, items.size() < rows.size()};
}

// Bytes a split's first rows may pull from its files, decompressed, in all: the budget that
// bounds a job whose files are mostly skipped content (blank lines) or bombs. Also where a job
// told to stop (its lease lost, the server stopping) stops reading.
class BudgetSource : public datasets::ByteSource {
 public:
  BudgetSource(std::unique_ptr<datasets::ByteSource> in, uint64_t* left, const JobContext* job)
      : in_(std::move(in)), left_(left), job_(job) {}
  Result<size_t> read(char* out, size_t n) override {
    if (job_ && job_->cancelled())
      return Status(ErrorKind::kPreconditionFailed, "the job was stopped");
    if (*left_ == 0) {
      return Status(ErrorKind::kPayloadTooLarge,
                    "the split's files hold more than " +
                        std::to_string(ViewerLimits::kMaxBytesPerSplit >> 20) +
                        " MiB before its first rows");
    }
    auto got = in_->read(out, static_cast<size_t>(std::min<uint64_t>(n, *left_)));
    if (got) *left_ -= *got;
    return got;
  }

 private:
  std::unique_ptr<datasets::ByteSource> in_;
  uint64_t* left_;
  const JobContext* job_;
};

struct SplitContext {
  Hub& hub;
  RepoHandle& git;
  const std::map<std::string, const FileEntry*>& files;
  const domain::RepoRecord& repo;
  const std::string& commit;
  const datasets::ConfigLayout& config;
  const datasets::SplitFiles& split;
  const JobContext* job;
};

std::unique_ptr<datasets::RowReader> open_reader(const datasets::ConfigLayout& config,
                                                 std::unique_ptr<datasets::ByteSource> source) {
  if (config.builder == "csv") {
    datasets::CsvOptions options;
    for (const char* key : {"sep", "delimiter"}) {
      auto it = config.builder_kwargs.find(key);
      if (it != config.builder_kwargs.end() && it->is_string() &&
          it->get<std::string>().size() == 1) {
        options.sep = it->get<std::string>()[0];
      }
    }
    return datasets::csv_reader(std::move(source), options);
  }
  if (config.builder == "json") return datasets::json_reader(std::move(source));
  return datasets::text_reader(std::move(source));
}

domain::ViewerResult first_rows_result(const SplitContext& s, const Json& inferred,
                                       const std::vector<Json>& typed, bool all_fetched);

domain::ViewerResult first_rows_of(const SplitContext& s) {
  const auto& builder = s.config.builder;
  if (builder != "csv" && builder != "json" && builder != "text") {
    return error_result("NotImplementedError",
                        "This hub's viewer does not read " + builder +
                            " files yet (it reads Parquet, CSV, TSV, JSON, JSON Lines and text "
                            "files, compressed or not)");
  }
  auto format = builder == "csv"    ? datasets::SourceFormat::kCsv
                : builder == "json" ? datasets::SourceFormat::kJson
                                    : datasets::SourceFormat::kText;
  datasets::FeatureInference inference(format);
  std::vector<std::string> columns;
  std::unordered_map<std::string, size_t> column_index;
  std::vector<datasets::Row> rows;
  bool all_fetched = true;
  size_t opened = 0;
  uint64_t budget = ViewerLimits::kMaxBytesPerSplit;
  uint64_t row_bytes = 0;  // of the rows held: past the answer's size, more would be dropped
  auto enough = [&] {
    return rows.size() > ViewerLimits::kFirstRowsMax ||
           (rows.size() >= ViewerLimits::kFirstRowsMin &&
            row_bytes > ViewerLimits::kFirstRowsMaxBytes);
  };
  for (const auto& path : s.split.files) {
    if (enough()) break;
    if (++opened > ViewerLimits::kMaxFilesOpenedPerSplit) break;
    auto entry = s.files.find(path);
    if (entry == s.files.end()) continue;
    auto source = open_repo_file(s.hub, s.git, *entry->second);
    if (!source) {
      // The store's own failure: its detail (paths, errno) is for the operator's log.
      spdlog::error("viewer: opening {} of {}: {}", path, s.repo.id(), source.status().message());
      return error_result("StreamingRowsError", "Cannot open " + path + " in the hub's store");
    }
    auto reader = open_reader(
        s.config, std::make_unique<BudgetSource>(
                      datasets::decompressing(std::move(*source), datasets::compression_of(path),
                                              ViewerLimits::kMaxDecompressedBytes),
                      &budget, s.job));
    uint64_t before = 0;
    while (!enough()) {
      auto row = reader->next();
      if (!row) {
        if (s.job && s.job->cancelled()) return stopped_result();
        return error_result("StreamingRowsError",
                            "Cannot read " + path + ": " + row.status().message());
      }
      if (!*row) break;
      row_bytes += reader->bytes_read() - before;
      before = reader->bytes_read();
      // Columns by name across files: a file's column maps to the split's.
      const auto& names = reader->columns();
      datasets::Row global(columns.size());
      for (size_t i = 0; i < names.size() && i < (*row)->size(); ++i) {
        auto [at, added] = column_index.try_emplace(names[i], columns.size());
        if (added) {
          if (format == datasets::SourceFormat::kCsv && !rows.empty()) {
            return error_result("DatasetGenerationCastError",
                                "All the data files must have the same columns, but " + path +
                                    " has the new column '" + names[i] + "'");
          }
          columns.push_back(names[i]);
          global.resize(columns.size());
        }
        global[at->second] = std::move((**row)[i]);
      }
      if (columns.size() > 1000) {
        return error_result("TooManyColumnsError",
                            "The number of columns (" + std::to_string(columns.size()) +
                                ") exceeds the maximum supported number of columns (1000).");
      }
      inference.observe(columns, global);
      rows.push_back(std::move(global));
    }
  }
  if (enough() || opened > ViewerLimits::kMaxFilesOpenedPerSplit) all_fetched = false;
  if (rows.size() > ViewerLimits::kFirstRowsMax) rows.resize(ViewerLimits::kFirstRowsMax);
  if (rows.empty() && columns.empty()) {
    return error_result("EmptyDatasetError", "The split " + s.split.split + " has no rows.");
  }
  std::vector<Json> typed;
  typed.reserve(rows.size());
  for (const auto& row : rows) {
    auto cells = inference.typed(columns, row);
    Json object = Json::object();
    for (size_t i = 0; i < columns.size(); ++i) {
      object[columns[i]] = i < cells.size() ? Json(cells[i]) : Json(nullptr);
    }
    typed.push_back(std::move(object));
  }
  return first_rows_result(s, Json(inference.features(columns)), typed, all_fetched);
}

// The /first-rows answer of rows already typed (objects keyed by column name) and their
// Features ([{"name", "type"}]): truncated to the answer's size as the contract says.
domain::ViewerResult first_rows_result(const SplitContext& s, const Json& inferred,
                                       const std::vector<Json>& typed, bool all_fetched) {
  std::vector<Column> features;
  Json features_json = Json::array();
  for (size_t i = 0; i < inferred.size(); ++i) {
    Column c{inferred[i]["name"].get<std::string>(), features_type(inferred[i]["type"])};
    features_json.push_back(Json{{"feature_idx", i}, {"name", c.name}, {"type", c.type}});
    features.push_back(std::move(c));
  }
  Json response = {{"dataset", s.repo.id()},    {"config", s.config.name}, {"split", s.split.split},
                   {"features", features_json}, {"rows", Json::array()},   {"truncated", false}};
  size_t surrounding = dump(response).size();
  if (surrounding > ViewerLimits::kFirstRowsMaxBytes) {
    return error_result("TooBigContentError", "The size of the content of the first rows (" +
                                                  std::to_string(surrounding) +
                                                  " B) exceeds the maximum supported size (" +
                                                  std::to_string(ViewerLimits::kFirstRowsMaxBytes) +
                                                  " B) even after truncation.");
  }
  auto [items, truncated] = truncated_row_items(
      typed, ViewerLimits::kFirstRowsMaxBytes - surrounding, uncut_columns(features, typed));
  response["rows"] = std::move(items);
  response["truncated"] = !all_fetched || truncated;
  domain::ViewerResult r;
  r.body = dump(response);
  // Cells never cut (URLs, media) or very wide rows can keep it over the limit.
  if (r.body.size() > ViewerLimits::kFirstRowsMaxBytes) {
    return error_result("TooBigContentError", "The size of the content of the first rows (" +
                                                  std::to_string(r.body.size()) +
                                                  " B) exceeds the maximum supported size (" +
                                                  std::to_string(ViewerLimits::kFirstRowsMaxBytes) +
                                                  " B) even after truncation.");
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Parquet splits: read where they lie (the Hub links Parquet-native datasets into its export
// rather than rewriting them). The job reads every file's footer once and stores the split's
// files with their row counts (kParquetFilesStep), which /rows pages through.

struct ParquetSplit {
  domain::ViewerResult files;       // kParquetFilesStep
  domain::ViewerResult first_rows;  // kFirstRowsStep
};

// A stored file entry: what open_repo_file_at needs, without the revision's whole listing.
// `num_bytes`: the row groups' uncompressed bytes (what /info and /size call the split's size in
// memory; `datasets` counts Arrow's buffers, which this approximates).
Json file_json(const FileEntry& e, uint64_t num_rows, uint64_t num_bytes) {
  Json out = {{"path", e.git.path},     {"size", e.size()}, {"num_rows", num_rows},
              {"num_bytes", num_bytes}, {"oid", e.git.oid}, {"git_size", e.git.size}};
  if (e.lfs) out["lfs_oid"] = e.lfs->oid;
  return out;
}

std::optional<FileEntry> file_entry_of(const Json& j) {
  if (!j.is_object() || !j.contains("path") || !j.contains("oid") || !j.contains("git_size")) {
    return std::nullopt;
  }
  FileEntry e;
  e.git.path = j["path"].get<std::string>();
  e.git.oid = j["oid"].get<std::string>();
  e.git.size = j["git_size"].get<uint64_t>();
  if (j.contains("lfs_oid")) {
    e.lfs = LfsPointer{j["lfs_oid"].get<std::string>(), j["size"].get<uint64_t>()};
  }
  return e;
}

// A row of cells (in `names` order) as the object the answers show.
Json row_object(const std::vector<std::string>& names, datasets::Row& row) {
  Json object = Json::object();
  for (size_t i = 0; i < names.size(); ++i) {
    object[names[i]] = i < row.size() ? Json(std::move(row[i])) : Json(nullptr);
  }
  return object;
}

// A file the reader refused: the dataset's own fault, said plainly; the store's failure goes to
// the operator's log and the answer stays generic.
std::string read_failure(const domain::RepoRecord& repo, const std::string& path,
                         const Status& status) {
  if (status.kind() == ErrorKind::kInternal) {
    spdlog::error("viewer: reading {} of {}: {}", path, repo.id(), status.message());
    return "Cannot read " + path + " in the hub's store";
  }
  return "Cannot read " + path + ": " + status.message();
}

// ---- media cells (contract §3.2) ----

// Where a media cell's URL points: the split's row and column at one revision.
struct MediaPlace {
  const std::string& dataset;
  const std::string& revision;
  const std::string& config;
  const std::string& split;
};

// The media type of a top-level feature ("Image", "Audio", "Video", "Pdf"), or "" (also for an
// Image with decode: false, which `datasets` hands out as its raw struct).
std::string media_type(const Json& type) {
  if (!type.is_object() || !type.contains("_type") || !type["_type"].is_string()) return "";
  std::string t = type["_type"].get<std::string>();
  if (t != "Image" && t != "Audio" && t != "Video" && t != "Pdf") return "";
  if (type.contains("decode") && type["decode"] == false) return "";
  return t;
}

// The path under the hub's public URL of a media cell's bytes (the Hub's asset layout:
// {dataset}/--/{revision}/--/{config}/{split}/{row_idx}/{column}/{name}).
std::string asset_path(const MediaPlace& at, uint64_t row, const std::string& column,
                       const std::string& name) {
  return "/datasets-server/assets/" + util::percent_encode_path(at.dataset) + "/--/" + at.revision +
         "/--/" + util::percent_encode_component(at.config) + "/" +
         util::percent_encode_component(at.split) + "/" + std::to_string(row) + "/" +
         util::percent_encode_component(column) + "/" + name;
}

// A stored {"bytes", "path"} media struct as the viewer shows it: {"src", "height", "width"} for
// an image, [{"src", "type"}] for audio, {"src"} for video, {"src", "size_bytes"} for a PDF. The
// src is a path under the hub's URL (made absolute when answered). Bytes are served as they
// are stored (the Hub re-encodes images as JPEG or PNG and audio as WAV); a struct without bytes
// whose path names a file of the dataset (hf://datasets/{id}@{rev}/{path}) points at it.
Json media_cell(const std::string& kind, const Json& cell, const MediaPlace& at, uint64_t row,
                const std::string& column) {
  if (!cell.is_object()) return cell;
  std::string src;
  datasets::MediaInfo info;
  size_t size = 0;
  auto bytes = cell.find("bytes");
  if (bytes != cell.end() && bytes->is_string()) {
    auto decoded = util::base64_decode(bytes->get<std::string>());
    if (!decoded) return nullptr;
    info = datasets::media_info(*decoded);
    size = decoded->size();
    std::string stem = kind == "Image"   ? "image"
                       : kind == "Audio" ? "audio"
                       : kind == "Video" ? "video"
                                         : "document";
    src = asset_path(at, row, column, stem + "." + info.extension);
  } else {
    auto path = cell.find("path");
    if (path == cell.end() || !path->is_string()) return nullptr;
    std::string p = path->get<std::string>();
    std::string prefix = "hf://datasets/" + at.dataset + "@";
    if (!p.starts_with(prefix)) return nullptr;
    auto slash = p.find('/', prefix.size());
    if (slash == std::string::npos) return nullptr;
    src = "/datasets/" + util::percent_encode_path(at.dataset) + "/resolve/" +
          util::percent_encode_component(p.substr(prefix.size(), slash - prefix.size())) + "/" +
          util::percent_encode_path(p.substr(slash + 1));
  }
  if (kind == "Image") {
    Json out = {{"src", src}};
    if (info.height && info.width) {
      out["height"] = *info.height;
      out["width"] = *info.width;
    }
    return out;
  }
  if (kind == "Audio") return Json::array({Json{{"src", src}, {"type", info.mime}}});
  if (kind == "Pdf") return Json{{"src", src}, {"size_bytes", size}};
  return Json{{"src", src}};
}

// Media cells of a row (an object keyed by column) in place.
void media_cells(const Json& features, Json& row, const MediaPlace& at, uint64_t row_idx) {
  for (const auto& f : features) {
    std::string kind = media_type(f["type"]);
    if (kind.empty()) continue;
    std::string name = f["name"].get<std::string>();
    auto it = row.find(name);
    if (it != row.end()) *it = media_cell(kind, *it, at, row_idx, name);
  }
}

// Relative media URLs made absolute with the hub's public URL, in an answer's rows.
void absolute_media(const Json& features, Json& items, const std::string& base) {
  std::vector<std::string> columns;
  for (const auto& f : features) {
    if (!media_type(f["type"]).empty()) columns.push_back(f["name"].get<std::string>());
  }
  if (columns.empty()) return;
  auto fix = [&](Json& cell) {
    if (cell.is_object() && cell.contains("src") && cell["src"].is_string()) {
      std::string src = cell["src"].get<std::string>();
      if (src.starts_with("/")) cell["src"] = base + src;
    }
  };
  for (auto& item : items) {
    for (const auto& c : columns) {
      auto it = item["row"].find(c);
      if (it == item["row"].end()) continue;
      if (it->is_array()) {
        for (auto& e : *it) fix(e);
      } else {
        fix(*it);
      }
    }
  }
}

ParquetSplit parquet_split_of(const SplitContext& s) {
  auto fail = [](const std::string& code, const std::string& message) {
    auto r = error_result(code, message);
    return ParquetSplit{r, r};
  };
  if (s.split.files.size() > ViewerLimits::kMaxParquetFilesPerSplit) {
    return fail("DatasetWithTooManyParquetFilesError",
                "The split " + s.split.split + " has " + std::to_string(s.split.files.size()) +
                    " Parquet files; this hub's viewer reads at most " +
                    std::to_string(ViewerLimits::kMaxParquetFilesPerSplit) + " per split.");
  }
  Json files = Json::array();
  Json features;
  std::vector<std::string> names;
  std::string first_path;
  uint64_t total = 0;
  uint64_t footer_bytes = 0;
  std::vector<Json> typed;
  uint64_t row_bytes = 0;
  std::optional<domain::ViewerResult> rows_error;
  auto want_rows = [&] {
    return !rows_error && typed.size() <= ViewerLimits::kFirstRowsMax &&
           !(typed.size() >= ViewerLimits::kFirstRowsMin &&
             row_bytes > ViewerLimits::kFirstRowsMaxBytes);
  };
  for (const auto& path : s.split.files) {
    if (s.job && s.job->cancelled()) return {stopped_result(), stopped_result()};
    auto entry = s.files.find(path);
    if (entry == s.files.end()) continue;
    auto opened = open_repo_file_at(s.hub, s.git, *entry->second);
    if (!opened) return fail("StreamingRowsError", read_failure(s.repo, path, opened.status()));
    auto file = datasets::ParquetFile::open(*opened);
    if (!file) return fail("StreamingRowsError", read_failure(s.repo, path, file.status()));
    footer_bytes += file->footer().metadata_length;
    if (footer_bytes > ViewerLimits::kMaxBytesPerSplit) {
      return fail("TooBigContentError", "The footers of the split's Parquet files hold more than " +
                                            std::to_string(ViewerLimits::kMaxBytesPerSplit >> 20) +
                                            " MiB");
    }
    auto file_features = file->features();
    if (features.is_null()) {
      features = file_features;
      names = file->column_names();
      first_path = path;
      if (names.size() > 1000) {
        return fail("TooManyColumnsError",
                    "The number of columns (" + std::to_string(names.size()) +
                        ") exceeds the maximum supported number of columns (1000).");
      }
    } else if (file_features != features) {
      return fail("DatasetGenerationCastError",
                  "All the data files must have the same columns and types, but " + path +
                      " differs from " + first_path);
    }
    uint64_t num_bytes = 0;
    for (const auto& group : file->footer().row_groups) {
      num_bytes += static_cast<uint64_t>(std::max<int64_t>(0, group.total_byte_size));
    }
    files.push_back(file_json(*entry->second, file->num_rows(), num_bytes));
    total += file->num_rows();
    if (!want_rows()) continue;
    auto rows = file->read_rows(0, ViewerLimits::kFirstRowsMax + 1 - typed.size());
    if (!rows) {
      rows_error =
          rows.status().kind() == ErrorKind::kPayloadTooLarge
              ? error_result("TooBigContentError", rows.status().message())
              : error_result("StreamingRowsError", read_failure(s.repo, path, rows.status()));
      continue;
    }
    MediaPlace place{s.repo.id(), s.commit, s.config.name, s.split.split};
    for (auto& row : *rows) {
      typed.push_back(row_object(names, row));
      media_cells(features, typed.back(), place, typed.size() - 1);
      row_bytes += dump(typed.back()).size();
      if (!want_rows()) break;
    }
  }
  if (features.is_null()) {
    return fail("EmptyDatasetError", "The split " + s.split.split + " has no data files.");
  }
  ParquetSplit out;
  Json features_json = Json::array();
  for (const auto& f : features) {
    features_json.push_back(Json{{"name", f["name"]}, {"type", features_type(f["type"])}});
  }
  out.files.body =
      dump(Json{{"features", features_json}, {"num_rows", total}, {"files", std::move(files)}});
  if (rows_error) {
    out.first_rows = *rows_error;
  } else {
    bool all = typed.size() >= total;
    if (typed.size() > ViewerLimits::kFirstRowsMax) typed.resize(ViewerLimits::kFirstRowsMax);
    out.first_rows = first_rows_result(s, features, typed, all);
  }
  return out;
}

// The split's statistics (contract §2.10, §4) from its Parquet files (`files`: the
// kParquetFilesStep body), column by column and row group by row group: at most
// kStatisticsMaxBytes of uncompressed row groups and kStatisticsMaxValues values kept, the rest
// left out (partial).
domain::ViewerResult statistics_of(const SplitContext& s, const Json& files) {
  const Json& features = files["features"];
  std::vector<datasets::ColumnStatistics> stats;
  std::vector<size_t> fields;
  for (size_t i = 0; i < features.size(); ++i) {
    auto st = datasets::ColumnStatistics::for_type(features[i]["name"].get<std::string>(),
                                                   nlohmann::ordered_json(features[i]["type"]));
    if (!st) continue;
    stats.push_back(std::move(*st));
    fields.push_back(i);
  }
  if (stats.empty()) {
    return error_result("NoSupportedFeaturesError",
                        "No columns of a type the statistics support (numbers, strings, booleans, "
                        "class labels, lists, timestamps, images).");
  }
  uint64_t bytes = 0, rows = 0;
  bool partial = false;
  for (const auto& f : files["files"]) {
    if (partial) break;
    auto entry = file_entry_of(f);
    if (!entry) return error_result("ComputationError", "a malformed stored Parquet file entry");
    auto at = open_repo_file_at(s.hub, s.git, *entry);
    if (!at)
      return error_result("ComputationError", read_failure(s.repo, entry->git.path, at.status()));
    auto file = datasets::ParquetFile::open(*at);
    if (!file) {
      return error_result("ComputationError", read_failure(s.repo, entry->git.path, file.status()));
    }
    uint64_t start = 0;
    for (const auto& group : file->footer().row_groups) {
      if (s.job && s.job->cancelled()) return stopped_result();
      auto n = static_cast<uint64_t>(group.num_rows);
      auto size = static_cast<uint64_t>(std::max<int64_t>(0, group.total_byte_size));
      if (rows > 0 && (bytes + size > ViewerLimits::kStatisticsMaxBytes ||
                       (rows + n) * fields.size() > ViewerLimits::kStatisticsMaxValues)) {
        partial = true;
        break;
      }
      // The statistics columns of the row group, kStatisticsBatch at a time (the cells of one
      // read are held together); what was decoded counts against the bound, whatever the
      // footer claims.
      uint64_t decoded = 0;
      for (size_t k0 = 0; k0 < fields.size(); k0 += ViewerLimits::kStatisticsBatch) {
        std::vector<size_t> batch(
            fields.begin() + static_cast<std::ptrdiff_t>(k0),
            fields.begin() + static_cast<std::ptrdiff_t>(
                                 std::min(fields.size(), k0 + ViewerLimits::kStatisticsBatch)));
        datasets::ParquetReadStats read;
        auto got = file->read_rows(start, n, {}, &read, &batch);
        if (!got) {
          return error_result("ComputationError",
                              read_failure(s.repo, entry->git.path, got.status()));
        }
        for (const auto& row : *got) {
          for (size_t k = 0; k < batch.size(); ++k) stats[k0 + k].add(row[k]);
        }
        decoded += read.value_bytes + read.values * 8;
      }
      bytes += std::max(size, decoded);
      rows += n;
      start += n;
    }
    if (partial) break;
  }
  std::vector<nlohmann::ordered_json> items;
  for (auto& st : stats) items.push_back(st.finish());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a["column_name"].template get<std::string>() <
           b["column_name"].template get<std::string>();
  });
  Json body = {{"num_examples", rows}, {"statistics", Json::array()}, {"partial", partial}};
  for (auto& item : items) body["statistics"].push_back(Json(std::move(item)));
  domain::ViewerResult r;
  r.body = dump(body);
  return r;
}

// The stored layout: configs with their builder and splits (not their files: a split may
// have a million).
Json layout_json(const datasets::DatasetLayout& layout) {
  Json configs = Json::array();
  for (const auto& c : layout.configs) {
    Json splits = Json::array();
    for (const auto& s : c.splits) {
      splits.push_back(Json{{"split", s.split}, {"num_files", s.files.size()}});
    }
    Json config = {{"config", c.name},
                   {"builder", c.builder},
                   {"default", c.is_default},
                   {"splits", std::move(splits)}};
    // A config the viewer lists but cannot read (its splits' step failed).
    if (c.error) config["error"] = Json{{"code", c.error->code}, {"message", c.error->message}};
    configs.push_back(std::move(config));
  }
  return Json{{"configs", std::move(configs)}};
}

}  // namespace

ViewerAnswer ViewerAnswer::error(int status, std::string code, std::string message,
                                 std::string revision) {
  ViewerAnswer a;
  a.status = status;
  a.error_code = std::move(code);
  a.body = dump(Json{{"error", std::move(message)}});
  a.revision = std::move(revision);
  return a;
}

Result<domain::JobRecord> DatasetViewer::queue(const domain::RepoRecord& repo,
                                               const std::string& commit, bool redo) {
  if (repo.type != domain::RepoKind::kDataset) return bad_request("not a dataset");
  // A revision asked for again is processed even when it is no longer the head.
  std::string payload =
      nlohmann::json{{"repo", repo.uid}, {"commit", commit}, {"redo", redo}}.dump();
  JobQueue queue(hub_);
  auto job = redo ? queue.redo(kDatasetRevisionJob, job_key(repo.uid, commit), payload)
                  : queue.enqueue(kDatasetRevisionJob, job_key(repo.uid, commit), payload);
  if (job) hub_.wake_jobs();
  return job;
}

Status DatasetViewer::queue_all() {
  domain::RepoListQuery q;
  q.type = domain::RepoKind::kDataset;
  q.all_private_visible = true;
  q.limit = 1000;
  for (;;) {
    auto page = hub_.db().list_repos(q);
    for (const auto& repo : page) {
      if (repo.head_sha.empty()) continue;
      if (auto job = queue(repo, repo.head_sha); !job) return job.status();
    }
    if (page.size() < static_cast<size_t>(q.limit)) break;
    q.offset += q.limit;
  }
  return Status::ok();
}

JobOutcome DatasetViewer::process(JobContext& context) {
  auto payload = nlohmann::json::parse(context.job().payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("repo") || !payload.contains("commit")) {
    return JobOutcome::give_up(bad_request("malformed dataset-revision job payload"));
  }
  if (!payload["repo"].is_string() || !payload["commit"].is_string()) {
    return JobOutcome::give_up(bad_request("malformed dataset-revision job payload"));
  }
  std::string uid = payload["repo"].get<std::string>();
  std::string commit = payload["commit"].get<std::string>();
  auto found = hub_.db().find_repo_by_uid(uid);
  if (!found) return JobOutcome::retry(found.status());
  if (!*found) return JobOutcome::ok();  // deleted since: nothing to show
  const domain::RepoRecord& repo = **found;
  // Pushed over since it was queued: the newer head's job does the work (a burst of pushes
  // costs one processing, and no superseded answers are left behind).
  if (repo.head_sha != commit && !payload.value("redo", false)) return JobOutcome::ok();
  auto git = hub_.open_git(repo);
  if (!git) return JobOutcome::retry(git.status());
  auto snapshot = RepoContents(hub_).snapshot(repo, &*git, commit);
  if (!snapshot) {
    // A commit that is gone (a force-push removed it) will not come back.
    bool gone = snapshot.status().kind() == ErrorKind::kNotFound;
    return gone ? JobOutcome::give_up(snapshot.status()) : JobOutcome::retry(snapshot.status());
  }
  std::map<std::string, const FileEntry*> files;
  std::vector<std::string> paths;
  for (const auto& e : (*snapshot)->entries) {
    if (e.git.is_dir) continue;
    files[e.git.path] = &e;
    paths.push_back(e.git.path);
  }
  auto put = [&](domain::ViewerResult r, const std::string& step, const std::string& config,
                 const std::string& split) {
    r.repo_uid = uid;
    r.revision = commit;
    r.step = step;
    r.config = config;
    r.split = split;
    r.updated_ms = util::now_ms();
    return hub_.db().put_viewer_result(r);
  };
  datasets::LayoutOptions options;
  options.dataset_name = repo.id();
  auto card = read_card(hub_, *git, files);
  if (!card) {
    if (card.status().kind() == ErrorKind::kInternal) return JobOutcome::retry(card.status());
    auto failed = error_result("ConfigNamesError",
                               "Cannot read the dataset card's YAML: " + card.status().message());
    if (auto st = put(failed, kLayoutStep, "", ""); !st) return JobOutcome::retry(st);
    return JobOutcome::ok();
  }
  auto derived = datasets::derive_layout(paths, *card, options);
  if (!derived.ok) {
    if (auto st = put(error_result(derived.error.code, derived.error.message), kLayoutStep, "", "");
        !st) {
      return JobOutcome::retry(st);
    }
  } else {
    domain::ViewerResult layout;
    layout.body = dump(layout_json(derived.layout));
    if (auto st = put(layout, kLayoutStep, "", ""); !st) return JobOutcome::retry(st);
    size_t total = 0, done = 0;
    for (const auto& c : derived.layout.configs) total += c.splits.size();
    for (const auto& c : derived.layout.configs) {
      for (const auto& s : c.splits) {
        if (context.cancelled()) return JobOutcome::retry(internal_error("cancelled"));
        SplitContext split{hub_, *git, files, repo, commit, c, s, &context};
        domain::ViewerResult rows;
        if (c.builder == "parquet") {
          auto scanned = parquet_split_of(split);
          if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
          bool files_ok = scanned.files.error_code.empty();
          std::string files_body = scanned.files.body;
          if (auto st = put(std::move(scanned.files), kParquetFilesStep, c.name, s.split); !st) {
            return JobOutcome::retry(st);
          }
          rows = std::move(scanned.first_rows);
          if (auto st = put(rows, kFirstRowsStep, c.name, s.split); !st) {
            return JobOutcome::retry(st);
          }
          if (files_ok) {
            auto stats = statistics_of(split, Json::parse(files_body));
            if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
            if (auto st = put(std::move(stats), kStatisticsStep, c.name, s.split); !st) {
              return JobOutcome::retry(st);
            }
          }
          context.progress(static_cast<double>(++done) / static_cast<double>(total));
          continue;  // its first rows are stored (before the statistics, to answer sooner)
        } else {
          rows = first_rows_of(split);
        }
        if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
        if (auto st = put(std::move(rows), kFirstRowsStep, c.name, s.split); !st) {
          return JobOutcome::retry(st);
        }
        context.progress(static_cast<double>(++done) / static_cast<double>(total));
      }
    }
  }
  // The head's answers are complete: older revisions' answers are no longer served.
  auto now = hub_.db().find_repo_by_uid(uid);
  if (now && *now && (*now)->head_sha == commit) {
    if (auto st = hub_.db().delete_viewer_results(uid, commit); !st) {
      spdlog::warn("viewer: forgetting old answers of {}: {}", repo.id(), st.message());
    }
  }
  return JobOutcome::ok();
}

namespace {

// Where the answers for a dataset come from now (see the header): the revision, and its layout.
struct Located {
  std::optional<ViewerAnswer> answer;  // set when there is nothing to read (not ready, failed)
  domain::ViewerResult layout;
};

}  // namespace

static Located locate(Hub& hub, DatasetViewer& viewer, const domain::RepoRecord& repo) {
  Located out;
  const std::string& head = repo.head_sha;
  if (head.empty()) {
    out.answer = ViewerAnswer::error(500, "EmptyDatasetError", "The dataset is empty.");
    return out;
  }
  auto at_head = hub.db().viewer_result(repo.uid, head, kLayoutStep, "", "");
  if (!at_head) {
    out.answer = ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
    return out;
  }
  if (*at_head) {
    out.layout = std::move(**at_head);
    return out;
  }
  auto job = JobQueue(hub).find(kDatasetRevisionJob, job_key(repo.uid, head));
  if (job && !*job) {
    viewer.queue(repo, head);  // a revision nothing queued (a data folder from before)
  } else if (job && (*job)->state == domain::JobState::kDone) {
    // Done once, its answers since deleted: main went back to it (a force-push undoing a
    // commit). Its answers are computed again, and the undone commit's are not served after.
    viewer.queue(repo, head, /*redo=*/true);
    out.answer = not_ready(head);  // never the undone commit's answers meanwhile
    return out;
  } else if (job && (*job)->state == domain::JobState::kFailed) {
    // The reason is in the job list for the operator (it may name the hub's files).
    out.answer = ViewerAnswer::error(500, "UnexpectedError",
                                     "Processing this revision failed; the hub's operator can "
                                     "see why with `vitrine jobs list`",
                                     head);
    return out;
  }
  auto older = hub.db().viewer_revisions(repo.uid, kLayoutStep);
  if (older && !older->empty()) {
    auto previous = hub.db().viewer_result(repo.uid, older->front(), kLayoutStep, "", "");
    // A previous revision that failed as a whole (an empty repository before its first files,
    // a bad card since fixed) is not served meanwhile: its error would read as the new one's.
    if (previous && *previous && (*previous)->error_code.empty()) {
      out.layout = std::move(**previous);
      return out;
    }
  }
  out.answer = not_ready(head);
  return out;
}

// The layout the answers of a dataset come from, or what to answer instead: not ready, or the
// layout's own error (a dataset that failed as a whole answers it from every endpoint).
static std::variant<domain::ViewerResult, ViewerAnswer> answering_layout(
    Hub& hub, DatasetViewer& viewer, const domain::RepoRecord& repo) {
  auto located = locate(hub, viewer, repo);
  if (located.answer) return *located.answer;
  if (!located.layout.error_code.empty()) return replay(located.layout);
  return std::move(located.layout);
}

ViewerAnswer DatasetViewer::splits(const domain::RepoRecord& repo, const std::string& config) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto parsed = Json::parse(layout.body, nullptr, false);
  Json splits = Json::array();
  Json failed = Json::array();
  bool found = config.empty();
  for (const auto& c : parsed["configs"]) {
    if (!config.empty() && c["config"] != config) continue;
    found = true;
    if (c.contains("error")) {
      if (!config.empty()) return config_error(c, layout.revision);
      failed.push_back(Json{{"dataset", repo.id()},
                            {"config", c["config"]},
                            {"error", Json{{"error", c["error"]["message"]}}}});
      continue;
    }
    for (const auto& s : c["splits"]) {
      splits.push_back(
          Json{{"dataset", repo.id()}, {"config", c["config"]}, {"split", s["split"]}});
    }
  }
  if (!found) return not_found(layout.revision);
  ViewerAnswer a;
  a.revision = layout.revision;
  Json body = {{"splits", std::move(splits)}};
  if (config.empty()) {
    body["pending"] = Json::array();
    body["failed"] = std::move(failed);
  }
  a.body = dump(body);
  return a;
}

ViewerAnswer DatasetViewer::first_rows(const domain::RepoRecord& repo, const std::string& config,
                                       const std::string& split) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto result = hub_.db().viewer_result(repo.uid, layout.revision, kFirstRowsStep, config, split);
  if (!result) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
  if (*result) {
    auto answer = replay(**result);
    // The stored body names the dataset as it was called then; a renamed one answers its name.
    if (answer.status == 200) {
      auto body = Json::parse(answer.body, nullptr, false);
      if (body.is_object()) {
        // Media URLs are stored under the hub's path; answers carry its public URL.
        if (body.value("dataset", "") != repo.id()) body["dataset"] = repo.id();
        absolute_media(body["features"], body["rows"], hub_.config().public_url);
        answer.body = dump(body);
      }
    }
    return answer;
  }
  // Not computed: still to come if the layout has that split, else it never will be.
  auto parsed = Json::parse(layout.body, nullptr, false);
  for (const auto& c : parsed["configs"]) {
    if (c["config"] != config) continue;
    if (c.contains("error")) return config_error(c, layout.revision);
    for (const auto& s : c["splits"]) {
      if (s["split"] == split) return not_ready(layout.revision);
    }
  }
  return not_found(layout.revision);
}

ViewerAnswer DatasetViewer::is_valid(const domain::RepoRecord& repo, const std::string& config,
                                     const std::string& split) {
  auto located = locate(hub_, *this, repo);
  if (located.answer) return *located.answer;
  const auto& layout = located.layout;
  Json flags = {{"preview", false},
                {"viewer", false},
                {"search", false},
                {"filter", false},
                {"statistics", false}};
  ViewerAnswer a;
  a.revision = layout.revision;
  if (layout.error_code.empty()) {
    auto parsed = Json::parse(layout.body, nullptr, false);
    // One read for every split's outcome (no bodies), whatever the number of splits.
    // "preview": first rows; "viewer": /rows pages (Parquet files recorded); "statistics".
    std::map<std::string, std::set<std::pair<std::string, std::string>>> ok;
    for (const char* step : {kFirstRowsStep, kParquetFilesStep, kStatisticsStep}) {
      auto outcomes = hub_.db().viewer_outcomes(repo.uid, layout.revision, step);
      if (!outcomes) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
      for (const auto& [c, sp, code] : *outcomes) {
        if (code.empty()) ok[step].emplace(c, sp);
      }
    }
    bool known = config.empty();
    for (const auto& c : parsed["configs"]) {
      if (!config.empty() && c["config"] != config) continue;
      if (c.contains("error")) known = true;  // listed, nothing valid in it
      for (const auto& s : c["splits"]) {
        if (!split.empty() && s["split"] != split) continue;
        known = true;
        std::pair<std::string, std::string> key{c["config"].get<std::string>(),
                                                s["split"].get<std::string>()};
        if (ok[kFirstRowsStep].contains(key)) flags["preview"] = true;
        if (ok[kParquetFilesStep].contains(key)) flags["viewer"] = true;
        if (ok[kStatisticsStep].contains(key)) flags["statistics"] = true;
      }
    }
    if (!known) return not_found(layout.revision);
  } else if (!config.empty()) {
    return replay(layout);
  }
  a.body = dump(flags);
  return a;
}

namespace {

// Rows [offset, offset + length) of a Parquet split recorded by the job (`stored`: the
// kParquetFilesStep body), read from its files; *path names the file of an error. What is read
// is taken from `limits` (one budget over calls that share it).
Result<std::vector<datasets::Row>> split_rows(Hub& hub, const domain::RepoRecord& repo,
                                              const Json& stored, uint64_t offset, uint64_t length,
                                              std::string* path,
                                              datasets::ParquetReadLimits& limits) {
  std::vector<datasets::Row> out;
  uint64_t total = stored.value("num_rows", uint64_t{0});
  uint64_t end = offset + std::min(length, total - std::min(total, offset));
  uint64_t file_start = 0;
  std::optional<RepoHandle> git;
  for (const auto& f : stored["files"]) {
    if (file_start >= end) break;
    uint64_t n = f.value("num_rows", uint64_t{0});
    uint64_t file_end = file_start + n;
    if (file_end <= offset || n == 0) {
      file_start = file_end;
      continue;
    }
    auto entry = file_entry_of(f);
    if (!entry) return internal_error("a malformed stored Parquet file entry");
    *path = entry->git.path;
    if (!git) {
      auto opened = hub.open_git(repo);
      if (!opened) return opened.status();
      git.emplace(std::move(*opened));
    }
    auto at = open_repo_file_at(hub, *git, *entry);
    if (!at) return at.status();
    auto file = datasets::ParquetFile::open(*at);
    if (!file) return file.status();
    uint64_t from = std::max(offset, file_start) - file_start;
    uint64_t to = std::min(end, file_end) - file_start;
    // One budget for the whole page, whatever the number of files it spans.
    datasets::ParquetReadStats stats;
    auto rows = file->read_rows(from, to - from, limits, &stats);
    if (!rows) return rows.status();
    limits.max_read_bytes -= std::min(limits.max_read_bytes, stats.bytes_read);
    limits.max_values -= std::min(limits.max_values, stats.values);
    limits.max_value_bytes -= std::min(limits.max_value_bytes, stats.value_bytes);
    for (auto& row : *rows) out.push_back(std::move(row));
    file_start = file_end;
  }
  return out;
}

// The bounds of one request that reads rows (/rows, /filter's page, an asset): the Hub's
// 300 MB of file, and at most kRequestMaxValueBytes of decoded strings (a cell is copied into
// the JSON answer).
datasets::ParquetReadLimits request_limits() {
  datasets::ParquetReadLimits limits;
  limits.max_value_bytes = ViewerLimits::kRequestMaxValueBytes;
  return limits;
}

std::vector<std::string> column_names_of(const Json& stored) {
  std::vector<std::string> names;
  for (const auto& f : stored["features"]) names.push_back(f["name"].get<std::string>());
  return names;
}

}  // namespace

// The answer for a split-level step of Parquet splits that is not stored (yet): the config's
// error, 501 for a split of another format (`what`, with {} for the format, says what waits for
// the Parquet export), ResponseNotReady for a split still to come, else ResponseNotFound.
static ViewerAnswer missing_parquet_step(const domain::ViewerResult& layout,
                                         const std::string& config, const std::string& split,
                                         const std::string& what) {
  auto parsed = Json::parse(layout.body, nullptr, false);
  for (const auto& c : parsed["configs"]) {
    if (c["config"] != config) continue;
    if (c.contains("error")) return config_error(c, layout.revision);
    for (const auto& s : c["splits"]) {
      if (s["split"] != split) continue;
      if (c["builder"] != "parquet") {
        std::string message = what;
        message.replace(message.find("{}"), 2, c["builder"].get<std::string>());
        return ViewerAnswer::error(
            501, "NotImplementedError",
            "This hub's viewer " + message + " with the Parquet export, not built yet",
            layout.revision);
      }
      return not_ready(layout.revision);
    }
  }
  return not_found(layout.revision);
}

// The stored Parquet files of a split, or the answer to give instead.
static std::variant<Json, ViewerAnswer> parquet_files(Hub& hub, DatasetViewer& viewer,
                                                      const domain::RepoRecord& repo,
                                                      const std::string& config,
                                                      const std::string& split,
                                                      std::string* revision) {
  auto answering = answering_layout(hub, viewer, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  *revision = layout.revision;
  auto result = hub.db().viewer_result(repo.uid, *revision, kParquetFilesStep, config, split);
  if (!result) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
  if (!*result) {
    return missing_parquet_step(layout, config, split,
                                "pages through Parquet datasets; /rows of {} files comes");
  }
  if (!(*result)->error_code.empty()) return replay(**result);
  auto stored = Json::parse((*result)->body, nullptr, false);
  if (!stored.is_object())
    return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
  return stored;
}

ViewerAnswer DatasetViewer::rows(const domain::RepoRecord& repo, const std::string& config,
                                 const std::string& split, uint64_t offset, uint64_t length) {
  std::string revision;
  auto found = parquet_files(hub_, *this, repo, config, split, &revision);
  if (auto* answer = std::get_if<ViewerAnswer>(&found)) return *answer;
  const Json& stored = std::get<Json>(found);
  Json features = Json::array();
  size_t idx = 0;
  for (const auto& f : stored["features"]) {
    features.push_back(Json{{"feature_idx", idx++}, {"name", f["name"]}, {"type", f["type"]}});
  }
  auto names = column_names_of(stored);
  std::string path;
  auto limits = request_limits();
  auto rows = split_rows(hub_, repo, stored, offset, std::min(length, ViewerLimits::kRowsMaxLength),
                         &path, limits);
  if (!rows) {
    if (rows.status().kind() == ErrorKind::kPayloadTooLarge) {
      return ViewerAnswer::error(500, "TooBigContentError", rows.status().message(), revision);
    }
    return ViewerAnswer::error(500, "RowsPostProcessingError",
                               read_failure(repo, path, rows.status()), revision);
  }
  std::string dataset = repo.id();
  MediaPlace place{dataset, revision, config, split};
  Json items = Json::array();
  for (auto& row : *rows) {
    uint64_t row_idx = offset + items.size();
    Json object = row_object(names, row);
    media_cells(stored["features"], object, place, row_idx);
    items.push_back(
        Json{{"row_idx", row_idx}, {"row", std::move(object)}, {"truncated_cells", Json::array()}});
  }
  absolute_media(stored["features"], items, hub_.config().public_url);
  ViewerAnswer a;
  a.revision = revision;
  a.body = dump(Json{{"features", std::move(features)},
                     {"rows", std::move(items)},
                     {"num_rows_total", stored.value("num_rows", uint64_t{0})},
                     {"num_rows_per_page", ViewerLimits::kRowsMaxLength},
                     {"partial", false}});
  return a;
}

Result<ViewerAsset> DatasetViewer::asset(const domain::RepoRecord& repo,
                                         const std::string& revision, const std::string& config,
                                         const std::string& split, uint64_t row,
                                         const std::string& column) {
  auto result = hub_.db().viewer_result(repo.uid, revision, kParquetFilesStep, config, split);
  if (!result) return result.status();
  if (!*result || !(*result)->error_code.empty())
    return Status(ErrorKind::kNotFound, "no such asset");
  auto stored = Json::parse((*result)->body, nullptr, false);
  if (!stored.is_object()) return Status(ErrorKind::kNotFound, "no such asset");
  auto names = column_names_of(stored);
  size_t index = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == column && !media_type(stored["features"][i]["type"]).empty()) index = i;
  }
  if (index == names.size()) return Status(ErrorKind::kNotFound, "no such asset");
  std::string path;
  auto limits = request_limits();
  auto rows = split_rows(hub_, repo, stored, row, 1, &path, limits);
  if (!rows) return rows.status();
  if (rows->empty()) return Status(ErrorKind::kNotFound, "no such asset");
  const auto& cell = (*rows)[0][index];
  if (!cell.is_object() || !cell.contains("bytes") || !cell["bytes"].is_string()) {
    return Status(ErrorKind::kNotFound, "no such asset");
  }
  auto bytes = util::base64_decode(cell["bytes"].get<std::string>());
  if (!bytes) return Status(ErrorKind::kNotFound, "no such asset");
  ViewerAsset out;
  out.content_type = datasets::media_info(*bytes).mime;
  out.bytes = std::move(*bytes);
  return out;
}

ViewerAnswer DatasetViewer::statistics(const domain::RepoRecord& repo, const std::string& config,
                                       const std::string& split) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto result = hub_.db().viewer_result(repo.uid, layout.revision, kStatisticsStep, config, split);
  if (!result) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
  if (*result) return replay(**result);
  // Files that could not be read have no statistics: their error answers.
  auto files = hub_.db().viewer_result(repo.uid, layout.revision, kParquetFilesStep, config, split);
  if (files && *files && !(*files)->error_code.empty()) return replay(**files);
  return missing_parquet_step(layout, config, split,
                              "computes statistics of Parquet datasets; those of {} files come");
}

namespace {

// `datasets` < 4's form of Features, which /info keeps (contract §2.8): a List without a length
// is written [feature]; with one, a Sequence.
Json legacy_features(const Json& type) {
  if (type.is_array()) {
    Json out = Json::array();
    for (const auto& t : type) out.push_back(legacy_features(t));
    return out;
  }
  if (!type.is_object()) return type;
  if (type.value("_type", "") == "List" && type.contains("feature")) {
    if (!type.contains("length")) return Json::array({legacy_features(type["feature"])});
    return Json{{"feature", legacy_features(type["feature"])},
                {"length", type["length"]},
                {"_type", "Sequence"}};
  }
  Json out = Json::object();
  for (const auto& [k, v] : type.items()) out[k] = legacy_features(v);
  return out;
}

// What the stored Parquet files of a dataset's splits say, config by config.
struct SplitFigures {
  std::string split;
  uint64_t files_bytes = 0;   // the Parquet files' sizes
  uint64_t memory_bytes = 0;  // their row groups' uncompressed bytes
  uint64_t rows = 0;
  size_t columns = 0;
};
struct ConfigFigures {
  std::string config;
  Json features;  // [{"name", "type"}] of its first split
  std::vector<SplitFigures> splits;
};
struct DatasetFigures {
  std::vector<ConfigFigures> configs;
  Json pending = Json::array();
  Json failed = Json::array();
};

DatasetFigures figures_of(Hub& hub, const domain::RepoRecord& repo,
                          const domain::ViewerResult& layout, const std::string& only_config,
                          const std::string& kind) {
  DatasetFigures out;
  auto parsed = Json::parse(layout.body, nullptr, false);
  auto item = [&](const std::string& config, const Json& split) {
    return Json{{"dataset", repo.id()}, {"config", config}, {"split", split}, {"kind", kind}};
  };
  for (const auto& c : parsed["configs"]) {
    std::string config = c["config"].get<std::string>();
    if (!only_config.empty() && config != only_config) continue;
    if (c.contains("error") || c["builder"] != "parquet") {
      // Configs of other formats wait for the Parquet export: nothing to say about them yet.
      out.failed.push_back(item(config, nullptr));
      continue;
    }
    ConfigFigures figures{config, Json(), {}};
    bool complete = true;
    for (const auto& sp : c["splits"]) {
      std::string split = sp["split"].get<std::string>();
      auto stored =
          hub.db().viewer_result(repo.uid, layout.revision, kParquetFilesStep, config, split);
      if (!stored || !*stored) {
        out.pending.push_back(item(config, split));
        complete = false;
        continue;
      }
      if (!(*stored)->error_code.empty()) {
        out.failed.push_back(item(config, split));
        complete = false;
        continue;
      }
      auto body = Json::parse((*stored)->body, nullptr, false);
      SplitFigures f{split, 0, 0, body.value("num_rows", uint64_t{0}), body["features"].size()};
      for (const auto& file : body["files"]) {
        f.files_bytes += file.value("size", uint64_t{0});
        f.memory_bytes += file.value("num_bytes", uint64_t{0});
      }
      if (figures.features.is_null()) figures.features = body["features"];
      figures.splits.push_back(std::move(f));
    }
    if (complete) out.configs.push_back(std::move(figures));
  }
  return out;
}

// /info or /size of a config that has no figures: why (the config's error, 501 for another
// format, a split's error), ResponseNotReady while its splits are processed, or not found.
ViewerAnswer config_without_figures(Hub& hub, const domain::RepoRecord& repo,
                                    const domain::ViewerResult& layout, const std::string& config) {
  auto parsed = Json::parse(layout.body, nullptr, false);
  for (const auto& c : parsed["configs"]) {
    if (c["config"] != config) continue;
    if (c.contains("error")) return config_error(c, layout.revision);
    if (c["builder"] != "parquet") {
      return ViewerAnswer::error(501, "NotImplementedError",
                                 "This hub's viewer describes Parquet datasets; " +
                                     c["builder"].get<std::string>() +
                                     " files come with the Parquet export, not built yet",
                                 layout.revision);
    }
    for (const auto& sp : c["splits"]) {
      auto stored = hub.db().viewer_result(repo.uid, layout.revision, kParquetFilesStep, config,
                                           sp["split"].get<std::string>());
      if (stored && *stored && !(*stored)->error_code.empty()) return replay(**stored);
    }
    return not_ready(layout.revision);
  }
  return not_found(layout.revision);
}

// The DatasetInfo of a config (contract §2.8).
Json dataset_info(const domain::RepoRecord& repo, const ConfigFigures& c) {
  Json features = Json::object();
  for (const auto& f : c.features)
    features[f["name"].get<std::string>()] = legacy_features(f["type"]);
  Json splits = Json::object();
  uint64_t download = 0, size = 0;
  for (const auto& s : c.splits) {
    splits[s.split] = Json{{"name", s.split},
                           {"num_bytes", s.memory_bytes},
                           {"num_examples", s.rows},
                           {"dataset_name", nullptr}};
    download += s.files_bytes;
    size += s.memory_bytes;
  }
  return Json{{"description", ""},
              {"citation", ""},
              {"homepage", ""},
              {"license", ""},
              {"features", std::move(features)},
              {"builder_name", "parquet"},
              {"dataset_name", repo.name},
              {"config_name", c.config},
              {"version", Json{{"version_str", "0.0.0"}, {"major", 0}, {"minor", 0}, {"patch", 0}}},
              {"splits", std::move(splits)},
              {"download_size", download},
              {"dataset_size", size}};
}

}  // namespace

ViewerAnswer DatasetViewer::info(const domain::RepoRecord& repo, const std::string& config) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto figures = figures_of(hub_, repo, layout, config, "config-parquet-and-info");
  ViewerAnswer a;
  a.revision = layout.revision;
  if (!config.empty()) {
    if (figures.configs.empty()) return config_without_figures(hub_, repo, layout, config);
    a.body =
        dump(Json{{"dataset_info", dataset_info(repo, figures.configs[0])}, {"partial", false}});
    return a;
  }
  Json infos = Json::object();
  for (const auto& c : figures.configs) infos[c.config] = dataset_info(repo, c);
  a.body = dump(Json{{"dataset_info", std::move(infos)},
                     {"pending", std::move(figures.pending)},
                     {"failed", std::move(figures.failed)},
                     {"partial", false}});
  return a;
}

ViewerAnswer DatasetViewer::size(const domain::RepoRecord& repo, const std::string& config) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto figures = figures_of(hub_, repo, layout, config, "config-size");
  if (!config.empty() && figures.configs.empty()) {
    return config_without_figures(hub_, repo, layout, config);
  }
  Json configs = Json::array();
  Json splits = Json::array();
  uint64_t files = 0, memory = 0, rows = 0;
  for (const auto& c : figures.configs) {
    uint64_t c_files = 0, c_memory = 0, c_rows = 0;
    for (const auto& s : c.splits) {
      splits.push_back(Json{{"dataset", repo.id()},
                            {"config", c.config},
                            {"split", s.split},
                            {"num_bytes_parquet_files", s.files_bytes},
                            {"num_bytes_memory", s.memory_bytes},
                            {"num_rows", s.rows},
                            {"num_columns", s.columns},
                            {"estimated_num_rows", nullptr}});
      c_files += s.files_bytes;
      c_memory += s.memory_bytes;
      c_rows += s.rows;
    }
    configs.push_back(Json{{"dataset", repo.id()},
                           {"config", c.config},
                           {"num_bytes_original_files", c_files},
                           {"num_bytes_parquet_files", c_files},
                           {"num_bytes_memory", c_memory},
                           {"num_rows", c_rows},
                           {"num_columns", c.features.size()},
                           {"estimated_num_rows", nullptr}});
    files += c_files;
    memory += c_memory;
    rows += c_rows;
  }
  ViewerAnswer a;
  a.revision = layout.revision;
  if (!config.empty()) {
    a.body = dump(Json{{"size", Json{{"config", configs[0]}, {"splits", std::move(splits)}}},
                       {"partial", false}});
    return a;
  }
  Json dataset = {{"dataset", repo.id()},
                  {"num_bytes_original_files", files},
                  {"num_bytes_parquet_files", files},
                  {"num_bytes_memory", memory},
                  {"num_rows", rows},
                  {"estimated_num_rows", nullptr}};
  a.body = dump(Json{{"size", Json{{"dataset", std::move(dataset)},
                                   {"configs", std::move(configs)},
                                   {"splits", std::move(splits)}}},
                     {"pending", std::move(figures.pending)},
                     {"failed", std::move(figures.failed)},
                     {"partial", false}});
  return a;
}

ViewerAnswer DatasetViewer::filter(const domain::RepoRecord& repo, const std::string& config,
                                   const std::string& split, const std::string& where,
                                   const std::string& orderby, uint64_t offset, uint64_t length) {
  std::string revision;
  auto found = parquet_files(hub_, *this, repo, config, split, &revision);
  if (auto* answer = std::get_if<ViewerAnswer>(&found)) return *answer;
  const Json& stored = std::get<Json>(found);
  auto invalid = [&](const std::string& message) {
    return ViewerAnswer::error(422, "InvalidParameter", message, revision);
  };
  std::optional<datasets::RowFilter> condition;
  if (!where.empty()) {
    auto parsed = datasets::RowFilter::parse(where);
    if (!parsed) return invalid(parsed.status().message());
    condition = std::move(*parsed);
  }
  std::optional<datasets::RowOrder> order;
  if (!orderby.empty()) {
    auto parsed = datasets::RowOrder::parse(orderby);
    if (!parsed) return invalid(parsed.status().message());
    order = std::move(*parsed);
  }
  // The columns read while scanning: those the condition and the order name, which must exist.
  auto names = column_names_of(stored);
  std::vector<std::string> wanted = condition ? condition->columns() : std::vector<std::string>{};
  if (order) wanted.push_back(order->column.path[0]);
  std::vector<size_t> fields;
  for (const auto& w : wanted) {
    auto it = std::find(names.begin(), names.end(), w);
    if (it == names.end()) return invalid("A query parameter is invalid");
    auto index = static_cast<size_t>(it - names.begin());
    if (std::find(fields.begin(), fields.end(), index) == fields.end()) fields.push_back(index);
  }
  // Where each column named lies in the rows the scan reads (one cell per field read).
  std::unordered_map<std::string, size_t> position;
  for (size_t k = 0; k < fields.size(); ++k) position.emplace(names[fields[k]], k);
  size_t order_field = order ? position[order->column.path[0]] : 0;
  struct Match {
    uint64_t row;
    nlohmann::json key;
  };
  std::vector<Match> matches;
  bool partial = false;
  if (fields.empty()) {
    // No condition and no order: every row, as /rows.
    return rows(repo, config, split, offset, length);
  }
  auto failed = [&](const std::string& path, const Status& st) {
    if (st.kind() == ErrorKind::kPayloadTooLarge) {
      return ViewerAnswer::error(500, "TooBigContentError", st.message(), revision);
    }
    return ViewerAnswer::error(500, "RowsPostProcessingError", read_failure(repo, path, st),
                               revision);
  };
  auto git = hub_.open_git(repo);
  if (!git) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
  uint64_t file_start = 0, scanned_rows = 0, scanned_bytes = 0;
  for (const auto& f : stored["files"]) {
    if (partial) break;
    auto entry = file_entry_of(f);
    if (!entry) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
    auto at = open_repo_file_at(hub_, *git, *entry);
    if (!at) return failed(entry->git.path, at.status());
    auto file = datasets::ParquetFile::open(*at);
    if (!file) return failed(entry->git.path, file.status());
    uint64_t start = 0;
    for (const auto& group : file->footer().row_groups) {
      auto n = static_cast<uint64_t>(group.num_rows);
      auto bytes = static_cast<uint64_t>(std::max<int64_t>(0, group.total_byte_size));
      if (scanned_rows > 0 && (scanned_rows + n > ViewerLimits::kFilterMaxRows ||
                               scanned_bytes + bytes > ViewerLimits::kFilterMaxBytes)) {
        partial = true;
        break;
      }
      auto got = file->read_rows(start, n, {}, nullptr, &fields);
      if (!got) return failed(entry->git.path, got.status());
      for (uint64_t r = 0; r < got->size(); ++r) {
        const auto& row = (*got)[r];
        bool match = !condition || condition->matches([&](const std::string& name) {
          auto it = position.find(name);
          return it == position.end() ? nullptr : &row[it->second];
        });
        if (!match) continue;
        Match m{file_start + start + r, nullptr};
        if (order) {
          m.key = order->column.value(row[order_field]);
          // Sort keys are bounded: long strings sort by their first kFilterMaxKeyBytes bytes.
          if (m.key.is_string() &&
              m.key.get_ref<const std::string&>().size() > ViewerLimits::kFilterMaxKeyBytes) {
            m.key = m.key.get<std::string>().substr(0, ViewerLimits::kFilterMaxKeyBytes);
          } else if (!m.key.is_string() && !m.key.is_number() && !m.key.is_boolean()) {
            m.key = nullptr;  // lists and structs do not order here
          }
        }
        matches.push_back(std::move(m));
      }
      scanned_rows += n;
      scanned_bytes += bytes;
      start += n;
    }
    file_start += f.value("num_rows", uint64_t{0});
  }
  if (order) {
    std::stable_sort(matches.begin(), matches.end(),
                     [&](const Match& a, const Match& b) { return order->before(a.key, b.key); });
  }
  length = std::min(length, ViewerLimits::kRowsMaxLength);
  uint64_t from = std::min<uint64_t>(offset, matches.size());
  uint64_t to = std::min<uint64_t>(matches.size(), from + length);
  // The page's rows, read in runs of nearby rows (one read for rows of one stretch).
  std::map<uint64_t, datasets::Row> fetched;
  std::vector<uint64_t> wanted_rows;
  for (uint64_t i = from; i < to; ++i) wanted_rows.push_back(matches[i].row);
  std::vector<uint64_t> sorted = wanted_rows;
  std::sort(sorted.begin(), sorted.end());
  std::string path;
  auto page_limits = request_limits();
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] - sorted[i] < ViewerLimits::kRowsMaxLength * 4) {
      ++j;
    }
    auto got =
        split_rows(hub_, repo, stored, sorted[i], sorted[j] - sorted[i] + 1, &path, page_limits);
    if (!got) return failed(path, got.status());
    for (size_t k = i; k <= j; ++k) {
      uint64_t at = sorted[k] - sorted[i];
      if (at < got->size()) fetched[sorted[k]] = (*got)[at];
    }
    i = j + 1;
  }
  Json features = Json::array();
  size_t idx = 0;
  for (const auto& f : stored["features"]) {
    features.push_back(Json{{"feature_idx", idx++}, {"name", f["name"]}, {"type", f["type"]}});
  }
  std::string dataset = repo.id();
  MediaPlace place{dataset, revision, config, split};
  Json items = Json::array();
  for (uint64_t row_idx : wanted_rows) {
    auto it = fetched.find(row_idx);
    if (it == fetched.end()) continue;
    Json object = row_object(names, it->second);
    media_cells(stored["features"], object, place, row_idx);
    items.push_back(
        Json{{"row_idx", row_idx}, {"row", std::move(object)}, {"truncated_cells", Json::array()}});
  }
  absolute_media(stored["features"], items, hub_.config().public_url);
  ViewerAnswer a;
  a.revision = revision;
  a.body = dump(Json{{"features", std::move(features)},
                     {"rows", std::move(items)},
                     {"num_rows_total", matches.size()},
                     {"num_rows_per_page", ViewerLimits::kRowsMaxLength},
                     {"partial", partial}});
  return a;
}

}  // namespace vitrine::service
