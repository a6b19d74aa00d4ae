// Log entries for repository changes and the intent protocol: see log_entries.hpp.
#include "service/transparency/log_entries.hpp"

#include <algorithm>
#include <array>

#include "formats/git/lfs_pointer.hpp"
#include "service/hub.hpp"
#include "service/lineage/lineage.hpp"
#include "service/transparency/transparency.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "storage/xet/xet_store.hpp"
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
