// LFS object uploads (whole and multipart) and URL signatures.
#include "service/transfer/lfs_service.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "storage/xet/xet_store.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

namespace fs = std::filesystem;

std::string LfsService::sign(std::string_view action, std::string_view oid, uint64_t size,
                             int64_t expires) const {
  std::string message = std::string(action) + "\n" + std::string(oid) + "\n" +
                        std::to_string(size) + "\n" + std::to_string(expires);
  return util::hmac_sha256_hex(hub_.signing_key(), message);
}

Status LfsService::check_signature(std::string_view action, std::string_view oid, uint64_t size,
                                   int64_t expires, std::string_view signature) const {
  if (expires < util::now_ms() / 1000) return forbidden("This upload URL has expired");
  if (!util::constant_time_equals(sign(action, oid, size, expires), signature)) {
    return forbidden("Invalid signature for this object URL");
  }
  return Status::ok();
}

Status LfsService::store_object(const std::string& oid, uint64_t size, const ByteSource& source) {
  if (size > hub_.config().max_lfs_object) {
    return Status(ErrorKind::kPayloadTooLarge, "Object larger than the configured limit");
  }
  // Even when the object is already stored, the bytes are received and verified, so a
  // client never learns that an object exists by uploading garbage under its oid.
  auto writer = hub_.blobs().begin_write(oid, size);
  if (!writer) return writer.status();
  std::vector<char> buffer(256 * 1024);
  while (true) {
    auto n = source(buffer.data(), buffer.size());
    if (!n) return n.status();
    if (*n == 0) break;
    if (auto st = (*writer)->write({buffer.data(), *n}); !st) return st;
  }
  return (*writer)->commit();
}

Result<uint64_t> LfsService::remove_abandoned_parts(int64_t grace_seconds) {
  std::error_code ec;
  uint64_t freed = 0;
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::seconds(grace_seconds);
  std::string root = hub_.config().data_dir + "/lfs/parts";
  // lfs/parts/{repo uid}/{oid}-{size}/{n}; before: lfs/parts/{oid}-{size}/{n}.
  std::vector<fs::path> uploads;
  for (fs::directory_iterator top(root, ec), end; !ec && top != end; top.increment(ec)) {
    if (!top->is_directory(ec)) continue;
    if (top->path().filename().string().find('-') != std::string::npos) {
      uploads.push_back(top->path());
      continue;
    }
    for (fs::directory_iterator it(top->path(), ec); !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) uploads.push_back(it->path());
    }
    ec.clear();
  }
  for (const auto& dir : uploads) {
    // The newest part decides: an upload still receiving parts is kept.
    auto newest = fs::last_write_time(dir, ec);
    uint64_t bytes = 0;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      newest = std::max(newest, fs::last_write_time(it->path(), ec));
      bytes += it->is_regular_file(ec) ? fs::file_size(it->path(), ec) : 0;
    }
    if (newest > cutoff) continue;
    if (fs::remove_all(dir, ec) != static_cast<std::uintmax_t>(-1) && !ec) freed += bytes;
  }
  // Repository folders left empty.
  for (fs::directory_iterator top(root, ec), end; !ec && top != end; top.increment(ec)) {
    if (top->is_directory(ec) && fs::is_empty(top->path(), ec)) fs::remove(top->path(), ec);
  }
  return freed;
}

Result<std::string> LfsService::parts_dir(const std::string& repo_uid, const std::string& oid,
                                          uint64_t size) const {
  // Both come from a signed URL, but they still name a folder: hex only.
  if (!util::is_lower_hex(oid, 64)) return unprocessable("Invalid oid");
  if (repo_uid.empty() || !util::is_lower_hex(repo_uid, repo_uid.size())) {
    return unprocessable("Invalid repository in the upload URL");
  }
  return hub_.config().data_dir + "/lfs/parts/" + repo_uid + "/" + oid + "-" + std::to_string(size);
}

