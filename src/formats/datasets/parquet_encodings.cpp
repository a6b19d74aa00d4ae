// The value decoders of Parquet pages (parquet_encodings.hpp). Bit-packed values are read
// least-significant bit first, as the RLE/bit-packed hybrid and DELTA_BINARY_PACKED both
// pack them (Encodings.md).
#include "formats/datasets/parquet_encodings.hpp"

#include <algorithm>
#include <cstring>

namespace vitrine::datasets {

namespace {

Status bad(std::string_view encoding, std::string_view what) {
  return unprocessable("Parquet " + std::string(encoding) + " data: " + std::string(what));
}

Status too_many_bytes(uint64_t max_bytes) {
  return Status(ErrorKind::kPayloadTooLarge, "Parquet page decodes to more than " +
                                                 std::to_string(max_bytes) + " bytes of values");
}

// `width` (0..64) bits starting at bit `bit` of `data`; the caller checked they are there.
uint64_t read_bits(std::string_view data, uint64_t bit, int width) {
  uint64_t value = 0;
  int got = 0;
  while (got < width) {
    auto byte = static_cast<uint8_t>(data[bit / 8]);
    int shift = static_cast<int>(bit % 8);
    int take = std::min(8 - shift, width - got);
    value |= static_cast<uint64_t>((byte >> shift) & ((1u << take) - 1)) << got;
    got += take;
    bit += take;
  }
  return value;
}

// An unsigned LEB128 varint at data[*pos]; false when it runs past the end or 64 bits.
bool read_varint(std::string_view data, size_t* pos, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return false;
    auto byte = static_cast<uint8_t>(data[(*pos)++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *out = value;
      return true;
    }
  }
  return false;
}

bool read_zigzag(std::string_view data, size_t* pos, int64_t* out) {
  uint64_t n = 0;
  if (!read_varint(data, pos, &n)) return false;
  *out = static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
  return true;
}

template <typename T>
T load_le(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof value);  // Parquet is little-endian, as are the hosts we build for
  return value;
}

uint32_t load_u32(std::string_view data) {
  return load_le<uint32_t>(data.data());
}

size_t fixed_width(const ParquetValues& values) {
  switch (values.type) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFixedLenByteArray:
      return static_cast<size_t>(std::max(values.type_length, 0));
    default:
      return 0;
  }
}

// Appends a fixed-width little-endian value's bytes to the vector of its type.
void append_fixed(ParquetValues* out, const char* p) {
  switch (out->type) {
    case PhysicalType::kInt32:
      out->int32s.push_back(load_le<int32_t>(p));
      break;
    case PhysicalType::kInt64:
      out->int64s.push_back(load_le<int64_t>(p));
      break;
    case PhysicalType::kFloat:
      out->floats.push_back(load_le<float>(p));
      break;
    case PhysicalType::kDouble:
      out->doubles.push_back(load_le<double>(p));
      break;
    default:
      out->append_bytes(std::string_view(p, fixed_width(*out)));
  }
}

// Appends the dictionary's values of indices [from, to).
Status append_dictionary_values(const std::vector<uint32_t>& indices, size_t from, size_t to,
                                const ParquetValues& dictionary, uint64_t max_bytes,
                                ParquetValues* out) {
  uint64_t bytes = out->bytes.size();
  for (size_t i = from; i < to && i < indices.size(); ++i) {
    uint32_t index = indices[i];
    if (index >= dictionary.size()) return bad("RLE_DICTIONARY", "index past the dictionary");
    if (!dictionary.ends.empty()) {
      bytes += dictionary.bytes_at(index).size();
      if (bytes > max_bytes) return too_many_bytes(max_bytes);
    }
    out->append_from(dictionary, index);
  }
  return Status::ok();
}

