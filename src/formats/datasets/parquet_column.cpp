// The page loop of one column chunk (parquet_column.hpp).
#include "formats/datasets/parquet_column.hpp"

#include <algorithm>

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_page_header.hpp"

namespace vitrine::datasets {

namespace {

Status chunk_error(const std::string& what) {
  return unprocessable("Parquet column chunk: " + what);
}

class ChunkReader {
 public:
  ChunkReader(const ColumnMetaData& meta, const SchemaElement& leaf, const SchemaNode& node,
              const ColumnReadLimits& limits, const std::vector<SlotWindow>* windows = nullptr)
      : meta_(meta), limits_(limits) {
    if (windows && node.max_repetition_level == 0) {
      windowed_ = true;
      for (const auto& w : *windows) {
        uint64_t end = w.skip + std::min(w.take, UINT64_MAX - w.skip);
        if (w.skip < end) windows_.push_back({w.skip, end});
      }
    }
    out_.values.type = meta.type;
    out_.values.type_length = leaf.type_length.value_or(0);
    dictionary_.type = meta.type;
    dictionary_.type_length = out_.values.type_length;
    out_.max_definition_level = node.max_definition_level;
    out_.max_repetition_level = node.max_repetition_level;
  }

  // Reads pages from `chunk`: until meta.num_values slots are read, or when `to_end`, until
  // the bytes end.
  Status read(std::string_view chunk, bool to_end = false) {
    size_t pos = 0;
    auto total = static_cast<uint64_t>(meta_.num_values);
    while (!done_ && (to_end ? pos < chunk.size() : out_.num_slots < total)) {
      if (pos >= chunk.size()) {
        return chunk_error("ends after " + std::to_string(out_.num_slots) + " of " +
                           std::to_string(total) + " values");
      }
      size_t consumed = 0;
      auto header = parse_page_header(chunk.substr(pos), &consumed);
      if (!header) {
        if (header.status().kind() == ErrorKind::kRangeNotSatisfiable) {
          return chunk_error("a page header runs past the chunk");
        }
        return header.status();
      }
      pos += consumed;
      if (static_cast<size_t>(header->compressed_page_size) > chunk.size() - pos) {
        return chunk_error("a page runs past the chunk");
      }
      std::string_view page = chunk.substr(pos, header->compressed_page_size);
      pos += header->compressed_page_size;
      Status status;
      switch (header->type) {
        case PageType::kDictionaryPage:
          status = dictionary_page(*header, page);
          break;
        case PageType::kDataPage:
          status = data_page_v1(*header, page);
          break;
        case PageType::kDataPageV2:
          status = data_page_v2(*header, page);
          break;
        case PageType::kIndexPage:
          break;
      }
      if (!status) return status;
    }
    if (!to_end && out_.num_slots != total) return chunk_error("more values than the chunk states");
    if (!out_.repetition_levels.empty() && out_.repetition_levels[0] != 0) {
      return chunk_error("its first page begins inside a row");
    }
    return Status::ok();
  }

  // The dictionary page alone.
  Status read_dictionary(std::string_view bytes) {
    size_t consumed = 0;
    auto header = parse_page_header(bytes, &consumed);
    if (!header) return header.status();
    if (header->type != PageType::kDictionaryPage) return chunk_error("no dictionary page");
    if (static_cast<size_t>(header->compressed_page_size) != bytes.size() - consumed) {
      return chunk_error("the dictionary page's size does not match its location");
    }
    return dictionary_page(*header, bytes.substr(consumed));
  }

  // With windows: the slot of the chunk the next page read begins.
  void seek(uint64_t slot) { slot_ = slot; }

  ColumnChunkValues take() { return std::move(out_); }

