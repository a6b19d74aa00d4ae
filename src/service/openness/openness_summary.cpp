// OSAID elements and the EU training-content summary draft of the openness report (see
// openness_summary.hpp). Rules: docs/lineage.md, "Openness report".
#include "service/openness/openness_summary.hpp"

#include <algorithm>
#include <string_view>

#include "formats/card/card_values.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;

const json& component_by_id(const json& components, std::string_view id) {
  static const json kEmpty = json::object();
  for (const auto& component : components) {
    if (string_member(component, "id") == id) return component;
  }
  return kEmpty;
}

bool included(const json& components, std::string_view id) {
  return string_member(component_by_id(components, id), "status") == "included";
}

struct Requirement {
  std::string name;
  bool met;
};

// met / partial / not-met from the requirements, the names of the unmet ones going to `missing`.
json element(std::string_view id, std::string_view name, const std::vector<Requirement>& needs,
             json evidence, bool verified) {
  json missing = json::array();
  for (const auto& need : needs) {
    if (!need.met) missing.push_back(need.name);
  }
  std::string status = missing.empty()                  ? "met"
                       : missing.size() == needs.size() ? "not-met"
                                                        : "partial";
  json verification = nullptr;
  if (status != "not-met") verification = verified ? "verified" : "declared";
  return {{"id", id},
          {"name", name},
          {"status", status},
          {"verification", verification},
          {"evidence", std::move(evidence)},
          {"missing", missing}};
}

const DatasetFacts* dataset_on_hub(const ModelFacts& facts, const std::string& repo_id) {
  for (const auto& dataset : facts.datasets) {
    if (dataset.repo_id == repo_id && dataset.on_hub) return &dataset;
  }
  return nullptr;
}

std::vector<const LineageEdge*> trained_on(const ModelFacts& facts) {
  std::vector<const LineageEdge*> out;
  for (const auto& edge : facts.edges) {
    if (edge.relation == "trained-on") out.push_back(&edge);
  }
  return out;
}

const json& data_information(const ModelFacts& facts) {
  static const json kEmpty = json::object();
  if (!facts.manifest_present) return kEmpty;
  const json& info = member(facts.manifest, "data_information");
  return info.is_object() ? info : kEmpty;
}

json strings_json(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(valid_utf8(item));
  return out;
}

json text_or_null(const json& value) {
  return has_content(value) ? valid_utf8_json(value) : json(nullptr);
}

// The AI Office template's three broad size ranges for text, in tokens.
std::string text_size_range(uint64_t tokens) {
  if (tokens < 1'000'000'000ULL) return "less than 1 billion tokens";
  if (tokens <= 10'000'000'000'000ULL) return "1 billion to 10 trillion tokens";
  return "more than 10 trillion tokens";
}

}  // namespace

json osaid_elements(const ModelFacts& facts, const json& components) {
  const json& info = data_information(facts);
  auto edges = trained_on(facts);
  json dataset_evidence = json::array();
  bool all_obtainable = !edges.empty();
  bool all_verified = true;
  for (const auto* edge : edges) {
    dataset_evidence.push_back(valid_utf8("datasets/" + edge->parent_id));
    bool on_hub = dataset_on_hub(facts, edge->parent_id) != nullptr;
    if (!on_hub && edge->parent_id.find("://") == std::string::npos) all_obtainable = false;
    if (!on_hub || !edge->verified) all_verified = false;
  }
  if (has_content(member(info, "acquisition")))
    dataset_evidence.push_back("manifest:data_information");
  json data = element(
      "data-information", "Data information",
      {{"list of training datasets", !edges.empty()},
       {"where to obtain each training dataset (on this hub or a URL)", all_obtainable},
       {"provenance and acquisition (manifest data_information.acquisition or data cards)",
        has_content(member(info, "acquisition")) || included(components, "data-card")},
       {"selection, processing and filtering (data_information.processing or preprocessing code)",
        has_content(member(info, "processing")) ||
            included(components, "data-preprocessing-code")}},
      dataset_evidence, all_verified && !edges.empty());

  std::vector<Requirement> code_needs;
  json code_evidence = json::array();
  bool code_verified = true;
  for (std::string_view id : {"model-architecture", "training-code", "inference-code",
                              "evaluation-code", "data-preprocessing-code"}) {
    const json& component = component_by_id(components, id);
    bool ok = string_member(component, "status") == "included";
    code_needs.push_back({std::string(id), ok});
    if (ok) {
      for (const auto& item : string_list(member(component, "evidence")))
        code_evidence.push_back(item);
      if (string_member(component, "verification") != "verified") code_verified = false;
    }
  }
  json code = element("code", "Code", code_needs, code_evidence, code_verified);

  json parameter_evidence = json::array();
  bool parameters_verified = true;
  for (std::string_view id : {"model-parameters-final", "model-parameters-intermediate"}) {
    const json& component = component_by_id(components, id);
    if (string_member(component, "status") != "included") continue;
    for (const auto& item : string_list(member(component, "evidence")))
      parameter_evidence.push_back(item);
    if (string_member(component, "verification") != "verified") parameters_verified = false;
  }
  json parameters =
      element("parameters", "Parameters",
              {{"model-parameters-final", included(components, "model-parameters-final")}},
              parameter_evidence, parameters_verified);
  if (!included(components, "model-parameters-intermediate")) {
    parameters["recommended"] = json::array({"model-parameters-intermediate"});
  }

  bool meets = data["status"] == "met" && code["status"] == "met" && parameters["status"] == "met";
  return {
      {"version", "1.0"}, {"elements", json::array({data, code, parameters})}, {"meets", meets}};
}

