// Fuzzes the Parquet footer, schema, page-header and offset-index parsers (the input read as a
// whole file, then as a page header, then as an offset index). A footer that parses ends the
// file and its column chunks lie between the leading magic and the footer; a tail one byte
// short asks for exactly the missing bytes; a page header never claims more bytes than it was
// given; the schema tree's levels are sound; an offset index is in order; every error is a
// clear message.
#include <nlohmann/json.hpp>
#include <string>

#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_offset_index.hpp"
#include "formats/datasets/parquet_page_header.hpp"
#include "formats/datasets/parquet_schema.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::as_text(data, size);
  auto tail_size = datasets::parquet_tail_size(bytes, size);
  auto footer = datasets::parse_parquet_footer(bytes, size);
  if (!tail_size) FUZZ_CHECK(!footer);
  if (footer) {
    FUZZ_CHECK(*tail_size <= size);
    FUZZ_CHECK(footer->metadata_offset + footer->metadata_length + 8 == size);
    for (const auto& group : footer->row_groups) {
      for (const auto& chunk : group.columns) {
        FUZZ_CHECK(chunk.meta_data);
        int64_t begin = chunk.meta_data->first_page_offset();
        FUZZ_CHECK(begin >= 4);
        FUZZ_CHECK(uint64_t(begin) + uint64_t(chunk.meta_data->total_compressed_size) <=
                   footer->metadata_offset);
      }
    }
    // Only the tail is needed: the same answer from it, and one byte less asks for it.
    auto again = datasets::parse_parquet_footer(bytes.substr(size - *tail_size), size);
    FUZZ_CHECK(again && again->schema.size() == footer->schema.size());
    auto short_tail = datasets::parse_parquet_footer(bytes.substr(size - *tail_size + 1), size);
    FUZZ_CHECK(short_tail.status().kind() == ErrorKind::kRangeNotSatisfiable);
    FUZZ_CHECK(short_tail.status().message() == "need " + std::to_string(*tail_size) + " bytes");
    // The schema tree: one leaf per column, levels within the depth bound, and Features that
    // name each top-level field once.
    auto schema = datasets::build_parquet_schema(footer->schema);
    if (schema) {
      for (size_t c = 0; c < schema->columns.size(); ++c) {
        const auto& node = schema->column_node(c);
        FUZZ_CHECK(node.column == c && !node.path.empty());
        FUZZ_CHECK(node.max_repetition_level <= node.max_definition_level);
        FUZZ_CHECK(node.path.size() <= datasets::kMaxParquetSchemaDepth + 1);
      }
      datasets::check_column_chunks(*footer, *schema);
      auto features = datasets::parquet_dataset_features(*footer, *schema);
      FUZZ_CHECK(features.size() == schema->nodes[0].children.size());
      features.dump();
    } else {
      FUZZ_CHECK(schema.status().kind() == ErrorKind::kUnprocessable);
    }
  } else {
    FUZZ_CHECK(!footer.status().message().empty());
    nlohmann::json(footer.status().message()).dump();
  }

  // The input as a page header, and the page header after the leading magic.
  for (std::string_view at : {bytes, bytes.substr(std::min<size_t>(4, size))}) {
    size_t consumed = 0;
    auto header = datasets::parse_page_header(at, &consumed);
    if (header) {
      FUZZ_CHECK(consumed > 0 && consumed <= at.size());
      FUZZ_CHECK(header->compressed_page_size >= 0 && header->uncompressed_page_size >= 0);
    } else {
      nlohmann::json(header.status().message()).dump();
    }
  }

  // The input as an OffsetIndex: pages in order, each row found in the page that starts at or
  // before it.
  auto pages = datasets::parse_offset_index(bytes);
  if (pages) {
    for (size_t i = 0; i < pages->size(); ++i) {
      FUZZ_CHECK(datasets::page_for_row(*pages, (*pages)[i].first_row_index) == i);
      if (i > 0) FUZZ_CHECK((*pages)[i].offset > (*pages)[i - 1].offset);
    }
  } else {
    FUZZ_CHECK(pages.status().kind() == ErrorKind::kUnprocessable);
  }
  return 0;
}
