// vitrine: the command line. `serve` runs the hub; `user` and `token` administer a data
// folder directly (with or without a running server, since SQLite handles both writers).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "api/routes.hpp"
#include "cli/commands.hpp"
#include "http/server.hpp"
#include "service/access/audit_log.hpp"
#include "service/access/auth_service.hpp"
#include "service/hub.hpp"
#include "service/repos/listing_tags.hpp"
#include "service/transfer/lfs_service.hpp"
#include "util/time.hpp"

namespace {

using namespace vitrine;

vitrine::http::Server* g_server = nullptr;

void on_signal(int) {
  if (g_server) g_server->stop();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
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

int fail(const Status& st) {
  std::cerr << "error: " << st.message() << "\n";
  return 1;
}

Result<std::unique_ptr<service::Hub>> open_hub(const std::string& data,
                                               service::HubConfig config = {}) {
  config.data_dir = data;
  return service::Hub::open(config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Vitrine: a self-hostable hub for open AI models and datasets"};
  app.require_subcommand(1);
  std::string data = env_or("VITRINE_DATA", "./data");

  auto* serve = app.add_subcommand("serve", "Serve the hub over HTTP");
  std::string listen = env_or("VITRINE_LISTEN", "127.0.0.1:8080");
  std::string public_url;
  std::string log_level = "info";
  service::HubConfig config;
  serve->add_option("--data", data, "Data folder (env VITRINE_DATA)");
  serve->add_option("--listen", listen,
                    "HOST:PORT to listen on; port 0 picks a free one (env VITRINE_LISTEN)");
  serve->add_option("--public-url", public_url,
                    "Base URL clients use (HF_ENDPOINT); default http://HOST:PORT");
  serve->add_option("--multipart-threshold", config.multipart_threshold,
                    "LFS objects above this many bytes upload in parts");
  serve->add_option("--multipart-chunk-size", config.multipart_chunk_size, "Bytes per part")
      ->check(CLI::PositiveNumber);
  serve->add_option("--tree-page-size", config.tree_page_size, "Tree entries per page");
  serve->add_option("--max-json-body", config.max_json_body, "Largest JSON request body");
  serve->add_option("--max-commit-body", config.max_commit_body, "Largest NDJSON commit body");
  serve
      ->add_option("--max-commit-line", config.max_commit_line,
                   "Largest line of an NDJSON commit body (a base64 regular file)")
      ->capture_default_str();
  serve
      ->add_option("--max-fetch-body", config.max_fetch_body,
                   "Largest git upload-pack (clone, fetch) request body, decompressed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-lfs-batch-objects", config.max_lfs_batch_objects,
                   "Objects one LFS batch request may list (more: 413)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-lfs-batch-parts", config.max_lfs_batch_parts,
                   "Signed multipart part URLs one LFS batch answer may carry")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  http::ServerOptions server_options;
  serve
      ->add_option("--request-head-timeout", server_options.request_head_timeout_seconds,
                   "Seconds within which a request's whole head must arrive (idle kept-alive "
                   "connections included)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--io-timeout", server_options.io_timeout_seconds,
                   "Seconds a request body or a response may go without progress")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-connections", server_options.max_connections,
                   "Open connections in all (more: 503)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-connections-per-address", server_options.max_connections_per_address,
                   "Open connections per client address (more: 429); 0: no cap")
      ->capture_default_str();
  serve->add_option("--trusted-proxy", server_options.trusted_proxies,
                    "Address of a reverse proxy whose X-Forwarded-For names the client "
                    "(repeatable); its connections are not capped per address");
  serve
      ->add_option("--rate-limit-requests", config.rate_limit_requests,
                   "Requests per window per user (per IP when anonymous); 0: no limit")
      ->capture_default_str();
  serve
      ->add_option("--rate-limit-auth-failures", config.rate_limit_auth_failures,
                   "Bad or revoked tokens per window per IP before that IP gets 429 for any "
                   "request with credentials; 0: no limit")
      ->capture_default_str();
  serve
      ->add_option("--rate-limit-window-seconds", config.rate_limit_window_seconds,
                   "Length of the rate-limit windows in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve->add_option("--log-level", log_level, "trace|debug|info|warn|error");
  serve
      ->add_option("--xet-token-ttl-seconds", config.xet_token_ttl_seconds,
                   "Lifetime of Xet access tokens")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--download-series-seconds", config.download_series_seconds,
                   "Requests of one user (or anonymous IP) for one repository with gaps under "
                   "this count as one download; 0 counts every request")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{366} * 86400));
  std::string web_dir;
  serve->add_option("--web-dir", web_dir,
                    "Folder of the built web interface (index.html, assets/); default: web/ "
                    "beside the binary, as scripts/build.sh installs it");
  bool disable_xet = false;
  serve->add_flag("--disable-xet", disable_xet,
                  "Do not offer the Xet protocol (clients then upload through LFS; large files "
                  "still land in the same store)");

  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* user_create = user->add_subcommand("create", "Create a user");
  std::string user_name, fullname, email;
  bool admin = false;
  user_create->add_option("name", user_name, "User name")->required();
  user_create->add_flag("--admin", admin, "Administrator of the hub");
  user_create->add_option("--fullname", fullname, "Full name");
  user_create->add_option("--email", email, "E-mail address");
  std::string avatar_url;
  user_create->add_option("--avatar-url", avatar_url, "Avatar image URL");
  user_create->add_option("--data", data, "Data folder");

