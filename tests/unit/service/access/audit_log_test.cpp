// The security audit log: the service calls that change accounts, tokens, repository settings
// and access decisions leave events; reads come newest first, filter and paginate; the table
// refuses updates and deletes.
#include "service/access/audit_log.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "hub_test_fixture.hpp"
#include "service/access/auth_service.hpp"
#include "service/repos/access_requests.hpp"
#include "service/repos/repo_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class AuditLogTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    if (HasFatalFailure()) return;
    AuthService auth(*hub_);
    auto token = auth.create_token("alice", domain::TokenRole::kWrite, "laptop");
    ASSERT_TRUE(token.is_ok());
    alice_ = auth.authenticate("Bearer " + *token);
    alice_.ip = "192.0.2.7";
    ASSERT_TRUE(alice_.authenticated());
    CreateRepoRequest req;
    req.name = "model-one";
    auto repo = RepoService(*hub_).create(alice_, req);
    ASSERT_TRUE(repo.is_ok()) << repo.status().message();
    repo_ = *repo;
  }
  std::vector<domain::AuditEventRecord> events(const std::string& type = "",
                                               const std::string& actor = "",
                                               const std::string& target = "") {
    domain::AuditQuery q;
    q.type = type;
    q.actor = actor;
    q.target = target;
    q.limit = 1000;
    return AuditLog(*hub_).list(q);
  }

  Caller alice_;
  domain::RepoRecord repo_;
};

TEST_F(AuditLogTest, SetupLeavesUserTokenAndRepoEventsNewestFirst) {
  auto all = events();
  std::vector<std::string> types;
  for (const auto& e : all) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"repo.create", "token.create", "user.create",
                                             "user.create"}));
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GT(all[i - 1].id, all[i].id);
    EXPECT_GE(all[i - 1].time, all[i].time);
  }
  // The repository was created through a token: actor, IP and token name are recorded.
  EXPECT_EQ(all[0].actor, "alice");
  EXPECT_EQ(all[0].target, "models/alice/model-one");
  EXPECT_EQ(all[0].ip, "192.0.2.7");
  auto details = json::parse(all[0].details_json);
  EXPECT_EQ(details["token"], "laptop");
  EXPECT_EQ(details["private"], false);
  // CLI paths (no caller) are attributed to "cli", without an IP.
  EXPECT_EQ(all[1].actor, "cli");
  EXPECT_EQ(all[1].target, "alice");
  EXPECT_EQ(all[1].ip, "");
}

TEST_F(AuditLogTest, TokenCreateAndRevokeAreRecordedWithoutTheSecret) {
  AuthService auth(*hub_);
  auto token = auth.create_token("bob", domain::TokenRole::kRead, "ci");
  ASSERT_TRUE(token.is_ok());
  auto listed = auth.list_tokens("bob");
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 1u);
  int64_t id = (*listed)[0].id;
  ASSERT_TRUE(auth.revoke_token("bob", id).is_ok());
  EXPECT_FALSE(auth.revoke_token("bob", id + 100).is_ok());  // failures leave no event

  auto created = events("token.create", "", "bob");
  ASSERT_EQ(created.size(), 1u);
  auto details = json::parse(created[0].details_json);
  EXPECT_EQ(details["token_id"], id);
  EXPECT_EQ(details["name"], "ci");
  EXPECT_EQ(details["role"], "read");
  EXPECT_EQ(created[0].details_json.find(*token), std::string::npos);

  auto revoked = events("token.revoke");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].actor, "cli");
  EXPECT_EQ(revoked[0].target, "bob");
  EXPECT_EQ(json::parse(revoked[0].details_json)["token_id"], id);
}

TEST_F(AuditLogTest, VisibilityAndGatingChangesAreRecordedOnlyWhenTheyChange) {
  RepoService repos(*hub_);
  ASSERT_TRUE(repos.update_settings(repo_, true, std::nullopt, &alice_).is_ok());
  auto visibility = events("repo.visibility");
  ASSERT_EQ(visibility.size(), 1u);
  EXPECT_EQ(visibility[0].actor, "alice");
  EXPECT_EQ(visibility[0].target, "models/alice/model-one");
  EXPECT_EQ(json::parse(visibility[0].details_json)["private"], true);

  auto current = **hub_->db().find_repo(domain::RepoKind::kModel, "alice", "model-one");
  ASSERT_TRUE(repos.update_settings(current, true, domain::GatingMode::kManual, &alice_).is_ok());
  EXPECT_EQ(events("repo.visibility").size(), 1u);  // unchanged: no second event
  auto gating = events("repo.gating");
  ASSERT_EQ(gating.size(), 1u);
  auto details = json::parse(gating[0].details_json);
  EXPECT_EQ(details["gated"], "manual");
  EXPECT_EQ(details["was"], false);

  // A mode it does not know is refused where it is read, and leaves nothing.
  EXPECT_FALSE(domain::gating_mode_from_wire("bogus").has_value());
  EXPECT_EQ(events("repo.gating").size(), 1u);
}

