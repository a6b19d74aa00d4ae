// Lineage: the provenance graph of models and datasets, built from evidence the hub can check
// (docs/lineage.md). Nodes are repository revisions; edges (finetune, adapter, merge,
// quantized, trained-on, evaluated-on, derived-from) come from the card, the training
// manifest and GGUF headers, each marked verified (pinned to an existing commit of this hub
// whose named hashes match) or declared. The index lives in the metadata database and is
// rebuilt from the repositories; the current graph (every repository's `main`) is also kept in
// memory for fast traversal. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/commit.hpp"
#include "domain/lineage_edge.hpp"
#include "domain/repo.hpp"
#include "service/openness/openness.hpp"
#include "service/repos/repo_handle.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;
struct Caller;

// The ref whose revisions make the current graph.
inline constexpr std::string_view kCurrentRef = "refs/heads/main";
class RepoService;

// What indexing found in one revision.
struct RevisionIndex {
  std::string uid;
  std::string commit;
  nlohmann::json facts = nlohmann::json::object();  // docs/lineage.md, "Revision facts"
  std::vector<domain::LineageEdgeRow> edges;
};

// One node of a traversal answer.
struct LineageHit {
  std::string uid;
  std::string commit;     // the revision reached ("" for the current head when unknown)
  std::string relation;   // of the edge that reached it
  std::string certainty;  // verified | declared | unpinned
  int depth = 0;
  std::string via_uid;  // the node it was reached from
};

class Lineage {
 public:
  explicit Lineage(Hub& hub);
  ~Lineage();

  // After refs of a repository moved: indexes every branch head not indexed yet, records the
  // repository's refs, and refreshes its node in the current graph. The write that moved the
  // refs has already happened, so callers log a failure and go on. Indexing of one repository
  // is serialized; different repositories index in parallel.
  Status on_refs_changed(const domain::RepoRecord& repo) { return refresh(repo, true); }
  // After a visibility change or a rename (`repo` as it is now).
  void on_repo_changed(const domain::RepoRecord& repo);
  void on_repo_deleted(const std::string& uid);
  // Re-indexes every revision the refs of every repository name (`vitrine lineage rebuild`).
  Status rebuild(size_t* revisions = nullptr);
  // No repository is indexed yet: a data folder from before the index, or a rebuild that was
  // interrupted (`vitrine serve` rebuilds then).
  bool never_indexed();

  // The index of one revision, indexing it first when needed.
  Result<RevisionIndex> revision(const domain::RepoRecord& repo, RepoHandle& git,
                                 const std::string& commit);

  // Current graph queries. `visible` says whether the caller may see a private repository (by
  // uid); it is asked only about repositories the graph knows to be private, so a traversal of
  // a public graph never calls it.
  using Visible = std::function<bool(const std::string& uid)>;
  struct Traversal {
    std::vector<LineageHit> hits;                 // breadth-first, at most `limit`
    uint64_t total = 0;                           // every node reached
    std::map<std::string, uint64_t> by_relation;  // direct children by relation
  };
  // Models derived (finetune/adapter/merge/quantized), directly or not, from a model.
  Traversal descendants(const std::string& uid, const Visible& visible, int max_depth, size_t limit,
                        const std::string& relation = "");
  // Models trained, directly or through derived datasets and models, on a dataset; with a
  // revision, only training edges pinned to it (or unpinned ones, marked "unpinned").
  Traversal trained_on(const std::string& dataset_uid, const std::string& revision,
                       const Visible& visible, int max_depth, size_t limit);
  // Direct children of the repository's current head, by relation (childrenModelCount).
  std::map<std::string, uint64_t> children_count(const std::string& uid, const Visible& visible);

  // Every indexed revision (any ref, current or past) that derives from the dataset at
  // `revision`, transitively. Hits carry the commit; certainty is the weakest along the way.
  // Unlike the graph queries, `visible` is asked about every repository reached here (it must
  // answer false for a repository that no longer exists).
  std::vector<LineageHit> impact(const std::string& dataset_uid, const std::string& revision,
                                 const Visible& visible, size_t limit, bool* truncated);

  // For benchmarks: indexing on (default) or off, to measure what it adds to a commit.
  void set_enabled_for_benchmark(bool on) { enabled_ = on; }
  // For benchmarks: adds a model node with edges to the current graph only (no database).
  void add_to_graph_for_benchmark(const std::string& uid,
                                  const std::vector<domain::LineageEdgeRow>& edges);

 private:
  struct Edge {
    uint32_t child;
    uint32_t parent;
    uint8_t relation;
    bool verified;
    std::string parent_commit;
  };
  uint32_t intern(const std::string& uid);  // graph_mutex_ held exclusively
  std::mutex& index_lock(const std::string& uid);
  Status refresh(const domain::RepoRecord& repo, bool relink);
  // Indexes again the revisions whose edges name this repository but could not link to it
  // (it did not exist, or had another name, when they were indexed).
  void relink_children(const domain::RepoRecord& repo);
  void set_current_edges(const std::string& uid, const std::vector<domain::LineageEdgeRow>& e);
  void load_graph();
  Result<RevisionIndex> index_revision(const domain::RepoRecord& repo, RepoHandle& git,
                                       const std::string& commit);
  Traversal traverse(const std::vector<uint32_t>& roots, const std::string& root_commit,
                     bool from_dataset, const Visible& visible, int max_depth, size_t limit,
                     const std::string& relation);

  Hub& hub_;
  std::atomic<bool> enabled_{true};
  // One indexing at a time per repository (striped by uid); indexing is idempotent. Lock order:
  // an index lock, then graph_mutex_; the database's own locks are innermost.
  std::array<std::mutex, 32> index_mutexes_;
  std::shared_mutex graph_mutex_;
  bool graph_loaded_ = false;
  std::unordered_set<std::string> private_;  // private repositories, under graph_mutex_
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> uids_;
  std::vector<std::vector<Edge>> parents_;       // by child id
  std::vector<std::vector<uint32_t>> children_;  // by parent id (child ids, may repeat)
};

// Relation names, in the order of the in-memory codes.
const std::vector<std::string>& lineage_relations();
bool is_model_relation(const std::string& relation);  // finetune adapter merge quantized

// The facts openness_report() needs, gathered for a model revision (files, card, manifest,
// edges as the caller may see them, checkpoints, training datasets).
Result<ModelFacts> gather_model_facts(Hub& hub, RepoService& repos, const domain::RepoRecord& repo,
                                      RepoHandle& git, const std::string& commit,
                                      const std::string& ref, const Caller& caller);
Result<DatasetFacts> gather_dataset_facts(Hub& hub, RepoService& repos,
                                          const domain::RepoRecord& repo, RepoHandle& git,
                                          const std::string& commit, const Caller& caller);

// An edge as JSON for the API, hiding what the caller may not see: a parent repository the
// caller cannot read is shown as declared, "not found on this hub", without revision.
nlohmann::json edge_json(Hub& hub, RepoService& repos, const domain::LineageEdgeRow& edge,
                         const Caller& caller);

}  // namespace vitrine::service