  auto* user_delete = user->add_subcommand("delete", "Delete a user, their tokens and memberships");
  user_delete->add_option("name", user_name, "User name")->required();
  user_delete->add_option("--data", data, "Data folder");
  auto* user_password =
      user->add_subcommand("set-password", "Set a user's web password (read from stdin)");
  user_password->add_option("name", user_name, "User name")->required();
  user_password->add_option("--data", data, "Data folder");
  auto* user_list = user->add_subcommand("list", "List users");
  user_list->add_option("--data", data, "Data folder");

  auto* org = app.add_subcommand("org", "Manage organizations");
  org->require_subcommand(1);
  std::string org_name, org_owner, member_role = "read";
  auto* org_create = org->add_subcommand("create", "Create an organization");
  org_create->add_option("name", org_name, "Organization name")->required();
  org_create->add_option("--owner", org_owner, "First member, with the admin role")->required();
  org_create->add_option("--fullname", fullname, "Full name");
  org_create->add_option("--data", data, "Data folder");
  auto* org_add = org->add_subcommand("add-member", "Add a member or change their role");
  org_add->add_option("org", org_name, "Organization")->required();
  org_add->add_option("user", user_name, "User")->required();
  org_add->add_option("--role", member_role, "read, write or admin")
      ->check(CLI::IsMember({"read", "write", "admin"}));
  org_add->add_option("--data", data, "Data folder");

  auto* token = app.add_subcommand("token", "Manage access tokens");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create a token and print it");
  std::string token_user, role = "read", token_name = "cli";
  token_create->add_option("--user", token_user, "Owner of the token")->required();
  std::vector<std::string> scope_specs;
  std::string expires_in;
  token_create->add_option("--role", role, "read, write, or fineGrained (with --scope)")
      ->check(CLI::IsMember({"read", "write", "fineGrained"}));
  token_create->add_option("--scope", scope_specs,
                           "fineGrained scope, repeatable: namespace:NS=read,write,manage | "
                           "model:NS/NAME=... | dataset:NS/NAME=...");
  token_create->add_option("--expires-in", expires_in, "Lifetime, e.g. 3600, 12h, 30d");
  token_create->add_option("--name", token_name, "A name to recognise the token by");
  token_create->add_option("--data", data, "Data folder");

  auto* hook = app.add_subcommand("hook", "Git hooks (run by git during pushes, not by people)");
  hook->require_subcommand(1);
  auto* pre_receive = hook->add_subcommand("pre-receive", "Check a push before its refs move");
  auto* ref_tx = hook->add_subcommand("reference-transaction", "Log a push's ref moves");
  std::string ref_tx_state;
  ref_tx->add_option("state", ref_tx_state)->required();

