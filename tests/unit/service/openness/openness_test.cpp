// Unit tests for service/openness: MOF components and class, OSAID elements, the EU summary
// draft, the Markdown rendering and Croissant JSON-LD.
#include "service/openness/openness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace vitrine::service {
namespace {

using nlohmann::json;

constexpr char kSha[] = "0123456789abcdef0123456789abcdef01234567";

RevisionFile file(const std::string& path, uint64_t size = 100, const std::string& sha256 = "") {
  RevisionFile out;
  out.path = path;
  out.size = size;
  out.sha256 = sha256;
  return out;
}

LineageEdge dataset_edge(const std::string& relation, const std::string& id, bool verified,
                         uint64_t tokens = 0) {
  LineageEdge edge;
  edge.relation = relation;
  edge.parent_type = "dataset";
  edge.parent_id = id;
  edge.parent_revision = verified ? kSha : "";
  edge.verified = verified;
  edge.source = "manifest";
  edge.tokens = tokens;
  if (!verified) edge.problems.push_back("not on this hub");
  return edge;
}

DatasetFacts hub_dataset(const std::string& id, const json& licence) {
  DatasetFacts out;
  out.repo_id = id;
  out.revision = kSha;
  out.on_hub = true;
  out.card = {{"license", licence}, {"pretty_name", id}};
  out.card_body = "# " + id + "\n\nA dataset.\n";
  return out;
}

// Weights, config and a card under apache-2.0: the start of most model repositories.
ModelFacts weights_only(const json& licence = "apache-2.0") {
  ModelFacts facts;
  facts.repo_id = "acme/model-7b";
  facts.revision = kSha;
  facts.ref = "main";
  if (!licence.is_null()) facts.card["license"] = licence;
  facts.card_body = "# Model\n\nA model.\n";
  facts.files = {file(".gitattributes"), file("README.md"), file("config.json"),
                 file("model.safetensors", 14'000'000'000, std::string(64, 'a'))};
  return facts;
}

// Weights-only plus what class III needs.
ModelFacts class_three() {
  ModelFacts facts = weights_only();
  facts.files.push_back(file("technical_report.pdf"));
  facts.files.push_back(file(".eval_results/mmlu.yaml"));
  facts.edges.push_back(dataset_edge("trained-on", "acme/web-mix", true, 4'000'000'000));
  facts.datasets.push_back(hub_dataset("acme/web-mix", "odc-by"));
  return facts;
}

ModelFacts class_two() {
  ModelFacts facts = class_three();
  facts.files.push_back(file("train.py"));
  facts.files.push_back(file("inference.py"));
  facts.files.push_back(file("evaluate.py"));
  facts.edges.push_back(dataset_edge("evaluated-on", "acme/eval-suite", true));
  facts.evaluation_datasets.push_back(hub_dataset("acme/eval-suite", "cc-by-4.0"));
  return facts;
}

// An OLMo-like release: everything open, manifest with code, data and checkpoints.
ModelFacts olmo_like() {
  ModelFacts facts = class_three();
  facts.repo_id = "allen/olmo-like-7b";
  facts.card["library_name"] = "transformers";
  facts.card["tags"] = {"arxiv:2402.00838"};
  facts.card["language"] = {"en"};
  facts.card["model-index"] = json::array({{{"name", "olmo"}}});
  facts.files.push_back(file("tokenizer.json"));
  facts.files.push_back(file("eval/run_eval.py"));
  facts.files.push_back(file("training/config.yaml"));
  facts.files.push_back(file("training/manifest.json"));
  facts.files.push_back(file("training/metrics.jsonl"));
  facts.manifest_present = true;
  facts.manifest = json::parse(R"({
    "schema": "vitrine.training-manifest/1",
    "code": {"repo": "https://github.com/allenai/OLMo", "commit": "59a53e3f", "license": "apache-2.0",
             "config": "training/config.yaml",
             "preprocessing": {"repo": "https://github.com/allenai/dolma", "commit": "669f534",
                               "license": "apache-2.0"}},
    "hyperparameters": {"lr": 0.0003},
    "logs": ["training/metrics.jsonl"],
    "evaluation": [{"dataset": "acme/eval-suite", "metrics": {"accuracy": 0.6}}],
    "data_information": {
      "acquisition": ["public", "crawled"],
      "crawler": {"name": "acmebot", "respects_robots_txt": true, "period": "2024-01/2024-06",
                  "top_domains": ["example.org"]},
      "tdm_opt_out": "robots.txt honoured", "illegal_content_removal": "hash lists",
      "processing": "dedup, language id", "languages": ["en"], "modalities": ["text"]}
  })");
  facts.edges.push_back(dataset_edge("evaluated-on", "acme/eval-suite", true));
  facts.evaluation_datasets.push_back(hub_dataset("acme/eval-suite", "cc-by-4.0"));
  facts.checkpoints_present = {"stage1-step1000-tokens4B", "stage1-step2000-tokens8B"};
  return facts;
}

const json& component(const json& report, const std::string& id) {
  for (const auto& item : report["mof"]["components"]) {
    if (item["id"] == id) return item;
  }
  static const json kNone;
  ADD_FAILURE() << "no component " << id;
  return kNone;
}

const json& osaid(const json& report, const std::string& id) {
  for (const auto& item : report["osaid"]["elements"]) {
    if (item["id"] == id) return item;
  }
  static const json kNone;
  ADD_FAILURE() << "no OSAID element " << id;
  return kNone;
}

bool contains(const json& list, const std::string& value) {
  return std::find(list.begin(), list.end(), json(value)) != list.end();
}

TEST(Openness, FullyOpenModelIsClassOne) {
  json report = openness_report(olmo_like());
  EXPECT_EQ(report["repo"], "allen/olmo-like-7b");
  EXPECT_EQ(report["revision"], kSha);
  EXPECT_EQ(report["generatedFrom"], std::string("repository contents at ") + kSha);
  EXPECT_EQ(report["mof"]["components"].size(), 17u);
  EXPECT_EQ(report["mof"]["class"], "I");
  EXPECT_EQ(report["mof"]["className"], "Open Science");
  EXPECT_EQ(report["mof"]["missingForNextClass"], json::array());
  // Training and preprocessing code live in external repositories: declared, so what the hub
  // checked by itself reaches class III.
  EXPECT_EQ(report["mof"]["verifiedClass"], "III");
  EXPECT_EQ(component(report, "training-code")["verification"], "declared");
  EXPECT_EQ(component(report, "training-code")["license"], "apache-2.0");
  EXPECT_TRUE(contains(component(report, "training-code")["evidence"], "manifest:code.repo"));
  EXPECT_EQ(component(report, "datasets")["status"], "included");
  EXPECT_EQ(component(report, "datasets")["verification"], "verified");
  EXPECT_EQ(component(report, "datasets")["license"], "odc-by");
  EXPECT_EQ(component(report, "model-parameters-intermediate")["verification"], "verified");
  EXPECT_TRUE(contains(component(report, "research-paper")["evidence"], "arxiv:2402.00838"));
  EXPECT_EQ(component(report, "research-paper")["verification"], "declared");
  EXPECT_EQ(component(report, "inference-code")["evidence"], json::array({"library:transformers"}));
  EXPECT_EQ(component(report, "model-metadata")["status"], "included");
  EXPECT_EQ(component(report, "model-architecture")["evidence"], json::array({"config.json"}));
  EXPECT_EQ(component(report, "model-architecture")["verification"], "verified");

  EXPECT_EQ(osaid(report, "data-information")["status"], "met");
  EXPECT_EQ(osaid(report, "code")["status"], "met");
  EXPECT_EQ(osaid(report, "parameters")["status"], "met");
  EXPECT_EQ(report["osaid"]["meets"], true);

  const json& eu = report["euTrainingDataSummary"];
  EXPECT_EQ(eu["sections"]["2.3"]["crawler"], "acmebot");
  EXPECT_EQ(eu["sections"]["1"]["trainingDataSize"]["tokens"], 4'000'000'000u);
  EXPECT_EQ(eu["sections"]["1"]["trainingDataSize"]["range"], "1 billion to 10 trillion tokens");
  EXPECT_EQ(eu["missing"], json::array({"1 date placed on the market"}));
  EXPECT_NO_THROW(report.dump());
}

TEST(Openness, WeightsCardAndConfigOnlyReachNoClass) {
  json report = openness_report(weights_only());
  EXPECT_TRUE(report["mof"]["class"].is_null());
  EXPECT_TRUE(report["mof"]["className"].is_null());
  EXPECT_EQ(component(report, "model-parameters-final")["status"], "included");
  EXPECT_EQ(component(report, "model-parameters-final")["evidence"],
            json::array({"model.safetensors"}));
  EXPECT_EQ(component(report, "model-card")["status"], "included");
  EXPECT_EQ(component(report, "data-card")["status"], "missing");
  EXPECT_TRUE(component(report, "data-card")["verification"].is_null());
  EXPECT_EQ(report["mof"]["missingForNextClass"],
            json::array({"data-card", "technical-report", "evaluation-results"}));
  EXPECT_EQ(osaid(report, "data-information")["status"], "not-met");
  EXPECT_EQ(osaid(report, "code")["status"], "partial");
  EXPECT_EQ(osaid(report, "parameters")["status"], "met");
  EXPECT_EQ(report["osaid"]["meets"], false);
  const json& missing = report["euTrainingDataSummary"]["missing"];
  for (const char* item :
       {"1 modalities", "1 training data size", "2.1 publicly available datasets",
        "2.3 crawled data (yes/no)", "3 text-and-data-mining opt-out measures",
        "3 illegal content removal measures"}) {
    EXPECT_TRUE(contains(missing, item)) << item;
  }
}

TEST(Openness, ExactlyClassThree) {
  json report = openness_report(class_three());
  EXPECT_EQ(report["mof"]["class"], "III");
  EXPECT_EQ(report["mof"]["className"], "Open Model");
  EXPECT_EQ(report["mof"]["verifiedClass"], "III");
  EXPECT_EQ(component(report, "data-card")["status"], "included");
  EXPECT_EQ(component(report, "data-card")["verification"], "verified");
  EXPECT_EQ(report["mof"]["missingForNextClass"],
            json::array({"training-code", "inference-code", "evaluation-code", "evaluation-data"}));
}

TEST(Openness, ExactlyClassTwo) {
  json report = openness_report(class_two());
  EXPECT_EQ(report["mof"]["class"], "II");
  EXPECT_EQ(report["mof"]["className"], "Open Tooling");
  EXPECT_EQ(
      report["mof"]["missingForNextClass"],
      json::array({"data-preprocessing-code", "model-parameters-intermediate", "research-paper"}));
  EXPECT_EQ(component(report, "evaluation-data")["license"], "cc-by-4.0");
  EXPECT_EQ(component(report, "training-code")["evidence"], json::array({"train.py"}));
}

TEST(Openness, TechnicalReportMayBeTheResearchPaper) {
  ModelFacts facts = weights_only();
  facts.card_body += "\nSee https://arxiv.org/abs/2403.13784v2.\n";
  json report = openness_report(facts);
  EXPECT_EQ(component(report, "technical-report")["status"], "included");
  EXPECT_EQ(component(report, "technical-report")["evidence"], json::array({"arxiv:2403.13784v2"}));
  EXPECT_EQ(component(report, "technical-report")["verification"], "declared");
}

TEST(Openness, LlamaLicenceIsInvalid) {
  ModelFacts facts = class_three();
  facts.card["license"] = "llama3";
  json report = openness_report(facts);
  EXPECT_EQ(component(report, "model-architecture")["status"], "invalid-license");
  EXPECT_EQ(component(report, "model-parameters-final")["status"], "invalid-license");
  EXPECT_EQ(component(report, "model-parameters-final")["license"], "llama3");
  EXPECT_TRUE(report["mof"]["class"].is_null());
  EXPECT_TRUE(contains(report["mof"]["missingForNextClass"], "model-parameters-final"));
  EXPECT_EQ(osaid(report, "parameters")["status"], "not-met");

  for (const char* licence : {"openrail", "cc-by-nc-4.0", "other"}) {
    facts.card["license"] = licence;
    EXPECT_EQ(component(openness_report(facts), "model-card")["status"], "invalid-license")
        << licence;
  }
}

TEST(Openness, NoLicenceIsUnlicensed) {
  json report = openness_report(weights_only(nullptr));
  EXPECT_EQ(component(report, "model-architecture")["status"], "unlicensed");
  EXPECT_EQ(component(report, "model-parameters-final")["status"], "unlicensed");
  EXPECT_TRUE(component(report, "model-parameters-final")["license"].is_null());
  EXPECT_TRUE(report["mof"]["class"].is_null());
}

TEST(Openness, TypeAppropriateLicences) {
  ModelFacts facts = class_three();
  facts.card["license"] = "cdla-permissive-2.0";  // a data licence: fine for weights, not code
  facts.datasets[0].card["license"] = "mit";      // a code licence on a dataset
  facts.manifest_present = true;
  facts.manifest = {{"code", {{"repo", "https://example.org/trainer"}, {"license", "cc-by-4.0"}}}};
  json report = openness_report(facts);
  EXPECT_EQ(component(report, "model-architecture")["status"], "not-type-appropriate");
  EXPECT_EQ(component(report, "model-parameters-final")["status"], "included");
  EXPECT_EQ(component(report, "datasets")["status"], "not-type-appropriate");
  EXPECT_EQ(component(report, "data-card")["status"], "included");
  EXPECT_EQ(component(report, "training-code")["status"], "not-type-appropriate");

  facts.card["license"] = "OpenMDW-1.0";  // written for all three types
  EXPECT_EQ(component(openness_report(facts), "model-architecture")["status"], "included");
}

TEST(Openness, DeclaredExternalDatasetIsNotVerified) {
  ModelFacts facts = weights_only();
  facts.edges.push_back(dataset_edge("trained-on", "https://example.org/corpus", false));
  json report = openness_report(facts);
  const json& datasets = component(report, "datasets");
  EXPECT_EQ(datasets["status"], "included");
  EXPECT_EQ(datasets["verification"], "declared");
  EXPECT_TRUE(datasets["license"].is_null());
  EXPECT_EQ(component(report, "data-card")["verification"], "declared");
  EXPECT_EQ(report["lineage"][0]["verification"], "declared");
  EXPECT_TRUE(contains(report["warnings"], "https://example.org/corpus: not on this hub"));
  EXPECT_EQ(osaid(report, "data-information")["verification"], "declared");
}

TEST(Openness, CheckpointsListedButAbsentAreWarned) {
  ModelFacts facts = weights_only();
  facts.manifest_present = true;
  facts.checkpoints_missing = {"step1000"};
  json report = openness_report(facts);
  EXPECT_EQ(component(report, "model-parameters-intermediate")["status"], "missing");
  EXPECT_TRUE(contains(report["warnings"],
                       "checkpoint step1000 is listed by the manifest but is not a branch or tag"));
}

TEST(Openness, OddCardAndManifestTypesDoNotThrow) {
  ModelFacts facts = weights_only();
  facts.card = json::parse(R"({"license": [3, null, ["x"]], "tags": 7, "library_name": {"a": 1},
                               "model-index": "x", "language": [[1]]})");
  facts.manifest_present = true;
  facts.manifest = json::parse(R"({"code": [1, 2], "data_information": {"acquisition": 5,
                                   "crawler": "acmebot"}, "hyperparameters": null})");
  facts.card_body = "bad utf-8 \xff\xfe and arxiv.org/abs/";
  facts.files.push_back(file("weird\xc3name.bin"));
  json report;
  ASSERT_NO_THROW(report = openness_report(facts));
  EXPECT_NO_THROW(report.dump());
  EXPECT_NO_THROW(openness_markdown(report));
  EXPECT_NO_THROW(openness_markdown(json::parse(R"({"mof": 3, "osaid": [], "repo": null})")));
}

TEST(OpennessMarkdown, ShowsClassAndEscapesUserContent) {
  ModelFacts facts = olmo_like();
  facts.repo_id = "acme/<script>alert(1)</script>";
  facts.card_error = "bad | value\nnext line & <b>";
  facts.edges.push_back(dataset_edge("trained-on", "evil<img src=x>|[a](javascript:x)", false));
  std::string md = openness_markdown(openness_report(facts));
  EXPECT_NE(md.find("**MOF class:** Class I (Open Science)"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_EQ(md.find("<img"), std::string::npos);
  EXPECT_EQ(md.find("<b>"), std::string::npos);
  EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(md.find("[a](javascript"), std::string::npos);
  EXPECT_NE(md.find("| Datasets | I |"), std::string::npos);
  EXPECT_NE(md.find("evil&lt;img src=x&gt;\\|\\[a\\]"), std::string::npos) << md;
  EXPECT_NE(md.find("### Missing"), std::string::npos);
  EXPECT_NE(md.find("- 1 date placed on the market"), std::string::npos);
  EXPECT_NE(md.find("Meets the definition: no"), std::string::npos);
}

DatasetFacts croissant_dataset() {
  DatasetFacts facts;
  facts.repo_id = "acme/web-mix";
  facts.revision = kSha;
  facts.on_hub = true;
  facts.last_modified_ms = 1'700'000'000'000;
  facts.card = json::parse(R"({
    "license": "odc-by", "pretty_name": "Web Mix", "language": ["en", "fr"],
    "tags": ["web"], "task_categories": ["text-generation"],
    "annotations_creators": ["no-annotation"],
    "rai:dataBiases": "Web text over-represents English.",
    "data_biases": "ignored: the rai: key wins",
    "personal_sensitive_information": "E-mail addresses were removed.",
    "data_collection": {"method": "crawl", "period": "2024"},
    "dataLimitations": ["English-heavy", "no code"],
    "configs": [{"config_name": "default",
                 "data_files": [{"split": "train", "path": "data/train-*.parquet"}]},
                {"config_name": "evil", "data_files": "../../etc/passwd"}],
    "dataset_info": {"features": [{"name": "text", "dtype": "string"},
                                  {"name": "score", "dtype": "float32"},
                                  {"name": "id", "dtype": "int64"},
                                  {"name": "ok", "dtype": "bool"},
                                  {"name": "label", "class_label": {"names": ["a", "b"]}},
                                  {"name": "tokens", "sequence": "string"},
                                  {"name": "image", "dtype": "image"}],
                     "splits": [{"name": "train", "num_examples": 10}]}
  })");
  facts.card_body = "# Web Mix\n\nA mix of web pages & more.\nSecond line.\n\n## Details\n";
  facts.files = {file(".gitattributes"), file("README.md", 1200),
                 file("data/train-00000.parquet", 123456, std::string(64, 'b')),
                 file("extra/my file #1.csv", 10), file("notes.jsonl", 5)};
  LineageEdge source;
  source.relation = "derived-from";
  source.parent_type = "dataset";
  source.parent_id = "acme/raw-crawl";
  facts.edges.push_back(source);
  return facts;
}

TEST(Croissant, DatasetFields) {
  json ld = croissant_json_ld(croissant_dataset(), "https://hub.example");
  EXPECT_EQ(ld["@type"], "sc:Dataset");
  EXPECT_EQ(ld["conformsTo"], "http://mlcommons.org/croissant/1.0");
  EXPECT_EQ(ld["@context"]["rai"], "http://mlcommons.org/croissant/RAI/");
  EXPECT_EQ(ld["@context"]["cr"], "http://mlcommons.org/croissant/");
  EXPECT_EQ(ld["name"], "Web Mix");
  EXPECT_EQ(ld["description"], "A mix of web pages & more. Second line.");
  EXPECT_EQ(ld["url"], "https://hub.example/datasets/acme/web-mix");
  EXPECT_EQ(ld["license"], "odc-by");
  EXPECT_EQ(ld["version"], kSha);
  EXPECT_EQ(ld["keywords"], json::array({"web", "text-generation"}));
  EXPECT_EQ(ld["inLanguage"], json::array({"en", "fr"}));
  EXPECT_EQ(ld["dateModified"].get<std::string>().substr(0, 10), "2023-11-14");
  EXPECT_EQ(ld["isBasedOn"], json::array({"https://hub.example/datasets/acme/raw-crawl"}));
}

TEST(Croissant, FileObjectsArePercentEncodedResolveUrls) {
  json ld = croissant_json_ld(croissant_dataset(), "https://hub.example");
  const json& distribution = ld["distribution"];
  auto find = [&](const std::string& id) -> json {
    for (const auto& item : distribution) {
      if (item["@id"] == id) return item;
    }
    return nullptr;
  };
  EXPECT_TRUE(find(".gitattributes").is_null());
  json parquet = find("data/train-00000.parquet");
  EXPECT_EQ(parquet["@type"], "cr:FileObject");
  EXPECT_EQ(parquet["contentUrl"],
            std::string("https://hub.example/datasets/acme/web-mix/resolve/") + kSha +
                "/data/train-00000.parquet");
  EXPECT_EQ(parquet["contentSize"], "123456 B");
  EXPECT_EQ(parquet["encodingFormat"], "application/x-parquet");
  EXPECT_EQ(parquet["sha256"], std::string(64, 'b'));
  json csv = find("extra/my file #1.csv");
  EXPECT_EQ(csv["contentUrl"], std::string("https://hub.example/datasets/acme/web-mix/resolve/") +
                                   kSha + "/extra/my%20file%20%231.csv");
  EXPECT_EQ(csv["encodingFormat"], "text/csv");
  EXPECT_FALSE(csv.contains("sha256"));
  EXPECT_EQ(find("notes.jsonl")["encodingFormat"], "application/jsonlines");

  json set = find("fileset-default");
  EXPECT_EQ(set["@type"], "cr:FileSet");
  EXPECT_EQ(set["includes"], json::array({"data/train-*.parquet"}));
  EXPECT_EQ(set["encodingFormat"], "application/x-parquet");
  EXPECT_TRUE(find("fileset-evil").is_null());
}

TEST(Croissant, KeepsResponsibleAiFields) {
  json ld = croissant_json_ld(croissant_dataset(), "https://hub.example");
  EXPECT_EQ(ld["rai:dataBiases"], "Web text over-represents English.");
  EXPECT_EQ(ld["rai:personalSensitiveInformation"], "E-mail addresses were removed.");
  EXPECT_EQ(ld["rai:dataCollection"], json::parse(R"({"method": "crawl", "period": "2024"})"));
  EXPECT_EQ(ld["rai:dataLimitations"], json::array({"English-heavy", "no code"}));
  EXPECT_EQ(ld["rai:dataAnnotationProtocol"], "Annotations created by: no-annotation");
}

TEST(Croissant, RecordSetFromDatasetInfo) {
  json ld = croissant_json_ld(croissant_dataset(), "https://hub.example");
  ASSERT_EQ(ld["recordSet"].size(), 1u);
  const json& record_set = ld["recordSet"][0];
  EXPECT_EQ(record_set["@type"], "cr:RecordSet");
  EXPECT_EQ(record_set["name"], "default");
  const json& fields = record_set["field"];
  ASSERT_EQ(fields.size(), 6u);  // the image feature has no scalar type
  EXPECT_EQ(fields[0]["name"], "text");
  EXPECT_EQ(fields[0]["dataType"], "sc:Text");
  EXPECT_EQ(fields[0]["source"]["fileSet"]["@id"], "fileset-default");
  EXPECT_EQ(fields[0]["source"]["extract"]["column"], "text");
  EXPECT_EQ(fields[1]["dataType"], "sc:Float");
  EXPECT_EQ(fields[2]["dataType"], "sc:Integer");
  EXPECT_EQ(fields[3]["dataType"], "sc:Boolean");
  EXPECT_EQ(fields[4]["dataType"], "sc:Integer");
  EXPECT_EQ(fields[5]["dataType"], "sc:Text");
  EXPECT_EQ(fields[5]["repeated"], true);
}

TEST(Croissant, OddCardTypesDoNotThrow) {
  DatasetFacts facts;
  facts.repo_id = "acme/odd";
  facts.revision = kSha;
  facts.card = json::parse(R"({
    "license": 5, "pretty_name": {"a": 1}, "tags": [[1, 2], null, "ok"], "language": null,
    "task_categories": 3.5, "configs": "x", "annotations_creators": 7,
    "dataset_info": [null, 3, {"features": "bad"}, {"features": [null, 4, {"name": 5},
                     {"name": "x", "dtype": ["nested"]}, {"name": "y", "sequence": {"dtype": 1}}]}],
    "data_biases": null, "rai:dataUseCases": [[1], {"k": null}], "citation": ["x"]
  })");
  facts.card_body = "\xff\xfe invalid utf-8";
  facts.files = {
      file("a\xff"
           "b.txt")};
  json ld;
  ASSERT_NO_THROW(ld = croissant_json_ld(facts, "https://hub.example"));
  EXPECT_NO_THROW(ld.dump());
  EXPECT_EQ(ld["name"], "acme/odd");
  EXPECT_EQ(ld["keywords"], json::array({"ok"}));
  EXPECT_FALSE(ld.contains("license"));
  EXPECT_FALSE(ld.contains("recordSet"));
  EXPECT_FALSE(ld.contains("rai:dataBiases"));
  EXPECT_EQ(ld["rai:dataUseCases"], json::parse(R"([[1], {"k": null}])"));

  facts.card = json::array({1, 2});  // not even an object
  EXPECT_NO_THROW(croissant_json_ld(facts, "https://hub.example").dump());
}

}  // namespace
}  // namespace vitrine::service
