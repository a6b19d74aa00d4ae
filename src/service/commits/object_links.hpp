// Which LFS objects a repository may name. Objects are stored once for the whole hub, so being
// stored is not enough: knowing a SHA-256 must never copy another repository's private file.
#pragma once

#include <string>

#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::service {

// True when the repository's commits name the object already, or its bytes were uploaded for
// this repository (LFS PUT, or a Xet shard, which proves possession). Used by the commit API,
// the pre-receive hook and the LFS batch, so the three agree.
inline bool repo_holds_object(storage::MetadataDb& db, storage::XetStore& store,
                              const std::string& repo_uid, const std::string& oid) {
  return db.repo_has_lfs_object(repo_uid, oid) || store.has_upload(repo_uid, oid);
}

}  // namespace vitrine::service
