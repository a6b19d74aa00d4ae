// BlobStore: the content-addressed store for large (LFS) objects, keyed by SHA-256. Objects
// are immutable: a writer streams bytes in, the hash and size are checked as they arrive, and
// only a verified object becomes visible (atomically, by rename), so a crash or a bad upload
// never leaves a readable object with the wrong content. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::storage {

// An open object whose bytes lie contiguous in a file, for zero-copy sending. The holder owns
// `fd` and must close it.
struct ObjectSpan {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t size = 0;
};

class BlobWriter {
 public:
  virtual ~BlobWriter() = default;  // an uncommitted writer discards what it received
  virtual Status write(std::string_view bytes) = 0;
  // Verifies that the bytes hash to the expected oid and size, then publishes the object.
  // kUnprocessable on a mismatch (nothing is stored).
  virtual Status commit() = 0;
  virtual uint64_t bytes_written() const = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::optional<uint64_t> size(std::string_view oid) = 0;
  bool exists(std::string_view oid) { return size(oid).has_value(); }
  virtual Result<ObjectSpan> open(std::string_view oid) = 0;
  virtual Result<std::unique_ptr<BlobWriter>> begin_write(std::string_view oid, uint64_t size) = 0;
};

// Objects as files under `root`/objects/ab/cd/<oid>, staged under `root`/tmp.
std::unique_ptr<BlobStore> make_local_blob_store(const std::string& root);

}  // namespace vitrine::storage
