// LZ4 frames for Xet chunks, decoded with liblz4's frame API under the chunk's size bounds, and
// the raw block format kept readable for chunks that earlier Vitrine versions stored.
#include "formats/xet/lz4_codec.hpp"

#include <lz4.h>
#include <lz4frame.h>

#include <memory>
#include <new>
#include <stdexcept>

#include "formats/xet/format.hpp"

namespace vitrine::xet {
namespace {

struct DecompressionContextDeleter {
  void operator()(LZ4F_dctx* context) const { LZ4F_freeDecompressionContext(context); }
};
using DecompressionContext = std::unique_ptr<LZ4F_dctx, DecompressionContextDeleter>;

// One context per thread, reused across chunks: creating one allocates, and liblz4 keeps its
// work buffers between frames. Those buffers are sized from the frame's declared block maximum,
// which the format caps at 4 MiB (not from any size the frame declares freely); the pinned
// huggingface.js client declares 4 MiB for every chunk, so a lower cap would refuse its xorbs.
// What is written to `out` is bounded by the chunk's uncompressed size whatever the frame says.
// Only a context that finished its last frame is reused: liblz4 1.9.4's reset does not clear
// all of a frame abandoned midway (its remaining content size), which failed the next frame.
thread_local DecompressionContext thread_context;

LZ4F_dctx* thread_decompression_context() {
  if (!thread_context) {
    LZ4F_dctx* created = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&created, LZ4F_VERSION))) {
      throw std::bad_alloc();
    }
    thread_context.reset(created);
  }
  return thread_context.get();
}

bool starts_with_frame_magic(std::string_view payload) {
  if (payload.size() < 4) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  const uint32_t magic = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
  return magic == LZ4F_MAGICNUMBER;
}

Status decode_frame_with(LZ4F_dctx* context, std::string_view payload, uint32_t uncompressed_size,
                         std::string& out) {
  LZ4F_resetDecompressionContext(context);  // cheap; the context finished its last frame
  out.resize(uncompressed_size);
  LZ4F_decompressOptions_t options{};
  options.stableDst = 1;  // `out` neither moves nor changes while this frame decodes
  size_t in_pos = 0;
  size_t out_pos = 0;
  for (;;) {
    size_t in_size = payload.size() - in_pos;
    size_t out_size = uncompressed_size - out_pos;
    const size_t hint = LZ4F_decompress(context, out.data() + out_pos, &out_size,
                                        payload.data() + in_pos, &in_size, &options);
    if (LZ4F_isError(hint)) {
      return bad_request(std::string("LZ4 frame: ") + LZ4F_getErrorName(hint));
    }
    in_pos += in_size;
    out_pos += out_size;
    if (hint == 0) break;  // the frame is complete
    // Each call either moves or is stuck: on input that ran out, or on output that is full
    // while the frame still has data (it decodes to more than declared).
    if (in_size == 0 && out_size == 0) {
      if (in_pos == payload.size()) return bad_request("LZ4 frame is truncated");
      return bad_request("LZ4 frame decodes to more than " + std::to_string(uncompressed_size) +
                         " bytes");
    }
  }
  if (in_pos != payload.size()) return bad_request("trailing bytes after the LZ4 frame");
  if (out_pos != uncompressed_size) {
    return bad_request("LZ4 frame decodes to " + std::to_string(out_pos) + " bytes, not " +
                       std::to_string(uncompressed_size));
  }
  return Status::ok();
}

Status decode_frame(std::string_view payload, uint32_t uncompressed_size, std::string& out) {
  Status status =
      decode_frame_with(thread_decompression_context(), payload, uncompressed_size, out);
  if (!status) thread_context.reset();  // abandoned midway: see thread_context
  return status;
}

Status decode_block(std::string_view payload, uint32_t uncompressed_size, std::string& out) {
  out.resize(uncompressed_size);
  const int got = LZ4_decompress_safe(payload.data(), out.data(), static_cast<int>(payload.size()),
                                      static_cast<int>(uncompressed_size));
  if (got < 0 || static_cast<uint32_t>(got) != uncompressed_size) {
    return bad_request("LZ4 payload does not decode to " + std::to_string(uncompressed_size) +
                       " bytes");
  }
  return Status::ok();
}

}  // namespace

Status lz4_decode_chunk(std::string_view payload, uint32_t uncompressed_size, std::string& out) {
  if (uncompressed_size > kMaxChunkSize) {
    return bad_request("LZ4 chunk declares " + std::to_string(uncompressed_size) + " bytes");
  }
  if (starts_with_frame_magic(payload)) return decode_frame(payload, uncompressed_size, out);
  // Not a frame: a raw LZ4 block, as Vitrine wrote compressed chunks before it wrote frames;
  // those stored chunks stay readable. The two cannot be confused: a block's first sequence
  // has no earlier output to copy from, and the magic's first byte (0x04: no literals, then a
  // match) would make it copy from before the start, which the block decoder rejects.
  return decode_block(payload, uncompressed_size, out);
}

void lz4_encode_frame(std::string_view input, std::string& out) {
  out.resize(LZ4F_compressFrameBound(input.size(), nullptr));
  const size_t written =
      LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), nullptr);
  // Cannot fail with a destination of compressFrameBound bytes and default preferences.
  if (LZ4F_isError(written)) {
    throw std::runtime_error(std::string("LZ4F_compressFrame: ") + LZ4F_getErrorName(written));
  }
  out.resize(written);
}

}  // namespace vitrine::xet
