// What the parts of the dataset viewer share (dataset_viewer.hpp is its interface): the stored
// steps' names, the viewer's error answers, the stored Parquet file entries, media cells, and
// where a dataset's answers are read from. Private to src/service/datasets/:
//   - dataset_viewer.cpp      the "dataset-revision" job: card, layout, the steps of each split;
//   - viewer_first_rows.cpp   first rows of CSV/JSON/text splits through the streaming readers;
//   - viewer_parquet.cpp      the Parquet steps: a split's files, first rows, statistics;
//   - viewer_answers.cpp      /splits, /first-rows, /is-valid, /info, /size;
//   - viewer_rows.cpp         /rows, /filter, /search, /statistics and media assets;
//   - viewer_search.cpp       the split's search index;
//   - viewer_common.cpp       the helpers below; viewer_media.cpp the media cells.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "domain/repo.hpp"
#include "domain/viewer_result.hpp"
#include "formats/datasets/data_files.hpp"
#include "formats/datasets/row_reader.hpp"
#include "formats/git/lfs_pointer.hpp"
#include "service/datasets/dataset_viewer.hpp"
#include "service/datasets/repo_file_source.hpp"

namespace vitrine::service {
class RepoHandle;
}

namespace vitrine::service::viewer {

using Json = nlohmann::ordered_json;

// The steps a job stores per revision (MetadataDb's viewer results).
inline constexpr char kLayoutStep[] = "dataset-layout";
inline constexpr char kFirstRowsStep[] = "split-first-rows";
inline constexpr char kParquetFilesStep[] = "split-parquet-files";
inline constexpr char kStatisticsStep[] = "split-descriptive-statistics";
// The split's search index (body: {"has_fts": true, "num_rows", "columns", "partial"}).
inline constexpr char kSearchStep[] = "split-search-index";
// The revision's files are on refs/convert/parquet (body: {"commit": the export's commit}).
inline constexpr char kExportStep[] = "dataset-parquet-export";

// The job queue's key of a dataset revision.
std::string job_key(const std::string& uid, const std::string& commit);
// JSON text, invalid UTF-8 replaced.
std::string dump(const Json& j);

// The HTTP status of a viewer error code (contract §1.4).
int status_of(const std::string& code);
// A stored error answer.
domain::ViewerResult error_result(const std::string& code, const std::string& message);
// A job told to stop: its split is computed again by whoever takes the job over.
domain::ViewerResult stopped_result();

ViewerAnswer not_ready(const std::string& revision = "");
ViewerAnswer not_found(const std::string& revision);
ViewerAnswer unexpected_error();
// The error of a config the layout lists without splits.
ViewerAnswer config_error(const Json& config, const std::string& revision);
// A stored answer, as it was stored.
ViewerAnswer replay(const domain::ViewerResult& r);

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

// ---- what a job reads a split from ----

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

// ---- stored Parquet files ----

// A stored file entry: what open_repo_file_at needs, without the revision's whole listing.
// `num_bytes`: the row groups' uncompressed bytes (what /info and /size call the split's size in
// memory; `datasets` counts Arrow's buffers, which this approximates).
Json file_json(const FileEntry& e, uint64_t num_rows, uint64_t num_bytes);
std::optional<FileEntry> file_entry_of(const Json& j);
// A row of cells (in `names` order) as the object the answers show.
Json row_object(const std::vector<std::string>& names, datasets::Row& row);
// A file the reader refused: the dataset's own fault, said plainly; the store's failure goes to
// the operator's log and the answer stays generic.
std::string read_failure(const domain::RepoRecord& repo, const std::string& path,
                         const Status& status);

// ---- media cells (contract §3.2; viewer_media.cpp) ----

// Where a media cell's URL points: the split's row and column at one revision.
struct MediaPlace {
  const std::string& dataset;
  const std::string& revision;
  const std::string& config;
  const std::string& split;
};

// The media type of a top-level feature ("Image", "Audio", "Video", "Pdf"), or "" (also for an
// Image with decode: false, which `datasets` hands out as its raw struct).
std::string media_type(const Json& type);
// Media cells of a row (an object keyed by column) in place.
void media_cells(const Json& features, Json& row, const MediaPlace& at, uint64_t row_idx);
// Relative media URLs made absolute with the hub's public URL, in an answer's rows.
void absolute_media(const Json& features, Json& items, const std::string& base);

// ---- the rows of a CSV, JSON or text split (viewer_split_rows.cpp) ----

// Reads a split's files one after the other through the streaming readers, the cells of each
// row by the split's columns (a file's column maps by name; a CSV file with a column the
// earlier files lacked is the `datasets` cast error), observed by a FeatureInference. Reads at
// most `max_bytes` decompressed bytes from at most `max_files` files (files_left_out() says
// when files were left); stops when the job is told to.
class SplitRows {
 public:
  SplitRows(const SplitContext& s, uint64_t max_bytes, size_t max_files);
  ~SplitRows();
  // The next row (one cell per column so far), nullopt at the end, or an error whose answer
  // is failure().
  Result<std::optional<datasets::Row>> next();
  // A CSV split's rows as text (text_rows()): the next row's cells as next() would give them
  // but as views (into the reader, valid until the next call; an empty view is a null), one
  // per column; nullptr at the end. Observed by the inference as next()'s rows are.
  // With `typed`: the row is also typed there, by the types that hold once it is observed
  // (FeatureInference::observe_text, each cell parsed once).
  Result<const std::vector<std::string_view>*> next_text(
      std::vector<datasets::ScalarCell>* typed = nullptr);
  bool text_rows() const { return s_.config.builder == "csv"; }
  const std::vector<std::string>& columns() const { return columns_; }
  const datasets::FeatureInference& inference() const { return inference_; }
  uint64_t rows() const { return rows_; }
  // Decompressed bytes read so far, all files together.
  uint64_t bytes_read() const { return done_bytes_ + (reader_ ? reader_->bytes_read() : 0); }
  bool files_left_out() const { return files_left_out_; }
  // Set when next() failed: the answer to store (stopped_result() when the job was stopped).
  const std::optional<domain::ViewerResult>& failure() const { return failure_; }

