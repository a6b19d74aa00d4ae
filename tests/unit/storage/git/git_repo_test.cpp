// GitRepo: tree building, the ref compare-and-swap, and history.
#include "storage/git/git_repo.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "service/commits/commit_history.hpp"
#include "service/repos/repo_handle.hpp"
#include "util/crypto.hpp"

namespace vitrine::storage {
namespace {

namespace fs = std::filesystem;

class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vitrine-git-" + util::random_alnum(10));
    auto repo = GitRepo::create(dir_.string(), "main");
    ASSERT_TRUE(repo.is_ok()) << repo.status().message();
    handle_.emplace(std::move(*repo));
    repo_ = &handle_->git();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string commit_files(const std::string& base,
                           const std::vector<std::pair<std::string, std::string>>& files) {
    std::vector<TreeChange> changes;
    for (const auto& [path, content] : files) {
      changes.push_back({TreeChange::Kind::kPutBlob, path, *repo_->write_blob(content), false});
    }
    auto tree = repo_->build_tree(base, changes);
    EXPECT_TRUE(tree.is_ok()) << tree.status().message();
    std::vector<std::string> parents;
    if (!base.empty()) parents.push_back(base);
    auto commit = repo_->create_commit(*tree, parents, "alice", "alice@example.org", "msg");
    EXPECT_TRUE(commit.is_ok());
    return *commit;
  }

  fs::path dir_;
  std::optional<service::RepoHandle> handle_;  // owns the repository
  GitRepo* repo_ = nullptr;
};

TEST_F(GitRepoTest, BuildsNestedTreesAndReadsThemBack) {
  auto c1 = commit_files("", {{"a.txt", "A"}, {"dir/sub/b.txt", "BB"}});
  auto entry = repo_->entry_at(c1, "dir/sub/b.txt");
  ASSERT_TRUE(entry.is_ok());
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->size, 2u);
  EXPECT_EQ(*repo_->read_blob((*entry)->oid), "BB");
  auto all = repo_->list_tree(c1, "", true);
  ASSERT_TRUE(all.is_ok());
  std::vector<std::string> paths;
  for (const auto& e : *all) paths.push_back(e.path + (e.is_dir ? "/" : ""));
  EXPECT_EQ(paths, (std::vector<std::string>{"a.txt", "dir/", "dir/sub/", "dir/sub/b.txt"}));
  auto flat = repo_->list_tree(c1, "dir", false);
  ASSERT_TRUE(flat.is_ok());
  ASSERT_EQ(flat->size(), 1u);
  EXPECT_EQ((*flat)[0].path, "dir/sub");
}

TEST_F(GitRepoTest, DeletingTheLastFileRemovesEmptyDirectories) {
  auto c1 = commit_files("", {{"keep.txt", "k"}, {"dir/only.txt", "x"}});
  auto tree = repo_->build_tree(c1, {{TreeChange::Kind::kDelete, "dir/only.txt", "", false}});
  ASSERT_TRUE(tree.is_ok());
  auto c2 = repo_->create_commit(*tree, {c1}, "a", "a@x", "delete");
  ASSERT_TRUE(c2.is_ok());
  auto dir = repo_->entry_at(*c2, "dir");
  ASSERT_TRUE(dir.is_ok());
  EXPECT_FALSE(dir->has_value());
}

TEST_F(GitRepoTest, DeletingAMissingPathIsEntryNotFound) {
  auto c1 = commit_files("", {{"a.txt", "A"}});
  auto tree = repo_->build_tree(c1, {{TreeChange::Kind::kDelete, "nope/x.txt", "", false}});
  ASSERT_FALSE(tree.is_ok());
  EXPECT_EQ(tree.status().kind(), ErrorKind::kEntryNotFound);
}

