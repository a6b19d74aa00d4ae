// Streaming gzip decompression (git sends large upload-pack requests with
// Content-Encoding: gzip). Output is bounded per call by the sink, never held whole.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::util {

class GzipInflater {
 public:
  GzipInflater();
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Feeds compressed bytes; decompressed output goes to `sink` in pieces. kBadRequest on
  // corrupt input; output beyond `limit` bytes in total is kPayloadTooLarge.
  Status feed(std::string_view compressed, const std::function<Status(std::string_view)>& sink);
  bool finished() const { return finished_; }
  void set_limit(uint64_t limit) { limit_ = limit; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  bool finished_ = false;
  uint64_t produced_ = 0;
  uint64_t limit_ = UINT64_MAX;
};

}  // namespace vitrine::util
