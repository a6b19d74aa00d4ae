// RepoService and CommitBuilder against a real data folder: revision parsing, access rules,
// and the atomicity of API commits.
#include "service/repos/repo_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "hub_test_fixture.hpp"
#include "service/access/auth_service.hpp"
#include "service/commits/commit_builder.hpp"
#include "service/commits/ref_service.hpp"
#include "service/repos/repo_contents.hpp"
#include "storage/git/git_repo.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;

class RepoServiceTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = caller_with_token("alice");
    alice_read_ = caller_with_token("alice", "read");
    bob_ = caller_with_token("bob");
    ASSERT_TRUE(alice_.authenticated());
    CreateRepoRequest req;
    req.name = "Model-One";
    auto repo = RepoService(*hub_).create(alice_, req);
    ASSERT_TRUE(repo.is_ok()) << repo.status().message();
    repo_ = *repo;
  }
  Result<CommitOutcome> commit(const Caller& who, const std::string& path,
                               const std::string& content, std::optional<std::string> parent,
                               const std::string& revision = "main", bool pr = false) {
    CommitBuilder builder(*hub_, repo_, who);
    if (auto st = builder.begin(); !st) return st;
    if (auto st = builder.add(FileOp{path, content}); !st) return st;
    return builder.finish(CommitHeader{"add " + path, "", parent}, revision, pr);
  }

  Caller alice_, alice_read_, bob_;
  domain::RepoRecord repo_;
};

TEST_F(RepoServiceTest, RepoIdsAreCaseInsensitiveWithCanonicalCase) {
  RepoService repos(*hub_);
  auto found = repos.find(RepoKind::kModel, "ALICE", "model-one", alice_, AccessLevel::kRead);
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(found->record.id(), "alice/Model-One");
}

TEST_F(RepoServiceTest, ResolvesBranchesTagsCommitsAndPullRequests) {
  RepoContents contents(*hub_);
  RefService refs(*hub_);
  auto git = hub_->open_git(repo_);
  ASSERT_TRUE(git.is_ok());
  auto head = contents.resolve(*git, "main");
  ASSERT_TRUE(head.is_ok());
  EXPECT_EQ(head->ref, "refs/heads/main");
  EXPECT_EQ(contents.resolve(*git, "HEAD")->commit, head->commit);
  EXPECT_EQ(contents.resolve(*git, head->commit)->ref, "");
  EXPECT_EQ(contents.resolve(*git, head->commit.substr(0, 8))->commit, head->commit);
  EXPECT_EQ(contents.resolve(*git, "nope").status().kind(), ErrorKind::kRevisionNotFound);

  ASSERT_TRUE(refs.create_branch(repo_, "feature/x", std::nullopt, false, false, alice_).is_ok());
  ASSERT_TRUE(refs.create_tag(repo_, "main", "v1", "", alice_).is_ok());
  auto pr = commit(alice_, "pr.txt", "pr", std::nullopt, "main", true);
  ASSERT_TRUE(pr.is_ok()) << pr.status().message();
  EXPECT_EQ(pr->pull_request, 1);

  size_t used = 0;
  auto raw_pr = contents.resolve_segments(*git, {"refs", "pr", "1", "pr.txt"}, &used);
  ASSERT_TRUE(raw_pr.is_ok());
  EXPECT_EQ(used, 3u);
  EXPECT_EQ(raw_pr->commit, pr->commit);
  auto encoded_pr = contents.resolve_segments(*git, {"refs/pr/1", "pr.txt"}, &used);
  ASSERT_TRUE(encoded_pr.is_ok());
  EXPECT_EQ(used, 1u);
  auto branch = contents.resolve_segments(*git, {"feature", "x", "a", "b"}, &used);
  ASSERT_TRUE(branch.is_ok());
  EXPECT_EQ(used, 2u);
  EXPECT_EQ(branch->ref, "refs/heads/feature/x");
  EXPECT_EQ(contents.resolve(*git, "v1")->ref, "refs/tags/v1");
}

TEST_F(RepoServiceTest, StaleParentIsRefusedAndChangesNothing) {
  auto git = hub_->open_git(repo_);
  auto before = *(*git)->ref_target("refs/heads/main");
  auto first = commit(alice_, "a.txt", "1", before);
  ASSERT_TRUE(first.is_ok());
  auto stale = commit(alice_, "b.txt", "2", before);
  ASSERT_FALSE(stale.is_ok());
  EXPECT_EQ(stale.status().kind(), ErrorKind::kPreconditionFailed);
  EXPECT_EQ(stale.status().message(), kStaleParentMessage);
  EXPECT_EQ(*(*git)->ref_target("refs/heads/main"), first->commit);
}

TEST_F(RepoServiceTest, WriteNeedsTheOwnersWriteToken) {
  RepoService repos(*hub_);
  auto type = RepoKind::kModel;
  EXPECT_TRUE(repos.find(type, "alice", "Model-One", alice_, AccessLevel::kWrite).is_ok());
  EXPECT_EQ(
      repos.find(type, "alice", "Model-One", alice_read_, AccessLevel::kWrite).status().kind(),
      ErrorKind::kForbidden);
  EXPECT_EQ(repos.find(type, "alice", "Model-One", bob_, AccessLevel::kWrite).status().kind(),
            ErrorKind::kForbidden);
  EXPECT_EQ(repos.find(type, "alice", "Model-One", Caller{}, AccessLevel::kWrite).status().kind(),
            ErrorKind::kUnauthorized);
}

