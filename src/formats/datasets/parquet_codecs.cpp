// Page decompression (parquet_codecs.hpp). Each codec decodes into a buffer of exactly the
// stated size; producing more is an error, not a reallocation.
#include "formats/datasets/parquet_codecs.hpp"

#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace vitrine::datasets {

namespace {

Status corrupt(CompressionCodec codec, std::string_view what) {
  return unprocessable("Parquet page: " + parquet_codec_name(codec) + " data " + std::string(what));
}

Status wrong_size(CompressionCodec codec) {
  return corrupt(codec, "does not decompress to the page's stated size");
}

Status snappy(std::string_view in, std::string& out) {
  size_t length = 0;
  if (snappy_uncompressed_length(in.data(), in.size(), &length) != SNAPPY_OK) {
    return corrupt(CompressionCodec::kSnappy, "is corrupt");
  }
  if (length != out.size()) return wrong_size(CompressionCodec::kSnappy);
  if (snappy_uncompress(in.data(), in.size(), out.data(), &length) != SNAPPY_OK ||
      length != out.size()) {
    return corrupt(CompressionCodec::kSnappy, "is corrupt");
  }
  return Status::ok();
}

// GZIP pages hold a gzip member (RFC 1952); some writers put a zlib stream, which zlib's
// automatic header detection also reads. Concatenated members are read one after the other.
Status gzip(std::string_view in, std::string& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return internal_error("zlib: inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  size_t in_pos = 0;
  size_t out_pos = 0;
  while (true) {
    size_t in_chunk = std::min<size_t>(in.size() - in_pos, std::numeric_limits<uInt>::max());
    size_t out_chunk = std::min<size_t>(out.size() - out_pos, std::numeric_limits<uInt>::max());
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
    z.avail_in = static_cast<uInt>(in_chunk);
    char spare;
    // With the buffer full, one spare byte tells "done" from "more output than stated".
    z.next_out = reinterpret_cast<Bytef*>(out_chunk > 0 ? out.data() + out_pos : &spare);
    z.avail_out = out_chunk > 0 ? static_cast<uInt>(out_chunk) : 1;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t produced = (out_chunk > 0 ? out_chunk : 1) - z.avail_out;
    if (out_chunk == 0 && produced > 0) return wrong_size(CompressionCodec::kGzip);
    size_t consumed = in_chunk - z.avail_in;
    out_pos += out_chunk > 0 ? produced : 0;
    in_pos += consumed;
    if (rc == Z_STREAM_END) {
      if (in_pos == in.size()) break;
      if (inflateReset(&z) != Z_OK) return corrupt(CompressionCodec::kGzip, "is corrupt");
      continue;
    }
    if (rc == Z_BUF_ERROR && in_pos == in.size()) {
      return corrupt(CompressionCodec::kGzip, "is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) return corrupt(CompressionCodec::kGzip, "is corrupt");
    if (produced == 0 && consumed == 0) return corrupt(CompressionCodec::kGzip, "is corrupt");
  }
  if (out_pos != out.size()) return wrong_size(CompressionCodec::kGzip);
  return Status::ok();
}

Status zstd(std::string_view in, std::string& out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return internal_error("zstd: out of memory");
  // The window is bounded like the text readers' (128 MiB); a page is smaller anyway.
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 27);
  size_t n = ZSTD_decompressDCtx(ctx.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
      return wrong_size(CompressionCodec::kZstd);
    }
    return corrupt(CompressionCodec::kZstd,
                   std::string("is corrupt (") + ZSTD_getErrorName(n) + ")");
  }
  if (n != out.size()) return wrong_size(CompressionCodec::kZstd);
  return Status::ok();
}

Status brotli(std::string_view in, std::string& out) {
  size_t n = out.size();
  auto rc = BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()), &n,
                                    reinterpret_cast<uint8_t*>(out.data()));
  if (rc != BROTLI_DECODER_RESULT_SUCCESS) {
    return rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT
               ? wrong_size(CompressionCodec::kBrotli)
               : corrupt(CompressionCodec::kBrotli, "is corrupt");
  }
  if (n != out.size()) return wrong_size(CompressionCodec::kBrotli);
  return Status::ok();
}

Status lz4_raw(std::string_view in, std::string& out) {
  if (in.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      out.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return corrupt(CompressionCodec::kLz4Raw, "is too large");
  }
  int n = LZ4_decompress_safe(in.data(), out.data(), static_cast<int>(in.size()),
                              static_cast<int>(out.size()));
  if (n < 0) return corrupt(CompressionCodec::kLz4Raw, "is corrupt");
  if (static_cast<size_t>(n) != out.size()) return wrong_size(CompressionCodec::kLz4Raw);
  return Status::ok();
}

uint32_t load_be32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