  auto* token_list = token->add_subcommand("list", "List a user's tokens (never the secrets)");
  token_list->add_option("--user", token_user, "Owner of the tokens")->required();
  token_list->add_option("--data", data, "Data folder");
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  int64_t token_id = 0;
  token_revoke->add_option("id", token_id, "Token id, as `token list` shows it")->required();
  token_revoke->add_option("--user", token_user, "Owner of the token")->required();
  token_revoke->add_option("--data", data, "Data folder");

  auto* audit = app.add_subcommand("audit", "Read the security audit log");
  audit->require_subcommand(1);
  auto* audit_list = audit->add_subcommand("list", "List events, newest first");
  storage::AuditQuery audit_query;
  audit_list->add_option("--limit", audit_query.limit, "How many events")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  audit_list->add_option("--type", audit_query.type, "Only this event type (token.create, ...)");
  audit_list->add_option("--actor", audit_query.actor, "Only events by this user");
  audit_list->add_option("--target", audit_query.target, "Only events about this target");
  audit_list->add_option("--data", data, "Data folder");

  auto* fsck_cmd = app.add_subcommand(
      "fsck", "Recompute every hash of the large-file store and report damage (exit 1 if any)");
  bool repair = false;
  fsck_cmd->add_flag("--repair", repair,
                     "Quarantine damaged xorbs and unregister the files that need them");
  fsck_cmd->add_option("--data", data, "Data folder");
  auto* gc_cmd = app.add_subcommand(
      "gc", "Remove large files no repository references and xorbs no file references");
  int64_t grace_seconds = 24 * 3600;
  gc_cmd
      ->add_option("--grace-seconds", grace_seconds,
                   "Keep anything touched this recently (uploads in flight)")
      ->capture_default_str();
  gc_cmd->add_option("--data", data, "Data folder");
  auto* migrate_cmd = app.add_subcommand(
      "migrate", "Convert LFS objects of the earlier plain-file store into the Xet store");
  migrate_cmd->add_option("--data", data, "Data folder");

  auto* tlog_cmd = app.add_subcommand("tlog", "The transparency log (docs/transparency.md)");
  tlog_cmd->require_subcommand(1);
  auto* tlog_key = tlog_cmd->add_subcommand(
      "key", "Print the log's verifier key (created with the first serve, or now)");
  tlog_key->add_option("--data", data, "Data folder");
  tlog_key->add_option("--public-url", public_url, "Names a key created now (its host)");
  auto* tlog_check = tlog_cmd->add_subcommand(
      "check", "Recompute the log's hashes from its entries and report any disagreement");
  tlog_check->add_option("--data", data, "Data folder");
  auto* tlog_rehash = tlog_cmd->add_subcommand(
      "rehash",
      "Rebuild the log's hashes from its entries and drop its checkpoints (after a "
      "restore; clients that saw the old log will see the difference)");
  tlog_rehash->add_option("--data", data, "Data folder");

  auto* lineage_cmd = app.add_subcommand("lineage", "The lineage index (docs/lineage.md)");
  lineage_cmd->require_subcommand(1);
  auto* lineage_rebuild = lineage_cmd->add_subcommand(
      "rebuild",
      "Drop the lineage index and index every branch of every repository again (with the "
      "server stopped)");
  lineage_rebuild->add_option("--data", data, "Data folder");

  cli::VerifyOptions verify_options;
  auto* verify_cmd = cli::add_verify_command(app, verify_options);

  // Hidden (no description): the route table as JSON, for the authorization matrix test.
  auto* routes_cmd = app.add_subcommand("routes", "")->group("");
  // Hidden: Xet chunk boundaries and hashes as JSON, for the differential test.
  auto* xet_hash_cmd = app.add_subcommand("xet-hash", "")->group("");

  CLI11_PARSE(app, argc, argv);

  if (routes_cmd->parsed()) {
    std::cout << api::routes_json() << "\n";
    return 0;
  }

  if (pre_receive->parsed()) return cli::run_pre_receive_hook();
  if (ref_tx->parsed()) return cli::run_reference_transaction_hook(ref_tx_state);
  if (xet_hash_cmd->parsed()) return cli::run_xet_hash();
  if (verify_cmd->parsed()) return cli::run_verify(verify_options);

