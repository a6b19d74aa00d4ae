// The Parquet export of CSV, JSON and text splits, and the refs/convert/parquet ref that holds
// it with the Parquet-native files linked (viewer_internal.hpp; contract §7).

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "formats/datasets/parquet_writer.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/transparency/log_entries.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/objects/blob_store.hpp"
#include "util/crypto.hpp"

namespace vitrine::service::viewer {
namespace {

constexpr char kConverter[] = "parquet-converter";
constexpr char kConverterEmail[] = "parquet-converter@users.noreply.vitrine";
constexpr char kMessage[] = "Update parquet files";

// One shard being written: an unnamed temporary file under the data folder (gone with its
// descriptor, whatever happens), hashed as it is written, then stored as an object.
class Shard {
 public:
  explicit Shard(Hub& hub) : hub_(hub) {
    std::string dir = hub.config().data_dir + "/lfs/tmp";
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  }
  ~Shard() {
    if (fd_ >= 0) ::close(fd_);
  }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  bool opened() const { return fd_ >= 0; }
  uint64_t size() const { return size_; }

  // Bytes are hashed as they come and written to the file in pieces of about kBuffer (the
  // Parquet writer hands over each column chunk: thousands of small pieces).
  Status write(std::string_view bytes) {
    sha_.update(bytes);
    size_ += bytes.size();
    if (buffer_.size() + bytes.size() < kBuffer) {
      buffer_.append(bytes);
      return Status::ok();
    }
    if (auto st = write_out(buffer_); !st) return st;
    buffer_.clear();
    if (bytes.size() >= kBuffer) return write_out(bytes);
    buffer_.append(bytes);
    return Status::ok();
  }

  // Stores the bytes as an object (once: the store is content-addressed); its pointer.
  Result<LfsPointer> store() {
    if (auto st = write_out(buffer_); !st) return st;
    buffer_.clear();
    LfsPointer pointer{sha_.finish_hex(), size_};
    if (hub_.blobs().exists(pointer.oid)) return pointer;
    auto writer = hub_.blobs().begin_write(pointer.oid, size_);
    if (!writer) return writer.status();
    std::string buffer(1 << 20, '\0');
    for (uint64_t offset = 0; offset < size_;) {
      ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return internal_error("reading back a Parquet shard");
      if (auto st = (*writer)->write(std::string_view(buffer.data(), static_cast<size_t>(n)));
          !st) {
        return st;
      }
      offset += static_cast<uint64_t>(n);
    }
    if (auto st = (*writer)->commit(); !st) return st;
    return pointer;
  }

 private:
  static constexpr size_t kBuffer = 1u << 20;

  Status write_out(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return internal_error(std::string("writing a Parquet shard: ") + std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return Status::ok();
  }

  Hub& hub_;
  int fd_ = -1;
  uint64_t size_ = 0;  // bytes given, written or buffered
  std::string buffer_;
  util::Sha256 sha_;
};

// Whether a split's files are all uncompressed (their stored size is what is read).
bool uncompressed(const SplitContext& s) {
  for (const auto& path : s.split.files) {
    if (datasets::compression_of(path) != datasets::Compression::kNone) return false;
  }
  return true;
}

}  // namespace

bool exportable_config(const std::string& config) {
  if (config.empty() || config == "." || config == ".." || config.find('/') != std::string::npos) {
    return false;
  }
  std::string lower;
  for (char ch : config) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower != ".git";
}

std::string export_folder(const std::string& config, const std::string& split, bool partial) {
  return config + "/" + (partial ? "partial-" : "") + split;
}

std::string export_path(const std::string& folder, size_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "%04zu.parquet", index);
  return folder + "/" + name;
}

namespace {

// The shards of one split: rows go into the open shard's writer, which is closed into the
// object store past kExportShardBytes; every stored shard is charged to the write budget.
class ShardWriter {
 public:
  // `background`: rows are written on a spare thread while the next are read
  // (ParquetWriteOptions::background), so a refused row is reported by a later add() or by
  // finish(). Used for ScalarCell rows: JSON rows handed to another thread made the JSON Lines
  // export slower (2.9 to 3.9 s for 112 MiB: every cell a heap value read on another core).
  ShardWriter(Hub& hub, std::string repo_uid, Json features, ExportBudget& budget, bool background)
      : hub_(hub),
        repo_uid_(std::move(repo_uid)),
        features_(std::move(features)),
        budget_(budget),
        background_(background) {}