Result<std::string> LfsService::store_part(const std::string& repo_uid, const std::string& oid,
                                           uint64_t size, int part, uint64_t part_size,
                                           const ByteSource& source) {
  auto parts = parts_dir(repo_uid, oid, size);
  if (!parts) return parts.status();
  const std::string& dir = *parts;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string final_path = dir + "/" + std::to_string(part);
  std::string temp = final_path + ".tmp-" + util::random_alnum(8);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return internal_error("cannot store part");
  util::Sha256 hasher;
  uint64_t written = 0;
  std::vector<char> buffer(256 * 1024);
  Status status;
  while (status) {
    auto n = source(buffer.data(), buffer.size());
    if (!n) {
      status = n.status();
      break;
    }
    if (*n == 0) break;
    written += *n;
    if (written > part_size) {
      status = unprocessable("Part " + std::to_string(part) + " is larger than " +
                             std::to_string(part_size) + " bytes");
      break;
    }
    hasher.update(buffer.data(), *n);
    if (::write(fd, buffer.data(), *n) != static_cast<ssize_t>(*n)) {
      status = internal_error("cannot write part");
    }
  }
  ::close(fd);
  if (status && written != part_size) {
    status = unprocessable("Part " + std::to_string(part) + " has " + std::to_string(written) +
                           " bytes, expected " + std::to_string(part_size));
  }
  if (!status) {
    ::unlink(temp.c_str());
    return status;
  }
  fs::rename(temp, final_path, ec);
  if (ec) return internal_error("cannot store part: " + ec.message());
  return "\"" + hasher.finish_hex() + "\"";
}

Status LfsService::complete_multipart(const std::string& repo_uid, const std::string& oid,
                                      uint64_t size,
                                      const std::vector<std::pair<int, std::string>>& parts) {
  auto parts_folder = parts_dir(repo_uid, oid, size);
  if (!parts_folder) return parts_folder.status();
  const std::string& dir = *parts_folder;
  uint64_t chunk = hub_.config().multipart_chunk_size;
  size_t expected_parts = static_cast<size_t>((size + chunk - 1) / chunk);
  if (parts.size() != expected_parts) {
    return unprocessable("Expected " + std::to_string(expected_parts) + " parts, got " +
                         std::to_string(parts.size()));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].first != static_cast<int>(i + 1)) {
      return unprocessable("Parts must be numbered 1.." + std::to_string(expected_parts));
    }
  }
  // The parts are read back and hashed whether or not the object is stored already: the
  // answer and the link to the repository depend only on what this uploader sent.
  bool stored = hub_.blobs().exists(oid);
  std::unique_ptr<storage::BlobWriter> writer;
  if (!stored) {
    auto opened = hub_.blobs().begin_write(oid, size);
    if (!opened) return opened.status();
    writer = std::move(*opened);
  }
  util::Sha256 whole;
  uint64_t total = 0;
  std::vector<char> buffer(256 * 1024);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string path = dir + "/" + std::to_string(i + 1);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return unprocessable("Part " + std::to_string(i + 1) + " was not uploaded");
    util::Sha256 hasher;
    Status status;
    while (status) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0) status = internal_error("cannot read part");
      if (n <= 0) break;
      std::string_view piece(buffer.data(), static_cast<size_t>(n));
      hasher.update(piece.data(), piece.size());
      whole.update(piece.data(), piece.size());
      total += piece.size();
      if (writer) status = writer->write(piece);
    }
    ::close(fd);
    if (!status) return status;
    std::string etag = parts[i].second;
    std::string actual = "\"" + hasher.finish_hex() + "\"";
    if (etag != actual && "\"" + etag + "\"" != actual) {
      return unprocessable("ETag mismatch for part " + std::to_string(i + 1));
    }
  }
  if (writer) {
    if (auto st = writer->commit(); !st) return st;  // checks size and SHA-256
  } else if (total != size || whole.finish_hex() != oid) {
    return unprocessable("The parts do not hash to " + oid);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return Status::ok();
}

}  // namespace vitrine::service
