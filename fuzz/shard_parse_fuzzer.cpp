// Fuzzes MDB shard parsing (untrusted upload bodies). Whatever parses must serialize, with and
// without a footer, to bytes that parse back to the same content.
#include "formats/xet/format.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

namespace {

bool same(const xet::Shard& a, const xet::Shard& b) {
  if (a.files.size() != b.files.size() || a.xorbs.size() != b.xorbs.size()) return false;
  for (size_t i = 0; i < a.files.size(); ++i) {
    const auto& x = a.files[i];
    const auto& y = b.files[i];
    if (x.file_hash != y.file_hash || x.flags != y.flags || x.verification != y.verification ||
        x.sha256 != y.sha256 || x.terms.size() != y.terms.size()) {
      return false;
    }
    for (size_t j = 0; j < x.terms.size(); ++j) {
      const auto& s = x.terms[j];
      const auto& t = y.terms[j];
      if (s.xorb_hash != t.xorb_hash || s.cas_flags != t.cas_flags ||
          s.unpacked_bytes != t.unpacked_bytes || s.chunk_start != t.chunk_start ||
          s.chunk_end != t.chunk_end) {
        return false;
      }
    }
  }
  for (size_t i = 0; i < a.xorbs.size(); ++i) {
    const auto& x = a.xorbs[i];
    const auto& y = b.xorbs[i];
    if (x.xorb_hash != y.xorb_hash || x.flags != y.flags || x.bytes_in_cas != y.bytes_in_cas ||
        x.bytes_on_disk != y.bytes_on_disk || x.chunks.size() != y.chunks.size()) {
      return false;
    }
    for (size_t j = 0; j < x.chunks.size(); ++j) {
      if (x.chunks[j].chunk_hash != y.chunks[j].chunk_hash ||
          x.chunks[j].byte_range_start != y.chunks[j].byte_range_start ||
          x.chunks[j].unpacked_bytes != y.chunks[j].unpacked_bytes) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto shard = xet::parse_shard(fuzz::as_text(data, size));
  if (!shard) return 0;
  for (const auto& file : shard->files) {
    FUZZ_CHECK(file.verification.empty() || file.verification.size() == file.terms.size());
  }
  auto with_footer = xet::parse_shard(xet::serialize_shard(*shard));
  FUZZ_CHECK(with_footer.is_ok());
  FUZZ_CHECK(same(*shard, *with_footer));
  FUZZ_CHECK(with_footer->hmac_key == shard->hmac_key);
  FUZZ_CHECK(with_footer->key_expiry == shard->key_expiry);
  auto without = xet::parse_shard(xet::serialize_shard(*shard, false));
  FUZZ_CHECK(without.is_ok());
  FUZZ_CHECK(same(*shard, *without));
  return 0;
}