 private:
  Status dictionary_page(const PageHeader& header, std::string_view page) {
    if (has_dictionary_ || out_.num_slots > 0) return chunk_error("a misplaced dictionary page");
    const auto& d = *header.dictionary_page_header;
    if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
      return chunk_error("a dictionary page not PLAIN-encoded");
    }
    if (static_cast<uint64_t>(d.num_values) > limits_.max_values) return too_many_values();
    auto body = decompress_parquet_page(meta_.codec, page, header.uncompressed_page_size,
                                        limits_.max_page_bytes);
    if (!body) return body.status();
    size_t consumed = 0;
    if (auto s =
            decode_plain(*body, d.num_values, limits_.max_value_bytes, &dictionary_, &consumed);
        !s) {
      return s;
    }
    has_dictionary_ = true;
    return Status::ok();
  }

  // Checks the slots of a page fit the limits and the chunk, before anything is decoded.
  Status admit(int32_t num_values) {
    auto n = static_cast<uint64_t>(num_values);
    if (n > limits_.max_values - std::min(limits_.max_values, out_.num_slots)) {
      return too_many_values();
    }
    if (out_.num_slots + n > static_cast<uint64_t>(meta_.num_values)) {
      return chunk_error("pages hold more values than the chunk states");
    }
    return Status::ok();
  }

  // Counts the non-null slots among the levels appended since `from`.
  size_t non_null_since(size_t from, size_t num_values) const {
    if (out_.max_definition_level == 0) return num_values;
    return static_cast<size_t>(std::count(out_.definition_levels.begin() + from,
                                          out_.definition_levels.end(),
                                          static_cast<int16_t>(out_.max_definition_level)));
  }

  Status values(Encoding encoding, std::string_view data, size_t count) {
    const ParquetValues* dictionary = has_dictionary_ ? &dictionary_ : nullptr;
    return decode_values(encoding, data, count, dictionary, limits_.max_value_bytes, &out_.values);
  }

  // With windows: whether a page of `n` slots lies outside them, before the next one (skipped
  // undecompressed) or after the last (the read is done).
  bool outside_window(int32_t n) {
    if (!windowed_ || n < 0) return false;
    while (next_ < windows_.size() && windows_[next_].second <= slot_) ++next_;
    if (next_ == windows_.size()) {
      done_ = true;
      return true;
    }
    if (slot_ + static_cast<uint64_t>(n) <= windows_[next_].first) {
      slot_ += static_cast<uint64_t>(n);
      return true;
    }
    return false;
  }

  // The values of a page whose `n` levels were appended from `from`: all of them, or with
  // windows only those of its slots inside them (levels outside are dropped again).
  Status page_values(Encoding encoding, std::string_view data, size_t from, int32_t n) {
    auto count = static_cast<size_t>(n);
    if (!windowed_) {
      if (auto s = values(encoding, data, non_null_since(from, count)); !s) return s;
      out_.num_slots += count;
      return Status::ok();
    }
    // The page's slots [a, b) inside a window, in order.
    std::vector<std::pair<size_t, size_t>> pieces;
    for (size_t w = next_; w < windows_.size() && windows_[w].first < slot_ + count; ++w) {
      size_t a = static_cast<size_t>(std::max(windows_[w].first, slot_) - slot_);
      size_t b = static_cast<size_t>(std::min<uint64_t>(windows_[w].second, slot_ + count) - slot_);
      if (a < b) pieces.emplace_back(a, b);
    }
    slot_ += count;
    std::vector<ValueRange> ranges;
    size_t kept = 0;
    if (out_.max_definition_level > 0) {
      // Slots are values only where defined: count them, keeping the levels of the pieces.
      auto full = static_cast<int16_t>(out_.max_definition_level);
      std::vector<int16_t> levels(
          out_.definition_levels.begin() + static_cast<std::ptrdiff_t>(from),
          out_.definition_levels.end());
      out_.definition_levels.resize(from);
      size_t value = 0, at = 0;
      for (const auto& [a, b] : pieces) {
        for (; at < a; ++at) value += levels[at] == full;
        ValueRange r{value, 0};
        for (; at < b; ++at) {
          out_.definition_levels.push_back(levels[at]);
          if (levels[at] == full) ++r.take;
        }
        value += r.take;
        ranges.push_back(r);
        kept += b - a;
      }
      for (; at < levels.size(); ++at) value += levels[at] == full;
      count = value;  // the page's values
    } else {
      for (const auto& [a, b] : pieces) {
        ranges.push_back({a, b - a});
        kept += b - a;
      }
    }
    const ParquetValues* dictionary = has_dictionary_ ? &dictionary_ : nullptr;
    if (auto s = decode_value_ranges(encoding, data, count, ranges, dictionary,
                                     limits_.max_value_bytes, &out_.values);
        !s) {
      return s;
    }
    out_.num_slots += kept;
    return Status::ok();
  }

