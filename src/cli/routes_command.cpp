// `vitrine routes` (hidden): the route table as JSON, for the authorization matrix test and
// the check of docs/api.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "api/routes.hpp"
#include "cli/commands.hpp"

namespace vitrine::cli {

Commands add_routes_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("routes", "")->group("");
  return {{cmd, [] {
             std::cout << api::routes_json() << "\n";
             return 0;
           }}};
}

}  // namespace vitrine::cli
