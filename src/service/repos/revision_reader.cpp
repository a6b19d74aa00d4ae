// Reading the files of a repository revision (service/repos/revision_reader.hpp).
#include "service/repos/revision_reader.hpp"

#include "service/commits/object_links.hpp"
#include "service/hub.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {

// The first `n` bytes of a file of a revision (LFS/Xet content or the git blob).
Result<std::string> read_file_prefix(Hub& hub, RepoHandle& git, const FileEntry& f, uint64_t n) {
  if (!f.lfs) {
    // libgit2 reads a blob whole: a huge file committed without LFS is not read for a header.
    if (f.git.size > kMaxWholeBlobBytes) {
      return Status(ErrorKind::kPayloadTooLarge,
                    "a file of " + std::to_string(f.git.size) +
                        " bytes stored in git without LFS is not read for metadata");
    }
    auto blob = git->read_blob(f.git.oid);
    if (!blob) return blob.status();
    if (blob->size() > n) blob->resize(n);
    return std::move(*blob);
  }
  // The object-access rule holds here too (cards, weight headers, manifests): a pointer reads
  // only an object its repository holds.
  if (!repo_holds_object(hub.db(), hub.xet(), git->repo_uid(), f.lfs->oid)) {
    return Status(ErrorKind::kNotFound, "LFS object " + f.lfs->oid + " of " + f.git.path +
                                            " is not held by this repository");
  }
  auto content = hub.blobs().open(f.lfs->oid);
  if (!content) return content.status();
  std::string out;
  for (const auto& piece : (*content)->pieces) {
    if (out.size() >= n) break;
    std::string bytes;
    if (auto st = (*content)->read_piece(piece, bytes); !st) return st;
    out += bytes;
  }
  if (out.size() > n) out.resize(n);
  return out;
}

// The SHA-256 of a file's content, as a manifest names it.
std::optional<std::string> content_sha256(RepoHandle& git, const FileEntry& f) {
  if (f.lfs) return f.lfs->oid;
  if (f.git.size > (64u << 20)) return std::nullopt;
  auto blob = git->read_blob(f.git.oid);
  if (!blob) return std::nullopt;
  return util::sha256_hex(*blob);
}

Result<std::string> read_blob(RepoHandle& git, const std::string& oid) {
  return git->read_blob(oid);
}

std::string small_file_text(RepoHandle& git, const std::string& commit, const std::string& path) {
  auto entry = git->entry_at(commit, path);
  if (!entry || !entry->has_value() || (*entry)->is_dir || (*entry)->size > (1u << 20)) return "";
  auto text = git->read_blob((*entry)->oid);
  return text ? *text : "";
}

std::optional<FileEntry> find_file(const Snapshot& snap, const std::string& path) {
  for (const auto& e : snap.entries) {
    if (!e.git.is_dir && e.git.path == path) return e;
  }
  return std::nullopt;
}

}  // namespace vitrine::service