json eu_training_data_summary(const ModelFacts& facts) {
  const json& info = data_information(facts);
  json missing = json::array();
  json sections = json::object();

  auto acquisition = string_list(member(info, "acquisition"));
  for (auto& item : acquisition) item = lower_ascii(item);
  const json& crawler = member(info, "crawler");
  auto used = [&](std::string_view kind) -> json {
    if (std::find(acquisition.begin(), acquisition.end(), kind) != acquisition.end()) return true;
    if (kind == "crawled" && crawler.is_object() && !crawler.empty()) return true;
    if (acquisition.empty()) return nullptr;
    return false;
  };

  // 1. General information.
  std::string provider = facts.repo_id.substr(0, facts.repo_id.find('/'));
  json dependencies = json::array();
  uint64_t tokens = 0;
  bool tokens_known = false;
  for (const auto& edge : facts.edges) {
    if (edge.parent_type == "model" && edge.relation != "evaluated-on") {
      dependencies.push_back(valid_utf8(edge.parent_id));
    }
    if (edge.relation == "trained-on" && edge.tokens > 0) {
      tokens += edge.tokens;
      tokens_known = true;
    }
  }
  auto modalities = string_list(member(info, "modalities"));
  auto languages = string_list(member(info, "languages"));
  if (languages.empty()) languages = string_list(member(facts.card, "language"));
  json size = nullptr;
  if (tokens_known) size = {{"tokens", tokens}, {"range", text_size_range(tokens)}};
  sections["1"] = {
      {"title", "General information"},         {"provider", valid_utf8(provider)},
      {"model", valid_utf8(facts.repo_id)},     {"version", valid_utf8(facts.revision)},
      {"dependencies", dependencies},           {"placedOnMarket", nullptr},
      {"modalities", strings_json(modalities)}, {"trainingDataSize", size},
      {"languages", strings_json(languages)}};
  if (modalities.empty()) missing.push_back("1 modalities");
  if (!tokens_known) missing.push_back("1 training data size");
  if (languages.empty()) missing.push_back("1 languages");
  missing.push_back("1 date placed on the market");

  // 2. Data sources.
  json datasets = json::array();
  for (const auto* edge : trained_on(facts)) {
    json item = {{"id", valid_utf8(edge->parent_id)},
                 {"revision", valid_utf8(edge->parent_revision)},
                 {"verification", edge->verified ? "verified" : "declared"}};
    if (edge->tokens > 0) item["tokens"] = edge->tokens;
    datasets.push_back(item);
  }
  sections["2.1"] = {{"title", "Publicly available datasets"}, {"datasets", datasets}};
  if (datasets.empty()) missing.push_back("2.1 publicly available datasets");

  sections["2.2"] = {{"title", "Private datasets from third parties"}, {"used", used("licensed")}};
  if (used("licensed").is_null()) missing.push_back("2.2 private third-party data (yes/no)");

  json crawled = used("crawled");
  sections["2.3"] = {{"title", "Data crawled and scraped from online sources"},
                     {"used", crawled},
                     {"crawler", text_or_null(member(crawler, "name"))},
                     {"respectsRobotsTxt", member(crawler, "respects_robots_txt").is_boolean()
                                               ? member(crawler, "respects_robots_txt")
                                               : json(nullptr)},
                     {"period", text_or_null(member(crawler, "period"))},
                     {"topDomains", strings_json(string_list(member(crawler, "top_domains")))}};
  if (crawled.is_null()) {
    missing.push_back("2.3 crawled data (yes/no)");
  } else if (crawled == true) {
    if (!has_content(member(crawler, "name"))) missing.push_back("2.3 crawler name");
    if (!member(crawler, "respects_robots_txt").is_boolean())
      missing.push_back("2.3 crawler behaviour (robots.txt)");
    if (!has_content(member(crawler, "period"))) missing.push_back("2.3 collection period");
    if (string_list(member(crawler, "top_domains")).empty())
      missing.push_back("2.3 top domain names");
  }

  sections["2.4"] = {{"title", "User data"}, {"used", used("user")}};
  if (used("user").is_null()) missing.push_back("2.4 user data (yes/no)");

  auto generators = string_list(member(info, "synthetic_generators"));
  sections["2.5"] = {{"title", "Synthetic data"},
                     {"used", used("synthetic")},
                     {"generators", strings_json(generators)}};
  if (used("synthetic").is_null()) {
    missing.push_back("2.5 synthetic data (yes/no)");
  } else if (used("synthetic") == true && generators.empty()) {
    missing.push_back("2.5 generating models");
  }

  sections["2.6"] = {{"title", "Other sources of data"}, {"used", used("human")}};
  if (used("human").is_null()) missing.push_back("2.6 other sources (yes/no)");

  // 3. Data processing.
  sections["3"] = {{"title", "Data processing aspects"},
                   {"tdmOptOut", text_or_null(member(info, "tdm_opt_out"))},
                   {"illegalContentRemoval", text_or_null(member(info, "illegal_content_removal"))},
                   {"other", text_or_null(member(info, "processing"))}};
  if (!has_content(member(info, "tdm_opt_out")))
    missing.push_back("3 text-and-data-mining opt-out measures");
  if (!has_content(member(info, "illegal_content_removal")))
    missing.push_back("3 illegal content removal measures");

  return {{"template", "AI Office template of 24 July 2025 (draft filled by Vitrine)"},
          {"sections", sections},
          {"missing", missing}};
}

}  // namespace vitrine::service
