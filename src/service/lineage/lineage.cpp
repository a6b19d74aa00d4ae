// The lineage graph: indexing as refs move, the current graph in memory, and its queries
// (service/lineage/lineage.hpp, docs/lineage.md).
#include "service/lineage/lineage.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "formats/card/card_metadata.hpp"
#include "formats/hub/training_manifest.hpp"
#include "service/hub.hpp"
#include "service/lineage/weight_summary.hpp"
#include "service/repos/repo_service.hpp"
#include "service/repos/revision_reader.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

const std::vector<std::string> kRelations = {
    "finetune", "adapter", "merge", "quantized", "trained-on", "evaluated-on", "derived-from"};

uint8_t relation_code(const std::string& r) {
  for (size_t i = 0; i < kRelations.size(); ++i) {
    if (kRelations[i] == r) return static_cast<uint8_t>(i);
  }
  return 0;
}

}  // namespace

const std::vector<std::string>& lineage_relations() {
  return kRelations;
}

bool is_model_relation(const std::string& r) {
  return r == "finetune" || r == "adapter" || r == "merge" || r == "quantized";
}

Lineage::Lineage(Hub& hub) : hub_(hub) {}
Lineage::~Lineage() = default;

std::mutex& Lineage::index_lock(const std::string& uid) {
  return index_mutexes_[std::hash<std::string>{}(uid) % index_mutexes_.size()];
}

Result<RevisionIndex> Lineage::revision(const domain::RepoRecord& repo, RepoHandle& git,
                                        const std::string& commit) {
  auto facts = hub_.db().lineage_facts(repo.uid, commit);
  if (!facts) return facts.status();  // could not read: an error, not "never indexed"
  if (*facts) {
    RevisionIndex idx;
    idx.uid = repo.uid;
    idx.commit = commit;
    idx.facts = json::parse(**facts, nullptr, false);
    if (idx.facts.is_discarded()) idx.facts = json::object();
    idx.edges = hub_.db().lineage_edges_of(repo.uid, commit);
    return idx;
  }
  std::lock_guard lock(index_lock(repo.uid));
  return index_revision(repo, git, commit);
}

Status Lineage::refresh(const domain::RepoRecord& repo, bool relink) {
  if (!enabled_) return Status::ok();
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  Status result = Status::ok();
  std::unique_lock lock(index_lock(repo.uid));
  // Only refs that moved since the last refresh are looked at: a repository with thousands of
  // checkpoint branches costs one ref listing and one query per commit, not one per branch.
  auto known = hub_.db().lineage_heads(repo.uid);
  std::map<std::string, std::string> before(known.begin(), known.end());
  bool first_time = known.empty();
  std::vector<std::pair<std::string, std::string>> heads;
  std::optional<std::vector<domain::LineageEdgeRow>> main_edges;
  bool keep_graph = false;
  for (const auto& ref : (*git)->list_refs()) {
    bool branch = ref.name.starts_with("refs/heads/");
    if (!branch && !ref.name.starts_with("refs/tags/")) continue;
    heads.emplace_back(ref.name, ref.target);
    if (!branch) continue;
    auto was = before.find(ref.name);
    bool moved = was == before.end() || was->second != ref.target;
    if (!moved && ref.name != kCurrentRef) continue;
    std::optional<bool> indexed;  // asked only when the ref moved
    if (moved) {
      auto facts = hub_.db().lineage_facts(repo.uid, ref.target);
      if (!facts) {
        // Could not tell: the ref keeps its old head (so the next refresh tries again) and the
        // graph keeps the edges it has.
        result = facts.status();
        if (was == before.end()) {
          heads.pop_back();
        } else {
          heads.back().second = was->second;
        }
        if (ref.name == kCurrentRef) keep_graph = true;
        continue;
      }
      indexed = facts->has_value();
    }
    if (moved && !*indexed) {
      auto idx = index_revision(repo, *git, ref.target);
      if (!idx) {
        result = idx.status();
        continue;
      }
      if (ref.name == kCurrentRef) main_edges = std::move(idx->edges);
    } else if (ref.name == kCurrentRef) {
      main_edges = hub_.db().lineage_edges_of(repo.uid, ref.target);
    }
  }
  if (std::map<std::string, std::string>(heads.begin(), heads.end()) != before) {
    if (auto st = hub_.db().set_lineage_heads(repo.uid, heads); !st) result = st;
  }
  // A repository deleted while it was being indexed leaves nothing behind.
  auto now = hub_.db().find_repo_by_uid(repo.uid);
  if (!now) {
    result = now.status();  // could not read: nothing is deleted on a guess
  } else if (!*now) {
    hub_.db().delete_lineage(repo.uid);
    main_edges = std::vector<domain::LineageEdgeRow>{};
  }
  {
    // Still under the index lock: two refreshes of one repository apply in order.
    std::unique_lock glock(graph_mutex_);
    if (graph_loaded_) {
      if (main_edges || !keep_graph) {
        set_current_edges(repo.uid, main_edges.value_or(std::vector<domain::LineageEdgeRow>{}));
      }
      // A repository that could not be read is kept out of the public graph (fails closed).
      if (!now || (*now && (*now)->is_private)) {
        private_.insert(repo.uid);
      } else {
        private_.erase(repo.uid);
      }
    }
  }
  lock.unlock();
  // Relinking takes each child's lock in turn, holding no other: the locks are striped, so
  // holding this repository's while taking a child's could wait on itself (two ids in one
  // stripe) or on a refresh that holds the child's stripe and waits for this one.
  if (first_time && relink && now && *now) relink_children(**now);
  if (!result) spdlog::warn("lineage: indexing {} failed: {}", repo.id(), result.message());
  return result;
}