 private:
  Status fail(domain::ViewerResult result);
  bool open_next();
  Status map_columns();
  Status read_failed(const Status& st);

  const SplitContext& s_;
  uint64_t budget_;
  size_t max_files_;
  size_t next_file_ = 0;
  size_t opened_ = 0;
  bool files_left_out_ = false;
  std::string path_;  // of the file read now
  std::unique_ptr<datasets::RowReader> reader_;
  datasets::TextRowReader* text_reader_ = nullptr;  // reader_, when it reads text rows
  uint64_t done_bytes_ = 0;
  datasets::FeatureInference inference_;
  std::vector<std::string> columns_;
  std::unordered_map<std::string, size_t> column_index_;
  std::vector<size_t> reader_places_;         // the split's column of each of the reader's columns
  std::vector<std::string_view> text_cells_;  // next_text()'s row
  uint64_t rows_ = 0;
  std::optional<domain::ViewerResult> failure_;
};

// ---- steps of a job (viewer_first_rows.cpp, viewer_parquet.cpp) ----

// First rows of a CSV, JSON or text split, through the streaming readers.
domain::ViewerResult first_rows_of(const SplitContext& s);
// The /first-rows answer of rows already typed (objects keyed by column name) and their
// Features ([{"name", "type"}]): truncated to the answer's size as the contract says.
domain::ViewerResult first_rows_result(const SplitContext& s, const Json& inferred,
                                       const std::vector<Json>& typed, bool all_fetched);

struct ParquetSplit {
  domain::ViewerResult files;       // kParquetFilesStep
  domain::ViewerResult first_rows;  // kFirstRowsStep
};
// A Parquet split's files (every footer read once) and, `with_first_rows`, its first rows
// (first_rows is left empty without).
ParquetSplit parquet_split_of(const SplitContext& s, bool with_first_rows = true);
// The split's statistics (contract §2.10, §4) from its stored Parquet files (`files`: the
// kParquetFilesStep body).
domain::ViewerResult statistics_of(const SplitContext& s, const Json& files);

// ---- the search index (viewer_search.cpp) ----

// Where the search index of a split of a revision lies (under the data folder's
// viewer/search/{uid}/{revision}/).
std::string search_index_path(Hub& hub, const std::string& uid, const std::string& revision,
                              const std::string& config, const std::string& split);
// Builds the split's search index from its stored Parquet files (`files`: the
// kParquetFilesStep body): the kSearchStep result (SearchFeatureNotAvailableError without
// string columns).
// The hub's own failure (disk, SQLite) is set in *internal instead: the job tries again.
// *revision_text_left: the text the revision's indexes may still hold, all splits together
// (taken by this one; past it the split's index is partial).
domain::ViewerResult search_index_of(const SplitContext& s, const Json& files,
                                     uint64_t* revision_text_left, Status* internal);

// ---- the Parquet export, refs/convert/parquet (contract §7; viewer_export.cpp) ----

inline constexpr char kExportRef[] = "refs/convert/parquet";

// The folder of a split's files in the export: {config}/{split}, or {config}/partial-{split}
// when not every row is in it.
std::string export_folder(const std::string& config, const std::string& split, bool partial);
// The path of a split's file `index` in the export ({folder}/0000.parquet…).
std::string export_path(const std::string& folder, size_t index);

// What one export (one dataset revision) may read and write, all splits together: the Hub's
// 5 GB of Parquet (maxDatasetSizeBytes), and as many decompressed bytes read from the files.
struct ExportBudget {
  uint64_t read_left = ViewerLimits::kExportMaxBytes;
  uint64_t write_left = ViewerLimits::kExportMaxBytes;
};

// A file of the export: an object of the store (LFS) or a git blob of the revision (a small
// Parquet file the dataset keeps in git, linked as it is).
struct ExportFile {
  std::string path;
  std::optional<LfsPointer> lfs;
  std::string blob_oid;  // when not LFS
};

// A CSV, JSON or text split written as Parquet shards into the object store (not yet in the
// export's tree: publish_export does that).
struct ExportedSplit {
  std::vector<ExportFile> files;
  bool partial = false;  // the budget ran out before the last row
  uint64_t rows = 0;
  uint64_t original_bytes = 0;                  // of the split's files, as stored
  std::optional<uint64_t> estimated_rows;       // partial, from the share of the files read
  std::optional<domain::ViewerResult> failure;  // the split cannot be exported (stored as such)
  Status internal;  // the hub's own failure (disk, store): the job tries again
};

// Reads the split twice: once to infer its Features over every row the budget allows, then to
// write those rows as Parquet (datasets' 1,000-row groups, shards of kExportShardBytes).
ExportedSplit export_split(const SplitContext& s, ExportBudget& budget);

// Whether a config's name can be a folder of the export (not empty, not "." or "..", not a
// name git refuses).
bool exportable_config(const std::string& config);

// Makes `files` the export's content: one commit without parents ("Update parquet files", by
// parquet-converter: the Hub's squashed history) holding them and a .gitattributes that marks
// *.parquet as LFS, the ref moved with a logged compare-and-swap. Nothing is written when the
// export already holds exactly these files, or when there are none and no export yet ("").
// Returns the export's commit.
Result<std::string> publish_export(Hub& hub, RepoHandle& git, const domain::RepoRecord& repo,
                                   const std::vector<ExportFile>& files);

// ---- what the stored Parquet files of a dataset's splits say (viewer_answers.cpp) ----

struct SplitFigures {
  std::string split;
  uint64_t files_bytes = 0;   // the Parquet files' sizes
  uint64_t memory_bytes = 0;  // their row groups' uncompressed bytes
  uint64_t rows = 0;
  size_t columns = 0;
  uint64_t original_bytes = 0;  // of the files it was exported from (Parquet: files_bytes)
  bool partial = false;         // exported in part
  std::optional<uint64_t> estimated_rows;
};
struct ConfigFigures {
  std::string config;
  std::string builder;
  Json features;  // [{"name", "type"}] of its first split
  std::vector<SplitFigures> splits;
  bool partial = false;
};
struct DatasetFigures {
  std::vector<ConfigFigures> configs;
  Json pending = Json::array();
  Json failed = Json::array();
};

// The figures of every config (or `only_config`) of the layout, from the splits' stored
// Parquet files; configs with a split not stored yet are `pending`, with a failed one `failed`
// (items of `kind`).
DatasetFigures figures_of(Hub& hub, const domain::RepoRecord& repo,
                          const domain::ViewerResult& layout, const std::string& only_config,
                          const std::string& kind);

// ---- where answers come from ----

// Where the answers for a dataset come from now (see dataset_viewer.hpp): the revision, and its
// layout.
struct Located {
  std::optional<ViewerAnswer> answer;  // set when there is nothing to read (not ready, failed)
  domain::ViewerResult layout;
};
Located locate(Hub& hub, DatasetViewer& viewer, const domain::RepoRecord& repo);

// The layout the answers of a dataset come from (see dataset_viewer.hpp), or what to answer
// instead: not ready, or the layout's own error (a dataset that failed as a whole answers it
// from every endpoint).
std::variant<domain::ViewerResult, ViewerAnswer> answering_layout(Hub& hub, DatasetViewer& viewer,
                                                                  const domain::RepoRecord& repo);

}  // namespace vitrine::service::viewer
