// The transparency log's service side: see transparency.hpp.
#include "service/transparency/transparency.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "formats/git/lfs_pointer.hpp"
#include "service/hub.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

constexpr const char* kSealPrefix = "vitrine-sealed-entry\n";

Result<std::string> tree_of(storage::GitRepo& git, const std::string& commit) {
  if (commit.empty()) return std::string();
  auto info = git.commit_info(commit);
  if (!info) return info.status();
  return info->tree;
}

// LFS pointers added or changed between two trees ("" for an empty tree).
Result<json> lfs_files(storage::GitRepo& git, storage::XetStore* xet, const std::string& old_tree,
                       const std::string& new_tree) {
  json files = json::array();
  if (new_tree.empty()) return files;
  auto blobs = git.small_changed_blobs(old_tree, new_tree, kMaxLfsPointerBytes);
  if (!blobs) return blobs.status();
  for (const auto& blob : *blobs) {
    auto pointer = parse_lfs_pointer(blob.content);
    if (!pointer) continue;
    json f = {{"path", blob.path}, {"sha256", pointer->oid}, {"size", pointer->size}};
    if (xet) {
      if (auto file = xet->file_by_sha256(pointer->oid)) f["xet"] = xet::to_string(file->hash);
    }
    files.push_back(std::move(f));
  }
  return files;
}

std::string host_of(const std::string& url) {
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  rest = rest.substr(0, rest.find('/'));
  return rest.empty() ? "localhost" : rest;
}

// Reads the key file, or creates it (only one of several concurrent first starts wins).
Result<std::string> load_or_create_key(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (in)
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto pair = tlog::generate_key(name);
  if (!pair) return pair.status();
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return internal_error("cannot create " + temp);
  const std::string text = pair->signer_key + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    return internal_error("cannot write " + temp);
  }
  ::link(temp.c_str(), path.c_str());  // fails if another start won: read theirs
  ::unlink(temp.c_str());
  std::ifstream again(path);
  if (!again) return internal_error("cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
}

// Whether the process that logged an intent still runs (and may still make it visible): the
// same pid with the same start time (a restarted server may get its old pid back).
bool writer_alive(const storage::TlogIntent& intent) {
  if (intent.pid <= 0) return false;
  const int64_t started = storage::process_start_time(intent.pid);
  return started >= 0 && started == intent.started;
}

}  // namespace

storage::TlogAppend void_entry(int64_t index, const std::string& reason) {
  storage::TlogAppend e;
  e.data = canonical_entry(
      {{"kind", "void"}, {"voids", index}, {"reason", reason}, {"time", util::now_ms()}});
  e.keys = {"voided:" + std::to_string(index)};
  return e;
}

std::string tlog_repo_name(const domain::RepoRecord& repo) {
  return domain::plural(repo.type) + "/" + repo.id();
}

std::string canonical_entry(json entry) {
  entry["v"] = 1;
  return entry.dump();  // nlohmann's objects are std::map: keys come out sorted
}

std::string sealed_commitment(std::string_view nonce, std::string_view entry_bytes) {
  std::string covered = kSealPrefix;
  covered.append(nonce);
  covered.append(entry_bytes);
  return util::sha256_hex(covered);
}

storage::TlogAppend make_entry(const domain::RepoRecord& repo, json entry,
                               std::vector<std::string> keys,
                               std::optional<storage::TlogIntent> intent) {
  entry["repo"] = tlog_repo_name(repo);
  entry["repo_id"] = repo.uid;
  if (!entry.contains("time")) entry["time"] = util::now_ms();
  keys.push_back("repo:" + repo.uid);
  keys.push_back("name:" + tlog_repo_name(repo));
  storage::TlogAppend out;
  out.keys = std::move(keys);
  out.intent = std::move(intent);
  const std::string bytes = canonical_entry(entry);
  if (!repo.is_private) {
    out.data = bytes;
    return out;
  }
  out.nonce = util::random_bytes(32);
  out.sealed_entry = bytes;
  out.sealed_repo = repo.uid;
  out.data = canonical_entry({{"kind", "sealed"},
                              {"commitment", sealed_commitment(out.nonce, bytes)},
                              {"time", entry["time"]}});
  return out;
}