void Lineage::relink_children(const domain::RepoRecord& repo) {
  auto children = hub_.db().lineage_unlinked_children(domain::to_wire(repo.type), repo.id());
  if (children.empty()) return;
  for (const auto& [uid, commit] : children) {
    auto found = hub_.db().find_repo_by_uid(uid);
    if (!found) {
      spdlog::warn("lineage: re-linking {} skipped: {}", uid, found.status().message());
      continue;
    }
    if (!*found) continue;
    const auto& rec = *found;
    auto git = hub_.open_git(*rec);
    if (!git) continue;
    std::lock_guard lock(index_lock(uid));  // the caller holds no index lock
    if (auto idx = index_revision(*rec, *git, commit); !idx) {
      spdlog::warn("lineage: re-indexing {} at {} failed: {}", rec->id(), commit,
                   idx.status().message());
    }
  }
  std::unique_lock lock(graph_mutex_);
  graph_loaded_ = false;  // reloaded from the database at the next query
}

void Lineage::on_repo_changed(const domain::RepoRecord& repo) {
  {
    // Under the repository's index lock (then the graph's, the usual order): a refresh that read
    // the repository before this change applies its visibility first, never after it.
    std::lock_guard index(index_lock(repo.uid));
    std::unique_lock lock(graph_mutex_);
    if (repo.is_private) {
      private_.insert(repo.uid);
    } else {
      private_.erase(repo.uid);
    }
  }
  // Revisions that named the new id before it existed can link now.
  relink_children(repo);
}

void Lineage::on_repo_deleted(const std::string& uid) {
  std::lock_guard lock(index_lock(uid));
  hub_.db().delete_lineage(uid);
  std::unique_lock glock(graph_mutex_);
  if (!graph_loaded_) return;
  set_current_edges(uid, {});
  private_.erase(uid);
  // What derived from it keeps its edges (shown as "not found on this hub"), but nothing is
  // reached through it any more.
  if (auto it = ids_.find(uid); it != ids_.end()) children_[it->second].clear();
}

Status Lineage::rebuild(size_t* revisions) {
  // Forget what was indexed, then index every repository's refs again. Links between
  // repositories need no relinking here: every repository exists while its dependants index.
  size_t n = 0;
  for (const auto& uid : hub_.db().lineage_repos()) hub_.db().delete_lineage(uid);
  domain::RepoListQuery q;
  q.all_private_visible = true;
  q.limit = 1000;
  Status result = Status::ok();
  for (auto type : domain::kRepoKinds) {
    q.type = type;
    q.offset = 0;
    while (true) {
      auto page = hub_.db().list_repos(q);
      for (const auto& repo : page) {
        if (auto st = refresh(repo, false); !st) result = st;
        n += hub_.db().lineage_heads(repo.uid).size();
      }
      if (page.size() < static_cast<size_t>(q.limit)) break;
      q.offset += q.limit;
    }
  }
  {
    std::unique_lock lock(graph_mutex_);
    graph_loaded_ = false;
  }
  if (revisions) *revisions = n;
  return result;
}

// ---------------------------------------------------------------------------------------------
// The current graph

uint32_t Lineage::intern(const std::string& uid) {
  auto [it, inserted] = ids_.try_emplace(uid, static_cast<uint32_t>(uids_.size()));
  if (inserted) {
    uids_.push_back(uid);
    parents_.emplace_back();
    children_.emplace_back();
  }
  return it->second;
}

