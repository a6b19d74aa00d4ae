// Failure is not absence: when the metadata cannot be read, lookups answer an error (500 at the
// API), never "not found", "bad credentials" or a closed gate, and nothing is deleted on a guess.
#include <sqlite3.h>

#include "hub_test_fixture.hpp"
#include "service/repos/access_requests.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {
namespace {

class ReadFailureTest : public AliceHubTest {
 protected:
  // Breaks `table` behind the hub's back, as a damaged or unreadable file would.
  void break_table(const char* table) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "vitrine.db").c_str(), &db), SQLITE_OK);
    std::string sql = std::string("ALTER TABLE ") + table + " RENAME TO " + table + "_gone";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
};

TEST_F(ReadFailureTest, AnUnreadableRepositoryIsAnErrorNotAMissingOne) {
  auto repo = create("m");
  auto type = RepoKind::kModel;
  RepoService repos(*hub_);
  // Readable: found, and a missing one is missing.
  EXPECT_TRUE(repos.find(type, "alice", "m", alice_, AccessLevel::kRead).is_ok());
  auto missing = repos.find(type, "alice", "nope", alice_, AccessLevel::kRead);
  EXPECT_EQ(missing.status().kind(), ErrorKind::kRepoNotFound);
  auto lookup = hub_->db().find_repo(domain::RepoKind::kModel, "alice", "nope");
  ASSERT_TRUE(lookup.is_ok());
  EXPECT_FALSE(lookup->has_value());

  break_table("repos");
  // Names not looked up before (the one-second cache answers the others).
  auto unreadable = hub_->db().find_repo(domain::RepoKind::kModel, "alice", "other");
  EXPECT_FALSE(unreadable.is_ok());
  EXPECT_EQ(unreadable.status().kind(), ErrorKind::kInternal);
  auto found = repos.find(type, "alice", "other", alice_, AccessLevel::kRead);
  EXPECT_EQ(found.status().kind(), ErrorKind::kInternal) << found.status().message();
  EXPECT_FALSE(hub_->db().find_repo_by_uid(repo.uid).is_ok());
  EXPECT_FALSE(hub_->db().find_redirect(RepoKind::kModel, "alice", "old").is_ok());
}

TEST_F(ReadFailureTest, UncheckableCredentialsAreAnErrorNotBadOnes) {
  AuthService auth(*hub_);
  auto token = auth.create_token("bob", domain::TokenRole::kRead, "t");
  ASSERT_TRUE(token.is_ok());
  EXPECT_TRUE(auth.authenticate("Bearer " + *token).authenticated());
  EXPECT_TRUE(auth.authenticate("Bearer hf_unknown0000000000000000").bad_token);

  break_table("tokens");
  Caller caller = auth.authenticate("Bearer " + *token);
  EXPECT_FALSE(caller.authenticated());
  EXPECT_FALSE(caller.bad_token) << "a read error is not the caller's bad token";
  EXPECT_EQ(caller.unreadable.kind(), ErrorKind::kInternal);
}

TEST_F(ReadFailureTest, AnUnreadableAccessRequestIsAnErrorNotAClosedGate) {
  auto repo = create("gated");
  RepoService repos(*hub_);
  ASSERT_TRUE(
      repos.update_settings(repo, std::nullopt, domain::GatingMode::kManual, &alice_).is_ok());
  auto gated = **hub_->db().find_repo_by_uid(repo.uid);
  Caller bob = caller_with_token("bob", "read");
  EXPECT_EQ(repos.check_file_access(gated, bob).kind(), ErrorKind::kGatedRepo);

  break_table("access_requests");
  EXPECT_EQ(repos.check_file_access(gated, bob).kind(), ErrorKind::kInternal);
  EXPECT_TRUE(repos.check_file_access(gated, alice_).is_ok()) << "members need no request";
}

