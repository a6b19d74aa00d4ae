// vitrine: the command line. `serve` runs the hub; `user`, `org`, `token` and the maintenance
// commands administer a data folder directly (with or without a running server, since SQLite
// handles both writers). Each subcommand lives in its own <name>_command.cpp (commands.hpp).
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace vitrine::cli;
  CLI::App app{"Vitrine: a self-hostable hub for open AI models and datasets"};
  app.require_subcommand(1);
  Globals globals{env_or("VITRINE_DATA", "./data")};
  auto verify = std::make_shared<VerifyOptions>();
  std::vector<Commands> all = {
      add_serve_command(app, globals),
      add_user_command(app, globals),
      add_org_command(app, globals),
      add_token_command(app, globals),
      add_hook_command(app),
      add_audit_command(app, globals),
      add_fsck_command(app, globals),
      add_gc_command(app, globals),
      add_migrate_command(app, globals),
      add_tlog_command(app, globals),
      add_lineage_command(app, globals),
      add_jobs_command(app, globals),
      add_datasets_command(app, globals),
      {{add_verify_command(app, *verify), [verify] { return run_verify(*verify); }}},
      add_routes_command(app),
      add_xet_hash_command(app),
  };

  CLI11_PARSE(app, argc, argv);

  for (const auto& commands : all) {
    for (const auto& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  }
  return 2;  // unreachable: CLI11 requires one subcommand, and a group one of its own
}
