// Unit tests for service/repo_name: repository name and namespace validation.
#include "formats/hub/repo_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

TEST(ValidateRepoName, AcceptsTypicalNames) {
  for (std::string_view n : {"gpt2", "bert-base-uncased", "Llama-3.1-8B", "my_model", "a",
                             "x.y_z-0", "repo-that-does-not-exist", "a-b.c_d"}) {
    EXPECT_TRUE(validate_repo_name(n).is_ok()) << n << ": " << validate_repo_name(n).message();
  }
}

TEST(ValidateRepoName, RejectsBadNames) {
  for (std::string_view n : {"", "-a", "a-", ".a", "a.", "a--b", "a..b", "a/b", "a b", "a@b",
                             "caf\xC3\xA9", "..", "-", "."}) {
    Status s = validate_repo_name(n);
    EXPECT_EQ(s.kind(), ErrorKind::kBadRequest) << n;
    EXPECT_FALSE(s.message().empty());
  }
}

TEST(ValidateRepoName, LengthLimit) {
  EXPECT_TRUE(validate_repo_name(std::string(96, 'a')).is_ok());
  EXPECT_EQ(validate_repo_name(std::string(97, 'a')).kind(), ErrorKind::kBadRequest);
}

TEST(ValidateNamespace, SameRulesShorterLimit) {
  EXPECT_TRUE(validate_namespace("huggingface").is_ok());
  EXPECT_TRUE(validate_namespace("my-org_2.0").is_ok());
  EXPECT_TRUE(validate_namespace(std::string(42, 'a')).is_ok());
  EXPECT_EQ(validate_namespace(std::string(43, 'a')).kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(validate_namespace("a--b").kind(), ErrorKind::kBadRequest);
  EXPECT_EQ(validate_namespace("").kind(), ErrorKind::kBadRequest);
  EXPECT_NE(validate_namespace("bad name").message().find("namespace"), std::string::npos);
}

}  // namespace
}  // namespace vitrine::service