  // Adds a row; kUnprocessable when a cell does not fit the features, reported by this call or,
  // in the background, a later one: the shard cannot be finished then.
  Status add(const datasets::Row& row) {
    return add_with([&] { return writer_->add_row(row); });
  }
  Status add(const std::vector<datasets::ScalarCell>& row) {
    return add_with([&] { return writer_->add_scalar_row(row); });
  }
  // The open shard's bytes, written and buffered.
  uint64_t shard_bytes() const {
    return writer_ ? writer_->bytes_written() + writer_->bytes_buffered() : 0;
  }
  // Closes the last shard (an empty file with the columns when there were no rows, as
  // `datasets` writes an empty split); the shards stored, in order.
  Result<std::vector<ExportFile>> finish() {
    if (!writer_ && files_.empty()) {
      if (auto st = open(); !st) return st;
    }
    if (auto st = close(); !st) return st;
    return files_;
  }
  uint64_t rows() const { return rows_; }

 private:
  template <typename AddRow>
  Status add_with(AddRow add_row) {
    if (!writer_) {
      if (auto st = open(); !st) return st;
    }
    if (auto st = add_row(); !st) return st;
    ++rows_;
    if (shard_bytes() >= ViewerLimits::kExportShardBytes) return close();
    return Status::ok();
  }
  Status open() {
    shard_ = std::make_unique<Shard>(hub_);
    if (!shard_->opened()) {
      return internal_error(std::string("cannot create a temporary file under lfs/tmp: ") +
                            std::strerror(errno));
    }
    Shard* target = shard_.get();
    datasets::ParquetWriteOptions options;
    options.background = background_;
    options.first_row_number = rows_;  // messages number the split's rows
    auto created = datasets::ParquetWriter::create(
        features_, [target](std::string_view bytes) { return target->write(bytes); }, options);
    if (!created) return created.status();
    writer_ = std::move(*created);
    return Status::ok();
  }
  Status close() {
    if (!writer_) return Status::ok();
    if (auto st = writer_->finish(); !st) return st;
    auto stored = shard_->store();
    if (!stored) return stored.status();
    // Linked (or its link stamped again) as soon as stored, so `vitrine gc` keeps a shard that
    // equals an older export's while this export is being written.
    if (auto st = hub_.db().add_export_lfs_objects(repo_uid_, {stored->oid}); !st) return st;
    budget_.write_left -= std::min(budget_.write_left, stored->size);
    files_.push_back(ExportFile{"", *stored, ""});  // its path once partial is known
    writer_.reset();
    shard_.reset();
    return Status::ok();
  }

  Hub& hub_;
  std::string repo_uid_;
  Json features_;
  ExportBudget& budget_;
  bool background_;
  std::unique_ptr<Shard> shard_;
  std::unique_ptr<datasets::ParquetWriter> writer_;
  std::vector<ExportFile> files_;
  uint64_t rows_ = 0;
};

// Rows held before the first are written in a single pass: their types are the file's unless a
// later row widens one (then the split is read again).
constexpr size_t kSinglePassHeldRows = 10'000;
constexpr uint64_t kSinglePassHeldBytes = 64u << 20;

// A split's rows as the export reads them: JSON cells, or for a CSV split the cells' text,
// typed into ScalarCells without a JSON value per cell (every row of the split passes here).
class ExportRows {
 public:
  ExportRows(const SplitContext& s, uint64_t max_bytes)
      : rows_(s, max_bytes, ViewerLimits::kMaxParquetFilesPerSplit), text_(rows_.text_rows()) {}

