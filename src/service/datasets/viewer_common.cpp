// The dataset viewer's shared helpers (viewer_internal.hpp).

#include <spdlog/spdlog.h>

#include <set>
#include <variant>

#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "service/jobs/job_queue.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

using namespace viewer;

namespace viewer {

namespace {
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
}  // namespace

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
  if (code == "SearchFeatureNotAvailableError") return 400;
  return 500;
}

domain::ViewerResult error_result(const std::string& code, const std::string& message) {
  domain::ViewerResult r;
  r.http_status = status_of(code);
  r.error_code = code;
  r.body = dump(Json{{"error", message}});
  return r;
}

// A job told to stop: its split is computed again by whoever takes the job over.
domain::ViewerResult stopped_result() {
  domain::ViewerResult r;
  r.http_status = 0;  // never stored: process() returns first
  return r;
}

ViewerAnswer not_ready(const std::string& revision) {
  return ViewerAnswer::error(
      500, "ResponseNotReady",
      "The server is busier than usual and the response is not ready yet. Please retry later.",
      revision);
}

ViewerAnswer unexpected_error() {
  return ViewerAnswer::error(500, "UnexpectedApiError", "Unexpected error.");
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

// A stored file entry: what open_repo_file_at needs, without the revision's whole listing.
// `num_bytes`: the row groups' uncompressed bytes (what /info and /size call the split's size in
// memory; `datasets` counts Arrow's buffers, which this approximates).
Json file_json(const FileEntry& e, uint64_t num_rows, uint64_t num_bytes) {
  Json out = {{"path", e.git.path},     {"size", e.size()}, {"num_rows", num_rows},
              {"num_bytes", num_bytes}, {"oid", e.git.oid}, {"git_size", e.git.size}};
  if (e.lfs) out["lfs_oid"] = e.lfs->oid;
  return out;
}

std::optional<FileEntry> file_entry_of(const Json& j) {
  if (!j.is_object() || !j.contains("path") || !j.contains("oid") || !j.contains("git_size")) {
    return std::nullopt;
  }
  FileEntry e;
  e.git.path = j["path"].get<std::string>();
  e.git.oid = j["oid"].get<std::string>();
  e.git.size = j["git_size"].get<uint64_t>();
  if (j.contains("lfs_oid")) {
    e.lfs = LfsPointer{j["lfs_oid"].get<std::string>(), j["size"].get<uint64_t>()};
  }
  return e;
}

// A row of cells (in `names` order) as the object the answers show.
Json row_object(const std::vector<std::string>& names, datasets::Row& row) {
  Json object = Json::object();
  for (size_t i = 0; i < names.size(); ++i) {
    object[names[i]] = i < row.size() ? Json(std::move(row[i])) : Json(nullptr);
  }
  return object;
}

// A file the reader refused: the dataset's own fault, said plainly; the store's failure goes to
// the operator's log and the answer stays generic.
std::string read_failure(const domain::RepoRecord& repo, const std::string& path,
                         const Status& status) {
  if (status.kind() == ErrorKind::kInternal) {
    spdlog::error("viewer: reading {} of {}: {}", path, repo.id(), status.message());
    return "Cannot read " + path + " in the hub's store";
  }
  return "Cannot read " + path + ": " + status.message();
}

Located locate(Hub& hub, DatasetViewer& viewer, const domain::RepoRecord& repo) {
  Located out;
  const std::string& head = repo.head_sha;
  if (head.empty()) {
    out.answer = ViewerAnswer::error(500, "EmptyDatasetError", "The dataset is empty.");
    return out;
  }
  auto at_head = hub.db().viewer_result(repo.uid, head, kLayoutStep, "", "");
  if (!at_head) {
    out.answer = unexpected_error();
    return out;
  }
  if (*at_head) {
    out.layout = std::move(**at_head);
    return out;
  }
  auto job = JobQueue(hub).find(kDatasetRevisionJob, job_key(repo.uid, head));
  if (job && !*job) {
    viewer.queue(repo, head);  // a revision nothing queued (a data folder from before)
  } else if (job && (*job)->state == domain::JobState::kDone) {
    // Done once, its answers since deleted: main went back to it (a force-push undoing a
    // commit). Its answers are computed again, and the undone commit's are not served after.
    viewer.queue(repo, head, /*redo=*/true);
    out.answer = not_ready(head);  // never the undone commit's answers meanwhile
    return out;
  } else if (job && (*job)->state == domain::JobState::kFailed) {
    // The reason is in the job list for the operator (it may name the hub's files).
    out.answer = ViewerAnswer::error(500, "UnexpectedError",
                                     "Processing this revision failed; the hub's operator can "
                                     "see why with `vitrine jobs list`",
                                     head);
    return out;
  }
  auto older = hub.db().viewer_revisions(repo.uid, kLayoutStep);
  if (older && !older->empty()) {
    auto previous = hub.db().viewer_result(repo.uid, older->front(), kLayoutStep, "", "");
    // A previous revision that failed as a whole (an empty repository before its first files,
    // a bad card since fixed) is not served meanwhile: its error would read as the new one's.
    if (previous && *previous && (*previous)->error_code.empty()) {
      out.layout = std::move(**previous);
      return out;
    }
  }
  out.answer = not_ready(head);
  return out;
}

// The layout the answers of a dataset come from, or what to answer instead: not ready, or the
// layout's own error (a dataset that failed as a whole answers it from every endpoint).
std::variant<domain::ViewerResult, ViewerAnswer> answering_layout(Hub& hub, DatasetViewer& viewer,
                                                                  const domain::RepoRecord& repo) {
  auto located = locate(hub, viewer, repo);
  if (located.answer) return *located.answer;
  if (!located.layout.error_code.empty()) return replay(located.layout);
  return std::move(located.layout);
}

}  // namespace viewer

ViewerAnswer ViewerAnswer::error(int status, std::string code, std::string message,
                                 std::string revision) {
  ViewerAnswer a;
  a.status = status;
  a.error_code = std::move(code);
  a.body = dump(Json{{"error", std::move(message)}});
  a.revision = std::move(revision);
  return a;
}

}  // namespace vitrine::service
