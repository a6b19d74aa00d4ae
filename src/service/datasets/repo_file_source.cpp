#include "service/datasets/repo_file_source.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "service/commits/object_links.hpp"
#include "storage/git/git_repo.hpp"

namespace vitrine::service {
namespace {

// An LFS object through its ObjectReader: spans of stored files are read with pread as the
// reader asks, decompressed Xet chunks are copied out of the span.
class ObjectSource : public datasets::ByteSource {
 public:
  explicit ObjectSource(OpenedObject object)
      : object_(std::move(object)), reader_(object_.read(0, object_.size)) {}

  Result<size_t> read(char* out, size_t n) override {
    while (span_left_ == 0) {
      auto more = reader_.next(span_);
      if (!more) return more.status();
      if (!*more) return size_t{0};
      span_left_ = span_.fd >= 0 ? span_.length : span_.bytes.size();
      span_at_ = 0;
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, span_left_));
    if (span_.fd >= 0) {
      ssize_t got = pread(span_.fd, out, want, static_cast<off_t>(span_.offset + span_at_));
      if (got < 0)
        return internal_error(std::string("reading a stored object: ") + strerror(errno));
      if (got == 0) return internal_error("a stored object ends before its recorded size");
      want = static_cast<size_t>(got);
    } else {
      std::memcpy(out, span_.bytes.data() + span_at_, want);
    }
    span_at_ += want;
    span_left_ -= want;
    return want;
  }

 private:
  OpenedObject object_;
  ObjectReader reader_;
  ObjectSpan span_;
  uint64_t span_at_ = 0;
  uint64_t span_left_ = 0;
};

// A git blob, held whole (bounded by kMaxGitBlobRead).
class BlobSource : public datasets::ByteSource {
 public:
  explicit BlobSource(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> read(char* out, size_t n) override {
    size_t want = std::min(n, bytes_.size() - at_);
    std::memcpy(out, bytes_.data() + at_, want);
    at_ += want;
    return want;
  }

 private:
  std::string bytes_;
  size_t at_ = 0;
};

// An LFS object read at any offset, span by span.
class ObjectFile : public datasets::RandomAccessFile {
 public:
  explicit ObjectFile(OpenedObject object) : object_(std::move(object)) {}
  uint64_t size() const override { return object_.size; }
  Status read_at(uint64_t offset, size_t n, std::string* out) override {
    if (offset > object_.size || n > object_.size - offset) {
      return unprocessable("a read past the end of the file");
    }
    out->resize(n);
    ObjectReader reader = object_.read(offset, n);
    ObjectSpan span;
    size_t at = 0;
    while (at < n) {
      auto more = reader.next(span);
      if (!more) return more.status();
      if (!*more) return internal_error("a stored object ends before its recorded size");
      if (span.fd >= 0) {
        uint64_t done = 0;
        while (done < span.length) {
          ssize_t got = pread(span.fd, out->data() + at, static_cast<size_t>(span.length - done),
                              static_cast<off_t>(span.offset + done));
          if (got < 0 && errno == EINTR) continue;
          if (got < 0) {
            return internal_error(std::string("reading a stored object: ") + strerror(errno));
          }
          if (got == 0) return internal_error("a stored object ends before its recorded size");
          done += static_cast<uint64_t>(got);
          at += static_cast<size_t>(got);
        }
      } else {
        std::memcpy(out->data() + at, span.bytes.data(), span.bytes.size());
        at += span.bytes.size();
      }
    }
    return Status::ok();
  }

 private:
  OpenedObject object_;
};

// A git blob held whole.
class BlobFile : public datasets::RandomAccessFile {
 public:
  explicit BlobFile(std::string bytes)
      : bytes_(std::move(bytes)), file_(datasets::memory_file(bytes_)) {}
  uint64_t size() const override { return bytes_.size(); }
  Status read_at(uint64_t offset, size_t n, std::string* out) override {
    return file_->read_at(offset, n, out);
  }

 private:
  std::string bytes_;
  std::unique_ptr<datasets::RandomAccessFile> file_;
};

// The object of an LFS pointer, when this repository holds it.
Result<OpenedObject> open_object(Hub& hub, RepoHandle& git, const FileEntry& file) {
  // As every reader of objects: a pointer names another repository's object only if this one
  // holds it (object_links.hpp).
  ObjectLinks links(hub);
  if (!links.holds(git.uid(), file.lfs->oid)) {
    return unprocessable(file.git.path + " points to a large file this repository does not hold");
  }
  return links.open(file.lfs->oid, /*prefer_xet=*/false);
}

Result<std::string> read_blob(RepoHandle& git, const FileEntry& file) {
  if (file.git.size > kMaxGitBlobRead) {
    return unprocessable(file.git.path + " is stored in git without LFS and is larger than " +
                         std::to_string(kMaxGitBlobRead >> 20) +
                         " MiB; the viewer reads such files only through LFS");
  }
  return git->read_blob(file.git.oid);
}

}  // namespace

Result<std::shared_ptr<datasets::RandomAccessFile>> open_repo_file_at(Hub& hub, RepoHandle& git,
                                                                      const FileEntry& file) {
  if (file.lfs) {
    auto object = open_object(hub, git, file);
    if (!object) return object.status();
    return std::shared_ptr<datasets::RandomAccessFile>(new ObjectFile(std::move(*object)));
  }
  auto bytes = read_blob(git, file);
  if (!bytes) return bytes.status();
  return std::shared_ptr<datasets::RandomAccessFile>(new BlobFile(std::move(*bytes)));
}

Result<std::unique_ptr<datasets::ByteSource>> open_repo_file(Hub& hub, RepoHandle& git,
                                                             const FileEntry& file) {
  if (file.lfs) {
    auto object = open_object(hub, git, file);
    if (!object) return object.status();
    return std::unique_ptr<datasets::ByteSource>(new ObjectSource(std::move(*object)));
  }
  auto bytes = read_blob(git, file);
  if (!bytes) return bytes.status();
  return std::unique_ptr<datasets::ByteSource>(new BlobSource(std::move(*bytes)));
}

}  // namespace vitrine::service
