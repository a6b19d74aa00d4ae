// A user's own tokens through the API's service: who may manage them, what may be minted (no
// token wider or longer-lived than the one asking), the checks on names, roles and scopes, the
// limit per user, and revocation confined to one's own tokens.
#include "service/access/token_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "hub_test_fixture.hpp"
#include "service/access/auth_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;

class TokenServiceTest : public HubTest {
 protected:
  // A caller authenticated by a token made with the CLI's path.
  Caller token_caller(const std::string& user, const std::string& role,
                      const std::vector<std::string>& scopes = {}, int64_t expires_in = 0) {
    std::vector<TokenScope> parsed;
    for (const auto& s : scopes) parsed.push_back(*parse_token_scope(s));
    AuthService auth(*hub_);
    auto token =
        auth.create_token(user, *domain::token_role_from_wire(role), "setup", expires_in, parsed);
    EXPECT_TRUE(token.is_ok());
    return auth.authenticate("Bearer " + *token);
  }
  Caller session_caller(const std::string& user) {
    Caller c;
    c.user = **hub_->db().find_user(user);
    c.role = domain::TokenRole::kWrite;
    c.session = true;
    return c;
  }
  static TokenRequest request(const std::string& name, const std::string& role,
                              std::vector<std::string> scopes = {}) {
    return TokenRequest{name, role, std::move(scopes), 0};
  }
};

