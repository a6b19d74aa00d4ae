// /croissant-crumbs (dataset-viewer-contract.md §2.11): the Croissant JSON-LD the Hub's viewer
// derives from a dataset's infos — the export as a git repository and one Parquet file set per
// config, a record set of splits and one of fields per config — with the viewer's names, ids,
// escaping and type table, so tools reading the Hub's crumbs read these.

#include <regex>
#include <set>

#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using namespace viewer;

namespace {

constexpr size_t kMaxConfigs = 100;   // CROISSANT_MAX_CONFIGS
constexpr size_t kMaxColumns = 1000;  // fields kept per record set without full=true

// Escapes a name or id (characters outside [a-zA-Z0-9-_.] become '_') and makes it unique
// among `names` by appending "_0" as often as needed.
std::string escape_name(const std::string& name, std::set<std::string>& names) {
  std::string out;
  for (char c : name) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += keep ? c : '_';
  }
  while (names.contains(out)) out += "_0";
  names.insert(out);
  return out;
}

// A JSONPath key: the name itself when it is [a-zA-Z0-9_]+, else ['…'] with quotes and
// brackets escaped.
std::string jsonpath_key(const std::string& name) {
  static const std::regex plain("^[a-zA-Z0-9_]+$");
  if (std::regex_match(name, plain)) return name;
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool escaped = i > 0 && name[i - 1] == '\\';
    if ((c == '\'' || c == '[' || c == ']') && !escaped) out += '\\';
    out += c;
  }
  return "['" + out + "']";
}

// Python's re.escape: every character outside [A-Za-z0-9_] and non-ASCII is backslashed.
std::string regex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || u >= 0x80)) out += '\\';
    out += c;
  }
  return out;
}

const char* croissant_type(const std::string& dtype) {
  static const std::map<std::string, const char*> types = {
      {"binary", "sc:Text"},       {"bool", "sc:Boolean"},       {"date32", "sc:Date"},
      {"date64", "sc:Date"},       {"float8", "sc:Float"},       {"float16", "cr:Float16"},
      {"float32", "cr:Float32"},   {"float64", "cr:Float64"},    {"int8", "cr:Int8"},
      {"int16", "cr:Int16"},       {"int32", "cr:Int32"},        {"int64", "cr:Int64"},
      {"large_string", "sc:Text"}, {"string", "sc:Text"},        {"time32", "sc:Date"},
      {"time64", "sc:Date"},       {"timestamp[ns]", "sc:Date"}, {"uint8", "cr:UInt8"},
      {"uint16", "cr:UInt16"},     {"uint32", "cr:UInt32"},      {"uint64", "cr:UInt64"}};
  auto it = types.find(dtype);
  return it == types.end() ? nullptr : it->second;
}

Json source_of(const std::string& file_set, const std::string& column, bool transform,
               const std::vector<std::string>& path) {
  Json source = {{"fileSet", {{"@id", file_set}}}, {"extract", {{"column", column}}}};
  if (transform && !path.empty()) {
    if (path.size() == 1) {
      source["transform"] = Json{{"jsonPath", path[0]}};
    } else {
      Json steps = Json::array();
      for (const auto& p : path) steps.push_back(Json{{"jsonPath", p}});
      source["transform"] = std::move(steps);
    }
  }
  return source;
}

