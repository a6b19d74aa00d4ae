// Which LFS objects a repository may name, and the objects' bytes.
#include "service/commits/object_links.hpp"

#include "formats/xet/format.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::service {

bool repo_holds_object(storage::MetadataDb& db, storage::XetStore& store,
                       const std::string& repo_uid, const std::string& oid) {
  return db.repo_has_lfs_object(repo_uid, oid) || store.has_upload(repo_uid, oid);
}

bool ObjectLinks::holds(const std::string& repo_uid, const std::string& oid) {
  return repo_holds_object(hub_.db(), hub_.xet(), repo_uid, oid);
}

bool ObjectLinks::named_by(const std::string& repo_uid, const std::string& oid) {
  return hub_.db().repo_has_lfs_object(repo_uid, oid);
}

bool ObjectLinks::may_reference(RepoService& repos, const domain::RepoRecord& repo,
                                const Caller& caller, const std::string& oid) {
  if (holds(repo.uid, oid)) return true;
  for (const auto& other : hub_.db().repos_naming_lfs_object(oid)) {
    if (repos.can_read(other, caller) && repos.check_file_access(other, caller)) {
      return link_upload(repo.uid, oid).is_ok();
    }
  }
  return false;
}

Status ObjectLinks::link_upload(const std::string& repo_uid, const std::string& oid) {
  return hub_.xet().link_upload(repo_uid, oid);
}

std::optional<uint64_t> ObjectLinks::stored_size(const std::string& oid) {
  return hub_.blobs().size(oid);
}

Result<OpenedObject> ObjectLinks::open(const std::string& oid, bool prefer_xet) {
  // One index lookup: a file in Xet form opens from its terms, anything else (objects of the
  // earlier store, or Xet not offered) through the store's SHA-256 lookup.
  if (prefer_xet) {
    if (auto file = hub_.xet().file_by_sha256(oid)) {
      auto content = hub_.xet().open_file(*file);
      if (!content) return content.status();
      uint64_t size = (*content)->size;
      return OpenedObject{size, xet::to_string(file->hash), std::move(*content)};
    }
  }
  auto content = hub_.blobs().open(oid);
  if (!content) return content.status();
  uint64_t size = (*content)->size;
  return OpenedObject{size, std::nullopt, std::move(*content)};
}

std::optional<std::string> ObjectLinks::xet_hash(const std::string& oid) {
  auto file = hub_.xet().file_by_sha256(oid);
  if (!file) return std::nullopt;
  return xet::to_string(file->hash);
}

}  // namespace vitrine::service
