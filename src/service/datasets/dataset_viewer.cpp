#include "service/datasets/dataset_viewer.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "formats/card/card_metadata.hpp"
#include "formats/datasets/data_files.hpp"
#include "formats/git/lfs_pointer.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "service/jobs/job_queue.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/repos/revision_reader.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

using namespace viewer;

namespace {

// The card's YAML: README.md's front matter, with `.huggingface.yaml`'s keys over it. Only the
// front matter is read (a README of any length: its first kMaxFrontMatterBytes and a line);
// YAML that does not parse, or a block past the bound, is the dataset's error (ConfigNamesError),
// never silently no YAML: `viewer: false` and `configs:` must not be lost.
Result<nlohmann::json> read_card(Hub& hub, RepoHandle& git,
                                 const std::map<std::string, const FileEntry*>& files) {
  nlohmann::json card = nlohmann::json::object();
  const size_t bound = kMaxFrontMatterBytes + 16;  // the block and its opening and closing lines
  auto yaml_of = [&](const std::string& path, bool bare) -> Result<nlohmann::json> {
    auto it = files.find(path);
    if (it == files.end()) return nlohmann::json::object();
    if (bare && it->second->size() > kMaxFrontMatterBytes) {
      return unprocessable(path + " is larger than " + std::to_string(kMaxFrontMatterBytes) +
                           " bytes");
    }
    auto read = read_file_prefix(hub, git, *it->second, bound);
    if (!read) return read.status();
    const std::string& text = *read;
    // A standalone YAML file is read as a front-matter block (one parser, one bound).
    auto front = parse_front_matter(bare ? "---\n" + text + "\n---\n" : text);
    if (!front.error.empty()) return unprocessable(path + ": " + front.error);
    if (!front.present) {
      // Opened but not closed within the bound: a block too long to read.
      auto at = text.find_first_not_of("\xEF\xBB\xBF\r\n");
      if (text.size() >= bound && at != std::string::npos && text.compare(at, 3, "---") == 0) {
        return unprocessable(path + ": the YAML front matter is larger than " +
                             std::to_string(kMaxFrontMatterBytes) + " bytes");
      }
      return nlohmann::json::object();
    }
    return front.data;
  };
  auto readme = yaml_of("README.md", false);
  if (!readme) return readme.status();
  if (readme->is_object()) card = std::move(*readme);
  auto extra = yaml_of(".huggingface.yaml", true);
  if (!extra) return extra.status();
  if (extra->is_object()) {
    for (auto& [k, v] : extra->items()) card[k] = v;
  }
  return card;
}

// A CSV, JSON or text split written into the export, waiting for the export's commit.
struct PendingExport {
  const datasets::ConfigLayout* config;
  const datasets::SplitFiles* split;
  ExportedSplit result;
};

// The export paths of a Parquet split's files (`stored`: its kParquetFilesStep body, which
// gets them), added to the export as links to the dataset's own files.
void link_parquet_files(Json& stored, const std::string& config, const std::string& split,
                        std::vector<ExportFile>& exported) {
  stored["partial"] = false;
  size_t files = stored["files"].size();
  if (!exportable_config(config) || exported.size() + files > ViewerLimits::kMaxExportFiles) {
    return;  // read where they lie, not listed in the export
  }
  std::string folder = export_folder(config, split, false);
  size_t index = 0;
  for (auto& f : stored["files"]) {
    auto entry = file_entry_of(f);
    if (!entry) continue;
    std::string path = export_path(folder, index++);
    f["export_path"] = path;
    exported.push_back(ExportFile{path, entry->lfs, entry->lfs ? "" : entry->git.oid});
  }
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

Result<domain::JobRecord> DatasetViewer::queue(const domain::RepoRecord& repo,
                                               const std::string& commit, bool redo) {
  if (repo.type != domain::RepoKind::kDataset) return bad_request("not a dataset");
  // A revision asked for again is processed even when it is no longer the head.
  std::string payload =
      nlohmann::json{{"repo", repo.uid}, {"commit", commit}, {"redo", redo}}.dump();
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
  if (!payload["repo"].is_string() || !payload["commit"].is_string()) {
    return JobOutcome::give_up(bad_request("malformed dataset-revision job payload"));
  }
  std::string uid = payload["repo"].get<std::string>();
  std::string commit = payload["commit"].get<std::string>();
  auto found = hub_.db().find_repo_by_uid(uid);
  if (!found) return JobOutcome::retry(found.status());
  if (!*found) return JobOutcome::ok();  // deleted since: nothing to show
  const domain::RepoRecord& repo = **found;
  // Pushed over since it was queued: the newer head's job does the work (a burst of pushes
  // costs one processing, and no superseded answers are left behind).
  if (repo.head_sha != commit && !payload.value("redo", false)) return JobOutcome::ok();
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
  // Whether main names another commit now. Only the head's job writes the export; a job
  // that is not the head's (main moved on) stops before the export, unless it is a redo.
  auto head_moved = [&] {
    auto now = hub_.db().find_repo_by_uid(uid);
    return !now || !*now || (*now)->head_sha != commit;
  };
  auto superseded = [&] { return !payload.value("redo", false) && head_moved(); };
  // A head without data (no layout) has no export: an earlier one is emptied.
  auto clear_export = [&]() -> Status {
    if (head_moved()) return Status::ok();
    auto cleared = publish_export(hub_, *git, repo, {});
    return cleared ? Status::ok() : cleared.status();
  };
  // A split's search index, after its statistics; all the revision's indexes share one budget
  // of text. A dataset deleted meanwhile keeps no index.
  uint64_t index_text_left = ViewerLimits::kSearchMaxRevisionTextBytes;
  auto index_split = [&](const SplitContext& split, const Json& stored) -> Status {
    Status internal;
    auto index = search_index_of(split, stored, &index_text_left, &internal);
    if (!internal) return internal;
    if (context.cancelled()) return internal_error("stopped");
    auto still = hub_.db().find_repo_by_uid(uid);
    if (still && !*still) {
      forget_search_indexes(uid);
      return Status::ok();
    }
    return put(std::move(index), kSearchStep, split.config.name, split.split.split);
  };
  datasets::LayoutOptions options;
  options.dataset_name = repo.id();
  auto card = read_card(hub_, *git, files);
  if (!card) {
    if (card.status().kind() == ErrorKind::kInternal) return JobOutcome::retry(card.status());
    auto failed = error_result("ConfigNamesError",
                               "Cannot read the dataset card's YAML: " + card.status().message());
    if (auto st = put(failed, kLayoutStep, "", ""); !st) return JobOutcome::retry(st);
    if (auto st = clear_export(); !st) return JobOutcome::retry(st);
    return JobOutcome::ok();
  }
  auto derived = datasets::derive_layout(paths, *card, options);
  if (!derived.ok) {
    if (auto st = put(error_result(derived.error.code, derived.error.message), kLayoutStep, "", "");
        !st) {
      return JobOutcome::retry(st);
    }
    if (auto st = clear_export(); !st) return JobOutcome::retry(st);
  } else {
    domain::ViewerResult layout;
    layout.body = dump(layout_json(derived.layout));
    if (auto st = put(layout, kLayoutStep, "", ""); !st) return JobOutcome::retry(st);
    size_t total = 0, done = 0;
    for (const auto& c : derived.layout.configs) total += c.splits.size();
    auto progress = [&] {
      context.progress(static_cast<double>(++done) / static_cast<double>(2 * total));
    };
    std::vector<ExportFile> exported;  // the export's files: Parquet linked, the rest written
    std::vector<PendingExport> written;
    ExportBudget budget;
    for (const auto& c : derived.layout.configs) {
      for (const auto& s : c.splits) {
        if (context.cancelled()) return JobOutcome::retry(internal_error("cancelled"));
        SplitContext split{hub_, *git, files, repo, commit, c, s, &context};
        if (c.builder == "parquet") {
          auto scanned = parquet_split_of(split);
          if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
          std::optional<Json> stored;
          if (scanned.files.error_code.empty()) {
            stored = Json::parse(scanned.files.body);
            link_parquet_files(*stored, c.name, s.split, exported);
            scanned.files.body = dump(*stored);
          }
          if (auto st = put(std::move(scanned.files), kParquetFilesStep, c.name, s.split); !st) {
            return JobOutcome::retry(st);
          }
          if (auto st = put(std::move(scanned.first_rows), kFirstRowsStep, c.name, s.split); !st) {
            return JobOutcome::retry(st);
          }
          progress();
          if (stored) {
            auto stats = statistics_of(split, *stored);
            if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
            if (auto st = put(std::move(stats), kStatisticsStep, c.name, s.split); !st) {
              return JobOutcome::retry(st);
            }
            if (auto st = index_split(split, *stored); !st) return JobOutcome::retry(st);
          }
          progress();
          continue;
        }
        // Other formats: first rows streamed from the files (answered at once), then the
        // split written as Parquet.
        auto rows = first_rows_of(split);
        if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
        if (auto st = put(std::move(rows), kFirstRowsStep, c.name, s.split); !st) {
          return JobOutcome::retry(st);
        }
        progress();
        // A newer head's job does the export (this one would only be thrown away).
        if (superseded()) return JobOutcome::ok();
        if (!exportable_config(c.name)) {
          auto refused = error_result("ConfigNamesError", "The config name '" + c.name +
                                                              "' cannot be a folder of the "
                                                              "Parquet export");
          if (auto st = put(std::move(refused), kParquetFilesStep, c.name, s.split); !st) {
            return JobOutcome::retry(st);
          }
          progress();
          continue;
        }
        auto started = util::now_ms();
        auto result = export_split(split, budget);
        if (!result.failure) {
          spdlog::info("viewer: exported {} {}/{}: {} rows in {} files in {} ms", repo.id(), c.name,
                       s.split, result.rows, result.files.size(), util::now_ms() - started);
        }
        if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
        if (!result.internal) return JobOutcome::retry(result.internal);
        if (!result.failure &&
            exported.size() + result.files.size() > ViewerLimits::kMaxExportFiles) {
          result.failure =
              error_result("DatasetWithTooManyParquetFilesError",
                           "The Parquet export would hold more than " +
                               std::to_string(ViewerLimits::kMaxExportFiles) + " files");
        }
        if (result.failure) {
          if (auto st = put(std::move(*result.failure), kParquetFilesStep, c.name, s.split); !st) {
            return JobOutcome::retry(st);
          }
          progress();
          continue;
        }
        for (const auto& f : result.files) exported.push_back(f);
        written.push_back(PendingExport{&c, &s, std::move(result)});
      }
    }
    // The export holds the head's files only: an older revision's job leaves it alone (and
    // its unpublished shards are not read back: its answers are no longer the head's).
    if (head_moved()) return JobOutcome::ok();
    auto published = publish_export(hub_, *git, repo, exported);
    if (!published) return JobOutcome::retry(published.status());
    domain::ViewerResult done_export;
    done_export.body = dump(Json{{"commit", *published}});
    if (auto st = put(std::move(done_export), kExportStep, "", ""); !st) {
      return JobOutcome::retry(st);
    }
    // The written splits read from their shards (as Parquet splits do), then their statistics.
    for (auto& w : written) {
      if (context.cancelled()) return JobOutcome::retry(internal_error("cancelled"));
      datasets::ConfigLayout config = *w.config;
      config.builder = "parquet";
      datasets::SplitFiles split_files = *w.split;
      split_files.files.clear();
      std::vector<FileEntry> entries;
      for (const auto& f : w.result.files) {
        std::string pointer = format_lfs_pointer(*f.lfs);
        auto blob = (*git)->write_blob(pointer);
        if (!blob) return JobOutcome::retry(blob.status());
        FileEntry e;
        e.git.path = f.path;
        e.git.oid = *blob;
        e.git.size = pointer.size();
        e.lfs = f.lfs;
        entries.push_back(std::move(e));
        split_files.files.push_back(f.path);
      }
      std::map<std::string, const FileEntry*> shard_files;
      for (const auto& e : entries) shard_files[e.git.path] = &e;
      SplitContext split{hub_, *git, shard_files, repo, commit, config, split_files, &context};
      // Its first rows were streamed already: only the shards' footers are read.
      auto scanned = parquet_split_of(split, /*with_first_rows=*/false);
      if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
      std::optional<Json> stored;
      if (scanned.files.error_code.empty()) {
        stored = Json::parse(scanned.files.body);
        for (auto& f : (*stored)["files"]) f["export_path"] = f["path"];
        (*stored)["partial"] = w.result.partial;
        (*stored)["num_bytes_original_files"] = w.result.original_bytes;
        if (w.result.estimated_rows) (*stored)["estimated_num_rows"] = *w.result.estimated_rows;
        scanned.files.body = dump(*stored);
      }
      if (auto st =
              put(std::move(scanned.files), kParquetFilesStep, w.config->name, w.split->split);
          !st) {
        return JobOutcome::retry(st);
      }
      if (stored) {
        auto stats = statistics_of(split, *stored);
        if (context.cancelled()) return JobOutcome::retry(internal_error("stopped"));
        if (auto st = put(std::move(stats), kStatisticsStep, w.config->name, w.split->split); !st) {
          return JobOutcome::retry(st);
        }
        if (auto st = index_split(split, *stored); !st) return JobOutcome::retry(st);
      }
      progress();
    }
  }
  // The head's answers are complete: older revisions' answers are no longer served.
  auto now = hub_.db().find_repo_by_uid(uid);
  if (now && *now && (*now)->head_sha == commit) {
    if (auto st = hub_.db().delete_viewer_results(uid, commit); !st) {
      spdlog::warn("viewer: forgetting old answers of {}: {}", repo.id(), st.message());
    }
    forget_search_indexes(uid, commit);
  }
  return JobOutcome::ok();
}

}  // namespace vitrine::service
