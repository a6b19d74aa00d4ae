// Croissant 1.0 JSON-LD for a dataset revision, with the card's responsible-AI fields in the
// Croissant RAI vocabulary. Mapping: docs/lineage.md, "Croissant". Card values may be of any
// JSON type; every reader here skips what it does not understand.
#include <string>
#include <string_view>

#include "formats/card/card_values.hpp"
#include "service/openness/openness.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;

// The Croissant RAI properties (http://mlcommons.org/croissant/RAI/).
constexpr std::string_view kRaiProperties[] = {
    "dataCollection",
    "dataCollectionType",
    "dataCollectionTypeOthers",
    "dataCollectionMissingData",
    "dataCollectionRawData",
    "dataCollectionTimeframe",
    "dataImputationProtocol",
    "dataManipulationProtocol",
    "dataPreprocessingProtocol",
    "dataAnnotationProtocol",
    "dataAnnotationPlatform",
    "dataAnnotationAnalysis",
    "annotationsPerItem",
    "annotatorDemographics",
    "machineAnnotationTools",
    "dataReleaseMaintenancePlan",
    "personalSensitiveInformation",
    "dataSocialImpact",
    "dataBiases",
    "dataLimitations",
    "dataUseCases",
};

json croissant_context() {
  return {{"@language", "en"},
          {"@vocab", "https://schema.org/"},
          {"sc", "https://schema.org/"},
          {"cr", "http://mlcommons.org/croissant/"},
          {"rai", "http://mlcommons.org/croissant/RAI/"},
          {"dct", "http://purl.org/dc/terms/"},
          {"citeAs", "cr:citeAs"},
          {"column", "cr:column"},
          {"conformsTo", "dct:conformsTo"},
          {"data", {{"@id", "cr:data"}, {"@type", "@json"}}},
          {"dataType", {{"@id", "cr:dataType"}, {"@type", "@vocab"}}},
          {"examples", {{"@id", "cr:examples"}, {"@type", "@json"}}},
          {"extract", "cr:extract"},
          {"field", "cr:field"},
          {"fileProperty", "cr:fileProperty"},
          {"fileObject", "cr:fileObject"},
          {"fileSet", "cr:fileSet"},
          {"format", "cr:format"},
          {"includes", "cr:includes"},
          {"isLiveDataset", "cr:isLiveDataset"},
          {"jsonPath", "cr:jsonPath"},
          {"key", "cr:key"},
          {"md5", "cr:md5"},
          {"parentField", "cr:parentField"},
          {"path", "cr:path"},
          {"recordSet", "cr:recordSet"},
          {"references", "cr:references"},
          {"regex", "cr:regex"},
          {"repeated", "cr:repeated"},
          {"replace", "cr:replace"},
          {"samplingRate", "cr:samplingRate"},
          {"separator", "cr:separator"},
          {"source", "cr:source"},
          {"subField", "cr:subField"},
          {"transform", "cr:transform"}};
}

std::string extension_of(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.size() > 3 && base.substr(base.size() - 3) == ".gz") base.remove_suffix(3);
  auto dot = base.rfind('.');
  return dot == std::string_view::npos ? std::string() : lower_ascii(base.substr(dot + 1));
}

// The media type Croissant readers expect for a file extension ("" when unknown).
std::string encoding_format(std::string_view path) {
  static constexpr std::string_view kFormats[][2] = {
      {"parquet", "application/x-parquet"},
      {"csv", "text/csv"},
      {"tsv", "text/tab-separated-values"},
      {"jsonl", "application/jsonlines"},
      {"ndjson", "application/jsonlines"},
      {"json", "application/json"},
      {"txt", "text/plain"},
      {"md", "text/markdown"},
      {"arrow", "application/vnd.apache.arrow.file"},
      {"zip", "application/zip"},
      {"tar", "application/x-tar"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"wav", "audio/wav"},
      {"mp3", "audio/mpeg"},
      {"flac", "audio/flac"},
      {"mp4", "video/mp4"},
      {"xml", "application/xml"},
      {"yaml", "application/yaml"},
      {"yml", "application/yaml"},
      {"pdf", "application/pdf"},
  };
  std::string ext = extension_of(path);
  for (const auto& [known, format] : kFormats) {
    if (ext == known) return std::string(format);
  }
  return {};
}

// snake_case, kebab-case or camelCase key → camelCase ("data_biases" → "dataBiases").
std::string camel_case(std::string_view key) {
  std::string out;
  bool upper = false;
  for (char c : key) {
    if (c == '_' || c == '-' || c == ' ') {
      upper = !out.empty();
      continue;
    }
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
    upper = false;
  }
  return out;
}

// The RAI property a card key stands for, or "".
std::string rai_property(std::string_view key) {
  std::string_view name = key;
  if (name.substr(0, 4) == "rai:") name.remove_prefix(4);
  std::string camel = camel_case(name);
  for (std::string_view property : kRaiProperties) {
    if (lower_ascii(camel) == lower_ascii(property)) return "rai:" + std::string(property);
  }
  return {};
}

