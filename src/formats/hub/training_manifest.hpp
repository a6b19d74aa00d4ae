// The training manifest: `training/manifest.json` in a model repository declares what the
// model was made from (base models and datasets by repository and commit, code, stages,
// checkpoints, logs). Schema and rules: docs/lineage.md. Parsing never fails as a whole: what
// breaks a rule is listed in `problems` and left out, the rest is kept.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitrine::service {

inline constexpr std::string_view kManifestPath = "training/manifest.json";
inline constexpr std::string_view kManifestSchema = "vitrine.training-manifest/1";

struct ManifestFile {
  std::string path;
  std::string sha256;  // 64 lower-case hex
};

// A repository at a revision, named by the manifest.
struct ManifestRepoRef {
  std::string repo;      // "ns/name" of this hub, or an external URL / id
  std::string revision;  // "" when not given
  std::vector<ManifestFile> files;
  std::string relation;   // base models: finetune | adapter | merge | quantized ("" = infer)
  std::string split;      // datasets
  uint64_t tokens = 0;    // datasets
  std::string stage;      // datasets
  bool external() const;  // a URL or not of the form ns/name
  bool pinned() const;    // revision is a full 40-hex commit id
};

struct ManifestCheckpoint {
  std::string revision;  // a branch or tag of the model repository
  std::string stage;
  uint64_t step = 0;
  uint64_t tokens = 0;
};

struct TrainingManifest {
  bool present = false;                            // the file exists at the revision
  nlohmann::json data = nlohmann::json::object();  // the file as parsed (for the report)
  std::vector<ManifestRepoRef> base_models;
  std::vector<ManifestRepoRef> datasets;
  std::vector<ManifestRepoRef> evaluation;
  std::vector<ManifestCheckpoint> checkpoints;
  std::vector<std::string> logs;  // paths in the model repository
  std::vector<std::string> problems;
};

// Parses the manifest's text (at most a few MiB; the caller bounds it).
TrainingManifest parse_training_manifest(std::string_view text);

// OLMo-style checkpoint names: `stage1-step1000-tokens4B`, `step1000-tokens4B`,
// `stage2-ingredient1-step11931-tokens50B`. Fills stage, step and tokens (K/M/B/T suffixes);
// false when the name does not follow the convention.
bool parse_checkpoint_name(std::string_view name, ManifestCheckpoint& out);

}  // namespace vitrine::service
