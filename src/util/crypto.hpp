// Hashing, MACs and randomness on top of OpenSSL's EVP API: SHA-256 of blobs and LFS objects,
// HMAC-SHA256 for signed URLs, and token generation. All free functions are thread-safe. OpenSSL
// failures (allocation, a broken RNG) are bugs or fatal conditions and throw std::runtime_error.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace vitrine::util {

// Incremental SHA-256. Feed data with update(), then call finish_hex() exactly once; further
// calls to update() or finish_hex() after that throw std::logic_error. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  void update(const void* data, size_t size);
  // Lowercase hex digest (64 characters).
  std::string finish_hex();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

// Lowercase hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

// Lowercase hex HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// n cryptographically secure random bytes (OpenSSL RAND_bytes).
std::string random_bytes(size_t n);

// n characters drawn uniformly from [A-Za-z0-9] with a CSPRNG (rejection sampling, so no
// modulo bias). Suitable for tokens and ids.
std::string random_alnum(size_t n);

// Compares in time independent of where a and b differ (CRYPTO_memcmp). Different lengths
// return false immediately: the length is not treated as secret.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace vitrine::util
