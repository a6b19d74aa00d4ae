// The dictionary of a column chunk being written (parquet_column_writer.hpp): distinct PLAIN
// values (a byte array's 4-byte length, then its bytes) numbered in the order first seen, kept
// back to back in one buffer, which is the dictionary page's content as it stands. Looking a
// value up hashes it once and allocates nothing unless the buffer or the table grows (a map
// of strings allocates twice per distinct value). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vitrine::datasets {

class PlainDictionary {
 public:
  // The value's index, adding it when new (*added says so).
  uint32_t find_or_add(std::string_view value, bool* added);
  size_t size() const { return ends_.size(); }
  // Bytes of the entries: the dictionary page's size.
  size_t bytes() const { return data_.size(); }
  // The entries back to back, by index.
  const std::string& data() const { return data_; }
  std::string_view entry(size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(data_.data() + begin, ends_[i] - begin);
  }
  // Keeps the first `n` entries (a refused row's are taken back).
  void truncate(size_t n);
  void clear();

 private:
  static uint64_t hash(std::string_view value);
  void insert(uint32_t index, uint64_t h);  // into the table, which has room
  void rehash(size_t capacity);

  std::string data_;
  std::vector<size_t> ends_;      // where each entry ends in data_
  std::vector<uint64_t> hashes_;  // each entry's hash
  std::vector<uint32_t> table_;   // open addressing: index + 1, 0 for empty; a power of two
};

}  // namespace vitrine::datasets
