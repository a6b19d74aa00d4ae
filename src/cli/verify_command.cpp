// `vitrine verify`: a witness of a hub's transparency log (docs/transparency.md), run by anyone
// who holds the hub's public key, over HTTP only. It checks, in this order:
//   1. the signed checkpoint opens with the key and names the key's log;
//   2. the hub's tiles give the checkpoint's root (so every hash read later is the hub's);
//   3. the checkpoint extends the one this witness saved last time, and the one another witness
//      handed over (--checkpoint), so the hub cannot show different histories to different
//      people without one of them noticing;
//   4. each entry the lookup API answered for --repo / --file is byte for byte the logged entry
//      at its index (entry bundle -> leaf hash -> inclusion proof to the signed root);
// and only then saves the checkpoint as the new witness state. Nothing the hub says is trusted
// unless it is checked against the signed root.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/http_client.hpp"
#include "cli/tlog_client.hpp"
#include "tlog/merkle.hpp"
#include "tlog/note.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// How a step ends when it does not pass. kUnprocessable: the log failed a check (exit 1);
// any other kind: the check could not run (exit 2).
Status log_failed(std::string reason) {
  return unprocessable(std::move(reason));
}
Status cannot_check(std::string reason) {
  return internal_error(std::move(reason));
}
bool is_log_failure(const Status& status) {
  return status.kind() == ErrorKind::kUnprocessable;
}

// An error from tile reading or proof math, as a failure of the log with `reason` (transport
// failures stay "could not check").
Status as_log_failure(const Status& status, const std::string& reason) {
  if (status.kind() == ErrorKind::kInternal) return status;
  return log_failed(reason + " (" + status.message() + ")");
}

// How long to wait for a checkpoint that covers entries the lookup API already returned: the
// hub signs one at least every 2 seconds while entries arrive.
constexpr int kCheckpointAttempts = 15;

struct SignedCheckpoint {
  std::string note;  // the signed note, as served
  int64_t size = 0;
  tlog::Hash root{};
};

// Opens `bytes` as a checkpoint signed by `key` for the key's log. `what` names it in errors.
Result<SignedCheckpoint> open_checkpoint(std::string_view bytes, const tlog::Verifier& key,
                                         const std::string& what) {
  auto opened = tlog::open_note(bytes, std::span<const tlog::Verifier>(&key, 1));
  if (!opened) {
    if (opened.error == tlog::NoteError::kUnknownKey ||
        opened.error == tlog::NoteError::kBadSignature) {
      return log_failed(what + " signature does not verify with the given key (" + opened.message +
                        ")");
    }
    return log_failed(what + " is not a signed note (" + opened.message + ")");
  }
  auto checkpoint = tlog::parse_checkpoint(opened.note.text);
  if (!checkpoint)
    return log_failed(what + " is malformed (" + checkpoint.status().message() + ")");
  if (checkpoint->origin != key.name) {
    return log_failed(what + " is for the log '" + checkpoint->origin + "', not '" + key.name +
                      "'");
  }
  if (checkpoint->tree_size > static_cast<uint64_t>(INT64_MAX)) {
    return log_failed(what + " has an impossible tree size");
  }
  SignedCheckpoint out;
  out.note = std::string(bytes);
  out.size = static_cast<int64_t>(checkpoint->tree_size);
  std::copy(checkpoint->root_hash.begin(), checkpoint->root_hash.end(), out.root.begin());
  return out;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot_check("cannot read " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return cannot_check("cannot read " + path);
  return data;
}

// Writes `data` to `path` through a temporary file and a rename, so a crash leaves the old
// state or the new one, never half of either.
Status write_file_atomically(const fs::path& path, std::string_view data) {
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return cannot_check("cannot write " + tmp.string());
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return cannot_check("cannot write " + path.string());
  }
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::ok();
}

std::string short_commit(const std::string& commit) {
  return commit.empty() ? "(none)" : commit.substr(0, 12);
}

std::string entry_time(const json& entry) {
  auto it = entry.find("time");
  return it != entry.end() && it->is_number_integer() ? util::iso8601_utc(it->get<int64_t>())
                                                      : std::string("?");
}

