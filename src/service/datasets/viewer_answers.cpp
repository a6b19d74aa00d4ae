// The dataset viewer's answers about a dataset's layout and size: /splits, /first-rows,
// /is-valid, /info, /size.

#include <map>
#include <set>
#include <variant>

#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using namespace viewer;

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
  if (!result) return unexpected_error();
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
    for (const char* step : {kFirstRowsStep, kParquetFilesStep, kStatisticsStep, kSearchStep}) {
      auto outcomes = hub_.db().viewer_outcomes(repo.uid, layout.revision, step);
      if (!outcomes) return unexpected_error();
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
        // /rows and /filter read the split's Parquet files (its own, or the export's).
        if (ok[kParquetFilesStep].contains(key)) flags["viewer"] = flags["filter"] = true;
        if (ok[kStatisticsStep].contains(key)) flags["statistics"] = true;
        // "search": the split's index is built (a split without string columns has none).
        if (ok[kSearchStep].contains(key)) flags["search"] = true;
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

// /info or /size of a config that has no figures: why (the config's error, 501 for another
// format, a split's error), ResponseNotReady while its splits are processed, or not found.
ViewerAnswer config_without_figures(Hub& hub, const domain::RepoRecord& repo,
                                    const domain::ViewerResult& layout, const std::string& config) {
  auto parsed = Json::parse(layout.body, nullptr, false);
  for (const auto& c : parsed["configs"]) {
    if (c["config"] != config) continue;
    if (c.contains("error")) return config_error(c, layout.revision);
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
    download += s.original_bytes;
    size += s.memory_bytes;
  }
  return Json{{"description", ""},
              {"citation", ""},
              {"homepage", ""},
              {"license", ""},
              {"features", std::move(features)},
              {"builder_name", c.builder},
              {"dataset_name", repo.name},
              {"config_name", c.config},
              {"version", Json{{"version_str", "0.0.0"}, {"major", 0}, {"minor", 0}, {"patch", 0}}},
              {"splits", std::move(splits)},
              {"download_size", c.partial ? Json(nullptr) : Json(download)},
              {"dataset_size", size}};
}

}  // namespace

namespace viewer {

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
    if (c.contains("error")) {
      out.failed.push_back(item(config, nullptr));
      continue;
    }
    ConfigFigures figures{config, c["builder"].get<std::string>(), Json(), {}};
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
      SplitFigures f;
      f.split = split;
      f.rows = body.value("num_rows", uint64_t{0});
      f.columns = body["features"].size();
      for (const auto& file : body["files"]) {
        f.files_bytes += file.value("size", uint64_t{0});
        f.memory_bytes += file.value("num_bytes", uint64_t{0});
      }
      f.original_bytes = body.value("num_bytes_original_files", f.files_bytes);
      f.partial = body.value("partial", false);
      if (body.contains("estimated_num_rows")) {
        f.estimated_rows = body["estimated_num_rows"].get<uint64_t>();
      }
      figures.partial = figures.partial || f.partial;
      if (figures.features.is_null()) figures.features = body["features"];
      figures.splits.push_back(std::move(f));
    }
    if (complete) out.configs.push_back(std::move(figures));
  }
  return out;
}

}  // namespace viewer

