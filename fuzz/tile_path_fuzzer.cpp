// Fuzzes the C2SP tile-path parser: anything it accepts is in range and formats back to the very
// same path (paths and tiles are one-to-one), and parsing never crashes on arbitrary input.
#include "formats/tlog/merkle.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view path = fuzz::as_text(data, size);
  auto tile = tlog::parse_tile_path(path);
  if (!tile) return 0;
  FUZZ_CHECK(tile->level == tlog::kEntriesLevel ||
             (tile->level >= 0 && tile->level <= tlog::kMaxTileLevel));
  FUZZ_CHECK(tile->n >= 0);
  FUZZ_CHECK(tile->width >= 1 && tile->width <= tlog::kTileWidth);
  std::string formatted = tlog::tile_path(*tile);
  FUZZ_CHECK(formatted == path);
  auto again = tlog::parse_tile_path(formatted);
  FUZZ_CHECK(again.is_ok() && *again == *tile);
  return 0;
}