std::string string_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "models/ns/name" -> "/api/models/ns/name"; empty when the type prefix is missing.
std::string api_repo_path(const std::string& repo) {
  for (const char* type : {"models/", "datasets/", "spaces/"}) {
    if (repo.starts_with(type)) return "/api/" + repo;
  }
  return {};
}

// One entry of the log, checked against the signed checkpoint.
struct VerifiedEntry {
  int64_t index = 0;
  json entry;           // what it says: the opened entry for a sealed one the caller may read
  bool sealed = false;  // logged as `sealed`
  bool opened = false;  // sealed, and its opening checked against the commitment
};

// One --file: what was looked up for it before the checkpoint was fetched.
struct FileLookup {
  std::string path;
  std::string sha256;
  std::optional<HubCachePath> cached;  // when the path is in the huggingface_hub cache
  json by_file;                        // lookup?file=
  json by_commit;                      // lookup?repo=&commit= (cache paths only)
};

class Verification {
 public:
  Verification(const VerifyOptions& options, tlog::Verifier key, std::string token)
      : options_(options),
        key_(std::move(key)),
        http_(options.hub, std::move(token)),
        tiles_([this](const std::string& path) { return fetch_tile(path); }) {}

  Status run();
  json& report() { return report_; }

 private:
  void say(const std::string& line) {
    if (!options_.json) std::cout << line << "\n";
  }
  void warn(const std::string& line) {
    say("WARNING: " + line);
    report_["warnings"].push_back(line);
  }

  Result<std::string> fetch_tile(const std::string& path);
  Result<json> get_json(const std::string& path, bool missing_is_empty);
  Result<SignedCheckpoint> fetch_checkpoint(int64_t must_cover);
  Status check_tiles();
  Status check_extends(const SignedCheckpoint& old, const std::string& what, bool gossip);
  Result<fs::path> state_path();
  Result<json> logged_entry(int64_t index, tlog::Hash* leaf);
  Status note_voids();
  Result<VerifiedEntry> verify_entry(const json& item);
  Result<std::vector<VerifiedEntry>> verify_entries(const json& answer);
  bool concerns_repo(const VerifiedEntry& e, const std::string& repo) const;
  Status check_repo(const json& answer, const std::string& revision);
  Status check_file(const FileLookup& file);
  Result<std::string> resolve_revision();

  const VerifyOptions& options_;
  tlog::Verifier key_;
  HttpClient http_;
  TileCache tiles_;
  SignedCheckpoint checkpoint_;
  tlog::HashReader reader_;
  std::map<int64_t, VerifiedEntry> verified_;
  std::set<int64_t> scanned_for_voids_;  // indexes note_voids() has read
  std::set<int64_t> voided_;             // intents a verified `void` entry cancels
  std::set<std::string> repo_ids_;       // ids of the repository under --repo / cache paths
  json report_ = json::object();
};

Result<std::string> Verification::fetch_tile(const std::string& path) {
  auto response = http_.get("/tlog/" + path);
  if (!response) return response.status();
  if (response->status != 200) {
    return cannot_check("GET /tlog/" + path + ": HTTP " + std::to_string(response->status));
  }
  return std::move(response->body);
}

Result<json> Verification::get_json(const std::string& path, bool missing_is_empty) {
  auto response = http_.get(path);
  if (!response) return response.status();
  if (response->status == 404 && missing_is_empty) return json{{"entries", json::array()}};
  if (response->status != 200) {
    std::string message = response->error_message;
    if (message.empty()) message = response->body.substr(0, 200);
    return cannot_check("GET " + path + ": HTTP " + std::to_string(response->status) + " " +
                        message);
  }
  json body = json::parse(response->body, nullptr, false);
  if (body.is_discarded()) return log_failed("GET " + path + " did not answer JSON");
  return body;
}