  const SplitRows& rows() const { return rows_; }
  // Reads the next row (observed by the inference); false at the end. An error's answer is
  // rows().failure(). `to_write`: the row will be written by the inference as it is then (a
  // text row is typed as it is observed).
  Result<bool> next(bool to_write = false) {
    if (text_) {
      auto cells = rows_.next_text(to_write ? &scalars_ : nullptr);
      if (!cells) return cells.status();
      cells_ = *cells;
      typed_ = to_write;
      return cells_ != nullptr;
    }
    uint64_t before = rows_.bytes_read();
    auto row = rows_.next();
    if (!row) return row.status();
    row_ = std::move(*row);
    row_bytes_ = static_cast<size_t>(rows_.bytes_read() - before);
    return row_.has_value();
  }
  // Keeps the row read last, to be written once the types are known.
  void hold() {
    if (text_) {
      for (std::string_view cell : *cells_) {
        held_text_.append(cell);
        held_ends_.push_back(held_text_.size());
        held_bytes_ += cell.size() + sizeof(size_t);
      }
      held_widths_.push_back(cells_->size());
    } else {
      held_bytes_ += row_bytes_ + row_->size() * sizeof(nlohmann::json);
      held_rows_.push_back(std::move(*row_));
    }
  }
  size_t held() const { return text_ ? held_widths_.size() : held_rows_.size(); }
  // The held rows, typed by the inference so far over `columns`, added to `out` and dropped.
  Status write_held(ShardWriter& out, const std::vector<std::string>& columns) {
    size_t cell = 0;
    for (size_t r = 0; r < held_widths_.size(); ++r) {
      cells_held_.clear();
      for (size_t end = cell + held_widths_[r]; cell < end; ++cell) {
        size_t begin = cell == 0 ? 0 : held_ends_[cell - 1];
        cells_held_.emplace_back(held_text_.data() + begin, held_ends_[cell] - begin);
      }
      rows_.inference().typed_text(columns, cells_held_, &scalars_);
      if (auto st = out.add(scalars_); !st) return st;
    }
    for (auto& row : held_rows_) {
      if (auto st = out.add(rows_.inference().typed(columns, std::move(row))); !st) return st;
    }
    drop_held();
    return Status::ok();
  }
  // The memory the held rows take: their text (or the bytes they were read from) and their
  // cells, counted toward kSinglePassHeldBytes.
  uint64_t held_bytes() const { return held_bytes_; }
  void drop_held() {  // and gives their memory back
    held_rows_ = {};
    held_text_ = {};
    held_ends_ = {};
    held_widths_ = {};
    held_bytes_ = 0;
  }
  // The row read last, typed by `inference` over `columns` (the reading's own, or the first
  // reading's final types for the second), added to `out`. A text row read with next(true) was
  // typed by the reading's own inference as it was observed.
  Status write(ShardWriter& out, const datasets::FeatureInference& inference,
               const std::vector<std::string>& columns) {
    if (text_) {
      if (!typed_ || &inference != &rows_.inference() || scalars_.size() != columns.size()) {
        inference.typed_text(columns, *cells_, &scalars_);
      }
      return out.add(scalars_);
    }
    return out.add(inference.typed(columns, std::move(*row_)));
  }

