// Subcommands of the vitrine binary that are more than a few lines.
#pragma once

namespace vitrine::cli {

// `vitrine hook pre-receive`: run by git receive-pack before refs move (see PushPolicy).
// Reads the ref updates on stdin; exits non-zero, with a message git shows the pusher, to
// refuse the whole push.
int run_pre_receive_hook();

}  // namespace vitrine::cli
