// The lineage index: what one repository revision says about where it comes from (card,
// training manifest, weight-file headers), as facts and edges (service/lineage/lineage.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "formats/card/card_metadata.hpp"
#include "formats/hub/training_manifest.hpp"
#include "formats/weights/safetensors_header.hpp"
#include "service/hub.hpp"
#include "service/lineage/lineage.hpp"
#include "service/lineage/weight_summary.hpp"
#include "service/repos/repo_contents.hpp"
#include "service/repos/revision_reader.hpp"
#include "storage/git/git_repo.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

constexpr uint64_t kMaxIndexJson = 16u << 20;
constexpr size_t kMaxWeightFiles = 256;
constexpr size_t kMaxDeclared = 64;                 // base models / datasets taken from one card
constexpr size_t kMaxFileChecks = 1024;             // manifest file hashes checked per revision
constexpr uint64_t kMaxHashedBytes = 256ull << 20;  // git blob bytes hashed for them

bool ends_with_ci(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         util::to_lower_ascii(s.substr(s.size() - suffix.size())) == suffix;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> string_list(const json& card, const char* key) {
  std::vector<std::string> out;
  if (!card.is_object() || !card.contains(key)) return out;
  const json& v = card[key];
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array()) {
    for (const auto& item : v) {
      if (item.is_string() && out.size() < kMaxDeclared) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

// A plain hub id "ns/name" (not a URL, two segments).
bool looks_like_id(const std::string& s) {
  auto slash = s.find('/');
  return !s.empty() && s.size() < 200 && s.find("://") == std::string::npos &&
         slash != std::string::npos && slash > 0 && slash + 1 < s.size() &&
         s.find('/', slash + 1) == std::string::npos && s.find(' ') == std::string::npos;
}

}  // namespace

Result<RevisionIndex> Lineage::index_revision(const domain::RepoRecord& repo, RepoHandle& git,
                                              const std::string& commit) {
  auto snap = RepoContents(hub_).snapshot(repo, &git, commit);
  if (!snap) return snap.status();
  const Snapshot& files = **snap;
  RevisionIndex idx;
  idx.uid = repo.uid;
  idx.commit = commit;
  json& facts = idx.facts;
  facts["type"] = domain::to_wire(repo.type);

  // The card.
  json card = json::object();
  facts["card"] = {{"present", false}, {"error", nullptr}};
  if (auto readme = find_file(files, "README.md"); readme && !readme->lfs) {
    if (readme->git.size <= kMaxReadmeBytes) {
      if (auto text = git->read_blob(readme->git.oid)) {
        auto front = parse_front_matter(*text);
        facts["card"]["present"] = true;
        if (!front.error.empty()) {
          facts["card"]["error"] = front.error;
        } else if (front.present) {
          card = front.data;
        }
      }
    } else {
      facts["card"]["error"] = "README.md is over 1 MiB and was not read";
    }
  }

  // Weight files.
  json safetensors_files = json::array();
  json gguf_files = json::array();
  json weight_errors = json::array();
  std::map<std::string, uint64_t> params;
  uint64_t total = 0;
  size_t weights_seen = 0;
  bool has_adapter_config = false;
  // Path lookups (shards of an index, manifest logs) are rare: the set is built on first use,
  // so a dataset of a million files does not pay for it on every commit.
  std::unordered_set<std::string_view> path_set;
  auto has_path = [&](const std::string& p) {
    if (path_set.empty()) {
      for (const auto& f : files.entries) {
        if (!f.git.is_dir) path_set.insert(f.git.path);
      }
    }
    return path_set.count(p) > 0;
  };
  for (const auto& f : files.entries) {
    if (f.git.is_dir) continue;
    if (f.git.path == "adapter_config.json" || f.git.path.ends_with("/adapter_config.json")) {
      has_adapter_config = true;
    }
    bool st = ends_with_ci(f.git.path, ".safetensors");
    bool gg = ends_with_ci(f.git.path, ".gguf");
    if (!st && !gg) continue;
    if (++weights_seen > kMaxWeightFiles) {
      facts["weightFilesSkipped"] = true;
      continue;
    }
    json s = weight_summary(hub_, git, f, gg);
    if (s.contains("error")) {
      weight_errors.push_back({{"path", f.git.path}, {"error", s["error"]}});
      continue;
    }
    s["path"] = f.git.path;
    if (st) {
      for (auto& [dtype, n] : s["parameters"].items()) params[dtype] += n.get<uint64_t>();
      total += s["total"].get<uint64_t>();
      safetensors_files.push_back(std::move(s));
    } else {
      gguf_files.push_back(std::move(s));
    }
  }
  if (!safetensors_files.empty()) {
    facts["safetensors"] = {{"parameters", params}, {"total", total}, {"files", safetensors_files}};
  }
  // Sharded checkpoints: the index names the shards; missing ones are an error.
  for (const auto& f : files.entries) {
    if (f.git.is_dir || !ends_with_ci(f.git.path, ".safetensors.index.json")) continue;
    if (f.size() > kMaxIndexJson) {
      weight_errors.push_back({{"path", f.git.path}, {"error", "index over 16 MiB"}});
      continue;
    }
    auto text = read_file_prefix(hub_, git, f, f.size());
    if (!text) continue;
    auto index = parse_safetensors_index(*text);
    if (!index) {
      weight_errors.push_back({{"path", f.git.path}, {"error", index.status().message()}});
      continue;
    }
    std::string dir;
    if (auto slash = f.git.path.rfind('/'); slash != std::string::npos) {
      dir = f.git.path.substr(0, slash + 1);
    }
    json missing = json::array();
    for (const auto& shard : index->shards) {
      if (!has_path(dir + shard)) missing.push_back(shard);
    }
    facts["safetensorsIndex"].push_back({{"path", f.git.path},
                                         {"totalSize", index->total_size},
                                         {"shards", index->shards},
                                         {"missingShards", missing}});
    if (!missing.empty()) {
      weight_errors.push_back(
          {{"path", f.git.path}, {"error", "index names shards missing from the revision"}});
    }
  }
  if (!gguf_files.empty()) facts["gguf"] = gguf_files;
  if (!weight_errors.empty()) facts["weightErrors"] = weight_errors;

  // The training manifest.
  TrainingManifest manifest;
  if (repo.type == domain::RepoKind::kModel) {
    if (auto mf = find_file(files, std::string(kManifestPath))) {
      if (mf->size() > kMaxManifestBytes) {
        manifest.present = true;
        manifest.problems.push_back("over 4 MiB; not read");
      } else if (auto text = read_file_prefix(hub_, git, *mf, mf->size())) {
        manifest = parse_training_manifest(*text);
      }
    }
    json logs_missing = json::array();
    for (const auto& l : manifest.logs) {
      if (!has_path(l)) {
        logs_missing.push_back(l);
        manifest.problems.push_back("logs: " + l + " is not in the revision");
      }
    }
    facts["manifest"] = {{"present", manifest.present}, {"problems", manifest.problems}};
  }

  // Edges.
  std::vector<domain::LineageEdgeRow> edges;
  std::unordered_map<std::string, size_t> edge_at;  // (kind, type, parent) -> index in edges
  auto add_edge = [&](domain::LineageEdgeRow e, const json& detail) {
    // One edge per (kind, parent): a manifest edge replaces a card/GGUF claim of the same parent.
    // The parent is its repository when known (an old name and the new one are one parent).
    std::string key =
        (is_model_relation(e.relation) ? std::string("base") : e.relation) + "\n" + e.parent_type +
        "\n" + (e.parent_uid.empty() ? util::to_lower_ascii(e.parent_id) : "uid:" + e.parent_uid);
    auto [it, fresh] = edge_at.try_emplace(key, edges.size());
    if (!fresh) {
      auto& existing = edges[it->second];
      {
        if (e.source == "manifest" && existing.source != "manifest") {
          json d = detail;
          d["alsoDeclaredIn"] = existing.source;
          e.detail_json = dump(d);
          existing = std::move(e);
        } else if (existing.source == "manifest" && e.source != "manifest") {
          auto d = json::parse(existing.detail_json, nullptr, false);
          if (d.is_object() && !d.contains("alsoDeclaredIn")) {
            d["alsoDeclaredIn"] = e.source;
            existing.detail_json = dump(d);
          }
        }
        return;
      }
    }
    e.detail_json = dump(detail);
    edges.push_back(std::move(e));
  };
  // A parent that could not be read fails the indexing (read_failure), rather than filing
  // the edge as pointing nowhere.
  Status read_failure;
  auto resolve_parent = [&](const std::string& type,
                            const std::string& id) -> std::optional<domain::RepoRecord> {
    auto kind = domain::repo_kind_from_wire(type);
    if (!kind || !looks_like_id(id)) return std::nullopt;
    auto slash = id.find('/');
    auto rec = hub_.db().find_repo(*kind, id.substr(0, slash), id.substr(slash + 1));
    if (rec && !*rec)
      rec = hub_.db().find_redirect(*kind, id.substr(0, slash), id.substr(slash + 1));
    if (!rec) {
      read_failure = rec.status();
      return std::nullopt;
    }
    return *rec;
  };
  auto declared = [&](const std::string& relation, const std::string& type, const std::string& id,
                      const std::string& source) {
    domain::LineageEdgeRow e;
    e.child_uid = repo.uid;
    e.child_commit = commit;
    e.relation = relation;
    e.parent_type = type;
    e.parent_id = id;
    e.source = source;
    json detail = {{"problems", json::array()}};
    if (auto rec = resolve_parent(type, id)) {
      // parent_id stays as declared: the API shows the repository's own name only to callers
      // who may see it.
      e.parent_uid = rec->uid;
      detail["problems"].push_back("declared in the " + source + " without a revision");
    } else {
      detail["problems"].push_back("not found on this hub");
    }
    add_edge(std::move(e), detail);
  };
  // A manifest reference: verified when pinned to an existing commit of this hub and every
  // file hash it names matches. The checks are bounded per revision, whatever the manifest
  // names.
  size_t files_checked = 0;
  uint64_t hashed_bytes = 0;
  std::unordered_map<std::string, std::string> hashed;  // git blob oid -> SHA-256
  auto checked = [&](const std::string& relation, const std::string& type,
                     const ManifestRepoRef& ref) {
    domain::LineageEdgeRow e;
    e.child_uid = repo.uid;
    e.child_commit = commit;
    e.relation = relation;
    e.parent_type = type;
    e.parent_id = ref.repo;
    e.source = "manifest";
    json detail = {{"problems", json::array()}};
    if (!ref.split.empty()) detail["split"] = ref.split;
    if (ref.tokens) detail["tokens"] = ref.tokens;
    if (!ref.stage.empty()) detail["stage"] = ref.stage;
    if (!ref.revision.empty()) detail["declaredRevision"] = ref.revision;
    auto& problems = detail["problems"];
    auto rec = ref.external() ? std::nullopt : resolve_parent(type, ref.repo);
    if (!rec) {
      problems.push_back("not found on this hub");
      add_edge(std::move(e), detail);
      return;
    }
    e.parent_uid = rec->uid;
    if (!ref.pinned()) {
      problems.push_back(ref.revision.empty() ? "no revision given"
                                              : "revision is not a full commit id");
      add_edge(std::move(e), detail);
      return;
    }
    auto pgit = hub_.open_git(*rec);
    if (!pgit || !(*pgit)->find_commit(ref.revision)) {
      problems.push_back("commit " + ref.revision + " does not exist in " + rec->id());
      add_edge(std::move(e), detail);
      return;
    }
    e.parent_commit = ref.revision;
    auto psnap = RepoContents(hub_).snapshot(*rec, &*pgit, ref.revision);
    for (const auto& file : ref.files) {
      if (++files_checked > kMaxFileChecks) {
        problems.push_back("more than " + std::to_string(kMaxFileChecks) +
                           " file hashes named in this revision: the rest are not checked");
        break;
      }
      std::optional<FileEntry> pf;
      if (psnap) pf = find_file(**psnap, file.path);
      if (!pf) {
        problems.push_back("file " + file.path + " is not in " + rec->id() + " at " +
                           ref.revision.substr(0, 12));
        continue;
      }
      // Git blobs are hashed once per revision, and at most kMaxHashedBytes in all.
      std::optional<std::string> sha;
      if (pf->lfs) {
        sha = pf->lfs->oid;
      } else if (auto m = hashed.find(pf->git.oid); m != hashed.end()) {
        sha = m->second;
      } else if ((hashed_bytes += pf->git.size) <= kMaxHashedBytes) {
        sha = content_sha256(*pgit, *pf);
        if (sha) hashed.emplace(pf->git.oid, *sha);
      }
      if (!sha || *sha != file.sha256) {
        problems.push_back("hash mismatch: " + file.path + " is " +
                           sha.value_or("not hashed (unreadable, or over the hashing budget)") +
                           ", the manifest says " + file.sha256);
      }
    }
    e.verified = problems.empty();
    add_edge(std::move(e), detail);
  };

  if (repo.type == domain::RepoKind::kModel) {
    auto bases = string_list(card, "base_model");
    std::string card_relation;
    if (card.is_object() && card.contains("base_model_relation") &&
        card["base_model_relation"].is_string()) {
      card_relation = card["base_model_relation"].get<std::string>();
      if (!is_model_relation(card_relation)) card_relation.clear();
    }
    auto infer = [&](size_t parents) -> std::string {
      if (parents > 1) return "merge";
      if (!gguf_files.empty()) return "quantized";
      if (has_adapter_config) return "adapter";
      return "finetune";
    };
    for (const auto& b : manifest.base_models) {
      checked(b.relation.empty()
                  ? (card_relation.empty() ? infer(manifest.base_models.size()) : card_relation)
                  : b.relation,
              "model", b);
    }
    for (const auto& b : bases) {
      declared(card_relation.empty() ? infer(bases.size()) : card_relation, "model", b, "card");
    }
    // GGUF files name what they quantize.
    for (const auto& g : gguf_files) {
      for (const auto& b : g.value("baseModels", json::array())) {
        std::string url = b.value("repo_url", "");
        std::string id;
        std::string public_url = hub_.config().public_url;
        for (const std::string& prefix :
             {public_url + "/", std::string("https://huggingface.co/")}) {
          if (url.starts_with(prefix)) id = url.substr(prefix.size());
        }
        if (id.empty()) {
          std::string org = b.value("organization", "");
          std::string name = b.value("name", "");
          if (!org.empty() && !name.empty()) id = org + "/" + name;
        }
        if (id.empty()) id = url;
        if (!id.empty()) declared("quantized", "model", id, "gguf");
      }
    }
    for (const auto& d : manifest.datasets) checked("trained-on", "dataset", d);
    for (const auto& d : string_list(card, "datasets"))
      declared("trained-on", "dataset", d, "card");
    for (const auto& d : manifest.evaluation) checked("evaluated-on", "dataset", d);
    // model-index results name their datasets by id.
    if (card.is_object() && card.contains("model-index") && card["model-index"].is_array()) {
      size_t n = 0;
      for (const auto& m : card["model-index"]) {
        if (!m.is_object() || !m.contains("results") || !m["results"].is_array()) continue;
        for (const auto& r : m["results"]) {
          if (++n > kMaxDeclared) break;
          if (!r.is_object() || !r.contains("dataset") || !r["dataset"].is_object()) continue;
          const json& ds = r["dataset"];
          if (ds.contains("type") && ds["type"].is_string()) {
            declared("evaluated-on", "dataset", ds["type"].get<std::string>(), "card");
          }
        }
      }
    }
  } else {
    for (auto s : string_list(card, "source_datasets")) {
      if (s == "original") continue;
      if (auto bar = s.find('|'); bar != std::string::npos) s = s.substr(bar + 1);
      if (!s.empty()) declared("derived-from", "dataset", s, "card");
    }
  }
  if (!read_failure.is_ok()) return read_failure;
  idx.edges = std::move(edges);
  if (auto st = hub_.db().put_lineage_revision(repo.uid, commit, dump(facts), idx.edges); !st) {
    return st;
  }
  return idx;
}

}  // namespace vitrine::service