void Lineage::set_current_edges(const std::string& uid,
                                const std::vector<domain::LineageEdgeRow>& edges) {
  uint32_t child = intern(uid);
  for (const auto& old : parents_[child]) {
    auto& list = children_[old.parent];
    list.erase(std::remove(list.begin(), list.end(), child), list.end());
  }
  parents_[child].clear();
  for (const auto& e : edges) {
    if (e.parent_uid.empty()) continue;
    uint32_t parent = intern(e.parent_uid);
    // A child is listed once per parent: only its own earlier edges can repeat it (a parent's
    // list is never scanned here, so a base model with 100,000 children loads in linear time).
    bool listed = std::any_of(parents_[child].begin(), parents_[child].end(),
                              [&](const Edge& x) { return x.parent == parent; });
    parents_[child].push_back(
        Edge{child, parent, relation_code(e.relation), e.verified, e.parent_commit});
    if (!listed) children_[parent].push_back(child);
  }
}

void Lineage::load_graph() {
  {
    std::shared_lock lock(graph_mutex_);
    if (graph_loaded_) return;
  }
  // The database is read under the exclusive lock: a refresh that indexes meanwhile waits and
  // then updates the loaded graph, instead of being missed by a load that read before it.
  std::unique_lock lock(graph_mutex_);
  if (graph_loaded_) return;
  auto edges = hub_.db().lineage_edges_at_ref(std::string(kCurrentRef));
  auto private_uids = hub_.db().private_repo_uids();
  private_ = std::unordered_set<std::string>(private_uids.begin(), private_uids.end());
  ids_.clear();
  uids_.clear();
  parents_.clear();
  children_.clear();
  size_t i = 0;
  while (i < edges.size()) {
    size_t j = i;
    std::vector<domain::LineageEdgeRow> one;
    while (j < edges.size() && edges[j].child_uid == edges[i].child_uid) one.push_back(edges[j++]);
    set_current_edges(edges[i].child_uid, one);
    i = j;
  }
  graph_loaded_ = true;
}

void Lineage::add_to_graph_for_benchmark(const std::string& uid,
                                         const std::vector<domain::LineageEdgeRow>& edges) {
  std::unique_lock lock(graph_mutex_);
  graph_loaded_ = true;
  set_current_edges(uid, edges);
}

Lineage::Traversal Lineage::traverse(const std::vector<uint32_t>& roots,
                                     const std::string& root_commit, bool from_dataset,
                                     const Visible& visible, int max_depth, size_t limit,
                                     const std::string& relation) {
  Traversal out;
  std::vector<int> depth(uids_.size(), -1);
  std::vector<uint8_t> certainty(uids_.size(), 0);  // 2 verified, 1 declared, 0 unpinned
  std::vector<int8_t> seen_visible(uids_.size(), -1);
  auto is_visible = [&](uint32_t id) {
    if (seen_visible[id] < 0) {
      seen_visible[id] = !private_.count(uids_[id]) || visible(uids_[id]) ? 1 : 0;
    }
    return seen_visible[id] == 1;
  };
  std::deque<uint32_t> queue;
  for (uint32_t r : roots) {
    depth[r] = 0;
    certainty[r] = 2;
    queue.push_back(r);
  }
  const uint8_t trained = relation_code("trained-on");
  const uint8_t derived = relation_code("derived-from");
  while (!queue.empty()) {
    uint32_t node = queue.front();
    queue.pop_front();
    if (max_depth > 0 && depth[node] >= max_depth) continue;
    bool node_is_root = depth[node] == 0;
    for (uint32_t child : children_[node]) {
      if (depth[child] >= 0) continue;
      // The edges from child to node that this traversal follows.
      const Edge* used = nullptr;
      for (const auto& e : parents_[child]) {
        if (e.parent != node) continue;
        bool model_edge = e.relation < trained;
        bool ok = from_dataset ? (model_edge || e.relation == trained || e.relation == derived)
                               : model_edge;
        if (!ok) continue;
        if (!relation.empty() && node_is_root && kRelations[e.relation] != relation) continue;
        if (node_is_root && from_dataset && !root_commit.empty() && !e.parent_commit.empty() &&
            e.parent_commit != root_commit) {
          continue;  // pinned to another revision of the dataset
        }
        if (!used || (e.verified && !used->verified)) used = &e;
      }
      if (!used) continue;
      if (!is_visible(child)) continue;
      uint8_t c = used->verified ? 2 : (used->parent_commit.empty() ? 0 : 1);
      if (node_is_root && from_dataset && !root_commit.empty() && used->parent_commit.empty())
        c = 0;
      certainty[child] = std::min(certainty[node], c);
      depth[child] = depth[node] + 1;
      queue.push_back(child);
      // From a dataset, derived datasets are walked through but only models are listed.
      if (from_dataset && used->relation == derived) continue;
      ++out.total;
      if (node_is_root && roots.size() == 1) out.by_relation[kRelations[used->relation]]++;
      if (out.hits.size() < limit) {
        static const char* kCertainty[] = {"unpinned", "declared", "verified"};
        out.hits.push_back(LineageHit{uids_[child], "", kRelations[used->relation],
                                      kCertainty[certainty[child]], depth[child], uids_[node]});
      }
    }
  }
  return out;
}

