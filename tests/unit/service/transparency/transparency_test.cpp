// The transparency log's service side against a real data folder: entries for API changes,
// voids for changes that did not happen, sealing of private repositories, crash recovery of
// unresolved intents, the store's self-check, and signed checkpoints.
#include "service/transparency/transparency.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "formats/git/lfs_pointer.hpp"
#include "service/access/auth_service.hpp"
#include "service/commits/commit_builder.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_service.hpp"
#include "service/transparency/log_entries.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A pid that belonged to a process that has exited (a killed writer).
int64_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

class TransparencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vitrine-tlog-" + util::random_alnum(10));
    ASSERT_NO_FATAL_FAILURE(open_hub());
    AuthService auth(*hub_);
    ASSERT_TRUE(auth.create_user("alice", false).is_ok());
    alice_ =
        auth.authenticate("Bearer " + *auth.create_token("alice", domain::TokenRole::kWrite, "t"));
    CreateRepoRequest req;
    req.name = "m";
    auto repo = RepoService(*hub_).create(alice_, req);
    ASSERT_TRUE(repo.is_ok()) << repo.status().message();
    repo_ = *repo;
  }
  void TearDown() override {
    hub_.reset();
    fs::remove_all(dir_);
  }
  // Opens (or reopens) the hub on dir_.
  void open_hub() {
    HubConfig config;
    config.data_dir = dir_.string();
    config.public_url = "https://hub.example.org";
    auto hub = Hub::open(config);
    ASSERT_TRUE(hub.is_ok()) << hub.status().message();
    hub_ = std::move(*hub);
  }
  storage::TlogStore& log() { return hub_->transparency().store(); }

  Result<CommitOutcome> commit(const domain::RepoRecord& repo, const std::string& path,
                               std::optional<std::string> parent = std::nullopt) {
    CommitBuilder builder(*hub_, repo, alice_);
    if (auto st = builder.begin(); !st) return st;
    if (auto st = builder.add(FileOp{path, "content of " + path}); !st) return st;
    return builder.finish(CommitHeader{"add " + path, "", parent}, "main", false);
  }
  Result<domain::RepoRecord> private_repo(const std::string& name) {
    CreateRepoRequest req;
    req.name = name;
    req.is_private = true;
    return RepoService(*hub_).create(alice_, req);
  }
  json entry(int64_t i) { return json::parse(log().entry(i)->data); }
  int64_t size() { return *log().size(); }
  size_t pending() { return log().pending(INT64_MAX)->size(); }
  std::string head() { return *(*hub_->open_git(repo_))->ref_target("refs/heads/main"); }

  fs::path dir_;
  std::unique_ptr<Hub> hub_;
  Caller alice_;
  domain::RepoRecord repo_;
};

TEST_F(TransparencyTest, CreationAndCommitsAreLoggedInOrder) {
  ASSERT_EQ(size(), 1);
  json created = entry(0);
  EXPECT_EQ(created["kind"], "repo");
  EXPECT_EQ(created["action"], "create");
  EXPECT_EQ(created["repo"], "models/alice/m");
  EXPECT_EQ(created["refs"]["refs/heads/main"], head());
  const std::string before = head();
  auto c = commit(repo_, "a.txt");
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  ASSERT_EQ(size(), 2);
  json moved = entry(1);
  EXPECT_EQ(moved["kind"], "ref");
  EXPECT_EQ(moved["ref"], "refs/heads/main");
  EXPECT_EQ(moved["old"], before);
  EXPECT_EQ(moved["new"], c->commit);
  EXPECT_EQ(moved["tree"], (*hub_->open_git(repo_))->commit_info(c->commit)->tree);
  EXPECT_EQ(moved["forced"], false);
  EXPECT_EQ(moved["actor"], "alice");
  EXPECT_EQ(moved["via"], "api");
  EXPECT_EQ(moved["v"], 1);
  EXPECT_EQ(pending(), 0u) << "the commit resolved its intent";
  auto found = log().lookup({"commit:" + c->commit}, size(), 10);
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(*found, std::vector<int64_t>{1});
  auto by_ref = log().lookup({"ref:" + repo_.uid + ":refs/heads/main"}, size(), 10);
  EXPECT_EQ(*by_ref, (std::vector<int64_t>{0, 1}));
}

