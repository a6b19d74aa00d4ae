// Byte sources of the dataset readers (row_reader.hpp): bytes in memory, compression by file
// extension, and streaming decompression through zlib, libzstd, libbz2 and liblzma.
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "formats/datasets/row_reader.hpp"

namespace vitrine::datasets {

namespace {

class MemorySource : public ByteSource {
 public:
  MemorySource(std::string_view bytes, size_t max_read) : bytes_(bytes), max_read_(max_read) {}
  Result<size_t> read(char* out, size_t n) override {
    size_t k = std::min({n, max_read_, bytes_.size() - pos_});
    std::memcpy(out, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string_view bytes_;
  size_t max_read_;
  size_t pos_ = 0;
};

constexpr size_t kInputBufferBytes = size_t{64} * 1024;
// Decoder memory: zstd's own default window limit (what `zstd -d` accepts without --long),
// and the same for xz (its presets need at most 65 MiB to decode).
constexpr int kZstdMaxWindowLog = 27;
constexpr uint64_t kXzMemoryLimit = 128ull << 20;

// The loop every codec shares: input read in fixed-size pieces, output written straight into
// the caller's buffer, the total output capped. A codec implements step(): decode some of the
// input held into `out`, and say when its stream has ended cleanly.
class DecompressingSource : public ByteSource {
 public:
  DecompressingSource(std::unique_ptr<ByteSource> in, uint64_t max_output_bytes, const char* name)
      : in_(std::move(in)), input_(kInputBufferBytes), max_output_(max_output_bytes), name_(name) {}

  Result<size_t> read(char* out, size_t n) override {
    if (!error_.is_ok()) return error_;
    if (n == 0 || done_) return size_t{0};
    // Never produce more than one byte past the cap: enough to know it was passed.
    uint64_t left = max_output_ - produced_;  // produced_ <= max_output_ until failed
    n = static_cast<size_t>(std::min<uint64_t>(n, left == UINT64_MAX ? left : left + 1));
    while (true) {
      if (avail_ == 0 && !input_ended_) {
        auto got = in_->read(input_.data(), input_.size());
        if (!got) return fail(got.status());
        if (*got == 0) {
          input_ended_ = true;
        } else {
          next_ = input_.data();
          avail_ = *got;
        }
      }
      size_t avail_before = avail_;
      size_t written = 0;
      if (auto st = step(out, n, &written); !st) return fail(st);
      if (written > 0) {
        produced_ += written;
        if (produced_ > max_output_) {
          return fail(Status(ErrorKind::kPayloadTooLarge,
                             std::string(name_) + " data decompresses to more than " +
                                 std::to_string(max_output_) + " bytes"));
        }
        return written;
      }
      if (done_) return size_t{0};
      if (avail_ == 0 && input_ended_) {
        return fail(unprocessable(std::string("truncated ") + name_ + " data"));
      }
      if (avail_ == avail_before && avail_ > 0) {
        // Input held, room for output, and the decoder took nothing: it never will.
        return fail(unprocessable(std::string("corrupt ") + name_ + " data"));
      }
    }
  }

 protected:
  // Decodes from next_/avail_ into out[0, n), consuming input (advance next_, lower avail_) and
  // setting *written. Sets done_ when the data has ended cleanly (input_ended_ and nothing
  // left to decode). Called with avail_ == 0 only when input_ended_.
  virtual Status step(char* out, size_t n, size_t* written) = 0;

  Status corrupt() const { return unprocessable(std::string("corrupt ") + name_ + " data"); }

  const char* next_ = nullptr;
  size_t avail_ = 0;
  bool input_ended_ = false;
  bool done_ = false;

 private:
  Status fail(Status st) {
    error_ = std::move(st);
    return error_;
  }

  std::unique_ptr<ByteSource> in_;
  std::vector<char> input_;
  uint64_t max_output_;
  uint64_t produced_ = 0;
  const char* name_;
  Status error_;
};

// gzip, every member in turn (gzip -c a b > ab), zero padding after a member skipped. An empty
// file is empty, as in Python's gzip.
class GzipSource : public DecompressingSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> in, uint64_t cap)
      : DecompressingSource(std::move(in), cap, "gzip") {
    init_ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&z_); }

