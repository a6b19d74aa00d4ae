// The Xet content-defined chunker (docs/xet/chunking.md): a gear rolling hash, a cut where the
// top 16 bits of the hash are zero, never before kMinChunkSize bytes, always at kMaxChunkSize.
#include <algorithm>

#include "formats/xet/format.hpp"
#include "formats/xet/gear_table.hpp"

namespace vitrine::xet {
namespace {

constexpr uint64_t kBoundaryMask = 0xFFFF000000000000ull;
// A gear hash depends on the last 64 bytes only (each byte is shifted out after 64 steps), so
// hashing from this chunk offset with h = 0 yields, at every offset where a cut is allowed
// (>= kMinChunkSize - 1), exactly the hash of a scan from the chunk start. The bytes before it
// are skipped without being read.
constexpr uint64_t kHashStart = kMinChunkSize - 64;
// The first offset whose byte may end a chunk (size == kMinChunkSize).
constexpr uint64_t kFirstCut = kMinChunkSize - 1;

}  // namespace

void Chunker::update(std::string_view data, std::vector<uint64_t>& boundaries) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const uint64_t* table = kGearTable.data();
  size_t i = 0;
  const size_t n = data.size();
  while (i < n) {
    const uint64_t in_chunk = position_ - chunk_start_;  // bytes of the chunk already seen
    if (in_chunk < kHashStart) {
      const size_t skip = std::min<uint64_t>(kHashStart - in_chunk, n - i);
      i += skip;
      position_ += skip;
      continue;
    }
    uint64_t h = hash_;
    if (in_chunk < kFirstCut) {
      // Warm the hash up over the window before the first allowed cut.
      const size_t count = std::min<uint64_t>(kFirstCut - in_chunk, n - i);
      for (size_t j = 0; j < count; ++j) h = (h << 1) + table[bytes[i + j]];
      hash_ = h;
      i += count;
      position_ += count;
      continue;
    }
    // Test every byte up to and including the one that makes the chunk kMaxChunkSize long.
    const size_t count = std::min<uint64_t>(kMaxChunkSize - in_chunk, n - i);
    const uint8_t* p = bytes + i;
    size_t j = 0;
    bool cut = false;
    for (; j < count; ++j) {
      h = (h << 1) + table[p[j]];
      if ((h & kBoundaryMask) == 0) {
        cut = true;
        ++j;
        break;
      }
    }
    i += j;
    position_ += j;
    if (cut || position_ - chunk_start_ == kMaxChunkSize) {
      boundaries.push_back(position_);
      chunk_start_ = position_;
      hash_ = 0;
    } else {
      hash_ = h;
    }
  }
}

void Chunker::finish(std::vector<uint64_t>& boundaries) {
  if (position_ > chunk_start_) boundaries.push_back(position_);
  chunk_start_ = position_;
  hash_ = 0;
}

std::vector<uint64_t> chunk_boundaries(std::string_view data) {
  std::vector<uint64_t> boundaries;
  boundaries.reserve(data.size() / kTargetChunkSize + 1);
  Chunker chunker;
  chunker.update(data, boundaries);
  chunker.finish(boundaries);
  return boundaries;
}

}  // namespace vitrine::xet
