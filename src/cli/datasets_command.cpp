// `vitrine datasets reprocess REPO [--revision R] [--wait | --run]`: processes a dataset
// revision for the viewer again (service/datasets/dataset_viewer.hpp), e.g. after an upgrade of
// the viewer or when a processing failed for a reason since fixed.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "service/datasets/dataset_viewer.hpp"
#include "service/jobs/job_queue.hpp"
#include "service/jobs/job_runner.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/repos/repo_service.hpp"

namespace vitrine::cli {
namespace {

struct ReprocessOptions {
  std::string repo;
  std::string revision = "main";
  bool wait = false;
  bool run = false;
};

int run_reprocess(const ReprocessOptions& o, const Globals& g) {
  auto hub = open_hub(g.data);
  if (!hub) return fail(hub.status());
  auto slash = o.repo.find('/');
  if (slash == std::string::npos) return fail(bad_request("REPO is namespace/name"));
  auto repo = service::RepoService(**hub).by_name(
      domain::RepoKind::kDataset, o.repo.substr(0, slash), o.repo.substr(slash + 1));
  if (!repo) return fail(repo.status());
  if (!*repo) return fail(not_found("no dataset " + o.repo));
  auto git = (*hub)->open_git(**repo);
  if (!git) return fail(git.status());
  auto revision = service::RepoContents(**hub).resolve(*git, o.revision);
  if (!revision) return fail(revision.status());
  service::DatasetViewer viewer(**hub);
  auto job = viewer.queue(**repo, revision->commit, /*redo=*/true);
  if (!job) return fail(job.status());
  std::cout << "queued job " << job->id << " (" << o.repo << "@" << revision->commit << ")\n";
  if (o.run) {
    // No server needed: this process works through the queue's dataset jobs, this one included.
    service::JobRunner runner(**hub);
    runner.handle(service::kDatasetRevisionJob,
                  [&viewer](service::JobContext& c) { return viewer.process(c); });
    runner.run_pending("vitrine-datasets-reprocess");
  }
  if (!o.wait && !o.run) return 0;
  // Shows the job's progress until it ends (a running server's worker does it with --wait).
  service::JobQueue queue(**hub);
  double shown = -1;
  for (;;) {
    auto now = queue.find(job->id);
    if (!now) return fail(now.status());
    if (!*now) return fail(internal_error("the job disappeared"));
    const auto& j = **now;
    if (j.progress != shown) {
      std::fprintf(stderr, "%s %.0f%%\n", domain::to_wire(j.state).c_str(), j.progress * 100);
      shown = j.progress;
    }
    if (j.state == domain::JobState::kDone) return 0;
    if (j.state == domain::JobState::kFailed) return fail(internal_error("failed: " + j.error));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

Commands add_datasets_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ReprocessOptions>();
  auto* datasets = app.add_subcommand("datasets", "Datasets: the viewer's processing");
  datasets->require_subcommand(1);
  auto* reprocess = datasets->add_subcommand(
      "reprocess", "Process a dataset revision for the viewer again (queued for `vitrine serve`)");
  reprocess->add_option("REPO", o->repo, "namespace/name")->required();
  reprocess->add_option("--revision", o->revision, "Branch, tag or commit")->capture_default_str();
  reprocess->add_flag("--wait", o->wait, "Wait for a running server to finish it, with progress");
  reprocess->add_flag("--run", o->run, "Process it in this process (no server needed)");
  reprocess->add_option("--data", g.data, "Data folder");
  return {{reprocess, [o, &g] { return run_reprocess(*o, g); }}};
}

}  // namespace vitrine::cli
