// Local file system implementation of BlobStore.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/blob_store.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace vitrine::storage {
namespace {

namespace fs = std::filesystem;

bool valid_oid(std::string_view oid) {
  return util::is_lower_hex(oid, 64);
}

Status io_error(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

class LocalBlobWriter : public BlobWriter {
 public:
  LocalBlobWriter(int fd, std::string temp_path, std::string final_path, std::string oid,
                  uint64_t size)
      : fd_(fd),
        temp_path_(std::move(temp_path)),
        final_path_(std::move(final_path)),
        oid_(std::move(oid)),
        expected_size_(size) {}
  ~LocalBlobWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_path_.c_str());
  }

  Status write(std::string_view bytes) override {
    if (written_ + bytes.size() > expected_size_) {
      return unprocessable("Received more than the declared size of " +
                           std::to_string(expected_size_) + " bytes");
    }
    hasher_.update(bytes);
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("cannot write object");
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    written_ += bytes.size();
    // Start writeback while the upload is still arriving, so the fsync before the object
    // becomes visible has little left to do.
    if (written_ - writeback_started_ >= kWritebackWindow) {
      ::sync_file_range(fd_, static_cast<off_t>(writeback_started_),
                        static_cast<off_t>(written_ - writeback_started_), SYNC_FILE_RANGE_WRITE);
      writeback_started_ = written_;
    }
    return Status::ok();
  }

  Status commit() override {
    if (written_ != expected_size_) {
      return unprocessable("Size mismatch: expected " + std::to_string(expected_size_) +
                           " bytes, received " + std::to_string(written_));
    }
    std::string actual = hasher_.finish_hex();
    if (actual != oid_) {
      return unprocessable("Hash mismatch: expected sha256 " + oid_ + ", received " + actual);
    }
    // Durable before visible: fsync the data, then rename, then fsync the directory.
    if (::fsync(fd_) != 0) return io_error("cannot sync object");
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    fs::create_directories(fs::path(final_path_).parent_path(), ec);
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      return io_error("cannot publish object");
    }
    committed_ = true;
    int dir = ::open(fs::path(final_path_).parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
    return Status::ok();
  }

  uint64_t bytes_written() const override { return written_; }

 private:
  int fd_;
  std::string temp_path_;
  std::string final_path_;
  std::string oid_;
  uint64_t expected_size_;
  static constexpr uint64_t kWritebackWindow = 8u << 20;
  uint64_t written_ = 0;
  uint64_t writeback_started_ = 0;
  bool committed_ = false;
  util::Sha256 hasher_;
};

class LocalBlobStore : public BlobStore {
 public:
  explicit LocalBlobStore(std::string root) : root_(std::move(root)) {
    fs::create_directories(root_ + "/objects");
    fs::create_directories(root_ + "/tmp");
  }

  std::optional<uint64_t> size(std::string_view oid) override {
    if (!valid_oid(oid)) return std::nullopt;
    struct stat st {};
    if (::stat(path_of(oid).c_str(), &st) != 0) return std::nullopt;
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::shared_ptr<ObjectContent>> open(std::string_view oid) override {
    if (!valid_oid(oid)) return not_found("invalid object id");
    int fd = ::open(path_of(oid).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return not_found("object " + std::string(oid) + " not found");
      return io_error("cannot open object");
    }
    struct stat st {};
    ::fstat(fd, &st);
    auto content = std::make_shared<ObjectContent>();
    content->fds.push_back(fd);
    content->size = static_cast<uint64_t>(st.st_size);
    if (content->size > 0) {
      content->pieces.push_back(ObjectPiece{fd, 0, content->size, 0, content->size});
    }
    return content;
  }

  Result<std::unique_ptr<BlobWriter>> begin_write(std::string_view oid, uint64_t size) override {
    if (!valid_oid(oid)) return unprocessable("Invalid oid: expected 64 lowercase hex digits");
    std::string temp = root_ + "/tmp/upload-XXXXXX";
    int fd = ::mkstemp(temp.data());
    if (fd < 0) return io_error("cannot create temporary file");
    return std::unique_ptr<BlobWriter>(
        new LocalBlobWriter(fd, temp, path_of(oid), std::string(oid), size));
  }

 private:
  std::string path_of(std::string_view oid) const {
    return root_ + "/objects/" + std::string(oid.substr(0, 2)) + "/" +
           std::string(oid.substr(2, 2)) + "/" + std::string(oid);
  }
  std::string root_;
};

}  // namespace

std::unique_ptr<BlobStore> make_local_blob_store(const std::string& root) {
  return std::make_unique<LocalBlobStore>(root);
}

}  // namespace vitrine::storage
