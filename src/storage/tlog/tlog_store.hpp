// TlogStore: the transparency log's persistent state in data/tlog/log.sqlite: the entries (as
// logged, plus the private opening of sealed ones), their Merkle hashes in the stored-hash
// layout of tlog/merkle.hpp, lookup keys, unresolved intents and signed checkpoints.
//
// Appends are atomic and ordered across processes (BEGIN IMMEDIATE): `vitrine serve` and the
// git hooks it runs append to the same file. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "formats/tlog/merkle.hpp"
#include "storage/storage_private.hpp"
#include "util/result.hpp"

namespace vitrine::storage {

// An intent to check after a crash: what the change would make visible.
struct TlogIntent {
  std::string kind;     // "ref", "create", "delete", "rename", "visibility"
  std::string repo_id;  // repository uid
  std::string ref;      // full ref name for "ref"
  std::string expect;   // "ref": the new commit ("" for a deletion); "rename": type/ns/name;
                        // "visibility": "1" (private) or "0"
  // The writer that will resolve the intent (0: this process). Recovery leaves the intents of
  // a live writer alone: a git push whose hook logged them may still move the ref.
  int64_t pid = 0;
  int64_t started = 0;  // the writer's start time (/proc), set by append: tells a reused pid
};

// A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or -1 when no
// such process runs. With the pid, it names a process across pid reuse.
int64_t process_start_time(int64_t pid);

struct TlogAppend {
  std::string data;          // the entry bytes as logged (its leaf hash is record_hash(data))
  std::string sealed_entry;  // when set, `data` commits to this entry with `nonce`
  std::string nonce;
  std::string sealed_repo;           // the uid of the repository a sealed entry is about
  std::vector<std::string> keys;     // lookup keys, e.g. "repo:<uid>", "file:<sha256>"
  std::optional<TlogIntent> intent;  // unresolved until resolve() (or recovery)
};

struct TlogEntry {
  int64_t index = 0;
  std::string data;
  std::string sealed_entry;  // empty unless sealed
  std::string nonce;
};

struct TlogPendingIntent {
  int64_t index = 0;
  TlogIntent intent;
  int64_t created_ms = 0;
};

struct TlogCheckpoint {
  int64_t size = 0;
  std::string note;  // the signed note
  int64_t time_ms = 0;
};

class TlogStore {
 public:
  ~TlogStore();
  // Opens or creates <dir>/log.sqlite.
  static Result<std::unique_ptr<TlogStore>> open(const std::string& dir);

  // Appends the entries in order, atomically, and in the same transaction resolves the intents
  // in `resolves` (the void entries among `entries` settle them); returns the index of the
  // first entry.
  Result<int64_t> append(const std::vector<TlogAppend>& entries,
                         std::span<const int64_t> resolves = {});
  // Marks intents resolved (the change became visible, or a void entry names it).
  Status resolve(std::span<const int64_t> indexes);
  // The same, written with the next append or flush (saves a transaction per change; an intent
  // whose resolution a crash lost is settled by recovery, which finds the change visible).
  void resolve_later(std::span<const int64_t> indexes);
  Status flush_resolved();
  // Unresolved intents created before `before_ms`, oldest first.
  Result<std::vector<TlogPendingIntent>> pending(int64_t before_ms);
  // Whether an entry after `index` carries `key` and is resolved and not voided: evidence that
  // an intent before it became visible (e.g. a later ref update started from its new commit).
  Result<bool> later_resolved(int64_t index, const std::string& key);
  // The unresolved intents that match exactly (writer pid included), oldest first.
  Result<std::vector<int64_t>> find_intents(const TlogIntent& intent);

  Result<int64_t> size();
  Result<std::vector<tlog::Hash>> read_hashes(std::span<const int64_t> indexes);
  tlog::HashReader hash_reader();
  Result<TlogEntry> entry(int64_t index);
  Result<std::vector<TlogEntry>> entries(int64_t from, int64_t to);  // [from, to)
  // Indexes of the entries that carry every key, ascending, below `limit_index`.
  Result<std::vector<int64_t>> lookup(const std::vector<std::string>& keys, int64_t limit_index,
                                      size_t max_results);
  // lookup() for a caller who may not open every sealed entry: the entries everyone may see
  // (in the clear, or sealed by a repository whose sealed entries are open) and the sealed
  // entries of `readable_repos` (uids), and nothing else: the index is laid out by who may see
  // each entry, so the query seeks only those parts and never reads or counts another entry.
  Result<std::vector<int64_t>> lookup_visible(const std::vector<std::string>& keys,
                                              int64_t limit_index, size_t max_results,
                                              const std::vector<std::string>& readable_repos);
  // Opens the sealed entries of a repository to everyone (it is public now) or closes them
  // again to its readers only (it is private or deleted). Their bytes stay sealed in the log;
  // this only decides which lookups find them.
  Status set_open(const std::string& repo_uid, bool open);
  // The repositories with sealed entries, and whether those are open.
  Result<std::vector<std::pair<std::string, bool>>> sealed_repos();

  Status save_checkpoint(const TlogCheckpoint& checkpoint);
  Result<std::optional<TlogCheckpoint>> latest_checkpoint();

  // Recomputes every stored hash from the entries and compares: the first disagreement, or ""
  // when the stored hashes are exactly those of the stored entries.
  Result<std::string> check();
  // Recomputes every stored hash from the stored entries and forgets the checkpoints (after a
  // restore, or to repair the index). The next checkpoint signs whatever the entries are now.
  Status rehash();

  struct Impl;

 private:
  explicit TlogStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitrine::storage
