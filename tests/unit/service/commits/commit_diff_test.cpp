// diff_commit: a commit's changes against its first parent, with bounded unified diffs.
#include "service/commits/commit_diff.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "service/repos/repo_handle.hpp"
#include "storage/git/git_repo.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;
using storage::GitRepo;
using storage::TreeChange;

class CommitDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vitrine-diff-" + util::random_alnum(10));
    auto repo = GitRepo::create(dir_.string(), "main");
    ASSERT_TRUE(repo.is_ok()) << repo.status().message();
    handle_.emplace(std::move(*repo));
    repo_ = &handle_->git();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A commit on `base` ("" for a root commit) that writes `put` and deletes `remove`.
  std::string commit(const std::string& base,
                     const std::vector<std::pair<std::string, std::string>>& put,
                     const std::vector<std::string>& remove = {}) {
    std::vector<TreeChange> changes;
    for (const auto& [path, content] : put) {
      changes.push_back({TreeChange::Kind::kPutBlob, path, *repo_->write_blob(content), false});
    }
    for (const auto& path : remove) changes.push_back({TreeChange::Kind::kDelete, path, "", false});
    auto tree = repo_->build_tree(base, changes);
    EXPECT_TRUE(tree.is_ok()) << tree.status().message();
    std::vector<std::string> parents;
    if (!base.empty()) parents.push_back(base);
    auto id = repo_->create_commit(*tree, parents, "alice", "alice@example.org", "Change\n\nbody");
    EXPECT_TRUE(id.is_ok());
    return *id;
  }

  const FileDiff* file(const CommitDiff& d, const std::string& path) {
    for (const auto& f : d.files) {
      if (f.path == path) return &f;
    }
    return nullptr;
  }

  fs::path dir_;
  std::optional<service::RepoHandle> handle_;  // owns the repository
  GitRepo* repo_ = nullptr;
};

std::string pointer(char digit, uint64_t size) {
  return format_lfs_pointer({std::string(64, digit), size});
}

TEST_F(CommitDiffTest, RootCommitAddsEveryFileAgainstTheEmptyTree) {
  auto c1 = commit("", {{"a.txt", "one\ntwo\n"}, {"dir/b.py", "print(1)\n"}});
  auto d = diff_commit(*handle_, c1);
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  EXPECT_EQ(d->commit.id, c1);
  EXPECT_EQ(d->commit.title, "Change");
  EXPECT_TRUE(d->commit.parents.empty());
  ASSERT_EQ(d->files.size(), 2u);
  EXPECT_FALSE(d->truncated);
  const FileDiff* a = file(*d, "a.txt");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->status, "added");
  EXPECT_FALSE(a->old_size.has_value());
  EXPECT_EQ(a->new_size, 8u);
  EXPECT_EQ(a->patch, "@@ -0,0 +1,2 @@\n+one\n+two\n");
  EXPECT_EQ(a->additions, 2u);
  EXPECT_EQ(a->deletions, 0u);
}

TEST_F(CommitDiffTest, ModifiedDeletedAndRenamedFilesAgainstTheFirstParent) {
  std::string body;
  for (int i = 1; i <= 10; ++i) body += "line " + std::to_string(i) + "\n";
  auto c1 = commit("", {{"m.txt", body}, {"gone.txt", "bye\n"}, {"old.txt", "same\n"}});
  std::string changed = body;
  changed.replace(changed.find("line 5\n"), 7, "line five\n");
  auto c2 = commit(c1, {{"m.txt", changed}, {"new.txt", "same\n"}}, {"gone.txt", "old.txt"});
  auto d = diff_commit(*handle_, c2);
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  EXPECT_EQ(d->commit.parents, std::vector<std::string>{c1});
  ASSERT_EQ(d->files.size(), 3u);

  const FileDiff* m = file(*d, "m.txt");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, "modified");
  // As git writes it: the hunk header names the nearest line above that starts a "function".
  EXPECT_EQ(
      m->patch,
      "@@ -2,7 +2,7 @@ line 1\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n"
      " line 8\n");
  EXPECT_EQ(m->additions, 1u);
  EXPECT_EQ(m->deletions, 1u);

  const FileDiff* gone = file(*d, "gone.txt");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->status, "deleted");
  EXPECT_EQ(gone->old_size, 4u);
  EXPECT_FALSE(gone->new_size.has_value());
  EXPECT_EQ(gone->patch, "@@ -1 +0,0 @@\n-bye\n");

  const FileDiff* moved = file(*d, "new.txt");
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->status, "renamed");
  EXPECT_EQ(moved->old_path, "old.txt");
  EXPECT_EQ(moved->patch, "");
}

TEST_F(CommitDiffTest, TwoRevisionsCompareTreeToTreeAcrossCommitsAndBranches) {
  auto c1 = commit("", {{"a.txt", "1\n"}, {"b.txt", "b\n"}});
  auto c2 = commit(c1, {{"a.txt", "2\n"}});
  auto c3 = commit(c2, {{"c.txt", "c\n"}}, {"b.txt"});
  auto side = commit(c1, {{"a.txt", "side\n"}});  // another branch from c1
  auto d = diff_commits(*handle_, c1, c3);
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  EXPECT_EQ(d->base, c1);
  EXPECT_EQ(d->commit.id, c3);
  ASSERT_EQ(d->files.size(), 3u);  // two commits' changes together
  EXPECT_EQ(file(*d, "a.txt")->patch, "@@ -1 +1 @@\n-1\n+2\n");
  EXPECT_EQ(file(*d, "b.txt")->status, "deleted");
  EXPECT_EQ(file(*d, "c.txt")->status, "added");
  // Backwards, and between branches that diverged: trees are compared, whatever the history.
  auto back = diff_commits(*handle_, c3, c1);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(file(*back, "c.txt")->status, "deleted");
  auto across = diff_commits(*handle_, side, c2);
  ASSERT_TRUE(across.is_ok());
  ASSERT_EQ(across->files.size(), 1u);
  EXPECT_EQ(across->files[0].patch, "@@ -1 +1 @@\n-side\n+2\n");
  // The same commit on both sides changes nothing; an unknown base is RevisionNotFound.
  auto same = diff_commits(*handle_, c2, c2);
  ASSERT_TRUE(same.is_ok());
  EXPECT_TRUE(same->files.empty());
  EXPECT_EQ(diff_commits(*handle_, std::string(40, 'a'), c2).status().kind(),
            ErrorKind::kRevisionNotFound);
}

