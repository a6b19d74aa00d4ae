// `vitrine audit list`: the security audit log, newest first.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/access/audit_log.hpp"
#include "util/time.hpp"

namespace vitrine::cli {

Commands add_audit_command(CLI::App& app, Globals& g) {
  auto query = std::make_shared<domain::AuditQuery>();
  auto* audit = app.add_subcommand("audit", "Read the security audit log");
  audit->require_subcommand(1);
  auto* list = audit->add_subcommand("list", "List events, newest first");
  list->add_option("--limit", query->limit, "How many events")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  list->add_option("--type", query->type, "Only this event type (token.create, ...)");
  list->add_option("--actor", query->actor, "Only events by this user");
  list->add_option("--target", query->target, "Only events about this target");
  list->add_option("--data", g.data, "Data folder");
  auto run = [query, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    for (const auto& e : service::AuditLog(**hub).list(*query)) {
      std::cout << util::iso8601_utc(e.time) << "\t" << e.type << "\t" << e.actor << "\t"
                << e.target << "\t" << e.ip << "\t" << e.details_json << "\n";
    }
    return 0;
  };
  return {{list, run}};
}

}  // namespace vitrine::cli
