// The compression codecs of Parquet pages (apache/parquet-format Compression.md), through
// Debian's libraries: UNCOMPRESSED, SNAPPY (libsnappy), GZIP (zlib), BROTLI (libbrotlidec),
// ZSTD (libzstd), LZ4_RAW and the deprecated Hadoop-framed LZ4 (liblz4). LZO is refused.
// Compression (for the writer, parquet_writer.hpp) covers UNCOMPRESSED, SNAPPY, GZIP, ZSTD and
// LZ4_RAW, at the levels pyarrow uses by default.
//
// A page states its uncompressed size, so the output buffer has exactly that size and no codec
// may write past it: decompression memory is bounded by the stated size, which the caller
// bounds first (a page over its limit is refused before anything is allocated).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "formats/datasets/parquet_metadata.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// The `uncompressed_size` bytes that `compressed` decompresses to with `codec`. Errors: the
// size over `max_bytes` (kPayloadTooLarge: a decompression bomb), data that decompresses to
// more or fewer bytes than stated, or corrupt data (kUnprocessable), an unsupported codec
// (kUnprocessable, naming it). Thread-safe.
Result<std::string> decompress_parquet_page(CompressionCodec codec, std::string_view compressed,
                                            size_t uncompressed_size, size_t max_bytes);

// `raw` compressed with `codec`: SNAPPY (a raw snappy block), GZIP (one gzip member, zlib's
// default level), ZSTD (one frame, level 1 as Arrow's default) or LZ4_RAW (one LZ4 block);
// UNCOMPRESSED gives `raw` back. Errors: another codec, or input over what the codec can take
// in one block (kUnprocessable, naming it). Thread-safe.
Result<std::string> compress_parquet_page(CompressionCodec codec, std::string_view raw);

// The codec's name as parquet.thrift spells it ("SNAPPY"), or "codec N" for an unknown one.
std::string parquet_codec_name(CompressionCodec codec);

}  // namespace vitrine::datasets
