// zlib-backed GzipInflater.
#include "util/gzip.hpp"

#include <zlib.h>

namespace vitrine::util {

struct GzipInflater::State {
  z_stream stream{};
};

GzipInflater::GzipInflater() : state_(std::make_unique<State>()) {
  inflateInit2(&state_->stream, 16 + MAX_WBITS);  // gzip framing
}

GzipInflater::~GzipInflater() {
  inflateEnd(&state_->stream);
}

Status GzipInflater::feed(std::string_view compressed,
                          const std::function<Status(std::string_view)>& sink) {
  auto& z = state_->stream;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  char out[64 * 1024];
  while (z.avail_in > 0 && !finished_) {
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = sizeof out;
    int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return bad_request("corrupt gzip request body");
    }
    size_t n = sizeof out - z.avail_out;
    produced_ += n;
    if (produced_ > limit_) {
      return Status(ErrorKind::kPayloadTooLarge, "decompressed request body too large");
    }
    if (n > 0) {
      if (auto st = sink({out, n}); !st) return st;
    }
    if (rc == Z_STREAM_END) finished_ = true;
    if (rc == Z_BUF_ERROR && n == 0) break;
  }
  return Status::ok();
}

}  // namespace vitrine::util
