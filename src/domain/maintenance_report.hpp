// What maintenance of the hub's object store reports (`vitrine gc`, `vitrine fsck`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vitrine::domain {

struct GcReport {
  uint64_t files_removed = 0;
  uint64_t xorbs_removed = 0;
  uint64_t bytes_freed = 0;
  uint64_t part_bytes_freed = 0;  // parts of multipart uploads abandoned past the grace time
};

struct FsckReport {
  uint64_t xorbs_checked = 0;
  uint64_t files_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<std::string> problems;  // one line each
  uint64_t quarantined = 0;
};

}  // namespace vitrine::domain
