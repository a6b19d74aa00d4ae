// `vitrine fsck [--repair]`: recomputes every hash of the large-file store.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/transfer/object_maintenance.hpp"

namespace vitrine::cli {

Commands add_fsck_command(CLI::App& app, Globals& g) {
  auto repair = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "fsck", "Recompute every hash of the large-file store and report damage (exit 1 if any)");
  cmd->add_flag("--repair", *repair,
                "Quarantine damaged xorbs and unregister the files that need them");
  cmd->add_option("--data", g.data, "Data folder");
  auto run = [repair, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    auto report = service::ObjectMaintenance(**hub).fsck(*repair);
    if (!report) return fail(report.status());
    for (const auto& p : report->problems) std::cout << "damaged: " << p << "\n";
    std::cout << "checked " << report->xorbs_checked << " xorbs (" << report->bytes_checked
              << " bytes), " << report->files_checked << " files: " << report->problems.size()
              << " problems";
    if (*repair) std::cout << ", " << report->quarantined << " xorbs quarantined";
    std::cout << "\n";
    return report->problems.empty() ? 0 : 1;
  };
  return {{cmd, run}};
}

}  // namespace vitrine::cli
