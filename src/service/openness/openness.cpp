// The openness report of a model revision: MOF components and class, OSAID elements, the EU
// training-content summary draft and the lineage summary, from ModelFacts alone. Detection
// rules are documented in docs/lineage.md, "Openness report"; keep the two in step.
#include "service/openness/openness.hpp"

#include <algorithm>
#include <string_view>

#include "formats/card/card_values.hpp"
#include "service/openness/openness_licence.hpp"
#include "service/openness/openness_summary.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;

struct ComponentSpec {
  std::string_view id;
  std::string_view name;
  ContentType type;
  std::string_view mof_class;  // the lowest class that needs it
  bool required;
};

// MOF 1.0's 17 components, in the framework's order.
constexpr ComponentSpec kComponents[] = {
    {"model-architecture", "Model architecture", ContentType::kCode, "III", true},
    {"model-parameters-final", "Model parameters (Final)", ContentType::kData, "III", true},
    {"model-card", "Model card", ContentType::kDocument, "III", true},
    {"data-card", "Data card", ContentType::kDocument, "III", true},
    {"technical-report", "Technical report", ContentType::kDocument, "III", true},
    {"evaluation-results", "Evaluation results", ContentType::kDocument, "III", true},
    {"sample-outputs", "Sample model outputs", ContentType::kDocument, "III", false},
    {"training-code", "Training code", ContentType::kCode, "II", true},
    {"inference-code", "Inference code", ContentType::kCode, "II", true},
    {"evaluation-code", "Evaluation code", ContentType::kCode, "II", true},
    {"evaluation-data", "Evaluation data", ContentType::kData, "II", true},
    {"supporting-libraries", "Supporting libraries and tools", ContentType::kCode, "II", false},
    {"datasets", "Datasets", ContentType::kData, "I", true},
    {"data-preprocessing-code", "Data preprocessing code", ContentType::kCode, "I", true},
    {"model-parameters-intermediate", "Model parameters (Intermediate)", ContentType::kData, "I",
     true},
    {"research-paper", "Research paper", ContentType::kDocument, "I", true},
    {"model-metadata", "Model metadata", ContentType::kData, "I", false},
};

constexpr std::string_view kClassNames[][2] = {
    {"III", "Open Model"}, {"II", "Open Tooling"}, {"I", "Open Science"}};

// Open-source inference libraries a card's `library_name` may name, with their licences.
constexpr std::string_view kInferenceLibraries[][2] = {
    {"transformers", "apache-2.0"},
    {"diffusers", "apache-2.0"},
    {"sentence-transformers", "apache-2.0"},
    {"peft", "apache-2.0"},
    {"timm", "apache-2.0"},
    {"vllm", "apache-2.0"},
    {"keras", "apache-2.0"},
    {"transformers.js", "apache-2.0"},
    {"llama.cpp", "mit"},
    {"gguf", "mit"},
    {"mlx", "mit"},
    {"open_clip", "mit"},
    {"pytorch", "bsd-3-clause"},
    {"onnx", "apache-2.0"},
    {"sklearn", "bsd-3-clause"},
    {"spacy", "mit"},
};

// One evaluated component before it becomes JSON.
struct Component {
  const ComponentSpec* spec = nullptr;
  std::string status = "missing";
  std::vector<std::string> evidence;
  std::vector<std::string> licences;
  bool verified = false;
  std::string note;
};

std::string basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string extension_of(std::string_view path) {
  std::string base = basename_of(path);
  auto dot = base.rfind('.');
  return dot == std::string::npos ? std::string()
                                  : lower_ascii(std::string_view(base).substr(dot + 1));
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return starts_with(s, p); });
}

bool is_code_file(std::string_view path) {
  std::string ext = extension_of(path);
  return ext == "py" || ext == "sh" || ext == "ipynb";
}

// The first directory of a path, lower case ("" for a file at the root).
std::string top_directory(std::string_view path) {
  auto slash = path.find('/');
  return slash == std::string_view::npos ? std::string() : lower_ascii(path.substr(0, slash));
}

