// Lineage benchmark (bench/lineage.sh runs it). Two figures, each next to its peer:
//   commit       median latency of an API commit (CommitBuilder, in process) of a model revision
//                with a card, a training manifest pinned to a base model and a dataset (file
//                hashes checked), config.json and a 291-tensor safetensors file, with lineage
//                indexing vs with it off (alternating commit by commit); goal: adds <= 10 ms
//   descendants  a graph of --models models (default 100,000) written through the index
//                (database rows, as commits write them) and loaded the way the server loads it;
//                median time of the descendants query (what /api/vitrine/lineage/.../descendants
//                runs: the walk, counts and the first 100 hits) for the root, which every model
//                descends from (the worst case), and for a typical model; goal: <= 50 ms
// Usage: vitrine_lineage_bench [--models N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench_util.hpp"
#include "service/access/auth_service.hpp"
#include "service/commits/commit_builder.hpp"
#include "service/hub.hpp"
#include "service/lineage/lineage.hpp"
#include "service/repos/repo_service.hpp"
#include "util/crypto.hpp"

using namespace vitrine;
namespace fs = std::filesystem;
using bench::Clock;
using bench::median;
using bench::ms_since;
using bench::temp_dir;
using nlohmann::json;

namespace {

// A safetensors file with `n` F32 tensors of 8x8.
std::string safetensors(int n) {
  json header = json::object();
  uint64_t off = 0;
  for (int i = 0; i < n; ++i) {
    header["model.layers." + std::to_string(i) + ".weight"] = {
        {"dtype", "F32"}, {"shape", {8, 8}}, {"data_offsets", {off, off + 256}}};
    off += 256;
  }
  std::string h = header.dump();
  std::string out(8, '\0');
  uint64_t len = h.size();
  std::memcpy(out.data(), &len, 8);
  out += h;
  out.append(off, '\x01');
  return out;
}

void must(const Status& st, const char* what) {
  if (!st) {
    std::fprintf(stderr, "%s failed: %s\n", what, st.message().c_str());
    std::exit(1);
  }
}

std::string commit_files(service::Hub& hub, const domain::RepoRecord& repo,
                         const service::Caller& who,
                         const std::vector<std::pair<std::string, std::string>>& files,
                         const std::string& title) {
  service::CommitBuilder b(hub, repo, who);
  must(b.begin(), "begin");
  for (const auto& [path, content] : files) must(b.add(service::FileOp{path, content}), "add");
  auto out = b.finish(service::CommitHeader{title, "", std::nullopt}, "main", false);
  if (!out) must(out.status(), "commit");
  return out->commit;
}

std::pair<double, double> commit_latency(int rounds) {
  auto dir = temp_dir("lineage", "commit");
  service::HubConfig config;
  config.data_dir = dir.string();
  auto hub = service::Hub::open(config);
  if (!hub) must(hub.status(), "open");
  service::AuthService auth(**hub);
  (void)auth.create_user("alice", false);
  auto alice =
      auth.authenticate("Bearer " + *auth.create_token("alice", domain::TokenRole::kWrite, "t"));
  service::RepoService repos(**hub);
  auto make = [&](const std::string& type, const std::string& name) {
    service::CreateRepoRequest req;
    req.type = type;
    req.name = name;
    auto r = repos.create(alice, req);
    if (!r) must(r.status(), "create");
    return *r;
  };
  auto base = make("model", "base");
  auto data = make("dataset", "data");
  auto model = make("model", "ft");
  std::string weights = safetensors(291);
  std::string base_commit = commit_files(
      **hub, base, alice,
      {{"README.md", "---\nlicense: apache-2.0\n---\n# Base\n"}, {"model.safetensors", weights}},
      "base");
  std::string shard = std::string(4096, 'x');
  std::string data_commit = commit_files(
      **hub, data, alice,
      {{"README.md", "---\nlicense: odc-by\n---\n# Data\n"}, {"train.jsonl", shard}}, "data");
  std::vector<double> with, without;
  int n = 0;
  auto one = [&](std::vector<double>& into) {
    json manifest = {
        {"schema", "vitrine.training-manifest/1"},
        {"base_models",
         {{{"repo", "alice/base"},
           {"revision", base_commit},
           {"files", {{{"path", "model.safetensors"}, {"sha256", util::sha256_hex(weights)}}}}}}},
        {"datasets",
         {{{"repo", "alice/data"},
           {"revision", data_commit},
           {"tokens", 1000 + n},
           {"files", {{{"path", "train.jsonl"}, {"sha256", util::sha256_hex(shard)}}}}}}},
        {"hyperparameters", {{"lr", 0.0003}}}};
    std::string card =
        "---\nlicense: apache-2.0\nbase_model: alice/base\ndatasets:\n- alice/data\n"
        "pipeline_tag: text-generation\n---\n# Fine-tune " +
        std::to_string(n) + "\n";
    // Each commit writes a new card and manifest and, every other time, new weights: the
    // weight header is then parsed, not found in the cache.
    std::string w = weights;
    w[w.size() - 1] = static_cast<char>(n);
    auto t = Clock::now();
    commit_files(**hub, model, alice,
                 {{"README.md", card},
                  {"training/manifest.json", manifest.dump()},
                  {"config.json", "{\"architectures\":[\"LlamaForCausalLM\"]}"},
                  {"model.safetensors", w}},
                 "c" + std::to_string(n));
    into.push_back(ms_since(t));
    ++n;
  };
  for (int i = 0; i < 10; ++i) one(without);  // warm up
  without.clear();
  for (int r = 0; r < rounds; ++r) {
    (*hub)->lineage().set_enabled_for_benchmark(true);
    one(with);
    (*hub)->lineage().set_enabled_for_benchmark(false);
    one(without);
  }
  double a = median(with), b = median(without);
  hub->reset();
  fs::remove_all(dir);
  return {a, b};
}

// `star`: every model is a direct child of model 0 (one base model with 100,000 fine-tunes).
void descendants(int models, bool star) {
  auto dir = temp_dir("lineage", "graph");
  service::HubConfig config;
  config.data_dir = dir.string();
  auto hub = service::Hub::open(config);
  if (!hub) must(hub.status(), "open");
  auto& db = (*hub)->db();
  std::mt19937_64 rng(42);
  const char* relations[] = {"finetune", "finetune", "adapter", "quantized", "merge"};
  auto uid = [](int i) { return "m" + std::to_string(i); };
  auto commit = [](int i) { return util::sha256_hex(std::to_string(i)).substr(0, 40); };
  auto t = Clock::now();
  // Model i derives from a uniformly chosen earlier model (a random recursive tree: every model
  // descends from model 0, the typical model has a few descendants); merges have two parents.
  for (int i = 0; i < models; ++i) {
    std::vector<domain::LineageEdgeRow> edges;
    if (i > 0) {
      const char* rel = relations[rng() % 5];
      int parents = std::strcmp(rel, "merge") == 0 && i > 1 ? 2 : 1;
      for (int p = 0; p < parents; ++p) {
        domain::LineageEdgeRow e;
        int parent = star ? 0 : static_cast<int>(rng() % i);
        e.relation = rel;
        e.parent_type = "model";
        e.parent_id = "org/" + uid(parent);
        e.parent_uid = uid(parent);
        e.source = "card";
        edges.push_back(std::move(e));
      }
    }
    must(db.put_lineage_revision(uid(i), commit(i), "{}", edges), "put revision");
    must(db.set_lineage_heads(uid(i), {{"refs/heads/main", commit(i)}}), "set heads");
  }
  double write_s = ms_since(t) / 1000;
  // The API's visibility check for a caller without private repositories: one hash lookup.
  std::unordered_set<std::string> private_uids;
  service::Lineage::Visible visible = [&](const std::string& u) { return !private_uids.count(u); };
  t = Clock::now();
  auto first = (*hub)->lineage().descendants(uid(0), visible, 0, 100);
  double load_ms = ms_since(t);
  std::vector<double> root, typical;
  uint64_t root_total = first.total, typical_total = 0;
  for (int r = 0; r < 31; ++r) {
    t = Clock::now();
    auto a = (*hub)->lineage().descendants(uid(0), visible, 0, 100);
    root.push_back(ms_since(t));
    root_total = a.total;
    t = Clock::now();
    auto b = (*hub)->lineage().descendants(uid(models / 100), visible, 0, 100);
    typical.push_back(ms_since(t));
    typical_total = b.total;
  }
  std::printf(
      "graph        %s: %d models written through the index in %.1f s; first query (loads the "
      "graph from the database) %.1f ms\n",
      star ? "star (every model a child of one base)" : "random tree", models, write_s, load_ms);
  std::printf(
      "descendants  root (%llu descendants): median %.2f ms; typical model (%llu): median %.3f "
      "ms (goal <= 50 ms): %s\n",
      static_cast<unsigned long long>(root_total), median(root),
      static_cast<unsigned long long>(typical_total), median(typical),
      median(root) <= 50 ? "met" : "missed");
  hub->reset();
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int models = 100000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--models") models = std::atoi(argv[i + 1]);
  }
  auto [with, without] = commit_latency(60);
  std::printf(
      "commit       API commit median %.2f ms with lineage indexing, %.2f ms without: +%.2f ms "
      "(goal <= 10 ms): %s\n",
      with, without, with - without, with - without <= 10 ? "met" : "missed");
  descendants(models, false);
  descendants(models, true);
  return 0;
}