// The first `count` indices of a dictionary-encoded page (its bit width byte, then the hybrid).
Status dictionary_indices(std::string_view data, size_t count, const ParquetValues* dictionary,
                          std::vector<uint32_t>* indices) {
  if (!dictionary) return bad("RLE_DICTIONARY", "a dictionary-encoded page without a dictionary");
  if (count == 0) return Status::ok();
  if (data.empty()) return bad("RLE_DICTIONARY", "no bit width");
  int width = static_cast<uint8_t>(data[0]);
  if (width > 32) return bad("RLE_DICTIONARY", "bit width over 32");
  RleBitPackedDecoder decoder(data.substr(1), width);
  indices->reserve(count);
  return decoder.decode(count, indices);
}

Status decode_dictionary_indices(std::string_view data, size_t count,
                                 const ParquetValues* dictionary, uint64_t max_bytes,
                                 ParquetValues* out) {
  std::vector<uint32_t> indices;
  if (auto s = dictionary_indices(data, count, dictionary, &indices); !s) return s;
  if (indices.empty()) return Status::ok();
  return append_dictionary_values(indices, 0, indices.size(), *dictionary, max_bytes, out);
}

Status decode_rle_booleans(std::string_view data, size_t count, ParquetValues* out) {
  if (data.size() < 4) return bad("RLE", "no length");
  uint32_t length = load_u32(data);
  if (length > data.size() - 4) return bad("RLE", "length past the page");
  RleBitPackedDecoder decoder(data.substr(4, length), 1);
  std::vector<uint32_t> bits;
  bits.reserve(count);
  if (auto s = decoder.decode(count, &bits); !s) return s;
  for (uint32_t bit : bits) out->int32s.push_back(static_cast<int32_t>(bit));
  return Status::ok();
}

Status decode_delta_integers(std::string_view data, size_t count, ParquetValues* out) {
  std::vector<int64_t> values;
  size_t consumed = 0;
  bool is_32bit = out->type == PhysicalType::kInt32;
  if (auto s = decode_delta_binary_packed(data, count, is_32bit, &values, &consumed); !s) return s;
  if (values.size() != count) return bad("DELTA_BINARY_PACKED", "wrong value count");
  for (int64_t v : values) {
    if (is_32bit)
      out->int32s.push_back(static_cast<int32_t>(v));
    else
      out->int64s.push_back(v);
  }
  return Status::ok();
}

// DELTA_LENGTH_BYTE_ARRAY: the lengths, then the bytes. Calls take(value) for each.
template <typename Take>
Status decode_delta_length(std::string_view data, size_t count, size_t* consumed, Take take) {
  std::vector<int64_t> lengths;
  size_t at = 0;
  if (auto s = decode_delta_binary_packed(data, count, true, &lengths, &at); !s) return s;
  if (lengths.size() != count) return bad("DELTA_LENGTH_BYTE_ARRAY", "wrong value count");
  for (int64_t length : lengths) {
    if (length < 0 || static_cast<uint64_t>(length) > data.size() - at) {
      return bad("DELTA_LENGTH_BYTE_ARRAY", "a length past the page");
    }
    if (auto s = take(data.substr(at, length)); !s) return s;
    at += length;
  }
  *consumed = at;
  return Status::ok();
}

Status check_fixed_length(const ParquetValues& out, std::string_view value,
                          std::string_view encoding) {
  if (out.type == PhysicalType::kFixedLenByteArray &&
      value.size() != static_cast<size_t>(out.type_length)) {
    return bad(encoding, "a value of the wrong length");
  }
  return Status::ok();
}

