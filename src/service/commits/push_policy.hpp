// PushPolicy: what a git push must satisfy before any ref moves. It runs inside git's
// pre-receive hook (`vitrine hook pre-receive`), when the pushed objects are still in git's
// quarantine: a refused push leaves every ref and the object store as they were.
// Rules: only branches and tags are pushable (refs/pr/ and refs/convert/ by admins), the
// default branch cannot be deleted, paths obey the API commit rules, and every LFS pointer a
// push adds must name an object already in the store with that size.
#pragma once

#include <git2.h>

#include <string>
#include <vector>

#include "storage/objects/blob_store.hpp"
#include "util/result.hpp"

namespace vitrine::service {

struct RefUpdate {
  std::string old_oid;  // 40 zeros: the ref is created
  std::string new_oid;  // 40 zeros: the ref is deleted
  std::string ref;
};

// Parses the pre-receive hook's stdin ("<old> <new> <ref>" per line).
Result<std::vector<RefUpdate>> parse_ref_updates(std::string_view text);

// Returns ok or a message for the user (kForbidden / kUnprocessable).
// The LFS object ids the pushed commits reference are added to `lfs_oids`.
Status check_push(git_repository* repo, storage::BlobStore& blobs,
                  const std::vector<RefUpdate>& updates, bool pusher_is_admin,
                  std::vector<std::string>* lfs_oids);

}  // namespace vitrine::service
