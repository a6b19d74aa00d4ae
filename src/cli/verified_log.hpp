// VerifiedLog: one hub's transparency log as a witness sees it over HTTP (`vitrine verify`):
// its signed checkpoint, the tiles behind it, and entries checked against them. Nothing the
// hub serves is used unless it is checked against the signed root: the tiles must give the
// checkpoint's root, each entry's bytes must hash to its leaf and the leaf must have an
// inclusion proof, and each sealed entry's opening must match its commitment.
//
// Errors follow tlog_client.hpp: kUnprocessable when the log fails a check, anything else when
// the check could not run. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/http_client.hpp"
#include "cli/tlog_client.hpp"
#include "formats/tlog/merkle.hpp"
#include "formats/tlog/note.hpp"
#include "util/result.hpp"

namespace vitrine::cli {

// One entry of the log, checked against the signed checkpoint.
struct VerifiedEntry {
  int64_t index = 0;
  nlohmann::json entry;  // what it says: the opened entry for a sealed one the caller may read
  bool sealed = false;   // logged as `sealed`
  bool opened = false;   // sealed, and its opening checked against the commitment
};

// GET `path` from the hub as JSON. missing_is_empty: a 404 reads as {"entries": []} (a
// lookup of something the hub does not show). Other non-200 answers cannot be checked.
Result<nlohmann::json> get_json(HttpClient& http, const std::string& path, bool missing_is_empty);

class VerifiedLog {
 public:
  // Reads the log through `http`, which must outlive this object.
  VerifiedLog(HttpClient& http, tlog::Verifier key);

  // Fetches the checkpoint and checks its signature, its origin and the tiles behind it. When
  // the checkpoint covers fewer than `must_cover` entries, waits for the next one (the hub
  // signs at least every 2 seconds while entries arrive) up to about 15 seconds.
  Status open(int64_t must_cover);
  const SignedCheckpoint& checkpoint() const { return checkpoint_; }

  // Checks that the opened checkpoint extends `old` (a fork, a rewrite or, unless `gossip`, a
  // shrink fails). `what` says where `old` comes from, for messages. With `gossip` and an `old`
  // larger than the opened checkpoint, the hub's consistency proof from the opened one to it
  // is checked against both signed roots.
  Status check_extends(const SignedCheckpoint& old, const std::string& what, bool gossip);

  // Checks every item of a lookup answer ({"entries": [{"index", "leaf_hash", "entry",
  // ["opened"]}]}) against the log, in order; then looks for `void` entries that cancel them.
  Result<std::vector<VerifiedEntry>> verify_entries(const nlohmann::json& answer);

  // Whether a verified `void` entry cancels intent `index`.
  bool voided(int64_t index) const { return voided_.contains(index); }
  // The entry at `index` if verify_entries checked it, else nullptr.
  const VerifiedEntry* find(int64_t index) const;

 private:
  struct Logged {
    nlohmann::json entry;
    tlog::Hash leaf{};
  };
  Result<std::string> fetch_tile(const std::string& path);
  Result<SignedCheckpoint> fetch_checkpoint();
  Result<Logged> logged_entry(int64_t index);
  Result<VerifiedEntry> verify_entry(const nlohmann::json& item);
  Status note_voids();

  HttpClient& http_;
  tlog::Verifier key_;
  TileCache tiles_;
  SignedCheckpoint checkpoint_;
  tlog::HashReader reader_;
  std::map<int64_t, Logged> logged_;           // entries checked against the tiles
  std::map<int64_t, VerifiedEntry> verified_;  // entries the API returned, checked
  std::set<int64_t> scanned_for_voids_;        // indexes note_voids() has read
  std::set<int64_t> voided_;                   // intents a verified `void` entry cancels
};

}  // namespace vitrine::cli
