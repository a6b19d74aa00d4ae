// ObjectReader: a byte range of a stored large object, read span by span for a response body.
// A piece stored as is comes back as a range of its file (for sendfile, never read into
// memory); a compressed Xet chunk comes back as its decompressed bytes (one chunk, at most
// 64 KiB, at a time). The reader holds the object's files open until it is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace vitrine::storage {
class ObjectContent;
}

namespace vitrine::service {

struct ObjectSpan {
  int fd = -1;  // >= 0: `length` bytes of this file from `offset`; else `bytes`
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string bytes;
};

class ObjectReader {
 public:
  // The bytes [offset, offset + length) of `content`; the range lies within it.
  ObjectReader(std::shared_ptr<const storage::ObjectContent> content, uint64_t offset,
               uint64_t length);
  uint64_t length() const { return length_; }
  // The next span into `out`; false when the range is done, an error when the stored object
  // ends early or a compressed piece cannot be read.
  Result<bool> next(ObjectSpan& out);

 private:
  std::shared_ptr<const storage::ObjectContent> content_;
  uint64_t length_ = 0;
  size_t index_ = 0;   // the piece next() reads
  uint64_t skip_ = 0;  // bytes of that piece before the range
  uint64_t remaining_ = 0;
  std::string buffer_;
};

}  // namespace vitrine::service
