// Which LFS objects a repository may name. Objects are stored once for the whole hub, so being
// stored is not enough: knowing a SHA-256 must never copy another repository's private file.
// Every path that names, serves or confirms an object asks here: the commit API, the LFS batch
// and object URLs, downloads, the pre-receive hook.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "domain/repo.hpp"
#include "service/transfer/object_reader.hpp"
#include "util/result.hpp"

namespace vitrine::storage {
class MetadataDb;
class XetStore;
}  // namespace vitrine::storage

namespace vitrine::service {

class Hub;
struct Caller;
class RepoService;

// True when the repository's commits name the object already, or its bytes were uploaded for
// this repository (LFS PUT, or a Xet shard, which proves possession). The pre-receive hook,
// which opens the stores itself, asks this directly.
bool repo_holds_object(storage::MetadataDb& db, storage::XetStore& store,
                       const std::string& repo_uid, const std::string& oid);

struct OpenedObject {
  uint64_t size = 0;
  std::optional<std::string> xet_hash;  // (hex) when it opened from its Xet terms
  std::shared_ptr<const storage::ObjectContent> content;
  // The bytes [offset, offset + length), for a response body.
  ObjectReader read(uint64_t offset, uint64_t length) const {
    return ObjectReader(content, offset, length);
  }
};

class ObjectLinks {
 public:
  explicit ObjectLinks(Hub& hub) : hub_(hub) {}

  // repo_holds_object, on the hub's stores.
  bool holds(const std::string& repo_uid, const std::string& oid);
  // Whether the repository's commits name the object (what an LFS download may fetch).
  bool named_by(const std::string& repo_uid, const std::string& oid);
  // Whether `repo` may name a stored object without its bytes being uploaded again: it holds it,
  // or the caller can read the object's content in another repository (read access and its
  // gate); then the object is linked to this one, as an upload would.
  bool may_reference(RepoService& repos, const domain::RepoRecord& repo, const Caller& caller,
                     const std::string& oid);
  // Records that the object's bytes were uploaded for the repository (proof of possession).
  Status link_upload(const std::string& repo_uid, const std::string& oid);
  // The object's size when it is stored, under any form.
  std::optional<uint64_t> stored_size(const std::string& oid);
  // The object's bytes: from its Xet terms when `prefer_xet` and it has them, else from the
  // object store.
  Result<OpenedObject> open(const std::string& oid, bool prefer_xet);
  // The object's Xet hash (hex), when it is stored in Xet form.
  std::optional<std::string> xet_hash(const std::string& oid);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