Status decode_delta_byte_array(std::string_view data, size_t count, uint64_t max_bytes,
                               ParquetValues* out) {
  std::vector<int64_t> prefixes;
  size_t at = 0;
  if (auto s = decode_delta_binary_packed(data, count, true, &prefixes, &at); !s) return s;
  if (prefixes.size() != count) return bad("DELTA_BYTE_ARRAY", "wrong value count");
  std::string previous;
  size_t i = 0;
  size_t consumed = 0;
  return decode_delta_length(data.substr(at), count, &consumed, [&](std::string_view suffix) {
    int64_t prefix = prefixes[i++];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > previous.size()) {
      return bad("DELTA_BYTE_ARRAY", "a prefix longer than the previous value");
    }
    if (out->bytes.size() + prefix + suffix.size() > max_bytes) return too_many_bytes(max_bytes);
    previous.resize(prefix);
    previous.append(suffix);
    if (auto s = check_fixed_length(*out, previous, "DELTA_BYTE_ARRAY"); !s) return s;
    out->append_bytes(previous);
    return Status::ok();
  });
}

Status decode_byte_stream_split(std::string_view data, size_t count, ParquetValues* out) {
  size_t width = out->type == PhysicalType::kInt96 || out->type == PhysicalType::kBoolean ||
                         out->type == PhysicalType::kByteArray
                     ? 0
                     : fixed_width(*out);
  if (width == 0) return bad("BYTE_STREAM_SPLIT", "not for this type");
  if (data.size() % width != 0) return bad("BYTE_STREAM_SPLIT", "a partial value");
  size_t n = data.size() / width;
  if (n < count) return bad("BYTE_STREAM_SPLIT", "fewer values than the page holds");
  std::string value(width, '\0');
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = 0; j < width; ++j) value[j] = data[j * n + i];
    append_fixed(out, value.data());
  }
  return Status::ok();
}

}  // namespace

size_t ParquetValues::size() const {
  switch (type) {
    case PhysicalType::kBoolean:
    case PhysicalType::kInt32:
      return int32s.size();
    case PhysicalType::kInt64:
      return int64s.size();
    case PhysicalType::kFloat:
      return floats.size();
    case PhysicalType::kDouble:
      return doubles.size();
    default:
      return ends.size();
  }
}

void ParquetValues::append_from(const ParquetValues& other, size_t i) {
  switch (type) {
    case PhysicalType::kBoolean:
    case PhysicalType::kInt32:
      int32s.push_back(other.int32s[i]);
      break;
    case PhysicalType::kInt64:
      int64s.push_back(other.int64s[i]);
      break;
    case PhysicalType::kFloat:
      floats.push_back(other.floats[i]);
      break;
    case PhysicalType::kDouble:
      doubles.push_back(other.doubles[i]);
      break;
    default:
      append_bytes(other.bytes_at(i));
  }
}

int bit_width_of(uint64_t max_value) {
  int width = 0;
  while (max_value > 0) {
    ++width;
    max_value >>= 1;
  }
  return width;
}

Status RleBitPackedDecoder::next_run() {
  uint64_t header = 0;
  if (!read_varint(data_, &position_, &header)) return bad("RLE", "truncated run header");
  if (header & 1) {
    uint64_t groups = header >> 1;
    // Bit-packed: groups of 8 values; a last run cut short by the end of the data keeps the
    // values whose bits are all there. Nothing is sized by the stated group count.
    uint64_t available = data_.size() - position_;
    packed_ = true;
    packed_bit_ = position_ * 8;
    uint64_t bytes = 0;
    if (bit_width_ == 0) {
      run_left_ = groups > UINT64_MAX / 8 ? UINT64_MAX : groups * 8;
    } else {
      bytes = groups > available ? available : std::min<uint64_t>(groups * bit_width_, available);
      run_left_ = std::min<uint64_t>(groups * 8, bytes * 8 / bit_width_);
    }
    position_ += bytes;
  } else {
    size_t value_bytes = (bit_width_ + 7) / 8;
    if (value_bytes > data_.size() - position_) return bad("RLE", "truncated run value");
    uint32_t value = 0;
    for (size_t i = 0; i < value_bytes; ++i) {
      value |= static_cast<uint32_t>(static_cast<uint8_t>(data_[position_ + i])) << (8 * i);
    }
    position_ += value_bytes;
    packed_ = false;
    run_value_ = value;
    run_left_ = header >> 1;
  }
  return Status::ok();
}

