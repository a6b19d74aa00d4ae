// `vitrine tlog key|check|rehash`: the transparency log of a data folder (docs/transparency.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/transparency/transparency.hpp"

namespace vitrine::cli {

Commands add_tlog_command(CLI::App& app, Globals& g) {
  auto public_url = std::make_shared<std::string>();
  auto* tlog = app.add_subcommand("tlog", "The transparency log (docs/transparency.md)");
  tlog->require_subcommand(1);
  auto* key = tlog->add_subcommand(
      "key", "Print the log's verifier key (created with the first serve, or now)");
  key->add_option("--data", g.data, "Data folder");
  key->add_option("--public-url", *public_url, "Names a key created now (its host)");
  auto* check = tlog->add_subcommand(
      "check", "Recompute the log's hashes from its entries and report any disagreement");
  check->add_option("--data", g.data, "Data folder");
  auto* rehash = tlog->add_subcommand(
      "rehash",
      "Rebuild the log's hashes from its entries and drop its checkpoints (after a "
      "restore; clients that saw the old log will see the difference)");
  rehash->add_option("--data", g.data, "Data folder");

  auto open = [public_url, &g]() {
    service::HubConfig config;
    if (!public_url->empty()) config.public_url = *public_url;
    return open_hub(g.data, config);
  };
  auto run_key = [open] {
    auto hub = open();
    if (!hub) return fail(hub.status());
    auto text = (*hub)->transparency().verifier_key();
    if (!text) return fail(text.status());
    std::cout << *text << "\n";
    return 0;
  };
  auto run_check = [open] {
    auto hub = open();
    if (!hub) return fail(hub.status());
    int64_t entries = 0;
    auto problem = (*hub)->transparency().check(&entries);
    if (!problem) return fail(problem.status());
    if (!problem->empty()) {
      std::cout << "damaged: " << *problem << "\n";
      return 1;
    }
    std::cout << "checked " << entries << " entries: their hashes match\n";
    return 0;
  };
  auto run_rehash = [open] {
    auto hub = open();
    if (!hub) return fail(hub.status());
    auto size = (*hub)->transparency().rehash();
    if (!size) return fail(size.status());
    std::cout << "rehashed " << *size << " entries\n";
    return 0;
  };
  return {{key, run_key}, {check, run_check}, {rehash, run_rehash}};
}

}  // namespace vitrine::cli
