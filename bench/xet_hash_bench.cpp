// Single-core throughput of the Xet format library: chunking, chunking + chunk hashing, raw
// BLAKE3 (keyed chunk hash over 64 KiB pieces), parse_xorb of a 64 MiB uncompressed xorb (full
// verification), and OpenSSL SHA-256 over the same bytes as the yardstick. Median of 3 runs.
// Run through bench/xet_hash.sh.
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>

#include "formats/xet/format.hpp"

using namespace vitrine;

namespace {

double median_gbps(size_t bytes, const std::function<void()>& work) {
  std::vector<double> rates;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    rates.push_back(static_cast<double>(bytes) / took.count() / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  return rates[1];
}

volatile uint64_t sink;

}  // namespace

int main() {
  const size_t size = 256u << 20;
  std::string data(size, '\0');
  std::mt19937_64 rng(42);
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t v = rng();
    std::copy_n(reinterpret_cast<const char*>(&v), 8, data.data() + i);
  }

  const double sha = median_gbps(size, [&] {
    unsigned char out[32];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
    sink = out[0];
  });
  const double chunking = median_gbps(size, [&] { sink = xet::chunk_boundaries(data).size(); });
  const double chunk_and_hash = median_gbps(size, [&] {
    uint64_t start = 0;
    for (uint64_t end : xet::chunk_boundaries(data)) {
      sink = xet::chunk_hash(std::string_view(data).substr(start, end - start)).bytes[0];
      start = end;
    }
  });
  const double blake3 = median_gbps(size, [&] {
    for (size_t at = 0; at < size; at += xet::kTargetChunkSize) {
      sink = xet::chunk_hash(std::string_view(data).substr(at, xet::kTargetChunkSize)).bytes[0];
    }
  });
  std::string xorb;
  {
    uint64_t start = 0;
    for (uint64_t end : xet::chunk_boundaries(std::string_view(data).substr(0, 64u << 20))) {
      const auto chunk = std::string_view(data).substr(start, end - start);
      if (xorb.size() + chunk.size() + 8 > xet::kMaxXorbBytes) break;
      xet::append_xorb_chunk(xorb, chunk, xet::chunk_hash(chunk), false);
      start = end;
    }
  }
  const double ingest = median_gbps(xorb.size(), [&] {
    auto index = xet::parse_xorb(xorb);
    if (!index) std::abort();
    sink = index->chunks.size();
  });

  std::printf("%-34s %8s %10s\n", "single core, 256 MiB random", "GB/s", "x SHA-256");
  auto row = [&](const char* name, double rate) {
    std::printf("%-34s %8.2f %10.2f\n", name, rate, rate / sha);
  };
  row("OpenSSL SHA-256 (yardstick)", sha);
  row("chunking (gear CDC)", chunking);
  row("chunking + chunk hashes", chunk_and_hash);
  row("BLAKE3 keyed, 64 KiB pieces", blake3);
  row("parse_xorb 64 MiB, uncompressed", ingest);
  return 0;
}
