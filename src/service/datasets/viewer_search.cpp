// The search index of a split (/search; contract §5.1): the text of its rows' string columns,
// indexed for BM25 by storage/search/fts_index.hpp, one file per split and revision.

#include <filesystem>

#include "formats/datasets/parquet_rows.hpp"
#include "formats/datasets/search_text.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "storage/search/fts_index.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {

namespace viewer {

namespace {

std::string search_root(Hub& hub) {
  return hub.config().data_dir + "/viewer/search";
}

}  // namespace

std::string search_index_path(Hub& hub, const std::string& uid, const std::string& revision,
                              const std::string& config, const std::string& split) {
  // Config and split names may hold any character: the file is named by their hash.
  std::string key = config;
  key.push_back('\0');
  key += split;
  return search_root(hub) + "/" + uid + "/" + revision + "/" + util::sha256_hex(key).substr(0, 32) +
         ".fts";
}

// Reads the split's files row group by row group (the string columns only), at most
// kSearchMaxBytes of them, and writes each row's text into a new index.
domain::ViewerResult search_index_of(const SplitContext& s, const Json& files,
                                     uint64_t* revision_text_left, Status* internal) {
  const Json& features = files["features"];
  std::vector<size_t> fields;
  Json columns = Json::array();
  for (size_t i = 0; i < features.size(); ++i) {
    if (datasets::searchable_feature(nlohmann::ordered_json(features[i]["type"]))) {
      fields.push_back(i);
      columns.push_back(features[i]["name"]);
    }
  }
  if (fields.empty()) {
    return error_result("SearchFeatureNotAvailableError",
                        "The split does not have search feature enabled.");
  }
  std::string path = search_index_path(s.hub, s.repo.uid, s.commit, s.config.name, s.split.split);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto writer = storage::FtsIndexWriter::create(path);
  if (!writer) {
    *internal = writer.status();
    return {};
  }
  uint64_t bytes = 0, text_bytes = 0, row_idx = 0;
  bool partial = false;
  std::string text;
  for (const auto& f : files["files"]) {
    if (partial) break;
    auto entry = file_entry_of(f);
    if (!entry) return error_result("UnexpectedError", "a malformed stored Parquet file entry");
    uint64_t size = f.value("size", uint64_t{0});
    if (row_idx > 0 && bytes + size > ViewerLimits::kSearchMaxBytes) {
      partial = true;
      break;
    }
    bytes += size;
    auto at = open_repo_file_at(s.hub, s.git, *entry);
    if (!at) {
      return error_result("UnexpectedError", read_failure(s.repo, entry->git.path, at.status()));
    }
    auto file = datasets::ParquetFile::open(*at);
    if (!file) {
      return error_result("UnexpectedError", read_failure(s.repo, entry->git.path, file.status()));
    }
    // Rows are read kSearchBatchRows at a time (whatever a row group holds), the pages they
    // decompress kept for the next batch in a cache of this build's own.
    datasets::ParquetPageCache pages(ViewerLimits::kSearchPageCacheBytes);
    file->use_page_cache(&pages, "index");
    file->keep_whole_chunks();  // a large row group of v1 list pages is decoded once
    uint64_t total = file->num_rows();
    for (uint64_t start = 0; start < total;) {
      if (s.job && s.job->cancelled()) return stopped_result();
      if (text_bytes > ViewerLimits::kSearchMaxTextBytes || text_bytes > *revision_text_left) {
        partial = true;
        break;
      }
      uint64_t n = std::min<uint64_t>(ViewerLimits::kSearchBatchRows, total - start);
      auto got = file->read_rows(start, n, {}, nullptr, &fields);
      if (!got) {
        auto code = got.status().kind() == ErrorKind::kPayloadTooLarge ? "TooBigContentError"
                                                                       : "UnexpectedError";
        return error_result(code, read_failure(s.repo, entry->git.path, got.status()));
      }
      for (const auto& row : *got) {
        text.clear();
        for (size_t k = 0; k < fields.size(); ++k) {
          datasets::append_search_text(nlohmann::ordered_json(features[fields[k]]["type"]), row[k],
                                       &text);
          if (text.size() > ViewerLimits::kSearchMaxRowBytes) break;
        }
        if (text.size() > ViewerLimits::kSearchMaxRowBytes) {
          // Cut at a character's start, not inside one.
          size_t cut = ViewerLimits::kSearchMaxRowBytes;
          while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
          text.resize(cut);
        }
        text_bytes += text.size();
        if (auto st = (*writer)->add(row_idx++, text); !st) {
          *internal = st;
          return {};
        }
      }
      start += n;
    }
  }
  *revision_text_left -= std::min(*revision_text_left, text_bytes);
  if (auto st = (*writer)->finish(); !st) {
    *internal = st;
    return {};
  }
  domain::ViewerResult r;
  r.body = dump(Json{{"has_fts", true},
                     {"num_rows", row_idx},
                     {"columns", columns},
                     {"partial", partial || files.value("partial", false)}});
  return r;
}

}  // namespace viewer

void DatasetViewer::forget_search_indexes(const std::string& uid, const std::string& keep) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path folder = fs::path(viewer::search_root(hub_)) / uid;
  if (keep.empty()) {
    fs::remove_all(folder, ec);
    return;
  }
  for (const auto& revision : fs::directory_iterator(folder, ec)) {
    if (revision.path().filename() != keep) {
      fs::remove_all(revision.path(), ec);
      continue;
    }
    // The kept revision's job has finished: a half-written index in its folder was left by a
    // stopped server (FtsIndexWriter renames complete ones into place).
    for (const auto& file : fs::directory_iterator(revision.path(), ec)) {
      if (file.path().filename().string().find(".fts.tmp") != std::string::npos) {
        fs::remove(file.path(), ec);
      }
    }
  }
}

}  // namespace vitrine::service
