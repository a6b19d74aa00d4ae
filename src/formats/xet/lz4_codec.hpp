// LZ4 as Xet chunks carry it (chunk compression types 1 and 2): the LZ4 frame format
// (magic 0x184D2204), which xet-core (lz4_flex's FrameEncoder) and huggingface.js write and
// read, and, for reading only, the raw LZ4 block format that Vitrine wrote before it wrote
// frames. Safe on untrusted input; thread-safe (each thread keeps its own liblz4 context).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::xet {

// Decodes one compressed chunk payload into `out`, resized to exactly `uncompressed_size`
// (at most kMaxChunkSize). A payload that starts with the frame magic must be exactly one LZ4
// frame that decodes to exactly `uncompressed_size` bytes (checksums verified when present;
// nothing may follow it); any other payload is decoded as a raw LZ4 block of that size.
// kBadRequest on any defect; `out` holds unspecified bytes then.
Status lz4_decode_chunk(std::string_view payload, uint32_t uncompressed_size, std::string& out);

// Sets `out` to `input` as one LZ4 frame (liblz4's default preferences: 64 KiB blocks, no
// checksums), which every Xet client decodes.
void lz4_encode_frame(std::string_view input, std::string& out);

}  // namespace vitrine::xet