TEST_F(CommitDiffTest, MissingFinalNewlineIsMarked) {
  auto c1 = commit("", {{"a.txt", "x\ny"}});
  auto c2 = commit(c1, {{"a.txt", "x\ny\n"}});
  auto d = diff_commit(*handle_, c2);
  ASSERT_TRUE(d.is_ok());
  ASSERT_EQ(d->files.size(), 1u);
  EXPECT_EQ(d->files[0].patch, "@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n");
}

TEST_F(CommitDiffTest, BinaryFilesHaveNoPatch) {
  std::string bytes("PNG\0\x01\x02", 6);
  auto c1 = commit("", {{"img.png", bytes}});
  auto c2 = commit(c1, {{"img.png", bytes + std::string("\0more", 5)}});
  auto d = diff_commit(*handle_, c2);
  ASSERT_TRUE(d.is_ok());
  ASSERT_EQ(d->files.size(), 1u);
  EXPECT_TRUE(d->files[0].binary);
  EXPECT_EQ(d->files[0].patch, "");
  EXPECT_EQ(d->files[0].old_size, 6u);
  EXPECT_EQ(d->files[0].new_size, 11u);
  EXPECT_FALSE(d->truncated);
}

TEST_F(CommitDiffTest, LfsPointersGiveTheObjectsNotAPatch) {
  auto c1 = commit("", {{"w.bin", pointer('a', 1000)}});
  auto c2 = commit(c1, {{"w.bin", pointer('b', 2000)}});
  auto d = diff_commit(*handle_, c2);
  ASSERT_TRUE(d.is_ok());
  ASSERT_EQ(d->files.size(), 1u);
  const FileDiff& f = d->files[0];
  EXPECT_TRUE(f.lfs());
  ASSERT_TRUE(f.old_lfs && f.new_lfs);
  EXPECT_EQ(f.old_lfs->oid, std::string(64, 'a'));
  EXPECT_EQ(f.new_lfs->oid, std::string(64, 'b'));
  EXPECT_EQ(f.old_size, 1000u);  // the objects' sizes, not the pointers'
  EXPECT_EQ(f.new_size, 2000u);
  EXPECT_EQ(f.patch, "");
  EXPECT_FALSE(f.binary);

  auto added = diff_commit(*handle_, c1);
  ASSERT_TRUE(added.is_ok());
  EXPECT_FALSE(added->files[0].old_lfs.has_value());
  EXPECT_EQ(added->files[0].new_lfs->size, 1000u);
}

TEST_F(CommitDiffTest, FilesBeyondTheLimitAreLeftOut) {
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 5; ++i) many.push_back({"f" + std::to_string(i) + ".txt", "x\n"});
  auto c1 = commit("", many);
  DiffLimits limits;
  limits.max_files = 3;
  auto d = diff_commit(*handle_, c1, limits);
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->files.size(), 3u);
  EXPECT_TRUE(d->truncated);
  limits.max_files = 5;
  d = diff_commit(*handle_, c1, limits);
  EXPECT_EQ(d->files.size(), 5u);
  EXPECT_FALSE(d->truncated);
}

TEST_F(CommitDiffTest, PatchesAreCutAtWholeLinesAndBudgets) {
  std::string big;
  for (int i = 0; i < 100; ++i) big += "row " + std::to_string(i) + "\n";
  auto c1 = commit("", {{"a.txt", big}, {"b.txt", big}, {"huge.txt", std::string(5000, 'z')}});
  DiffLimits limits;
  limits.max_patch_bytes = 100;
  limits.max_total_bytes = 150;
  limits.max_text_blob_bytes = 4000;
  auto d = diff_commit(*handle_, c1, limits);
  ASSERT_TRUE(d.is_ok());
  EXPECT_TRUE(d->truncated);
  const FileDiff* a = file(*d, "a.txt");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->truncated);
  EXPECT_LE(a->patch.size(), 100u);
  EXPECT_EQ(a->patch.back(), '\n');
  EXPECT_EQ(a->patch.substr(0, 16), "@@ -0,0 +1,100 @");
  EXPECT_EQ(a->additions, 100u);  // counted over the whole diff
  const FileDiff* b = file(*d, "b.txt");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->truncated);
  EXPECT_LE(a->patch.size() + b->patch.size(), 150u);
  const FileDiff* huge = file(*d, "huge.txt");
  ASSERT_NE(huge, nullptr);
  EXPECT_TRUE(huge->truncated);
  EXPECT_EQ(huge->patch, "");
  EXPECT_EQ(huge->new_size, 5000u);
}

TEST_F(CommitDiffTest, AnIdThatNamesNoCommitIsRevisionNotFound) {
  auto d = diff_commit(*handle_, std::string(40, '0'));
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().kind(), ErrorKind::kRevisionNotFound);
}

}  // namespace
}  // namespace vitrine::service
