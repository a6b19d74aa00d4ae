// Fine-grained token scopes, expiry, and how they combine with the user's own rights.
#include "formats/hub/token_scope.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "service/access/auth_service.hpp"
#include "service/repos/repo_service.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {
namespace {

TEST(TokenScope, ParsesAndRejects) {
  auto ns = parse_token_scope("namespace:acme=read,write");
  ASSERT_TRUE(ns.is_ok());
  EXPECT_EQ(ns->kind(), "namespace");
  EXPECT_FALSE(ns->repo.has_value());
  EXPECT_EQ(ns->permissions, (std::vector<domain::AccessLevel>{domain::AccessLevel::kRead,
                                                               domain::AccessLevel::kWrite}));
  EXPECT_EQ(format_token_scope(*ns), "namespace:acme=read,write");
  EXPECT_EQ(parse_token_scope("dataset:acme/d=manage")->kind(), "dataset");
  EXPECT_TRUE(parse_token_scope("model:acme/m=manage").is_ok());
  EXPECT_FALSE(parse_token_scope("model:acme=read").is_ok());       // a repo needs NS/NAME
  EXPECT_FALSE(parse_token_scope("space:acme/x=read").is_ok());     // unknown kind
  EXPECT_FALSE(parse_token_scope("namespace:acme=admin").is_ok());  // unknown permission
  EXPECT_FALSE(parse_token_scope("namespace:acme=").is_ok());
  EXPECT_FALSE(parse_token_scope("acme").is_ok());
}

TEST(TokenScope, PermissionsImplyTheOnesBelow) {
  std::vector<TokenScope> scopes = {*parse_token_scope("namespace:Acme=write"),
                                    *parse_token_scope("dataset:bob/d=read")};
  EXPECT_TRUE(scopes_allow(scopes, domain::RepoKind::kModel, "acme", "x",
                           domain::access_level_from_wire("read").value()));
  EXPECT_TRUE(scopes_allow(scopes, domain::RepoKind::kModel, "ACME", "x",
                           domain::access_level_from_wire("write").value()));
  EXPECT_FALSE(scopes_allow(scopes, domain::RepoKind::kModel, "acme", "x",
                            domain::access_level_from_wire("manage").value()));
  EXPECT_TRUE(scopes_allow(scopes, domain::RepoKind::kDataset, "bob", "d",
                           domain::access_level_from_wire("read").value()));
  EXPECT_FALSE(scopes_allow(scopes, domain::RepoKind::kDataset, "bob", "d",
                            domain::access_level_from_wire("write").value()));
  EXPECT_FALSE(
      scopes_allow(scopes, domain::RepoKind::kModel, "bob", "d",
                   domain::access_level_from_wire("read").value()));  // type matters for repos
  EXPECT_FALSE(scopes_allow(scopes, domain::RepoKind::kModel, "other", "x",
                            domain::access_level_from_wire("read").value()));
  auto round = scopes_from_json(scopes_to_json(scopes).dump());
  ASSERT_EQ(round.size(), 2u);
  EXPECT_EQ(round[1].name, "bob/d");
}

TEST(TokenScope, Durations) {
  EXPECT_EQ(*parse_duration_seconds("90"), 90);
  EXPECT_EQ(*parse_duration_seconds("2h"), 7200);
  EXPECT_EQ(*parse_duration_seconds("30d"), 30 * 86400);
  EXPECT_FALSE(parse_duration_seconds("-1").is_ok());
  EXPECT_FALSE(parse_duration_seconds("1w").is_ok());
  EXPECT_FALSE(parse_duration_seconds("").is_ok());
}

class FineGrainedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vitrine-fg-" + util::random_alnum(10));
    HubConfig config;
    config.data_dir = dir_.string();
    auto hub = Hub::open(config);
    ASSERT_TRUE(hub.is_ok());
    hub_ = std::move(hub.value());
    AuthService auth(*hub_);
    ASSERT_TRUE(auth.create_user("alice", false).is_ok());
    Caller alice =
        auth.authenticate("Bearer " + *auth.create_token("alice", domain::TokenRole::kWrite, "t"));
    RepoService repos(*hub_);
    for (const char* name : {"in", "out"}) {
      CreateRepoRequest req;
      req.name = name;
      req.is_private = true;
      ASSERT_TRUE(repos.create(alice, req).is_ok());
    }
  }
  void TearDown() override {
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }
  Caller token(const std::vector<std::string>& specs, int64_t lifetime = 0) {
    AuthService auth(*hub_);
    std::vector<TokenScope> scopes;
    for (const auto& s : specs) scopes.push_back(*parse_token_scope(s));
    auto t = auth.create_token("alice", domain::TokenRole::kFineGrained, "fg", lifetime, scopes);
    EXPECT_TRUE(t.is_ok()) << t.status().message();
    return auth.authenticate("Bearer " + *t);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Hub> hub_;
};

TEST_F(FineGrainedTest, ScopesLimitWhatTheUserCouldDo) {
  RepoService repos(*hub_);
  auto type = RepoKind::kModel;
  Caller c = token({"model:alice/in=write"});
  EXPECT_TRUE(repos.find(type, "alice", "in", c, AccessLevel::kWrite).is_ok());
  EXPECT_EQ(repos.find(type, "alice", "in", c, AccessLevel::kManage).status().kind(),
            ErrorKind::kForbidden);
  // Out of scope: the private repo is invisible, as for an outsider.
  EXPECT_EQ(repos.find(type, "alice", "out", c, AccessLevel::kRead).status().kind(),
            ErrorKind::kRepoNotFound);
  Caller manager = token({"namespace:alice=manage"});
  EXPECT_TRUE(repos.find(type, "alice", "out", manager, AccessLevel::kManage).is_ok());
  Caller reader = token({"namespace:alice=read"});
  EXPECT_TRUE(repos.find(type, "alice", "out", reader, AccessLevel::kRead).is_ok());
  EXPECT_EQ(repos.find(type, "alice", "out", reader, AccessLevel::kWrite).status().kind(),
            ErrorKind::kForbidden);
  AuthService auth(*hub_);
  EXPECT_FALSE(
      auth.create_token("alice", domain::TokenRole::kFineGrained, "x", 0, {}).is_ok());  // no scope
}

TEST_F(FineGrainedTest, ExpiredTokensAreRefused) {
  AuthService auth(*hub_);
  auto t = auth.create_token("alice", domain::TokenRole::kRead, "short", 1);
  ASSERT_TRUE(t.is_ok());
  EXPECT_TRUE(auth.authenticate("Bearer " + *t).authenticated());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Caller late = auth.authenticate("Bearer " + *t);
  EXPECT_FALSE(late.authenticated());
  EXPECT_TRUE(late.bad_token);
}

}  // namespace
}  // namespace vitrine::service
