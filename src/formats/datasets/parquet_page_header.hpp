// Parquet page headers (PageHeader of parquet.thrift): the compact-Thrift struct before each
// page of a column chunk, read from untrusted bytes (parquet_thrift.hpp). A page header is
// small; one longer than kMaxPageHeaderBytes is refused rather than searched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "formats/datasets/parquet_metadata.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

inline constexpr size_t kMaxPageHeaderBytes = 16u << 20;

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  bool is_sorted = false;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
  std::optional<Statistics> statistics;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;  // both sizes are checked to be >= 0
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;  // the one matching `type` is present
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
};

// A page header at the start of `bytes`; *consumed is set to its length (the page's data
// follows). A header cut short by the end of `bytes` is kRangeNotSatisfiable (give more bytes,
// up to kMaxPageHeaderBytes); a malformed one, or one without the sub-header its type needs,
// is kUnprocessable. A data page v2's level lengths are checked to fit in the page.
Result<PageHeader> parse_page_header(std::string_view bytes, size_t* consumed);

}  // namespace vitrine::datasets
