// LfsService: the storage side of the LFS batch protocol — which objects must be uploaded,
// streaming uploads checked against their SHA-256 as they arrive, multipart uploads, and the
// signatures that make object URLs self-authenticating (the clients send no credentials on
// PUT, part uploads or completion). Objects are content-addressed and shared by all repos.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "service/hub.hpp"

namespace vitrine::service {

// Pulls the next bytes of an upload; 0 means the end.
using ByteSource = std::function<Result<size_t>(char* buffer, size_t n)>;

class LfsService {
 public:
  explicit LfsService(Hub& hub) : hub_(hub) {}

  // Signature over an action on one object, valid until `expires` (unix seconds).
  std::string sign(std::string_view action, std::string_view oid, uint64_t size,
                   int64_t expires) const;
  Status check_signature(std::string_view action, std::string_view oid, uint64_t size,
                         int64_t expires, std::string_view signature) const;

  // Streams one whole object into the store; kUnprocessable if hash or size differ.
  Status store_object(const std::string& oid, uint64_t size, const ByteSource& source);
  // One part of a multipart upload for one repository; returns its ETag. Parts are kept per
  // repository, so two uploaders of the same oid never read or replace each other's parts.
  Result<std::string> store_part(const std::string& repo_uid, const std::string& oid, uint64_t size,
                                 int part, uint64_t part_size, const ByteSource& source);
  // Assembles the parts (numbered 1..n, ETags as returned by store_part) and checks that they
  // hash to `oid`. Every part must have been sent, even when the object is stored already:
  // completing is proof of possession (what links the object to the repository), so an
  // empty or partial list is refused (kUnprocessable) whatever the store holds.
  Status complete_multipart(const std::string& repo_uid, const std::string& oid, uint64_t size,
                            const std::vector<std::pair<int, std::string>>& parts);
  // Removes the parts of multipart uploads not touched for `grace_seconds` (abandoned: their
  // URLs expire after an hour), and those of the earlier per-oid layout; returns the bytes freed.
  // For `vitrine gc`.
  Result<uint64_t> remove_abandoned_parts(int64_t grace_seconds);

 private:
  // The folder of one repository's parts of one object; kUnprocessable unless both are hex.
  Result<std::string> parts_dir(const std::string& repo_uid, const std::string& oid,
                                uint64_t size) const;
  Hub& hub_;
};

}  // namespace vitrine::service
