// The git hooks of a push. git receive-pack runs `vitrine hook pre-receive` and
// `vitrine hook reference-transaction` (service/transfer/git_transport.cpp installs them) with
// the data folder, the repository and the pusher in the environment; the work is done here:
//   - pre-receive: the push policy (service/commits/push_policy.hpp) on the pushed objects,
//     still in git's quarantine, and the LFS objects the push names recorded for the repository;
//   - reference-transaction: the transparency log's protocol for the ref moves
//     (service/transparency/log_entries.hpp): "prepared" appends the entries as intents before
//     git moves the refs, "committed" resolves them, "aborted" voids them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::service {

struct PushHookContext {
  std::string data_dir;     // VITRINE_DATA
  std::string repo_uid;     // VITRINE_REPO_UID
  std::string push_user;    // VITRINE_PUSH_USER
  bool push_admin = false;  // VITRINE_PUSH_ADMIN=1
  int64_t git_pid = 0;      // the git receive-pack that runs the hook
};

// The pre-receive hook on its input (one "old new ref" line per update). The repository is
// opened as git hands it over (GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES name
// the quarantine). An error's message is what the pusher sees after "vitrine: ".
Status run_pre_receive(const PushHookContext& context, std::string_view input);

// One ref move as the reference-transaction hook receives it: ids of 40 zeros become "".
struct RefLine {
  std::string old_value, new_value, ref;
};
// The moves of named refs in the hook's input (HEAD is symbolic; pack-refs rewrites a ref
// without moving it).
std::vector<RefLine> parse_ref_lines(std::string_view input);

// The reference-transaction hook in `state` for `lines` (not empty). An error's message is
// what the pusher sees after "vitrine: transparency log: "; in "prepared" it refuses the push.
Status run_reference_transaction(const PushHookContext& context, const std::string& state,
                                 const std::vector<RefLine>& lines);

}  // namespace vitrine::service
