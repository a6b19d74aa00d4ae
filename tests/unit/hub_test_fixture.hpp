// HubTest: a gtest fixture for service and storage tests — a fresh Hub in its own temporary data
// folder with the users alice and bob, removed after each test. Fixtures that need more derive
// from it; a derived SetUp calls HubTest::SetUp() first and returns if it failed.
// create_model makes a repository through RepoService, as the API does.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "service/access/auth_service.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_service.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vitrine-test-" + util::random_alnum(10));
    reopen();
    if (HasFatalFailure()) return;
    AuthService auth(*hub_);
    ASSERT_TRUE(auth.create_user("alice", false).is_ok());
    ASSERT_TRUE(auth.create_user("bob", false).is_ok());
  }
  void TearDown() override {
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Closes the hub (as a CLI command ends) and opens it again on the same folder.
  void reopen() {
    hub_.reset();
    HubConfig config;
    config.data_dir = dir_.string();
    auto hub = Hub::open(config);
    ASSERT_TRUE(hub.is_ok()) << hub.status().message();
    hub_ = std::move(*hub);
  }

  // A caller authenticated by a new token of `user` with `role` (read or write).
  Caller caller_with_token(const std::string& user, const std::string& role = "write") {
    AuthService auth(*hub_);
    auto token = auth.create_token(user, *domain::token_role_from_wire(role), "t");
    EXPECT_TRUE(token.is_ok()) << token.status().message();
    return token.is_ok() ? auth.authenticate("Bearer " + *token) : Caller{};
  }

  // A new model repository of `as` named `name`, with `readme` as its README.md when not empty.
  domain::RepoRecord create_model(const Caller& as, const std::string& name,
                                  const std::string& readme = "") {
    CreateRepoRequest req;
    req.name = name;
    if (!readme.empty()) req.files.emplace_back("README.md", readme);
    auto repo = RepoService(*hub_).create(as, req);
    EXPECT_TRUE(repo.is_ok()) << repo.status().message();
    return repo.is_ok() ? *repo : domain::RepoRecord{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Hub> hub_;
};

// A HubTest whose tests act as alice (a write token): create() makes her model repositories.
class AliceHubTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = caller_with_token("alice");
  }
  domain::RepoRecord create(const std::string& name, const std::string& readme = "") {
    return create_model(alice_, name, readme);
  }

  Caller alice_;
};

}  // namespace vitrine::service