TEST_F(GitRepoTest, RefCompareAndSwapRefusesAStaleOldValue) {
  auto c1 = commit_files("", {{"a.txt", "1"}});
  ASSERT_TRUE(repo_->update_ref("refs/heads/main", c1, "", "init").is_ok());
  // Creating a ref that exists fails.
  EXPECT_EQ(repo_->update_ref("refs/heads/main", c1, "", "again").kind(),
            ErrorKind::kPreconditionFailed);
  auto c2 = commit_files(c1, {{"a.txt", "2"}});
  auto c3 = commit_files(c1, {{"a.txt", "3"}});
  ASSERT_TRUE(repo_->update_ref("refs/heads/main", c2, c1, "c2").is_ok());
  // c3 was built on c1, which is no longer the head: refused, head unchanged.
  EXPECT_EQ(repo_->update_ref("refs/heads/main", c3, c1, "c3").kind(),
            ErrorKind::kPreconditionFailed);
  EXPECT_EQ(*repo_->ref_target("refs/heads/main"), c2);
}

TEST_F(GitRepoTest, ConcurrentCompareAndSwapHasExactlyOneWinner) {
  auto base = commit_files("", {{"a.txt", "0"}});
  ASSERT_TRUE(repo_->update_ref("refs/heads/main", base, "", "init").is_ok());
  constexpr int kWriters = 8;
  std::vector<std::string> commits;
  for (int i = 0; i < kWriters; ++i)
    commits.push_back(commit_files(base, {{"a.txt", std::to_string(i + 1)}}));
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto repo = GitRepo::open(dir_.string());
      ASSERT_TRUE(repo.is_ok());
      auto st = (*repo)->update_ref("refs/heads/main", commits[static_cast<size_t>(i)], base, "w");
      if (st.is_ok())
        ++wins;
      else if (st.kind() == ErrorKind::kPreconditionFailed)
        ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kWriters - 1);
  auto head = repo_->ref_target("refs/heads/main");
  ASSERT_TRUE(head.has_value());
  EXPECT_NE(std::find(commits.begin(), commits.end(), *head), commits.end());
}

TEST_F(GitRepoTest, LogIsNewestFirstWithTotalCount) {
  auto c1 = commit_files("", {{"a", "1"}});
  auto c2 = commit_files(c1, {{"a", "2"}});
  auto c3 = commit_files(c2, {{"a", "3"}});
  size_t total = 0;
  auto page = repo_->log(c3, 1, 1, &total);
  ASSERT_TRUE(page.is_ok());
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, c2);
}

// The commits listing's cached histories list exactly what log() lists, whether walked or
// extended from a cached ancestor, across merges, and with no room to keep anything.
TEST_F(GitRepoTest, CommitHistoriesListWhatLogLists) {
  auto ids_of_log = [&](const std::string& commit) {
    size_t total = 0;
    auto page = repo_->log(commit, 0, 1000, &total);
    EXPECT_TRUE(page.is_ok());
    std::vector<std::string> ids;
    for (const auto& c : *page) ids.push_back(c.id);
    EXPECT_EQ(total, ids.size());
    return ids;
  };
  auto ids_of = [&](service::CommitHistories& cache, const std::string& commit) {
    auto history = cache.get(*handle_, "uid", commit, "tester");
    EXPECT_TRUE(history.is_ok()) << history.status().message();
    std::vector<std::string> ids;
    for (size_t i = 0; i < (*history)->size(); ++i) ids.push_back((*history)->id(i));
    return ids;
  };
  auto c1 = commit_files("", {{"a", "1"}});
  auto c2 = commit_files(c1, {{"a", "2"}});
  auto c3 = commit_files(c2, {{"a", "3"}});
  auto d1 = commit_files(c1, {{"b", "1"}});
  auto tree = repo_->commit_info(c3)->tree;
  auto merge = *repo_->create_commit(tree, {c3, d1}, "alice", "alice@example.org", "merge");
  auto c5 = commit_files(merge, {{"a", "5"}});
  auto c6 = commit_files(c5, {{"a", "6"}});
  service::CommitHistories cache(1 << 20), none(0);
  for (const auto& commit : {c1, c3, merge, c5, c6}) {
    EXPECT_EQ(ids_of(cache, commit), ids_of_log(commit));
    EXPECT_EQ(ids_of(none, commit), ids_of_log(commit));
  }
  // A branch that moves on: extended from the cached c6, the same as a walk.
  std::string head = c6;
  for (int i = 0; i < 5; ++i) head = commit_files(head, {{"a", "n" + std::to_string(i)}});
  EXPECT_EQ(ids_of(cache, head), ids_of_log(head));
  EXPECT_EQ(ids_of(cache, head).size(), 12u);
  EXPECT_EQ(ids_of(cache, head), ids_of(none, head));
}