// Hugging Face `features` dtype → Croissant dataType ("" when it has no scalar mapping).
std::string data_type(std::string_view dtype) {
  if (dtype == "string" || dtype == "large_string") return "sc:Text";
  if (dtype == "bool") return "sc:Boolean";
  if (dtype.substr(0, 3) == "int" || dtype.substr(0, 4) == "uint") return "sc:Integer";
  if (dtype.substr(0, 5) == "float" || dtype == "double") return "sc:Float";
  if (dtype.substr(0, 9) == "timestamp") return "sc:DateTime";
  if (dtype.substr(0, 4) == "date") return "sc:Date";
  return {};
}

// The first paragraph of the card body that is prose (not a heading, HTML comment or table).
std::string first_paragraph(std::string_view body) {
  std::string paragraph;
  size_t at = 0;
  while (at <= body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = trim_ascii(body.substr(at, end - at));
    at = end + 1;
    if (line.empty()) {
      if (!paragraph.empty()) break;
      continue;
    }
    if (paragraph.empty() && (line[0] == '#' || line[0] == '<' || line[0] == '|' ||
                              line.substr(0, 3) == "---" || line.substr(0, 3) == "```")) {
      continue;
    }
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += line;
    if (paragraph.size() > 2000) break;
  }
  if (paragraph.size() > 2000) {
    size_t cut = 2000;
    // Cut on a UTF-8 character boundary.
    while (cut > 0 && (static_cast<unsigned char>(paragraph[cut]) & 0xC0) == 0x80) --cut;
    paragraph.resize(cut);
    paragraph += "…";
  }
  return paragraph;
}

// The card's `configs`: FileSets for their data_files globs, keyed by config name.
json file_sets(const json& configs, json* config_names) {
  json out = json::array();
  if (!configs.is_array()) return out;
  for (const auto& config : configs) {
    std::string name = string_member(config, "config_name");
    if (name.empty()) name = "default";
    const json& data_files = member(config, "data_files");
    std::vector<std::string> globs = string_list(data_files);
    if (data_files.is_array()) {
      for (const auto& entry : data_files) {
        for (const auto& path : string_list(member(entry, "path"))) globs.push_back(path);
      }
    }
    json includes = json::array();
    std::string format;
    for (const auto& glob : globs) {
      // Only simple globs relative to the repository root.
      if (glob.empty() || glob[0] == '/' || glob.find("..") != std::string::npos ||
          glob.find("://") != std::string::npos) {
        continue;
      }
      includes.push_back(valid_utf8(glob));
      if (format.empty()) format = encoding_format(glob);
    }
    if (includes.empty()) continue;
    json set = {{"@type", "cr:FileSet"},
                {"@id", valid_utf8("fileset-" + name)},
                {"name", valid_utf8(name)},
                {"containedIn", {{"@id", "repo"}}},
                {"includes", includes}};
    if (!format.empty()) set["encodingFormat"] = format;
    out.push_back(set);
    config_names->push_back(valid_utf8(name));
  }
  return out;
}

// RecordSets from `dataset_info` (an object or a list of per-config objects).
json record_sets(const json& dataset_info, const json& config_names) {
  json out = json::array();
  json infos = dataset_info.is_array() ? dataset_info : json::array({dataset_info});
  for (const auto& info : infos) {
    const json& features = member(info, "features");
    if (!features.is_array()) continue;
    std::string config = string_member(info, "config_name");
    if (config.empty()) config = "default";
    config = valid_utf8(config);
    bool has_file_set = false;
    for (const auto& name : config_names) has_file_set = has_file_set || name == config;
    json fields = json::array();
    for (const auto& feature : features) {
      std::string name = valid_utf8(string_member(feature, "name"));
      if (name.empty()) continue;
      bool repeated = false;
      std::string type;
      if (member(feature, "dtype").is_string()) {
        type = data_type(string_member(feature, "dtype"));
      } else if (member(feature, "sequence").is_string()) {
        type = data_type(string_member(feature, "sequence"));
        repeated = true;
      } else if (member(member(feature, "sequence"), "dtype").is_string()) {
        type = data_type(string_member(member(feature, "sequence"), "dtype"));
        repeated = true;
      } else if (member(feature, "class_label").is_object()) {
        type = "sc:Integer";
      }
      if (type.empty()) continue;
      json field = {
          {"@type", "cr:Field"}, {"@id", config + "/" + name}, {"name", name}, {"dataType", type}};
      if (repeated) field["repeated"] = true;
      if (has_file_set) {
        field["source"] = {{"fileSet", {{"@id", "fileset-" + config}}},
                           {"extract", {{"column", name}}}};
      }
      fields.push_back(field);
    }
    if (fields.empty()) continue;
    out.push_back(
        {{"@type", "cr:RecordSet"}, {"@id", config}, {"name", config}, {"field", fields}});
  }
  return out;
}

}  // namespace

