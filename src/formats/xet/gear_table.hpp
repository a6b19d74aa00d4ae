// The gear table of the Xet content-defined chunker (see chunker.cpp).
#pragma once

#include <array>
#include <cstdint>

namespace vitrine::xet {

// TABLE[256] of docs/xet/chunking.md: the default table of the rust `gearhash` crate.
extern const std::array<uint64_t, 256> kGearTable;

}  // namespace vitrine::xet
