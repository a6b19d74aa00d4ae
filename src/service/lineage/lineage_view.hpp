// LineageView: the lineage graph as one caller may see it (docs/lineage.md). Every rule of what
// the graph shows lives here: a repository the caller cannot read is left out (or named as
// declared, as if it did not exist); what the training manifest says is file content, shown in
// a gated repository only to callers who pass its gate; the walk upwards follows pinned edges to
// their commit and unpinned ones to the parent's current main. The answers are Vitrine's own
// JSON (the /api/vitrine/lineage routes and the model-tree fields of model info).
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "service/hub.hpp"
#include "service/lineage/lineage.hpp"

namespace vitrine::service {

class RepoService;

class LineageView {
 public:
  // Borrows all three for its lifetime (one request).
  LineageView(Hub& hub, RepoService& repos, const Caller& caller);

  // Whether the caller may see a repository, by uid: it exists and they may read it (memoized;
  // fails closed: a repository that cannot be read now is not shown).
  Lineage::Visible visible();

  // A revision: its facts, its parents, and its first `children_limit` children.
  Result<nlohmann::json> node(const domain::RepoRecord& repo, RepoHandle& git,
                              const std::string& commit, const std::string& ref,
                              size_t children_limit);
  // Upwards from the revision, at most `max_items` edges, `max_depth` levels (0: any).
  Result<nlohmann::json> ancestors(const domain::RepoRecord& repo, const std::string& commit,
                                   int max_depth, size_t max_items);
  // A traversal's hits under `key`, with its totals; truncated when over `limit`.
  nlohmann::json traversal(const domain::RepoRecord& root, const Lineage::Traversal& traversal,
                           size_t limit, const char* key);
  // The models trained on (or derived from) a withdrawn dataset revision, grouped by repository
  // with the refs that name each affected commit now.
  nlohmann::json impact(const domain::RepoRecord& dataset, const std::string& commit, size_t limit);
  // Model info's fields: safetensors and gguf totals, baseModels, base_model tags and
  // childrenModelCount. Nothing for a revision not indexed (yet) or not readable now.
  void add_model_info(const domain::RepoRecord& repo, const std::string& commit,
                      nlohmann::json& info);

 private:
  // {type, id} of a repository by uid, memoized: one that cannot be read now is named by its
  // uid (as a model).
  const nlohmann::json& name_of(const std::string& uid);
  nlohmann::json hit_json(const LineageHit& hit);

  Hub& hub_;
  RepoService& repos_;
  const Caller& caller_;
  std::shared_ptr<std::unordered_map<std::string, bool>> seen_;  // visible(), by uid
  std::unordered_map<std::string, nlohmann::json> names_;        // name_of(uid), by uid
};

}  // namespace vitrine::service