  if (fsck_cmd->parsed() || gc_cmd->parsed() || migrate_cmd->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    auto& store = (*hub)->xet();
    if (migrate_cmd->parsed()) {
      auto n = store.migrate();
      if (!n) return fail(n.status());
      std::cout << "converted " << *n << " objects\n";
      return 0;
    }
    if (gc_cmd->parsed()) {
      auto report = store.gc((*hub)->db().live_lfs_objects(), grace_seconds);
      if (!report) return fail(report.status());
      auto parts = service::LfsService(**hub).remove_abandoned_parts(grace_seconds);
      if (!parts) return fail(parts.status());
      std::cout << "removed " << report->files_removed << " files, " << report->xorbs_removed
                << " xorbs, " << report->bytes_freed << " bytes; " << *parts
                << " bytes of abandoned multipart parts\n";
      return 0;
    }
    auto report = store.fsck(repair);
    if (!report) return fail(report.status());
    for (const auto& p : report->problems) std::cout << "damaged: " << p << "\n";
    std::cout << "checked " << report->xorbs_checked << " xorbs (" << report->bytes_checked
              << " bytes), " << report->files_checked << " files: " << report->problems.size()
              << " problems";
    if (repair) std::cout << ", " << report->quarantined << " xorbs quarantined";
    std::cout << "\n";
    return report->problems.empty() ? 0 : 1;
  }

  if (lineage_rebuild->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    size_t revisions = 0;
    auto st = (*hub)->lineage().rebuild(&revisions);
    std::cout << "indexed the refs of every repository (" << revisions << " refs)\n";
    if (!st) return fail(st);
    return 0;
  }

  if (tlog_key->parsed() || tlog_check->parsed() || tlog_rehash->parsed()) {
    service::HubConfig config;
    config.data_dir = data;
    if (!public_url.empty()) config.public_url = public_url;
    auto hub = service::Hub::open(config);
    if (!hub) return fail(hub.status());
    auto& t = (*hub)->transparency();
    if (tlog_key->parsed()) {
      auto key = t.verifier_key();
      if (!key) return fail(key.status());
      std::cout << *key << "\n";
      return 0;
    }
    if (tlog_rehash->parsed()) {
      if (auto st = t.store().rehash(); !st) return fail(st);
      auto size = t.store().size();
      std::cout << "rehashed " << (size ? *size : 0) << " entries\n";
      return 0;
    }
    auto problem = t.store().check();
    if (!problem) return fail(problem.status());
    auto size = t.store().size();
    if (!problem->empty()) {
      std::cout << "damaged: " << *problem << "\n";
      return 1;
    }
    std::cout << "checked " << (size ? *size : 0) << " entries: their hashes match\n";
    return 0;
  }

  if (audit_list->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    for (const auto& e : service::AuditLog(**hub).list(audit_query)) {
      std::cout << util::iso8601_utc(e.time) << "\t" << e.type << "\t" << e.actor << "\t"
                << e.target << "\t" << e.ip << "\t" << e.details_json << "\n";
    }
    return 0;
  }

