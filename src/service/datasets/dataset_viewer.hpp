// DatasetViewer: the dataset viewer's work and answers (dataset-viewer-contract.md), inside the
// hub. A new dataset revision (a push to main, `vitrine datasets reprocess`, or the first
// request that finds nothing) queues one "dataset-revision" job; the job derives the configs
// and splits (formats/datasets/data_files.hpp) and reads each split's first rows through the
// streaming readers, writing each answer as it is ready (MetadataDb's viewer results). The API
// reads those answers:
//   - from the main branch's head when its answers exist;
//   - else, while the head is being processed, from the newest revision processed before (with
//     that revision in X-Revision, as the Hub's viewer serves its cache until recomputed);
//   - else 500 ResponseNotReady (and the head is queued if it was not).
// An answer that failed is replayed with its status and X-Error-Code. Answers of older
// revisions are forgotten once the head is done.
//
// Bounds: a job reads at most kFirstRowsMax + 1 rows per split, each row at most the readers'
// max_row_bytes, from at most kMaxFilesOpenedPerSplit files; the answers kept per dataset are
// one revision's.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "domain/job.hpp"
#include "domain/repo.hpp"
#include "service/jobs/job_runner.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

inline constexpr char kDatasetRevisionJob[] = "dataset-revision";

struct ViewerLimits {
  static constexpr size_t kFirstRowsMax = 100;            // rows of /first-rows
  static constexpr size_t kFirstRowsMin = 10;             // kept whatever their size
  static constexpr size_t kFirstRowsMaxBytes = 200000;    // the Hub's production value
  static constexpr size_t kTruncatedCellBytes = 100;      // a cut cell's JSON bytes
  static constexpr size_t kMaxFilesOpenedPerSplit = 100;  // files tried for the first rows
  // Decompressed bytes read from one file for the first rows (they stop at kFirstRowsMax + 1).
  static constexpr uint64_t kMaxDecompressedBytes = 4ull << 30;
  // Decompressed bytes the readers may pull for one split's first rows, over all its files
  // (skipped blank lines included): the work one split may cost.
  static constexpr uint64_t kMaxBytesPerSplit = 256ull << 20;
  // Parquet files of one split the viewer reads (past it: DatasetWithTooManyParquetFilesError).
  static constexpr size_t kMaxParquetFilesPerSplit = 10000;
  static constexpr uint64_t kRowsMaxLength = 100;  // rows of one /rows page
  // Statistics read at most this many bytes of uncompressed row groups (the Hub's
  // max_split_size_bytes) and keep at most this many values (8 bytes each); the rest of the
  // split is left out and the answer says partial.
  static constexpr uint64_t kStatisticsMaxBytes = 1ull << 30;
  static constexpr uint64_t kStatisticsMaxValues = 32ull << 20;
  static constexpr size_t kStatisticsBatch = 32;  // columns read together
  // Threads that read one row group's columns for the statistics at once (each column's values
  // are added in row order by one thread at a time, so the answer is the same bits whatever
  // their number); at most the machine's cores: the job's thread and the process's idle spare
  // threads (util/spare_threads.hpp).
  static constexpr unsigned kStatisticsThreads = 4;
  // /filter scans at most this many rows and uncompressed row-group bytes a request (past them:
  // partial), and sorts long strings by their first kFilterMaxKeyBytes bytes.
  static constexpr uint64_t kFilterMaxRows = 5'000'000;
  static constexpr uint64_t kFilterMaxBytes = 1ull << 30;
  static constexpr size_t kFilterMaxKeyBytes = 256;
  static constexpr uint64_t kFilterBatchRows = 50'000;  // rows of a row group read at once
  // Decoded string bytes one request (/rows, /filter's page, an asset) may read, all its files
  // together (past it: TooBigContentError).
  static constexpr uint64_t kRequestMaxValueBytes = 64ull << 20;
  // The Parquet export of a revision writes at most this many bytes of Parquet, and reads as
  // many decompressed bytes of its files, all splits together (past them: the rest of the rows
  // are left out and the splits say partial), in shards of at most kExportShardBytes.
  static constexpr uint64_t kExportMaxBytes = 5'000'000'000;
  static constexpr uint64_t kExportShardBytes = 500'000'000;
  // A split the budget reaches spent is still read this far (its first rows, partial).
  static constexpr uint64_t kExportMinSplitBytes = 1u << 20;
  // Files in one export (a dataset's configs may name the same Parquet files many times); past
  // it, the splits that would add more are left out of the export.
  static constexpr size_t kMaxExportFiles = 100'000;
  // The search index of a split reads at most this many bytes of its Parquet files (the Hub's
  // 5 GB) and indexes at most kSearchMaxTextBytes of text (a row group begun is finished; past
  // either the index holds the rows read so far and says partial), and at most
  // kSearchMaxRowBytes of one row's text. A query stops after kSearchMaxMillis of work
  // (TooBigContentError: too many rows hold its words to rank them in time).
  static constexpr uint64_t kSearchMaxBytes = 5'000'000'000;
  static constexpr uint64_t kSearchMaxTextBytes = 1ull << 30;
  // ... and all the splits of a revision together at most kSearchMaxRevisionTextBytes (a card
  // may name the same files in many splits). Rows are read kSearchBatchRows at a time, the
  // pages they share kept in a cache of kSearchPageCacheBytes of the build's own.
  static constexpr uint64_t kSearchMaxRevisionTextBytes = 2ull << 30;
  static constexpr uint64_t kSearchBatchRows = 10'000;
  static constexpr size_t kSearchPageCacheBytes = 96u << 20;
  static constexpr size_t kSearchMaxRowBytes = 1u << 20;
  static constexpr uint64_t kSearchMaxMillis = 10'000;
};

