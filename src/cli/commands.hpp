// The subcommands of the vitrine binary, one file each (<name>_command.cpp). Each adds itself
// to the application and says how to run once the command line named it; main.cpp runs the one
// that was parsed.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "service/hub.hpp"
#include "util/result.hpp"

namespace CLI {
class App;
}

namespace vitrine::cli {

// The wire spellings of a domain enum's values (domain/), for the values an option accepts.
template <typename Enum, size_t N>
std::vector<std::string> wire_names(const std::array<Enum, N>& values) {
  std::vector<std::string> out;
  for (Enum v : values) out.push_back(to_wire(v));  // found beside the enum (domain/)
  return out;
}

// A parsed subcommand (or one of its own subcommands) and what runs it: the exit status.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

// The data folder (--data, env VITRINE_DATA), shared by the commands that open one.
struct Globals {
  std::string data;
};

// Prints "error: <message>" on stderr and returns 1.
int fail(const Status& status);
// Opens the data folder (creating it when new, upgrading it in place when older).
Result<std::unique_ptr<service::Hub>> open_hub(const std::string& data,
                                               service::HubConfig config = {});
// `name`'s value from the environment, or `fallback` when unset or empty.
std::string env_or(const char* name, const std::string& fallback);

Commands add_serve_command(CLI::App& app, Globals& g);     // serve_command.cpp
Commands add_user_command(CLI::App& app, Globals& g);      // user create|delete|set-password|list
Commands add_org_command(CLI::App& app, Globals& g);       // org create|add-member
Commands add_token_command(CLI::App& app, Globals& g);     // token create|list|revoke
Commands add_audit_command(CLI::App& app, Globals& g);     // audit list
Commands add_fsck_command(CLI::App& app, Globals& g);      // fsck [--repair]
Commands add_gc_command(CLI::App& app, Globals& g);        // gc [--grace-seconds]
Commands add_migrate_command(CLI::App& app, Globals& g);   // migrate (LFS files into Xet)
Commands add_tlog_command(CLI::App& app, Globals& g);      // tlog key|check|rehash
Commands add_lineage_command(CLI::App& app, Globals& g);   // lineage rebuild
Commands add_jobs_command(CLI::App& app, Globals& g);      // jobs list
Commands add_datasets_command(CLI::App& app, Globals& g);  // datasets reprocess
Commands add_hook_command(CLI::App& app);                  // hook pre-receive|reference-transaction
Commands add_routes_command(CLI::App& app);                // routes (hidden)
Commands add_xet_hash_command(CLI::App& app);              // xet-hash (hidden)

// `vitrine xet-hash` (hidden, for tests): reads {"data_file": path, "boundaries": [ends] (optional,
// else Vitrine's chunker cuts), "ranges": [[first, last_exclusive], ...] (optional)} on stdin;
// prints {"boundaries", "chunk_hashes", "xorb_hash", "file_hash", "verification"} as JSON,
// hashes in the spec's string form. Exit 2 on bad input.
int run_xet_hash();

// What `vitrine verify` was asked to check (see add_verify_command).
struct VerifyOptions {
  std::string hub;                 // base URL of the hub
  std::string key;                 // verifier key text, or a file holding it
  std::string state_dir;           // witness state; empty: the XDG default
  std::string token;               // empty: $HF_TOKEN
  std::string repo;                // models/ns/name, datasets/..., spaces/...
  std::string ref;                 // branch or full ref name; empty: every ref
  std::string revision;            // a commit that must be logged for `repo`
  std::vector<std::string> files;  // local files that must be in the log
  std::string other_checkpoint;    // a checkpoint file from another witness
  bool json = false;               // one JSON report on stdout instead of lines
};

// Adds the `verify` subcommand, whose options fill `options`, to `app`.
CLI::App* add_verify_command(CLI::App& app, VerifyOptions& options);

// `vitrine verify`: checks over HTTP that the hub's signed checkpoint matches its tiles and
// extends the last one this witness saw, then that the given repository history, revision and
// files are in the log. Exit 0 when everything verified, 1 when the log failed a check (the
// reason on stderr as `vitrine verify: FAILED: ...`), 2 when the check could not run (usage,
// network, local files).
int run_verify(const VerifyOptions& options);

}  // namespace vitrine::cli
