// The rows of a CSV, JSON or text split through the streaming readers (viewer_internal.hpp).

#include <spdlog/spdlog.h>

#include <algorithm>

#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"

namespace vitrine::service::viewer {
namespace {

// The bytes a reading may pull from a split's files, decompressed, in all: the budget that
// bounds a job whose files are mostly skipped content (blank lines) or bombs. Also where a job
// told to stop (its lease lost, the server stopping) stops reading.
class BudgetSource : public datasets::ByteSource {
 public:
  BudgetSource(std::unique_ptr<datasets::ByteSource> in, uint64_t* left, uint64_t budget,
               const JobContext* job)
      : in_(std::move(in)), left_(left), budget_(budget), job_(job) {}
  Result<size_t> read(char* out, size_t n) override {
    if (job_ && job_->cancelled())
      return Status(ErrorKind::kPreconditionFailed, "the job was stopped");
    if (*left_ == 0) {
      return Status(ErrorKind::kPayloadTooLarge, "the split's files hold more than " +
                                                     std::to_string(budget_ >> 20) +
                                                     " MiB the viewer reads");
    }
    auto got = in_->read(out, static_cast<size_t>(std::min<uint64_t>(n, *left_)));
    if (got) *left_ -= *got;
    return got;
  }

 private:
  std::unique_ptr<datasets::ByteSource> in_;
  uint64_t* left_;
  uint64_t budget_;
  const JobContext* job_;
};

// The reader of a config's files; *text is set to it when it is a TextRowReader (CSV).
std::unique_ptr<datasets::RowReader> open_reader(const datasets::ConfigLayout& config,
                                                 std::unique_ptr<datasets::ByteSource> source,
                                                 datasets::TextRowReader** text) {
  *text = nullptr;
  if (config.builder == "csv") {
    datasets::CsvOptions options;
    for (const char* key : {"sep", "delimiter"}) {
      auto it = config.builder_kwargs.find(key);
      if (it != config.builder_kwargs.end() && it->is_string() &&
          it->get<std::string>().size() == 1) {
        options.sep = it->get<std::string>()[0];
      }
    }
    auto reader = datasets::csv_reader(std::move(source), options);
    *text = reader.get();
    return reader;
  }
  if (config.builder == "json") return datasets::json_reader(std::move(source));
  return datasets::text_reader(std::move(source));
}

datasets::SourceFormat format_of(const std::string& builder) {
  return builder == "csv"    ? datasets::SourceFormat::kCsv
         : builder == "json" ? datasets::SourceFormat::kJson
                             : datasets::SourceFormat::kText;
}

}  // namespace

SplitRows::SplitRows(const SplitContext& s, uint64_t max_bytes, size_t max_files)
    : s_(s), budget_(max_bytes), max_files_(max_files), inference_(format_of(s.config.builder)) {
  const auto& builder = s.config.builder;
  if (builder != "csv" && builder != "json" && builder != "text") {
    failure_ = error_result("NotImplementedError",
                            "This hub's viewer does not read " + builder +
                                " files yet (it reads Parquet, CSV, TSV, JSON, JSON Lines and "
                                "text files, compressed or not)");
  }
}

SplitRows::~SplitRows() = default;

Status SplitRows::fail(domain::ViewerResult result) {
  failure_ = std::move(result);
  return Status(ErrorKind::kUnprocessable, "the split cannot be read");
}

// Opens the next file of the split; false at the end (or on a failure, then set).
bool SplitRows::open_next() {
  if (reader_) {
    done_bytes_ += reader_->bytes_read();
    text_reader_ = nullptr;
    reader_.reset();
  }
  while (next_file_ < s_.split.files.size()) {
    const auto& path = s_.split.files[next_file_++];
    auto entry = s_.files.find(path);
    if (entry == s_.files.end()) continue;
    if (++opened_ > max_files_) {
      files_left_out_ = true;
      return false;
    }
    auto source = open_repo_file(s_.hub, s_.git, *entry->second);
    if (!source) {
      // The store's own failure: its detail (paths, errno) is for the operator's log.
      spdlog::error("viewer: opening {} of {}: {}", path, s_.repo.id(), source.status().message());
      fail(error_result("StreamingRowsError", "Cannot open " + path + " in the hub's store"));
      return false;
    }
    path_ = path;
    reader_places_.clear();
    reader_ =
        open_reader(s_.config,
                    std::make_unique<BudgetSource>(
                        datasets::decompressing(std::move(*source), datasets::compression_of(path),
                                                ViewerLimits::kMaxDecompressedBytes),
                        &budget_, budget_, s_.job),
                    &text_reader_);
    return true;
  }
  return false;
}

// The reader's new columns mapped to the split's (a reader's columns only grow, so each is
// looked up once).
Status SplitRows::map_columns() {
  const auto& names = reader_->columns();
  for (size_t i = reader_places_.size(); i < names.size(); ++i) {
    auto [at, added] = column_index_.try_emplace(names[i], columns_.size());
    if (added) {
      if (s_.config.builder == "csv" && rows_ > 0) {
        return fail(error_result("DatasetGenerationCastError",
                                 "All the data files must have the same columns, but " + path_ +
                                     " has the new column '" + names[i] + "'"));
      }
      columns_.push_back(names[i]);
    }
    reader_places_.push_back(at->second);
  }
  if (columns_.size() > 1000) {
    return fail(error_result("TooManyColumnsError",
                             "The number of columns (" + std::to_string(columns_.size()) +
                                 ") exceeds the maximum supported number of columns (1000)."));
  }
  return Status::ok();
}

// A reader's failure as the split's.
Status SplitRows::read_failed(const Status& st) {
  if (s_.job && s_.job->cancelled()) return fail(stopped_result());
  return fail(error_result("StreamingRowsError", "Cannot read " + path_ + ": " + st.message()));
}

Result<std::optional<datasets::Row>> SplitRows::next() {
  if (failure_) return Status(ErrorKind::kUnprocessable, "the split cannot be read");
  for (;;) {
    if (!reader_ && !open_next()) {
      if (failure_) return Status(ErrorKind::kUnprocessable, "the split cannot be read");
      return std::optional<datasets::Row>();
    }
    auto row = reader_->next();
    if (!row) return read_failed(row.status());
    if (!*row) {
      open_next();
      if (failure_) return Status(ErrorKind::kUnprocessable, "the split cannot be read");
      if (!reader_) return std::optional<datasets::Row>();
      continue;
    }
    // Columns by name across files: a file's column maps to the split's.
    if (auto st = map_columns(); !st) return st;
    datasets::Row global(columns_.size());
    for (size_t i = 0; i < reader_places_.size() && i < (*row)->size(); ++i) {
      global[reader_places_[i]] = std::move((**row)[i]);
    }
    inference_.observe(columns_, global);
    ++rows_;
    return std::optional<datasets::Row>(std::move(global));
  }
}

Result<const std::vector<std::string_view>*> SplitRows::next_text(
    std::vector<datasets::ScalarCell>* typed) {
  if (failure_) return Status(ErrorKind::kUnprocessable, "the split cannot be read");
  for (;;) {
    if (!reader_ && !open_next()) {
      if (failure_) return Status(ErrorKind::kUnprocessable, "the split cannot be read");
      return nullptr;
    }
    if (!text_reader_) return Status(ErrorKind::kInternal, "the split's reader has no text rows");
    auto cells = text_reader_->next_text();
    if (!cells) return read_failed(cells.status());
    if (!*cells) {
      open_next();
      if (failure_) return Status(ErrorKind::kUnprocessable, "the split cannot be read");
      if (!reader_) return nullptr;
      continue;
    }
    if (auto st = map_columns(); !st) return st;
    text_cells_.assign(columns_.size(), std::string_view());
    for (size_t i = 0; i < reader_places_.size() && i < (*cells)->size(); ++i) {
      text_cells_[reader_places_[i]] = (**cells)[i];
    }
    if (typed) {
      inference_.observe_text(columns_, text_cells_, typed);
    } else {
      inference_.observe_text(text_cells_);
    }
    ++rows_;
    return &text_cells_;
  }
}

}  // namespace vitrine::service::viewer