TEST_F(GitRepoTest, LogOfAPathListsTheCommitsThatChangedIt) {
  auto c1 = commit_files("", {{"a.txt", "1"}, {"docs/x.md", "x"}});
  auto c2 = commit_files(c1, {{"b.txt", "1"}});
  auto c3 = commit_files(c2, {{"a.txt", "2"}, {"docs/y.md", "y"}});
  auto c4 = commit_files(c3, {{"b.txt", "2"}});
  auto c5 = commit_files(c4, {{"a.txt", "2"}});  // the same content: not a change of a.txt
  auto ids = [&](const std::string& path, size_t offset = 0, size_t limit = 100) {
    size_t total = 0;
    std::vector<std::string> out;
    auto page = repo_->log(c5, offset, limit, &total, path);
    EXPECT_TRUE(page.is_ok());
    if (page.is_ok()) {
      for (const auto& c : *page) out.push_back(c.id);
    }
    out.push_back("total=" + std::to_string(total));
    return out;
  };
  EXPECT_EQ(ids("a.txt"), (std::vector<std::string>{c3, c1, "total=2"}));
  EXPECT_EQ(ids("b.txt"), (std::vector<std::string>{c4, c2, "total=2"}));
  EXPECT_EQ(ids("docs"), (std::vector<std::string>{c3, c1, "total=2"}));  // a folder
  EXPECT_EQ(ids("docs/y.md"), (std::vector<std::string>{c3, "total=1"}));
  EXPECT_EQ(ids("nope.txt"), (std::vector<std::string>{"total=0"}));
  EXPECT_EQ(ids("a.txt", 1, 1), (std::vector<std::string>{c1, "total=2"}));  // paged
  // Deleting a file is a change of it.
  auto tree = repo_->build_tree(c5, {{TreeChange::Kind::kDelete, "b.txt", "", false}});
  ASSERT_TRUE(tree.is_ok()) << tree.status().message();
  auto c6 = repo_->create_commit(*tree, {c5}, "alice", "alice@example.org", "rm b");
  ASSERT_TRUE(c6.is_ok());
  size_t total = 0;
  auto b = repo_->log(*c6, 0, 10, &total, "b.txt");
  ASSERT_TRUE(b.is_ok());
  ASSERT_EQ(b->size(), 3u);
  EXPECT_EQ((*b)[0].id, *c6);
  // Making a file executable, its content unchanged, is a change of it.
  auto exec_tree = repo_->build_tree(
      *c6, {{TreeChange::Kind::kPutBlob, "a.txt", *repo_->write_blob("2"), true}});
  ASSERT_TRUE(exec_tree.is_ok());
  auto c7 = repo_->create_commit(*exec_tree, {*c6}, "alice", "alice@example.org", "chmod");
  ASSERT_TRUE(c7.is_ok());
  auto a = repo_->log(*c7, 0, 10, &total, "a.txt");
  ASSERT_TRUE(a.is_ok());
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].id, *c7);
}

TEST_F(GitRepoTest, FindsCommitsByAbbreviatedId) {
  auto c1 = commit_files("", {{"a", "1"}});
  EXPECT_EQ(repo_->find_commit(c1.substr(0, 7)), c1);
  EXPECT_FALSE(repo_->find_commit("zzzzzzz").has_value());
  EXPECT_FALSE(repo_->find_commit("0000000").has_value());
}

}  // namespace
}  // namespace vitrine::storage

namespace vitrine::storage {
namespace {

TEST_F(GitRepoTest, ACommitWithoutChangesKeepsTheTree) {
  auto c1 = commit_files("", {{"a.txt", "A"}, {"d/b.txt", "B"}});
  auto tree = repo_->build_tree(c1, {});
  ASSERT_TRUE(tree.is_ok());
  EXPECT_EQ(*tree, repo_->commit_info(c1)->tree);
}

}  // namespace
}  // namespace vitrine::storage