Result<SignedCheckpoint> Verification::fetch_checkpoint(int64_t must_cover) {
  for (int attempt = 1;; ++attempt) {
    auto response = http_.get("/tlog/checkpoint");
    if (!response) return response.status();
    if (response->status != 200) {
      return cannot_check("GET /tlog/checkpoint: HTTP " + std::to_string(response->status));
    }
    auto checkpoint = open_checkpoint(response->body, key_, "checkpoint");
    if (!checkpoint || checkpoint->size >= must_cover || attempt == kCheckpointAttempts) {
      return checkpoint;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

Status Verification::check_tiles() {
  auto root = tlog::tree_hash(checkpoint_.size, reader_);
  if (!root)
    return as_log_failure(root.status(), "the log's tiles do not match its signed checkpoint");
  if (*root != checkpoint_.root) {
    return log_failed("the log's tiles do not match its signed checkpoint");
  }
  return Status::ok();
}

// Checks that the current checkpoint extends `old`. When `gossip` and `old` is the larger
// one, asks the hub for the consistency proof the other way round (checked against both
// signed roots, so the hub cannot forge it).
Status Verification::check_extends(const SignedCheckpoint& old, const std::string& what,
                                   bool gossip) {
  const int64_t m = old.size, n = checkpoint_.size;
  const std::string inconsistent = "checkpoint of size " + std::to_string(std::max(m, n)) +
                                   " is not consistent with the one of size " +
                                   std::to_string(std::min(m, n)) + " " + what +
                                   " (the log was rewritten or forked)";
  if (m == n) {
    if (old.root != checkpoint_.root) {
      return log_failed("log forked: two signed checkpoints of size " + std::to_string(n) +
                        " disagree (" + what + ")");
    }
    return Status::ok();
  }
  if (m > n && !gossip) {
    return log_failed("log shrank: a checkpoint of size " + std::to_string(m) + " was " + what +
                      ", the hub now signs size " + std::to_string(n));
  }
  if (m > n) {
    auto answer = get_json(
        "/api/tlog/proof/consistency?from=" + std::to_string(n) + "&to=" + std::to_string(m),
        false);
    if (!answer) {
      return answer.status().kind() == ErrorKind::kInternal &&
                     answer.status().message().find("HTTP 404") != std::string::npos
                 ? log_failed(inconsistent + "; the hub has no proof to it")
                 : answer.status();
    }
    tlog::Proof proof;
    for (const auto& hex : answer->value("proof", json::array())) {
      auto hash = hex.is_string() ? parse_hash_hex(hex.get<std::string>()) : std::nullopt;
      if (!hash) return log_failed(inconsistent + "; the hub's proof is malformed");
      proof.push_back(*hash);
    }
    if (!tlog::check_tree(proof, m, old.root, n, checkpoint_.root)) return log_failed(inconsistent);
    return Status::ok();
  }
  // The older tree, recomputed from the newer tree's tiles, and a consistency proof from them.
  if (m == 0) {
    return old.root == tlog::empty_tree_hash() ? Status::ok() : log_failed(inconsistent);
  }
  auto old_root = tlog::tree_hash(m, reader_);
  if (!old_root) return as_log_failure(old_root.status(), inconsistent);
  if (*old_root != old.root) return log_failed(inconsistent);
  auto proof = tlog::prove_tree(n, m, reader_);
  if (!proof) return as_log_failure(proof.status(), inconsistent);
  if (!tlog::check_tree(*proof, n, checkpoint_.root, m, old.root)) return log_failed(inconsistent);
  return Status::ok();
}

Result<fs::path> Verification::state_path() {
  fs::path dir = options_.state_dir;
  if (dir.empty()) {
    const char* state_home = std::getenv("XDG_STATE_HOME");
    const char* home = std::getenv("HOME");
    if (state_home && *state_home) {
      dir = fs::path(state_home) / "vitrine-verify";
    } else if (home && *home) {
      dir = fs::path(home) / ".local" / "state" / "vitrine-verify";
    } else {
      return cannot_check("no state folder: set --state, XDG_STATE_HOME or HOME");
    }
  }
  return dir / state_file_name(key_.name);
}

Result<json> Verification::logged_entry(int64_t index, tlog::Hash* leaf) {
  const std::string fails = "entry " + std::to_string(index) + " does not match the log: ";
  auto bytes = tiles_.entry(checkpoint_.size, index);
  if (!bytes) return as_log_failure(bytes.status(), fails + "its entry bundle is unreadable");
  const int64_t leaf_index = tlog::stored_hash_index(0, index);
  auto leaves = reader_(std::span<const int64_t>(&leaf_index, 1));
  if (!leaves) return as_log_failure(leaves.status(), fails + "its leaf hash is unreadable");
  *leaf = leaves->at(0);
  if (tlog::record_hash(*bytes) != *leaf) {
    return log_failed(fails + "its bytes in the entry bundle do not hash to its leaf hash");
  }
  auto proof = tlog::prove_record(checkpoint_.size, index, reader_);
  if (!proof) return as_log_failure(proof.status(), fails + "no inclusion proof");
  if (!tlog::check_record(*proof, checkpoint_.size, checkpoint_.root, index, *leaf)) {
    return log_failed(fails + "its inclusion proof does not verify against the checkpoint");
  }
  json logged = json::parse(*bytes, nullptr, false);
  if (logged.is_discarded() || !logged.is_object()) {
    return log_failed(fails + "the logged bytes are not a JSON object");
  }
  return logged;
}

// The lookup API does not return the `void` entries that cancel the intents it returns; the
// hub appends them right after a failed change, so they are looked for in the entry bundles
// already fetched and the one after each (each `void` found is checked like any entry).
Status Verification::note_voids() {
  std::set<int64_t> bundles;
  for (const auto& [index, entry] : verified_) {
    bundles.insert(index >> tlog::kTileHeight);
    bundles.insert((index >> tlog::kTileHeight) + 1);
  }
  for (int64_t n : bundles) {
    const int64_t first = n << tlog::kTileHeight;
    const int64_t end = std::min(first + tlog::kTileWidth, checkpoint_.size);
    for (int64_t index = first; index < end; ++index) {
      if (scanned_for_voids_.contains(index) || verified_.contains(index)) continue;
      scanned_for_voids_.insert(index);
      auto bytes = tiles_.entry(checkpoint_.size, index);
      if (!bytes) return bytes.status();
      if (bytes->find("\"kind\":\"void\"") == std::string::npos) continue;
      tlog::Hash leaf{};
      auto logged = logged_entry(index, &leaf);
      if (!logged) return logged.status();
      auto voids = logged->find("voids");
      if (string_field(*logged, "kind") == "void" && voids != logged->end() &&
          voids->is_number_integer()) {
        voided_.insert(voids->get<int64_t>());
      }
    }
  }
  return Status::ok();
}

Result<VerifiedEntry> Verification::verify_entry(const json& item) {
  if (!item.is_object() || !item.contains("index") || !item["index"].is_number_integer() ||
      item["index"].get<int64_t>() < 0) {
    return log_failed("the lookup API answered a malformed entry: " + item.dump().substr(0, 200));
  }
  const int64_t index = item["index"].get<int64_t>();
  if (auto it = verified_.find(index); it != verified_.end()) return it->second;
  const std::string fails = "entry " + std::to_string(index) + " does not match the log: ";
  if (index >= checkpoint_.size) {
    return log_failed(fails + "it is past the signed checkpoint of size " +
                      std::to_string(checkpoint_.size));
  }

  tlog::Hash leaf{};
  auto logged = logged_entry(index, &leaf);
  if (!logged) return logged.status();

  // What the API said about it must be what is logged.
  if (string_field(item, "leaf_hash") != tlog::to_hex(leaf)) {
    return log_failed(fails + "the API gives leaf hash '" + string_field(item, "leaf_hash") +
                      "', the log " + tlog::to_hex(leaf));
  }
  if (!item.contains("entry") || item["entry"] != *logged) {
    return log_failed(fails + "the API's entry differs from the logged bytes");
  }

  VerifiedEntry verified{index, *logged, false, false};
  const std::string kind = string_field(*logged, "kind");
  if (kind == "sealed") {
    verified.sealed = true;
    auto opened = item.find("opened");
    if (opened != item.end() && opened->is_object()) {
      // The opening must be the one the commitment binds: SHA-256(prefix || nonce || bytes).
      auto nonce = decode_lower_hex(string_field(*opened, "nonce"));
      if (!nonce || nonce->size() != 32)
        nonce = util::base64_decode(string_field(*opened, "nonce"));
      const json& inner = opened->value("entry", json());
      const std::string inner_bytes = inner.is_string() ? inner.get<std::string>() : inner.dump();
      if (!nonce || nonce->size() != 32 || inner.is_null() ||
          sealed_commitment_hex(*nonce, inner_bytes) != string_field(*logged, "commitment")) {
        return log_failed(fails + "its opening does not match the sealed commitment");
      }
      verified.entry = json::parse(inner_bytes, nullptr, false);
      if (!verified.entry.is_object()) return log_failed(fails + "its opening is not JSON");
      verified.opened = true;
    }
  } else if (kind == "void") {
    auto voids = logged->find("voids");
    if (voids != logged->end() && voids->is_number_integer()) {
      voided_.insert(voids->get<int64_t>());
    }
  }
  verified_[index] = verified;
  return verified;
}

Result<std::vector<VerifiedEntry>> Verification::verify_entries(const json& answer) {
  auto items = answer.find("entries");
  if (items == answer.end() || !items->is_array()) {
    return log_failed("the lookup API answered without an entries list");
  }
  std::vector<VerifiedEntry> entries;
  for (const json& item : *items) {
    auto entry = verify_entry(item);
    if (!entry) return entry.status();
    entries.push_back(std::move(*entry));
  }
  if (auto st = note_voids(); !st) return st;
  return entries;
}

bool Verification::concerns_repo(const VerifiedEntry& e, const std::string& repo) const {
  const json& x = e.entry;
  if (string_field(x, "repo") == repo || string_field(x, "from") == repo) return true;
  if (repo_ids_.contains(string_field(x, "repo_id"))) return true;
  if (string_field(x, "kind") == "void" && x.contains("voids") && x["voids"].is_number_integer()) {
    auto it = verified_.find(x["voids"].get<int64_t>());
    return it != verified_.end() && string_field(it->second.entry, "kind") != "void" &&
           concerns_repo(it->second, repo);
  }
  return false;
}

Result<std::string> Verification::resolve_revision() {
  const std::string& revision = options_.revision;
  if (util::is_lower_hex(revision, 40)) return revision;
  auto answer = get_json(
      api_repo_path(options_.repo) + "/revision/" + util::percent_encode_component(revision),
      false);
  if (!answer) return answer.status();
  const std::string sha = string_field(*answer, "sha");
  if (!util::is_lower_hex(sha, 40)) return cannot_check("the hub did not resolve " + revision);
  return sha;
}

Status Verification::check_repo(const json& answer, const std::string& revision) {
  const std::string& repo = options_.repo;
  auto entries = verify_entries(answer);
  if (!entries) return entries.status();
  for (const auto& e : *entries) {
    if (string_field(e.entry, "repo") == repo && !string_field(e.entry, "repo_id").empty()) {
      repo_ids_.insert(string_field(e.entry, "repo_id"));
    }
  }
  json history = json::array();
  const VerifiedEntry* revision_entry = nullptr;
  for (const auto& e : *entries) {
    const json& x = e.entry;
    const std::string at = "#" + std::to_string(e.index) + "  " + entry_time(x) + "  ";
    const bool voided = voided_.contains(e.index);
    const std::string kind = string_field(x, "kind");
    if (e.sealed && !e.opened) {
      say("  " + at + "sealed (a change to a private repository this token cannot read)");
    } else if (!concerns_repo(e, repo)) {
      say("  #" + std::to_string(e.index) + " is about another repository; ignored");
      continue;
    } else if (kind == "ref") {
      const std::string ref = string_field(x, "ref"), actor = string_field(x, "actor");
      const std::string old_commit = string_field(x, "old"), new_commit = string_field(x, "new");
      say("  " + at + ref + "  " + short_commit(old_commit) + " -> " + short_commit(new_commit) +
          "  " + actor + "  via " + string_field(x, "via") +
          (e.opened ? "  (sealed, opened)" : "") + (voided ? "  (void: did not happen)" : ""));
      if (!voided && new_commit.empty()) {
        warn("entry " + std::to_string(e.index) + ": " + ref + " deleted by " + actor + " (was " +
             old_commit + ")");
      } else if (!voided && x.value("forced", false)) {
        warn("entry " + std::to_string(e.index) + ": force-push of " + ref + " by " + actor + ": " +
             old_commit + " -> " + new_commit);
      }
      if (!voided && !revision.empty() && new_commit == revision) revision_entry = &e;
    } else if (kind == "repo") {
      const std::string action = string_field(x, "action"), actor = string_field(x, "actor");
      // A repository starts with the commits its creation logs (its first commit).
      const json refs = x.value("refs", json::object());
      for (const auto& [ref, commit] : refs.items()) {
        if (!voided && !revision.empty() && action == "create" && commit == revision) {
          revision_entry = &e;
        }
      }
      say("  " + at + "repository " + action + "  " + string_field(x, "repo") + "  " + actor +
          (voided ? "  (void: did not happen)" : ""));
      if (!voided && action == "delete") {
        warn("entry " + std::to_string(e.index) + ": repository " + string_field(x, "repo") +
             " deleted by " + actor);
      } else if (!voided && action == "rename") {
        warn("entry " + std::to_string(e.index) + ": repository renamed from " +
             string_field(x, "from") + " to " + string_field(x, "repo") + " by " + actor);
      }
    } else if (kind == "void") {
      say("  " + at + "void of #" + std::to_string(x.value("voids", int64_t{-1})) + " (" +
          string_field(x, "reason") + ")");
    } else {
      say("  " + at + (kind.empty() ? std::string("entry") : kind) + " " + x.dump());
    }
    history.push_back({{"index", e.index},
                       {"entry", x},
                       {"sealed", e.sealed},
                       {"opened", e.opened},
                       {"void", voided}});
  }
  report_["repo"] = {{"repo", repo}, {"history", history}};
  if (history.empty()) return log_failed("repo " + repo + " is not in the log");
  say("repo " + repo + ": " + std::to_string(history.size()) +
      " entries, each checked against the signed checkpoint");
  if (!revision.empty()) {
    if (!revision_entry) {
      return log_failed("revision " + revision + " of " + repo + " is not in the log");
    }
    const json& logged = revision_entry->entry;
    const std::string how = string_field(logged, "kind") == "ref"
                                ? string_field(logged, "ref")
                                : "repository " + string_field(logged, "action");
    say("revision " + revision + " of " + repo + " is in the log: entry " +
        std::to_string(revision_entry->index) + " (" + how + ")");
    report_["repo"]["revision"] = {{"sha", revision}, {"index", revision_entry->index}};
  }
  return Status::ok();
}

Status Verification::check_file(const FileLookup& file) {
  auto entries = verify_entries(file.by_file);
  if (!entries) return entries.status();
  const std::string repo = file.cached ? file.cached->repo : options_.repo;
  const std::string missing =
      "file " + file.path + " (sha256 " + file.sha256 + ") is not in the log";
  json found = json::array();
  for (const auto& e : *entries) {
    const json& x = e.entry;
    if (string_field(x, "kind") != "ref" || voided_.contains(e.index)) continue;
    if (!repo.empty() && string_field(x, "repo") != repo) continue;
    for (const json& f : x.value("files", json::array())) {
      if (!f.is_object() || string_field(f, "sha256") != file.sha256) continue;
      say("file " + file.path + " (sha256 " + file.sha256 +
          ") is in the log: " + string_field(x, "repo") + " " + string_field(x, "ref") +
          " commit " + string_field(x, "new") + " path " + string_field(f, "path") + " (entry " +
          std::to_string(e.index) + ")");
      found.push_back({{"index", e.index},
                       {"repo", string_field(x, "repo")},
                       {"ref", string_field(x, "ref")},
                       {"commit", string_field(x, "new")},
                       {"path", string_field(f, "path")}});
    }
  }
  json result = {{"path", file.path}, {"sha256", file.sha256}, {"entries", found}};
  report_["files"].push_back(result);
  if (found.empty()) return log_failed(missing);
  if (file.cached) {
    // The cache says which commit the file came from: that commit must be logged too.
    auto logged = verify_entries(file.by_commit);
    if (!logged) return logged.status();
    bool commit_logged = false;
    for (const auto& e : *logged) {
      commit_logged |= string_field(e.entry, "kind") == "ref" && !voided_.contains(e.index) &&
                       string_field(e.entry, "repo") == file.cached->repo &&
                       string_field(e.entry, "new") == file.cached->commit;
    }
    if (!commit_logged) {
      return log_failed("file " + file.path + ": commit " + file.cached->commit + " of " +
                        file.cached->repo + " is not in the log");
    }
    say("file " + file.path + ": commit " + file.cached->commit + " of " + file.cached->repo +
        " is in the log");
  }
  return Status::ok();
}

Result<FileLookup> hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot_check("cannot read " + path);
  util::Sha256 sha;
  std::string buffer(1 << 20, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sha.update(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return cannot_check("cannot read " + path);
  FileLookup file;
  file.path = path;
  file.sha256 = sha.finish_hex();
  std::error_code ec;
  file.cached = parse_hub_cache_path(fs::absolute(path, ec).lexically_normal().string());
  return file;
}

Status Verification::run() {
  // The lookups come first: the checkpoint fetched next must cover every entry they name.
  int64_t must_cover = 0;
  auto note_indexes = [&must_cover](const json& answer) {
    for (const json& item : answer.value("entries", json::array())) {
      if (item.is_object() && item.contains("index") && item["index"].is_number_integer()) {
        must_cover = std::max(must_cover, item["index"].get<int64_t>() + 1);
      }
    }
  };
  json repo_answer;
  std::string revision;
  const std::string lookup = "/api/tlog/lookup?";
  if (!options_.repo.empty()) {
    std::string query = "repo=" + util::percent_encode_component(options_.repo);
    if (!options_.ref.empty()) query += "&ref=" + util::percent_encode_component(options_.ref);
    auto answer = get_json(lookup + query, true);
    if (!answer) return answer.status();
    repo_answer = std::move(*answer);
    note_indexes(repo_answer);
    if (!options_.revision.empty()) {
      auto resolved = resolve_revision();
      if (!resolved) return resolved.status();
      revision = *resolved;
    }
  }
  std::vector<FileLookup> files;
  for (const std::string& path : options_.files) {
    auto file = hash_file(path);
    if (!file) return file.status();
    const std::string repo = file->cached ? file->cached->repo : options_.repo;
    std::string query = "file=" + file->sha256;
    if (!repo.empty()) query += "&repo=" + util::percent_encode_component(repo);
    auto by_file = get_json(lookup + query, true);
    if (!by_file) return by_file.status();
    file->by_file = std::move(*by_file);
    note_indexes(file->by_file);
    if (file->cached) {
      auto by_commit = get_json(lookup + "repo=" + util::percent_encode_component(repo) +
                                    "&commit=" + file->cached->commit,
                                true);
      if (!by_commit) return by_commit.status();
      file->by_commit = std::move(*by_commit);
      note_indexes(file->by_commit);
    }
    files.push_back(std::move(*file));
  }

  // The signed checkpoint, and the tiles behind it.
  auto checkpoint = fetch_checkpoint(must_cover);
  if (!checkpoint) return checkpoint.status();
  checkpoint_ = std::move(*checkpoint);
  reader_ = tiles_.reader(checkpoint_.size);
  if (auto st = check_tiles(); !st) return st;
  report_["checkpoint"] = {
      {"origin", key_.name}, {"size", checkpoint_.size}, {"root", tlog::to_hex(checkpoint_.root)}};
  say("checkpoint: " + key_.name + ", " + std::to_string(checkpoint_.size) + " entries, root " +
      tlog::to_hex(checkpoint_.root) + " (signature and tiles verified)");

  // It extends what this witness saw before, and what another witness saw.
  auto state = state_path();
  if (!state) return state.status();
  std::error_code ec;
  if (fs::exists(*state, ec)) {
    auto text = read_file(state->string());
    if (!text) return text.status();
    auto seen = open_checkpoint(*text, key_, "the checkpoint saved in " + state->string());
    if (!seen) {
      return cannot_check(seen.status().message() + "; move the file away to start afresh");
    }
    if (auto st = check_extends(*seen, "seen before", false); !st) return st;
    say("consistent with the checkpoint of size " + std::to_string(seen->size) + " seen before");
    report_["previous_size"] = seen->size;
  } else {
    say("no checkpoint of this log seen before (state: " + state->string() + ")");
  }
  if (!options_.other_checkpoint.empty()) {
    auto text = read_file(options_.other_checkpoint);
    if (!text) return text.status();
    auto other = open_checkpoint(*text, key_, "the checkpoint in " + options_.other_checkpoint);
    if (!other) return other.status();
    if (auto st = check_extends(*other, "in " + options_.other_checkpoint, true); !st) return st;
    say("consistent with the checkpoint of size " + std::to_string(other->size) + " in " +
        options_.other_checkpoint);
  }

  if (!options_.repo.empty()) {
    if (auto st = check_repo(repo_answer, revision); !st) return st;
  }
  report_["files"] = json::array();
  for (const FileLookup& file : files) {
    if (auto st = check_file(file); !st) return st;
  }

  // Everything passed: this checkpoint is what the next run must see extended.
  fs::create_directories(state->parent_path(), ec);
  if (ec) return cannot_check("cannot create " + state->parent_path().string());
  return write_file_atomically(*state, checkpoint_.note);
}

// The key as given, or read from the file it names.
Result<tlog::Verifier> load_key(const std::string& key) {
  std::string text = key;
  std::error_code ec;
  if (key.find('+') == std::string::npos || fs::is_regular_file(key, ec)) {
    auto data = read_file(key);
    if (!data) return cannot_check("--key: not a verifier key, nor a readable file: " + key);
    text = *data;
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
  auto verifier = tlog::parse_verifier_key(text);
  if (!verifier) return cannot_check("--key: " + verifier.status().message());
  return verifier;
}

}  // namespace

CLI::App* add_verify_command(CLI::App& app, VerifyOptions& o) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Check a hub's transparency log over HTTP: its signed checkpoint, that it extends the one "
      "seen before, and that a repository's history, a revision or local files are in it");
  cmd->add_option("--hub", o.hub, "Base URL of the hub")->required();
  cmd->add_option("--key", o.key, "The hub's verifier key (GET /tlog/key), or a file holding it")
      ->required();
  cmd->add_option("--state", o.state_dir,
                  "Where to keep the last checkpoint seen (default "
                  "$XDG_STATE_HOME/vitrine-verify or ~/.local/state/vitrine-verify)");
  cmd->add_option("--token", o.token, "Access token, for private repositories (env HF_TOKEN)");
  cmd->add_option("--repo", o.repo,
                  "Repository whose history to check: models/NS/NAME, "
                  "datasets/NS/NAME or spaces/NS/NAME");
  cmd->add_option("--ref", o.ref, "Only this branch (or full ref name) of --repo");
  cmd->add_option("--revision", o.revision,
                  "A commit (or a revision the hub resolves) that must be logged for --repo");
  cmd->add_option("--file", o.files, "A local file that must be in the log (repeatable)");
  cmd->add_option("--checkpoint", o.other_checkpoint,
                  "A checkpoint of the same log from another witness, to check against");
  cmd->add_flag("--json", o.json, "Print one JSON report on stdout");
  return cmd;
}

int run_verify(const VerifyOptions& given) {
  VerifyOptions options = given;
  auto usage = [](const std::string& message) {
    std::cerr << "vitrine verify: " << message << "\n";
    return 2;
  };
  if (!options.hub.starts_with("http://") && !options.hub.starts_with("https://")) {
    return usage("--hub must be an http:// or https:// URL");
  }
  if (options.repo.empty() && (!options.ref.empty() || !options.revision.empty())) {
    return usage("--ref and --revision need --repo");
  }
  if (!options.repo.empty()) {
    if (api_repo_path(options.repo).empty()) options.repo = "models/" + options.repo;
    if (std::count(options.repo.begin(), options.repo.end(), '/') != 2) {
      return usage("--repo expects models/NS/NAME, datasets/NS/NAME or spaces/NS/NAME");
    }
  }
  if (!options.ref.empty() && !options.ref.starts_with("refs/")) {
    options.ref = "refs/heads/" + options.ref;
  }
  auto key = load_key(options.key);
  if (!key) return usage(key.status().message());
  std::string token = options.token;
  if (token.empty()) {
    const char* env = std::getenv("HF_TOKEN");
    if (env) token = env;
  }

  Verification verification(options, std::move(*key), token);
  Status status;
  try {
    status = verification.run();
  } catch (const nlohmann::json::exception& e) {
    status = log_failed(std::string("the hub answered unexpected JSON (") + e.what() + ")");
  }
  json& report = verification.report();
  report["ok"] = status.is_ok();
  if (!status) report[is_log_failure(status) ? "failure" : "error"] = status.message();
  if (options.json) std::cout << report.dump(2) << "\n";
  if (!status) {
    if (is_log_failure(status)) {
      std::cerr << "vitrine verify: FAILED: " << status.message() << "\n";
      return 1;
    }
    std::cerr << "vitrine verify: " << status.message() << "\n";
    return 2;
  }
  if (!options.json) std::cout << "OK: everything verified\n";
  return 0;
}

}  // namespace vitrine::cli
