// Transparency: the transparency log of one hub, its signing key and its checkpoints
// (docs/transparency.md). The entries of repository changes and the intent protocol that keeps
// the log in step with the repositories are in log_entries.hpp (internal to the service layer);
// what a caller may see of the log is LogView (log_view.hpp).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "formats/tlog/note.hpp"
#include "util/result.hpp"

namespace vitrine::storage {
class TlogStore;
struct TlogCheckpoint;
}  // namespace vitrine::storage

namespace vitrine::service {

class Hub;

// The signing key and checkpoints of one hub's log.
class Transparency {
 public:
  ~Transparency();
  // Opens <data_dir>/tlog. The Ed25519 key is created when first needed (the first
  // `vitrine serve`), named "<host of public_url>/vitrine-log".
  static Result<std::unique_ptr<Transparency>> open(const std::string& data_dir,
                                                    const std::string& public_url);
  storage::TlogStore& store() { return *store_; }
  // The verifier key, "<name>+<hash>+<base64>"; the name is the log's origin.
  Result<std::string> verifier_key();

  // Signs a checkpoint of the whole log when it grew since the last one (or none exists).
  Status issue_checkpoint();
  // The latest signed checkpoint (issuing one first when there is none).
  Result<storage::TlogCheckpoint> checkpoint();

  // Recomputes every stored hash from the entries (`vitrine tlog check`): the first
  // disagreement, or "" when they match. `entries` receives the log's size.
  Result<std::string> check(int64_t* entries);
  // Rebuilds the hashes from the entries and forgets the checkpoints (`vitrine tlog rehash`,
  // after a restore); returns the log's size.
  Result<int64_t> rehash();

  // For bench/tlog.sh only (no flag or setting reaches it): API ref moves skip the log, to
  // measure what logging adds to a commit.
  void set_ref_logging_for_benchmark(bool on) { ref_logging_ = on; }
  bool ref_logging() const { return ref_logging_; }

  // A thread that signs checkpoints every `interval_ms` while entries arrive and recovers
  // intents left unresolved by crashed writers (git hooks killed mid-push). Stops on destruction.
  void start_background(Hub& hub, int interval_ms = 1000);

 private:
  Transparency() = default;
  Status load_key();  // under key_mutex_
  std::unique_ptr<storage::TlogStore> store_;
  std::string dir_;
  std::string public_url_;
  std::mutex key_mutex_;
  std::optional<tlog::Signer> signer_;
  std::string verifier_key_;
  std::mutex checkpoint_mutex_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ref_logging_{true};
  std::thread background_;
};

}  // namespace vitrine::service