TEST_F(AuditLogTest, AccessRequestsAndDecisionsAreRecorded) {
  RepoService repos(*hub_);
  ASSERT_TRUE(repos.update_settings(repo_, std::nullopt, domain::GatingMode::kManual).is_ok());
  auto gated = **hub_->db().find_repo(domain::RepoKind::kModel, "alice", "model-one");
  AuthService auth(*hub_);
  Caller bob =
      auth.authenticate("Bearer " + *auth.create_token("bob", domain::TokenRole::kRead, "t"));
  AccessRequests requests(*hub_);
  ASSERT_TRUE(requests.ask_access(gated, bob, R"({"reason":"research"})").is_ok());
  ASSERT_TRUE(requests.set_access(gated, "bob", "rejected", false, &alice_).is_ok());
  EXPECT_FALSE(requests.set_access(gated, "nobody", "accepted", true, &alice_).is_ok());

  auto asked = events("access.request");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].actor, "bob");
  EXPECT_EQ(json::parse(asked[0].details_json)["status"], "pending");

  auto decided = events("access.decision", "alice");
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].target, "models/alice/model-one");
  auto details = json::parse(decided[0].details_json);
  EXPECT_EQ(details["user"], "bob");
  EXPECT_EQ(details["status"], "rejected");
}

TEST_F(AuditLogTest, LifecycleAndAccountEventsAreRecorded) {
  RepoService repos(*hub_);
  auto type = RepoKind::kModel;
  ASSERT_TRUE(repos.move(alice_, type, "alice/model-one", "alice/model-two").is_ok());
  ASSERT_TRUE(repos.remove(alice_, type, "alice", "model-two").is_ok());
  AuthService auth(*hub_);
  ASSERT_TRUE(auth.create_org("acme", "alice").is_ok());
  ASSERT_TRUE(auth.set_org_member("acme", "bob", domain::MemberRole::kWrite).is_ok());
  ASSERT_TRUE(auth.delete_user("bob").is_ok());

  auto moved = events("repo.move");
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].target, "models/alice/model-two");
  EXPECT_EQ(json::parse(moved[0].details_json)["from"], "models/alice/model-one");
  EXPECT_EQ(events("repo.delete", "alice", "models/alice/model-two").size(), 1u);
  EXPECT_EQ(events("org.create", "cli", "acme").size(), 1u);
  auto member = events("org.member", "", "acme");
  ASSERT_EQ(member.size(), 1u);
  EXPECT_EQ(json::parse(member[0].details_json)["role"], "write");
  EXPECT_EQ(events("user.delete", "", "bob").size(), 1u);
}

TEST_F(AuditLogTest, FiltersAreCaseInsensitiveAndCombine) {
  AuditLog log(*hub_);
  log.record("auth.failure", "anonymous", "/api/whoami-v2", json::object(), "198.51.100.1");
  EXPECT_EQ(events("", "ALICE").size(), 1u);  // repo.create
  EXPECT_EQ(events("", "", "Models/Alice/Model-One").size(), 1u);
  EXPECT_EQ(events("auth.failure", "anonymous").size(), 1u);
  EXPECT_EQ(events("auth.failure", "alice").size(), 0u);
  EXPECT_EQ(events("no.such.type").size(), 0u);
}

TEST_F(AuditLogTest, CursorPagesThroughOlderEvents) {
  AuditLog log(*hub_);
  for (int i = 0; i < 5; ++i) log.record("test.event", "cli", "t" + std::to_string(i));
  domain::AuditQuery q;
  q.type = "test.event";
  q.limit = 2;
  std::vector<std::string> seen;
  for (;;) {
    auto page = log.list(q);
    for (const auto& e : page) seen.push_back(e.target);
    if (page.size() < 2) break;
    q.before_id = page.back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"t4", "t3", "t2", "t1", "t0"}));
}

TEST_F(AuditLogTest, TheTableRefusesUpdatesAndDeletes) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "vitrine.db").string().c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit_events SET actor = 'mallory'", nullptr, nullptr, &error),
            SQLITE_OK);
  sqlite3_free(error);
  error = nullptr;
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit_events", nullptr, nullptr, &error), SQLITE_OK);
  sqlite3_free(error);
  sqlite3_close(db);
  EXPECT_EQ(events().size(), 4u);
}

}  // namespace
}  // namespace vitrine::service
