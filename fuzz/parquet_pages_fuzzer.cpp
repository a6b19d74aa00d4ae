// Fuzzes the Parquet page layer: the input is 4 bytes of settings (codec, physical type,
// optional or required, value count) and then a column chunk's bytes. A chunk that reads holds
// exactly the stated slots, one definition level per slot when optional and one value per
// non-null slot, within the limits; every codec and every encoding also runs over the raw bytes
// with a small bound, and never hands out more than it states.
#include <string>

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_column.hpp"
#include "formats/datasets/parquet_encodings.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;
using namespace vitrine::datasets;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  std::string_view chunk = fuzz::as_text(data + 4, size - 4);
  auto codec = static_cast<CompressionCodec>(data[0] % 8);
  auto type = static_cast<PhysicalType>(data[1] % 8);
  bool optional = data[2] & 1;
  int64_t num_values = data[3];

  ColumnReadLimits limits;
  limits.max_page_bytes = 1 << 20;
  limits.max_values = 1 << 16;
  limits.max_value_bytes = 1 << 20;
  SchemaElement leaf;
  leaf.name = "c";
  leaf.type = type;
  leaf.type_length = 1 + (data[2] >> 1) % 16;
  SchemaNode node;
  node.max_definition_level = optional ? 1 : 0;
  ColumnMetaData meta;
  meta.type = type;
  meta.codec = codec;
  meta.num_values = num_values;
  auto column = read_column_chunk(chunk, meta, leaf, node, limits);
  if (column) {
    FUZZ_CHECK(column->num_slots == uint64_t(num_values));
    size_t non_null = 0;
    if (optional) {
      FUZZ_CHECK(column->definition_levels.size() == column->num_slots);
      for (size_t i = 0; i < column->num_slots; ++i) non_null += !column->is_null(i);
    } else {
      FUZZ_CHECK(column->definition_levels.empty());
      non_null = column->num_slots;
    }
    FUZZ_CHECK(column->values.size() == non_null);
    FUZZ_CHECK(column->values.bytes.size() <= limits.max_value_bytes);
  } else {
    auto kind = column.status().kind();
    FUZZ_CHECK(kind == ErrorKind::kUnprocessable || kind == ErrorKind::kPayloadTooLarge);
  }

  // The raw bytes through the codec, stating the size the settings give.
  size_t stated = size_t(data[3]) << 8 | data[2];
  auto page = decompress_parquet_page(codec, chunk, stated, 1 << 16);
  if (page) FUZZ_CHECK(page->size() == stated);

  // And through each encoding, as a few values.
  for (int encoding : {0, 2, 3, 5, 6, 7, 8, 9}) {
    ParquetValues dictionary;
    dictionary.type = type;
    dictionary.type_length = leaf.type_length.value_or(1);
    size_t consumed = 0;
    decode_plain(std::string_view(chunk).substr(0, 16), 2, 1 << 10, &dictionary, &consumed);
    ParquetValues out = dictionary;
    out.int32s.clear();
    out.int64s.clear();
    out.floats.clear();
    out.doubles.clear();
    out.bytes.clear();
    out.ends.clear();
    size_t count = data[3] % 64;
    auto status =
        decode_values(static_cast<Encoding>(encoding), chunk, count, &dictionary, 1 << 16, &out);
    if (status) FUZZ_CHECK(out.size() == count);
    FUZZ_CHECK(out.bytes.size() <= (1 << 16));
  }
  return 0;
}