  Status data_page_v1(const PageHeader& header, std::string_view page) {
    const auto& d = *header.data_page_header;
    if (outside_window(d.num_values)) return Status::ok();
    if (auto s = admit(d.num_values); !s) return s;
    auto body = decompress_parquet_page(meta_.codec, page, header.uncompressed_page_size,
                                        limits_.max_page_bytes);
    if (!body) return body.status();
    std::string_view rest = *body;
    size_t from = out_.definition_levels.size();
    if (out_.max_repetition_level > 0) {
      if (d.repetition_level_encoding != Encoding::kRle) {
        return chunk_error("repetition levels not RLE-encoded");
      }
      size_t used = 0;
      if (auto s = decode_levels(rest, out_.max_repetition_level, d.num_values, true,
                                 &out_.repetition_levels, &used);
          !s) {
        return s;
      }
      rest.remove_prefix(used);
    }
    if (out_.max_definition_level > 0) {
      if (d.definition_level_encoding != Encoding::kRle) {
        return chunk_error("definition levels not RLE-encoded");
      }
      size_t used = 0;
      if (auto s = decode_levels(rest, out_.max_definition_level, d.num_values, true,
                                 &out_.definition_levels, &used);
          !s) {
        return s;
      }
      rest.remove_prefix(used);
    }
    return page_values(d.encoding, rest, from, d.num_values);
  }

  Status data_page_v2(const PageHeader& header, std::string_view page) {
    const auto& d = *header.data_page_header_v2;
    if (outside_window(d.num_values)) return Status::ok();
    if (auto s = admit(d.num_values); !s) return s;
    if (out_.max_repetition_level == 0 && d.repetition_levels_byte_length != 0)
      return chunk_error("repetition levels in a flat column");
    if (d.repetition_levels_byte_length < 0 || d.definition_levels_byte_length < 0) {
      return chunk_error("a negative levels length");
    }
    auto rep_size = static_cast<size_t>(d.repetition_levels_byte_length);
    auto def_size = static_cast<size_t>(d.definition_levels_byte_length);
    if (rep_size > page.size() || def_size > page.size() - rep_size ||
        rep_size + def_size > static_cast<size_t>(header.uncompressed_page_size)) {
      return chunk_error("levels past the page");
    }
    size_t levels_size = rep_size + def_size;
    size_t from = out_.definition_levels.size();
    if (out_.max_repetition_level > 0) {
      size_t used = 0;
      if (auto s = decode_levels(page.substr(0, rep_size), out_.max_repetition_level, d.num_values,
                                 false, &out_.repetition_levels, &used);
          !s) {
        return s;
      }
    }
    if (out_.max_definition_level > 0) {
      size_t used = 0;
      if (auto s = decode_levels(page.substr(rep_size, def_size), out_.max_definition_level,
                                 d.num_values, false, &out_.definition_levels, &used);
          !s) {
        return s;
      }
    }
    size_t non_null = non_null_since(from, d.num_values);
    if (out_.max_definition_level > 0 &&
        non_null != static_cast<size_t>(d.num_values - d.num_nulls)) {
      return chunk_error("num_nulls does not match the definition levels");
    }
    std::string_view data = page.substr(levels_size);
    size_t data_size = static_cast<size_t>(header.uncompressed_page_size) - levels_size;
    Result<std::string> body =
        d.is_compressed
            ? decompress_parquet_page(meta_.codec, data, data_size, limits_.max_page_bytes)
            : decompress_parquet_page(CompressionCodec::kUncompressed, data, data_size,
                                      limits_.max_page_bytes);
    if (!body) return body.status();
    return page_values(d.encoding, *body, from, d.num_values);
  }

