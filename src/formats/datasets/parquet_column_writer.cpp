// Column chunks for the writer (parquet_column_writer.hpp): levels, pages, the dictionary and
// statistics, as parquet-format's Encodings.md, README.md ("Data Pages") and parquet.thrift
// (Statistics: PLAIN-encoded min_value/max_value in the column's sort order) describe them.
#include "formats/datasets/parquet_column_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_encodings.hpp"
#include "formats/datasets/parquet_thrift_writer.hpp"
#include "formats/datasets/parquet_value_encoder.hpp"

namespace vitrine::datasets {

namespace {

// Byte arrays longer than this get no min/max (Arrow's default max_statistics_size).
constexpr size_t kMaxStatisticsBytes = 4096;

void append_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void append_le32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

template <typename T>
T load(std::string_view bytes) {
  T v;
  std::memcpy(&v, bytes.data(), sizeof v);
  return v;
}

std::string page_header(PageType type, size_t uncompressed, size_t compressed, uint64_t values,
                        Encoding encoding) {
  ThriftWriter w;
  w.begin_struct();
  w.i32_field(1, static_cast<int32_t>(type));
  w.i32_field(2, static_cast<int32_t>(uncompressed));
  w.i32_field(3, static_cast<int32_t>(compressed));
  if (type == PageType::kDictionaryPage) {
    w.struct_field(7);
    w.i32_field(1, static_cast<int32_t>(values));
    w.i32_field(2, static_cast<int32_t>(encoding));
  } else {
    w.struct_field(5);
    w.i32_field(1, static_cast<int32_t>(values));
    w.i32_field(2, static_cast<int32_t>(encoding));
    w.i32_field(3, static_cast<int32_t>(Encoding::kRle));
    w.i32_field(4, static_cast<int32_t>(Encoding::kRle));
  }
  w.end_struct();
  w.end_struct();
  return w.take();
}

// Levels of a v1 page: the hybrid, prefixed by its length.
void append_levels(const std::vector<uint32_t>& levels, int max_level, std::string* out) {
  std::string rle;
  append_rle_hybrid(levels, bit_width_of(static_cast<uint64_t>(max_level)), &rle);
  append_le32(out, static_cast<uint32_t>(rle.size()));
  out->append(rle);
}

bool is_byte_array(const WriteLeaf& leaf) {
  return leaf.physical == PhysicalType::kByteArray;
}

}  // namespace

void append_rle_hybrid(const std::vector<uint32_t>& values, int bit_width, std::string* out) {
  size_t value_bytes = static_cast<size_t>((bit_width + 7) / 8);
  auto literals = [&](size_t begin, size_t end) {
    if (begin == end) return;
    size_t groups = (end - begin + 7) / 8;
    append_varint(out, groups << 1 | 1);
    uint64_t bits = 0;
    int pending = 0;
    for (size_t i = begin; i < begin + groups * 8; ++i) {
      uint64_t v = i < end ? values[i] : 0;  // the last group is padded with zeros
      bits |= v << pending;
      pending += bit_width;
      while (pending >= 8) {
        out->push_back(static_cast<char>(bits & 0xff));
        bits >>= 8;
        pending -= 8;
      }
    }
  };
  size_t i = 0;
  size_t literal_start = 0;
  while (i < values.size()) {
    size_t j = i + 1;
    while (j < values.size() && values[j] == values[i]) ++j;
    size_t run = j - i;
    // A bit-packed run holds whole groups of eight: a repeat run may begin only where the
    // literals before it fill their last group, so it lends them values first.
    size_t fill = (8 - (i - literal_start) % 8) % 8;
    if (run < 8 || run - fill < 8) {
      i = j;
      continue;
    }
    i += fill;
    literals(literal_start, i);
    append_varint(out, (j - i) << 1);
    for (size_t b = 0; b < value_bytes; ++b)
      out->push_back(static_cast<char>(values[i] >> (8 * b)));
    i = j;
    literal_start = j;
  }
  literals(literal_start, values.size());
}

ParquetColumnWriter::ParquetColumnWriter(const WriteColumn& column,
                                         const ColumnWriterOptions& options)
    : node_(*column.node),
      path_(column.path),
      options_(options),
      max_definition_(column.node->definition_level),
      max_repetition_(column.node->repetition_level),
      order_(Order::kNone),
      byte_array_(is_byte_array(column.node->leaf)) {
  const WriteLeaf& leaf = node_.leaf;
  switch (leaf.kind) {
    case LeafKind::kBool:
      order_ = Order::kBool;
      break;
    case LeafKind::kInt:
    case LeafKind::kDate:
    case LeafKind::kTimestamp:
    case LeafKind::kTime:
      order_ = leaf.physical == PhysicalType::kInt64 ? Order::kSigned64 : Order::kSigned32;
      break;
    case LeafKind::kUint:
      order_ = leaf.bits == 64 ? Order::kUnsigned64 : Order::kUnsigned32;
      break;
    case LeafKind::kFloat32:
      order_ = Order::kFloat;
      break;
    case LeafKind::kFloat64:
      order_ = Order::kDouble;
      break;
    case LeafKind::kString:
    case LeafKind::kBinary:
    case LeafKind::kJson:
      order_ = Order::kBytes;
      break;
    default:
      break;  // float16, decimals, nulls: no min/max
  }
  reset_chunk();
}

void ParquetColumnWriter::reset_chunk() {
  pages_.clear();
  uncompressed_bytes_ = 0;
  slots_ = 0;
  null_count_ = 0;
  plain_pages_ = false;
  dictionary_pages_ = false;
  dictionary_mode_ = options_.dictionary && byte_array_;
  dictionary_.clear();
  min_.reset();
  max_.reset();
  begin_row();
}

void ParquetColumnWriter::add_null(int16_t repetition, int16_t definition) {
  if (max_repetition_ > 0) repetitions_.push_back(static_cast<uint32_t>(repetition));
  definitions_.push_back(static_cast<uint32_t>(definition));
  ++page_slots_;
  ++null_count_;
}

Status ParquetColumnWriter::add_value(int16_t repetition, const nlohmann::json& cell) {
  encoded_.clear();
  if (auto s = encode_parquet_value(node_.leaf, cell, &encoded_); !s) return s;
  add_plain(repetition, encoded_);
  return Status::ok();
}

Status ParquetColumnWriter::add_value(int16_t repetition, const ScalarCell& cell) {
  encoded_.clear();
  if (auto s = encode_parquet_value(node_.leaf, cell, &encoded_); !s) return s;
  add_plain(repetition, encoded_);
  return Status::ok();
}

void ParquetColumnWriter::add_plain(int16_t repetition, std::string_view plain) {
  if (dictionary_mode_) {
    bool added;
    indices_.push_back(dictionary_.find_or_add(plain, &added));
  } else {
    values_.append(plain);
  }
  if (max_repetition_ > 0) repetitions_.push_back(static_cast<uint32_t>(repetition));
  definitions_.push_back(static_cast<uint32_t>(max_definition_));
  ++page_slots_;
}

void ParquetColumnWriter::begin_row() {
  mark_ = {definitions_.size(), repetitions_.size(), values_.size(), indices_.size(),
           dictionary_.size(),  page_slots_,         null_count_};
}

void ParquetColumnWriter::rollback_row() {
  definitions_.resize(mark_.definitions);
  repetitions_.resize(mark_.repetitions);
  values_.resize(mark_.values);
  indices_.resize(mark_.indices);
  dictionary_.truncate(mark_.entries);
  page_slots_ = mark_.page_slots;
  null_count_ = mark_.null_count;
}

Status ParquetColumnWriter::end_row() {
  if (dictionary_mode_ && dictionary_.bytes() > options_.dictionary_bytes) {
    if (auto s = flush_page(); !s) return s;
    dictionary_mode_ = false;
  }
  uint64_t page =
      (definitions_.size() + repetitions_.size()) / 4 + values_.size() + indices_.size() * 2;
  if (page >= options_.page_bytes) {
    if (auto s = flush_page(); !s) return s;
  }
  begin_row();
  return Status::ok();
}

uint64_t ParquetColumnWriter::buffered_bytes() const {
  return pages_.size() + dictionary_.bytes() + values_.size() + indices_.size() * 4 +
         (definitions_.size() + repetitions_.size()) / 4;
}

void ParquetColumnWriter::update_statistics(std::string_view v) {
  auto less = [&](std::string_view a, std::string_view b) {
    switch (order_) {
      case Order::kSigned32:
        return load<int32_t>(a) < load<int32_t>(b);
      case Order::kSigned64:
        return load<int64_t>(a) < load<int64_t>(b);
      case Order::kUnsigned32:
        return load<uint32_t>(a) < load<uint32_t>(b);
      case Order::kUnsigned64:
        return load<uint64_t>(a) < load<uint64_t>(b);
      case Order::kFloat:
        return load<float>(a) < load<float>(b);
      case Order::kDouble:
        return load<double>(a) < load<double>(b);
      case Order::kBool:
        return a[0] < b[0];
      case Order::kBytes:
        return a < b;  // std::string_view compares bytes as unsigned char
      case Order::kNone:
        break;
    }
    return false;
  };
  if (order_ == Order::kNone) return;
  if ((order_ == Order::kFloat && std::isnan(load<float>(v))) ||
      (order_ == Order::kDouble && std::isnan(load<double>(v)))) {
    return;
  }
  if (!min_ || less(v, *min_)) min_ = std::string(v);
  if (!max_ || less(*max_, v)) max_ = std::string(v);
}

Status ParquetColumnWriter::flush_page() {
  if (page_slots_ == 0) return Status::ok();
  std::string raw;
  if (max_repetition_ > 0) append_levels(repetitions_, max_repetition_, &raw);
  append_levels(definitions_, max_definition_, &raw);
  Encoding encoding = Encoding::kPlain;
  if (dictionary_mode_) {
    encoding = Encoding::kRleDictionary;
    int width = std::max(1, bit_width_of(dictionary_.size() == 0 ? 0 : dictionary_.size() - 1));
    raw.push_back(static_cast<char>(width));
    append_rle_hybrid(indices_, width, &raw);
    dictionary_pages_ = true;
  } else {
    plain_pages_ = true;
    // The statistics see each value (a boolean is one byte here, a byte array bare).
    size_t width =
        node_.leaf.physical == PhysicalType::kBoolean             ? 1
        : node_.leaf.physical == PhysicalType::kFixedLenByteArray ? node_.leaf.type_length
        : node_.leaf.physical == PhysicalType::kInt32 || node_.leaf.physical == PhysicalType::kFloat
            ? 4
            : 8;
    std::string_view plain = values_;
    for (size_t at = 0; at < plain.size();) {
      if (node_.leaf.physical == PhysicalType::kByteArray) {
        uint32_t length = load<uint32_t>(plain.substr(at, 4));
        update_statistics(plain.substr(at + 4, length));
        at += 4 + length;
      } else {
        update_statistics(plain.substr(at, width));
        at += width;
      }
    }
    if (node_.leaf.physical == PhysicalType::kBoolean) {
      // PLAIN booleans are bit-packed, the first value in the lowest bit.
      std::string bits((values_.size() + 7) / 8, '\0');
      for (size_t i = 0; i < values_.size(); ++i) {
        if (values_[i]) bits[i / 8] = static_cast<char>(bits[i / 8] | 1 << (i % 8));
      }
      raw += bits;
    } else {
      raw += values_;
    }
  }
  if (raw.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return unprocessable("Parquet writer: column '" + node_.feature_path +
                         "': a page over 2 GiB (one row too large)");
  }
  auto compressed = compress_parquet_page(options_.codec, raw);
  if (!compressed) return compressed.status();
  if (compressed->size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return unprocessable("Parquet writer: column '" + node_.feature_path + "': a page over 2 GiB");
  }
  std::string header =
      page_header(PageType::kDataPage, raw.size(), compressed->size(), page_slots_, encoding);
  pages_ += header;
  pages_ += *compressed;
  uncompressed_bytes_ += header.size() + raw.size();
  slots_ += page_slots_;
  definitions_.clear();
  repetitions_.clear();
  values_.clear();
  indices_.clear();
  page_slots_ = 0;
  return Status::ok();
}

Result<ColumnChunkOutput> ParquetColumnWriter::finish_chunk() {
  if (auto s = flush_page(); !s) return s;
  ColumnChunkOutput out;
  ColumnMetaData& meta = out.meta;
  meta.type = node_.leaf.physical;
  meta.path_in_schema = path_;
  meta.codec = options_.codec;
  meta.num_values = static_cast<int64_t>(slots_);
  if (dictionary_pages_) {
    const std::string& raw = dictionary_.data();
    for (size_t i = 0; i < dictionary_.size(); ++i)
      update_statistics(dictionary_.entry(i).substr(4));
    auto compressed = compress_parquet_page(options_.codec, raw);
    if (!compressed) return compressed.status();
    std::string header = page_header(PageType::kDictionaryPage, raw.size(), compressed->size(),
                                     dictionary_.size(), Encoding::kPlain);
    out.bytes = header + *compressed;
    uncompressed_bytes_ += header.size() + raw.size();
    meta.dictionary_page_offset = 0;
    meta.encodings.push_back(Encoding::kPlain);
  }
  meta.data_page_offset = static_cast<int64_t>(out.bytes.size());
  out.bytes += pages_;
  if (plain_pages_ && !dictionary_pages_) meta.encodings.push_back(Encoding::kPlain);
  meta.encodings.push_back(Encoding::kRle);
  if (dictionary_pages_) meta.encodings.push_back(Encoding::kRleDictionary);
  meta.total_uncompressed_size = static_cast<int64_t>(uncompressed_bytes_);
  meta.total_compressed_size = static_cast<int64_t>(out.bytes.size());
  Statistics statistics;
  statistics.null_count = null_count_;
  bool too_long = order_ == Order::kBytes && min_ && max_ &&
                  (min_->size() > kMaxStatisticsBytes || max_->size() > kMaxStatisticsBytes);
  if (min_ && max_ && !too_long) {
    // Zeros: the minimum is written -0 and the maximum +0 (parquet.thrift, ColumnOrder).
    if (order_ == Order::kFloat) {
      if (load<float>(*min_) == 0.0f) std::memcpy(min_->data(), "\x00\x00\x00\x80", 4);
      if (load<float>(*max_) == 0.0f) std::memcpy(max_->data(), "\x00\x00\x00\x00", 4);
    } else if (order_ == Order::kDouble) {
      if (load<double>(*min_) == 0.0) std::memcpy(min_->data(), "\0\0\0\0\0\0\0\x80", 8);
      if (load<double>(*max_) == 0.0) std::memcpy(max_->data(), "\0\0\0\0\0\0\0\0", 8);
    }
    statistics.min_value = *min_;
    statistics.max_value = *max_;
  }
  meta.statistics = std::move(statistics);
  reset_chunk();
  return out;
}

}  // namespace vitrine::datasets
