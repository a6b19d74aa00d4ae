// The lineage graph as one caller may see it.
#include "service/lineage/lineage_view.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "service/lineage/lineage.hpp"
#include "service/repos/repo_service.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

using nlohmann::json;

LineageView::LineageView(Hub& hub, RepoService& repos, const Caller& caller)
    : hub_(hub),
      repos_(repos),
      caller_(caller),
      seen_(std::make_shared<std::unordered_map<std::string, bool>>()) {}

Lineage::Visible LineageView::visible() {
  return [this, memo = seen_](const std::string& uid) {
    auto it = memo->find(uid);
    if (it == memo->end()) {
      // Fails closed: a repository that cannot be read now is not shown.
      it = memo->emplace(uid, repos_.can_read_uid(uid, caller_)).first;
    }
    return it->second;
  };
}

const json& LineageView::name_of(const std::string& uid) {
  auto it = names_.find(uid);
  if (it != names_.end()) return it->second;
  auto read = repos_.by_uid(uid);
  std::optional<domain::RepoRecord> rec = read ? *read : std::nullopt;
  json j = {{"type", domain::to_wire(rec ? rec->type : domain::RepoKind::kModel)},
            {"id", rec ? rec->id() : uid}};
  return names_.emplace(uid, std::move(j)).first->second;
}

json LineageView::hit_json(const LineageHit& h) {
  json j = name_of(h.uid);
  if (!h.commit.empty()) j["revision"] = h.commit;
  j["relation"] = h.relation;
  j["status"] = h.certainty;
  j["depth"] = h.depth;
  j["parent"] = name_of(h.via_uid)["id"];
  return j;
}

Result<json> LineageView::node(const domain::RepoRecord& repo, RepoHandle& git,
                               const std::string& commit, const std::string& ref,
                               size_t children_limit) {
  auto idx = hub_.lineage().revision(repo, git, commit);
  if (!idx) return idx.status();
  // What the training manifest says is file content: in a gated repository it is shown only
  // to callers with access to the files.
  bool files_ok = repos_.check_file_access(repo, caller_).is_ok();
  json parents = json::array();
  for (const auto& e : idx->edges) {
    if (e.source == "manifest" && !files_ok) continue;
    parents.push_back(edge_json(hub_, repos_, e, caller_));
  }
  json out = {{"type", domain::to_wire(repo.type)},
              {"id", repo.id()},
              {"revision", commit},
              {"ref", ref.empty() ? json(nullptr) : json(ref)},
              {"parents", parents}};
  for (const char* key :
       {"card", "manifest", "safetensors", "safetensorsIndex", "gguf", "weightErrors"}) {
    if (idx->facts.contains(key)) out[key] = idx->facts[key];
  }
  if (!files_ok && out.contains("manifest") && out["manifest"].value("present", false)) {
    out["manifest"] = {{"present", true}, {"gated", true}, {"problems", json::array()}};
  }
  auto children = hub_.lineage().descendants(repo.uid, visible(), 1, children_limit);
  json list = json::array();
  for (const auto& h : children.hits) list.push_back(hit_json(h));
  out["children"] = {{"count", children.by_relation}, {"total", children.total}, {"items", list}};
  return out;
}

json LineageView::traversal(const domain::RepoRecord& root, const Lineage::Traversal& tr,
                            size_t limit, const char* key) {
  json list = json::array();
  for (const auto& h : tr.hits) list.push_back(hit_json(h));
  return {{"root", {{"type", domain::to_wire(root.type)}, {"id", root.id()}}},
          {"total", tr.total},
          {"byRelation", tr.by_relation},
          {key, list},
          {"truncated", tr.total > limit}};
}

Result<json> LineageView::ancestors(const domain::RepoRecord& root, const std::string& root_commit,
                                    int max_depth, size_t max_items) {
  // Upwards from the revision: pinned edges go to the named commit, unpinned ones to the
  // parent's current main. Few nodes, so the database answers directly.
  json out_list = json::array();
  std::set<std::pair<std::string, std::string>> seen;
  struct Item {
    domain::RepoRecord repo;
    std::string commit;
    int depth;
  };
  std::deque<Item> queue;
  queue.push_back({root, root_commit, 0});
  seen.emplace(root.uid, root_commit);
  while (!queue.empty() && out_list.size() < max_items) {
    auto item = queue.front();
    queue.pop_front();
    if (max_depth > 0 && item.depth >= max_depth) continue;
    auto git = hub_.open_git(item.repo);
    if (!git) continue;
    auto idx = hub_.lineage().revision(item.repo, *git, item.commit);
    if (!idx) {
      if (item.depth == 0) return idx.status();  // the asked revision: an error, not "none"
      continue;
    }
    bool files_ok = repos_.check_file_access(item.repo, caller_).is_ok();
    for (const auto& e : idx->edges) {
      if (e.source == "manifest" && !files_ok) continue;  // gated file content
      json j = edge_json(hub_, repos_, e, caller_);
      j["depth"] = item.depth + 1;
      j["child"] = {{"id", item.repo.id()}, {"revision", item.commit}};
      std::optional<domain::RepoRecord> rec;
      if (!e.parent_uid.empty()) {
        auto read = repos_.by_uid(e.parent_uid);
        if (!read) return read.status();
        rec = *read;
      }
      if (rec && repos_.can_read(*rec, caller_)) {
        std::string at = e.parent_commit;
        if (at.empty()) {
          for (const auto& [ref, commit] : hub_.db().lineage_heads(rec->uid)) {
            if (ref == "refs/heads/main") at = commit;
          }
          if (!at.empty()) j["resolvedRevision"] = at;
        }
        if (!at.empty() && seen.emplace(rec->uid, at).second) {
          queue.push_back({*rec, at, item.depth + 1});
        }
      }
      out_list.push_back(std::move(j));
    }
  }
  return json{
      {"root",
       {{"type", domain::to_wire(root.type)}, {"id", root.id()}, {"revision", root_commit}}},
      {"ancestors", out_list}};
}