// A feature as a Croissant field, or null when it has no Croissant form (the column is
// skipped). `ids`: the ids of this column's sub-fields so far.
Json field_of(const std::string& file_set, const std::string& id, const std::string& column,
              const Json& feature, std::set<std::string>& ids, bool transform,
              std::vector<std::string> path) {
  std::string type =
      feature.is_object() && feature.contains("_type") ? feature["_type"].get<std::string>() : "";
  auto field = [&](const char* data_type, Json source) {
    return Json{
        {"@type", "cr:Field"}, {"@id", id}, {"dataType", data_type}, {"source", std::move(source)}};
  };
  if (type == "Value") {
    const char* t = croissant_type(feature.value("dtype", ""));
    if (!t) return nullptr;
    return field(t, source_of(file_set, column, transform, path));
  }
  if (type == "Image") {
    Json source = source_of(file_set, column, transform, path);
    if (source.contains("transform")) {
      source["transform"] = Json::array({source["transform"], Json{{"jsonPath", "bytes"}}});
    } else {
      source["transform"] = Json{{"jsonPath", "bytes"}};
    }
    return field("sc:ImageObject", std::move(source));
  }
  if (type == "ClassLabel")
    return field("sc:Integer", source_of(file_set, column, transform, path));
  if (type.empty() && feature.is_object()) {
    Json sub = Json::array();
    for (const auto& [name, f] : feature.items()) {
      std::vector<std::string> sub_path = path;
      sub_path.push_back(jsonpath_key(name));
      sub.push_back(
          field_of(file_set, id + "/" + escape_name(name, ids), column, f, ids, true, sub_path));
    }
    return Json{{"@type", "cr:Field"}, {"@id", id}, {"subField", std::move(sub)}};
  }
  if (type == "List" || type == "LargeList" || type == "Sequence" || feature.is_array()) {
    // The lengths of nested lists (-1: any), then the innermost feature.
    std::vector<std::string> shape;
    const Json* inner = &feature;
    for (;;) {
      if (inner->is_array() && inner->size() == 1) {
        shape.push_back("-1");
        inner = &(*inner)[0];
      } else if (inner->is_object() &&
                 (inner->value("_type", "") == "List" || inner->value("_type", "") == "Sequence" ||
                  (inner->value("_type", "") == "LargeList" && shape.empty()))) {
        // A Sequence is read as a List (datasets >= 4); a LargeList has no length.
        int64_t length = inner->value("length", int64_t{-1});
        bool fixed = inner->value("_type", "") != "LargeList" && length != 0;
        shape.push_back(fixed ? std::to_string(length) : "-1");
        inner = &(*inner)["feature"];
      } else {
        break;
      }
    }
    Json f = field_of(file_set, id, column, *inner, ids, true, path);
    if (f.is_null()) return nullptr;
    f["isArray"] = true;
    std::string joined;
    for (size_t i = 0; i < shape.size(); ++i) joined += (i ? "," : "") + shape[i];
    f["arrayShape"] = joined;
    return f;
  }
  return nullptr;
}

Json croissant_context() {
  Json c = {{"@language", "en"}, {"@vocab", "https://schema.org/"}};
  for (const char* k : {"arrayShape", "citeAs", "column"}) c[k] = std::string("cr:") + k;
  c["conformsTo"] = "dct:conformsTo";
  c["cr"] = "http://mlcommons.org/croissant/";
  c["data"] = Json{{"@id", "cr:data"}, {"@type", "@json"}};
  c["dataBiases"] = "cr:dataBiases";
  c["dataCollection"] = "cr:dataCollection";
  c["dataType"] = Json{{"@id", "cr:dataType"}, {"@type", "@vocab"}};
  c["dct"] = "http://purl.org/dc/terms/";
  for (const char* k :
       {"extract",   "field",      "fileProperty", "fileObject",    "fileSet",
        "format",    "includes",   "isArray",      "isLiveDataset", "jsonPath",
        "key",       "md5",        "parentField",  "path",          "personalSensitiveInformation",
        "recordSet", "references", "regex",        "repeated",      "replace"}) {
    c[k] = std::string("cr:") + k;
  }
  c["sc"] = "https://schema.org/";
  for (const char* k : {"separator", "source", "subField", "transform"}) {
    c[k] = std::string("cr:") + k;
  }
  return c;
}

}  // namespace