  Status too_many_values() const {
    return Status(ErrorKind::kPayloadTooLarge, "Parquet column chunk of more than " +
                                                   std::to_string(limits_.max_values) + " values");
  }

  const ColumnMetaData& meta_;
  const ColumnReadLimits& limits_;
  ColumnChunkValues out_;
  ParquetValues dictionary_;
  bool has_dictionary_ = false;
  bool windowed_ = false;
  bool done_ = false;
  std::vector<std::pair<uint64_t, uint64_t>> windows_;  // [begin, end) slots, in order
  size_t next_ = 0;                                     // the first window not before slot_
  uint64_t slot_ = 0;  // the chunk's slot the next page begins, in a window or not
};

}  // namespace

Result<ColumnChunkValues> read_column_chunk(std::string_view chunk, const ColumnMetaData& meta,
                                            const SchemaElement& leaf, const SchemaNode& node,
                                            const ColumnReadLimits& limits) {
  if (!leaf.type || *leaf.type != meta.type) {
    return chunk_error("its type does not match the schema");
  }
  ChunkReader reader(meta, leaf, node, limits);
  if (auto s = reader.read(chunk); !s) return s;
  return reader.take();
}

Result<ColumnChunkValues> read_column_pages(std::string_view dictionary, std::string_view pages,
                                            const ColumnMetaData& meta, const SchemaElement& leaf,
                                            const SchemaNode& node, const ColumnReadLimits& limits,
                                            const SlotWindow* window) {
  if (!leaf.type || *leaf.type != meta.type) {
    return chunk_error("its type does not match the schema");
  }
  std::vector<SlotWindow> windows;
  if (window) windows.push_back(*window);
  ChunkReader reader(meta, leaf, node, limits, window ? &windows : nullptr);
  if (!dictionary.empty()) {
    if (auto s = reader.read_dictionary(dictionary); !s) return s;
  }
  if (auto s = reader.read(pages, /*to_end=*/true); !s) return s;
  return reader.take();
}

Result<ColumnChunkValues> read_column_page_runs(std::string_view dictionary,
                                                const std::vector<PageRun>& runs,
                                                const ColumnMetaData& meta,
                                                const SchemaElement& leaf, const SchemaNode& node,
                                                const std::vector<SlotWindow>& windows,
                                                const ColumnReadLimits& limits) {
  if (!leaf.type || *leaf.type != meta.type) {
    return chunk_error("its type does not match the schema");
  }
  if (node.max_repetition_level > 0) return chunk_error("slot windows of a repeated column");
  for (size_t i = 1; i < windows.size(); ++i) {
    if (windows[i].skip < windows[i - 1].skip + windows[i - 1].take) {
      return chunk_error("slot windows out of order");
    }
  }
  ChunkReader reader(meta, leaf, node, limits, &windows);
  if (!dictionary.empty()) {
    if (auto s = reader.read_dictionary(dictionary); !s) return s;
  }
  uint64_t next = 0;
  for (const auto& run : runs) {
    if (run.first_slot < next) return chunk_error("page runs out of order");
    reader.seek(run.first_slot);
    if (auto s = reader.read(run.bytes, /*to_end=*/true); !s) return s;
    next = run.first_slot;
  }
  return reader.take();
}

}  // namespace vitrine::datasets
