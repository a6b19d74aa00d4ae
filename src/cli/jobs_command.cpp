// `vitrine jobs list`: the background job queue (service/jobs/job_queue.hpp), newest first.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "service/jobs/job_queue.hpp"
#include "util/time.hpp"

namespace vitrine::cli {

Commands add_jobs_command(CLI::App& app, Globals& g) {
  auto state = std::make_shared<std::string>();
  auto* jobs = app.add_subcommand("jobs", "The background job queue");
  jobs->require_subcommand(1);
  auto* list = jobs->add_subcommand(
      "list", "List jobs, newest first (at most 1000): id, state, kind, key, attempts, progress");
  list->add_option("--state", *state, "Only jobs in this state")
      ->check(CLI::IsMember(wire_names(domain::kJobStates)));
  list->add_option("--data", g.data, "Data folder");
  auto run_list = [state, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    auto listed = service::JobQueue(**hub).list(
        state->empty() ? std::nullopt : domain::job_state_from_wire(*state));
    if (!listed) return fail(listed.status());
    for (const auto& j : *listed) {
      char progress[16];
      std::snprintf(progress, sizeof progress, "%.0f%%", j.progress * 100);
      std::cout << j.id << "\t" << domain::to_wire(j.state) << "\t" << j.kind << "\t" << j.key
                << "\t" << j.attempts << "\t" << progress << "\t"
                << util::iso8601_utc(j.created_ms);
      if (!j.error.empty()) std::cout << "\t" << j.error;
      std::cout << "\n";
    }
    return 0;
  };
  return {{list, run_list}};
}

}  // namespace vitrine::cli
