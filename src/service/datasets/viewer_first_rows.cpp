// First rows of CSV, JSON and text splits through the streaming readers (contract §2.3).

#include <algorithm>
#include <set>

#include "formats/datasets/row_reader.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"

namespace vitrine::service {

using namespace viewer;

namespace viewer {
namespace {

// ---------------------------------------------------------------------------------------------
// First rows (contract §2.3)

struct Column {
  std::string name;
  Json type;
};

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

}  // namespace

domain::ViewerResult first_rows_of(const SplitContext& s) {
  SplitRows reader(s, ViewerLimits::kMaxBytesPerSplit, ViewerLimits::kMaxFilesOpenedPerSplit);
  std::vector<datasets::Row> rows;
  uint64_t row_bytes = 0;  // of the rows held: past the answer's size, more would be dropped
  auto enough = [&] {
    return rows.size() > ViewerLimits::kFirstRowsMax ||
           (rows.size() >= ViewerLimits::kFirstRowsMin &&
            row_bytes > ViewerLimits::kFirstRowsMaxBytes);
  };
  while (!enough()) {
    uint64_t before = reader.bytes_read();
    auto row = reader.next();
    if (!row) return *reader.failure();
    if (!*row) break;
    row_bytes += reader.bytes_read() - before;
    rows.push_back(std::move(**row));
  }
  bool all_fetched = !enough() && !reader.files_left_out();
  if (rows.size() > ViewerLimits::kFirstRowsMax) rows.resize(ViewerLimits::kFirstRowsMax);
  const auto& columns = reader.columns();
  if (rows.empty() && columns.empty()) {
    return error_result("EmptyDatasetError", "The split " + s.split.split + " has no rows.");
  }
  const auto& inference = reader.inference();
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

}  // namespace viewer

}  // namespace vitrine::service