Result<std::vector<storage::TlogAppend>> ref_entries(
    storage::GitRepo& git, storage::XetStore* xet, const domain::RepoRecord& repo,
    const std::string& ref, const std::string& old_object, const std::string& new_object,
    const std::string& actor, const std::string& via, const RefEntryHint* hint) {
  const std::string old_commit = hint ? old_object : git.peel_to_commit(old_object);
  const std::string new_commit = hint ? new_object : git.peel_to_commit(new_object);
  auto new_tree = hint ? Result<std::string>(hint->new_tree) : tree_of(git, new_commit);
  if (!new_tree) return new_tree.status();
  // A rewrite adds everything the new history holds; a fast-forward only what changed.
  // A rewrite: the new commit's history does not hold the old one (a deletion is none).
  const bool forced = !hint && !old_commit.empty() && !new_commit.empty() &&
                      !git.descends_from(new_commit, old_commit);
  std::string base_tree;
  if (hint) {
    base_tree = hint->old_tree;
  } else if (!forced) {
    auto t = tree_of(git, old_commit);
    if (t) base_tree = *t;
  }
  auto files = lfs_files(git, xet, base_tree, *new_tree);
  if (!files) return files.status();
  auto file_keys = [](const json& list) {
    std::vector<std::string> keys;
    for (const auto& f : list) {
      keys.push_back("file:" + f["sha256"].get<std::string>());
      if (f.contains("xet")) keys.push_back("file:" + f["xet"].get<std::string>());
    }
    return keys;
  };
  std::vector<std::string> keys = {"ref:" + repo.uid + ":" + ref,
                                   "from:" + repo.uid + ":" + ref + ":" + old_commit};
  if (!new_commit.empty()) keys.push_back("commit:" + new_commit);
  json entry = {{"kind", "ref"},     {"ref", ref},       {"old", old_commit}, {"new", new_commit},
                {"tree", *new_tree}, {"forced", forced}, {"actor", actor},    {"via", via}};
  // A long file list (a new branch of a large repository) goes into `part` entries after the
  // ref entry, so that no entry outgrows an entry bundle's 64 KiB.
  auto parts = split_into_parts(*files);
  if (parts.size() <= 1) {
    auto more = file_keys(*files);
    keys.insert(keys.end(), more.begin(), more.end());
    entry["files"] = std::move(*files);
  } else {
    entry["files"] = json::array();
    entry["files_parts"] = parts.size();
  }
  std::vector<storage::TlogAppend> out;
  out.push_back(make_entry(repo, std::move(entry), std::move(keys),
                           storage::TlogIntent{"ref", repo.uid, ref, new_commit}));
  for (size_t k = 0; parts.size() > 1 && k < parts.size(); ++k) {
    auto part_keys = file_keys(parts[k]);
    out.push_back(make_entry(repo,
                             {{"kind", "part"},
                              {"of", "files"},
                              {"part", k + 1},
                              {"parts", parts.size()},
                              {"items", std::move(parts[k])}},
                             std::move(part_keys), std::nullopt));
  }
  return out;
}

Result<storage::TlogAppend> ref_entry(storage::GitRepo& git, storage::XetStore* xet,
                                      const domain::RepoRecord& repo, const std::string& ref,
                                      const std::string& old_object, const std::string& new_object,
                                      const std::string& actor, const std::string& via,
                                      const RefEntryHint* hint) {
  auto all = ref_entries(git, xet, repo, ref, old_object, new_object, actor, via, hint);
  if (!all) return all.status();
  if (all->size() != 1) return internal_error("this move needs part entries: use ref_entries");
  return std::move(all->front());
}

std::vector<json> split_into_parts(const json& items) {
  std::vector<json> parts;
  json current = json::array();
  size_t bytes = 0;
  for (const auto& item : items) {
    const size_t size = item.dump().size() + 1;
    if (!current.empty() && bytes + size > kMaxListBytes) {
      parts.push_back(std::move(current));
      current = json::array();
      bytes = 0;
    }
    current.push_back(item);
    bytes += size;
  }
  if (!current.empty() || parts.empty()) parts.push_back(std::move(current));
  return parts;
}