Status RleBitPackedDecoder::decode(size_t count, std::vector<uint32_t>* out) {
  if (bit_width_ < 0 || bit_width_ > 32) return bad("RLE", "bit width over 32");
  while (count > 0) {
    if (run_left_ == 0) {
      if (position_ >= data_.size()) return bad("RLE", "fewer values than the page holds");
      if (auto s = next_run(); !s) return s;
      continue;
    }
    uint64_t take = std::min<uint64_t>(run_left_, count);
    if (packed_) {
      for (uint64_t i = 0; i < take; ++i) {
        out->push_back(static_cast<uint32_t>(read_bits(data_, packed_bit_, bit_width_)));
        packed_bit_ += bit_width_;
      }
    } else {
      out->insert(out->end(), take, run_value_);
    }
    run_left_ -= take;
    count -= take;
  }
  return Status::ok();
}

Status decode_levels(std::string_view data, int32_t max_level, size_t count, bool with_length,
                     std::vector<int16_t>* out, size_t* consumed) {
  size_t start = 0;
  std::string_view levels = data;
  if (with_length) {
    if (data.size() < 4) return bad("levels", "no length");
    uint32_t length = load_u32(data);
    if (length > data.size() - 4) return bad("levels", "length past the page");
    levels = data.substr(4, length);
    start = 4;
  }
  RleBitPackedDecoder decoder(levels, bit_width_of(static_cast<uint64_t>(max_level)));
  std::vector<uint32_t> values;
  values.reserve(count);
  if (auto s = decoder.decode(count, &values); !s) return s;
  out->reserve(out->size() + count);
  for (uint32_t v : values) {
    if (v > static_cast<uint32_t>(max_level)) return bad("levels", "a level over the maximum");
    out->push_back(static_cast<int16_t>(v));
  }
  *consumed = start + levels.size();
  return Status::ok();
}

Status decode_plain(std::string_view data, size_t count, uint64_t max_bytes, ParquetValues* out,
                    size_t* consumed) {
  if (out->type == PhysicalType::kBoolean) {
    if ((count + 7) / 8 > data.size()) return bad("PLAIN", "fewer values than the page holds");
    for (size_t i = 0; i < count; ++i) {
      out->int32s.push_back((static_cast<uint8_t>(data[i / 8]) >> (i % 8)) & 1);
    }
    *consumed = (count + 7) / 8;
    return Status::ok();
  }
  if (out->type == PhysicalType::kByteArray) {
    // Room for the page's values at once (they are no larger than the page; each takes at least
    // its 4-byte length), growing geometrically across pages.
    size_t bytes_wanted = out->bytes.size() + std::min<size_t>(data.size(), max_bytes);
    if (out->bytes.capacity() < bytes_wanted) out->bytes.reserve(bytes_wanted);
    size_t ends_wanted = out->ends.size() + std::min<size_t>(count, data.size() / 4);
    if (out->ends.capacity() < ends_wanted) {
      out->ends.reserve(std::max(ends_wanted, 2 * out->ends.capacity()));
    }
    size_t at = 0;
    for (size_t i = 0; i < count; ++i) {
      if (data.size() - at < 4) return bad("PLAIN", "fewer values than the page holds");
      uint32_t length = load_u32(data.substr(at));
      at += 4;
      if (length > data.size() - at) return bad("PLAIN", "a length past the page");
      if (out->bytes.size() + length > max_bytes) return too_many_bytes(max_bytes);
      out->append_bytes(data.substr(at, length));
      at += length;
    }
    *consumed = at;
    return Status::ok();
  }
  size_t width = fixed_width(*out);
  if (width == 0) return bad("PLAIN", "a fixed-length byte array without a length");
  if (count > data.size() / width) return bad("PLAIN", "fewer values than the page holds");
  if (out->type == PhysicalType::kFixedLenByteArray || out->type == PhysicalType::kInt96) {
    if (out->bytes.size() + count * width > max_bytes) return too_many_bytes(max_bytes);
  }
  for (size_t i = 0; i < count; ++i) append_fixed(out, data.data() + i * width);
  *consumed = count * width;
  return Status::ok();
}