json LineageView::impact(const domain::RepoRecord& dataset, const std::string& commit,
                         size_t limit) {
  bool truncated = false;
  auto hits = hub_.lineage().impact(dataset.uid, commit, visible(), limit, &truncated);
  // Group by repository, with the refs that name each affected commit now.
  json affected = json::array();
  std::map<std::string, size_t> at;
  for (const auto& h : hits) {
    auto it = at.find(h.uid);
    if (it == at.end()) {
      json repo = name_of(h.uid);
      repo["revisions"] = json::array();
      it = at.emplace(h.uid, affected.size()).first;
      affected.push_back(std::move(repo));
    }
    json refs = json::array();
    for (const auto& [ref, head] : hub_.db().lineage_heads(h.uid)) {
      if (head == h.commit) refs.push_back(ref);
    }
    affected[it->second]["revisions"].push_back({{"revision", h.commit},
                                                 {"refs", refs},
                                                 {"relation", h.relation},
                                                 {"status", h.certainty},
                                                 {"depth", h.depth},
                                                 {"via", name_of(h.via_uid)["id"]}});
  }
  return {{"dataset", dataset.id()},
          {"revision", commit},
          {"affected", affected},
          {"truncated", truncated}};
}

void LineageView::add_model_info(const domain::RepoRecord& repo, const std::string& commit,
                                 json& info) {
  if (repo.type != domain::RepoKind::kModel) return;
  auto facts_text = hub_.db().lineage_facts(repo.uid, commit);
  // Not indexed (yet), or not readable now: the fields are left out.
  if (!facts_text || !*facts_text) return;
  auto facts = json::parse(**facts_text, nullptr, false);
  if (facts.is_object()) {
    if (facts.contains("safetensors")) {
      info["safetensors"] = {{"parameters", facts["safetensors"]["parameters"]},
                             {"total", facts["safetensors"]["total"]}};
    }
    if (facts.contains("gguf") && facts["gguf"].is_array() && !facts["gguf"].empty()) {
      const json& g = facts["gguf"][0];
      info["gguf"] = {{"total", g.value("total", uint64_t{0})},
                      {"architecture", g.value("architecture", "")},
                      {"context_length", g.value("context_length", uint64_t{0})}};
    }
  }
  // baseModels: the base models of this revision that are repositories the caller can see.
  json models = json::array();
  std::string relation;
  auto& tags = info["tags"];
  std::optional<bool> files_ok;
  for (const auto& e : hub_.db().lineage_edges_of(repo.uid, commit)) {
    if (!is_model_relation(e.relation)) continue;
    if (e.source == "manifest") {
      if (!files_ok) files_ok = repos_.check_file_access(repo, caller_).is_ok();
      if (!*files_ok) continue;  // gated file content
    }
    // A repository the caller cannot see keeps the id as declared, as if it did not exist.
    // Fails closed: a base model that cannot be read now is named as declared.
    std::optional<domain::RepoRecord> rec;
    if (!e.parent_uid.empty()) {
      if (auto read = repos_.by_uid(e.parent_uid)) rec = *read;
    }
    bool seen = rec && repos_.can_read(*rec, caller_);
    std::string tag = "base_model:" + e.relation + ":" + (seen ? rec->id() : e.parent_id);
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    if (!seen) continue;
    models.push_back({{"_id", rec->uid}, {"id", rec->id()}});
    relation = e.relation;
  }
  if (!models.empty()) info["baseModels"] = {{"relation", relation}, {"models", models}};
  json count = json::object();
  for (const auto& [rel, n] : hub_.lineage().children_count(repo.uid, visible())) count[rel] = n;
  info["childrenModelCount"] = count;
}

}  // namespace vitrine::service
