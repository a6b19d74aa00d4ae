#include "service/transfer/object_reader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <lz4frame.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "formats/xet/format.hpp"
#include "storage/objects/blob_store.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;

// An object of three pieces, as a Xet reconstruction gives it: a plain range of one file, an
// LZ4-compressed chunk in another, and a plain range again; `content` is what it reads as.
class ObjectReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vitrine-reader-" + util::random_alnum(10));
    fs::create_directories(dir_);
    const std::string plain = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string chunk;
    for (int i = 0; i < 200; ++i) chunk += "chunk " + std::to_string(i) + "; ";
    std::string frame(LZ4F_compressFrameBound(chunk.size(), nullptr), '\0');
    size_t n = LZ4F_compressFrame(frame.data(), frame.size(), chunk.data(), chunk.size(), nullptr);
    ASSERT_FALSE(LZ4F_isError(n));
    frame.resize(n);
    int plain_fd = write_file("plain", "header:" + plain);
    int xorb_fd = write_file("xorb", "xx" + frame);
    content_ = std::make_shared<storage::ObjectContent>();
    content_->fds = {plain_fd, xorb_fd};
    content_->pieces = {
        {plain_fd, 7, 10, 0, 10},  // "0123456789"
        {xorb_fd, 2, frame.size(), static_cast<uint8_t>(xet::Compression::kLz4), chunk.size()},
        {plain_fd, 17, 26, 0, 26},  // "abcdefghijklmnopqrstuvwxyz"
    };
    expected_ = plain.substr(0, 10) + chunk + plain.substr(10);
    content_->size = expected_.size();
  }
  void TearDown() override { fs::remove_all(dir_); }

  int write_file(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    return fd;
  }

  // What a response body built from the reader sends: file ranges read back, bytes as they are.
  Result<std::string> read(uint64_t offset, uint64_t length, size_t* spans = nullptr) {
    ObjectReader reader(content_, offset, length);
    EXPECT_EQ(reader.length(), length);
    std::string out;
    size_t count = 0;
    for (;;) {
      ObjectSpan span;
      auto more = reader.next(span);
      if (!more) return more.status();
      if (!*more) break;
      ++count;
      if (span.fd >= 0) {
        std::string bytes(span.length, '\0');
        EXPECT_EQ(::pread(span.fd, bytes.data(), bytes.size(), static_cast<off_t>(span.offset)),
                  static_cast<ssize_t>(bytes.size()));
        out += bytes;
      } else {
        out += span.bytes;
      }
    }
    if (spans) *spans = count;
    return out;
  }

  fs::path dir_;
  std::shared_ptr<storage::ObjectContent> content_;
  std::string expected_;
};

TEST_F(ObjectReaderTest, TheWholeObjectReadsAsItsContentOneSpanPerPiece) {
  size_t spans = 0;
  auto all = read(0, expected_.size(), &spans);
  ASSERT_TRUE(all.is_ok()) << all.status().message();
  EXPECT_EQ(*all, expected_);
  EXPECT_EQ(spans, 3u);
}

TEST_F(ObjectReaderTest, EveryRangeReadsAsThatSliceOfTheContent) {
  const uint64_t size = expected_.size();
  // Starts and ends inside, at and across the pieces' edges (10, 10 + chunk), the compressed
  // piece included; an empty range reads nothing.
  for (uint64_t offset :
       std::vector<uint64_t>{0, 1, 9, 10, 11, 500, size - 27, size - 26, size - 1}) {
    for (uint64_t length : std::vector<uint64_t>{0, 1, 2, 17, 600, size}) {
      if (offset + length > size) continue;
      auto got = read(offset, length);
      ASSERT_TRUE(got.is_ok()) << got.status().message();
      EXPECT_EQ(*got, expected_.substr(offset, length))
          << "offset " << offset << " length " << length;
    }
  }
}

TEST_F(ObjectReaderTest, AStoredObjectShorterThanItsRangeIsAnErrorNotShortContent) {
  content_->pieces.pop_back();  // the last 26 bytes are gone
  auto got = read(0, expected_.size());
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().kind(), ErrorKind::kInternal);
}

TEST_F(ObjectReaderTest, ACompressedPieceThatDoesNotDecodeIsAnError) {
  content_->pieces[1].length += 1;  // decodes to one byte less than it claims
  auto got = read(5, 20);
  ASSERT_FALSE(got.is_ok());
}

}  // namespace
}  // namespace vitrine::service
