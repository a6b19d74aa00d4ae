// ObjectMaintenance: keeping the hub's object store (LFS objects, xorbs, shards) tidy and
// whole — `vitrine gc`, `vitrine fsck`, `vitrine migrate`, and the conversion `vitrine serve`
// runs in the background. Safe while the server runs, except where a command says otherwise.
#pragma once

#include <cstdint>

#include "domain/maintenance_report.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

class ObjectMaintenance {
 public:
  explicit ObjectMaintenance(Hub& hub) : hub_(hub) {}

  // Removes large files no repository references, xorbs no file references, and parts of
  // multipart uploads abandoned longer than `grace_seconds` (anything touched more recently is
  // kept: uploads in flight).
  // First the links of replaced Parquet exports are taken back: an object only an export
  // linked, linked longer than `grace_seconds` ago, that no pointer file of any commit reachable
  // from the repository's refs names any more (reclaim_export_links).
  Result<domain::GcReport> gc(int64_t grace_seconds);
  // That first step alone; how many links were taken back. A repository whose history passes
  // 200,000 commits or 20,000,000 trees and blobs keeps its links.
  size_t reclaim_export_links(int64_t grace_seconds);
  // Recomputes every hash of the store; with `repair`, quarantines damaged xorbs and
  // unregisters the files that need them.
  Result<domain::FsckReport> fsck(bool repair);
  // Objects of the earlier plain-file store not yet converted into the Xet store.
  uint64_t legacy_count();
  // Converts them (reads keep working throughout); returns how many were converted.
  Result<uint64_t> migrate();

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