TEST_F(ReadFailureTest, UnreadableMembershipsAreAnErrorNotAnOutsider) {
  AuthService auth(*hub_);
  ASSERT_TRUE(auth.create_org("acme", "alice").is_ok());
  ASSERT_TRUE(auth.set_org_member("acme", "bob", domain::MemberRole::kWrite).is_ok());
  Caller bob = caller_with_token("bob", "write");
  CreateRepoRequest request;
  request.ns = "acme";
  request.name = "secret";
  request.is_private = true;
  RepoService repos(*hub_);
  ASSERT_TRUE(repos.create(alice_, request).is_ok());
  EXPECT_TRUE(repos.find(RepoKind::kModel, "acme", "secret", bob, AccessLevel::kWrite).is_ok());

  break_table("org_members");
  // The repository row is cached a second; the membership is read on every check.
  auto found = repos.find(RepoKind::kModel, "acme", "secret", bob, AccessLevel::kRead);
  EXPECT_EQ(found.status().kind(), ErrorKind::kInternal) << found.status().message();
  auto org = hub_->db().org_role("acme", 0);
  EXPECT_FALSE(org.is_ok());
  // A listing shows less, never more: bob's private repositories drop out, nothing fails.
  domain::RepoListQuery q;
  for (const auto& r : repos.list(bob, q)) EXPECT_FALSE(r.is_private) << r.id();
}

TEST_F(ReadFailureTest, UnreadableAccountsAreAnErrorNotAMissingUser) {
  AuthService auth(*hub_);
  auto token = auth.create_token("bob", domain::TokenRole::kRead, "t");
  ASSERT_TRUE(token.is_ok());
  EXPECT_EQ(auth.user_named("nobody").status().kind(), ErrorKind::kNotFound);

  break_table("users");
  EXPECT_EQ(auth.user_named("bob").status().kind(), ErrorKind::kInternal);
  EXPECT_EQ(auth.list_tokens("bob").status().kind(), ErrorKind::kInternal);
  Caller caller = auth.authenticate("Bearer " + *token);
  EXPECT_FALSE(caller.authenticated());
  EXPECT_FALSE(caller.bad_token) << "a read error is not the caller's bad token";
  EXPECT_EQ(caller.unreadable.kind(), ErrorKind::kInternal);
  auto login = auth.login("bob", "a password of some length");
  EXPECT_EQ(login.status().kind(), ErrorKind::kInternal) << "not 'invalid username or password'";
}

TEST_F(ReadFailureTest, AnUnreadableSessionIsAnErrorNotAStaleCookie) {
  AuthService auth(*hub_);
  ASSERT_TRUE(auth.set_password("bob", "a password of some length").is_ok());
  auto session = auth.login("bob", "a password of some length");
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  std::string csrf;
  EXPECT_TRUE(auth.authenticate_session(session->cookie, &csrf).authenticated());

  break_table("sessions");
  Caller caller = auth.authenticate_session(session->cookie, &csrf);
  EXPECT_FALSE(caller.authenticated());
  EXPECT_FALSE(caller.bad_token) << "a read error is not a stale cookie";
  EXPECT_EQ(caller.unreadable.kind(), ErrorKind::kInternal);
}

TEST_F(ReadFailureTest, AStoredRoleThisReleaseDoesNotKnowGrantsNothing) {
  AuthService auth(*hub_);
  auto token = auth.create_token("bob", domain::TokenRole::kRead, "t");
  ASSERT_TRUE(token.is_ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "vitrine.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE tokens SET role = 'superuser'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Caller caller = auth.authenticate("Bearer " + *token);
  EXPECT_FALSE(caller.authenticated());
  EXPECT_TRUE(caller.bad_token);
}

TEST_F(ReadFailureTest, UnreadableAccessRequestsAreAnErrorNotAnEmptyList) {
  auto repo = create("m");
  AccessRequests requests(*hub_);
  auto none = requests.access_requests(repo, "pending");
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
  break_table("access_requests");
  auto unreadable = requests.access_requests(repo, "pending");
  ASSERT_FALSE(unreadable.is_ok());
  EXPECT_EQ(unreadable.status().kind(), ErrorKind::kInternal);
}

}  // namespace
}  // namespace vitrine::service
