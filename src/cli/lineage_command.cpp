// `vitrine lineage rebuild`: indexes every branch of every repository again (docs/lineage.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/lineage/lineage.hpp"

namespace vitrine::cli {

Commands add_lineage_command(CLI::App& app, Globals& g) {
  auto* lineage = app.add_subcommand("lineage", "The lineage index (docs/lineage.md)");
  lineage->require_subcommand(1);
  auto* rebuild = lineage->add_subcommand(
      "rebuild",
      "Drop the lineage index and index every branch of every repository again (with the "
      "server stopped)");
  rebuild->add_option("--data", g.data, "Data folder");
  auto run = [&g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    size_t revisions = 0;
    auto st = (*hub)->lineage().rebuild(&revisions);
    std::cout << "indexed the refs of every repository (" << revisions << " refs)\n";
    if (!st) return fail(st);
    return 0;
  };
  return {{rebuild, run}};
}

}  // namespace vitrine::cli
