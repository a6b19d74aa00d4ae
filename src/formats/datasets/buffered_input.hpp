// What the dataset readers share below their formats: a fixed-size window over a ByteSource and
// a UTF-8 check. Internal to formats/datasets (row_reader.hpp is the interface).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/row_reader.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// A read buffer of fixed capacity over a source: the reader looks at the bytes held (window()),
// consumes some, and asks for more (fill()). Never holds more than its capacity.
class BufferedInput {
 public:
  static constexpr size_t kDefaultCapacity = 64 * 1024;

  explicit BufferedInput(std::unique_ptr<ByteSource> source, size_t capacity = kDefaultCapacity);

  std::string_view window() const { return {buffer_.data() + begin_, end_ - begin_}; }
  void consume(size_t n) {
    begin_ += n;
    consumed_ += n;
  }
  // Moves the held bytes to the front and reads more after them: false at the end of the
  // source (nothing read). With a full window it reads nothing and returns true.
  Result<bool> fill();
  // Holds at least `n` bytes (n <= capacity) unless the source ends first.
  Status ensure(size_t n);
  bool at_end() const { return eof_ && begin_ == end_; }
  // Bytes consumed from the source so far.
  uint64_t consumed() const { return consumed_; }

 private:
  std::unique_ptr<ByteSource> source_;
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = 0;
};

// True iff `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), as Python's strict "utf-8" decoder requires.
bool valid_utf8(std::string_view s);

}  // namespace vitrine::datasets
