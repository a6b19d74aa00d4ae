// The page-header parser (parquet_page_header.hpp).
#include "formats/datasets/parquet_page_header.hpp"

namespace vitrine::datasets {

Result<PageHeader> parse_page_header(std::string_view bytes, size_t* consumed) {
  ThriftReader in(bytes.substr(0, kMaxPageHeaderBytes));
  PageHeader h;
  uint64_t seen = 0;
  read_struct(
      in,
      [&](const ThriftField& f) {
        switch (f.id) {
          case 1:
            h.type = PageType(enum_field(in, f, "PageHeader.type", 3));
            break;
          case 2:
            h.uncompressed_page_size = non_negative_i32(in, f, "uncompressed_page_size");
            break;
          case 3:
            h.compressed_page_size = non_negative_i32(in, f, "compressed_page_size");
            break;
          case 4:
            h.crc = in.i32_field(f, "PageHeader.crc");
            break;
          case 5: {
            if (!in.expect(f, ThriftType::kStruct, "data_page_header")) return;
            DataPageHeader d;
            uint64_t d_seen = 0;
            read_struct(
                in,
                [&](const ThriftField& g) {
                  switch (g.id) {
                    case 1:
                      d.num_values = non_negative_i32(in, g, "num_values");
                      break;
                    case 2:
                      d.encoding = Encoding(in.i32_field(g, "encoding"));
                      break;
                    case 3:
                      d.definition_level_encoding = Encoding(in.i32_field(g, "encoding"));
                      break;
                    case 4:
                      d.repetition_level_encoding = Encoding(in.i32_field(g, "encoding"));
                      break;
                    case 5:
                      if (in.expect(g, ThriftType::kStruct, "statistics")) {
                        d.statistics = read_parquet_statistics(in);
                      }
                      break;
                    default:
                      in.skip_field(g);
                  }
                },
                &d_seen);
            require_fields(in, d_seen, {1, 2, 3, 4}, "DataPageHeader");
            h.data_page_header = std::move(d);
            break;
          }
          case 7: {
            if (!in.expect(f, ThriftType::kStruct, "dictionary_page_header")) return;
            DictionaryPageHeader d;
            uint64_t d_seen = 0;
            read_struct(
                in,
                [&](const ThriftField& g) {
                  switch (g.id) {
                    case 1:
                      d.num_values = non_negative_i32(in, g, "num_values");
                      break;
                    case 2:
                      d.encoding = Encoding(in.i32_field(g, "encoding"));
                      break;
                    case 3:
                      d.is_sorted = in.bool_field(g, "is_sorted");
                      break;
                    default:
                      in.skip_field(g);
                  }
                },
                &d_seen);
            require_fields(in, d_seen, {1, 2}, "DictionaryPageHeader");
            h.dictionary_page_header = d;
            break;
          }
          case 8: {
            if (!in.expect(f, ThriftType::kStruct, "data_page_header_v2")) return;
            DataPageHeaderV2 d;
            uint64_t d_seen = 0;
            read_struct(
                in,
                [&](const ThriftField& g) {
                  switch (g.id) {
                    case 1:
                      d.num_values = non_negative_i32(in, g, "num_values");
                      break;
                    case 2:
                      d.num_nulls = non_negative_i32(in, g, "num_nulls");
                      break;
                    case 3:
                      d.num_rows = non_negative_i32(in, g, "num_rows");
                      break;
                    case 4:
                      d.encoding = Encoding(in.i32_field(g, "encoding"));
                      break;
                    case 5:
                      d.definition_levels_byte_length =
                          non_negative_i32(in, g, "definition_levels_byte_length");
                      break;
                    case 6:
                      d.repetition_levels_byte_length =
                          non_negative_i32(in, g, "repetition_levels_byte_length");
                      break;
                    case 7:
                      d.is_compressed = in.bool_field(g, "is_compressed");
                      break;
                    case 8:
                      if (in.expect(g, ThriftType::kStruct, "statistics")) {
                        d.statistics = read_parquet_statistics(in);
                      }
                      break;
                    default:
                      in.skip_field(g);
                  }
                },
                &d_seen);
            require_fields(in, d_seen, {1, 2, 3, 4, 5, 6}, "DataPageHeaderV2");
            h.data_page_header_v2 = std::move(d);
            break;
          }
          default:
            in.skip_field(f);
        }
      },
      &seen);
  require_fields(in, seen, {1, 2, 3}, "PageHeader");
  if (!in.ok()) {
    if (in.truncated() && bytes.size() < kMaxPageHeaderBytes) {
      return Status(ErrorKind::kRangeNotSatisfiable, "page header truncated");
    }
    return in.status();
  }
  auto bad = [](std::string m) { return unprocessable("Parquet page header: " + m); };
  switch (h.type) {
    case PageType::kDataPage:
      if (!h.data_page_header) return bad("data page without data_page_header");
      break;
    case PageType::kDictionaryPage:
      if (!h.dictionary_page_header) return bad("dictionary page without its header");
      break;
    case PageType::kDataPageV2: {
      if (!h.data_page_header_v2) return bad("data page v2 without data_page_header_v2");
      const auto& v2 = *h.data_page_header_v2;
      int64_t levels = int64_t{v2.definition_levels_byte_length} + v2.repetition_levels_byte_length;
      if (levels > h.compressed_page_size || levels > h.uncompressed_page_size) {
        return bad("level lengths past the page");
      }
      if (v2.num_nulls > v2.num_values) return bad("more nulls than values");
      break;
    }
    case PageType::kIndexPage:
      break;
  }
  *consumed = in.position();
  return h;
}

}  // namespace vitrine::datasets