template <typename Predicate>
std::vector<std::string> files_where(const ModelFacts& facts, Predicate predicate) {
  std::vector<std::string> out;
  for (const auto& file : facts.files) {
    if (predicate(file.path, lower_ascii(basename_of(file.path)))) out.push_back(file.path);
  }
  return out;
}

void append(std::vector<std::string>* to, const std::vector<std::string>& from) {
  for (const auto& item : from) {
    if (std::find(to->begin(), to->end(), item) == to->end()) to->push_back(item);
  }
}

const DatasetFacts* find_dataset(const ModelFacts& facts, const std::string& repo_id) {
  for (const auto* list : {&facts.datasets, &facts.evaluation_datasets}) {
    for (const auto& dataset : *list) {
      if (dataset.repo_id == repo_id && dataset.on_hub) return &dataset;
    }
  }
  return nullptr;
}

std::string edge_evidence(const LineageEdge& edge) {
  std::string id = (edge.parent_type == "model" ? "models/" : "datasets/") + edge.parent_id;
  return edge.parent_revision.empty() ? id : id + "@" + edge.parent_revision;
}

std::vector<const LineageEdge*> edges_of(const ModelFacts& facts, std::string_view relation) {
  std::vector<const LineageEdge*> out;
  for (const auto& edge : facts.edges) {
    if (edge.relation == relation) out.push_back(&edge);
  }
  return out;
}

// Status priority when several artefacts make one component: the worst wins.
int severity(std::string_view status) {
  if (status == "invalid-license") return 4;
  if (status == "not-type-appropriate") return 3;
  if (status == "unlicensed") return 2;
  if (status == "missing") return 1;
  return 0;
}

void worsen(Component* component, const std::string& status) {
  if (severity(status) > severity(component->status)) component->status = status;
}

void add_note(Component* component, std::string_view note) {
  if (!component->note.empty()) component->note += "; ";
  component->note += note;
}

// Marks a component found in this revision's files under the repository licence.
void include_files(Component* component, const std::vector<std::string>& files,
                   const std::vector<std::string>& repository_licences, bool parameters) {
  component->evidence = files;
  component->verified = true;
  component->licences = repository_licences;
  component->status = licence_status(repository_licences, component->spec->type,
                                     LicenceScope::kRepository, parameters);
}

// Reads a code reference of the manifest: a repository URL string or {repo, commit, license}.
struct CodeReference {
  std::string repo;
  std::string commit;
  std::string licence;
};

CodeReference code_reference(const json& value, const CodeReference& defaults) {
  CodeReference out;
  if (value.is_string()) {
    out.repo = value.get<std::string>();
  } else if (value.is_object()) {
    out.repo = string_member(value, "repo");
    out.commit = string_member(value, "commit");
    out.licence = string_member(value, "license");
  }
  if (out.licence.empty() && out.repo == defaults.repo) out.licence = defaults.licence;
  if (out.commit.empty() && out.repo == defaults.repo) out.commit = defaults.commit;
  return out;
}

// Adds an external code repository named by the manifest as declared evidence.
void include_code_reference(Component* component, const CodeReference& code,
                            std::string_view evidence_key) {
  if (trim_ascii(code.repo).empty()) return;
  component->evidence.push_back(std::string(evidence_key));
  component->evidence.push_back(code.commit.empty() ? code.repo : code.repo + "@" + code.commit);
  if (component->status == "missing") component->status = "included";
  if (code.licence.empty()) {
    worsen(component, "unlicensed");
    add_note(component, "the manifest names no code.license for " + code.repo);
  } else {
    component->licences.push_back(code.licence);
    worsen(component,
           licence_status({code.licence}, ContentType::kCode, LicenceScope::kComponent, false));
  }
  if (code.commit.empty()) add_note(component, code.repo + " is not pinned to a commit");
}