TEST_F(TokenServiceTest, OnlySessionsAndWriteTokensManageTokens) {
  TokenService tokens(*hub_);
  EXPECT_EQ(tokens.may_manage(Caller{}).kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(tokens.may_manage(token_caller("alice", "read")).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(
      tokens.may_manage(token_caller("alice", "fineGrained", {"namespace:alice=read,write,manage"}))
          .kind(),
      ErrorKind::kForbidden);
  EXPECT_TRUE(tokens.may_manage(token_caller("alice", "write")).is_ok());
  EXPECT_TRUE(tokens.may_manage(session_caller("alice")).is_ok());
  // A fine-grained token cannot mint even a token narrower than itself.
  auto fine = token_caller("alice", "fineGrained", {"namespace:alice=write"});
  EXPECT_EQ(
      tokens.create(fine, request("x", "fineGrained", {"model:alice/m=read"})).status().kind(),
      ErrorKind::kForbidden);
}

TEST_F(TokenServiceTest, CreatesListsWithoutSecretsAndTheSecretAuthenticates) {
  TokenService tokens(*hub_);
  auto alice = session_caller("alice");
  auto created = tokens.create(alice, request("ci upload", "fineGrained",
                                              {"model:alice/m=read", "namespace:lab=read,write"}));
  ASSERT_TRUE(created.is_ok()) << created.status().message();
  EXPECT_EQ(created->record.name, "ci upload");
  EXPECT_EQ(created->record.hash, util::sha256_hex(created->secret));
  auto back = AuthService(*hub_).authenticate("Bearer " + created->secret);
  ASSERT_TRUE(back.authenticated());
  EXPECT_EQ(back.user->name, "alice");
  ASSERT_EQ(back.scopes.size(), 2u);
  EXPECT_EQ(format_token_scope(back.scopes[1]), "namespace:lab=read,write");
  auto list = tokens.list(alice);
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, created->record.id);
}

TEST_F(TokenServiceTest, RefusesBadNamesRolesScopesAndLifetimesWithTheirCodes) {
  TokenService tokens(*hub_);
  auto alice = session_caller("alice");
  auto code_of = [&](const TokenRequest& r) {
    std::string code;
    auto created = tokens.create(alice, r, &code);
    EXPECT_EQ(created.status().kind(), ErrorKind::kBadRequest) << r.name;
    return code;
  };
  for (const std::string& name : std::vector<std::string>{"", std::string(65, 'x'), "a/b", "<b>",
                                                          " lead", "trail ", "tab\t"}) {
    EXPECT_EQ(code_of(request(name, "read")), kInvalidTokenName) << name;
  }
  EXPECT_TRUE(TokenService::validate_name("My laptop_2.0-beta").is_ok());
  EXPECT_TRUE(TokenService::validate_name(std::string(64, 'x')).is_ok());
  EXPECT_EQ(code_of(request("x", "admin")), kInvalidTokenRole);
  EXPECT_EQ(code_of(request("x", "fineGrained")), kInvalidTokenScope);
  EXPECT_EQ(code_of(request("x", "write", {"namespace:alice=read"})), kInvalidTokenScope);
  EXPECT_EQ(code_of(request("x", "fineGrained", {"namespace:alice=own"})), kInvalidTokenScope);
  EXPECT_EQ(code_of(request("x", "fineGrained", std::vector<std::string>(33, "namespace:a=read"))),
            kInvalidTokenScope);
  auto negative = request("x", "read");
  negative.expires_in_seconds = -1;
  EXPECT_EQ(code_of(negative), kInvalidTokenExpiry);
  EXPECT_TRUE(tokens.list(alice)->empty());
}

TEST_F(TokenServiceTest, ATokenMadeByAnExpiringTokenExpiresNoLater) {
  TokenService tokens(*hub_);
  auto short_lived = token_caller("alice", "write", {}, 3600);
  ASSERT_GT(short_lived.token_expires_at, 0);
  auto forever = tokens.create(short_lived, request("child", "read"));
  ASSERT_TRUE(forever.is_ok());
  EXPECT_GT(forever->record.expires_at, 0);
  EXPECT_LE(forever->record.expires_at, short_lived.token_expires_at);
  auto longer = request("longer", "read");
  longer.expires_in_seconds = 30 * 86400;
  auto capped = tokens.create(short_lived, longer);
  ASSERT_TRUE(capped.is_ok());
  EXPECT_LE(capped->record.expires_at, short_lived.token_expires_at);
  // A session may choose any lifetime.
  auto from_session = tokens.create(session_caller("alice"), longer);
  ASSERT_TRUE(from_session.is_ok());
  EXPECT_GT(from_session->record.expires_at, util::now_ms() + 29LL * 86400 * 1000);
}

TEST_F(TokenServiceTest, RevokingATokenRevokesTheTokensItMadeAndTheirs) {
  TokenService tokens(*hub_);
  AuthService auth(*hub_);
  auto parent = tokens.create(session_caller("alice"), request("parent", "write"));
  ASSERT_TRUE(parent.is_ok());
  EXPECT_EQ(parent->record.parent_id, 0);  // made by a session: no parent
  auto child =
      tokens.create(auth.authenticate("Bearer " + parent->secret), request("child", "write"));
  ASSERT_TRUE(child.is_ok());
  EXPECT_EQ(child->record.parent_id, parent->record.id);
  auto grandchild =
      tokens.create(auth.authenticate("Bearer " + child->secret), request("grandchild", "read"));
  ASSERT_TRUE(grandchild.is_ok());
  auto sibling = tokens.create(session_caller("alice"), request("sibling", "write"));
  ASSERT_TRUE(sibling.is_ok());

  // Revoking the child leaves its parent working; revoking the parent ends the rest.
  ASSERT_TRUE(tokens.revoke(session_caller("alice"), child->record.id).is_ok());
  EXPECT_FALSE(auth.authenticate("Bearer " + child->secret).authenticated());
  EXPECT_FALSE(auth.authenticate("Bearer " + grandchild->secret).authenticated());
  EXPECT_TRUE(auth.authenticate("Bearer " + parent->secret).authenticated());
  auto second =
      tokens.create(auth.authenticate("Bearer " + parent->secret), request("second child", "read"));
  ASSERT_TRUE(second.is_ok());
  ASSERT_TRUE(tokens.revoke(session_caller("alice"), parent->record.id).is_ok());
  EXPECT_FALSE(auth.authenticate("Bearer " + parent->secret).authenticated());
  EXPECT_FALSE(auth.authenticate("Bearer " + second->secret).authenticated());
  EXPECT_TRUE(auth.authenticate("Bearer " + sibling->secret).authenticated());
}

TEST_F(TokenServiceTest, RevokesOnlyOnesOwnTokensAndTheLimitCountsActiveOnes) {
  TokenService tokens(*hub_);
  auto alice = session_caller("alice");
  auto bob = session_caller("bob");
  auto bobs = tokens.create(bob, request("bobs token", "write"));
  ASSERT_TRUE(bobs.is_ok());
  EXPECT_EQ(tokens.revoke(alice, bobs->record.id).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(tokens.revoke(alice, 987654).kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(AuthService(*hub_).authenticate("Bearer " + bobs->secret).authenticated());

  std::vector<int64_t> ids;
  for (size_t i = 0; i < kMaxTokensPerUser; ++i) {
    auto t = tokens.create(alice, request("t" + std::to_string(i), "read"));
    ASSERT_TRUE(t.is_ok()) << i;
    ids.push_back(t->record.id);
  }
  std::string code;
  EXPECT_EQ(tokens.create(alice, request("one more", "read"), &code).status().kind(),
            ErrorKind::kConflict);
  EXPECT_EQ(code, kTooManyTokens);
  ASSERT_TRUE(tokens.revoke(alice, ids[0]).is_ok());
  EXPECT_EQ(tokens.revoke(alice, ids[0]).kind(), ErrorKind::kNotFound);  // already revoked
  EXPECT_EQ(tokens.list(alice)->size(), kMaxTokensPerUser - 1);
  EXPECT_TRUE(tokens.create(alice, request("one more", "read")).is_ok());
}

}  // namespace
}  // namespace vitrine::service
