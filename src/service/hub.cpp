// Opening a data folder: directories, database, object store and the URL-signing key.
#include "service/hub.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "service/lineage/lineage.hpp"
#include "service/repos/download_counter.hpp"
#include "service/transparency/log_entries.hpp"
#include "service/transparency/transparency.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

namespace fs = std::filesystem;

Result<std::unique_ptr<Hub>> Hub::open(HubConfig config) {
  std::error_code ec;
  fs::create_directories(config.data_dir + "/repos", ec);
  if (ec) return internal_error("cannot create " + config.data_dir + ": " + ec.message());
  // Private files, tokens' hashes and the signing key live here: the folder is the hub user's
  // alone (folders of earlier releases were created 0755 and are tightened on open).
  fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return internal_error("cannot restrict " + config.data_dir + ": " + ec.message());
  while (!config.public_url.empty() && config.public_url.back() == '/')
    config.public_url.pop_back();
  auto hub = std::unique_ptr<Hub>(new Hub());
  hub->config_ = config;
  auto db = storage::MetadataDb::open(config.data_dir + "/vitrine.db");
  if (!db) return db.status();
  hub->db_ = std::move(*db);
  // Large files live in the Xet store; objects of the earlier plain-file store stay readable
  // through it until `vitrine migrate` (or the server at startup) converts them.
  auto store = storage::XetStore::open(config.data_dir + "/xet",
                                       storage::make_local_blob_store(config.data_dir + "/lfs"));
  if (!store) return store.status();
  hub->blobs_ = std::move(*store);

  std::string key_path = config.data_dir + "/signing.key";
  std::ifstream in(key_path);
  std::getline(in, hub->signing_key_);
  if (hub->signing_key_.size() < 32) {
    hub->signing_key_ = util::to_hex(util::random_bytes(32));
    std::string temp = key_path + ".tmp";
    {
      std::ofstream out(temp, std::ios::trunc);
      out << hub->signing_key_ << "\n";
      if (!out) return internal_error("cannot write " + key_path);
    }
    ::chmod(temp.c_str(), 0600);
    fs::rename(temp, key_path, ec);
    if (ec) return internal_error("cannot write " + key_path + ": " + ec.message());
  }
  storage::init_libgit2();
  auto transparency = Transparency::open(config.data_dir, config.public_url);
  if (!transparency) return transparency.status();
  hub->transparency_ = std::move(*transparency);
  hub->lineage_ = std::make_unique<Lineage>(*hub);
  hub->downloads_ = std::make_unique<DownloadCounter>(*hub->db_);
  hub->downloads_->set_series_gap_ms(config.download_series_seconds * 1000);
  return hub;
}

void Hub::recover_after_crash() {
  // Which repositories' sealed entries the log's lookups show to everyone follows their
  // visibility now (a change whose second half a crash lost; a log upgraded by this release).
  // Only here, where no other process changes visibility at the same time.
  if (auto sealed = transparency_->store().sealed_repos(); !sealed) {
    spdlog::error("the transparency log's sealed repositories: {}", sealed.status().message());
  } else {
    for (const auto& [uid, open] : *sealed) {
      auto repo = db_->find_repo_by_uid(uid);
      if (!repo) {
        spdlog::error("reconciling the log's index for {}: {}", uid, repo.status().message());
        continue;  // left as it is (closed stays closed); the next start tries again
      }
      const bool should = *repo && !(*repo)->is_private;
      if (should == open) continue;
      if (auto st = transparency_->store().set_open(uid, should); !st) {
        spdlog::error("reconciling the log's index for {}: {}", uid, st.message());
      }
    }
  }
  std::error_code ec;
  size_t removed = 0;
  for (fs::recursive_directory_iterator it(config_.data_dir + "/repos", ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() == ".lock" && it->is_regular_file(ec)) {
      fs::remove(path, ec);
      ++removed;
    }
  }
  for (const char* dir : {"/lfs/tmp", "/xet/tmp"}) {
    for (fs::directory_iterator it(config_.data_dir + dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      fs::remove_all(it->path(), ec);
      ++removed;
    }
  }
  if (removed > 0) spdlog::warn("recovered after an unclean stop: removed {} stale files", removed);
  // Intents of writers that stopped mid-change: each became visible, or gets its void entry.
  auto voided = recover_intents(transparency_->store(), *db_, config_.data_dir + "/repos",
                                util::now_ms() + 1);
  if (!voided) {
    spdlog::error("transparency log recovery failed: {}", voided.status().message());
  } else if (*voided > 0) {
    spdlog::warn("transparency log: {} logged changes never became visible; marked void", *voided);
  }
}

std::string Hub::git_path(const domain::RepoRecord& repo) const {
  return config_.data_dir + "/repos/" + repo.uid + ".git";
}

Hub::~Hub() = default;

storage::BlobStore& Hub::blobs() {
  return *blobs_;
}

Result<RepoHandle> Hub::open_git(const domain::RepoRecord& repo) const {
  auto git = storage::GitRepo::open(git_path(repo));
  if (!git) return git.status();
  (*git)->set_repo_uid(repo.uid);
  return RepoHandle(std::move(*git));
}

}  // namespace vitrine::service