 protected:
  Status step(char* out, size_t n, size_t* written) override {
    if (!init_ok_) return internal_error("zlib: inflateInit2 failed");
    if (between_members_) {
      // Zero bytes after a member are padding (Python's gzip skips them too).
      while (avail_ > 0 && *next_ == '\0' && started_) {
        ++next_;
        --avail_;
      }
      if (avail_ == 0) {
        if (input_ended_) done_ = true;  // after a whole member, or before any
        return Status::ok();
      }
      started_ = true;
      if (inflateReset(&z_) != Z_OK) return corrupt();
      between_members_ = false;
    }
    // With no input left inflate may still hold output of the last block: ask for it.
    size_t room = std::min<size_t>(n, UINT32_MAX);
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(next_));
    z_.avail_in = static_cast<uInt>(std::min<size_t>(avail_, UINT32_MAX));
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(room);
    uInt in_before = z_.avail_in;
    int rc = inflate(&z_, Z_NO_FLUSH);
    size_t used = in_before - z_.avail_in;
    next_ += used;
    avail_ -= used;
    *written = room - z_.avail_out;
    if (rc == Z_STREAM_END) {
      between_members_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return corrupt();  // Z_BUF_ERROR: no progress possible, the caller decides why
    }
    return Status::ok();
  }

 private:
  z_stream z_{};
  bool init_ok_ = false;
  // Before the first member too: zero bytes of gzip are an empty file.
  bool between_members_ = true;
  bool started_ = false;  // a member has begun
};

// zstd, every frame in turn (skippable frames included).
class ZstdSource : public DecompressingSource {
 public:
  ZstdSource(std::unique_ptr<ByteSource> in, uint64_t cap)
      : DecompressingSource(std::move(in), cap, "zstd"), stream_(ZSTD_createDStream()) {
    if (stream_ != nullptr) {
      ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, kZstdMaxWindowLog);
    }
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }

 protected:
  Status step(char* out, size_t n, size_t* written) override {
    if (stream_ == nullptr) return internal_error("zstd: out of memory");
    if (avail_ == 0) {
      if (!started_) return Status::ok();  // an empty file: truncated
      if (frame_ended_) {
        done_ = true;  // the last frame was whole and flushed
        return Status::ok();
      }
      // else the decoder may still hold output: ask for it below
    }
    started_ = true;
    ZSTD_inBuffer in{next_, avail_, 0};
    ZSTD_outBuffer o{out, n, 0};
    size_t rc = ZSTD_decompressStream(stream_, &o, &in);
    if (ZSTD_isError(rc)) {
      return unprocessable(std::string("corrupt zstd data: ") + ZSTD_getErrorName(rc));
    }
    next_ += in.pos;
    avail_ -= in.pos;
    *written = o.pos;
    frame_ended_ = rc == 0;  // a frame is complete and flushed
    return Status::ok();
  }

 private:
  ZSTD_DStream* stream_;
  bool frame_ended_ = false;
  bool started_ = false;
};

// bzip2, every stream in turn (pbzip2 writes several).
class Bzip2Source : public DecompressingSource {
 public:
  Bzip2Source(std::unique_ptr<ByteSource> in, uint64_t cap)
      : DecompressingSource(std::move(in), cap, "bzip2") {
    init_ok_ = BZ2_bzDecompressInit(&bz_, 0, 0) == BZ_OK;
  }
  ~Bzip2Source() override {
    if (init_ok_) BZ2_bzDecompressEnd(&bz_);
  }

 protected:
  Status step(char* out, size_t n, size_t* written) override {
    if (!init_ok_) return internal_error("bzip2: init failed");
    if (between_streams_) {
      if (avail_ == 0) {
        if (started_) done_ = true;  // else an empty file: truncated
        return Status::ok();
      }
      if (started_) {
        BZ2_bzDecompressEnd(&bz_);
        init_ok_ = BZ2_bzDecompressInit(&bz_, 0, 0) == BZ_OK;
        if (!init_ok_) return internal_error("bzip2: init failed");
      }
      between_streams_ = false;
      started_ = true;
    }
    bz_.next_in = const_cast<char*>(next_);
    bz_.avail_in = static_cast<unsigned>(std::min<size_t>(avail_, UINT32_MAX));
    bz_.next_out = out;
    bz_.avail_out = static_cast<unsigned>(std::min<size_t>(n, UINT32_MAX));
    unsigned in_before = bz_.avail_in, out_before = bz_.avail_out;
    int rc = BZ2_bzDecompress(&bz_);
    size_t used = in_before - bz_.avail_in;
    next_ += used;
    avail_ -= used;
    *written = out_before - bz_.avail_out;
    if (rc == BZ_STREAM_END) {
      between_streams_ = true;
    } else if (rc != BZ_OK) {
      return corrupt();
    }
    return Status::ok();
  }

