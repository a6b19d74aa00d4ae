// VerifiedLog: checkpoints, consistency and entries of a hub's log, checked over HTTP.
#include "cli/verified_log.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "util/encoding.hpp"

namespace vitrine::cli {

using nlohmann::json;

namespace {

// Tries at fetching a checkpoint that covers the entries a lookup returned, a second apart.
constexpr int kCheckpointAttempts = 15;

std::string string_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<json> get_json(HttpClient& http, const std::string& path, bool missing_is_empty) {
  auto response = http.get(path);
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

VerifiedLog::VerifiedLog(HttpClient& http, tlog::Verifier key)
    : http_(http),
      key_(std::move(key)),
      tiles_([this](const std::string& path) { return fetch_tile(path); }) {}

Result<std::string> VerifiedLog::fetch_tile(const std::string& path) {
  auto response = http_.get("/tlog/" + path);
  if (!response) return response.status();
  if (response->status != 200) {
    return cannot_check("GET /tlog/" + path + ": HTTP " + std::to_string(response->status));
  }
  return std::move(response->body);
}

Result<SignedCheckpoint> VerifiedLog::fetch_checkpoint() {
  auto response = http_.get("/tlog/checkpoint");
  if (!response) return response.status();
  if (response->status != 200) {
    return cannot_check("GET /tlog/checkpoint: HTTP " + std::to_string(response->status));
  }
  return open_checkpoint(response->body, key_, "checkpoint");
}

Status VerifiedLog::open(int64_t must_cover) {
  auto checkpoint = fetch_checkpoint();
  for (int attempt = 1;
       checkpoint && checkpoint->size < must_cover && attempt < kCheckpointAttempts; ++attempt) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    checkpoint = fetch_checkpoint();
  }
  if (!checkpoint) return checkpoint.status();
  checkpoint_ = std::move(*checkpoint);
  reader_ = tiles_.reader(checkpoint_.size);
  // The tiles give the signed root: every hash read from them later is the log's.
  const std::string mismatch = "the log's tiles do not match its signed checkpoint";
  auto root = tlog::tree_hash(checkpoint_.size, reader_);
  if (!root) return as_log_failure(root.status(), mismatch);
  if (*root != checkpoint_.root) return log_failed(mismatch);
  return Status::ok();
}

Status VerifiedLog::check_extends(const SignedCheckpoint& old, const std::string& what,
                                  bool gossip) {
  const int64_t m = old.size, n = checkpoint_.size;
  const std::string inconsistent =
      m < n
          ? "checkpoint of size " + std::to_string(n) + " is not consistent with the one of size " +
                std::to_string(m) + " " + what + " (the log was rewritten or forked)"
          : "checkpoint of size " + std::to_string(m) + " " + what +
                " is not consistent with the hub's of size " + std::to_string(n) +
                " (the log was rewritten or forked)";
  if (m == n) {
    if (old.root == checkpoint_.root) return Status::ok();
    return log_failed("log forked: two signed checkpoints of size " + std::to_string(n) +
                      " disagree (" + what + ")");
  }
  if (m > n && !gossip) {
    return log_failed("log shrank: a checkpoint of size " + std::to_string(m) + " was " + what +
                      ", the hub now signs size " + std::to_string(n));
  }
  if (m > n) {
    // The hub's proof, checked against both signed roots: it cannot be forged.
    auto answer = get_json(
        http_, "/api/tlog/proof/consistency?from=" + std::to_string(n) + "&to=" + std::to_string(m),
        false);
    if (!answer) {
      const bool refused = answer.status().message().find(": HTTP 404") != std::string::npos;
      return refused ? log_failed(inconsistent + "; the hub has no proof to it") : answer.status();
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
  // The older tree recomputed from the newer tree's tiles, and a consistency proof from them.
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

// The entry at `index` as logged: its bytes from the entry bundle hash to its leaf hash in the
// tiles, and that leaf has an inclusion proof to the signed root.
Result<VerifiedLog::Logged> VerifiedLog::logged_entry(int64_t index) {
  if (auto it = logged_.find(index); it != logged_.end()) return it->second;
  const std::string fails = "entry " + std::to_string(index) + " does not match the log: ";
  if (index < 0 || index >= checkpoint_.size) {
    return log_failed(fails + "it is not in the signed checkpoint of size " +
                      std::to_string(checkpoint_.size));
  }
  auto bytes = tiles_.entry(checkpoint_.size, index);
  if (!bytes) return as_log_failure(bytes.status(), fails + "its entry bundle is unreadable");
  const int64_t leaf_index = tlog::stored_hash_index(0, index);
  auto leaves = reader_(std::span<const int64_t>(&leaf_index, 1));
  if (!leaves) return as_log_failure(leaves.status(), fails + "its leaf hash is unreadable");
  Logged logged;
  logged.leaf = leaves->at(0);
  if (tlog::record_hash(*bytes) != logged.leaf) {
    return log_failed(fails + "its bytes in the entry bundle do not hash to its leaf hash");
  }
  auto proof = tlog::prove_record(checkpoint_.size, index, reader_);
  if (!proof) return as_log_failure(proof.status(), fails + "no inclusion proof");
  if (!tlog::check_record(*proof, checkpoint_.size, checkpoint_.root, index, logged.leaf)) {
    return log_failed(fails + "its inclusion proof does not verify against the checkpoint");
  }
  logged.entry = json::parse(*bytes, nullptr, false);
  if (logged.entry.is_discarded() || !logged.entry.is_object()) {
    return log_failed(fails + "the logged bytes are not a JSON object");
  }
  if (string_field(logged.entry, "kind") == "void") {
    auto voids = logged.entry.find("voids");
    if (voids != logged.entry.end() && voids->is_number_integer()) {
      voided_.insert(voids->get<int64_t>());
    }
  }
  logged_.emplace(index, logged);
  return logged;
}

Result<VerifiedEntry> VerifiedLog::verify_entry(const json& item) {
  if (!item.is_object() || !item.contains("index") || !item["index"].is_number_integer()) {
    return log_failed("the lookup API answered a malformed entry: " + item.dump().substr(0, 200));
  }
  const int64_t index = item["index"].get<int64_t>();
  auto logged = logged_entry(index);
  if (!logged) return logged.status();

  // What the API says about the entry must be what is logged.
  const std::string fails = "entry " + std::to_string(index) + " does not match the log: ";
  if (string_field(item, "leaf_hash") != tlog::to_hex(logged->leaf)) {
    return log_failed(fails + "the API gives leaf hash '" + string_field(item, "leaf_hash") +
                      "', the log " + tlog::to_hex(logged->leaf));
  }
  if (!item.contains("entry") || item["entry"] != logged->entry) {
    return log_failed(fails + "the API's entry differs from the logged bytes");
  }
  VerifiedEntry verified{index, logged->entry, false, false};
  auto opened = item.find("opened");
  if (string_field(logged->entry, "kind") == "sealed") {
    verified.sealed = true;
    if (opened != item.end() && opened->is_object()) {
      // The opening must be the one the commitment binds: SHA-256(prefix || nonce || bytes).
      auto nonce = decode_lower_hex(string_field(*opened, "nonce"));
      const json inner = opened->value("entry", json());
      const std::string inner_bytes = inner.is_string() ? inner.get<std::string>() : inner.dump();
      if (!nonce || nonce->size() != 32 || inner.is_null() ||
          sealed_commitment_hex(*nonce, inner_bytes) != string_field(logged->entry, "commitment")) {
        return log_failed(fails + "its opening does not match the sealed commitment");
      }
      verified.entry = json::parse(inner_bytes, nullptr, false);
      if (!verified.entry.is_object()) return log_failed(fails + "its opening is not JSON");
      verified.opened = true;
    }
  }
  verified_[index] = verified;
  return verified;
}

Result<std::vector<VerifiedEntry>> VerifiedLog::verify_entries(const json& answer) {
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

// The lookup API does not return the `void` entries that cancel the intents it returns. The
// hub appends a `void` right after a change that failed, so they are looked for in the entry
// bundles of the verified entries and the bundle after each; every `void` found is checked
// like any entry. (A `void` appended much later, by recovery after a crash, can be missed.)
Status VerifiedLog::note_voids() {
  std::set<int64_t> bundles;
  for (const auto& [index, entry] : verified_) {
    bundles.insert(index >> tlog::kTileHeight);
    bundles.insert((index >> tlog::kTileHeight) + 1);
  }
  for (int64_t n : bundles) {
    const int64_t first = n << tlog::kTileHeight;
    const int64_t end = std::min(first + tlog::kTileWidth, checkpoint_.size);
    for (int64_t index = first; index < end; ++index) {
      if (!scanned_for_voids_.insert(index).second || logged_.contains(index)) continue;
      auto bytes = tiles_.entry(checkpoint_.size, index);
      if (!bytes) return as_log_failure(bytes.status(), "an entry bundle is unreadable");
      if (bytes->find("\"kind\":\"void\"") == std::string::npos) continue;
      if (auto logged = logged_entry(index); !logged) return logged.status();
    }
  }
  return Status::ok();
}

const VerifiedEntry* VerifiedLog::find(int64_t index) const {
  auto it = verified_.find(index);
  return it == verified_.end() ? nullptr : &it->second;
}

}  // namespace vitrine::cli