Status decode_delta_binary_packed(std::string_view data, size_t max_count, bool is_32bit,
                                  std::vector<int64_t>* out, size_t* consumed) {
  constexpr std::string_view kName = "DELTA_BINARY_PACKED";
  size_t pos = 0;
  uint64_t block_size = 0, miniblocks = 0, total = 0;
  int64_t first = 0;
  if (!read_varint(data, &pos, &block_size) || !read_varint(data, &pos, &miniblocks) ||
      !read_varint(data, &pos, &total) || !read_zigzag(data, &pos, &first)) {
    return bad(kName, "truncated header");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return bad(kName, "bad block layout");
  }
  if (total > max_count) return bad(kName, "more values than the page holds");
  uint64_t per_miniblock = block_size / miniblocks;
  size_t start = out->size();
  out->reserve(start + total);
  uint64_t value = static_cast<uint64_t>(first);
  if (total > 0) out->push_back(is_32bit ? static_cast<int32_t>(value) : first);
  while (out->size() - start < total) {
    int64_t min_delta = 0;
    if (!read_zigzag(data, &pos, &min_delta)) return bad(kName, "truncated block");
    if (miniblocks > data.size() - pos) return bad(kName, "truncated block");
    std::string_view widths = data.substr(pos, miniblocks);
    pos += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out->size() - start < total; ++m) {
      int width = static_cast<uint8_t>(widths[m]);
      if (width > (is_32bit ? 32 : 64)) return bad(kName, "bit width too large");
      uint64_t needed = std::min<uint64_t>(per_miniblock, total - (out->size() - start));
      uint64_t full = per_miniblock * width / 8;
      if ((needed * width + 7) / 8 > data.size() - pos) return bad(kName, "truncated miniblock");
      uint64_t bit = pos * 8;
      for (uint64_t j = 0; j < needed; ++j) {
        uint64_t delta = read_bits(data, bit, width);
        bit += width;
        value += static_cast<uint64_t>(min_delta) + delta;
        if (is_32bit)
          value = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
        out->push_back(static_cast<int64_t>(value));
      }
      pos += std::min<uint64_t>(full, data.size() - pos);
    }
  }
  *consumed = pos;
  return Status::ok();
}

Status decode_values(Encoding encoding, std::string_view data, size_t count,
                     const ParquetValues* dictionary, uint64_t max_bytes, ParquetValues* out) {
  size_t before = out->size();
  Status status;
  size_t consumed = 0;
  PhysicalType type = out->type;
  bool byte_array = type == PhysicalType::kByteArray;
  switch (encoding) {
    case Encoding::kPlain:
      status = decode_plain(data, count, max_bytes, out, &consumed);
      break;
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      status = decode_dictionary_indices(data, count, dictionary, max_bytes, out);
      break;
    case Encoding::kRle:
      if (type != PhysicalType::kBoolean) return bad("RLE", "values only for booleans");
      status = decode_rle_booleans(data, count, out);
      break;
    case Encoding::kDeltaBinaryPacked:
      if (type != PhysicalType::kInt32 && type != PhysicalType::kInt64) {
        return bad("DELTA_BINARY_PACKED", "only for integers");
      }
      status = decode_delta_integers(data, count, out);
      break;
    case Encoding::kDeltaLengthByteArray:
      if (!byte_array) return bad("DELTA_LENGTH_BYTE_ARRAY", "only for byte arrays");
      status = decode_delta_length(data, count, &consumed, [&](std::string_view value) {
        if (out->bytes.size() + value.size() > max_bytes) return too_many_bytes(max_bytes);
        out->append_bytes(value);
        return Status::ok();
      });
      break;
    case Encoding::kDeltaByteArray:
      if (!byte_array && type != PhysicalType::kFixedLenByteArray) {
        return bad("DELTA_BYTE_ARRAY", "only for byte arrays");
      }
      status = decode_delta_byte_array(data, count, max_bytes, out);
      break;
    case Encoding::kByteStreamSplit:
      status = decode_byte_stream_split(data, count, out);
      break;
    default:
      return unprocessable("Parquet page: unsupported encoding " +
                           std::to_string(static_cast<int32_t>(encoding)));
  }
  if (!status) return status;
  if (out->size() - before != count) return bad("page", "wrong value count");
  return Status::ok();
}

