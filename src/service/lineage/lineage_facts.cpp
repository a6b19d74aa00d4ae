// Facts for the openness report and Croissant, gathered from a revision and the lineage index,
// and edges as the API shows them (service/lineage/lineage.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "formats/card/card_metadata.hpp"
#include "formats/hub/training_manifest.hpp"
#include "service/hub.hpp"
#include "service/lineage/lineage.hpp"
#include "service/lineage/weight_summary.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/repos/repo_service.hpp"
#include "service/repos/revision_reader.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

constexpr size_t kMaxGatheredDatasets = 64;

std::string card_body(const std::string& readme) {
  // The text after the front matter (or all of it when there is none).
  std::string_view s = readme;
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  if (s.starts_with("---")) {
    auto end = s.find("\n---", 3);
    if (end != std::string_view::npos) {
      auto nl = s.find('\n', end + 4);
      s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
    }
  }
  return std::string(s);
}

std::vector<RevisionFile> revision_files(const Snapshot& snap) {
  std::vector<RevisionFile> out;
  for (const auto& e : snap.entries) {
    if (e.git.is_dir) continue;
    out.push_back(RevisionFile{e.git.path, e.size(), e.lfs ? e.lfs->oid : "", e.git.oid});
  }
  return out;
}

LineageEdge to_edge(Hub& hub, RepoService& repos, const domain::LineageEdgeRow& row,
                    const Caller& caller) {
  LineageEdge e;
  e.relation = row.relation;
  e.parent_type = row.parent_type;
  e.parent_id = row.parent_id;
  e.parent_revision = row.parent_commit;
  e.verified = row.verified;
  e.source = row.source;
  auto detail = json::parse(row.detail_json, nullptr, false);
  if (detail.is_object()) {
    for (const auto& p : detail.value("problems", json::array())) {
      if (p.is_string()) e.problems.push_back(p.get<std::string>());
    }
    e.split = detail.value("split", "");
    e.tokens = detail.value("tokens", uint64_t{0});
    e.stage = detail.value("stage", "");
  }
  if (!row.parent_uid.empty()) {
    // Fails closed: a parent that cannot be read now is shown as hidden.
    auto read = hub.db().find_repo_by_uid(row.parent_uid);
    std::optional<domain::RepoRecord> rec = read ? *read : std::nullopt;
    if (!rec || !repos.can_read(*rec, caller)) {
      // row.parent_id is the id as the card or manifest wrote it, never the hidden
      // repository's own name.
      e.hidden = true;
      e.verified = false;
      e.parent_revision.clear();
      e.split.clear();
      e.tokens = 0;
      e.stage.clear();
      e.problems = {"not found on this hub"};
    } else {
      e.parent_id = rec->id();  // its name now (it may have been renamed since)
    }
  }
  return e;
}

Result<std::string> readme_text(RepoHandle& git, const Snapshot& snap) {
  auto f = find_file(snap, "README.md");
  if (!f || f->lfs || f->git.size > kMaxReadmeBytes) return std::string();
  return git->read_blob(f->git.oid);
}

}  // namespace

json edge_json(Hub& hub, RepoService& repos, const domain::LineageEdgeRow& row,
               const Caller& caller) {
  auto e = to_edge(hub, repos, row, caller);
  json j = {{"relation", e.relation},
            {"type", e.parent_type},
            {"id", e.parent_id},
            {"revision", e.parent_revision.empty() ? json(nullptr) : json(e.parent_revision)},
            {"status", e.verified ? "verified" : "declared"},
            {"source", e.source},
            {"problems", e.problems}};
  if (!e.split.empty()) j["split"] = e.split;
  if (e.tokens) j["tokens"] = e.tokens;
  if (!e.stage.empty()) j["stage"] = e.stage;
  auto detail = json::parse(row.detail_json, nullptr, false);
  if (detail.is_object() && detail.contains("alsoDeclaredIn")) {
    j["alsoDeclaredIn"] = detail["alsoDeclaredIn"];
  }
  return j;
}

Result<DatasetFacts> gather_dataset_facts(Hub& hub, RepoService& repos,
                                          const domain::RepoRecord& repo, RepoHandle& git,
                                          const std::string& commit, const Caller& caller) {
  auto snap = RepoContents(hub).snapshot(repo, &git, commit);
  if (!snap) return snap.status();
  auto idx = hub.lineage().revision(repo, git, commit);
  if (!idx) return idx.status();
  DatasetFacts d;
  d.repo_id = repo.id();
  d.revision = commit;
  d.on_hub = true;
  d.files = revision_files(**snap);
  d.last_modified_ms = (*snap)->commit_time_ms;
  if (auto text = readme_text(git, **snap); text && !text->empty()) {
    auto front = parse_front_matter(*text);
    if (front.error.empty()) d.card = front.data;
    d.card_body = card_body(*text);
  }
  for (const auto& row : idx->edges) d.edges.push_back(to_edge(hub, repos, row, caller));
  return d;
}