Lineage::Traversal Lineage::descendants(const std::string& uid, const Visible& visible,
                                        int max_depth, size_t limit, const std::string& relation) {
  load_graph();
  std::shared_lock lock(graph_mutex_);
  auto it = ids_.find(uid);
  if (it == ids_.end()) return {};
  return traverse({it->second}, "", false, visible, max_depth, limit, relation);
}

Lineage::Traversal Lineage::trained_on(const std::string& dataset_uid, const std::string& revision,
                                       const Visible& visible, int max_depth, size_t limit) {
  load_graph();
  std::shared_lock lock(graph_mutex_);
  auto it = ids_.find(dataset_uid);
  if (it == ids_.end()) return {};
  return traverse({it->second}, revision, true, visible, max_depth, limit, "");
}

std::map<std::string, uint64_t> Lineage::children_count(const std::string& uid,
                                                        const Visible& visible) {
  // Model info asks this on every request: the node's own children, no traversal state.
  load_graph();
  std::shared_lock lock(graph_mutex_);
  std::map<std::string, uint64_t> out;
  auto it = ids_.find(uid);
  if (it == ids_.end()) return out;
  for (uint32_t child : children_[it->second]) {
    const Edge* used = nullptr;
    for (const auto& e : parents_[child]) {
      if (e.parent == it->second && is_model_relation(kRelations[e.relation]) &&
          (!used || (e.verified && !used->verified))) {
        used = &e;
      }
    }
    if (!used || (private_.count(uids_[child]) && !visible(uids_[child]))) continue;
    out[kRelations[used->relation]]++;
  }
  return out;
}

std::vector<LineageHit> Lineage::impact(const std::string& dataset_uid, const std::string& revision,
                                        const Visible& visible, size_t limit, bool* truncated) {
  // Breadth-first over every indexed revision, from the database: (uid, commit) nodes.
  std::vector<LineageHit> out;
  std::map<std::pair<std::string, std::string>, size_t> seen;        // -> index in out
  std::deque<std::tuple<std::string, std::string, int, int>> queue;  // uid, commit, depth, cert
  queue.emplace_back(dataset_uid, revision, 0, 2);
  seen[{dataset_uid, revision}] = SIZE_MAX;  // a cycle back to the dataset is not "affected"
  std::map<std::string, bool> vis;
  if (truncated) *truncated = false;
  static const char* kCertainty[] = {"unpinned", "declared", "verified"};
  while (!queue.empty()) {
    auto [uid, commit, depth, cert] = queue.front();
    queue.pop_front();
    if (depth >= 32) {
      if (truncated) *truncated = true;
      continue;
    }
    for (const auto& e : hub_.db().lineage_edges_to(uid, commit)) {
      bool dataset_parent = e.parent_type == "dataset";
      if (dataset_parent ? !(e.relation == "trained-on" || e.relation == "derived-from")
                         : !is_model_relation(e.relation)) {
        continue;
      }
      int c = e.verified && e.parent_commit == commit ? 2 : e.parent_commit.empty() ? 0 : 1;
      c = std::min(c, cert);
      auto key = std::make_pair(e.child_uid, e.child_commit);
      if (auto s = seen.find(key); s != seen.end()) {
        if (s->second == SIZE_MAX) continue;  // the dataset itself
        // Reached again: keep the strongest certainty.
        auto& hit = out[s->second];
        int old = hit.certainty == "verified" ? 2 : hit.certainty == "declared" ? 1 : 0;
        if (c > old) hit.certainty = kCertainty[c];
        continue;
      }
      auto v = vis.find(e.child_uid);
      if (v == vis.end()) v = vis.emplace(e.child_uid, visible(e.child_uid)).first;
      if (!v->second) continue;
      if (out.size() >= limit) {
        if (truncated) *truncated = true;
        return out;
      }
      seen[key] = out.size();
      out.push_back(
          LineageHit{e.child_uid, e.child_commit, e.relation, kCertainty[c], depth + 1, uid});
      queue.emplace_back(e.child_uid, e.child_commit, depth + 1, c);
    }
  }
  return out;
}

bool Lineage::never_indexed() {
  return hub_.db().lineage_repos().empty();
}

}  // namespace vitrine::service
