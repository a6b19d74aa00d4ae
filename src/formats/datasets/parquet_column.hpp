// Reading one column chunk of a Parquet file into its values: page headers, decompression
// (parquet_codecs.hpp), definition levels and values (parquet_encodings.hpp), dictionary pages,
// data pages v1 and v2, with the definition and repetition levels that place the values in
// nested lists and structs (parquet_rows.hpp assembles them into rows).
//
// Pure: the caller reads the chunk's bytes (ColumnMetaData::first_page_offset(), then
// total_compressed_size bytes) and passes them in, or only some of its pages (a page index
// says where they lie, parquet_offset_index.hpp). Memory is bounded by ColumnReadLimits
// whatever the pages claim: a page's stated uncompressed size, the value slots of the chunk
// and the bytes of its byte-array values each have a limit, and passing one is
// kPayloadTooLarge (a decompression or encoding bomb). Malformed pages are kUnprocessable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_encodings.hpp"
#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_page_header.hpp"
#include "formats/datasets/parquet_schema.hpp"
#include "util/lru_cache.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

struct ColumnReadLimits {
  size_t max_page_bytes = 64u << 20;      // one page, uncompressed
  uint64_t max_values = 16u << 20;        // value slots (nulls included) of one chunk
  uint64_t max_value_bytes = 256u << 20;  // bytes of byte-array values of one chunk
};

struct ColumnChunkValues {
  ParquetValues values;                    // the non-null values, in slot order
  std::vector<int16_t> definition_levels;  // one per slot; empty when max_definition_level is 0
  std::vector<int16_t> repetition_levels;  // one per slot; empty when max_repetition_level is 0
  int32_t max_definition_level = 0;
  int32_t max_repetition_level = 0;
  uint64_t num_slots = 0;

  bool is_null(size_t slot) const {
    return !definition_levels.empty() && definition_levels[slot] < max_definition_level;
  }
};

// The values of a chunk of column `leaf` (its schema element and tree node) described by
// `meta`, from `chunk`, the chunk's bytes. Reads pages until meta.num_values slots are read;
// a chunk that ends first, a page past the chunk, a second dictionary page, a dictionary index
// past the dictionary or a value count that does not match its levels is an error.
Result<ColumnChunkValues> read_column_chunk(std::string_view chunk, const ColumnMetaData& meta,
                                            const SchemaElement& leaf, const SchemaNode& node,
                                            const ColumnReadLimits& limits = {});

// Slots [skip, skip + take) of the pages read (rows, for a column without repetition).
struct SlotWindow {
  uint64_t skip = 0;
  uint64_t take = UINT64_MAX;
};

// A page read and decompressed once, kept for later reads of the same file.
struct DecodedPage {
  PageHeader header;
  size_t stored_size = 0;  // its header and data as they lie in the file
  std::string body;        // uncompressed: the whole page (v2: its levels, then its data)
};
// Decoded pages by file and offset, weighed by their bodies' bytes.
using ParquetPageCache = util::LruCache<DecodedPage>;
// Where a file's pages are kept: the cache and the file's key (one per file content).
struct PageCacheRef {
  ParquetPageCache* cache = nullptr;
  std::string file_key;
  // A page's key: its offset and the codec its chunk names (a malformed file's chunks that
  // overlap never read one another's pages decompressed by another codec).
  std::string key(int64_t offset, CompressionCodec codec) const {
    return file_key + "@" + std::to_string(offset) + "/" + std::to_string(static_cast<int>(codec));
  }
};

// Consecutive pages of a chunk, the first beginning at slot `first_slot` of the chunk: their
// bytes as they lie at `file_offset` of the file (-1: unknown, nothing is cached), or the
// pages already decoded (`cached`, then `bytes` is not read).
struct PageRun {
  uint64_t first_slot = 0;
  std::string_view bytes;
  int64_t file_offset = -1;
  std::vector<std::shared_ptr<const DecodedPage>> cached;
};

// What read_column_page_runs reads: the chunk's dictionary page (its bytes at
// `dictionary_offset`, or already decoded, or none), the runs of data pages in order, and the
// cache that keeps the pages it decompresses (none: nothing kept).
struct ChunkPages {
  std::string_view dictionary;
  int64_t dictionary_offset = -1;
  std::shared_ptr<const DecodedPage> cached_dictionary;
  std::vector<PageRun> runs;
  const PageCacheRef* cache = nullptr;
};

// The slots of a chunk's pages in `pages`' runs: with `windows` (in order, not overlapping;
// slots of the chunk; a column without repetition only), only the slots inside them — each page
// decompressed once and decoded up to the last slot of a window in it, pages outside the windows
// skipped undecompressed, slots of the windows that no run holds missing from the values; without,
// every slot of the runs. Limits as read_column_chunk's.
Result<ColumnChunkValues> read_column_page_runs(const ChunkPages& pages, const ColumnMetaData& meta,
                                                const SchemaElement& leaf, const SchemaNode& node,
                                                const std::vector<SlotWindow>* windows,
                                                const ColumnReadLimits& limits = {});

}  // namespace vitrine::datasets
