// The pre-receive hook: opens the repository as git hands it over (pushed objects still in
// quarantine, through GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES) and applies
// the push policy.
#include <git2.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "service/commits/object_links.hpp"
#include "service/commits/push_policy.hpp"
#include "service/transparency/transparency.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::cli {
namespace {

// The objects a push to this repository may name: stored, and named by the repository
// already or uploaded for it (git lfs push does that before the refs move).
class LinkedObjects : public storage::BlobStore {
 public:
  LinkedObjects(storage::XetStore& store, storage::MetadataDb& db, std::string uid)
      : store_(store), db_(db), uid_(std::move(uid)) {}
  std::optional<uint64_t> size(std::string_view oid) override {
    if (!service::repo_holds_object(db_, store_, uid_, std::string(oid))) return std::nullopt;
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

}  // namespace

int run_pre_receive_hook() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const char* data = std::getenv("VITRINE_DATA");
  if (!data || !*data) {
    std::cerr << "vitrine: push refused: hook run outside vitrine (VITRINE_DATA unset)\n";
    return 1;
  }
  auto updates = service::parse_ref_updates(input);
  if (!updates) {
    std::cerr << "vitrine: push refused: " << updates.status().message() << "\n";
    return 1;
  }
  storage::init_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) != 0) {
    std::cerr << "vitrine: push refused: cannot open repository: " << storage::git_error_message()
              << "\n";
    return 1;
  }
  auto blobs = storage::XetStore::open(std::string(data) + "/xet",
                                       storage::make_local_blob_store(std::string(data) + "/lfs"));
  if (!blobs) {
    std::cerr << "vitrine: cannot open the large-file store: " << blobs.status().message() << "\n";
    return 1;
  }
  const char* uid = std::getenv("VITRINE_REPO_UID");
  auto db = storage::MetadataDb::open(std::string(data) + "/vitrine.db");
  if (!db) {
    git_repository_free(repo);
    std::cerr << "vitrine: push refused: " << db.status().message() << "\n";
    return 1;
  }
  LinkedObjects linked(**blobs, **db, uid ? uid : "");
  const char* admin = std::getenv("VITRINE_PUSH_ADMIN");
  std::vector<std::string> lfs_oids;
  auto st =
      service::check_push(repo, linked, *updates, admin && std::string(admin) == "1", &lfs_oids);
  git_repository_free(repo);
  if (st && !lfs_oids.empty()) {
    // Recorded before the refs move, so every visible pointer can be downloaded.
    st = (*db)->add_repo_lfs_objects(uid ? uid : "", lfs_oids);
  }
  if (!st) {
    std::cerr << "vitrine: push refused: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace vitrine::cli

namespace vitrine::cli {
namespace {

struct RefLine {
  std::string old_value, new_value, ref;
};

bool is_zero(const std::string& oid) {
  return oid.find_first_not_of('0') == std::string::npos;
}

std::vector<RefLine> read_ref_lines(std::istream& in) {
  std::vector<RefLine> out;
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

}  // namespace

// Whether git pack-refs (or a gc running it) is the caller: it moves loose refs into
// packed-refs and reports the loose ones as deleted, though no ref changes.
bool run_by_pack_refs() {
  std::ifstream cmdline("/proc/" + std::to_string(::getppid()) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  return args.find(std::string("pack-refs") + '\0') != std::string::npos;
}

int run_reference_transaction_hook(const std::string& state) {
  auto lines = read_ref_lines(std::cin);
  if (lines.empty() || run_by_pack_refs()) return 0;
  const char* data = std::getenv("VITRINE_DATA");
  const char* uid = std::getenv("VITRINE_REPO_UID");
  if (!data || !*data || !uid || !*uid) {
    std::cerr << "vitrine: push refused: hook run outside vitrine (VITRINE_DATA unset)\n";
    return 1;
  }
  auto fail = [&](const std::string& message) {
    std::cerr << "vitrine: transparency log: " << message << "\n";
    return 1;
  };
  storage::init_libgit2();
  auto log = storage::TlogStore::open(std::string(data) + "/tlog");
  if (!log) return fail(log.status().message());
  auto git = storage::GitRepo::open(std::string(data) + "/repos/" + uid + ".git");
  if (!git) return fail(git.status().message());

  if (state == "prepared") {
    auto db = storage::MetadataDb::open(std::string(data) + "/vitrine.db");
    if (!db) return fail(db.status().message());
    auto found = (*db)->find_repo_by_uid(uid);
    if (!found) return fail(found.status().message());
    if (!*found) return fail("unknown repository");
    const std::optional<domain::RepoRecord>& repo = *found;
    auto xet = storage::XetStore::open(std::string(data) + "/xet",
                                       storage::make_local_blob_store(std::string(data) + "/lfs"));
    const char* user = std::getenv("VITRINE_PUSH_USER");
    std::vector<storage::TlogAppend> entries;
    for (const auto& r : lines) {
      auto moved = service::ref_entries(**git, xet ? (*xet).get() : nullptr, *repo, r.ref,
                                        r.old_value, r.new_value, user ? user : "", "git");
      if (!moved) return fail(moved.status().message());
      auto& intent = *moved->front().intent;
      intent.pid = ::getppid();  // git receive-pack runs "committed" or "aborted" next
      // git 2.39 runs the hook twice for a deleted packed ref: log the move once.
      auto same = (*log)->find_intents(intent);
      if (same && !same->empty()) continue;
      for (auto& e : *moved) entries.push_back(std::move(e));
    }
    if (entries.empty()) return 0;
    // Appended before git moves the refs; if this fails, the push is refused.
    auto appended = (*log)->append(entries);
    if (!appended) return fail("push refused: " + appended.status().message());
    return 0;
  }
  if (state != "committed" && state != "aborted") return 0;
  std::vector<int64_t> intents;
  for (const auto& r : lines) {
    storage::TlogIntent intent{"ref", uid, r.ref, (*git)->peel_to_commit(r.new_value), ::getppid()};
    auto found = (*log)->find_intents(intent);
    if (found) intents.insert(intents.end(), found->begin(), found->end());
  }
  // An intent left unresolved here is settled by the server's recovery.
  if (state == "aborted" && !intents.empty()) {
    std::vector<storage::TlogAppend> voids;
    for (int64_t i : intents) voids.push_back(service::void_entry(i, "the push did not complete"));
    if (auto st = (*log)->append(voids, intents); !st) return fail(st.status().message());
    return 0;
  }
  (void)(*log)->resolve(intents);
  return 0;
}

}  // namespace vitrine::cli

namespace vitrine::cli {

Commands add_hook_command(CLI::App& app) {
  auto state = std::make_shared<std::string>();
  auto* hook = app.add_subcommand("hook", "Git hooks (run by git during pushes, not by people)");
  hook->require_subcommand(1);
  auto* pre_receive = hook->add_subcommand("pre-receive", "Check a push before its refs move");
  auto* ref_tx = hook->add_subcommand("reference-transaction", "Log a push's ref moves");
  ref_tx->add_option("state", *state)->required();
  return {{pre_receive, [] { return run_pre_receive_hook(); }},
          {ref_tx, [state] { return run_reference_transaction_hook(*state); }}};
}

}  // namespace vitrine::cli
