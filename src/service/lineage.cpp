// The lineage index and its queries (service/lineage.hpp, docs/lineage.md).
#include "service/lineage.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <set>

#include "service/card_metadata.hpp"
#include "service/hub.hpp"
#include "service/model_files.hpp"
#include "service/repo_service.hpp"
#include "service/training_manifest.hpp"
#include "util/crypto.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

constexpr uint64_t kMaxReadme = 1u << 20;
constexpr uint64_t kMaxManifest = 4u << 20;
constexpr uint64_t kMaxIndexJson = 16u << 20;
constexpr size_t kMaxWeightFiles = 256;
constexpr size_t kMaxDeclared = 64;  // base models / datasets taken from one card
constexpr uint64_t kFirstRead = 64u << 10;
const std::string kMain = "refs/heads/main";

const std::vector<std::string> kRelations = {
    "finetune", "adapter", "merge", "quantized", "trained-on", "evaluated-on", "derived-from"};

uint8_t relation_code(const std::string& r) {
  for (size_t i = 0; i < kRelations.size(); ++i) {
    if (kRelations[i] == r) return static_cast<uint8_t>(i);
  }
  return 0;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with_ci(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The first `n` bytes of a file of a revision (LFS/Xet content or the git blob).
Result<std::string> read_prefix(Hub& hub, storage::GitRepo& git, const FileEntry& f, uint64_t n) {
  if (!f.lfs) {
    auto blob = git.read_blob(f.git.oid);
    if (!blob) return blob.status();
    if (blob->size() > n) blob->resize(n);
    return std::move(*blob);
  }
  auto content = hub.blobs().open(f.lfs->oid);
  if (!content) return content.status();
  std::string out;
  for (const auto& piece : (*content)->pieces) {
    if (out.size() >= n) break;
    std::string bytes;
    if (auto st = (*content)->read_piece(piece, bytes); !st) return st;
    out += bytes;
  }
  if (out.size() > n) out.resize(n);
  return out;
}

// The content key of a file for the header cache.
std::string content_key(const FileEntry& f) {
  return f.lfs ? "sha256:" + f.lfs->oid : "git:" + f.git.oid;
}

json summarize_safetensors(Hub& hub, storage::GitRepo& git, const FileEntry& f) {
  uint64_t size = f.size();
  auto first = read_prefix(hub, git, f, std::min<uint64_t>(size, kFirstRead));
  if (!first) return {{"error", "cannot read: " + first.status().message()}};
  auto need = safetensors_prefix_size(*first, size);
  if (!need) return {{"error", need.status().message()}};
  std::string prefix = std::move(*first);
  if (prefix.size() < *need) {
    auto more = read_prefix(hub, git, f, *need);
    if (!more) return {{"error", "cannot read: " + more.status().message()}};
    prefix = std::move(*more);
  }
  auto h = parse_safetensors(prefix, size);
  if (!h) return {{"error", h.status().message()}};
  return {{"parameters", h->parameters}, {"total", h->total}, {"tensors", h->tensors.size()}};
}

json summarize_gguf(Hub& hub, storage::GitRepo& git, const FileEntry& f) {
  uint64_t size = f.size();
  uint64_t want = std::min<uint64_t>(size, kFirstRead);
  for (int round = 0; round < 16; ++round) {
    auto prefix = read_prefix(hub, git, f, want);
    if (!prefix) return {{"error", "cannot read: " + prefix.status().message()}};
    auto h = parse_gguf(*prefix, size);
    if (h) {
      json bases = json::array();
      for (const auto& b : h->base_models) {
        bases.push_back({{"name", b.name},
                         {"organization", b.organization},
                         {"version", b.version},
                         {"repo_url", b.repo_url}});
      }
      return {{"architecture", h->architecture}, {"name", h->name},
              {"quantization", h->quantization}, {"context_length", h->context_length},
              {"parameters", h->parameters},     {"total", h->total},
              {"tensors", h->tensors.size()},    {"baseModels", bases}};
    }
    if (h.status().kind() != ErrorKind::kRangeNotSatisfiable) {
      return {{"error", h.status().message()}};
    }
    // "need N bytes"
    uint64_t next = 0;
    const auto& m = h.status().message();
    if (m.starts_with("need ")) next = std::strtoull(m.c_str() + 5, nullptr, 10);
    next = std::min<uint64_t>(std::max<uint64_t>(next, want * 2),
                              std::min(size, kMaxWeightHeaderBytes));
    if (next <= want) return {{"error", m}};
    want = next;
  }
  return {{"error", "GGUF header too large"}};
}

// A file's summary, from the cache or parsed once (a commit never changes its bytes).
json weight_summary(Hub& hub, storage::GitRepo& git, const FileEntry& f, bool gguf) {
  std::string key = (gguf ? "gguf:" : "st:") + content_key(f);
  if (auto cached = hub.db().weight_header(key)) {
    auto j = json::parse(*cached, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  json j = gguf ? summarize_gguf(hub, git, f) : summarize_safetensors(hub, git, f);
  // Read failures may be transient (a missing object); parse results are not.
  if (!(j.contains("error") && j["error"].get<std::string>().starts_with("cannot read"))) {
    hub.db().put_weight_header(key, dump(j));
  }
  return j;
}

// The SHA-256 of a file's content, as a manifest names it.
std::optional<std::string> content_sha256(storage::GitRepo& git, const FileEntry& f) {
  if (f.lfs) return f.lfs->oid;
  if (f.git.size > (64u << 20)) return std::nullopt;
  auto blob = git.read_blob(f.git.oid);
  if (!blob) return std::nullopt;
  return util::sha256_hex(*blob);
}

std::optional<FileEntry> find_file(const Snapshot& snap, const std::string& path) {
  for (const auto& e : snap.entries) {
    if (!e.git.is_dir && e.git.path == path) return e;
  }
  return std::nullopt;
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

const std::vector<std::string>& lineage_relations() {
  return kRelations;
}

bool is_model_relation(const std::string& r) {
  return r == "finetune" || r == "adapter" || r == "merge" || r == "quantized";
}

Lineage::Lineage(Hub& hub) : hub_(hub) {}
Lineage::~Lineage() = default;

// ---------------------------------------------------------------------------------------------
// Indexing

Result<RevisionIndex> Lineage::index_revision(const storage::RepoRecord& repo,
                                              storage::GitRepo& git, const std::string& commit) {
  RepoService repos(hub_);
  auto snap = repos.snapshot(repo, &git, commit);
  if (!snap) return snap.status();
  const Snapshot& files = **snap;
  RevisionIndex idx;
  idx.uid = repo.uid;
  idx.commit = commit;
  json& facts = idx.facts;
  facts["type"] = repo.type;

  // The card.
  json card = json::object();
  facts["card"] = {{"present", false}, {"error", nullptr}};
  if (auto readme = find_file(files, "README.md"); readme && !readme->lfs) {
    if (readme->git.size <= kMaxReadme) {
      if (auto text = git.read_blob(readme->git.oid)) {
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
  std::set<std::string> paths;
  for (const auto& f : files.entries) {
    if (f.git.is_dir) continue;
    paths.insert(f.git.path);
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
    auto text = read_prefix(hub_, git, f, f.size());
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
      if (!paths.count(dir + shard)) missing.push_back(shard);
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
  if (repo.type == "model") {
    if (auto mf = find_file(files, std::string(kManifestPath))) {
      if (mf->size() > kMaxManifest) {
        manifest.present = true;
        manifest.problems.push_back("over 4 MiB; not read");
      } else if (auto text = read_prefix(hub_, git, *mf, mf->size())) {
        manifest = parse_training_manifest(*text);
      }
    }
    json logs_missing = json::array();
    for (const auto& l : manifest.logs) {
      if (!paths.count(l)) {
        logs_missing.push_back(l);
        manifest.problems.push_back("logs: " + l + " is not in the revision");
      }
    }
    facts["manifest"] = {{"present", manifest.present}, {"problems", manifest.problems}};
  }

  // Edges.
  std::vector<storage::LineageEdgeRow> edges;
  auto add_edge = [&](storage::LineageEdgeRow e, const json& detail) {
    // One edge per (kind, parent): a manifest edge replaces a card/GGUF claim of the same parent.
    auto group = [](const std::string& r) { return is_model_relation(r) ? "base" : r; };
    for (auto& existing : edges) {
      if (group(existing.relation) == group(e.relation) && existing.parent_type == e.parent_type &&
          lower(existing.parent_id) == lower(e.parent_id)) {
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
  auto resolve_parent = [&](const std::string& type,
                            const std::string& id) -> std::optional<storage::RepoRecord> {
    if (!looks_like_id(id)) return std::nullopt;
    auto slash = id.find('/');
    auto rec = hub_.db().find_repo(type, id.substr(0, slash), id.substr(slash + 1));
    if (!rec) rec = hub_.db().find_redirect(type, id.substr(0, slash), id.substr(slash + 1));
    return rec;
  };
  auto declared = [&](const std::string& relation, const std::string& type, const std::string& id,
                      const std::string& source) {
    storage::LineageEdgeRow e;
    e.child_uid = repo.uid;
    e.child_commit = commit;
    e.relation = relation;
    e.parent_type = type;
    e.parent_id = id;
    e.source = source;
    json detail = {{"problems", json::array()}};
    if (auto rec = resolve_parent(type, id)) {
      e.parent_uid = rec->uid;
      e.parent_id = rec->id();
      detail["problems"].push_back("declared in the " + source + " without a revision");
    } else {
      detail["problems"].push_back("not found on this hub");
    }
    add_edge(std::move(e), detail);
  };
  // A manifest reference: verified when pinned to an existing commit of this hub and every
  // file hash it names matches.
  auto checked = [&](const std::string& relation, const std::string& type,
                     const ManifestRepoRef& ref) {
    storage::LineageEdgeRow e;
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
    e.parent_id = rec->id();
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
    auto psnap = repos.snapshot(*rec, pgit->get(), ref.revision);
    for (const auto& file : ref.files) {
      std::optional<FileEntry> pf;
      if (psnap) pf = find_file(**psnap, file.path);
      if (!pf) {
        problems.push_back("file " + file.path + " is not in " + rec->id() + " at " +
                           ref.revision.substr(0, 12));
        continue;
      }
      auto sha = content_sha256(**pgit, *pf);
      if (!sha || *sha != file.sha256) {
        problems.push_back("hash mismatch: " + file.path + " is " + sha.value_or("unreadable") +
                           ", the manifest says " + file.sha256);
      }
    }
    e.verified = problems.empty();
    add_edge(std::move(e), detail);
  };

  if (repo.type == "model") {
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
  idx.edges = std::move(edges);
  if (auto st = hub_.db().put_lineage_revision(repo.uid, commit, dump(facts), idx.edges); !st) {
    return st;
  }
  return idx;
}

Result<RevisionIndex> Lineage::revision(const storage::RepoRecord& repo, storage::GitRepo& git,
                                        const std::string& commit) {
  if (auto facts = hub_.db().lineage_facts(repo.uid, commit)) {
    RevisionIndex idx;
    idx.uid = repo.uid;
    idx.commit = commit;
    idx.facts = json::parse(*facts, nullptr, false);
    if (idx.facts.is_discarded()) idx.facts = json::object();
    idx.edges = hub_.db().lineage_edges_of(repo.uid, commit);
    return idx;
  }
  std::lock_guard lock(index_mutex_);
  return index_revision(repo, git, commit);
}

Status Lineage::on_refs_changed(const storage::RepoRecord& repo) {
  if (!enabled_) return Status::ok();
  auto git = hub_.open_git(repo);
  if (!git) return git.status();
  std::vector<std::pair<std::string, std::string>> heads;
  Status result = Status::ok();
  bool first_time = hub_.db().lineage_heads(repo.uid).empty();
  std::vector<storage::LineageEdgeRow> main_edges;
  bool have_main = false;
  {
    std::lock_guard lock(index_mutex_);
    for (const auto& ref : (*git)->list_refs()) {
      bool branch = ref.name.starts_with("refs/heads/");
      if (!branch && !ref.name.starts_with("refs/tags/")) continue;
      heads.emplace_back(ref.name, ref.target);
      if (!branch) continue;
      if (!hub_.db().lineage_facts(repo.uid, ref.target)) {
        auto idx = index_revision(repo, **git, ref.target);
        if (!idx) {
          result = idx.status();
          continue;
        }
        if (ref.name == kMain) main_edges = idx->edges, have_main = true;
      } else if (ref.name == kMain) {
        main_edges = hub_.db().lineage_edges_of(repo.uid, ref.target);
        have_main = true;
      }
    }
    if (auto st = hub_.db().set_lineage_heads(repo.uid, heads); !st) result = st;
    if (first_time) relink_children(repo);
  }
  {
    std::unique_lock lock(graph_mutex_);
    if (graph_loaded_) {
      set_current_edges(repo.uid, have_main ? main_edges : std::vector<storage::LineageEdgeRow>{});
    }
  }
  if (!result) {
    spdlog::warn("lineage: indexing {} failed: {}", repo.id(), result.message());
  }
  return result;
}

void Lineage::relink_children(const storage::RepoRecord& repo) {
  auto children = hub_.db().lineage_unlinked_children(repo.type, repo.id());
  if (children.empty()) return;
  for (const auto& [uid, commit] : children) {
    auto rec = hub_.db().find_repo_by_uid(uid);
    if (!rec) continue;
    auto git = hub_.open_git(*rec);
    if (!git) continue;
    if (auto idx = index_revision(*rec, **git, commit); !idx) {
      spdlog::warn("lineage: re-indexing {} at {} failed: {}", rec->id(), commit,
                   idx.status().message());
    }
  }
  std::unique_lock lock(graph_mutex_);
  graph_loaded_ = false;  // reloaded from the database at the next query
}

void Lineage::on_repo_changed(const storage::RepoRecord& repo) {
  // The graph holds uids, and names and visibility are read when answering; but revisions
  // that named the new id before it existed can link now.
  std::lock_guard lock(index_mutex_);
  relink_children(repo);
}

void Lineage::on_repo_deleted(const std::string& uid) {
  hub_.db().delete_lineage(uid);
  std::unique_lock lock(graph_mutex_);
  if (graph_loaded_) set_current_edges(uid, {});
}

Status Lineage::rebuild(size_t* revisions) {
  // Forget what was indexed, then index every repository's refs again.
  size_t n = 0;
  for (const auto& uid : hub_.db().lineage_repos()) hub_.db().delete_lineage(uid);
  storage::RepoListQuery q;
  q.all_private_visible = true;
  q.limit = 1000;
  Status result = Status::ok();
  for (const char* type : {"model", "dataset"}) {
    q.type = type;
    q.offset = 0;
    while (true) {
      auto page = hub_.db().list_repos(q);
      for (const auto& repo : page) {
        if (auto st = on_refs_changed(repo); !st) result = st;
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
                                const std::vector<storage::LineageEdgeRow>& edges) {
  uint32_t child = intern(uid);
  for (const auto& old : parents_[child]) {
    auto& list = children_[old.parent];
    list.erase(std::remove(list.begin(), list.end(), child), list.end());
  }
  parents_[child].clear();
  for (const auto& e : edges) {
    if (e.parent_uid.empty()) continue;
    uint32_t parent = intern(e.parent_uid);
    parents_[child].push_back(
        Edge{child, parent, relation_code(e.relation), e.verified, e.parent_commit});
    auto& list = children_[parent];
    if (std::find(list.begin(), list.end(), child) == list.end()) list.push_back(child);
  }
}

void Lineage::load_graph() {
  {
    std::shared_lock lock(graph_mutex_);
    if (graph_loaded_) return;
  }
  auto edges = hub_.db().lineage_edges_at_ref(kMain);
  std::unique_lock lock(graph_mutex_);
  if (graph_loaded_) return;
  ids_.clear();
  uids_.clear();
  parents_.clear();
  children_.clear();
  size_t i = 0;
  while (i < edges.size()) {
    size_t j = i;
    std::vector<storage::LineageEdgeRow> one;
    while (j < edges.size() && edges[j].child_uid == edges[i].child_uid) one.push_back(edges[j++]);
    set_current_edges(edges[i].child_uid, one);
    i = j;
  }
  graph_loaded_ = true;
}

void Lineage::add_to_graph_for_benchmark(const std::string& uid,
                                         const std::vector<storage::LineageEdgeRow>& edges) {
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
    if (seen_visible[id] < 0) seen_visible[id] = visible(uids_[id]) ? 1 : 0;
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
  auto t = descendants(uid, visible, 1, 0);
  return t.by_relation;
}

std::vector<LineageHit> Lineage::impact(const std::string& dataset_uid, const std::string& revision,
                                        const Visible& visible, size_t limit, bool* truncated) {
  // Breadth-first over every indexed revision, from the database: (uid, commit) nodes.
  std::vector<LineageHit> out;
  std::map<std::pair<std::string, std::string>, size_t> seen;        // -> index in out
  std::deque<std::tuple<std::string, std::string, int, int>> queue;  // uid, commit, depth, cert
  queue.emplace_back(dataset_uid, revision, 0, 2);
  std::map<std::string, bool> vis;
  if (truncated) *truncated = false;
  static const char* kCertainty[] = {"unpinned", "declared", "verified"};
  while (!queue.empty()) {
    auto [uid, commit, depth, cert] = queue.front();
    queue.pop_front();
    if (depth >= 32) continue;
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

// ---------------------------------------------------------------------------------------------
// Facts for reports

namespace {

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

LineageEdge to_edge(Hub& hub, RepoService& repos, const storage::LineageEdgeRow& row,
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
    auto rec = hub.db().find_repo_by_uid(row.parent_uid);
    if (!rec || !repos.can_read(*rec, caller)) {
      e.verified = false;
      e.parent_revision.clear();
      e.problems = {"not found on this hub"};
    } else {
      e.parent_id = rec->id();  // renamed since
    }
  }
  return e;
}

Result<std::string> readme_text(storage::GitRepo& git, const Snapshot& snap) {
  auto f = find_file(snap, "README.md");
  if (!f || f->lfs || f->git.size > kMaxReadme) return std::string();
  return git.read_blob(f->git.oid);
}

}  // namespace

json edge_json(Hub& hub, RepoService& repos, const storage::LineageEdgeRow& row,
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
                                          const storage::RepoRecord& repo, storage::GitRepo& git,
                                          const std::string& commit, const Caller& caller) {
  auto snap = repos.snapshot(repo, &git, commit);
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

Result<ModelFacts> gather_model_facts(Hub& hub, RepoService& repos, const storage::RepoRecord& repo,
                                      storage::GitRepo& git, const std::string& commit,
                                      const std::string& ref, const Caller& caller) {
  auto snap = repos.snapshot(repo, &git, commit);
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
  if (auto mf = find_file(**snap, std::string(kManifestPath)); mf && mf->size() <= kMaxManifest) {
    if (auto text = read_prefix(hub, git, *mf, mf->size())) {
      auto manifest = parse_training_manifest(*text);
      m.manifest_present = true;
      m.manifest = manifest.data;
      // Checkpoints must exist as branches or tags of this repository.
      auto refs = git.list_refs();
      for (const auto& cp : manifest.checkpoints) {
        bool found = std::any_of(refs.begin(), refs.end(), [&](const storage::GitRef& r) {
          return r.name == "refs/heads/" + cp.revision || r.name == "refs/tags/" + cp.revision;
        });
        (found ? m.checkpoints_present : m.checkpoints_missing).push_back(cp.revision);
      }
    }
  }
  const json& facts = idx->facts;
  if (facts.contains("manifest")) {
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
  for (const auto& row : idx->edges) {
    auto e = to_edge(hub, repos, row, caller);
    if (e.relation == "trained-on" || e.relation == "evaluated-on") {
      DatasetFacts d;
      d.repo_id = e.parent_id;
      d.revision = e.parent_revision;
      if (!row.parent_uid.empty() && !e.problems.empty() &&
          e.problems[0] == "not found on this hub") {
        // invisible to the caller: nothing more is said
      } else if (!row.parent_uid.empty()) {
        if (auto rec = hub.db().find_repo_by_uid(row.parent_uid)) {
          if (auto dgit = hub.open_git(*rec)) {
            std::string at = row.parent_commit;
            if (at.empty()) at = (*dgit)->ref_target(kMain).value_or("");
            if (!at.empty()) {
              if (auto df = gather_dataset_facts(hub, repos, *rec, **dgit, at, caller)) {
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