Status decode_value_ranges(Encoding encoding, std::string_view data, size_t count,
                           const std::vector<ValueRange>& ranges, const ParquetValues* dictionary,
                           uint64_t max_bytes, ParquetValues* out) {
  size_t last = 0;  // the end of the ranges so far
  for (const auto& r : ranges) {
    if (r.skip < last || r.skip > count || r.take > count - r.skip) {
      return bad("page", "a range past its values");
    }
    last = r.skip + r.take;
  }
  if (ranges.empty()) return Status::ok();
  PhysicalType type = out->type;
  size_t consumed = 0;
  if (encoding == Encoding::kPlain && type == PhysicalType::kByteArray) {
    // The lengths of the values outside the ranges are walked, their bytes never copied.
    size_t at = 0, index = 0;
    for (const auto& r : ranges) {
      for (; index < r.skip; ++index) {
        if (data.size() - at < 4) return bad("PLAIN", "fewer values than the page holds");
        uint32_t length = load_u32(data.substr(at));
        at += 4;
        if (length > data.size() - at) return bad("PLAIN", "a length past the page");
        at += length;
      }
      if (auto s = decode_plain(data.substr(at), r.take, max_bytes, out, &consumed); !s) return s;
      at += consumed;
      index += r.take;
    }
    return Status::ok();
  }
  if (encoding == Encoding::kPlain && type != PhysicalType::kBoolean) {
    size_t width = fixed_width(*out);
    if (width == 0) return bad("PLAIN", "a fixed-length byte array without a length");
    if (count > data.size() / width) return bad("PLAIN", "fewer values than the page holds");
    for (const auto& r : ranges) {
      if (auto s = decode_plain(data.substr(r.skip * width), r.take, max_bytes, out, &consumed);
          !s) {
        return s;
      }
    }
    return Status::ok();
  }
  if (encoding == Encoding::kPlainDictionary || encoding == Encoding::kRleDictionary) {
    // Indices are cheap to decode; only the ranges' values are looked up.
    std::vector<uint32_t> indices;
    if (auto s = dictionary_indices(data, last, dictionary, &indices); !s) return s;
    for (const auto& r : ranges) {
      if (auto s = append_dictionary_values(indices, r.skip, r.skip + r.take, *dictionary,
                                            max_bytes, out);
          !s) {
        return s;
      }
    }
    return Status::ok();
  }
  // The rest decode in sequence (deltas, bit-packed booleans, split streams): all of the page,
  // then the ranges are kept.
  ParquetValues all;
  all.type = type;
  all.type_length = out->type_length;
  if (auto s = decode_values(encoding, data, count, dictionary, max_bytes, &all); !s) return s;
  for (const auto& r : ranges) {
    for (size_t i = r.skip; i < r.skip + r.take; ++i) out->append_from(all, i);
  }
  return Status::ok();
}

Status decode_values_range(Encoding encoding, std::string_view data, size_t count, size_t skip,
                           size_t take, const ParquetValues* dictionary, uint64_t max_bytes,
                           ParquetValues* out) {
  return decode_value_ranges(encoding, data, count, {ValueRange{skip, take}}, dictionary, max_bytes,
                             out);
}

}  // namespace vitrine::datasets
