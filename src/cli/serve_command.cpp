// `vitrine serve`: opens the data folder (upgrading it in place), binds the port, and serves
// the hub until SIGTERM or SIGINT.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "cli/commands.hpp"
#include "http/server.hpp"
#include "service/datasets/dataset_viewer.hpp"
#include "service/jobs/job_runner.hpp"
#include "service/lineage/lineage.hpp"
#include "service/repos/download_counter.hpp"
#include "service/repos/listing_tags.hpp"
#include "service/transfer/object_maintenance.hpp"
#include "service/transparency/transparency.hpp"

namespace vitrine::cli {
namespace {

http::Server* g_server = nullptr;

void on_signal(int) {
  if (g_server) g_server->stop();
}

bool split_listen(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    *port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

struct ServeOptions {
  std::string listen = env_or("VITRINE_LISTEN", "127.0.0.1:8080");
  std::string public_url;
  std::string log_level = "info";
  service::HubConfig config;
  http::ServerOptions server_options;
  std::string web_dir;
  bool disable_xet = false;
  size_t job_workers = 1;
};

int run_serve(const ServeOptions* o, const Globals& g) {
  spdlog::set_level(spdlog::level::from_str(o->log_level));
  // Buffers of a few MiB (decompressed Parquet pages, object reads for /datasets-server/rows)
  // are allocated and freed on every request; by default glibc maps such blocks fresh and
  // returns them to the kernel, so each request pays the page faults again (/rows was 4x
  // slower, bench/viewer_rows.sh). Blocks up to 32 MiB come from the heap and up to 32 MiB of
  // free heap is kept per arena for reuse. Larger blocks are mapped and returned as before.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  http::ServerOptions options = o->server_options;
  if (!split_listen(o->listen, &options.host, &options.port)) {
    std::cerr << "error: --listen expects HOST:PORT, got '" << o->listen << "'\n";
    return 2;
  }
  // The hub is opened with a provisional URL; the real one is known once the port is bound.
  std::unique_ptr<service::Hub> hub;
  std::unique_ptr<api::Context> context;
  http::Handler handler;
  http::Server server(options, [&handler](http::Request& request) { return handler(request); });
  auto port = server.listen();
  if (!port) return fail(port.status());
  std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::string bound = "http://" + host + ":" + std::to_string(*port);
  service::HubConfig config = o->config;
  config.data_dir = g.data;
  config.public_url = o->public_url.empty() ? bound : o->public_url;
  config.xet_enabled = !o->disable_xet;
  std::error_code ec;
  config.executable_path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  auto opened = service::Hub::open(config);
  if (!opened) return fail(opened.status());
  hub = std::move(*opened);
  hub->recover_after_crash();
  // A data folder from before the lineage index (or after `lineage rebuild` was interrupted):
  // index every repository once, so the graph is complete from the first request.
  if (hub->lineage().never_indexed()) {
    if (auto st = hub->lineage().rebuild(); !st) {
      spdlog::warn("lineage: initial indexing incomplete: {}", st.message());
    }
  }
  // Likewise the listing tags (after the lineage index: they name the heads' base models).
  if (service::listing_tags_missing(*hub)) {
    if (auto tagged = service::rebuild_listing_tags(*hub); !tagged) {
      spdlog::warn("listing tags: initial indexing incomplete: {}", tagged.status().message());
    }
  }
  // Checkpoints every second while entries arrive, and recovery of killed pushes.
  if (auto st = hub->transparency().issue_checkpoint(); !st) return fail(st);
  hub->transparency().start_background(*hub);
  hub->downloads().start_background();
  // Background work (service/jobs/): the dataset viewer's processing of each dataset revision.
  // Every dataset's head not processed yet (a data folder from before the viewer) is queued.
  service::JobRunner jobs(*hub);
  jobs.handle(service::kDatasetRevisionJob, [&hub](service::JobContext& job) {
    return service::DatasetViewer(*hub).process(job);
  });
  hub->set_job_waker([&jobs] { jobs.wake(); });
  if (auto st = service::DatasetViewer(*hub).queue_all(); !st) {
    spdlog::warn("viewer: queueing the datasets' heads: {}", st.message());
  }
  jobs.start(o->job_workers);
  context = std::make_unique<api::Context>(*hub);
  context->web_dir = o->web_dir.empty() ? api::default_web_dir(config.executable_path) : o->web_dir;
  if (!o->web_dir.empty() && !std::filesystem::is_regular_file(o->web_dir + "/index.html", ec)) {
    std::cerr << "error: --web-dir " << o->web_dir << " has no index.html\n";
    return 2;
  }
  handler = api::make_handler(*context);
  g_server = &server;
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  // Objects of the earlier plain-file store are converted in the background; they stay
  // readable throughout (the store reads the old file until the new form is registered).
  std::thread migration;
  if (service::ObjectMaintenance(*hub).legacy_count() > 0) {
    migration = std::thread([&hub] {
      auto n = service::ObjectMaintenance(*hub).migrate();
      if (n)
        spdlog::info("migrated {} LFS objects into the Xet store", *n);
      else
        spdlog::error("migration into the Xet store stopped: {}", n.status().message());
    });
    migration.detach();
  }
  std::cout << "listening on " << bound << std::endl;
  spdlog::info("serving {} from {} (public URL {})", bound, g.data, hub->config().public_url);
  if (context->web_dir.empty()) {
    spdlog::info("web interface not installed (scripts/build.sh builds it; or --web-dir)");
  } else {
    spdlog::info("web interface from {}", context->web_dir);
  }
  server.run();
  hub->downloads().stop();  // the counts not yet written
  spdlog::info("stopped");
  std::_Exit(0);
}

}  // namespace

Commands add_serve_command(CLI::App& app, Globals& g) {
  auto* serve = app.add_subcommand("serve", "Serve the hub over HTTP");
  auto o = std::make_shared<ServeOptions>();
  serve->add_option("--data", g.data, "Data folder (env VITRINE_DATA)");
  serve->add_option("--listen", o->listen,
                    "HOST:PORT to listen on; port 0 picks a free one (env VITRINE_LISTEN)");
  serve->add_option("--public-url", o->public_url,
                    "Base URL clients use (HF_ENDPOINT); default http://HOST:PORT");
  serve->add_option("--multipart-threshold", o->config.multipart_threshold,
                    "LFS objects above this many bytes upload in parts");
  serve->add_option("--multipart-chunk-size", o->config.multipart_chunk_size, "Bytes per part")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--job-workers", o->job_workers,
                   "Threads running background jobs (the dataset viewer's processing); 0: none, "
                   "jobs wait in the queue")
      ->capture_default_str();
  serve->add_option("--tree-page-size", o->config.tree_page_size, "Tree entries per page");
  serve->add_option("--max-json-body", o->config.max_json_body, "Largest JSON request body");
  serve->add_option("--max-commit-body", o->config.max_commit_body, "Largest NDJSON commit body");
  serve
      ->add_option("--max-commit-line", o->config.max_commit_line,
                   "Largest line of an NDJSON commit body (a base64 regular file)")
      ->capture_default_str();
  serve
      ->add_option("--max-fetch-body", o->config.max_fetch_body,
                   "Largest git upload-pack (clone, fetch) request body, decompressed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-lfs-batch-objects", o->config.max_lfs_batch_objects,
                   "Objects one LFS batch request may list (more: 413)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-lfs-batch-parts", o->config.max_lfs_batch_parts,
                   "Signed multipart part URLs one LFS batch answer may carry")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--request-head-timeout", o->server_options.request_head_timeout_seconds,
                   "Seconds within which a request's whole head must arrive (idle kept-alive "
                   "connections included)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--io-timeout", o->server_options.io_timeout_seconds,
                   "Seconds a request body or a response may go without progress")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-connections", o->server_options.max_connections,
                   "Open connections in all (more: 503)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-connections-per-address", o->server_options.max_connections_per_address,
                   "Open connections per client address (more: 429); 0: no cap")
      ->capture_default_str();
  serve->add_option("--trusted-proxy", o->server_options.trusted_proxies,
                    "Address of a reverse proxy whose X-Forwarded-For names the client "
                    "(repeatable); its connections are not capped per address");
  serve
      ->add_option("--rate-limit-requests", o->config.rate_limit_requests,
                   "Requests per window per user (per IP when anonymous); 0: no limit")
      ->capture_default_str();
  serve
      ->add_option("--rate-limit-auth-failures", o->config.rate_limit_auth_failures,
                   "Bad or revoked tokens per window per IP before that IP gets 429 for any "
                   "request with credentials; 0: no limit")
      ->capture_default_str();
  serve
      ->add_option("--rate-limit-window-seconds", o->config.rate_limit_window_seconds,
                   "Length of the rate-limit windows in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve->add_option("--log-level", o->log_level, "trace|debug|info|warn|error");
  serve
      ->add_option("--xet-token-ttl-seconds", o->config.xet_token_ttl_seconds,
                   "Lifetime of Xet access tokens")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--download-series-seconds", o->config.download_series_seconds,
                   "Requests of one user (or anonymous IP) for one repository with gaps under "
                   "this count as one download; 0 counts every request")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{366} * 86400));
  serve->add_option("--web-dir", o->web_dir,
                    "Folder of the built web interface (index.html, assets/); default: web/ "
                    "beside the binary, as scripts/build.sh installs it");
  serve->add_flag("--disable-xet", o->disable_xet,
                  "Do not offer the Xet protocol (clients then upload through LFS; large files "
                  "still land in the same store)");

  return {{serve, [o, &g] { return run_serve(o.get(), g); }}};
}

}  // namespace vitrine::cli
