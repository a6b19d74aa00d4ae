// Subcommands of the vitrine binary that are more than a few lines.
#pragma once

#include <string>

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

}  // namespace vitrine::cli
