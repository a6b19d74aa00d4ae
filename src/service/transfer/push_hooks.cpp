#include "service/transfer/push_hooks.hpp"

#include <git2.h>

#include <optional>
#include <sstream>

#include "service/commits/object_links.hpp"
#include "service/commits/push_policy.hpp"
#include "service/transparency/log_entries.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::service {
namespace {

// The objects a push to this repository may name: stored, and named by the repository
// already or uploaded for it (git lfs push does that before the refs move).
class LinkedObjects : public storage::BlobStore {
 public:
  LinkedObjects(storage::XetStore& store, storage::MetadataDb& db, std::string uid)
      : store_(store), db_(db), uid_(std::move(uid)) {}
  std::optional<uint64_t> size(std::string_view oid) override {
    if (!repo_holds_object(db_, store_, uid_, std::string(oid))) return std::nullopt;
    return store_.size(oid);
  }
  Result<std::shared_ptr<storage::ObjectContent>> open(std::string_view oid) override {
    return store_.open(oid);
  }
  Result<std::unique_ptr<storage::BlobWriter>> begin_write(std::string_view oid,
                                                           uint64_t size) override {
    return store_.begin_write(oid, size);
  }

 private:
  storage::XetStore& store_;
  storage::MetadataDb& db_;
  std::string uid_;
};

Status refused(const std::string& message) {
  return Status(ErrorKind::kForbidden, "push refused: " + message);
}

bool is_zero(const std::string& oid) {
  return oid.find_first_not_of('0') == std::string::npos;
}

Result<std::unique_ptr<storage::XetStore>> open_objects(const std::string& data) {
  return storage::XetStore::open(data + "/xet", storage::make_local_blob_store(data + "/lfs"));
}

}  // namespace

Status run_pre_receive(const PushHookContext& context, std::string_view input) {
  auto updates = parse_ref_updates(input);
  if (!updates) return refused(updates.status().message());
  storage::init_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) != 0) {
    return refused("cannot open repository: " + storage::git_error_message());
  }
  std::unique_ptr<git_repository, decltype(&git_repository_free)> owned(repo, &git_repository_free);
  auto blobs = open_objects(context.data_dir);
  if (!blobs) {
    return Status(ErrorKind::kInternal,
                  "cannot open the large-file store: " + blobs.status().message());
  }
  auto db = storage::MetadataDb::open(context.data_dir + "/vitrine.db");
  if (!db) return refused(db.status().message());
  LinkedObjects linked(**blobs, **db, context.repo_uid);
  std::vector<std::string> lfs_oids;
  auto st = check_push(repo, linked, *updates, context.push_admin, &lfs_oids);
  owned.reset();
  if (st && !lfs_oids.empty()) {
    // Recorded before the refs move, so every visible pointer can be downloaded.
    st = (*db)->add_repo_lfs_objects(context.repo_uid, lfs_oids);
  }
  if (!st) return refused(st.message());
  return Status::ok();
}

std::vector<RefLine> parse_ref_lines(std::string_view input) {
  std::vector<RefLine> out;
  std::istringstream in{std::string(input)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    RefLine r;
    if (!(fields >> r.old_value >> r.new_value >> r.ref)) continue;
    if (is_zero(r.old_value)) r.old_value.clear();
    if (is_zero(r.new_value)) r.new_value.clear();
    // Only named refs that move: HEAD is symbolic, and pack-refs rewrites without moving.
    if (!r.ref.starts_with("refs/") || r.old_value == r.new_value) continue;
    out.push_back(std::move(r));
  }
  return out;
}

Status run_reference_transaction(const PushHookContext& context, const std::string& state,
                                 const std::vector<RefLine>& lines) {
  const std::string& data = context.data_dir;
  const std::string& uid = context.repo_uid;
  storage::init_libgit2();
  auto log = storage::TlogStore::open(data + "/tlog");
  if (!log) return log.status();
  auto git = storage::GitRepo::open(data + "/repos/" + uid + ".git");
  if (!git) return git.status();

  if (state == "prepared") {
    auto db = storage::MetadataDb::open(data + "/vitrine.db");
    if (!db) return db.status();
    auto found = (*db)->find_repo_by_uid(uid);
    if (!found) return found.status();
    if (!*found) return Status(ErrorKind::kNotFound, "unknown repository");
    const domain::RepoRecord& repo = **found;
    auto xet = open_objects(data);
    std::vector<storage::TlogAppend> entries;
    for (const auto& r : lines) {
      auto moved = ref_entries(**git, xet ? (*xet).get() : nullptr, repo, r.ref, r.old_value,
                               r.new_value, context.push_user, "git");
      if (!moved) return moved.status();
      auto& intent = *moved->front().intent;
      intent.pid = context.git_pid;  // git receive-pack runs "committed" or "aborted" next
      // git 2.39 runs the hook twice for a deleted packed ref: log the move once.
      auto same = (*log)->find_intents(intent);
      if (same && !same->empty()) continue;
      for (auto& e : *moved) entries.push_back(std::move(e));
    }
    if (entries.empty()) return Status::ok();
    // Appended before git moves the refs; if this fails, the push is refused.
    auto appended = (*log)->append(entries);
    if (!appended) return refused(appended.status().message());
    return Status::ok();
  }
  if (state != "committed" && state != "aborted") return Status::ok();
  std::vector<int64_t> intents;
  for (const auto& r : lines) {
    storage::TlogIntent intent{"ref", uid, r.ref, (*git)->peel_to_commit(r.new_value),
                               context.git_pid};
    auto found = (*log)->find_intents(intent);
    if (found) intents.insert(intents.end(), found->begin(), found->end());
  }
  // An intent left unresolved here is settled by the server's recovery.
  if (state == "aborted" && !intents.empty()) {
    std::vector<storage::TlogAppend> voids;
    for (int64_t i : intents) voids.push_back(void_entry(i, "the push did not complete"));
    if (auto st = (*log)->append(voids, intents); !st) return st.status();
    return Status::ok();
  }
  (void)(*log)->resolve(intents);
  return Status::ok();
}

}  // namespace vitrine::service
