// Unit tests for service/training_manifest: parsing training/manifest.json and OLMo-style
// checkpoint names.
#include "formats/hub/training_manifest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kSha = std::string(64, 'a');

TEST(TrainingManifest, FullManifest) {
  auto m = parse_training_manifest(R"({
    "schema": "vitrine.training-manifest/1",
    "base_models": [{"repo": "acme/base", "revision": ")" +
                                   kCommit + R"(", "relation": "adapter",
                     "files": [{"path": "model.safetensors", "sha256": ")" +
                                   kSha + R"("}]}],
    "datasets": [{"repo": "acme/web", "revision": ")" +
                                   kCommit + R"(", "split": "train",
                  "tokens": 4000000000, "stage": "stage1"}, "acme/plain"],
    "evaluation": [{"dataset": "acme/eval", "revision": "main"}],
    "checkpoints": ["stage1-step1000-tokens4B", {"revision": "final", "step": 7}],
    "logs": ["training/metrics.jsonl"]
  })");
  EXPECT_TRUE(m.present);
  EXPECT_EQ(m.problems.size(), 1u) << m.problems[0];  // the branch name "main" is not pinned
  ASSERT_EQ(m.base_models.size(), 1u);
  EXPECT_EQ(m.base_models[0].repo, "acme/base");
  EXPECT_TRUE(m.base_models[0].pinned());
  EXPECT_FALSE(m.base_models[0].external());
  EXPECT_EQ(m.base_models[0].relation, "adapter");
  ASSERT_EQ(m.base_models[0].files.size(), 1u);
  EXPECT_EQ(m.base_models[0].files[0].sha256, kSha);
  ASSERT_EQ(m.datasets.size(), 2u);
  EXPECT_EQ(m.datasets[0].tokens, 4000000000u);
  EXPECT_EQ(m.datasets[0].split, "train");
  EXPECT_EQ(m.datasets[0].stage, "stage1");
  EXPECT_EQ(m.datasets[1].repo, "acme/plain");
  EXPECT_FALSE(m.datasets[1].pinned());
  ASSERT_EQ(m.evaluation.size(), 1u);
  EXPECT_EQ(m.evaluation[0].repo, "acme/eval");
  EXPECT_FALSE(m.evaluation[0].pinned());
  ASSERT_EQ(m.checkpoints.size(), 2u);
  EXPECT_EQ(m.checkpoints[0].stage, "stage1");
  EXPECT_EQ(m.checkpoints[0].step, 1000u);
  EXPECT_EQ(m.checkpoints[0].tokens, 4000000000u);
  EXPECT_EQ(m.checkpoints[1].revision, "final");
  EXPECT_EQ(m.checkpoints[1].step, 7u);
  EXPECT_EQ(m.logs, std::vector<std::string>{"training/metrics.jsonl"});
}

TEST(TrainingManifest, BrokenRulesAreListedAndSkipped) {
  auto m = parse_training_manifest(R"({
    "schema": "other/2",
    "base_models": [{"repo": "acme/base", "relation": "distill"}, {"revision": "x"}, 3],
    "datasets": {"repo": "acme/web"},
    "logs": ["../etc/passwd", "/abs", "a/.git/config", "ok.txt"],
    "checkpoints": [{"step": 3}]
  })");
  EXPECT_TRUE(m.present);
  // schema, relation, missing repo, non-object, datasets not a list, three bad log paths, a
  // checkpoint without revision.
  EXPECT_EQ(m.problems.size(), 9u);
  ASSERT_EQ(m.base_models.size(), 1u);
  EXPECT_EQ(m.base_models[0].relation, "");  // the bad relation is dropped, inference decides
  EXPECT_TRUE(m.datasets.empty());
  EXPECT_EQ(m.logs, std::vector<std::string>{"ok.txt"});
  EXPECT_TRUE(m.checkpoints.empty());
}

TEST(TrainingManifest, BadFileHashesAreRejected) {
  auto m = parse_training_manifest(R"({"schema": "vitrine.training-manifest/1",
    "datasets": [{"repo": "a/b", "revision": ")" +
                                   kCommit + R"(",
                  "files": [{"path": "x", "sha256": "ABC"}, {"path": "../x", "sha256": ")" +
                                   kSha + R"("}, {"path": "y", "sha256": ")" + kSha + R"("}]}]})");
  ASSERT_EQ(m.datasets.size(), 1u);
  ASSERT_EQ(m.datasets[0].files.size(), 1u);
  EXPECT_EQ(m.datasets[0].files[0].path, "y");
  EXPECT_EQ(m.problems.size(), 2u);
}

TEST(TrainingManifest, NotJsonOrTooDeep) {
  auto bad = parse_training_manifest("{not json");
  EXPECT_TRUE(bad.present);
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_NE(bad.problems[0].find("not valid JSON"), std::string::npos);
  std::string deep(100000, '[');
  auto d = parse_training_manifest(deep);  // must not recurse 100,000 levels
  ASSERT_EQ(d.problems.size(), 1u);
  auto arr = parse_training_manifest("[1, 2]");
  ASSERT_EQ(arr.problems.size(), 1u);
  EXPECT_EQ(arr.problems[0], "not a JSON object");
}

TEST(TrainingManifest, ExternalReferences) {
  ManifestRepoRef r;
  r.repo = "https://github.com/acme/x";
  EXPECT_TRUE(r.external());
  r.repo = "acme/x";
  EXPECT_FALSE(r.external());
  r.repo = "gpt2";
  EXPECT_TRUE(r.external());
  r.repo = "a/b/c";
  EXPECT_TRUE(r.external());
}

TEST(CheckpointName, OlmoConventions) {
  ManifestCheckpoint cp;
  ASSERT_TRUE(parse_checkpoint_name("stage1-step928646-tokens3896B", cp));
  EXPECT_EQ(cp.stage, "stage1");
  EXPECT_EQ(cp.step, 928646u);
  EXPECT_EQ(cp.tokens, 3896000000000u);
  ASSERT_TRUE(parse_checkpoint_name("stage2-ingredient1-step11931-tokens50B", cp));
  EXPECT_EQ(cp.stage, "stage2-ingredient1");
  EXPECT_EQ(cp.step, 11931u);
  ASSERT_TRUE(parse_checkpoint_name("step1000-tokens4M", cp));
  EXPECT_EQ(cp.stage, "");
  EXPECT_EQ(cp.tokens, 4000000u);
  ASSERT_TRUE(parse_checkpoint_name("step5", cp));
  EXPECT_EQ(cp.step, 5u);
  EXPECT_FALSE(parse_checkpoint_name("main", cp));
  EXPECT_FALSE(parse_checkpoint_name("step", cp));
  EXPECT_FALSE(parse_checkpoint_name("step12-tokensX", cp));
  EXPECT_FALSE(parse_checkpoint_name("step1-tokens99999999999999999999T", cp));
}

}  // namespace
}  // namespace vitrine::service