 private:
  bz_stream bz_{};
  bool init_ok_ = false;
  bool between_streams_ = true;
  bool started_ = false;
};

// xz, concatenated streams included (liblzma's LZMA_CONCATENATED).
class XzSource : public DecompressingSource {
 public:
  XzSource(std::unique_ptr<ByteSource> in, uint64_t cap)
      : DecompressingSource(std::move(in), cap, "xz") {
    init_ok_ = lzma_stream_decoder(&lz_, kXzMemoryLimit, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~XzSource() override { lzma_end(&lz_); }

 protected:
  Status step(char* out, size_t n, size_t* written) override {
    if (!init_ok_) return internal_error("xz: init failed");
    if (ended_) {
      done_ = true;
      return Status::ok();
    }
    if (avail_ == 0 && !started_) return Status::ok();  // an empty file: truncated
    started_ = true;
    lz_.next_in = reinterpret_cast<const uint8_t*>(next_);
    lz_.avail_in = avail_;
    lz_.next_out = reinterpret_cast<uint8_t*>(out);
    lz_.avail_out = n;
    // LZMA_CONCATENATED ends only when told that the input has ended.
    lzma_ret rc = lzma_code(&lz_, input_ended_ ? LZMA_FINISH : LZMA_RUN);
    size_t used = avail_ - lz_.avail_in;
    next_ += used;
    avail_ -= used;
    *written = n - lz_.avail_out;
    switch (rc) {
      case LZMA_OK:
      case LZMA_BUF_ERROR:  // no progress possible: the caller decides why
        return Status::ok();
      case LZMA_STREAM_END:
        ended_ = true;
        if (*written == 0) done_ = true;
        return Status::ok();
      case LZMA_MEMLIMIT_ERROR:
        return unprocessable("xz data needs more than " + std::to_string(kXzMemoryLimit >> 20) +
                             " MiB to decode");
      default:
        return corrupt();
    }
  }

 private:
  lzma_stream lz_ = LZMA_STREAM_INIT;
  bool init_ok_ = false;
  bool started_ = false;
  bool ended_ = false;
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::unique_ptr<ByteSource> memory_source(std::string_view bytes) {
  return std::make_unique<MemorySource>(bytes, SIZE_MAX);
}

std::unique_ptr<ByteSource> memory_source(std::string_view bytes, size_t max_read) {
  return std::make_unique<MemorySource>(bytes, std::max<size_t>(max_read, 1));
}

Compression compression_of(std::string_view path) {
  if (ends_with(path, ".gz")) return Compression::kGzip;
  if (ends_with(path, ".zst") || ends_with(path, ".zstd")) return Compression::kZstd;
  if (ends_with(path, ".bz2")) return Compression::kBzip2;
  if (ends_with(path, ".xz")) return Compression::kXz;
  return Compression::kNone;
}

std::string_view strip_compression_extension(std::string_view path) {
  if (compression_of(path) == Compression::kNone) return path;
  return path.substr(0, path.rfind('.'));
}

std::unique_ptr<ByteSource> decompressing(std::unique_ptr<ByteSource> in, Compression c,
                                          uint64_t max_output_bytes) {
  switch (c) {
    case Compression::kNone:
      return in;
    case Compression::kGzip:
      return std::make_unique<GzipSource>(std::move(in), max_output_bytes);
    case Compression::kZstd:
      return std::make_unique<ZstdSource>(std::move(in), max_output_bytes);
    case Compression::kBzip2:
      return std::make_unique<Bzip2Source>(std::move(in), max_output_bytes);
    case Compression::kXz:
      return std::make_unique<XzSource>(std::move(in), max_output_bytes);
  }
  return in;
}

}  // namespace vitrine::datasets
