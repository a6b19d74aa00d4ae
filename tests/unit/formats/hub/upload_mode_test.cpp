// Unit tests for service/upload_mode: the regular-vs-LFS decision.
#include "formats/hub/upload_mode.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

class ClassifyUpload : public ::testing::Test {
 protected:
  GitAttributes defaults_ = GitAttributes::parse(default_gitattributes(false));
  GitAttributes none_ = GitAttributes::parse("");
  std::string binary_ = std::string("\x89PNG\r\n\x1a\n\0\0\0", 11);
};

TEST_F(ClassifyUpload, EmptyFileIsRegularEvenWhenTracked) {
  EXPECT_EQ(classify_upload("model.bin", 0, "", defaults_), UploadMode::kRegular);
}

TEST_F(ClassifyUpload, TrackedPatternsAreLfs) {
  EXPECT_EQ(classify_upload("model.bin", 5, "hello", defaults_), UploadMode::kLfs);
  EXPECT_EQ(classify_upload("data/x.pkl", 3, "abc", defaults_), UploadMode::kLfs);
  EXPECT_EQ(classify_upload("test.lfs.txt", 1000000, "text", defaults_), UploadMode::kLfs);
}

TEST_F(ClassifyUpload, LargeFilesAreLfs) {
  constexpr uint64_t kMiB = 1024 * 1024;
  EXPECT_EQ(classify_upload("big.txt", 10 * kMiB, "text", none_), UploadMode::kLfs);
  EXPECT_EQ(classify_upload("big.txt", 10 * kMiB - 1, "text", none_), UploadMode::kRegular);
}

TEST_F(ClassifyUpload, BinaryOverOneMegabyteIsLfs) {
  // The JS test's 4 MiB extension-less shard.
  EXPECT_EQ(classify_upload("group1-shard1of2", 4 * 1024 * 1024, binary_, defaults_),
            UploadMode::kLfs);
  EXPECT_EQ(classify_upload("blob", 1000001, binary_, none_), UploadMode::kLfs);
  EXPECT_EQ(classify_upload("blob", 1000000, binary_, none_), UploadMode::kRegular);
  EXPECT_EQ(classify_upload("blob", 5000000, "no nul here", none_), UploadMode::kRegular);
}

TEST_F(ClassifyUpload, SmallTextIsRegular) {
  EXPECT_EQ(classify_upload("README.md", 120, "# Title", defaults_), UploadMode::kRegular);
  EXPECT_EQ(classify_upload("config.json", 40, "{}", defaults_), UploadMode::kRegular);
}

}  // namespace
}  // namespace vitrine::service
