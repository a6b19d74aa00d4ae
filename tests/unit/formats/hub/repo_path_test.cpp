// Unit tests for service/repo_path: repository file path validation.
#include "formats/hub/repo_path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

void expect_invalid(std::string_view path, std::string_view message_part = "") {
  Status s = validate_repo_path(path);
  EXPECT_EQ(s.kind(), ErrorKind::kUnprocessable) << "path: " << path;
  EXPECT_NE(s.message().find(message_part), std::string::npos) << s.message();
}

TEST(ValidateRepoPath, AcceptsOrdinaryPaths) {
  for (std::string_view p :
       {"file.txt", "dir/file.txt", "a/b/c/d.bin", ".gitattributes", ".gitignore", "README.md",
        "..foo", "foo..", "a/.hidden/b", "x/...", ".github/workflows/ci.yml", "a b/c d.txt",
        "d\xC3\xA9j\xC3\xA0/\xE2\x9C\x93.txt", "emoji/\xF0\x9F\x98\x80", "git/.gitkeep"}) {
    EXPECT_TRUE(validate_repo_path(p).is_ok()) << p << ": " << validate_repo_path(p).message();
  }
}

TEST(ValidateRepoPath, RejectsEmpty) {
  expect_invalid("", "empty");
}

TEST(ValidateRepoPath, RejectsDotDot) {
  EXPECT_EQ(validate_repo_path("x/../y").message(), "Invalid path: 'x/../y' contains '..'");
  expect_invalid("..", "'..'");
  expect_invalid("../a", "'..'");
  expect_invalid("a/..", "'..'");
  expect_invalid("a/../b", "'..'");
}

TEST(ValidateRepoPath, RejectsDot) {
  expect_invalid(".", "'.'");
  expect_invalid("./a", "'.'");
  expect_invalid("a/./b", "'.'");
}

TEST(ValidateRepoPath, RejectsBackslash) {
  expect_invalid("..\\ddd", "backslash");
  expect_invalid("a\\b", "backslash");
}

TEST(ValidateRepoPath, RejectsAbsoluteAndTrailingSlash) {
  expect_invalid("/abs", "starts with '/'");
  expect_invalid("/", "starts with '/'");
  expect_invalid("dir/", "ends with '/'");
}

TEST(ValidateRepoPath, RejectsEmptyComponent) {
  expect_invalid("a//b", "empty component");
}

TEST(ValidateRepoPath, RejectsGitDirectoryInAnyCase) {
  expect_invalid(".git", "'.git'");
  expect_invalid(".git/config", "'.git'");
  expect_invalid("x/.GIT/y", "'.git'");
  expect_invalid("x/.Git", "'.git'");
}

TEST(ValidateRepoPath, RejectsControlCharacters) {
  expect_invalid(std::string("a\0b", 3), "control character");
  expect_invalid("a\nb", "control character");
  expect_invalid("tab\there", "control character");
  expect_invalid("\x1f", "control character");
}

TEST(ValidateRepoPath, RejectsInvalidUtf8) {
  expect_invalid("bad\xff", "UTF-8");
  expect_invalid("trunc\xC3", "UTF-8");
  expect_invalid("overlong\xC0\xAF", "UTF-8");
  expect_invalid("surrogate\xED\xA0\x80", "UTF-8");
  expect_invalid("lonely\x80", "UTF-8");
}

TEST(ValidateRepoPath, EnforcesLengthLimit) {
  std::string ok(1024, 'a');
  EXPECT_TRUE(validate_repo_path(ok).is_ok());
  std::string too_long(1025, 'a');
  expect_invalid(too_long, "1025");
}

TEST(NormalizeFolderPath, StripsTrailingSlashes) {
  EXPECT_EQ(normalize_folder_path("dir/"), "dir");
  EXPECT_EQ(normalize_folder_path("a/b///"), "a/b");
  EXPECT_EQ(normalize_folder_path("a/b"), "a/b");
  EXPECT_EQ(normalize_folder_path("/"), "");
  EXPECT_EQ(normalize_folder_path(""), "");
}

}  // namespace
}  // namespace vitrine::service
