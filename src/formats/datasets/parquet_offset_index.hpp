// The OffsetIndex of a Parquet column chunk (parquet.thrift; written by Arrow and DuckDB after
// the pages, located by ColumnChunk::offset_index_offset/length): where each data page starts
// and which row it starts with, so a reader can go straight to the page that holds a row.
// Parsed from untrusted bytes with the bounded compact-protocol reader (parquet_thrift.hpp).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::datasets {

struct PageLocation {
  int64_t offset = 0;                // of the page header, in the file
  int32_t compressed_page_size = 0;  // the header included
  int64_t first_row_index = 0;       // within the row group
};

// The page locations of an OffsetIndex held in `bytes`. Errors (kUnprocessable): malformed
// Thrift, a negative offset, size or row index, pages whose offsets or first rows do not
// increase, or more pages than kMaxThriftListSize.
Result<std::vector<PageLocation>> parse_offset_index(std::string_view bytes);

// The index of the page that holds `row` (the last page whose first_row_index <= row), or
// pages.size() when there is none. `pages` as parse_offset_index returns them.
size_t page_for_row(const std::vector<PageLocation>& pages, int64_t row);

}  // namespace vitrine::datasets
