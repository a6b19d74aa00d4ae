// Unit tests for service/commit_ops: parsing of the commit endpoint's NDJSON lines.
#include "formats/hub/commit_ops.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace vitrine::service {
namespace {

const std::string kSha256 = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

template <typename T>
const T& op_as(const Result<CommitOperation>& r) {
  return std::get<T>(r.value());
}

TEST(CommitHeader, ParsesAllFields) {
  auto h = parse_commit_header(
      R"({"key":"header","value":{"summary":"Upload model","description":"details","parentCommit":")" +
      kCommit + R"("}})");
  ASSERT_TRUE(h.is_ok()) << h.status().message();
  EXPECT_EQ(h->summary, "Upload model");
  EXPECT_EQ(h->description, "details");
  EXPECT_EQ(h->parent_commit, kCommit);
}

TEST(CommitHeader, OptionalFields) {
  auto h = parse_commit_header(R"({"key":"header","value":{"summary":"s"}})");
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->description, "");
  EXPECT_FALSE(h->parent_commit.has_value());

  auto nulls = parse_commit_header(
      R"({"key":"header","value":{"summary":"s","description":null,"parentCommit":null}})");
  ASSERT_TRUE(nulls.is_ok());
  EXPECT_FALSE(nulls->parent_commit.has_value());
}

TEST(CommitHeader, UppercaseParentIsLowercased) {
  std::string upper = "0123456789ABCDEF0123456789ABCDEF01234567";
  auto h = parse_commit_header(R"({"key":"header","value":{"summary":"s","parentCommit":")" +
                               upper + R"("}})");
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->parent_commit, kCommit);
}

TEST(CommitHeader, Errors) {
  for (const std::string& line : {
           std::string(R"({"key":"header","value":{"summary":""}})"),
           std::string(R"({"key":"header","value":{}})"),
           std::string(R"({"key":"header","value":{"summary":5}})"),
           std::string(R"({"key":"header","value":{"summary":"s","description":1}})"),
           std::string(R"({"key":"header","value":{"summary":"s","parentCommit":"abc"}})"),
           std::string(R"({"key":"header","value":{"summary":"s","parentCommit":")") +
               std::string(40, 'g') + "\"}}",
           std::string(R"({"key":"file","value":{"path":"a","content":""}})"),
           std::string(R"({"key":"header"})"),
           std::string(R"({"key":"header","value":"x"})"),
           std::string(R"({"value":{"summary":"s"}})"),
           std::string(R"(["header"])"),
           std::string("not json"),
           std::string(""),
       }) {
    auto h = parse_commit_header(line);
    EXPECT_FALSE(h.is_ok()) << line;
    EXPECT_EQ(h.status().kind(), ErrorKind::kBadRequest) << line;
    EXPECT_FALSE(h.status().message().empty());
  }
}

TEST(CommitOperation, FileBase64) {
  auto op = parse_commit_operation(
      R"({"key":"file","value":{"path":"dir/a.txt","content":"aGVsbG8=","encoding":"base64"}})");
  ASSERT_TRUE(op.is_ok()) << op.status().message();
  EXPECT_EQ(op_as<FileOp>(op).path, "dir/a.txt");
  EXPECT_EQ(op_as<FileOp>(op).content, "hello");
}

TEST(CommitOperation, FileEncodingAbsentMeansBase64) {
  auto op = parse_commit_operation(R"({"key":"file","value":{"path":"a","content":"AAEC"}})");
  ASSERT_TRUE(op.is_ok());
  EXPECT_EQ(op_as<FileOp>(op).content, std::string("\0\1\2", 3));
}

TEST(CommitOperation, FileUtf8) {
  auto op = parse_commit_operation(
      R"({"key":"file","value":{"path":"a.md","content":"caf\u00e9 \n","encoding":"utf-8"}})");
  ASSERT_TRUE(op.is_ok());
  EXPECT_EQ(op_as<FileOp>(op).content, "caf\xC3\xA9 \n");
}

TEST(CommitOperation, EmptyFile) {
  auto op = parse_commit_operation(R"({"key":"file","value":{"path":"empty","content":""}})");
  ASSERT_TRUE(op.is_ok());
  EXPECT_EQ(op_as<FileOp>(op).content, "");
}

TEST(CommitOperation, LfsFile) {
  auto op =
      parse_commit_operation(R"({"key":"lfsFile","value":{"path":"m.bin","algo":"sha256","oid":")" +
                             kSha256 + R"(","size":12345}})");
  ASSERT_TRUE(op.is_ok()) << op.status().message();
  const auto& lfs = op_as<LfsFileOp>(op);
  EXPECT_EQ(lfs.path, "m.bin");
  EXPECT_EQ(lfs.oid, kSha256);
  EXPECT_EQ(lfs.size, 12345u);
}

