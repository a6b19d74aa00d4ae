// `vitrine hook`: the git hooks of a push (git runs them during receive-pack, people do not).
// The environment git passes on names the data folder, the repository and the pusher; the
// work is service/transfer/push_hooks.hpp.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/commands.hpp"
#include "service/transfer/push_hooks.hpp"

namespace vitrine::cli {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

service::PushHookContext hook_context() {
  service::PushHookContext context;
  context.data_dir = env("VITRINE_DATA");
  context.repo_uid = env("VITRINE_REPO_UID");
  context.push_user = env("VITRINE_PUSH_USER");
  context.push_admin = env("VITRINE_PUSH_ADMIN") == "1";
  context.git_pid = ::getppid();
  return context;
}

std::string read_stdin() {
  return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
}

// Whether git pack-refs (or a gc running it) is the caller: it moves loose refs into
// packed-refs and reports the loose ones as deleted, though no ref changes.
bool run_by_pack_refs() {
  std::ifstream cmdline("/proc/" + std::to_string(::getppid()) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  return args.find(std::string("pack-refs") + '\0') != std::string::npos;
}

int run_pre_receive_hook() {
  std::string input = read_stdin();
  auto context = hook_context();
  if (context.data_dir.empty()) {
    std::cerr << "vitrine: push refused: hook run outside vitrine (VITRINE_DATA unset)\n";
    return 1;
  }
  if (auto st = service::run_pre_receive(context, input); !st) {
    std::cerr << "vitrine: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

int run_reference_transaction_hook(const std::string& state) {
  auto lines = service::parse_ref_lines(read_stdin());
  if (lines.empty() || run_by_pack_refs()) return 0;
  auto context = hook_context();
  if (context.data_dir.empty() || context.repo_uid.empty()) {
    std::cerr << "vitrine: push refused: hook run outside vitrine (VITRINE_DATA unset)\n";
    return 1;
  }
  if (auto st = service::run_reference_transaction(context, state, lines); !st) {
    std::cerr << "vitrine: transparency log: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

Commands add_hook_command(CLI::App& app) {
  auto state = std::make_shared<std::string>();
  auto* hook = app.add_subcommand("hook", "Git hooks (run by git during pushes, not by people)");
  hook->require_subcommand(1);
  auto* pre_receive = hook->add_subcommand("pre-receive", "Check a push before its refs move");
  auto* ref_tx = hook->add_subcommand("reference-transaction", "Log a push's ref moves");
  ref_tx->add_option("state", *state)->required();
  return {{pre_receive, [] { return run_pre_receive_hook(); }},
          {ref_tx, [state] { return run_reference_transaction_hook(*state); }}};
}

}  // namespace vitrine::cli