TEST_F(RepoServiceTest, PrivateReposLookMissingToOthers) {
  RepoService repos(*hub_);
  ASSERT_TRUE(repos.update_settings(repo_, true, std::nullopt).is_ok());
  auto type = RepoKind::kModel;
  EXPECT_EQ(repos.find(type, "alice", "Model-One", bob_, AccessLevel::kRead).status().kind(),
            ErrorKind::kRepoNotFound);
  EXPECT_EQ(repos.find(type, "alice", "Model-One", Caller{}, AccessLevel::kRead).status().kind(),
            ErrorKind::kRepoNotFound);
  EXPECT_EQ(repos.find(type, "alice", "missing", bob_, AccessLevel::kRead).status().kind(),
            ErrorKind::kRepoNotFound);
  EXPECT_TRUE(repos.find(type, "alice", "Model-One", alice_read_, AccessLevel::kRead).is_ok());
}

TEST_F(RepoServiceTest, LfsFileWithoutStoredObjectIsRefused) {
  CommitBuilder builder(*hub_, repo_, alice_);
  ASSERT_TRUE(builder.begin().is_ok());
  auto st = builder.add(LfsFileOp{"w.bin", std::string(64, 'a'), 10});
  EXPECT_EQ(st.kind(), ErrorKind::kUnprocessable);
}

TEST_F(RepoServiceTest, RenameKeepsARedirect) {
  RepoService repos(*hub_);
  auto type = RepoKind::kModel;
  ASSERT_TRUE(repos.move(alice_, type, "alice/Model-One", "alice/renamed").is_ok());
  auto old = repos.find(type, "alice", "model-one", alice_, AccessLevel::kRead);
  ASSERT_TRUE(old.is_ok());
  EXPECT_TRUE(old->redirected);
  EXPECT_EQ(old->record.id(), "alice/renamed");
}

}  // namespace
}  // namespace vitrine::service

namespace vitrine::service {
namespace {

TEST_F(RepoServiceTest, OrganizationRolesDecideReadAndWrite) {
  AuthService auth(*hub_);
  ASSERT_TRUE(auth.create_user("carol", false).is_ok());
  ASSERT_TRUE(auth.create_org("acme", "alice").is_ok());
  ASSERT_TRUE(auth.set_org_member("acme", "bob", domain::MemberRole::kRead).is_ok());
  ASSERT_TRUE(auth.set_org_member("acme", "carol", domain::MemberRole::kWrite).is_ok());
  Caller carol =
      auth.authenticate("Bearer " + *auth.create_token("carol", domain::TokenRole::kWrite, "t"));
  EXPECT_EQ(auth.create_user("acme", false).status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(auth.create_org("bob", "alice").status().kind(), ErrorKind::kConflict);

  RepoService repos(*hub_);
  CreateRepoRequest req;
  req.ns = "ACME";  // stored with the organization's canonical case
  req.name = "secret";
  req.is_private = true;
  EXPECT_EQ(repos.create(bob_, req).status().kind(), ErrorKind::kForbidden);  // read member
  auto created = repos.create(carol, req);
  ASSERT_TRUE(created.is_ok()) << created.status().message();
  EXPECT_EQ(created->id(), "acme/secret");

  auto type = RepoKind::kModel;
  EXPECT_TRUE(repos.find(type, "acme", "secret", bob_, AccessLevel::kRead).is_ok());
  EXPECT_EQ(repos.find(type, "acme", "secret", bob_, AccessLevel::kWrite).status().kind(),
            ErrorKind::kForbidden);
  EXPECT_TRUE(repos.find(type, "acme", "secret", carol, AccessLevel::kWrite).is_ok());
  EXPECT_TRUE(
      repos.find(type, "acme", "secret", alice_, AccessLevel::kWrite).is_ok());  // org admin
  ASSERT_TRUE(auth.create_user("dave", false).is_ok());
  Caller dave =
      auth.authenticate("Bearer " + *auth.create_token("dave", domain::TokenRole::kWrite, "t"));
  EXPECT_EQ(repos.find(type, "acme", "secret", dave, AccessLevel::kRead).status().kind(),
            ErrorKind::kRepoNotFound);
  EXPECT_EQ(repos.find(type, "acme", "secret", Caller{}, AccessLevel::kRead).status().kind(),
            ErrorKind::kRepoNotFound);
}

TEST_F(RepoServiceTest, RevokedTokensNoLongerAuthenticate) {
  AuthService auth(*hub_);
  auto token = auth.create_token("bob", domain::TokenRole::kWrite, "laptop");
  ASSERT_TRUE(token.is_ok());
  Caller before = auth.authenticate("Bearer " + *token);
  ASSERT_TRUE(before.authenticated());
  EXPECT_EQ(before.token_name, "laptop");
  auto tokens = auth.list_tokens("bob");
  ASSERT_TRUE(tokens.is_ok());
  int64_t id = 0;
  for (const auto& t : *tokens) {
    if (t.name == "laptop") id = t.id;
  }
  ASSERT_TRUE(auth.revoke_token("bob", id).is_ok());
  Caller after = auth.authenticate("Bearer " + *token);
  EXPECT_FALSE(after.authenticated());
  EXPECT_TRUE(after.bad_token);
  EXPECT_EQ(auth.revoke_token("alice", id).kind(), ErrorKind::kNotFound);  // not alice's token
}

}  // namespace
}  // namespace vitrine::service
