// The earlier plain-file LFS store (lfs/objects/ab/cd/<oid>), kept read-only: XetStore reads
// objects from it until they are migrated.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/objects/blob_store.hpp"
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

  // Read-only: new objects go to the Xet store; this one only serves what it still holds
  // until `vitrine migrate` converts it.
  Result<std::unique_ptr<BlobWriter>> begin_write(std::string_view, uint64_t) override {
    return internal_error("the plain-file LFS store is read-only; write to the Xet store");
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