namespace {

Status logged_ref_update_only(Hub& hub, storage::GitRepo& git, const domain::RepoRecord& repo,
                              const std::string& actor, const RefMove& move) {
  if (!hub.transparency().ref_logging()) {
    return move.target.empty()
               ? git.delete_ref(move.ref, move.expected_old)
               : git.update_ref(move.ref, move.target, move.expected_old, move.message);
  }
  // The repository as it is now (a commit can stream for minutes): an entry sealed or in the
  // clear by its visibility at the time of the move, not of the request.
  auto read = hub.db().find_repo(repo.type, repo.ns, repo.name);  // cached; writes invalidate
  if (!read) return read.status();
  std::optional<domain::RepoRecord> fresh = *read;
  if (!fresh || fresh->uid != repo.uid) {
    read = hub.db().find_repo_by_uid(repo.uid);
    if (!read) return read.status();
    fresh = *read;
  }
  auto entry = ref_entries(
      git, &hub.xet(), fresh ? *fresh : repo, move.ref, move.logged_old.value_or(move.expected_old),
      move.logged_new.value_or(move.target), actor, "api", move.hint ? &*move.hint : nullptr);
  if (!entry) return entry.status();
  LoggedChange change(hub.transparency().store());
  if (auto st = change.begin(*entry); !st) return st;
  Status st = move.target.empty()
                  ? git.delete_ref(move.ref, move.expected_old)
                  : git.update_ref(move.ref, move.target, move.expected_old, move.message);
  if (!st) return st;  // the change voids its intent
  change.done();
  return st;
}

}  // namespace

Status logged_ref_update(Hub& hub, storage::GitRepo& git, const domain::RepoRecord& repo,
                         const std::string& actor, const RefMove& move) {
  auto st = logged_ref_update_only(hub, git, repo, actor, move);
  // Branches and tags are lineage nodes; `main` is indexed by RepoService::reindex, which its
  // writers call after they finish.
  if (st && move.ref != "refs/heads/main" &&
      (move.ref.starts_with("refs/heads/") || move.ref.starts_with("refs/tags/"))) {
    hub.lineage().on_refs_changed(repo);
  }
  return st;
}

// --- LoggedChange --------------------------------------------------------------------------

Status LoggedChange::begin(const std::vector<storage::TlogAppend>& entries) {
  auto first = store_.append(entries);
  if (!first) return first.status();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].intent) intents_.push_back(*first + static_cast<int64_t>(i));
  }
  return Status::ok();
}

void LoggedChange::done() {
  if (intents_.empty()) return;
  store_.resolve_later(intents_);  // written with the next append, or within a second
  intents_.clear();
}

void LoggedChange::abandon(const std::string& reason) {
  if (intents_.empty()) return;
  std::vector<storage::TlogAppend> voids;
  for (int64_t i : intents_) voids.push_back(void_entry(i, reason));
  (void)store_.append(voids, intents_);  // if this fails, recovery voids them after a restart
  intents_.clear();
}

LoggedChange::~LoggedChange() {
  abandon("the change did not happen");
}

// --- Transparency --------------------------------------------------------------------------

Transparency::~Transparency() {
  stop_ = true;
  if (background_.joinable()) background_.join();
}

Result<std::unique_ptr<Transparency>> Transparency::open(const std::string& data_dir,
                                                         const std::string& public_url) {
  std::unique_ptr<Transparency> t(new Transparency());
  const std::string dir = data_dir + "/tlog";
  auto store = storage::TlogStore::open(dir);
  if (!store) return store.status();
  t->store_ = std::move(*store);
  t->dir_ = dir;
  t->public_url_ = public_url;
  return t;
}

Status Transparency::load_key() {
  if (signer_) return Status::ok();
  auto text = load_or_create_key(dir_ + "/signing.key", host_of(public_url_) + "/vitrine-log");
  if (!text) return text.status();
  std::string line = *text;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  auto signer = tlog::parse_signer_key(line);
  if (!signer) return internal_error("bad transparency log key in " + dir_ + "/signing.key");
  signer_ = *signer;
  verifier_key_ = tlog::format_verifier_key(tlog::verifier_of(*signer));
  return Status::ok();
}

Result<std::string> Transparency::verifier_key() {
  std::lock_guard lock(key_mutex_);
  if (auto st = load_key(); !st) return st;
  return verifier_key_;
}

