// `vitrine migrate`: converts LFS objects of the earlier plain-file store into the Xet store
// (`serve` also does it in the background).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/transfer/object_maintenance.hpp"

namespace vitrine::cli {

Commands add_migrate_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "migrate", "Convert LFS objects of the earlier plain-file store into the Xet store");
  cmd->add_option("--data", g.data, "Data folder");
  auto run = [&g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    auto n = service::ObjectMaintenance(**hub).migrate();
    if (!n) return fail(n.status());
    std::cout << "converted " << *n << " objects\n";
    return 0;
  };
  return {{cmd, run}};
}

}  // namespace vitrine::cli
