// ObjectContent: reading the pieces of a stored object.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "formats/xet/format.hpp"
#include "storage/objects/blob_store.hpp"

namespace vitrine::storage {

ObjectContent::~ObjectContent() {
  for (int fd : fds) ::close(fd);
}

namespace {

Status pread_all(int fd, char* out, uint64_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return internal_error(std::string("cannot read stored object: ") + std::strerror(errno));
    }
    if (n == 0) return internal_error("stored object is shorter than its index says");
    out += n;
    size -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

}  // namespace

Status ObjectContent::read_piece(const ObjectPiece& piece, std::string& out) const {
  if (piece.compression == 0) {
    out.resize(piece.length);
    return pread_all(piece.fd, out.data(), piece.length, piece.offset);
  }
  std::string stored(piece.stored, '\0');
  if (auto st = pread_all(piece.fd, stored.data(), piece.stored, piece.offset); !st) return st;
  return xet::decompress_chunk(static_cast<xet::Compression>(piece.compression), stored,
                               static_cast<uint32_t>(piece.length), out);
}

Status ObjectContent::read_all(const std::function<Status(std::string_view)>& sink) const {
  std::string buffer;
  for (const auto& piece : pieces) {
    if (piece.compression == 0 && piece.length > (8u << 20)) {  // a plain file: in slices
      for (uint64_t done = 0; done < piece.length;) {
        uint64_t n = std::min<uint64_t>(8u << 20, piece.length - done);
        buffer.resize(n);
        if (auto st = pread_all(piece.fd, buffer.data(), n, piece.offset + done); !st) return st;
        if (auto st = sink(buffer); !st) return st;
        done += n;
      }
      continue;
    }
    if (auto st = read_piece(piece, buffer); !st) return st;
    if (auto st = sink(buffer); !st) return st;
  }
  return Status::ok();
}

}  // namespace vitrine::storage
