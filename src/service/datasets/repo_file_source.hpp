// A dataset file of a repository revision as a stream of bytes for the readers of
// formats/datasets/: an LFS (or Xet) object read span by span from the object store, or a
// small git blob. Only the part a reader pulls is read.
#pragma once

#include <cstdint>
#include <memory>

#include "formats/datasets/parquet_rows.hpp"
#include "formats/datasets/row_reader.hpp"
#include "service/repos/repo_handle.hpp"
#include "service/repos/snapshot_cache.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

// A file stored in git itself (not through LFS) is read whole into memory; past this size the
// viewer refuses it rather than hold it (the Hub stores such files through LFS).
inline constexpr uint64_t kMaxGitBlobRead = 64ull << 20;

// The file's bytes as they are stored (still compressed when the file is).
Result<std::unique_ptr<datasets::ByteSource>> open_repo_file(Hub& hub, RepoHandle& git,
                                                             const FileEntry& file);

// The same file read at any offset (Parquet files: footers, then the pages a read needs). A git
// blob is held whole, under the same bound.
Result<std::shared_ptr<datasets::RandomAccessFile>> open_repo_file_at(Hub& hub, RepoHandle& git,
                                                                      const FileEntry& file);

}  // namespace vitrine::service
