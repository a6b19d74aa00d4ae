// Subcommands of the vitrine binary that are more than a few lines.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace vitrine::cli {

// `vitrine hook pre-receive`: run by git receive-pack before refs move (see PushPolicy).
// Reads the ref updates on stdin; exits non-zero, with a message git shows the pusher, to
// refuse the whole push.
int run_pre_receive_hook();

// `vitrine hook reference-transaction <state>`: run by git for every ref transaction of a push.
// "prepared" (refs locked, not yet moved) appends the entries as intents and refuses the push if
// the log cannot take them; "committed" resolves them; "aborted" voids them.
int run_reference_transaction_hook(const std::string& state);

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