ViewerAnswer DatasetViewer::croissant_crumbs(const domain::RepoRecord& repo, bool full) {
  auto answering = answering_layout(hub_, *this, repo);
  if (auto* answer = std::get_if<ViewerAnswer>(&answering)) return *answer;
  const auto& layout = std::get<domain::ViewerResult>(answering);
  auto figures = figures_of(hub_, repo, layout, "", "dataset-croissant-crumbs");
  // As the Hub's step, from the whole dataset's infos: nothing until every config has them.
  if (!figures.pending.empty()) return not_ready(layout.revision);
  std::string dataset = repo.id();
  bool partial = false;
  for (const auto& c : figures.configs) partial = partial || c.partial;
  bool truncated = figures.configs.size() > kMaxConfigs;
  if (truncated) figures.configs.resize(kMaxConfigs);
  // The viewer seeds its names with set("repo"): the letters r, e, p and o.
  std::set<std::string> names = {"r", "e", "p", "o"};
  Json distribution = Json::array({Json{
      {"@type", "cr:FileObject"},
      {"@id", "repo"},
      {"name", "repo"},
      {"description", "The Hugging Face git repository."},
      {"contentUrl", hub_.config().public_url + "/datasets/" + util::percent_encode_path(dataset) +
                         "/tree/refs%2Fconvert%2Fparquet"},
      {"encodingFormat", "git+https"},
      {"sha256", "https://github.com/mlcommons/croissant/issues/80"}}});
  Json record_sets = Json::array();
  for (const auto& c : figures.configs) {
    std::string file_set = escape_name("parquet-files-for-config-" + c.config, names);
    distribution.push_back(Json{{"@type", "cr:FileSet"},
                                {"@id", file_set},
                                {"containedIn", {{"@id", "repo"}}},
                                {"encodingFormat", "application/x-parquet"},
                                {"includes", c.config + "/*/*.parquet"}});
    std::string record_set =
        escape_name(dataset != c.config ? c.config : "record_set_" + c.config, names);
    std::string splits_set = record_set + "_splits";
    std::vector<std::string> splits;
    for (const auto& s : c.splits) splits.push_back(s.split);
    Json data = Json::array();
    for (const auto& s : splits) data.push_back(Json{{splits_set + "/split_name", s}});
    record_sets.push_back(Json{{"@type", "cr:RecordSet"},
                               {"dataType", "cr:Split"},
                               {"key", {{"@id", splits_set + "/split_name"}}},
                               {"@id", splits_set},
                               {"name", splits_set},
                               {"description", "Splits for the " + record_set + " config."},
                               {"field", Json::array({Json{{"@type", "cr:Field"},
                                                           {"@id", splits_set + "/split_name"},
                                                           {"dataType", "sc:Text"}}})},
                               {"data", std::move(data)}});
    std::string piped;
    for (size_t i = 0; i < splits.size(); ++i) piped += (i ? "|" : "") + regex_escape(splits[i]);
    Json fields = Json::array({Json{
        {"@type", "cr:Field"},
        {"@id", record_set + "/split"},
        {"dataType", "sc:Text"},
        {"source",
         {{"fileSet", {{"@id", file_set}}},
          {"extract", {{"fileProperty", "fullpath"}}},
          {"transform",
           {{"regex", regex_escape(c.config) + "/(?:partial-)?(" + piped + ")/.+parquet$"}}}}},
        {"references", {{"field", {{"@id", splits_set + "/split_name"}}}}}}});
    std::vector<std::string> skipped;
    for (const auto& f : c.features) {
      std::string column = f["name"].get<std::string>();
      std::set<std::string> ids;
      Json field = field_of(file_set, record_set + "/" + escape_name(column, ids), column,
                            f["type"], ids, false, {});
      if (field.is_null()) {
        skipped.push_back(column);
      } else {
        fields.push_back(std::move(field));
      }
    }
    std::string description = dataset + " - '" + c.config + "' subset";
    if (partial) description += " (first 5GB)";
    if (truncated) {
      description += " (only the first " + std::to_string(kMaxConfigs) +
                     " subsets are included in this metadata)";
    }
    std::string body;
    auto listed = [](const std::vector<std::string>& items) {
      std::string out;
      for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
      return out;
    };
    if (splits.size() > 1) {
      body += "\n- " + std::to_string(splits.size()) + " splits: " + listed(splits);
    }
    if (!skipped.empty()) {
      body += "\n- " + std::to_string(skipped.size()) + " skipped column" +
              (skipped.size() > 1 ? "s" : "") + ": " + listed(skipped);
    }
    if (!body.empty()) description += "\n\nAdditional information:" + body;
    // Without full=true, at most kMaxColumns fields, the rest said in the description.
    if (!full && fields.size() > kMaxColumns) {
      size_t left = fields.size() - kMaxColumns;
      fields.erase(fields.begin() + kMaxColumns, fields.end());
      description += "\n- " + std::to_string(left) + " skipped column" + (left > 1 ? "s" : "") +
                     " (max number of columns reached)";
    }
    record_sets.push_back(Json{{"@type", "cr:RecordSet"},
                               {"@id", record_set},
                               {"description", description},
                               {"field", std::move(fields)}});
  }
  ViewerAnswer a;
  a.revision = layout.revision;
  a.body = dump(Json{{"@context", croissant_context()},
                     {"@type", "sc:Dataset"},
                     {"conformsTo", "http://mlcommons.org/croissant/1.1"},
                     {"distribution", std::move(distribution)},
                     {"recordSet", std::move(record_sets)}});
  return a;
}

}  // namespace vitrine::service