TEST_F(TransparencyTest, ALostCompareAndSwapLeavesAnIntentAndItsVoid) {
  const std::string base = head();
  ASSERT_TRUE(commit(repo_, "a.txt").is_ok());
  // A commit on a stale parent is refused before anything is logged.
  ASSERT_FALSE(commit(repo_, "b.txt", base).is_ok());
  ASSERT_EQ(size(), 2);
  // A move whose compare-and-swap loses after its intent was logged (a concurrent writer got
  // there first) is logged, then voided.
  auto git = hub_->open_git(repo_);
  auto tree = (*git)->build_tree(base, {});
  auto other = (*git)->create_commit(*tree, {base}, "a", "a@x", "racing");
  auto st = logged_ref_update(*hub_, **git, repo_, "alice",
                              RefMove{"refs/heads/main", *other, base, "race", {}, {}, {}});
  EXPECT_EQ(st.kind(), ErrorKind::kPreconditionFailed);
  ASSERT_EQ(size(), 4);
  json intent = entry(2);
  json voided = entry(3);
  EXPECT_EQ(intent["old"], base);
  EXPECT_EQ(intent["new"], *other);
  EXPECT_EQ(voided["kind"], "void");
  EXPECT_EQ(voided["voids"], 2);
  EXPECT_EQ(pending(), 0u);
}

TEST_F(TransparencyTest, PrivateRepositoriesAreSealed) {
  auto repo = private_repo("secret-model");
  ASSERT_TRUE(repo.is_ok());
  ASSERT_TRUE(commit(*repo, "weights.txt").is_ok());
  for (int64_t i = 1; i < size(); ++i) {
    auto e = log().entry(i);
    ASSERT_TRUE(e.is_ok());
    EXPECT_EQ(e->data.find("secret-model"), std::string::npos) << e->data;
    EXPECT_EQ(e->data.find(repo->uid), std::string::npos) << e->data;
    json sealed = json::parse(e->data);
    EXPECT_EQ(sealed["kind"], "sealed");
    // The hub keeps the opening; it matches the commitment, and a changed entry does not.
    EXPECT_EQ(sealed["commitment"], sealed_commitment(e->nonce, e->sealed_entry));
    EXPECT_NE(sealed["commitment"], sealed_commitment(e->nonce, e->sealed_entry + " "));
    EXPECT_EQ(json::parse(e->sealed_entry)["repo"], "models/alice/secret-model");
  }
  // Making it public is logged in the clear.
  ASSERT_TRUE(RepoService(*hub_).update_settings(*repo, false, std::nullopt, &alice_).is_ok());
  json shown = entry(size() - 1);
  EXPECT_EQ(shown["action"], "visibility");
  EXPECT_EQ(shown["repo"], "models/alice/secret-model");
  EXPECT_EQ(shown["private"], false);
}