Status Transparency::issue_checkpoint() {
  std::lock_guard lock(checkpoint_mutex_);
  auto size = store_->size();
  if (!size) return size.status();
  auto latest = store_->latest_checkpoint();
  if (!latest) return latest.status();
  if (*latest && (*latest)->size >= *size) return Status::ok();
  auto root = tlog::tree_hash(*size, store_->hash_reader());
  if (!root) return root.status();
  std::lock_guard key_lock(key_mutex_);
  if (auto st = load_key(); !st) return st;
  tlog::Checkpoint c;
  c.origin = signer_->name;
  c.tree_size = static_cast<uint64_t>(*size);
  c.root_hash.assign(reinterpret_cast<const char*>(root->data()), root->size());
  auto text = tlog::format_checkpoint(c);
  if (!text) return text.status();
  auto note = tlog::sign_note(*text, *signer_);
  if (!note) return note.status();
  return store_->save_checkpoint({*size, *note, util::now_ms()});
}

Result<storage::TlogCheckpoint> Transparency::checkpoint() {
  auto latest = store_->latest_checkpoint();
  if (!latest) return latest.status();
  if (!*latest) {
    if (auto st = issue_checkpoint(); !st) return st;
    latest = store_->latest_checkpoint();
    if (!latest) return latest.status();
    if (!*latest) return internal_error("no checkpoint could be issued");
  }
  return **latest;
}

void Transparency::start_background(Hub& hub, int interval_ms) {
  const std::string git_root = hub.config().data_dir + "/repos";
  storage::MetadataDb* db = &hub.db();
  background_ = std::thread([this, git_root, db, interval_ms] {
    auto last_recovery = std::chrono::steady_clock::now();
    while (!stop_) {
      (void)store_->flush_resolved();
      (void)issue_checkpoint();
      auto now = std::chrono::steady_clock::now();
      if (now - last_recovery > std::chrono::seconds(5)) {
        last_recovery = now;
        // Writers resolve within milliseconds; an intent 10 s old belongs to a killed writer.
        (void)recover_intents(*store_, *db, git_root, util::now_ms() - 10000);
      }
      for (int slept = 0; slept < interval_ms && !stop_; slept += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
}

Result<int64_t> recover_intents(storage::TlogStore& store, storage::MetadataDb& db,
                                const std::string& git_root, int64_t before_ms) {
  auto pending = store.pending(before_ms);
  if (!pending) return pending.status();
  std::vector<storage::TlogAppend> voids;
  std::vector<int64_t> voided;
  // Newest first: an intent found visible is resolved at once, so that it counts as evidence
  // (a later change that started from the state before it) for the older ones.
  std::reverse(pending->begin(), pending->end());
  for (const auto& p : *pending) {
    const auto& in = p.intent;
    if (writer_alive(p.intent)) continue;  // it resolves its own intents
    auto read = db.find_repo_by_uid(in.repo_id);
    if (!read) return read.status();  // decided later, when it can be read
    const std::optional<domain::RepoRecord>& repo = *read;
    bool visible = false;
    std::string later_key;
    if (in.kind == "ref") {
      if (repo) {
        auto git = storage::GitRepo::open(git_root + "/" + in.repo_id + ".git");
        if (git) visible = (*git)->ref_target(in.ref).value_or("") == in.expect;
      }
      later_key = "from:" + in.repo_id + ":" + in.ref + ":" + in.expect;
    } else if (in.kind == "create") {
      visible = repo.has_value();
      later_key = "repo:" + in.repo_id;
    } else if (in.kind == "delete") {
      visible = !repo.has_value();
    } else if (in.kind == "rename") {
      visible = repo && tlog_repo_name(*repo) == in.expect;
      later_key = "renamed-from:" + in.repo_id + ":" + in.expect;
    } else if (in.kind == "visibility") {
      visible = repo && (repo->is_private ? "1" : "0") == in.expect;
      later_key = "visibility-from:" + in.repo_id + ":" + in.expect;
    }
    if (!visible && !later_key.empty()) {
      auto later = store.later_resolved(p.index, later_key);
      if (!later) return later.status();
      visible = *later;
    }
    if (visible) {
      std::array<int64_t, 1> one{p.index};
      if (auto st = store.resolve(one); !st) return st;
    } else {
      voids.push_back(void_entry(p.index, "the change never became visible (writer stopped)"));
      voided.push_back(p.index);
    }
  }
  if (!voids.empty()) {
    auto appended = store.append(voids, voided);
    if (!appended) return appended.status();
  }
  return static_cast<int64_t>(voided.size());
}

}  // namespace vitrine::service