// The deprecated LZ4 codec: Hadoop's framing, blocks each prefixed by their big-endian
// uncompressed and compressed sizes. Some old writers put a bare LZ4 block instead: as Arrow
// does, a page that is not Hadoop-framed is tried as one.
Status lz4_hadoop(std::string_view in, std::string& out) {
  size_t pos = 0;
  size_t out_pos = 0;
  bool framed = !in.empty();
  while (framed && pos < in.size()) {
    if (in.size() - pos < 8) {
      framed = false;
      break;
    }
    uint32_t plain_size = load_be32(in.data() + pos);
    uint32_t packed_size = load_be32(in.data() + pos + 4);
    pos += 8;
    if (packed_size > in.size() - pos || plain_size > out.size() - out_pos ||
        packed_size > static_cast<uint32_t>(std::numeric_limits<int>::max()) ||
        plain_size > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
      framed = false;
      break;
    }
    int n = LZ4_decompress_safe(in.data() + pos, out.data() + out_pos,
                                static_cast<int>(packed_size), static_cast<int>(plain_size));
    if (n < 0 || static_cast<uint32_t>(n) != plain_size) {
      framed = false;
      break;
    }
    pos += packed_size;
    out_pos += plain_size;
  }
  if (framed && out_pos == out.size()) return Status::ok();
  Status raw = lz4_raw(in, out);
  if (!raw) return corrupt(CompressionCodec::kLz4, "is corrupt");
  return raw;
}

// ---- compression ----

Status too_large(CompressionCodec codec) {
  return unprocessable("Parquet page: too large for " + parquet_codec_name(codec));
}

Result<std::string> snappy_compress_page(std::string_view in) {
  std::string out(snappy_max_compressed_length(in.size()), '\0');
  size_t n = out.size();
  if (snappy_compress(in.data(), in.size(), out.data(), &n) != SNAPPY_OK) {
    return too_large(CompressionCodec::kSnappy);
  }
  out.resize(n);
  return out;
}

Result<std::string> gzip_compress_page(std::string_view in) {
  if (in.size() > std::numeric_limits<uInt>::max() / 2) return too_large(CompressionCodec::kGzip);
  z_stream z{};
  // windowBits 15 + 16: a gzip member (RFC 1952), as Arrow writes GZIP pages.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return internal_error("zlib: deflateInit2 failed");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) return internal_error("zlib: deflate failed");
  out.resize(out.size() - z.avail_out);
  return out;
}

Result<std::string> zstd_compress_page(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 1);
  if (ZSTD_isError(n)) {
    return internal_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out.resize(n);
  return out;
}

Result<std::string> lz4_compress_page(std::string_view in) {
  if (in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return too_large(CompressionCodec::kLz4Raw);
  }
  int bound = LZ4_compressBound(static_cast<int>(in.size()));
  std::string out(static_cast<size_t>(bound), '\0');
  int n = LZ4_compress_default(in.data(), out.data(), static_cast<int>(in.size()), bound);
  if (n <= 0 && !in.empty()) return internal_error("lz4: compression failed");
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

}  // namespace

std::string parquet_codec_name(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kLzo:
      return "LZO";
    case CompressionCodec::kBrotli:
      return "BROTLI";
    case CompressionCodec::kLz4:
      return "LZ4";
    case CompressionCodec::kZstd:
      return "ZSTD";
    case CompressionCodec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "codec " + std::to_string(static_cast<int32_t>(codec));
}

Result<std::string> decompress_parquet_page(CompressionCodec codec, std::string_view compressed,
                                            size_t uncompressed_size, size_t max_bytes) {
  if (uncompressed_size > max_bytes) {
    return Status(ErrorKind::kPayloadTooLarge,
                  "Parquet page of " + std::to_string(uncompressed_size) +
                      " bytes uncompressed (at most " + std::to_string(max_bytes) + ")");
  }
  if (codec == CompressionCodec::kUncompressed) {
    if (compressed.size() != uncompressed_size) return wrong_size(codec);
    return std::string(compressed);
  }
  std::string out(uncompressed_size, '\0');
  Status status;
  switch (codec) {
    case CompressionCodec::kSnappy:
      status = snappy(compressed, out);
      break;
    case CompressionCodec::kGzip:
      status = gzip(compressed, out);
      break;
    case CompressionCodec::kZstd:
      status = zstd(compressed, out);
      break;
    case CompressionCodec::kBrotli:
      status = brotli(compressed, out);
      break;
    case CompressionCodec::kLz4Raw:
      status = lz4_raw(compressed, out);
      break;
    case CompressionCodec::kLz4:
      status = lz4_hadoop(compressed, out);
      break;
    default:
      return unprocessable("Parquet page: unsupported codec " + parquet_codec_name(codec));
  }
  if (!status) return status;
  return out;
}

Result<std::string> compress_parquet_page(CompressionCodec codec, std::string_view raw) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return std::string(raw);
    case CompressionCodec::kSnappy:
      return snappy_compress_page(raw);
    case CompressionCodec::kGzip:
      return gzip_compress_page(raw);
    case CompressionCodec::kZstd:
      return zstd_compress_page(raw);
    case CompressionCodec::kLz4Raw:
      return lz4_compress_page(raw);
    default:
      return unprocessable("Parquet writer: unsupported codec " + parquet_codec_name(codec));
  }
}

}  // namespace vitrine::datasets