// Lookups for a caller who may not open every sealed entry seek only the parts of the index
// the caller may see: entries in the clear, sealed entries of repositories that are public now,
// and the readable repositories' sealed entries. A log written before the index said who may
// see each entry is upgraded in place to the same answers.
TEST_F(TransparencyTest, VisibleLookupsSeekOnlyWhatTheCallerMaySeeAlsoAfterAnUpgrade) {
  auto hidden = private_repo("secret-model");
  ASSERT_TRUE(hidden.is_ok());
  ASSERT_TRUE(commit(*hidden, "w.txt").is_ok());
  ASSERT_TRUE(commit(repo_, "a.txt").is_ok());
  // A repository that was private when logged and is public now.
  auto opened = private_repo("was-private");
  ASSERT_TRUE(opened.is_ok());
  ASSERT_TRUE(commit(*opened, "w.txt").is_ok());
  ASSERT_TRUE(RepoService(*hub_).update_settings(*opened, false, std::nullopt, &alice_).is_ok());
  const std::vector<std::string> readable{hidden->uid};
  auto check = [&](const std::string& when) {
    const std::vector<std::string> one{"repo:" + hidden->uid};
    const std::vector<std::string> two{"repo:" + hidden->uid, "name:models/alice/secret-model"};
    auto all = log().lookup(one, size(), 100);
    ASSERT_TRUE(all.is_ok()) << when;
    EXPECT_EQ(all->size(), 2u) << when;
    for (const auto& keys : {one, two}) {
      // Without the repository: nothing of it, one key or several.
      auto none = log().lookup_visible(keys, size(), 100, {});
      ASSERT_TRUE(none.is_ok()) << when << ": " << none.status().message();
      EXPECT_TRUE(none->empty()) << when;
      // With it: exactly what lookup() finds, in order.
      auto found = log().lookup_visible(keys, size(), 100, readable);
      ASSERT_TRUE(found.is_ok()) << when << ": " << found.status().message();
      EXPECT_EQ(*found, *all) << when;
    }
    // The public-now repository's sealed entries: anyone finds them.
    const std::vector<std::string> was{"repo:" + opened->uid};
    EXPECT_EQ(*log().lookup_visible(was, size(), 100, {}), *log().lookup(was, size(), 100)) << when;
    EXPECT_GE(log().lookup(was, size(), 100)->size(), 3u) << when;  // create, commit, visibility
    // Entries in the clear, merged with a readable repository's, in order and within bounds.
    const std::vector<std::string> clear_key{"repo:" + repo_.uid};
    auto clear = log().lookup(clear_key, size(), 100);
    ASSERT_TRUE(clear.is_ok() && clear->size() == 2u) << when;
    EXPECT_EQ(*log().lookup_visible(clear_key, size(), 100, readable), *clear) << when;
    EXPECT_EQ(*log().lookup_visible(clear_key, size(), 1, readable),
              std::vector<int64_t>{clear->front()})
        << when;
    EXPECT_EQ(*log().lookup_visible(clear_key, clear->back(), 100, {}),
              std::vector<int64_t>{clear->front()})
        << when;
  };
  check("as written");
  // Many readable repositories (an administrator's, a large organization's): one part each.
  std::vector<std::string> many(600, "unknown-uid");
  many.push_back(hidden->uid);
  auto found = log().lookup_visible({"repo:" + hidden->uid}, size(), 100, many);
  ASSERT_TRUE(found.is_ok()) << found.status().message();
  EXPECT_EQ(*found, *log().lookup({"repo:" + hidden->uid}, size(), 100));
  // Private again: hidden again, from everyone but its readers.
  auto again = hub_->db().find_repo_by_uid(opened->uid);
  ASSERT_TRUE(RepoService(*hub_).update_settings(**again, true, std::nullopt, &alice_).is_ok());
  const std::vector<std::string> was{"repo:" + opened->uid};
  auto every = *log().lookup(was, size(), 100);
  std::vector<int64_t> in_clear;
  for (int64_t i : every) {
    if (log().entry(i)->sealed_entry.empty()) in_clear.push_back(i);
  }
  EXPECT_FALSE(in_clear.empty());
  EXPECT_LT(in_clear.size(), every.size());
  EXPECT_EQ(*log().lookup_visible(was, size(), 100, {}), in_clear)
      << "only the entries logged in the clear while it was public";
  EXPECT_EQ(*log().lookup_visible(was, size(), 100, {opened->uid}), every);
  ASSERT_TRUE(
      RepoService(*hub_)
          .update_settings(**hub_->db().find_repo_by_uid(opened->uid), false, std::nullopt, &alice_)
          .is_ok());
  // Rewrite the index as an earlier release laid it out (no visibility, no schema versions),
  // reopen.
  hub_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "tlog/log.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, R"sql(
CREATE TABLE old_keys(key TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(key, idx))
  WITHOUT ROWID;
INSERT INTO old_keys SELECT key, idx FROM keys;
DROP TABLE keys;
DROP TABLE sealed_repos;
DROP TABLE schema_version;
ALTER TABLE old_keys RENAME TO keys;
)sql",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  ASSERT_NO_FATAL_FAILURE(open_hub());
  hub_->recover_after_crash();  // what `vitrine serve` does first: opens the public ones
  check("upgraded");
}

