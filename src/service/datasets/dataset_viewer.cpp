#include "service/datasets/dataset_viewer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "formats/card/card_metadata.hpp"
#include "formats/datasets/data_files.hpp"
#include "formats/datasets/row_reader.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/hub.hpp"
#include "service/jobs/job_queue.hpp"
#include "service/repos/repo_contents.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kLayoutStep[] = "dataset-layout";
constexpr char kFirstRowsStep[] = "split-first-rows";

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

// The card's YAML: README.md's front matter, with `.huggingface.yaml`'s keys over it.
nlohmann::json read_card(Hub& hub, RepoHandle& git,
                         const std::map<std::string, const FileEntry*>& files) {
  nlohmann::json card = nlohmann::json::object();
  auto yaml_of = [&](const std::string& path, bool bare) -> nlohmann::json {
    auto it = files.find(path);
    if (it == files.end() || it->second->size() > kMaxFrontMatterBytes) return {};
    auto source = open_repo_file(hub, git, *it->second);
    if (!source) return {};
    std::string text;
    char buffer[65536];
    for (;;) {
      auto n = (*source)->read(buffer, sizeof buffer);
      if (!n || *n == 0) break;
      text.append(buffer, *n);
      if (text.size() > kMaxFrontMatterBytes) return {};
    }
    // A standalone YAML file is read as a front-matter block (one parser, one bound).
    auto front = parse_front_matter(bare ? "---\n" + text + "\n---\n" : text);
    if (!front.present || !front.error.empty()) return {};
    return front.data;
  };
  if (auto readme = yaml_of("README.md", false); readme.is_object()) card = readme;
  if (auto extra = yaml_of(".huggingface.yaml", true); extra.is_object()) {
    for (auto& [k, v] : extra.items()) card[k] = v;
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
Json features_type(const nlohmann::json& type) {
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

struct SplitContext {
  Hub& hub;
  RepoHandle& git;
  const std::map<std::string, const FileEntry*>& files;
  const domain::RepoRecord& repo;
  const std::string& commit;
  const datasets::ConfigLayout& config;
  const datasets::SplitFiles& split;
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

domain::ViewerResult first_rows_of(const SplitContext& s) {
  const auto& builder = s.config.builder;
  if (builder != "csv" && builder != "json" && builder != "text") {
    return error_result("NotImplementedError",
                        "This hub's viewer does not read " + builder +
                            " files yet (it reads CSV, TSV, JSON, JSON Lines and text files, "
                            "compressed or not)");
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
  for (const auto& path : s.split.files) {
    if (rows.size() > ViewerLimits::kFirstRowsMax) break;
    if (++opened > ViewerLimits::kMaxFilesOpenedPerSplit) break;
    auto entry = s.files.find(path);
    if (entry == s.files.end()) continue;
    auto source = open_repo_file(s.hub, s.git, *entry->second);
    if (!source) return error_result("StreamingRowsError", path + ": " + source.status().message());
    auto reader = open_reader(
        s.config, datasets::decompressing(std::move(*source), datasets::compression_of(path),
                                          ViewerLimits::kMaxDecompressedBytes));
    while (rows.size() <= ViewerLimits::kFirstRowsMax) {
      auto row = reader->next();
      if (!row) {
        return error_result("StreamingRowsError",
                            "Cannot read " + path + ": " + row.status().message());
      }
      if (!*row) break;
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
  if (rows.size() > ViewerLimits::kFirstRowsMax) {
    rows.resize(ViewerLimits::kFirstRowsMax);
    all_fetched = false;
  }
  if (rows.empty() && columns.empty()) {
    return error_result("EmptyDatasetError", "The split " + s.split.split + " has no rows.");
  }
  std::vector<Column> features;
  Json features_json = Json::array();
  {
    nlohmann::json inferred = inference.features(columns);
    for (size_t i = 0; i < inferred.size(); ++i) {
      Column c{inferred[i]["name"].get<std::string>(), features_type(inferred[i]["type"])};
      features_json.push_back(Json{{"feature_idx", i}, {"name", c.name}, {"type", c.type}});
      features.push_back(std::move(c));
    }
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
  std::string payload = nlohmann::json{{"repo", repo.uid}, {"commit", commit}}.dump();
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
  std::string uid = payload["repo"].get<std::string>();
  std::string commit = payload["commit"].get<std::string>();
  auto found = hub_.db().find_repo_by_uid(uid);
  if (!found) return JobOutcome::retry(found.status());
  if (!*found) return JobOutcome::ok();  // deleted since: nothing to show
  const domain::RepoRecord& repo = **found;
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
  auto derived = datasets::derive_layout(paths, read_card(hub_, *git, files), options);
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
        SplitContext split{hub_, *git, files, repo, commit, c, s};
        if (auto st = put(first_rows_of(split), kFirstRowsStep, c.name, s.split); !st) {
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
  } else if (job && (*job)->state == domain::JobState::kFailed) {
    out.answer = ViewerAnswer::error(500, "UnexpectedError",
                                     "Processing this revision failed: " + (*job)->error, head);
    return out;
  }
  auto older = hub.db().viewer_revisions(repo.uid, kLayoutStep);
  if (older && !older->empty()) {
    auto previous = hub.db().viewer_result(repo.uid, older->front(), kLayoutStep, "", "");
    if (previous && *previous) {
      out.layout = std::move(**previous);
      return out;
    }
  }
  out.answer = not_ready(head);
  return out;
}

ViewerAnswer DatasetViewer::splits(const domain::RepoRecord& repo, const std::string& config) {
  auto located = locate(hub_, *this, repo);
  if (located.answer) return *located.answer;
  const auto& layout = located.layout;
  if (!layout.error_code.empty()) return replay(layout);
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
  auto located = locate(hub_, *this, repo);
  if (located.answer) return *located.answer;
  const auto& layout = located.layout;
  if (!layout.error_code.empty()) return replay(layout);
  auto result = hub_.db().viewer_result(repo.uid, layout.revision, kFirstRowsStep, config, split);
  if (!result) return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
  if (*result) return replay(**result);
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
    bool known = config.empty();
    for (const auto& c : parsed["configs"]) {
      if (!config.empty() && c["config"] != config) continue;
      for (const auto& s : c["splits"]) {
        if (!split.empty() && s["split"] != split) continue;
        known = true;
        auto rows =
            hub_.db().viewer_result(repo.uid, layout.revision, kFirstRowsStep,
                                    c["config"].get<std::string>(), s["split"].get<std::string>());
        if (rows && *rows && (*rows)->error_code.empty()) flags["preview"] = true;
      }
    }
    if (!known) return not_found(layout.revision);
  } else if (!config.empty()) {
    return replay(layout);
  }
  a.body = dump(flags);
  return a;
}

}  // namespace vitrine::service