nlohmann::json croissant_json_ld(const DatasetFacts& facts, const std::string& base_url) {
  const json& card = facts.card.is_object() ? facts.card : json::object();
  const std::string dataset_url =
      base_url + "/datasets/" + util::percent_encode_path(facts.repo_id);
  json out = {{"@context", croissant_context()},
              {"@type", "sc:Dataset"},
              {"conformsTo", "http://mlcommons.org/croissant/1.0"}};

  std::string pretty_name = std::string(trim_ascii(string_member(card, "pretty_name")));
  out["name"] = valid_utf8(pretty_name.empty() ? facts.repo_id : pretty_name);
  if (!pretty_name.empty()) out["alternateName"] = json::array({valid_utf8(facts.repo_id)});
  std::string description = first_paragraph(facts.card_body);
  if (description.empty())
    description = pretty_name.empty() ? "Dataset " + facts.repo_id : pretty_name;
  out["description"] = valid_utf8(description);
  out["url"] = valid_utf8(dataset_url);
  out["version"] = valid_utf8(facts.revision);
  if (auto licences = string_list(member(card, "license")); !licences.empty()) {
    out["license"] =
        licences.size() == 1 ? json(valid_utf8(licences[0])) : valid_utf8_json(licences);
  }
  json keywords = json::array();
  for (std::string_view key : {"tags", "task_categories", "task_ids"}) {
    for (const auto& word : string_list(member(card, key))) keywords.push_back(valid_utf8(word));
  }
  if (!keywords.empty()) out["keywords"] = keywords;
  if (auto languages = string_list(member(card, "language")); !languages.empty()) {
    out["inLanguage"] = valid_utf8_json(languages);
  }
  if (facts.last_modified_ms > 0) out["dateModified"] = util::iso8601_utc(facts.last_modified_ms);
  if (auto citation = string_member(card, "citation"); !citation.empty()) {
    out["citeAs"] = valid_utf8(citation);
  }

  json distribution = json::array();
  distribution.push_back(
      {{"@type", "cr:FileObject"},
       {"@id", "repo"},
       {"name", "repo"},
       {"description", "The repository at this revision."},
       {"contentUrl",
        valid_utf8(dataset_url + "/tree/" + util::percent_encode_component(facts.revision))},
       {"encodingFormat", "git+https"}});
  for (const auto& file : facts.files) {
    std::string_view base = file.path;
    if (auto slash = base.rfind('/'); slash != std::string_view::npos)
      base.remove_prefix(slash + 1);
    if (base.empty() || base[0] == '.') continue;  // .gitattributes and other dotfiles
    json object = {{"@type", "cr:FileObject"},
                   {"@id", valid_utf8(file.path)},
                   {"name", valid_utf8(file.path)},
                   {"contentUrl", valid_utf8(dataset_url + "/resolve/" +
                                             util::percent_encode_component(facts.revision) + "/" +
                                             util::percent_encode_path(file.path))},
                   {"contentSize", std::to_string(file.size) + " B"}};
    if (auto format = encoding_format(file.path); !format.empty())
      object["encodingFormat"] = format;
    if (!file.sha256.empty()) object["sha256"] = valid_utf8(file.sha256);
    distribution.push_back(object);
  }
  json config_names = json::array();
  for (auto& set : file_sets(member(card, "configs"), &config_names)) distribution.push_back(set);
  out["distribution"] = distribution;

  json records = record_sets(member(card, "dataset_info"), config_names);
  if (!records.empty()) out["recordSet"] = records;

  json based_on = json::array();
  for (const auto& edge : facts.edges) {
    if (edge.parent_id.empty()) continue;
    if (edge.parent_id.find("://") != std::string::npos) {
      based_on.push_back(valid_utf8(edge.parent_id));
    } else {
      based_on.push_back(
          valid_utf8(base_url + "/datasets/" + util::percent_encode_path(edge.parent_id)));
    }
  }
  if (!based_on.empty()) out["isBasedOn"] = based_on;

  // Responsible-AI fields, verbatim; an explicit `rai:` key wins over its snake_case twin.
  for (const auto& [key, value] : card.items()) {
    std::string property = rai_property(key);
    if (property.empty() || value.is_null()) continue;
    if (out.contains(property) && key.substr(0, 4) != "rai:") continue;
    out[property] = valid_utf8_json(value);
  }
  if (!out.contains("rai:dataAnnotationProtocol")) {
    auto creators = string_list(member(card, "annotations_creators"));
    if (!creators.empty()) {
      std::string text = "Annotations created by:";
      for (size_t i = 0; i < creators.size(); ++i) text += (i ? ", " : " ") + creators[i];
      out["rai:dataAnnotationProtocol"] = valid_utf8(text);
    }
  }
  return out;
}

}  // namespace vitrine::service