TEST(CommitOperation, LfsFileWithoutSizeOrAlgoAndUppercaseOid) {
  std::string upper = kSha256;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto op = parse_commit_operation(R"({"key":"lfsFile","value":{"path":"copy.bin","oid":")" +
                                   upper + R"("}})");
  ASSERT_TRUE(op.is_ok()) << op.status().message();
  EXPECT_EQ(op_as<LfsFileOp>(op).oid, kSha256);
  EXPECT_FALSE(op_as<LfsFileOp>(op).size.has_value());
}

TEST(CommitOperation, DeletedFileAndFolder) {
  auto file = parse_commit_operation(R"({"key":"deletedFile","value":{"path":"dir/a.txt"}})");
  ASSERT_TRUE(file.is_ok());
  EXPECT_EQ(op_as<DeleteFileOp>(file).path, "dir/a.txt");

  auto folder = parse_commit_operation(R"({"key":"deletedFolder","value":{"path":"dir/sub/"}})");
  ASSERT_TRUE(folder.is_ok());
  EXPECT_EQ(op_as<DeleteFolderOp>(folder).path, "dir/sub");

  auto plain = parse_commit_operation(R"({"key":"deletedFolder","value":{"path":"1"}})");
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ(op_as<DeleteFolderOp>(plain).path, "1");
}

TEST(CommitOperation, BadRequests) {
  for (const std::string& line : {
           std::string(R"({"key":"header","value":{"summary":"again"}})"),
           std::string(R"({"key":"rename","value":{"path":"a"}})"),
           std::string(R"({"key":"file","value":{"path":"a","content":"!!!"}})"),
           std::string(
               R"({"key":"file","value":{"path":"a","content":"aGVsbG8=","encoding":"hex"}})"),
           std::string(R"({"key":"file","value":{"path":"a"}})"),
           std::string(R"({"key":"file","value":{"content":"aGVsbG8="}})"),
           std::string(R"({"key":"file","value":{"path":7,"content":""}})"),
           std::string(R"({"key":"lfsFile","value":{"path":"a","algo":"md5","oid":")") + kSha256 +
               "\"}}",
           std::string(R"({"key":"lfsFile","value":{"path":"a","oid":"abc"}})"),
           std::string(R"({"key":"lfsFile","value":{"path":"a"}})"),
           std::string(R"({"key":"lfsFile","value":{"path":"a","oid":")") + kSha256 +
               R"(","size":-1}})",
           std::string(R"({"key":"lfsFile","value":{"path":"a","oid":")") + kSha256 +
               R"(","size":"5"}})",
           std::string(R"({"key":"lfsFile","value":{"path":"a","oid":")") + kSha256 +
               R"(","size":1.5}})",
           std::string(R"({"key":"deletedFile","value":{}})"),
           std::string(R"({"key":"deletedFile"})"),
           std::string(R"({"key":5,"value":{}})"),
           std::string("{\"key\":\"file\""),
           std::string("[]"),
       }) {
    auto op = parse_commit_operation(line);
    EXPECT_FALSE(op.is_ok()) << line;
    EXPECT_EQ(op.status().kind(), ErrorKind::kBadRequest)
        << line << " -> " << op.status().message();
  }
}

TEST(CommitOperation, UnknownOperationMessage) {
  auto op = parse_commit_operation(R"({"key":"rename","value":{}})");
  EXPECT_EQ(op.status().message(), "Unknown operation 'rename'");
}

TEST(CommitOperation, InvalidPathsAreUnprocessable) {
  for (const std::string& line : {
           std::string(R"({"key":"file","value":{"path":"..\\ddd","content":""}})"),
           std::string(R"({"key":"file","value":{"path":"a/../b","content":""}})"),
           std::string(R"({"key":"file","value":{"path":"/abs","content":""}})"),
           std::string(R"({"key":"file","value":{"path":".git/config","content":""}})"),
           std::string(R"({"key":"lfsFile","value":{"path":"x/.GIT/y","oid":")") + kSha256 + "\"}}",
           std::string(R"({"key":"deletedFile","value":{"path":"a//b"}})"),
           std::string(R"({"key":"deletedFolder","value":{"path":"../"}})"),
           std::string(R"({"key":"deletedFolder","value":{"path":"/"}})"),
       }) {
    auto op = parse_commit_operation(line);
    EXPECT_FALSE(op.is_ok()) << line;
    EXPECT_EQ(op.status().kind(), ErrorKind::kUnprocessable)
        << line << " -> " << op.status().message();
  }
}

}  // namespace
}  // namespace vitrine::service
