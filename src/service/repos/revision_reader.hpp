// Reading the files of a repository revision for the lineage index and reports: a bounded
// prefix of a file's content (LFS/Xet content or the git blob), a file by path, and the
// SHA-256 a training manifest names a file by. Thread-safe (the stores are).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "service/repos/repo_handle.hpp"
#include "service/repos/snapshot_cache.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

// Bounds on what indexing reads from one revision.
inline constexpr uint64_t kMaxReadmeBytes = 1u << 20;
inline constexpr uint64_t kMaxManifestBytes = 4u << 20;
inline constexpr uint64_t kMaxWholeBlobBytes = 256u << 20;  // git blobs (not LFS) read at all

// The first `n` bytes of a file (fewer when the file is shorter). An LFS file reads only an
// object its repository (`git->repo_uid()`) holds; kNotFound otherwise.
Result<std::string> read_file_prefix(Hub& hub, RepoHandle& git, const FileEntry& f, uint64_t n);

// The bytes of a git blob (a file stored in git, or an LFS pointer): for files up to a size
// the caller bounds (larger ones are streamed with `git cat-file`).
Result<std::string> read_blob(RepoHandle& git, const std::string& oid);

// The text of a file stored in git at `commit` (.gitattributes, .gitignore), up to 1 MiB:
// "" when it is absent, a folder, larger or unreadable.
std::string small_file_text(RepoHandle& git, const std::string& commit, const std::string& path);

// The file at `path` (not a directory), if the revision has one.
std::optional<FileEntry> find_file(const Snapshot& snap, const std::string& path);

// The SHA-256 of a file's content: the LFS/Xet oid, or the hash of a git blob up to 64 MiB.
std::optional<std::string> content_sha256(RepoHandle& git, const FileEntry& f);

}  // namespace vitrine::service
