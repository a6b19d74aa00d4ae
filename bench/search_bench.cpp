// Listing search benchmark (bench/search.sh runs it). Writes the index rows and listing tags of
// --repos repositories (default 10,000; 90 % models, 10 % datasets, 5 % private) with
// realistic cards into the data folder's database, as reindexing writes them, and gives them
// skewed download and like counts. Then times, in process, the queries the search page sends
// (MetadataDb::list_repos, what GET /api/models runs): median of 50 runs each, with SQLite's
// plan. Goal (issue 8): <= 100 ms per query. bench/search.sh then serves the same folder and
// times the queries over HTTP.
// Usage: vitrine_search_bench --data DIR [--repos N]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "service/repos/listing_tags.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/crypto.hpp"

using namespace vitrine;
using bench::Clock;
using bench::median;
using bench::ms_since;
using nlohmann::json;

namespace {

using Words = std::vector<std::string>;

const Words kTasks = {"text-generation",
                      "text-classification",
                      "token-classification",
                      "fill-mask",
                      "question-answering",
                      "summarization",
                      "translation",
                      "feature-extraction",
                      "sentence-similarity",
                      "image-classification",
                      "object-detection",
                      "text-to-image",
                      "automatic-speech-recognition",
                      "text-to-speech",
                      "image-segmentation",
                      "zero-shot-classification"};
const Words kLibraries = {
    "transformers", "diffusers", "sentence-transformers", "peft", "timm", "gguf", "mlx", "onnx",
    "keras",        "spacy"};
const Words kLicenses = {"apache-2.0", "mit",      "cc-by-4.0",    "cc-by-nc-4.0", "llama3",
                         "gemma",      "openrail", "bsd-3-clause", "gpl-3.0",      "other"};
const Words kLanguages = {"en", "fr", "de", "es", "zh", "ja", "ko", "ru", "ar",
                          "pt", "it", "nl", "pl", "tr", "vi", "hi", "sv", "fi"};
const Words kTags = {"pytorch",
                     "safetensors",
                     "tensorflow",
                     "jax",
                     "conversational",
                     "text-generation-inference",
                     "endpoints_compatible",
                     "autotrain",
                     "lora",
                     "4-bit",
                     "8-bit",
                     "awq",
                     "gptq",
                     "merge",
                     "chat",
                     "code",
                     "medical",
                     "legal",
                     "finance",
                     "math",
                     "instruct",
                     "rlhf",
                     "dpo",
                     "vision",
                     "audio",
                     "multilingual",
                     "biology",
                     "chemistry",
                     "roleplay",
                     "reasoning"};
const Words kWords = {"llama",  "mistral",   "bert",   "roberta", "gpt",       "t5",
                      "bart",   "whisper",   "vit",    "clip",    "qwen",      "gemma",
                      "phi",    "falcon",    "bloom",  "electra", "deberta",   "distil",
                      "stable", "diffusion", "yolo",   "resnet",  "wav2vec",   "opus",
                      "mpt",    "olmo",      "pythia", "codegen", "starcoder", "e5"};
const Words kSizes = {"tiny", "small", "base", "large", "xl", "7b",       "13b", "70b",
                      "1b",   "3b",    "8b",   "v2",    "v3", "instruct", "chat"};
const Words kRelations = {"finetune", "adapter", "quantized", "merge"};
const Words kSizeCategories = {"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"};

const std::string& pick(std::mt19937_64& rng, const Words& v) {
  return v[rng() % v.size()];
}

// Skewed towards the front of the list, as popular tasks, licenses and tags are.
const std::string& pick_skewed(std::mt19937_64& rng, const Words& v) {
  double u = std::uniform_real_distribution<double>(0, 1)(rng);
  return v[static_cast<size_t>(u * u * u * static_cast<double>(v.size())) % v.size()];
}

json some(std::mt19937_64& rng, const Words& v, int at_least, int more) {
  json out = json::array();
  for (int i = 0, n = at_least + static_cast<int>(rng() % (more + 1)); i < n; ++i) {
    out.push_back(pick_skewed(rng, v));
  }
  return out;
}

json model_card(std::mt19937_64& rng, const std::vector<std::string>& earlier) {
  json card = {{"license", pick_skewed(rng, kLicenses)},
               {"pipeline_tag", pick_skewed(rng, kTasks)},
               {"library_name", pick_skewed(rng, kLibraries)},
               {"language", some(rng, kLanguages, 1, 2)},
               {"tags", some(rng, kTags, 2, 3)}};
  if (rng() % 3 == 0) {
    card["datasets"] = json::array({"datasets-org/corpus-" + std::to_string(rng() % 200)});
  }
  if (!earlier.empty() && rng() % 10 < 3) {
    card["base_model"] = earlier[rng() % earlier.size()];
    card["base_model_relation"] = pick(rng, kRelations);
  }
  return card;
}

json dataset_card(std::mt19937_64& rng) {
  return {{"license", pick_skewed(rng, kLicenses)},
          {"language", some(rng, kLanguages, 1, 0)},
          {"task_categories", some(rng, kTasks, 1, 0)},
          {"size_categories", json::array({pick(rng, kSizeCategories)})},
          {"tags", some(rng, kTags, 1, 0)}};
}

void must(const Status& st, const char* what) {
  if (!st) {
    std::fprintf(stderr, "%s failed: %s\n", what, st.message().c_str());
    std::exit(1);
  }
}

domain::RepoListQuery models(std::vector<std::string> search,
                             std::vector<std::vector<std::string>> tags,
                             const std::string& sort = "downloads", int64_t offset = 0) {
  domain::RepoListQuery q;
  q.type = domain::RepoKind::kModel;
  q.search = std::move(search);
  q.tags = std::move(tags);
  q.sort = sort;
  q.descending = sort != "id";
  q.limit = 21;  // the handler asks for one more than the page, to know about the next
  q.offset = offset;
  return q;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  int repos = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    if (!std::strcmp(argv[i], "--repos")) repos = std::atoi(argv[i + 1]);
  }
  if (data.empty() || repos <= 0) {
    std::fprintf(stderr, "usage: vitrine_search_bench --data DIR [--repos N]\n");
    return 2;
  }
  auto db = storage::MetadataDb::open(data + "/vitrine.db");
  must(db.status(), "open");

