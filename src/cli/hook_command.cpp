// The pre-receive hook: opens the repository as git hands it over (pushed objects still in
// quarantine, through GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES) and applies
// the push policy.
#include <git2.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/commands.hpp"
#include "service/object_links.hpp"
#include "service/push_policy.hpp"
#include "storage/git_repo.hpp"
#include "storage/metadata_db.hpp"
#include "storage/xet_store.hpp"

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