// The Datasets / Evaluation data / Data card evaluation over lineage edges.
void include_dataset_edges(Component* component, const ModelFacts& facts,
                           const std::vector<const LineageEdge*>& edges, bool card_only) {
  if (edges.empty()) return;
  bool all_verified = true;
  bool any_missing = false;
  component->status = "included";
  for (const auto* edge : edges) {
    const DatasetFacts* dataset = find_dataset(facts, edge->parent_id);
    component->evidence.push_back(edge_evidence(*edge));
    if (dataset == nullptr) {
      all_verified = false;
      add_note(component,
               edge->parent_id + " is not on this hub: declared only, licence not checked");
      continue;
    }
    if (card_only && !has_content(dataset->card) && trim_ascii(dataset->card_body).empty()) {
      any_missing = true;
      add_note(component, edge->parent_id + " has no dataset card");
      continue;
    }
    if (!card_only && !edge->verified) all_verified = false;
    auto licences = string_list(member(dataset->card, "license"));
    append(&component->licences, licences);
    std::string status =
        licence_status(licences, component->spec->type,
                       card_only ? LicenceScope::kRepository : LicenceScope::kComponent, false);
    if (status != "included") add_note(component, edge->parent_id + ": " + status);
    worsen(component, status);
  }
  if (any_missing) worsen(component, "missing");
  component->verified = all_verified;
}

// arXiv ids named by the card: `arxiv:<id>` tags and arxiv.org/abs|pdf links in the body or
// in any string value of the front matter.
std::vector<std::string> arxiv_ids(const ModelFacts& facts) {
  std::vector<std::string> out;
  for (const auto& tag : string_list(member(facts.card, "tags"))) {
    std::string lower = lower_ascii(tag);
    if (starts_with(lower, "arxiv:") && lower.size() > 6) append(&out, {"arxiv:" + tag.substr(6)});
  }
  auto scan = [&out](std::string_view text) {
    for (std::string_view marker : {"arxiv.org/abs/", "arxiv.org/pdf/"}) {
      for (size_t at = text.find(marker); at != std::string_view::npos;
           at = text.find(marker, at + 1)) {
        size_t begin = at + marker.size();
        size_t end = begin;
        while (end < text.size() &&
               ((text[end] >= '0' && text[end] <= '9') || text[end] == '.' || text[end] == 'v')) {
          ++end;
        }
        while (end > begin && text[end - 1] == '.') --end;
        if (end - begin >= 9)
          append(&out, {"arxiv:" + std::string(text.substr(begin, end - begin))});
      }
    }
  };
  scan(facts.card_body);
  for (const auto& [key, value] : facts.card.items()) {
    for (const auto& text : string_list(value)) scan(text);
  }
  return out;
}

bool is_weight_file(std::string_view path, const std::string& base) {
  std::string ext = extension_of(path);
  if (starts_with_any(base, {"optimizer", "scheduler", "rng_state", "training_args"})) return false;
  return ext == "safetensors" || ext == "gguf" || ext == "bin" || ext == "pt" || ext == "pth" ||
         ext == "ckpt" || ext == "onnx" || ext == "h5" || ext == "msgpack";
}