TEST_F(TransparencyTest, RecoveryVoidsWhatNeverBecameVisibleAndKeepsWhatDid) {
  auto git = hub_->open_git(repo_);
  ASSERT_TRUE(git.is_ok());
  const std::string base = head();
  auto tree = (*git)->build_tree(base, {});
  auto next = (*git)->create_commit(*tree, {base}, "a", "a@x", "next");
  ASSERT_TRUE(next.is_ok());
  // A killed writer's intent whose ref never moved.
  auto lost = ref_entry(**git, nullptr, repo_, "refs/heads/main", base, *next, "alice", "git");
  ASSERT_TRUE(lost.is_ok());
  lost->intent->pid = dead_pid();
  const int64_t lost_at = *log().append({*lost});
  // A live writer's intent is left alone (it may still move the ref).
  auto live = ref_entry(**git, nullptr, repo_, "refs/heads/dev", "", *next, "alice", "git");
  live->intent->pid = ::getpid();
  const int64_t live_at = *log().append({*live});
  auto voided = recover_intents(log(), hub_->db(), dir_.string() + "/repos", INT64_MAX);
  ASSERT_TRUE(voided.is_ok());
  EXPECT_EQ(*voided, 1);
  json v = entry(size() - 1);
  EXPECT_EQ(v["kind"], "void");
  EXPECT_EQ(v["voids"], lost_at);
  auto left = log().pending(INT64_MAX);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().index, live_at);
  ASSERT_TRUE(log().resolve(std::vector<int64_t>{live_at}).is_ok());

  // A killed writer whose ref did move: the entry stands, no void.
  auto made = ref_entry(**git, nullptr, repo_, "refs/heads/main", base, *next, "alice", "git");
  made->intent->pid = dead_pid();
  ASSERT_TRUE(log().append({*made}).is_ok());
  ASSERT_TRUE((*git)->update_ref("refs/heads/main", *next, base, "moved").is_ok());
  const int64_t before = size();
  voided = recover_intents(log(), hub_->db(), dir_.string() + "/repos", INT64_MAX);
  EXPECT_EQ(*voided, 0);
  EXPECT_EQ(size(), before);
  EXPECT_EQ(pending(), 0u);
}

TEST_F(TransparencyTest, RecoveryKnowsAMoveThatALaterLoggedMoveBuiltOn) {
  auto git = hub_->open_git(repo_);
  const std::string base = head();
  auto tree = (*git)->build_tree(base, {});
  auto next = (*git)->create_commit(*tree, {base}, "a", "a@x", "next");
  // The killed writer moved main to `next` but never resolved its intent...
  auto made = ref_entry(**git, nullptr, repo_, "refs/heads/main", base, *next, "alice", "git");
  made->intent->pid = dead_pid();
  ASSERT_TRUE(log().append({*made}).is_ok());
  ASSERT_TRUE((*git)->update_ref("refs/heads/main", *next, base, "moved").is_ok());
  // ...and a later logged commit moved main on from `next`.
  ASSERT_TRUE(commit(repo_, "later.txt", *next).is_ok());
  auto voided = recover_intents(log(), hub_->db(), dir_.string() + "/repos", INT64_MAX);
  ASSERT_TRUE(voided.is_ok());
  EXPECT_EQ(*voided, 0) << "the later move from its commit proves it happened";
}

TEST_F(TransparencyTest, CheckFindsAnEditedEntryAndRehashRebuilds) {
  ASSERT_TRUE(commit(repo_, "a.txt").is_ok());
  ASSERT_TRUE(commit(repo_, "b.txt").is_ok());
  EXPECT_EQ(*log().check(), "");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "tlog/log.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), "
                         "'alice', 'mallory') AS BLOB) WHERE idx = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto problem = log().check();
  ASSERT_TRUE(problem.is_ok());
  EXPECT_NE(problem->find("does not match"), std::string::npos) << *problem;
  ASSERT_TRUE(log().rehash().is_ok());
  EXPECT_EQ(*log().check(), "");
}