  if (user_create->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    service::AuthService auth(**hub);
    auto created = auth.create_user(user_name, admin, fullname, email);
    if (!created) return fail(created.status());
    if (!avatar_url.empty()) {
      if (auto st = (*hub)->db().set_avatar_url(created->id, avatar_url); !st) return fail(st);
    }
    std::cerr << "created user " << created->name << (admin ? " (admin)" : "") << "\n";
    return 0;
  }
  if (user_password->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    service::AuthService auth(**hub);
    if (auto st = auth.set_password(user_name, password); !st) return fail(st);
    std::cerr << "password set for " << user_name << "\n";
    return 0;
  }
  if (user_delete->parsed() || user_list->parsed() || org_create->parsed() || org_add->parsed() ||
      token_list->parsed() || token_revoke->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    service::AuthService auth(**hub);
    if (user_delete->parsed()) {
      if (auto st = auth.delete_user(user_name); !st) return fail(st);
    } else if (user_list->parsed()) {
      for (const auto& u : (*hub)->db().list_users()) {
        std::cout << u.name << (u.is_admin ? "\tadmin" : "\tuser") << "\t" << u.fullname << "\n";
      }
    } else if (org_create->parsed()) {
      auto created = auth.create_org(org_name, org_owner, fullname);
      if (!created) return fail(created.status());
      std::cerr << "created organization " << created->name << " (admin: " << org_owner << ")\n";
    } else if (org_add->parsed()) {
      if (auto st = auth.set_org_member(org_name, user_name, member_role); !st) return fail(st);
    } else if (token_list->parsed()) {
      auto tokens = auth.list_tokens(token_user);
      if (!tokens) return fail(tokens.status());
      for (const auto& t : *tokens) {
        std::cout << t.id << "\t" << t.name << "\t" << t.role << "\t"
                  << (t.revoked ? "revoked" : "active") << "\tlast used "
                  << (t.last_used_at ? util::iso8601_utc(t.last_used_at) : std::string("never"))
                  << "\n";
      }
    } else if (token_revoke->parsed()) {
      if (auto st = auth.revoke_token(token_user, token_id); !st) return fail(st);
    }
    return 0;
  }
  if (token_create->parsed()) {
    auto hub = open_hub(data);
    if (!hub) return fail(hub.status());
    service::AuthService auth(**hub);
    std::vector<service::TokenScope> scopes;
    for (const auto& spec : scope_specs) {
      auto scope = service::parse_token_scope(spec);
      if (!scope) return fail(scope.status());
      scopes.push_back(*scope);
    }
    int64_t lifetime = 0;
    if (!expires_in.empty()) {
      auto seconds = service::parse_duration_seconds(expires_in);
      if (!seconds) return fail(seconds.status());
      lifetime = *seconds;
    }
    auto created = auth.create_token(token_user, role, token_name, lifetime, scopes);
    if (!created) return fail(created.status());
    std::cout << *created << std::endl;
    return 0;
  }

  // serve
  spdlog::set_level(spdlog::level::from_str(log_level));
  http::ServerOptions options = server_options;
  if (!split_listen(listen, &options.host, &options.port)) {
    std::cerr << "error: --listen expects HOST:PORT, got '" << listen << "'\n";
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
  config.data_dir = data;
  config.public_url = public_url.empty() ? bound : public_url;
  config.xet_enabled = !disable_xet;
  std::error_code ec;
  config.executable_path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  auto opened = service::Hub::open(config);
  if (!opened) return fail(opened.status());
  hub = std::move(*opened);
  hub->recover_after_crash();
  // A data folder from before the lineage index (or after `lineage rebuild` was interrupted):
  // index every repository once, so the graph is complete from the first request.
  if (hub->db().lineage_repos().empty()) {
    if (auto st = hub->lineage().rebuild(); !st) {
      spdlog::warn("lineage: initial indexing incomplete: {}", st.message());
    }
  }
  // Likewise the listing tags (after the lineage index: they name the heads' base models).
  if (!hub->db().any_repo_tags()) {
    if (auto tagged = service::rebuild_listing_tags(*hub); !tagged) {
      spdlog::warn("listing tags: initial indexing incomplete: {}", tagged.status().message());
    }
  }
  // Checkpoints every second while entries arrive, and recovery of killed pushes.
  if (auto st = hub->transparency().issue_checkpoint(); !st) return fail(st);
  hub->transparency().start_background(*hub);
  hub->downloads().start_background();
  context = std::make_unique<api::Context>(*hub);
  context->web_dir = web_dir.empty() ? api::default_web_dir(config.executable_path) : web_dir;
  if (!web_dir.empty() && !std::filesystem::is_regular_file(web_dir + "/index.html", ec)) {
    std::cerr << "error: --web-dir " << web_dir << " has no index.html\n";
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
  if (hub->xet().legacy_count() > 0) {
    migration = std::thread([&hub] {
      auto n = hub->xet().migrate();
      if (n)
        spdlog::info("migrated {} LFS objects into the Xet store", *n);
      else
        spdlog::error("migration into the Xet store stopped: {}", n.status().message());
    });
    migration.detach();
  }
  std::cout << "listening on " << bound << std::endl;
  spdlog::info("serving {} from {} (public URL {})", bound, data, hub->config().public_url);
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
