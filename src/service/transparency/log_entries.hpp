// Entries of the transparency log for repository changes, and the protocol that keeps the log
// and the visible state in step (docs/transparency.md has the wire format).
//
// Protocol: an entry is appended (with an intent row) BEFORE the change becomes visible; after
// the change, the intent is resolved. If the change does not happen, a `void` entry names the
// intent. After a crash, recover_intents() checks every unresolved intent against the
// repositories: the change either became visible (its intent is resolved) or gets its `void`.
// So every state a client could observe is in the log, and every logged change that never
// became visible is marked. Internal to the service layer (it names storage types).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/repo.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "storage/xet/xet_store.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

// "models/alice/x" for a repository record.
std::string tlog_repo_name(const domain::RepoRecord& repo);

// The canonical bytes of an entry (sorted keys, no spaces) with "v":1 added.
std::string canonical_entry(nlohmann::json entry);

// The bytes a sealed entry's commitment covers, and the commitment itself (hex).
std::string sealed_commitment(std::string_view nonce, std::string_view entry_bytes);

// An entry for `entry` about `repo`: in the clear, or sealed when the repository is private.
// Adds the lookup keys every entry of a repository has.
storage::TlogAppend make_entry(const domain::RepoRecord& repo, nlohmann::json entry,
                               std::vector<std::string> keys,
                               std::optional<storage::TlogIntent> intent);

// Lists longer than this (in JSON bytes) are split over `part` entries: an entry bundle holds
// entries of at most 65,535 bytes.
inline constexpr size_t kMaxListBytes = 32 * 1024;
// Consecutive chunks of `items` of at most kMaxListBytes each (one, maybe empty, at least).
std::vector<nlohmann::json> split_into_parts(const nlohmann::json& items);

// The entry that marks intent `index` as a change that never became visible.
storage::TlogAppend void_entry(int64_t index, const std::string& reason);

// The entry for moving `ref` of `repo` from `old_commit` to `new_commit` ("" for none): the
// new commit's tree, whether the move rewrites history, and the LFS/Xet files it adds or
// changes (their SHA-256, and Xet hash when stored in Xet).
// What the caller already knows about a move (saves reading it back from the repository): the
// trees of both commits ("" for none), and that `new_commit` has `old_commit` as a parent.
struct RefEntryHint {
  std::string old_tree;
  std::string new_tree;
};
// The ref entry (with the intent) first, then `part` entries when its file list is long.
Result<std::vector<storage::TlogAppend>> ref_entries(
    storage::GitRepo& git, storage::XetStore* xet, const domain::RepoRecord& repo,
    const std::string& ref, const std::string& old_commit, const std::string& new_commit,
    const std::string& actor, const std::string& via, const RefEntryHint* hint = nullptr);
// The same when the move needs no part entries (an error otherwise).
Result<storage::TlogAppend> ref_entry(storage::GitRepo& git, storage::XetStore* xet,
                                      const domain::RepoRecord& repo, const std::string& ref,
                                      const std::string& old_commit, const std::string& new_commit,
                                      const std::string& actor, const std::string& via,
                                      const RefEntryHint* hint = nullptr);

// One ref move through the API. `target` is what the ref will name ("" deletes it), with a
// compare-and-swap on `expected_old` ("" for a new ref; for a deletion, "" deletes whatever it
// names). The entry logs the commits: `logged_old`/`logged_new` when set (an annotated tag's
// commit, a deleted ref's last commit), else expected_old/target.
struct RefMove {
  std::string ref;
  std::string target;
  std::string expected_old;
  std::string message;
  std::optional<std::string> logged_old;
  std::optional<std::string> logged_new;
  std::optional<RefEntryHint> hint;  // for a commit built on expected_old
};

// Moves a ref the logged way: the entry first, then the compare-and-swap, then the intent
// resolved (or voided when the swap fails).
Status logged_ref_update(Hub& hub, storage::GitRepo& git, const domain::RepoRecord& repo,
                         const std::string& actor, const RefMove& move);

// Appends entries as intents; resolves them with done(), or voids them when destroyed first.
class LoggedChange {
 public:
  explicit LoggedChange(storage::TlogStore& store) : store_(store) {}
  ~LoggedChange();
  LoggedChange(const LoggedChange&) = delete;
  LoggedChange& operator=(const LoggedChange&) = delete;
  Status begin(const std::vector<storage::TlogAppend>& entries);
  void done();
  // Voids the intents now with `reason` (done() afterwards is a no-op).
  void abandon(const std::string& reason);

 private:
  storage::TlogStore& store_;
  std::vector<int64_t> intents_;
};

// Checks unresolved intents created before `before_ms` against the repositories and the
// metadata: a change that became visible is resolved, one that did not gets a `void` entry.
// Returns how many were voided.
Result<int64_t> recover_intents(storage::TlogStore& store, storage::MetadataDb& db,
                                const std::string& git_root, int64_t before_ms);

}  // namespace vitrine::service
