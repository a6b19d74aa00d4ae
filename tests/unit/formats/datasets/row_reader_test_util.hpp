// Helpers of the dataset reader tests: draining a reader, a source that produces a long input
// without holding it and counts what was read from it, and one that fails.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "formats/datasets/row_reader.hpp"

namespace vitrine::datasets::test {

struct Drained {
  std::vector<Row> rows;
  std::vector<std::string> columns;
  Status status;  // the error that stopped it, or ok at the end
};

inline Drained drain(RowReader& reader, size_t max_rows = 1000000) {
  Drained out;
  while (out.rows.size() < max_rows) {
    auto next = reader.next();
    if (!next) {
      out.status = next.status();
      break;
    }
    if (!*next) break;
    out.rows.push_back(std::move(**next));
  }
  out.columns = reader.columns();
  return out;
}

// Bytes produced by `generate(offset, out, n)` up to `size`, never held whole; counts what it
// served.
class GeneratedSource : public ByteSource {
 public:
  using Generator = std::function<void(uint64_t offset, char* out, size_t n)>;
  GeneratedSource(uint64_t size, Generator generate, uint64_t* served)
      : size_(size), generate_(std::move(generate)), served_(served) {}
  Result<size_t> read(char* out, size_t n) override {
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset_));
    generate_(offset_, out, k);
    offset_ += k;
    *served_ += k;
    return k;
  }

 private:
  uint64_t size_, offset_ = 0;
  Generator generate_;
  uint64_t* served_;
};

// A source whose reads fail.
class FailingSource : public ByteSource {
 public:
  Result<size_t> read(char*, size_t) override { return internal_error("disk on fire"); }
};

}  // namespace vitrine::datasets::test
