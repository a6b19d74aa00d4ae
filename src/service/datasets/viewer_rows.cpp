// The dataset viewer's answers read from a split's Parquet files: /rows, /filter, /search,
// /statistics and media assets.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <variant>

#include "formats/datasets/media.hpp"
#include "formats/datasets/row_filter.hpp"
#include "formats/datasets/search_text.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "service/jobs/job_queue.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/search/fts_index.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using namespace viewer;

namespace {

// A Parquet file of a repository opened by a request: its footer and its decompressed pages are
// kept in the hub's caches, under the repository and the file's content (one repository's
// cached footers and pages are never another's).
Result<datasets::ParquetFile> open_for_request(Hub& hub, const domain::RepoRecord& repo,
                                               const FileEntry& entry,
                                               std::shared_ptr<datasets::RandomAccessFile> at) {
  std::string key = repo.uid + ":" + (entry.lfs ? entry.lfs->oid : entry.git.oid);
  auto file = datasets::ParquetFile::open(std::move(at), &hub.parquet_footers(), key);
  if (file) file->use_page_cache(&hub.parquet_pages(), key);
  return file;
}

// The rows of a Parquet split recorded by the job (`stored`: the kParquetFilesStep body) at
// `wanted` (indexes in increasing order; those past the end are left out), read from its files in
// one pass over each (a page holding several of them is read once); *path names the file of an
// error. What is read is taken from `limits` (one budget over calls that share it).
Result<std::vector<datasets::Row>> split_rows_at(Hub& hub, const domain::RepoRecord& repo,
                                                 const Json& stored,
                                                 const std::vector<uint64_t>& wanted,
                                                 std::string* path,
                                                 datasets::ParquetReadLimits& limits) {
  std::vector<datasets::Row> out;
  uint64_t file_start = 0;
  size_t next = 0;  // the first row of `wanted` not read yet
  std::optional<RepoHandle> git;
  for (const auto& f : stored["files"]) {
    if (next == wanted.size()) break;
    uint64_t n = f.value("num_rows", uint64_t{0});
    uint64_t file_end = file_start + n;
    std::vector<uint64_t> rows;
    for (; next < wanted.size() && wanted[next] < file_end; ++next) {
      if (wanted[next] >= file_start) rows.push_back(wanted[next] - file_start);
    }
    if (rows.empty()) {
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
    auto file = open_for_request(hub, repo, *entry, *at);
    if (!file) return file.status();
    // One budget for the whole page, whatever the number of files it spans.
    datasets::ParquetReadStats stats;
    auto got = file->read_rows_at(rows, limits, &stats);
    if (!got) return got.status();
    limits.max_read_bytes -= std::min(limits.max_read_bytes, stats.bytes_read);
    limits.max_values -= std::min(limits.max_values, stats.values);
    limits.max_value_bytes -= std::min(limits.max_value_bytes, stats.value_bytes);
    for (auto& row : *got) out.push_back(std::move(row));
    file_start = file_end;
  }
  return out;
}

// Rows [offset, offset + length) of a Parquet split, as split_rows_at.
Result<std::vector<datasets::Row>> split_rows(Hub& hub, const domain::RepoRecord& repo,
                                              const Json& stored, uint64_t offset, uint64_t length,
                                              std::string* path,
                                              datasets::ParquetReadLimits& limits) {
  uint64_t total = stored.value("num_rows", uint64_t{0});
  uint64_t end = offset + std::min(length, total - std::min(total, offset));
  std::vector<uint64_t> wanted;
  for (uint64_t r = offset; r < end; ++r) wanted.push_back(r);
  return split_rows_at(hub, repo, stored, wanted, path, limits);
}

// The bounds of one request that reads rows (/rows, /filter's page, an asset): the Hub's
// 300 MB of file, and at most kRequestMaxValueBytes of decoded strings (a cell is copied into
// the JSON answer).
datasets::ParquetReadLimits request_limits() {
  datasets::ParquetReadLimits limits;
  limits.max_value_bytes = ViewerLimits::kRequestMaxValueBytes;
  return limits;
}

// A page of a split's rows (/rows, /filter) and what it is read from.
struct PageOf {
  Hub& hub;
  const domain::RepoRecord& repo;
  const std::string& revision;
  const std::string& config;
  const std::string& split;
  const Json& stored;  // the split's kParquetFilesStep body
};

std::vector<std::string> column_names_of(const Json& stored);

// The answer of a page: the split's features, the rows (row index, cells) with their media
// cells, `total` rows in all; partial when `partial` or the export left rows out.
ViewerAnswer page_answer(const PageOf& of, std::vector<std::pair<uint64_t, datasets::Row*>>& rows,
                         uint64_t total, bool partial) {
  const Json& stored = of.stored;
  Json features = Json::array();
  size_t idx = 0;
  for (const auto& f : stored["features"]) {
    features.push_back(Json{{"feature_idx", idx++}, {"name", f["name"]}, {"type", f["type"]}});
  }
  auto names = column_names_of(stored);
  std::string dataset = of.repo.id();
  MediaPlace place{dataset, of.revision, of.config, of.split};
  Json items = Json::array();
  for (auto& [row_idx, row] : rows) {
    Json object = row_object(names, *row);
    media_cells(stored["features"], object, place, row_idx);
    items.push_back(
        Json{{"row_idx", row_idx}, {"row", std::move(object)}, {"truncated_cells", Json::array()}});
  }
  absolute_media(stored["features"], items, of.hub.config().public_url);
  ViewerAnswer a;
  a.revision = of.revision;
  a.body = dump(Json{{"features", std::move(features)},
                     {"rows", std::move(items)},
                     {"num_rows_total", total},
                     {"num_rows_per_page", ViewerLimits::kRowsMaxLength},
                     {"partial", partial || stored.value("partial", false)}});
  return a;
}

// The answer of a page of rows named by index, shown in the order given (/filter's and
// /search's): the rows read in one pass over the split's files (split_rows_at), then page_answer.
ViewerAnswer rows_answer(const PageOf& of, const std::vector<uint64_t>& rows, uint64_t total,
                         bool partial) {
  std::vector<uint64_t> sorted = rows;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string path;
  auto limits = request_limits();
  auto got = split_rows_at(of.hub, of.repo, of.stored, sorted, &path, limits);
  if (!got) {
    if (got.status().kind() == ErrorKind::kPayloadTooLarge) {
      return ViewerAnswer::error(500, "TooBigContentError", got.status().message(), of.revision);
    }
    return ViewerAnswer::error(500, "RowsPostProcessingError",
                               read_failure(of.repo, path, got.status()), of.revision);
  }
  std::map<uint64_t, datasets::Row> fetched;
  for (size_t k = 0; k < sorted.size() && k < got->size(); ++k) {
    fetched[sorted[k]] = std::move((*got)[k]);
  }
  std::vector<std::pair<uint64_t, datasets::Row*>> page;
  for (uint64_t row_idx : rows) {
    auto it = fetched.find(row_idx);
    if (it != fetched.end()) page.emplace_back(row_idx, &it->second);
  }
  return page_answer(of, page, total, partial);
}

std::vector<std::string> column_names_of(const Json& stored) {
  std::vector<std::string> names;
  for (const auto& f : stored["features"]) names.push_back(f["name"].get<std::string>());
  return names;
}

}  // namespace

// The answer for a split-level step that is not stored (yet): the config's error,
// ResponseNotReady for a split still to come (its Parquet files, its own or the export's, are
// recorded by the job), else ResponseNotFound.
static ViewerAnswer missing_parquet_step(const domain::ViewerResult& layout,
                                         const std::string& config, const std::string& split) {
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
  if (!result) return unexpected_error();
  if (!*result) {
    return missing_parquet_step(layout, config, split);
  }
  if (!(*result)->error_code.empty()) return replay(**result);
  auto stored = Json::parse((*result)->body, nullptr, false);
  if (!stored.is_object()) return unexpected_error();
  return stored;
}

ViewerAnswer DatasetViewer::rows(const domain::RepoRecord& repo, const std::string& config,
                                 const std::string& split, uint64_t offset, uint64_t length) {
  std::string revision;
  auto found = parquet_files(hub_, *this, repo, config, split, &revision);
  if (auto* answer = std::get_if<ViewerAnswer>(&found)) return *answer;
  const Json& stored = std::get<Json>(found);
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
  std::vector<std::pair<uint64_t, datasets::Row*>> page;
  for (auto& row : *rows) page.emplace_back(offset + page.size(), &row);
  PageOf of{hub_, repo, revision, config, split, stored};
  return page_answer(of, page, stored.value("num_rows", uint64_t{0}), false);
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
  if (!result) return unexpected_error();
  if (*result) return replay(**result);
  // Files that could not be read have no statistics: their error answers.
  auto files = hub_.db().viewer_result(repo.uid, layout.revision, kParquetFilesStep, config, split);
  if (files && *files && !(*files)->error_code.empty()) return replay(**files);
  return missing_parquet_step(layout, config, split);
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
  if (!git) return unexpected_error();
  uint64_t file_start = 0, scanned_rows = 0, scanned_bytes = 0;
  for (const auto& f : stored["files"]) {
    if (partial) break;
    auto entry = file_entry_of(f);
    if (!entry) return unexpected_error();
    auto at = open_repo_file_at(hub_, *git, *entry);
    if (!at) return failed(entry->git.path, at.status());
    auto file = open_for_request(hub_, repo, *entry, *at);
    if (!file) return failed(entry->git.path, file.status());
    file->keep_whole_chunks();  // a large row group of v1 list pages is decoded once
    uint64_t start = 0;
    for (const auto& group : file->footer().row_groups) {
      auto n = static_cast<uint64_t>(group.num_rows);
      auto bytes = static_cast<uint64_t>(std::max<int64_t>(0, group.total_byte_size));
      if (scanned_rows > 0 && (scanned_rows + n > ViewerLimits::kFilterMaxRows ||
                               scanned_bytes + bytes > ViewerLimits::kFilterMaxBytes)) {
        partial = true;
        break;
      }
      // The row group kFilterBatchRows rows at a time (the cells of one batch are held; its
      // pages stay in the page cache for the next).
      for (uint64_t from = 0; from < n && !partial;) {
        if (scanned_rows + from > ViewerLimits::kFilterMaxRows) {
          partial = true;
          break;
        }
        uint64_t count = std::min(ViewerLimits::kFilterBatchRows, n - from);
        auto got = file->read_rows(start + from, count, {}, nullptr, &fields);
        if (!got) return failed(entry->git.path, got.status());
        for (uint64_t r = 0; r < got->size(); ++r) {
          const auto& row = (*got)[r];
          bool match = !condition || condition->matches([&](const std::string& name) {
            auto it = position.find(name);
            return it == position.end() ? nullptr : &row[it->second];
          });
          if (!match) continue;
          Match m{file_start + start + from + r, nullptr};
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
        from += count;
      }
      if (partial) break;
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
  std::vector<uint64_t> page_rows;
  for (uint64_t i = from; i < to; ++i) page_rows.push_back(matches[i].row);
  PageOf of{hub_, repo, revision, config, split, stored};
  return rows_answer(of, page_rows, matches.size(), partial);
}

ViewerAnswer DatasetViewer::search(const domain::RepoRecord& repo, const std::string& config,
                                   const std::string& split, const std::string& query,
                                   uint64_t offset, uint64_t length) {
  std::string revision;
  auto found = parquet_files(hub_, *this, repo, config, split, &revision);
  if (auto* answer = std::get_if<ViewerAnswer>(&found)) return *answer;
  const Json& stored = std::get<Json>(found);
  if (query.size() > datasets::kMaxQueryBytes) {
    return ViewerAnswer::error(422, "InvalidParameter",
                               "Parameter 'query' must not be longer than " +
                                   std::to_string(datasets::kMaxQueryBytes) + " bytes",
                               revision);
  }
  auto loading = [&] {
    return ViewerAnswer::error(500, "ResponseNotReady",
                               "the dataset index is loading, this can take a minute", revision);
  };
  // A revision processed without its index (by a release before /search, or a data folder
  // restored without viewer/search/) is processed again, once: its index comes with it.
  auto rebuild = [&] {
    auto job = JobQueue(hub_).find(kDatasetRevisionJob, job_key(repo.uid, revision));
    if (job && *job && (*job)->state == domain::JobState::kDone) queue(repo, revision, true);
    return loading();
  };
  auto result = hub_.db().viewer_result(repo.uid, revision, kSearchStep, config, split);
  if (!result) return unexpected_error();
  if (!*result) return rebuild();
  if (!(*result)->error_code.empty()) return replay(**result);
  auto body = Json::parse((*result)->body, nullptr, false);
  if (!body.is_object() || !body.value("has_fts", false)) {
    return ViewerAnswer::error(400, "SearchFeatureNotAvailableError",
                               "The split does not have search feature enabled.", revision);
  }
  auto index = storage::FtsIndex::open(search_index_path(hub_, repo.uid, revision, config, split));
  if (!index) {
    spdlog::warn("viewer: the search index of {} {}/{} at {}: {}; processing it again", repo.id(),
                 config, split, revision, index.status().message());
    return rebuild();
  }
  length = std::min(length, ViewerLimits::kRowsMaxLength);
  auto hits = (*index)->search(datasets::search_terms(query), offset, length,
                               ViewerLimits::kSearchMaxMillis);
  if (!hits) {
    if (hits.status().kind() == ErrorKind::kPayloadTooLarge) {
      return ViewerAnswer::error(500, "TooBigContentError", hits.status().message(), revision);
    }
    spdlog::error("viewer: searching {} {}/{}: {}", repo.id(), config, split,
                  hits.status().message());
    return unexpected_error();
  }
  PageOf of{hub_, repo, revision, config, split, stored};
  return rows_answer(of, hits->rows, hits->total, body.value("partial", false));
}

}  // namespace vitrine::service
