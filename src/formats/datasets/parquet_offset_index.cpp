// The OffsetIndex parser (parquet_offset_index.hpp).
#include "formats/datasets/parquet_offset_index.hpp"

#include <algorithm>

#include "formats/datasets/parquet_thrift.hpp"

namespace vitrine::datasets {

Result<std::vector<PageLocation>> parse_offset_index(std::string_view bytes) {
  ThriftReader in(bytes);
  std::vector<PageLocation> pages;
  uint64_t seen = 0;
  read_struct(
      in,
      [&](const ThriftField& f) {
        if (f.id != 1) return in.skip_field(f);
        ThriftList list = in.list_field(f, ThriftType::kStruct, "OffsetIndex.page_locations");
        pages.reserve(std::min<size_t>(list.size, 1024));  // a claim; grows as pages are read
        for (uint32_t i = 0; i < list.size && in.ok(); ++i) {
          PageLocation page;
          uint64_t page_seen = 0;
          read_struct(
              in,
              [&](const ThriftField& g) {
                if (g.id == 1) {
                  page.offset = non_negative_i64(in, g, "PageLocation.offset");
                } else if (g.id == 2) {
                  page.compressed_page_size =
                      non_negative_i32(in, g, "PageLocation.compressed_page_size");
                } else if (g.id == 3) {
                  page.first_row_index = non_negative_i64(in, g, "PageLocation.first_row_index");
                } else {
                  in.skip_field(g);
                }
              },
              &page_seen);
          require_fields(in, page_seen, {1, 2, 3}, "PageLocation");
          if (in.ok() && !pages.empty() &&
              (page.offset <= pages.back().offset ||
               page.first_row_index <= pages.back().first_row_index)) {
            in.fail("page locations out of order");
          }
          pages.push_back(page);
        }
      },
      &seen);
  require_fields(in, seen, {1}, "OffsetIndex");
  if (!in.ok()) return in.status();
  return pages;
}

size_t page_for_row(const std::vector<PageLocation>& pages, int64_t row) {
  auto after = std::upper_bound(
      pages.begin(), pages.end(), row,
      [](int64_t r, const PageLocation& page) { return r < page.first_row_index; });
  if (after == pages.begin()) return pages.size();
  return static_cast<size_t>(after - pages.begin()) - 1;
}

}  // namespace vitrine::datasets