Result<ModelFacts> gather_model_facts(Hub& hub, RepoService& repos, const domain::RepoRecord& repo,
                                      RepoHandle& git, const std::string& commit,
                                      const std::string& ref, const Caller& caller) {
  auto snap = RepoContents(hub).snapshot(repo, &git, commit);
  if (!snap) return snap.status();
  auto idx = hub.lineage().revision(repo, git, commit);
  if (!idx) return idx.status();
  ModelFacts m;
  m.repo_id = repo.id();
  m.revision = commit;
  m.ref = ref;
  m.files = revision_files(**snap);
  if (auto text = readme_text(git, **snap); text && !text->empty()) {
    auto front = parse_front_matter(*text);
    if (front.error.empty()) {
      m.card = front.data;
    } else {
      m.card_error = front.error;
    }
    m.card_body = card_body(*text);
  }
  // The manifest is a file: in a gated repository only callers with access to its files see
  // what it says (the card, as on the Hub, is public).
  bool files_ok = repos.check_file_access(repo, caller).is_ok();
  auto mf = find_file(**snap, std::string(kManifestPath));
  if (mf && !files_ok) {
    m.manifest_problems.push_back(std::string(kManifestPath) +
                                  " is in a gated repository: ask for access to see it");
  }
  if (mf && files_ok && mf->size() <= kMaxManifestBytes) {
    if (auto text = read_file_prefix(hub, git, *mf, mf->size())) {
      auto manifest = parse_training_manifest(*text);
      m.manifest_present = true;
      m.manifest = manifest.data;
      // Checkpoints must exist as branches or tags of this repository.
      auto refs = git->list_refs();
      for (const auto& cp : manifest.checkpoints) {
        bool found = std::any_of(refs.begin(), refs.end(), [&](const storage::GitRef& r) {
          return r.name == "refs/heads/" + cp.revision || r.name == "refs/tags/" + cp.revision;
        });
        (found ? m.checkpoints_present : m.checkpoints_missing).push_back(cp.revision);
      }
    }
  }
  const json& facts = idx->facts;
  if (facts.contains("manifest") && files_ok) {
    for (const auto& p : facts["manifest"].value("problems", json::array())) {
      if (p.is_string()) m.manifest_problems.push_back(p.get<std::string>());
    }
  }
  for (const auto& cp : m.checkpoints_missing) {
    m.manifest_problems.push_back("checkpoints: " + cp +
                                  " is not a branch or tag of this repository");
  }
  if (facts.contains("safetensors"))
    m.parameters = facts["safetensors"].value("total", uint64_t{0});
  if (!m.parameters && facts.contains("gguf") && !facts["gguf"].empty()) {
    m.parameters = facts["gguf"][0].value("total", uint64_t{0});
  }
  size_t gathered = 0;  // datasets read in full, bounded: one report, bounded work
  for (const auto& row : idx->edges) {
    if (row.source == "manifest" && !files_ok) continue;
    auto e = to_edge(hub, repos, row, caller);
    if (e.relation == "trained-on" || e.relation == "evaluated-on") {
      DatasetFacts d;
      d.repo_id = e.parent_id;
      d.revision = e.parent_revision;
      if (!e.hidden && !row.parent_uid.empty() && ++gathered <= kMaxGatheredDatasets) {
        if (auto rec = hub.db().find_repo_by_uid(row.parent_uid); rec && *rec) {
          if (auto dgit = hub.open_git(**rec)) {
            std::string at = row.parent_commit;
            if (at.empty()) at = (*dgit)->ref_target(std::string(kCurrentRef)).value_or("");
            if (!at.empty()) {
              if (auto df = gather_dataset_facts(hub, repos, **rec, *dgit, at, caller)) {
                d = std::move(*df);
              }
            }
          }
        }
      }
      if (e.relation == "trained-on") {
        m.datasets.push_back(std::move(d));
      } else if (d.on_hub) {
        m.evaluation_datasets.push_back(std::move(d));
      }
    }
    m.edges.push_back(std::move(e));
  }
  return m;
}

}  // namespace vitrine::service
