// `vitrine gc`: removes large files no repository references, xorbs no file references, and
// abandoned multipart parts.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/transfer/object_maintenance.hpp"

namespace vitrine::cli {

Commands add_gc_command(CLI::App& app, Globals& g) {
  auto grace_seconds = std::make_shared<int64_t>(24 * 3600);
  auto* cmd = app.add_subcommand(
      "gc", "Remove large files no repository references and xorbs no file references");
  cmd->add_option("--grace-seconds", *grace_seconds,
                  "Keep anything touched this recently (uploads in flight)")
      ->capture_default_str();
  cmd->add_option("--data", g.data, "Data folder");
  auto run = [grace_seconds, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    auto report = service::ObjectMaintenance(**hub).gc(*grace_seconds);
    if (!report) return fail(report.status());
    std::cout << "removed " << report->files_removed << " files, " << report->xorbs_removed
              << " xorbs, " << report->bytes_freed << " bytes; " << report->part_bytes_freed
              << " bytes of abandoned multipart parts\n";
    return 0;
  };
  return {{cmd, run}};
}

}  // namespace vitrine::cli
