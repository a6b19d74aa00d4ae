#include "service/transfer/object_reader.hpp"

#include <algorithm>

#include "storage/objects/blob_store.hpp"

namespace vitrine::service {

ObjectReader::ObjectReader(std::shared_ptr<const storage::ObjectContent> content, uint64_t offset,
                           uint64_t length)
    : content_(std::move(content)), length_(length), remaining_(length) {
  uint64_t position = 0;
  const auto& pieces = content_->pieces;
  while (index_ < pieces.size() && position + pieces[index_].length <= offset) {
    position += pieces[index_].length;
    index_++;
  }
  skip_ = offset - position;
}

Result<bool> ObjectReader::next(ObjectSpan& out) {
  const auto& pieces = content_->pieces;
  if (remaining_ == 0) return false;
  if (index_ >= pieces.size()) return internal_error("stored object ended early");
  const auto& p = pieces[index_];
  uint64_t take = std::min(p.length - skip_, remaining_);
  if (p.compression == 0) {
    out.fd = p.fd;
    out.offset = p.offset + skip_;
    out.length = take;
  } else {
    if (auto st = content_->read_piece(p, buffer_); !st) return st;
    out.fd = -1;
    out.bytes.assign(buffer_, skip_, take);
  }
  remaining_ -= take;
  skip_ = 0;
  index_++;
  return true;
}

}  // namespace vitrine::service