std::vector<Component> evaluate_components(const ModelFacts& facts) {
  std::vector<Component> components;
  for (const auto& spec : kComponents) {
    Component component;
    component.spec = &spec;
    components.push_back(component);
  }
  auto at = [&components](std::string_view id) -> Component& {
    for (auto& component : components) {
      if (component.spec->id == id) return component;
    }
    return components.front();  // unreachable: every id below is in kComponents
  };
  const auto repository_licences = string_list(member(facts.card, "license"));
  const json& manifest = facts.manifest_present ? facts.manifest : json::object();
  const json& code = member(manifest, "code");
  const CodeReference training_code = code_reference(code, {});

  auto found = files_where(facts, [](std::string_view path, const std::string& base) {
    return base == "config.json" || base == "params.json" ||
           (starts_with(base, "modeling_") && extension_of(path) == "py") ||
           extension_of(path) == "gguf";
  });
  if (!found.empty()) include_files(&at("model-architecture"), found, repository_licences, false);

  found = files_where(facts, is_weight_file);
  if (!found.empty())
    include_files(&at("model-parameters-final"), found, repository_licences, true);

  Component& card = at("model-card");
  if (!trim_ascii(facts.card_body).empty()) {
    include_files(&card, {"README.md"}, repository_licences, false);
  } else {
    card.note = "README.md is absent or has no text after its front matter";
  }

  include_dataset_edges(&at("data-card"), facts, edges_of(facts, "trained-on"), true);
  if (at("data-card").evidence.empty()) at("data-card").note = "no training dataset is named";

  Component& paper = at("research-paper");
  found = files_where(facts, [](std::string_view path, const std::string& base) {
    return extension_of(path) == "pdf" &&
           (starts_with(base, "paper") || top_directory(path) == "papers");
  });
  if (!found.empty()) include_files(&paper, found, repository_licences, false);
  if (auto ids = arxiv_ids(facts); !ids.empty()) {
    if (paper.status == "missing") {
      paper.status = "included";
      add_note(&paper, "external document: its licence is not checked");
    }
    append(&paper.evidence, ids);
  }

  Component& report = at("technical-report");
  found = files_where(facts, [](std::string_view path, const std::string& base) {
    return starts_with_any(
               base, {"technical_report", "technical-report", "tech_report", "tech-report"}) ||
           base == "report.pdf" || (top_directory(path) == "docs" && extension_of(path) == "pdf");
  });
  if (!found.empty()) {
    include_files(&report, found, repository_licences, false);
  } else if (paper.status != "missing") {
    report.status = paper.status;
    report.evidence = paper.evidence;
    report.licences = paper.licences;
    report.verified = paper.verified;
    report.note = "replaced by the research paper, as MOF allows";
  }

  Component& results = at("evaluation-results");
  found = files_where(facts, [](std::string_view path, const std::string&) {
    std::string ext = extension_of(path);
    return starts_with(path, ".eval_results/") && (ext == "yaml" || ext == "yml");
  });
  if (has_content(member(facts.card, "model-index")) &&
      member(facts.card, "model-index").is_array())
    found.push_back("README.md#model-index");
  if (has_content(member(manifest, "evaluation")) && member(manifest, "evaluation").is_array())
    found.push_back("manifest:evaluation");
  if (!found.empty()) include_files(&results, found, repository_licences, false);

  found = files_where(facts, [](std::string_view path, const std::string& base) {
    std::string top = top_directory(path);
    return starts_with_any(base, {"samples", "sample_outputs", "sample-outputs", "examples"}) ||
           starts_with_any(top, {"samples", "sample_outputs", "sample-outputs", "examples"});
  });
  if (!found.empty()) include_files(&at("sample-outputs"), found, repository_licences, false);

  Component& training = at("training-code");
  found = files_where(facts, [](std::string_view path, const std::string& base) {
    return is_code_file(path) && (starts_with(base, "train") || top_directory(path) == "training");
  });
  if (!found.empty()) include_files(&training, found, repository_licences, false);
  include_code_reference(&training, training_code, "manifest:code.repo");

  Component& inference = at("inference-code");
  found = files_where(facts, [](std::string_view path, const std::string& base) {
    return is_code_file(path) &&
           (starts_with_any(base, {"inference", "infer", "generate", "predict", "serve"}) ||
            base == "handler.py");
  });
  if (!found.empty()) include_files(&inference, found, repository_licences, false);
  include_code_reference(&inference, code_reference(member(code, "inference"), training_code),
                         "manifest:code.inference");
  if (inference.status == "missing") {
    std::string library = lower_ascii(string_member(facts.card, "library_name"));
    if (library.empty() && !files_where(facts, [](std::string_view path, const std::string&) {
                              return extension_of(path) == "gguf";
                            }).empty()) {
      library = "llama.cpp";
    }
    for (const auto& [name, licence] : kInferenceLibraries) {
      if (library != name) continue;
      inference.status = "included";
      inference.evidence = {"library:" + library};
      inference.licences = {std::string(licence)};
      inference.note = "the open-source library named by the card runs the model";
    }
  }

  Component& evaluation = at("evaluation-code");
  found = files_where(facts, [](std::string_view path, const std::string& base) {
    std::string top = top_directory(path);
    return is_code_file(path) &&
           (starts_with(base, "eval") || top == "evaluation" || top == "eval");
  });
  if (!found.empty()) include_files(&evaluation, found, repository_licences, false);
  include_code_reference(&evaluation, code_reference(member(code, "evaluation"), training_code),
                         "manifest:code.evaluation");

  include_dataset_edges(&at("evaluation-data"), facts, edges_of(facts, "evaluated-on"), false);

  found = files_where(facts, [](std::string_view path, const std::string& base) {
    std::string ext = extension_of(path);
    return base == "tokenizer.json" || base == "tokenizer.model" ||
           base == "tokenizer_config.json" || base == "vocab.json" || base == "vocab.txt" ||
           base == "merges.txt" || base == "spiece.model" || ext == "tiktoken";
  });
  if (!found.empty()) include_files(&at("supporting-libraries"), found, repository_licences, false);

  include_dataset_edges(&at("datasets"), facts, edges_of(facts, "trained-on"), false);

  Component& preprocessing = at("data-preprocessing-code");
  found = files_where(facts, [](std::string_view path, const std::string& base) {
    std::string top = top_directory(path);
    return is_code_file(path) &&
           (starts_with_any(base,
                            {"preprocess", "prepare_data", "data_prep", "tokenize", "dedup"}) ||
            top == "preprocessing" || top == "data_processing" || top == "data_prep");
  });
  if (!found.empty()) include_files(&preprocessing, found, repository_licences, false);
  include_code_reference(&preprocessing,
                         code_reference(member(code, "preprocessing"), training_code),
                         "manifest:code.preprocessing");

  Component& checkpoints = at("model-parameters-intermediate");
  if (!facts.checkpoints_present.empty()) {
    std::vector<std::string> refs;
    for (const auto& name : facts.checkpoints_present) refs.push_back("revision:" + name);
    include_files(&checkpoints, refs, repository_licences, true);
  }
  if (!facts.checkpoints_missing.empty()) {
    add_note(&checkpoints, std::to_string(facts.checkpoints_missing.size()) +
                               " checkpoint(s) listed by the manifest are not revisions of the "
                               "repository");
  }

  Component& metadata = at("model-metadata");
  std::string config_path = string_member(code, "config");
  found = files_where(facts, [&config_path](std::string_view path, const std::string& base) {
    std::string ext = extension_of(path);
    return (!config_path.empty() && path == config_path) || base == "trainer_state.json" ||
           base == "training_args.bin" || starts_with(base, "optimizer") ||
           (top_directory(path) == "training" && base != "manifest.json" &&
            (ext == "yaml" || ext == "yml" || ext == "toml" || ext == "json"));
  });
  if (has_content(member(manifest, "hyperparameters"))) found.push_back("manifest:hyperparameters");
  if (!found.empty()) include_files(&metadata, found, repository_licences, true);

  for (auto& component : components) {
    if (component.status == "missing") component.verified = false;
  }
  return components;
}

