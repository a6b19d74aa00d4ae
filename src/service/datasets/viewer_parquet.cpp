// The Parquet steps of a dataset revision: a split's files, first rows and statistics.

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <optional>

#include "formats/datasets/column_statistics.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "util/spare_threads.hpp"

namespace vitrine::service {

using namespace viewer;

namespace viewer {

// ---------------------------------------------------------------------------------------------
// Parquet splits: read where they lie (the Hub links Parquet-native datasets into its export
// rather than rewriting them). The job reads every file's footer once and stores the split's
// files with their row counts (kParquetFilesStep), which /rows pages through.

ParquetSplit parquet_split_of(const SplitContext& s, bool with_first_rows) {
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
    return with_first_rows && !rows_error && typed.size() <= ViewerLimits::kFirstRowsMax &&
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
  if (!with_first_rows) return out;
  if (rows_error) {
    out.first_rows = *rows_error;
  } else {
    bool all = typed.size() >= total;
    if (typed.size() > ViewerLimits::kFirstRowsMax) typed.resize(ViewerLimits::kFirstRowsMax);
    out.first_rows = first_rows_result(s, features, typed, all);
  }
  return out;
}

namespace {

// A flat column's cells into its statistics, as read_rows would make them (a null slot a null
// cell, the others parquet_cell of their value), text values passed as their bytes.
Status add_column(datasets::ColumnStatistics& st, const datasets::SchemaElement& leaf,
                  const datasets::ColumnChunkValues& c) {
  bool text =
      datasets::parquet_text_leaf(leaf) && c.values.type == datasets::PhysicalType::kByteArray;
  size_t v = 0;
  for (uint64_t slot = 0; slot < c.num_slots; ++slot) {
    if (c.is_null(slot)) {
      st.add(nullptr);
      continue;
    }
    if (v >= c.values.size()) return unprocessable("Parquet: levels past the values");
    if (text) {
      st.add_text(c.values.bytes_at(v++));
    } else {
      st.add(datasets::parquet_cell(leaf, c.values, v++));
    }
  }
  return Status::ok();
}

// Runs `tasks` on up to `threads` threads (this one and the idle spare threads: so at most the
// machine's cores), each task once; the sum of what
// they return, or the first error in task order (the others still run to their end; an exception
// is an error).
Result<uint64_t> run_tasks(const std::vector<std::function<Result<uint64_t>()>>& tasks,
                           unsigned threads) {
  std::vector<std::optional<Result<uint64_t>>> results(tasks.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < tasks.size(); i = next++) {
      try {
        results[i] = tasks[i]();
      } catch (const std::exception& e) {  // never out of a thread (that would end the hub)
        results[i] = internal_error(std::string("computing statistics: ") + e.what());
      } catch (...) {
        results[i] = internal_error("computing statistics failed");
      }
    }
  };
  // Helpers from the process's spare threads (long-lived: their malloc arenas stay warm), as
  // many as are idle.
  std::vector<std::shared_ptr<util::SpareThreads::Task>> helpers;
  size_t extra = std::min<size_t>(threads, tasks.size());
  for (size_t t = 1; t < extra; ++t) {
    auto helper = util::SpareThreads::shared().try_start(work);
    if (!helper) break;
    helpers.push_back(std::move(helper));
  }
  work();
  for (auto& h : helpers) h->wait();
  uint64_t sum = 0;
  for (auto& r : results) {
    if (!*r) return r->status();
    sum += **r;
  }
  return sum;
}

}  // namespace

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
    // How each statistics field of this file is read (positions in `fields`): a list of one
    // column by its lengths, a field stored as one flat column as that column, else as rows.
    std::vector<size_t> as_lists, as_rows;
    std::vector<std::pair<size_t, size_t>> as_columns;  // with the column
    for (size_t k = 0; k < fields.size(); ++k) {
      if (file->has_list_lengths(fields[k])) {
        as_lists.push_back(k);
      } else if (auto column = file->flat_column(fields[k])) {
        as_columns.emplace_back(k, *column);
      } else {
        as_rows.push_back(k);
      }
    }
    uint64_t start = 0;
    const auto& groups = file->footer().row_groups;
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto& group = groups[g];
      if (s.job && s.job->cancelled()) return stopped_result();
      auto n = static_cast<uint64_t>(group.num_rows);
      auto size = static_cast<uint64_t>(std::max<int64_t>(0, group.total_byte_size));
      if (rows > 0 && (bytes + size > ViewerLimits::kStatisticsMaxBytes ||
                       (rows + n) * fields.size() > ViewerLimits::kStatisticsMaxValues)) {
        partial = true;
        break;
      }
      // Each list of one column as its lengths, each flat column as its values (no rows made),
      // the other fields as rows, kStatisticsBatch at a time (the cells of one read are held
      // together); what was decoded counts against the bound, whatever the footer claims. The
      // reads of a row group run on up to kStatisticsThreads threads, each task adding to its
      // own fields' statistics, and all of them end before the next row group begins.
      std::vector<std::function<Result<uint64_t>()>> tasks;
      for (size_t k0 = 0; k0 < as_rows.size(); k0 += ViewerLimits::kStatisticsBatch) {
        tasks.emplace_back([&, k0, start, n]() -> Result<uint64_t> {
          std::vector<size_t> batch;
          for (size_t k = k0; k < std::min(as_rows.size(), k0 + ViewerLimits::kStatisticsBatch);
               ++k) {
            batch.push_back(fields[as_rows[k]]);
          }
          datasets::ParquetReadStats read;
          auto got = file->read_rows(start, n, {}, &read, &batch);
          if (!got) return got.status();
          for (const auto& row : *got) {
            for (size_t k = 0; k < batch.size(); ++k) stats[as_rows[k0 + k]].add(row[k]);
          }
          return read.value_bytes + read.values * 8;
        });
      }
      // Rows first, then the columns largest first: the longest reads start early.
      auto chunk_size = [&](size_t column) -> int64_t {
        const auto& chunk = group.columns[column];
        return chunk.meta_data ? chunk.meta_data->total_uncompressed_size : 0;
      };
      std::stable_sort(as_columns.begin(), as_columns.end(), [&](const auto& a, const auto& b) {
        return chunk_size(a.second) > chunk_size(b.second);
      });
      for (auto [k, column] : as_columns) {
        tasks.emplace_back([&, k = k, column = column, g, n]() -> Result<uint64_t> {
          datasets::ParquetReadStats read;
          auto values = file->read_column(g, column, {}, &read);
          if (!values) return values.status();
          if (values->num_slots != n) {
            return unprocessable("a column has " + std::to_string(values->num_slots) +
                                 " rows in a row group of " + std::to_string(n));
          }
          if (auto st = add_column(stats[k], file->schema().column_element(column), *values); !st) {
            return st;
          }
          return read.value_bytes + read.values * 8;
        });
      }
      for (size_t k : as_lists) {
        tasks.emplace_back([&, k, g]() -> Result<uint64_t> {
          datasets::ParquetReadStats read;
          auto lengths = file->list_lengths(g, fields[k], {}, &read);
          if (!lengths) return lengths.status();
          for (int64_t length : *lengths) stats[k].add_list_length(length);
          return read.value_bytes + read.values * 8;
        });
      }
      auto done = run_tasks(tasks, ViewerLimits::kStatisticsThreads);
      if (!done) {
        return error_result("ComputationError",
                            read_failure(s.repo, entry->git.path, done.status()));
      }
      uint64_t decoded = *done;
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
  // Partial too when the export left rows out.
  Json body = {{"num_examples", rows},
               {"statistics", Json::array()},
               {"partial", partial || files.value("partial", false)}};
  for (auto& item : items) body["statistics"].push_back(Json(std::move(item)));
  domain::ViewerResult r;
  r.body = dump(body);
  return r;
}

}  // namespace viewer

}  // namespace vitrine::service