 private:
  SplitRows rows_;
  bool text_;
  std::optional<datasets::Row> row_;                      // JSON: the row read last
  const std::vector<std::string_view>* cells_ = nullptr;  // text: the row read last
  bool typed_ = false;                                    // and its cells in scalars_
  size_t row_bytes_ = 0;                  // JSON: the bytes the row read last came from
  std::vector<datasets::Row> held_rows_;  // JSON
  uint64_t held_bytes_ = 0;
  std::string held_text_;                      // text: the cells back to back,
  std::vector<size_t> held_ends_;              // where each ends,
  std::vector<size_t> held_widths_;            // and how many a row has
  std::vector<std::string_view> cells_held_;   // scratch
  std::vector<datasets::ScalarCell> scalars_;  // scratch
};

}  // namespace

ExportedSplit export_split(const SplitContext& s, ExportBudget& budget) {
  ExportedSplit out;
  for (const auto& path : s.split.files) {
    auto entry = s.files.find(path);
    if (entry != s.files.end()) out.original_bytes += entry->second->size();
  }
  // The rows the budget allows (a row is at most the readers' max_row_bytes, so the budget is
  // passed by less than one row). A split that finds the budget spent still gets its first rows
  // (kExportMinSplitBytes), so it is partial, not absent.
  uint64_t read_budget = budget.write_left == 0 ? 0 : budget.read_left;
  read_budget = std::max(read_budget, ViewerLimits::kExportMinSplitBytes);
  ExportRows reading(s, read_budget + (64u << 20));
  const SplitRows& scan = reading.rows();
  // What the first reading read is charged whatever happens next (a split that fails late
  // costs too); a second reading reads the same rows again.
  struct Charge {
    ExportBudget& budget;
    const SplitRows& rows;
    ~Charge() { budget.read_left -= std::min(budget.read_left, rows.bytes_read()); }
  } charge{budget, scan};
  auto fail = [&](const std::string& code, const std::string& message) {
    out.failure = error_result(code, message);
    return out;
  };
  // The hub's own failure (disk, store): the job tries again later.
  auto internal = [&](const Status& st) {
    spdlog::error("viewer: exporting {}: {}", s.repo.id(), st.message());
    out.internal = st;
    return out;
  };
  // The writer's message names the column and the split's row.
  auto refused = [&](const Status& st) {
    if (st.kind() == ErrorKind::kInternal) return internal(st);
    return fail("DatasetGenerationError", "Cannot write the split as Parquet: " + st.message());
  };

  // First reading: every row observed; once kSinglePassHeldRows are held their types are
  // taken, and rows are written as they come (`single` until a row does not fit them).
  bool cut = false;  // rows were left out by the budget
  std::optional<ShardWriter> single;
  bool single_ok = true;
  Json single_features;
  std::vector<std::string> single_columns;
  std::optional<datasets::FeatureInference> single_types;  // the inference when it began
  auto start_single = [&]() -> Status {
    single_columns = scan.columns();
    single_types = scan.inference();
    single_features = features_type(scan.inference().features(single_columns));
    single.emplace(s.hub, s.repo.uid, single_features, budget, scan.text_rows());
    return reading.write_held(*single, single_columns);
  };
  bool write_cut = false;                   // the write budget ran out in the single pass
  uint64_t write_left = budget.write_left;  // given back when the single pass is abandoned
  for (;;) {
    if (scan.bytes_read() >= read_budget || write_cut) {
      // The budget is spent: one more row says whether any were left out (it is observed, not
      // written).
      auto more = reading.next();
      if (!more) {
        out.failure = *scan.failure();
        return out;
      }
      cut = *more;
      break;
    }
    auto more = reading.next(single && single_ok);
    if (!more) {
      out.failure = *scan.failure();
      return out;
    }
    if (!*more) break;
    if (!single_ok) continue;
    if (!single) {
      reading.hold();
      if (reading.held() < kSinglePassHeldRows && reading.held_bytes() < kSinglePassHeldBytes) {
        continue;
      }
      if (auto st = start_single(); !st) {
        if (st.kind() == ErrorKind::kInternal) return internal(st);
        single_ok = false;
        reading.drop_held();
      }
      continue;
    }
    if (scan.columns().size() != single_columns.size()) {
      single_ok = false;  // a new column: read again
      continue;
    }
    auto st = reading.write(*single, scan.inference(), single_columns);
    if (!st) {
      if (st.kind() == ErrorKind::kInternal) return internal(st);
      single_ok = false;  // a cell that no longer fits: read again
      continue;
    }
    if (single->shard_bytes() >= budget.write_left) write_cut = true;
  }
  uint64_t rows = scan.rows() - (cut ? 1 : 0);
  uint64_t scanned_bytes = scan.bytes_read();
  out.partial = cut || scan.files_left_out();
  if (rows == 0 && scan.columns().empty()) {
    out.failure = error_result("EmptyDatasetError", "The split " + s.split.split + " has no rows.");
    return out;
  }
  Json features = features_type(scan.inference().features(scan.columns()));
  const auto& columns = scan.columns();
  const auto& inference = scan.inference();
  // The single pass holds when the types of its first rows are the final ones (types only
  // widen, so equal at the end means equal throughout).
  if (single_ok && !single) {
    // Fewer rows than were held: all of them, typed by what they all say.
    if (auto st = start_single(); !st) {
      if (st.kind() == ErrorKind::kInternal) return internal(st);
      single_ok = false;
    }
  }
  single_ok = single_ok && single_columns == columns && single_types &&
              single_types->same_types(inference, columns);
  std::vector<ExportFile> files;
  if (single_ok) {
    // The last rows are written now: one of them may still not fit (then read again).
    auto finished = single->finish();
    if (finished) {
      files = std::move(*finished);
      out.rows = single->rows();
      out.partial = out.partial || write_cut;
    } else if (finished.status().kind() == ErrorKind::kInternal) {
      return internal(finished.status());
    } else {
      single_ok = false;
    }
  }
  if (!single_ok) {
    // Second reading: the same rows, typed by what the first inferred. The single pass's shards
    // are dropped (unlinked objects, which `vitrine gc` removes) and its bytes not counted.
    single.reset();
    budget.write_left = write_left;
    ExportRows again(s, read_budget + (64u << 20));
    ShardWriter shards(s.hub, s.repo.uid, features, budget, scan.text_rows());
    for (uint64_t written = 0; written < rows; ++written) {
      auto more = again.next();
      if (!more) {
        out.failure = *again.rows().failure();
        return out;
      }
      if (!*more) return fail("StreamingRowsError", "The split's files changed while being read");
      if (auto st = again.write(shards, inference, columns); !st) return refused(st);
      out.rows = written + 1;
      if (shards.shard_bytes() >= budget.write_left && out.rows < rows) {
        out.partial = true;
        break;
      }
    }
    auto finished = shards.finish();
    if (!finished) return refused(finished.status());
    files = std::move(*finished);
  }
  out.files = std::move(files);
  std::string folder = export_folder(s.config.name, s.split.split, out.partial);
  for (size_t i = 0; i < out.files.size(); ++i) out.files[i].path = export_path(folder, i);
  if (out.partial) {
    // The split's rows: known when the reading saw them all, else from the share of the files
    // read (uncompressed files only: the Hub's estimate).
    if (!cut && !scan.files_left_out()) {
      out.estimated_rows = rows;
    } else if (uncompressed(s) && scanned_bytes > 0) {
      out.estimated_rows = static_cast<uint64_t>(static_cast<double>(rows) *
                                                 static_cast<double>(out.original_bytes) /
                                                 static_cast<double>(scanned_bytes));
    }
  }
  return out;
}

Result<std::string> publish_export(Hub& hub, RepoHandle& git, const domain::RepoRecord& repo,
                                   const std::vector<ExportFile>& files) {
  using Kind = storage::TreeChange::Kind;
  std::vector<storage::TreeChange> changes;
  std::vector<std::string> oids;
  auto attributes = git->write_blob("*.parquet filter=lfs diff=lfs merge=lfs -text\n");
  if (!attributes) return attributes.status();
  changes.push_back({Kind::kPutBlob, ".gitattributes", *attributes, false});
  for (const auto& f : files) {
    std::string blob = f.blob_oid;
    if (f.lfs) {
      auto pointer = git->write_blob(format_lfs_pointer(*f.lfs));
      if (!pointer) return pointer.status();
      blob = *pointer;
      oids.push_back(f.lfs->oid);
    }
    changes.push_back({Kind::kPutBlob, f.path, blob, false});
  }
  auto current = git->ref_target(kExportRef);
  if (files.empty() && !current) return std::string();  // nothing exported, nothing to clear
  auto tree = git->build_tree("", changes);
  if (!tree) return tree.status();
  if (current) {
    auto info = git->commit_info(*current);
    if (info && info->tree == *tree) return *current;  // the export holds these files already
  }
  auto commit = git->create_commit(*tree, {}, kConverter, kConverterEmail, kMessage);
  if (!commit) return commit.status();
  // Recorded before the ref moves, so a visible pointer always has its download right.
  if (auto st = hub.db().add_export_lfs_objects(repo.uid, oids); !st) return st;
  RefEntryHint hint{"", *tree};
  if (current) {
    auto info = git->commit_info(*current);
    if (!info) return info.status();
    hint.old_tree = info->tree;
  }
  if (auto st = logged_ref_update(hub, *git, repo, kConverter,
                                  RefMove{kExportRef,
                                          *commit,
                                          current.value_or(""),
                                          std::string("convert: ") + kMessage,
                                          {},
                                          {},
                                          hint});
      !st) {
    return st;
  }
  return *commit;
}

}  // namespace vitrine::service::viewer

namespace vitrine::service {

Result<DatasetViewer::ExportListing> DatasetViewer::export_listing(const domain::RepoRecord& repo) {
  ExportListing out;
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  auto head = (*git)->ref_target(viewer::kExportRef);
  if (!head) return out;
  // The export's files from the snapshot cache (by repository and commit): a listing per
  // export commit, not a tree walk per request.
  auto snapshot = RepoContents(hub_).snapshot(repo, &*git, *head);
  if (!snapshot) return snapshot.status();
  for (const auto& e : (*snapshot)->entries) {
    const std::string& path = e.git.path;
    if (e.git.is_dir || !path.ends_with(".parquet")) continue;
    auto first = path.find('/');
    auto last = path.rfind('/');
    if (first == std::string::npos || first == last) continue;
    out[path.substr(0, first)][path.substr(first + 1, last - first - 1)].push_back(path);
  }
  return out;
}

}  // namespace vitrine::service
