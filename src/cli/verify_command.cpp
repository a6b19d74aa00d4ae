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
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.hpp"
#include "cli/http_client.hpp"
#include "cli/tlog_client.hpp"
#include "cli/verified_log.hpp"
#include "formats/tlog/merkle.hpp"
#include "formats/tlog/note.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

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

// One --file: what was looked up for it before the checkpoint was fetched.
struct FileLookup {
  std::string path;
  std::string sha256;
  std::optional<HubCachePath> cached;  // when the path is in the huggingface_hub cache
  json by_file;                        // lookup?file=
  json by_commit;                      // lookup?repo=&commit= (cache paths only)
};

// One run of `vitrine verify`: the lookups, the log checks, the report and the saved state.
class Verification {
 public:
  Verification(const VerifyOptions& options, const tlog::Verifier& key, std::string token)
      : options_(options), key_(key), http_(options.hub, std::move(token)), log_(http_, key) {}

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

  Result<fs::path> state_path();
  Status check_witnessed(const fs::path& state);
  bool concerns_repo(const VerifiedEntry& e, const std::string& repo) const;
  Status check_repo(const json& answer, const std::string& revision);
  Status check_file(const FileLookup& file);
  Result<std::string> resolve_revision();

  const VerifyOptions& options_;
  tlog::Verifier key_;
  HttpClient http_;
  VerifiedLog log_;
  std::set<std::string> repo_ids_;  // ids of the repository under --repo
  json report_ = json::object();
};

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

bool Verification::concerns_repo(const VerifiedEntry& e, const std::string& repo) const {
  const json& x = e.entry;
  if (string_field(x, "repo") == repo || string_field(x, "from") == repo) return true;
  if (repo_ids_.contains(string_field(x, "repo_id"))) return true;
  if (string_field(x, "kind") == "void" && x.contains("voids") && x["voids"].is_number_integer()) {
    const VerifiedEntry* intent = log_.find(x["voids"].get<int64_t>());
    return intent && string_field(intent->entry, "kind") != "void" && concerns_repo(*intent, repo);
  }
  return false;
}

Result<std::string> Verification::resolve_revision() {
  const std::string& revision = options_.revision;
  if (util::is_lower_hex(revision, 40)) return revision;
  auto answer = get_json(
      http_, api_repo_path(options_.repo) + "/revision/" + util::percent_encode_component(revision),
      false);
  if (!answer) return answer.status();
  const std::string sha = string_field(*answer, "sha");
  if (!util::is_lower_hex(sha, 40)) return cannot_check("the hub did not resolve " + revision);
  return sha;
}

Status Verification::check_repo(const json& answer, const std::string& revision) {
  const std::string& repo = options_.repo;
  auto entries = log_.verify_entries(answer);
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
    const bool voided = log_.voided(e.index);
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
  auto entries = log_.verify_entries(file.by_file);
  if (!entries) return entries.status();
  const std::string repo = file.cached ? file.cached->repo : options_.repo;
  const std::string missing =
      "file " + file.path + " (sha256 " + file.sha256 + ") is not in the log";
  json found = json::array();
  for (const auto& e : *entries) {
    const json& x = e.entry;
    // A long file list continues in `part` entries: part k belongs to the entry k before it.
    const bool part = string_field(x, "kind") == "part" && string_field(x, "of") == "files" &&
                      x.contains("part") && x["part"].is_number_integer();
    const int64_t owner = part ? e.index - x["part"].get<int64_t>() : e.index;
    if ((string_field(x, "kind") != "ref" && !part) || log_.voided(owner)) continue;
    if (!repo.empty() && string_field(x, "repo") != repo) continue;
    for (const json& f : x.value(part ? "items" : "files", json::array())) {
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
    auto logged = log_.verify_entries(file.by_commit);
    if (!logged) return logged.status();
    bool commit_logged = false;
    for (const auto& e : *logged) {
      commit_logged |= string_field(e.entry, "kind") == "ref" && !log_.voided(e.index) &&
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

// The opened checkpoint extends the one this witness saved (`state`) and the one another
// witness handed over (--checkpoint).
Status Verification::check_witnessed(const fs::path& state) {
  std::error_code ec;
  if (fs::exists(state, ec)) {
    auto text = read_file(state.string());
    if (!text) return text.status();
    auto seen = open_checkpoint(*text, key_, "the checkpoint saved in " + state.string());
    if (!seen) return cannot_check(seen.status().message() + "; move it away to start afresh");
    if (auto st = log_.check_extends(*seen, "seen before", false); !st) return st;
    say("consistent with the checkpoint of size " + std::to_string(seen->size) + " seen before");
    report_["previous_size"] = seen->size;
  } else {
    say("no checkpoint of this log seen before (state: " + state.string() + ")");
  }
  if (!options_.other_checkpoint.empty()) {
    const std::string& path = options_.other_checkpoint;
    auto text = read_file(path);
    if (!text) return text.status();
    auto other = open_checkpoint(*text, key_, "the checkpoint in " + path);
    if (!other) return cannot_check(other.status().message());
    if (auto st = log_.check_extends(*other, "in " + path, true); !st) return st;
    say("consistent with the checkpoint of size " + std::to_string(other->size) + " in " + path);
  }
  return Status::ok();
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
    auto answer = get_json(http_, lookup + query, true);
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
    auto by_file = get_json(http_, lookup + query, true);
    if (!by_file) return by_file.status();
    file->by_file = std::move(*by_file);
    note_indexes(file->by_file);
    if (file->cached) {
      auto by_commit = get_json(http_,
                                lookup + "repo=" + util::percent_encode_component(repo) +
                                    "&commit=" + file->cached->commit,
                                true);
      if (!by_commit) return by_commit.status();
      file->by_commit = std::move(*by_commit);
      note_indexes(file->by_commit);
    }
    files.push_back(std::move(*file));
  }

  // The signed checkpoint and the tiles behind it; that it extends what witnesses saw.
  if (auto st = log_.open(must_cover); !st) return st;
  const SignedCheckpoint& checkpoint = log_.checkpoint();
  report_["checkpoint"] = {
      {"origin", key_.name}, {"size", checkpoint.size}, {"root", tlog::to_hex(checkpoint.root)}};
  say("checkpoint: " + key_.name + ", " + std::to_string(checkpoint.size) + " entries, root " +
      tlog::to_hex(checkpoint.root) + " (signature and tiles verified)");
  auto state = state_path();
  if (!state) return state.status();
  if (auto st = check_witnessed(*state); !st) return st;

  if (!options_.repo.empty()) {
    if (auto st = check_repo(repo_answer, revision); !st) return st;
  }
  report_["files"] = json::array();
  for (const FileLookup& file : files) {
    if (auto st = check_file(file); !st) return st;
  }

  // Everything passed: this checkpoint is what the next run must see extended.
  std::error_code ec;
  fs::create_directories(state->parent_path(), ec);
  if (ec) return cannot_check("cannot create " + state->parent_path().string());
  return write_file_atomically(*state, checkpoint.note);
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

  Verification verification(options, *key, token);
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