  std::mt19937_64 rng(42);
  std::vector<std::string> ids;
  std::vector<std::string> uids;
  auto t0 = Clock::now();
  for (int i = 0; i < repos; ++i) {
    domain::RepoRecord r;
    r.uid = util::random_alnum(24);
    r.type = i % 10 == 9 ? "dataset" : "model";
    r.ns = "org" + std::to_string(rng() % 300);
    r.name = pick_skewed(rng, kWords) + "-" + pick(rng, kWords) + "-" + pick(rng, kSizes) + "-" +
             std::to_string(i);
    r.is_private = rng() % 20 == 0;
    r.created_at = 1700000000000 + int64_t{i} * 60000;
    r.last_modified = r.created_at + static_cast<int64_t>(rng() % 100000000);
    r.head_sha = std::string(40, '0');
    json card = r.type == "model" ? model_card(rng, ids) : dataset_card(rng);
    r.card_json = card.dump();
    must((*db)->insert_repo(r), "insert_repo");
    must((*db)->set_repo_tags(r.uid, service::listing_tags(r.type, card, {})), "set_repo_tags");
    if (r.type == "model") ids.push_back(r.id());
    uids.push_back(r.uid);
  }
  double populate_ms = ms_since(t0);

  // Download and like counts (no API writes them yet), heavy-tailed.
  sqlite3* raw = nullptr;
  sqlite3_open((data + "/vitrine.db").c_str(), &raw);
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* update = nullptr;
  sqlite3_prepare_v2(raw, "UPDATE repos SET downloads = ?, likes = ? WHERE uid = ?", -1, &update,
                     nullptr);
  for (const auto& uid : uids) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    auto downloads = static_cast<int64_t>(1e7 * u * u * u * u);
    sqlite3_bind_int64(update, 1, downloads);
    sqlite3_bind_int64(update, 2, downloads / 1000);
    sqlite3_bind_text(update, 3, uid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(update);
    sqlite3_reset(update);
  }
  sqlite3_finalize(update);
  sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(raw);

  std::printf("repositories: %d (index rows and tags written in %.0f ms)\n", repos, populate_ms);
  struct Query {
    const char* name;
    domain::RepoListQuery q;
  };
  std::vector<Query> queries = {
      {"search + 2 filters (task, library)",
       models({"llama"},
              {{"pipeline_tag:text-generation"}, {"library_name:transformers", "transformers"}})},
      {"search + 2 filters (license, language)",
       models({"bert"}, {{"license:apache-2.0"}, {"language:en"}})},
      {"search + 2 rare filters", models({"qwen"}, {{"license:gpl-3.0"}, {"medical"}})},
      {"2 filters, no search", models({}, {{"pipeline_tag:fill-mask"}, {"pytorch"}})},
      {"typing: 1 letter", models({"l"}, {})},
      {"typing: 3 letters", models({"lla"}, {})},
      {"no filter, sort downloads", models({}, {})},
      {"no filter, sort id", models({}, {}, "id")},
      {"base_model filter", models({}, {{"base_model:" + ids[5]}})},
      {"deep page (offset 5,000)", models({}, {}, "downloads", 5000)},
  };
  std::printf("%-44s %10s %6s\n", "in process (MetadataDb::list_repos, limit 21)", "median ms",
              "rows");
  for (auto& [name, q] : queries) {
    std::vector<double> times;
    size_t rows = 0;
    for (int run = 0; run < 50; ++run) {
      auto t = Clock::now();
      rows = (*db)->list_repos(q).size();
      times.push_back(ms_since(t));
    }
    std::printf("%-44s %10.2f %6zu\n", name, median(times), rows);
  }
  for (size_t i : {size_t{0}, size_t{3}}) {
    std::printf("plan of \"%s\":\n", queries[i].name);
    for (const auto& line : (*db)->explain_list_repos(queries[i].q)) {
      std::printf("  %s\n", line.c_str());
    }
  }
  return 0;
}
