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

  // Pages decompressed from here on are kept in `cache` (the reads say where they lie).
  void keep_in(const PageCacheRef* cache) { cache_ = cache && cache->cache ? cache : nullptr; }

  // Reads pages from `chunk`: until meta.num_values slots are read, or when `to_end`, until
  // the bytes end. `file_offset`: where `chunk` lies in the file (-1: unknown).
  Status read(std::string_view chunk, bool to_end = false, int64_t file_offset = -1) {
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
      int64_t at = file_offset < 0 ? -1 : file_offset + static_cast<int64_t>(pos - consumed);
      pos += header->compressed_page_size;
      if (auto status = stored_page(*header, page, consumed, at); !status) return status;
    }
    if (!to_end && out_.num_slots != total) return chunk_error("more values than the chunk states");
    if (!out_.repetition_levels.empty() && out_.repetition_levels[0] != 0) {
      return chunk_error("its first page begins inside a row");
    }
    return Status::ok();
  }

  // Pages decoded before (a cache's), in order, as read() reads them.
  Status read_decoded(const std::vector<std::shared_ptr<const DecodedPage>>& pages) {
    for (const auto& p : pages) {
      if (done_) break;
      if (auto status = decoded_page(*p); !status) return status;
    }
    return Status::ok();
  }

  // The dictionary page alone (at `file_offset` of the file, -1: unknown).
  Status read_dictionary(std::string_view bytes, int64_t file_offset = -1) {
    size_t consumed = 0;
    auto header = parse_page_header(bytes, &consumed);
    if (!header) return header.status();
    if (header->type != PageType::kDictionaryPage) return chunk_error("no dictionary page");
    if (static_cast<size_t>(header->compressed_page_size) != bytes.size() - consumed) {
      return chunk_error("the dictionary page's size does not match its location");
    }
    return stored_page(*header, bytes.substr(consumed), consumed, file_offset);
  }

  // With windows: the slot of the chunk the next page read begins.
  void seek(uint64_t slot) { slot_ = slot; }

  ColumnChunkValues take() { return std::move(out_); }

 private:
  // A page as it lies in the file (its header parsed, `page` its data; `header_size` bytes of
  // header before it at `file_offset`): skipped, or decompressed (and kept in the cache) and
  // decoded.
  Status stored_page(const PageHeader& header, std::string_view page, size_t header_size,
                     int64_t file_offset) {
    auto want = wanted(header);
    if (!want || !*want) return want ? Status::ok() : want.status();
    auto body = uncompressed(header, page);
    if (!body) return body.status();
    if (cache_ && file_offset >= 0) {
      auto kept = std::make_shared<DecodedPage>();
      kept->header = header;
      kept->stored_size = header_size + page.size();
      kept->body = std::move(*body);
      // Weighed by what an entry takes: its body, its key twice (map and list), the nodes.
      std::string key = cache_->key(file_offset, meta_.codec);
      size_t weight = kept->body.size() + 2 * key.size() + 1024;
      cache_->cache->put(key, kept, weight);
      return decoded_body(header, kept->body);
    }
    return decoded_body(header, *body);
  }

  // A page decoded before.
  Status decoded_page(const DecodedPage& p) {
    auto want = wanted(p.header);
    if (!want || !*want) return want ? Status::ok() : want.status();
    return decoded_body(p.header, p.body);
  }

  // Whether a page is decoded: index pages and data pages outside the windows are skipped
  // (false); the others must fit the chunk and the limits (an error when they do not).
  Result<bool> wanted(const PageHeader& header) {
    if (header.type == PageType::kIndexPage) return false;
    if (header.type == PageType::kDictionaryPage) {
      if (auto s = admit_dictionary(header); !s) return s;
      return true;
    }
    int32_t n = header.type == PageType::kDataPage ? header.data_page_header->num_values
                                                   : header.data_page_header_v2->num_values;
    if (outside_window(n)) return false;
    if (auto s = admit(n); !s) return s;
    return true;
  }

  // A page's uncompressed bytes: the whole page (v2: its levels, stored uncompressed, then its
  // data).
  Result<std::string> uncompressed(const PageHeader& header, std::string_view page) {
    if (header.type != PageType::kDataPageV2) {
      return decompress_parquet_page(meta_.codec, page, header.uncompressed_page_size,
                                     limits_.max_page_bytes);
    }
    const auto& d = *header.data_page_header_v2;
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
    std::string_view data = page.substr(levels_size);
    size_t data_size = static_cast<size_t>(header.uncompressed_page_size) - levels_size;
    auto body =
        decompress_parquet_page(d.is_compressed ? meta_.codec : CompressionCodec::kUncompressed,
                                data, data_size, limits_.max_page_bytes);
    if (!body) return body.status();
    std::string out;
    out.reserve(levels_size + body->size());
    out.append(page.substr(0, levels_size));
    out.append(*body);
    return out;
  }

  Status decoded_body(const PageHeader& header, std::string_view body) {
    switch (header.type) {
      case PageType::kDictionaryPage:
        return dictionary_body(header, body);
      case PageType::kDataPage:
        return data_page_v1(header, body);
      case PageType::kDataPageV2:
        return data_page_v2(header, body);
      case PageType::kIndexPage:
        break;
    }
    return Status::ok();
  }

  Status admit_dictionary(const PageHeader& header) {
    if (has_dictionary_ || out_.num_slots > 0) return chunk_error("a misplaced dictionary page");
    const auto& d = *header.dictionary_page_header;
    if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
      return chunk_error("a dictionary page not PLAIN-encoded");
    }
    if (static_cast<uint64_t>(d.num_values) > limits_.max_values) return too_many_values();
    return Status::ok();
  }

  Status dictionary_body(const PageHeader& header, std::string_view body) {
    const auto& d = *header.dictionary_page_header;
    size_t consumed = 0;
    if (auto s = decode_plain(body, d.num_values, limits_.max_value_bytes, &dictionary_, &consumed);
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

  // A v1 data page, uncompressed (window and limits checked).
  Status data_page_v1(const PageHeader& header, std::string_view body) {
    const auto& d = *header.data_page_header;
    std::string_view rest = body;
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

  // A v2 data page, uncompressed: its levels, then its data (window and limits checked).
  Status data_page_v2(const PageHeader& header, std::string_view body) {
    const auto& d = *header.data_page_header_v2;
    if (out_.max_repetition_level == 0 && d.repetition_levels_byte_length != 0)
      return chunk_error("repetition levels in a flat column");
    auto rep_size = static_cast<size_t>(d.repetition_levels_byte_length);
    auto def_size = static_cast<size_t>(d.definition_levels_byte_length);
    if (rep_size + def_size > body.size()) return chunk_error("levels past the page");
    size_t from = out_.definition_levels.size();
    if (out_.max_repetition_level > 0) {
      size_t used = 0;
      if (auto s = decode_levels(body.substr(0, rep_size), out_.max_repetition_level, d.num_values,
                                 false, &out_.repetition_levels, &used);
          !s) {
        return s;
      }
    }
    if (out_.max_definition_level > 0) {
      size_t used = 0;
      if (auto s = decode_levels(body.substr(rep_size, def_size), out_.max_definition_level,
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
    return page_values(d.encoding, body.substr(rep_size + def_size), from, d.num_values);
  }

  Status too_many_values() const {
    return Status(ErrorKind::kPayloadTooLarge, "Parquet column chunk of more than " +
                                                   std::to_string(limits_.max_values) + " values");
  }

  const ColumnMetaData& meta_;
  const ColumnReadLimits& limits_;
  const PageCacheRef* cache_ = nullptr;
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

Result<ColumnChunkValues> read_column_page_runs(const ChunkPages& pages, const ColumnMetaData& meta,
                                                const SchemaElement& leaf, const SchemaNode& node,
                                                const std::vector<SlotWindow>* windows,
                                                const ColumnReadLimits& limits) {
  if (!leaf.type || *leaf.type != meta.type) {
    return chunk_error("its type does not match the schema");
  }
  if (windows && node.max_repetition_level > 0) {
    return chunk_error("slot windows of a repeated column");
  }
  if (windows) {
    for (size_t i = 1; i < windows->size(); ++i) {
      if ((*windows)[i].skip < (*windows)[i - 1].skip + (*windows)[i - 1].take) {
        return chunk_error("slot windows out of order");
      }
    }
  }
  ChunkReader reader(meta, leaf, node, limits, windows);
  reader.keep_in(pages.cache);
  if (pages.cached_dictionary) {
    if (auto s = reader.read_decoded({pages.cached_dictionary}); !s) return s;
  } else if (!pages.dictionary.empty()) {
    if (auto s = reader.read_dictionary(pages.dictionary, pages.dictionary_offset); !s) return s;
  }
  uint64_t next = 0;
  for (const auto& run : pages.runs) {
    if (run.first_slot < next) return chunk_error("page runs out of order");
    reader.seek(run.first_slot);
    Status s = run.cached.empty() ? reader.read(run.bytes, /*to_end=*/true, run.file_offset)
                                  : reader.read_decoded(run.cached);
    if (!s) return s;
    next = run.first_slot;
  }
  auto out = reader.take();
  if (!out.repetition_levels.empty() && out.repetition_levels[0] != 0) {
    return chunk_error("its first page begins inside a row");
  }
  return out;
}

}  // namespace vitrine::datasets