json component_json(const Component& component) {
  json licence = nullptr;
  if (!component.licences.empty()) {
    std::string joined;
    for (const auto& id : component.licences) joined += (joined.empty() ? "" : ", ") + id;
    licence = valid_utf8(joined);
  }
  json evidence = json::array();
  for (const auto& item : component.evidence) evidence.push_back(valid_utf8(item));
  json verification = nullptr;
  if (component.status != "missing") verification = component.verified ? "verified" : "declared";
  json out = {{"id", component.spec->id},
              {"name", component.spec->name},
              {"type", component.spec->type == ContentType::kCode   ? "code"
                       : component.spec->type == ContentType::kData ? "data"
                                                                    : "document"},
              {"class", component.spec->mof_class},
              {"required", component.spec->required},
              {"status", component.status},
              {"evidence", evidence},
              {"license", licence},
              {"verification", verification}};
  if (!component.note.empty()) out["note"] = valid_utf8(component.note);
  return out;
}

// MOF classes are cumulative: the best class whose required components, and those of every
// class below it, are included. `verified_only` counts only components the hub checked.
json mof_class(const std::vector<Component>& components, bool verified_only,
               std::vector<std::string>* missing_for_next) {
  json reached = nullptr;
  for (const auto& [name, long_name] : kClassNames) {
    std::vector<std::string> missing;
    for (const auto& component : components) {
      bool needed = false;
      for (const auto& [lower, unused] : kClassNames) {
        if (component.spec->mof_class == lower) needed = true;
        if (lower == name) break;
      }
      bool counted = component.status == "included" && (!verified_only || component.verified);
      if (needed && component.spec->required && !counted)
        missing.push_back(std::string(component.spec->id));
    }
    if (!missing.empty()) {
      if (missing_for_next != nullptr) *missing_for_next = missing;
      return reached;
    }
    reached = name;
  }
  return reached;
}