// What an endpoint answers: the JSON body (text: its keys keep the viewer's order), or the
// viewer's error (status, X-Error-Code, body {"error": …}); `revision` is the dataset commit it
// comes from (X-Revision), when known.
struct ViewerAnswer {
  int status = 200;
  std::string error_code;
  std::string body;
  std::string revision;
  static ViewerAnswer error(int status, std::string code, std::string message,
                            std::string revision = "");
};

// A media cell's bytes (/datasets-server/assets/…), as stored in the dataset's file.
struct ViewerAsset {
  std::string bytes;
  std::string content_type;
};

class DatasetViewer {
 public:
  explicit DatasetViewer(Hub& hub) : hub_(hub) {}

  // Queues the processing of a dataset revision (nothing for a model): once, or again when
  // `redo` (its answers are recomputed).
  Result<domain::JobRecord> queue(const domain::RepoRecord& repo, const std::string& commit,
                                  bool redo = false);
  // Queues the main head of every dataset not processed yet (when the server starts).
  Status queue_all();
  // A "dataset-revision" job (JobRunner).
  JobOutcome process(JobContext& context);

  // The API's answers. The caller may read the dataset's files (access and gate checked).
  // Empty `config`/`split` mean the wider level, as the parameters' precedence says (§1.1).
  ViewerAnswer is_valid(const domain::RepoRecord& repo, const std::string& config,
                        const std::string& split);
  ViewerAnswer splits(const domain::RepoRecord& repo, const std::string& config);
  ViewerAnswer first_rows(const domain::RepoRecord& repo, const std::string& config,
                          const std::string& split);
  // /rows: `length` (at most kRowsMaxLength) rows from `offset`, read from the split's Parquet
  // files where they lie; splits of other formats wait for the Parquet export (501 for now).
  ViewerAnswer rows(const domain::RepoRecord& repo, const std::string& config,
                    const std::string& split, uint64_t offset, uint64_t length);
  // /filter (contract §5.2): the rows of a Parquet split that match `where`, in `orderby`'s
  // order (row order without), `length` of them from `offset`; both parameters are parsed
  // (formats/datasets/row_filter.hpp), never handed to an SQL engine.
  ViewerAnswer filter(const domain::RepoRecord& repo, const std::string& config,
                      const std::string& split, const std::string& where,
                      const std::string& orderby, uint64_t offset, uint64_t length);
  // /search (contract §5.1): the rows of a split holding any word of `query`, best first by
  // BM25, `length` of them from `offset`, from the split's search index (built by the job after
  // its statistics; storage/search/fts_index.hpp). 400 SearchFeatureNotAvailableError for a
  // split without string columns; 422 for a query that is too long.
  ViewerAnswer search(const domain::RepoRecord& repo, const std::string& config,
                      const std::string& split, const std::string& query, uint64_t offset,
                      uint64_t length);
  // Removes a repository's search indexes (it is deleted), or those of its revisions other than
  // `keep` (they are no longer answered) and the half-written ones a stopped server left in
  // `keep`'s (call it when `keep`'s job is done).
  void forget_search_indexes(const std::string& uid, const std::string& keep = "");
  // /info and /size (contract §2.8, §2.9) of a dataset or one config (empty: all), from the
  // Parquet files the job recorded; configs of other formats are listed as failed (501 for one
  // config) until the Parquet export exists.
  ViewerAnswer info(const domain::RepoRecord& repo, const std::string& config);
  ViewerAnswer size(const domain::RepoRecord& repo, const std::string& config);
  // /parquet (contract §2.7) of a dataset or one config: the files of the Parquet export
  // (refs/convert/parquet) with their download URLs, sorted by config, split and shard.
  ViewerAnswer parquet(const domain::RepoRecord& repo, const std::string& config);
  // /croissant-crumbs (contract §2.11): the Croissant JSON-LD of the dataset's export, as the
  // Hub's viewer derives it from the infos; without `full`, at most 1,000 fields a record set.
  ViewerAnswer croissant_crumbs(const domain::RepoRecord& repo, bool full);
  // The files of the dataset's Parquet export (refs/convert/parquet) by config and split
  // folder ("train", "partial-train"), each folder's shards in order; empty when there is none.
  using ExportListing = std::map<std::string, std::map<std::string, std::vector<std::string>>>;
  Result<ExportListing> export_listing(const domain::RepoRecord& repo);
  // /statistics of a Parquet split (computed by the job after its first rows); other formats
  // answer 501 until the Parquet export exists.
  ViewerAnswer statistics(const domain::RepoRecord& repo, const std::string& config,
                          const std::string& split);
  // The bytes of the media cell at `row`, `column` of a Parquet split processed at `revision`
  // (kNotFound when there is none: another revision, a column without media, a row past the
  // end, a cell without bytes). The caller may read the dataset's files.
  Result<ViewerAsset> asset(const domain::RepoRecord& repo, const std::string& revision,
                            const std::string& config, const std::string& split, uint64_t row,
                            const std::string& column);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