ViewerAnswer DatasetViewer::info(const domain::RepoRecord& repo, const std::string& config) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto figures = figures_of(hub_, repo, layout, config, "config-parquet-and-info");
  ViewerAnswer a;
  a.revision = layout.revision;
  if (!config.empty()) {
    if (figures.configs.empty()) return config_without_figures(hub_, repo, layout, config);
    a.body = dump(Json{{"dataset_info", dataset_info(repo, figures.configs[0])},
                       {"partial", figures.configs[0].partial}});
    return a;
  }
  Json infos = Json::object();
  bool partial = false;
  for (const auto& c : figures.configs) {
    infos[c.config] = dataset_info(repo, c);
    partial = partial || c.partial;
  }
  a.body = dump(Json{{"dataset_info", std::move(infos)},
                     {"pending", std::move(figures.pending)},
                     {"failed", std::move(figures.failed)},
                     {"partial", partial}});
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
  // As the Hub's config-size: a partial export has no original size and estimates its rows.
  auto or_null = [](bool known, uint64_t n) { return known ? Json(n) : Json(nullptr); };
  Json configs = Json::array();
  Json splits = Json::array();
  uint64_t original = 0, files = 0, memory = 0, rows = 0, estimated = 0;
  bool partial = false;
  for (const auto& c : figures.configs) {
    uint64_t c_original = 0, c_files = 0, c_memory = 0, c_rows = 0, c_estimated = 0;
    for (const auto& s : c.splits) {
      Json estimate = s.partial && s.estimated_rows ? Json(*s.estimated_rows) : Json(nullptr);
      splits.push_back(Json{{"dataset", repo.id()},
                            {"config", c.config},
                            {"split", s.split},
                            {"num_bytes_parquet_files", s.files_bytes},
                            {"num_bytes_memory", s.memory_bytes},
                            {"num_rows", s.rows},
                            {"num_columns", s.columns},
                            {"estimated_num_rows", std::move(estimate)}});
      c_original += s.original_bytes;
      c_files += s.files_bytes;
      c_memory += s.memory_bytes;
      c_rows += s.rows;
      c_estimated += s.partial ? s.estimated_rows.value_or(s.rows) : s.rows;
    }
    configs.push_back(Json{{"dataset", repo.id()},
                           {"config", c.config},
                           {"num_bytes_original_files", or_null(!c.partial, c_original)},
                           {"num_bytes_parquet_files", c_files},
                           {"num_bytes_memory", c_memory},
                           {"num_rows", c_rows},
                           {"num_columns", c.features.size()},
                           {"estimated_num_rows", or_null(c.partial, c_estimated)}});
    original += c_original;
    files += c_files;
    memory += c_memory;
    rows += c_rows;
    estimated += c_estimated;
    partial = partial || c.partial;
  }
  ViewerAnswer a;
  a.revision = layout.revision;
  if (!config.empty()) {
    a.body = dump(Json{{"size", Json{{"config", configs[0]}, {"splits", std::move(splits)}}},
                       {"partial", partial}});
    return a;
  }
  Json dataset = {{"dataset", repo.id()},
                  {"num_bytes_original_files", or_null(!partial, original)},
                  {"num_bytes_parquet_files", files},
                  {"num_bytes_memory", memory},
                  {"num_rows", rows},
                  {"estimated_num_rows", or_null(partial, estimated)}};
  a.body = dump(Json{{"size", Json{{"dataset", std::move(dataset)},
                                   {"configs", std::move(configs)},
                                   {"splits", std::move(splits)}}},
                     {"pending", std::move(figures.pending)},
                     {"failed", std::move(figures.failed)},
                     {"partial", partial}});
  return a;
}

ViewerAnswer DatasetViewer::parquet(const domain::RepoRecord& repo, const std::string& config) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto figures = figures_of(hub_, repo, layout, config, "config-parquet");
  if (!config.empty() && figures.configs.empty()) {
    return config_without_figures(hub_, repo, layout, config);
  }
  // The URLs name the export's files: none before it is written (its configs are pending).
  auto published = hub_.db().viewer_result(repo.uid, layout.revision, kExportStep, "", "");
  if (!published) return unexpected_error();
  if (!*published) {
    if (!config.empty()) return not_ready(layout.revision);
    for (const auto& c : figures.configs) {
      figures.pending.push_back(Json{{"dataset", repo.id()},
                                     {"config", c.config},
                                     {"split", nullptr},
                                     {"kind", "config-parquet"}});
    }
    figures.configs.clear();
  }
  std::string base = hub_.config().public_url + "/datasets/" +
                     util::percent_encode_path(repo.id()) + "/resolve/" +
                     util::percent_encode_component(kExportRef) + "/";
  Json files = Json::array();
  bool partial = false;
  for (const auto& c : figures.configs) {
    partial = partial || c.partial;
    for (const auto& s : c.splits) {
      auto stored =
          hub_.db().viewer_result(repo.uid, layout.revision, kParquetFilesStep, c.config, s.split);
      if (!stored || !*stored) return unexpected_error();
      auto body = Json::parse((*stored)->body, nullptr, false);
      for (const auto& f : body["files"]) {
        if (!f.contains("export_path")) continue;  // recorded before the export existed
        std::string path = f["export_path"].get<std::string>();
        files.push_back(Json{{"dataset", repo.id()},
                             {"config", c.config},
                             {"split", s.split},
                             {"url", base + util::percent_encode_path(path)},
                             {"filename", path.substr(path.rfind('/') + 1)},
                             {"size", f.value("size", uint64_t{0})}});
      }
    }
  }
  ViewerAnswer a;
  a.revision = layout.revision;
  if (!config.empty()) {
    Json features = Json::object();
    for (const auto& f : figures.configs[0].features) {
      features[f["name"].get<std::string>()] = f["type"];
    }
    a.body = dump(Json{{"parquet_files", std::move(files)},
                       {"features", std::move(features)},
                       {"partial", partial}});
    return a;
  }
  a.body = dump(Json{{"parquet_files", std::move(files)},
                     {"pending", std::move(figures.pending)},
                     {"failed", std::move(figures.failed)},
                     {"partial", partial}});
  return a;
}

}  // namespace vitrine::service
