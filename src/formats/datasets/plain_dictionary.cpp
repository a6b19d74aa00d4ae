// PlainDictionary (plain_dictionary.hpp): linear probing over a table at most half full.
#include "formats/datasets/plain_dictionary.hpp"

#include <cstring>

namespace vitrine::datasets {

namespace {

uint64_t mix(uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdull;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ull;
  v ^= v >> 33;
  return v;
}

}  // namespace

uint64_t PlainDictionary::hash(std::string_view value) {
  uint64_t h = value.size() * 0x9e3779b97f4a7c15ull;
  size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    h = (h ^ mix(word)) * 0x9e3779b97f4a7c15ull;
  }
  uint64_t tail = 0;
  if (i < value.size()) std::memcpy(&tail, value.data() + i, value.size() - i);
  return mix(h ^ mix(tail ^ 0x5bd1e995));
}

void PlainDictionary::insert(uint32_t index, uint64_t h) {
  size_t mask = table_.size() - 1;
  for (size_t at = h & mask;; at = (at + 1) & mask) {
    if (table_[at] == 0) {
      table_[at] = index + 1;
      return;
    }
  }
}

void PlainDictionary::rehash(size_t capacity) {
  table_.assign(capacity, 0);
  for (size_t i = 0; i < hashes_.size(); ++i) insert(static_cast<uint32_t>(i), hashes_[i]);
}

uint32_t PlainDictionary::find_or_add(std::string_view value, bool* added) {
  if (table_.empty()) rehash(1024);
  uint64_t h = hash(value);
  size_t mask = table_.size() - 1;
  for (size_t at = h & mask;; at = (at + 1) & mask) {
    uint32_t slot = table_[at];
    if (slot == 0) break;
    if (hashes_[slot - 1] == h && entry(slot - 1) == value) {
      *added = false;
      return slot - 1;
    }
  }
  auto index = static_cast<uint32_t>(ends_.size());
  data_.append(value);
  ends_.push_back(data_.size());
  hashes_.push_back(h);
  if (ends_.size() * 2 > table_.size()) {
    rehash(table_.size() * 2);
  } else {
    insert(index, h);
  }
  *added = true;
  return index;
}

void PlainDictionary::truncate(size_t n) {
  if (n >= ends_.size()) return;
  data_.resize(n == 0 ? 0 : ends_[n - 1]);
  ends_.resize(n);
  hashes_.resize(n);
  rehash(table_.size());
}

void PlainDictionary::clear() {
  data_.clear();
  ends_.clear();
  hashes_.clear();
  std::fill(table_.begin(), table_.end(), 0);
}

}  // namespace vitrine::datasets
