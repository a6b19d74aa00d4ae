// Openness reports and Croissant metadata: pure functions from what the hub knows about a
// repository revision (its files, card, training manifest and lineage edges) to the reports
// auditors read. No I/O here; the lineage service (service/lineage/lineage.hpp) gathers the facts.
// Formats: docs/lineage.md, "Openness report" and "Croissant".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vitrine::service {

// One file of a revision.
struct RevisionFile {
  std::string path;
  uint64_t size = 0;    // content size (LFS/Xet files: the real size, not the pointer's)
  std::string sha256;   // LFS/Xet SHA-256; empty for small files kept in git
  std::string git_oid;  // the git blob id
};

// One lineage edge from a revision to something it derives from or was evaluated on.
struct LineageEdge {
  std::string relation;     // finetune | adapter | merge | quantized | trained-on | evaluated-on
  std::string parent_type;  // "model" | "dataset"
  std::string parent_id;    // "ns/name" of a repository of this hub, or an external id/URL
  std::string parent_revision;  // the commit the edge points at ("" when not pinned)
  bool verified = false;  // points at an existing commit of this hub and the hashes named match
  std::string source;     // "card" | "manifest" | "gguf"
  std::vector<std::string> problems;  // why it is only declared (not on this hub, hash mismatch…)
  // From the manifest, when given (trained-on edges).
  std::string split;
  uint64_t tokens = 0;
  std::string stage;
  // The parent is a repository the caller may not see: shown exactly as if it did not exist
  // (the id as declared, "not found on this hub", no revision).
  bool hidden = false;
};

// What the hub knows about a dataset revision (for Croissant and for the training-data summary).
struct DatasetFacts {
  std::string repo_id;                             // "ns/name"
  std::string revision;                            // commit sha
  bool on_hub = false;                             // false: only declared, nothing below is known
  nlohmann::json card = nlohmann::json::object();  // front matter as JSON
  std::string card_body;                           // README.md after the front matter
  std::vector<RevisionFile> files;
  std::vector<LineageEdge> edges;  // source_datasets
  int64_t last_modified_ms = 0;
};

// What the hub knows about a model revision.
struct ModelFacts {
  std::string repo_id;
  std::string revision;  // commit sha
  std::string ref;       // the ref asked for ("main" by default)
  nlohmann::json card = nlohmann::json::object();
  std::string card_error;  // invalid front matter: why
  std::string card_body;   // README.md after the front matter ("" when there is no README)
  std::vector<RevisionFile> files;
  bool manifest_present = false;
  nlohmann::json manifest = nlohmann::json::object();  // training/manifest.json as parsed
  std::vector<std::string> manifest_problems;
  std::vector<LineageEdge> edges;  // base models, training and evaluation datasets
  // Checkpoint revisions the manifest lists that exist as branches/tags of the repository.
  std::vector<std::string> checkpoints_present;
  std::vector<std::string> checkpoints_missing;  // listed but absent
  std::vector<DatasetFacts> datasets;            // the datasets of trained-on edges, in edge order
  // The datasets of evaluated-on edges that are on this hub (their cards give the licence of
  // the "Evaluation data" component); may be empty when the lineage service has not read them.
  std::vector<DatasetFacts> evaluation_datasets;
  uint64_t parameters = 0;  // from safetensors/GGUF headers, 0 when unknown
};

// The openness report of a model revision (JSON; layout in docs/lineage.md): the Model Openness
// Framework's 17 components with status and evidence, the resulting MOF class, the OSI Open
// Source AI Definition elements, and a draft of the EU AI Act public summary of training
// content with what is missing. Every item says whether the hub checked it ("verified") or
// relies on a declaration ("declared").
nlohmann::json openness_report(const ModelFacts& facts);

// The same report as Markdown, for people (and for the web interface).
std::string openness_markdown(const nlohmann::json& report);

// Croissant 1.0 JSON-LD for a dataset revision, keeping the card's responsible-AI fields in
// the `rai:` vocabulary. `base_url` is the hub's public URL (file URLs are resolve URLs).
nlohmann::json croissant_json_ld(const DatasetFacts& facts, const std::string& base_url);

}  // namespace vitrine::service