std::string class_name(const json& mof_class) {
  for (const auto& [name, long_name] : kClassNames) {
    if (mof_class.is_string() && mof_class.get<std::string>() == name)
      return std::string(long_name);
  }
  return {};
}

}  // namespace

nlohmann::json openness_report(const ModelFacts& facts) {
  auto components = evaluate_components(facts);
  json component_list = json::array();
  for (const auto& component : components) component_list.push_back(component_json(component));
  std::vector<std::string> missing_for_next;
  json reached = mof_class(components, false, &missing_for_next);
  json verified = mof_class(components, true, nullptr);
  json mof = {{"version", "1.0"},
              {"class", reached},
              {"className", reached.is_null() ? json(nullptr) : json(class_name(reached))},
              {"verifiedClass", verified},
              {"components", component_list},
              {"missingForNextClass", missing_for_next}};

  json lineage = json::array();
  json warnings = json::array();
  for (const auto& edge : facts.edges) {
    json problems = json::array();
    for (const auto& problem : edge.problems) problems.push_back(valid_utf8(problem));
    json item = {
        {"relation", valid_utf8(edge.relation)},
        {"type", valid_utf8(edge.parent_type)},
        {"id", valid_utf8(edge.parent_id)},
        {"revision",
         edge.parent_revision.empty() ? json(nullptr) : json(valid_utf8(edge.parent_revision))},
        {"verification", edge.verified ? "verified" : "declared"},
        {"source", valid_utf8(edge.source)},
        {"problems", problems}};
    if (!edge.split.empty()) item["split"] = valid_utf8(edge.split);
    if (edge.tokens > 0) item["tokens"] = edge.tokens;
    if (!edge.stage.empty()) item["stage"] = valid_utf8(edge.stage);
    lineage.push_back(item);
    for (const auto& problem : edge.problems) {
      warnings.push_back(valid_utf8(edge.parent_id + ": " + problem));
    }
  }
  if (!facts.card_error.empty()) warnings.push_back(valid_utf8("card: " + facts.card_error));
  for (const auto& problem : facts.manifest_problems) {
    warnings.push_back(valid_utf8("training/manifest.json: " + problem));
  }
  for (const auto& name : facts.checkpoints_missing) {
    warnings.push_back(
        valid_utf8("checkpoint " + name + " is listed by the manifest but is not a branch or tag"));
  }
  if (!facts.manifest_present) {
    warnings.push_back(
        "no training/manifest.json: training data, code and checkpoints come from "
        "the card and the files only");
  }

  return {{"repo", valid_utf8(facts.repo_id)},
          {"revision", valid_utf8(facts.revision)},
          {"ref", valid_utf8(facts.ref)},
          {"generatedFrom", valid_utf8("repository contents at " + facts.revision)},
          {"mof", mof},
          {"osaid", osaid_elements(facts, component_list)},
          {"euTrainingDataSummary", eu_training_data_summary(facts)},
          {"lineage", lineage},
          {"warnings", warnings}};
}

}  // namespace vitrine::service