TEST_F(TransparencyTest, CheckpointsAreSignedTreeHeads) {
  ASSERT_TRUE(commit(repo_, "a.txt").is_ok());
  auto& t = hub_->transparency();
  ASSERT_TRUE(t.issue_checkpoint().is_ok());
  auto c = t.checkpoint();
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->size, 2);
  auto key = t.verifier_key();
  ASSERT_TRUE(key.is_ok());
  EXPECT_TRUE(key->starts_with("hub.example.org/vitrine-log+")) << *key;
  auto verifier = tlog::parse_verifier_key(*key);
  ASSERT_TRUE(verifier.is_ok());
  std::vector<tlog::Verifier> known{*verifier};
  auto opened = tlog::open_note(c->note, known);
  ASSERT_TRUE(opened) << opened.message;
  auto parsed = tlog::parse_checkpoint(opened.note.text);
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed->origin, "hub.example.org/vitrine-log");
  EXPECT_EQ(parsed->tree_size, 2u);
  auto root = tlog::tree_hash(2, log().hash_reader());
  EXPECT_EQ(parsed->root_hash, std::string(reinterpret_cast<const char*>(root->data()), 32));
  // Nothing new: no new checkpoint.
  ASSERT_TRUE(t.issue_checkpoint().is_ok());
  EXPECT_EQ(t.checkpoint()->note, c->note);
}

}  // namespace
}  // namespace vitrine::service

namespace vitrine::service {
namespace {

TEST_F(TransparencyTest, LongFileListsGoIntoPartEntriesThatFitABundle) {
  auto git = hub_->open_git(repo_);
  ASSERT_TRUE(git.is_ok());
  const std::string base = head();
  std::vector<storage::TreeChange> changes;
  for (int i = 0; i < 800; ++i) {
    auto blob = (*git)->write_blob(
        format_lfs_pointer({util::sha256_hex("file " + std::to_string(i)), 1000u + i}));
    ASSERT_TRUE(blob.is_ok());
    changes.push_back({storage::TreeChange::Kind::kPutBlob,
                       "shards/shard-" + std::to_string(i) + ".safetensors", *blob, false});
  }
  auto tree = (*git)->build_tree(base, changes);
  auto next = (*git)->create_commit(*tree, {base}, "a", "a@x", "800 LFS files");
  ASSERT_TRUE(next.is_ok());
  // A new branch at that commit lists every LFS file of the tree.
  auto entries = ref_entries(**git, nullptr, repo_, "refs/heads/big", "", *next, "alice", "api");
  ASSERT_TRUE(entries.is_ok()) << entries.status().message();
  ASSERT_GT(entries->size(), 2u);
  EXPECT_FALSE(ref_entry(**git, nullptr, repo_, "refs/heads/big", "", *next, "a", "api").is_ok());
  json head_entry = json::parse(entries->front().data);
  EXPECT_EQ(head_entry["kind"], "ref");
  EXPECT_TRUE(head_entry["files"].empty());
  const size_t parts = head_entry["files_parts"].get<size_t>();
  ASSERT_EQ(parts + 1, entries->size());
  std::set<std::string> listed;
  for (size_t k = 1; k < entries->size(); ++k) {
    const auto& e = (*entries)[k];
    EXPECT_LT(e.data.size(), 65536u) << "an entry bundle stores lengths in 2 bytes";
    EXPECT_FALSE(e.intent.has_value());
    json part = json::parse(e.data);
    EXPECT_EQ(part["kind"], "part");
    EXPECT_EQ(part["of"], "files");
    EXPECT_EQ(part["part"], k);
    EXPECT_EQ(part["parts"], parts);
    for (const auto& f : part["items"]) listed.insert(f["sha256"].get<std::string>());
  }
  EXPECT_EQ(listed.size(), 800u);
  // They append together, and the last file's hash finds its part entry.
  auto first = log().append(*entries);
  ASSERT_TRUE(first.is_ok());
  auto found = log().lookup({"file:" + util::sha256_hex("file 799")}, size(), 10);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_GT(found->front(), *first);
  EXPECT_EQ(*log().check(), "");
}

}  // namespace
}  // namespace vitrine::service
