// Parsing of commit NDJSON lines (see commit_ops.hpp).
#include "formats/hub/commit_ops.hpp"

#include <nlohmann/json.hpp>

#include "formats/hub/repo_path.hpp"
#include "util/encoding.hpp"
#include "util/json.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;

struct Line {
  std::string key;
  json value;
};

// Parses {"key": "...", "value": {...}}.
Result<Line> parse_line(std::string_view text) {
  auto parsed = util::parse_untrusted_json(text);
  if (!parsed && parsed.status().kind() != ErrorKind::kBadRequest) {
    return Status(parsed.status().kind(), "Invalid commit body: " + parsed.status().message());
  }
  if (!parsed) return bad_request("Invalid commit body: a line is not valid JSON");
  json doc = std::move(*parsed);
  if (!doc.is_object()) return bad_request("Invalid commit body: each line must be a JSON object");
  auto key = doc.find("key");
  if (key == doc.end() || !key->is_string()) {
    return bad_request("Invalid commit body: each line needs a string 'key'");
  }
  auto value = doc.find("value");
  if (value == doc.end() || !value->is_object()) {
    return bad_request("Invalid commit body: '" + key->get<std::string>() +
                       "' line needs an object 'value'");
  }
  return Line{key->get<std::string>(), std::move(*value)};
}

// Reads an optional string field; a null counts as absent. Fails when it has another type.
Result<std::optional<std::string>> optional_string(const json& value, const char* field,
                                                   std::string_view op) {
  auto it = value.find(field);
  if (it == value.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return bad_request("Invalid '" + std::string(op) + "' operation: '" + field +
                       "' must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> required_string(const json& value, const char* field, std::string_view op) {
  auto found = optional_string(value, field, op);
  if (!found) return found.status();
  if (!found->has_value()) {
    return bad_request("Invalid '" + std::string(op) + "' operation: missing '" + field + "'");
  }
  return std::move(**found);
}

Result<std::string> required_path(const json& value, std::string_view op) {
  auto path = required_string(value, "path", op);
  if (!path) return path;
  if (Status s = validate_repo_path(*path); !s) return s;
  return path;
}

std::string to_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Result<CommitOperation> parse_file(const json& value) {
  auto path = required_path(value, "file");
  if (!path) return path.status();
  auto content = required_string(value, "content", "file");
  if (!content) return content.status();
  auto encoding = optional_string(value, "encoding", "file");
  if (!encoding) return encoding.status();
  std::string mode = to_lower(encoding->value_or("base64"));
  if (mode == "utf-8" || mode == "utf8") {
    return CommitOperation(FileOp{std::move(*path), std::move(*content)});
  }
  if (mode != "base64") {
    return bad_request("Invalid 'file' operation for '" + *path + "': unknown encoding '" +
                       **encoding + "'");
  }
  auto decoded = util::base64_decode(*content);
  if (!decoded) {
    return bad_request("Invalid 'file' operation for '" + *path + "': content is not valid base64");
  }
  return CommitOperation(FileOp{std::move(*path), std::move(*decoded)});
}

Result<CommitOperation> parse_lfs_file(const json& value) {
  auto path = required_path(value, "lfsFile");
  if (!path) return path.status();
  auto algo = optional_string(value, "algo", "lfsFile");
  if (!algo) return algo.status();
  if (algo->has_value() && **algo != "sha256") {
    return bad_request("Invalid 'lfsFile' operation for '" + *path + "': unsupported algo '" +
                       **algo + "'");
  }
  auto oid = required_string(value, "oid", "lfsFile");
  if (!oid) return oid.status();
  std::string lower = to_lower(*oid);
  if (!util::is_lower_hex(lower, 64)) {
    return bad_request("Invalid 'lfsFile' operation for '" + *path +
                       "': oid must be 64 hex characters (sha256)");
  }
  std::optional<uint64_t> size;
  auto it = value.find("size");
  if (it != value.end() && !it->is_null()) {
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
      return bad_request("Invalid 'lfsFile' operation for '" + *path +
                         "': size must be a non-negative integer");
    }
    size = it->get<uint64_t>();
  }
  return CommitOperation(LfsFileOp{std::move(*path), std::move(lower), size});
}

}  // namespace

Result<CommitHeader> parse_commit_header(std::string_view line) {
  auto parsed = parse_line(line);
  if (!parsed) return parsed.status();
  if (parsed->key != "header") {
    return bad_request("Invalid commit body: the first line must be the header, got '" +
                       parsed->key + "'");
  }
  const json& value = parsed->value;
  CommitHeader header;
  auto summary = optional_string(value, "summary", "header");
  if (!summary) return summary.status();
  if (!summary->has_value() || (*summary)->empty()) {
    return bad_request("Invalid commit header: 'summary' must be a non-empty string");
  }
  header.summary = std::move(**summary);
  auto description = optional_string(value, "description", "header");
  if (!description) return description.status();
  header.description = description->value_or("");
  auto parent = optional_string(value, "parentCommit", "header");
  if (!parent) return parent.status();
  if (parent->has_value()) {
    std::string lower = to_lower(**parent);
    if (!util::is_lower_hex(lower, 40)) {
      return bad_request("Invalid commit header: 'parentCommit' must be a 40-character commit id");
    }
    header.parent_commit = std::move(lower);
  }
  return header;
}

Result<CommitOperation> parse_commit_operation(std::string_view line) {
  auto parsed = parse_line(line);
  if (!parsed) return parsed.status();
  const std::string& key = parsed->key;
  const json& value = parsed->value;
  if (key == "file") return parse_file(value);
  if (key == "lfsFile") return parse_lfs_file(value);
  if (key == "deletedFile") {
    auto path = required_path(value, "deletedFile");
    if (!path) return path.status();
    return CommitOperation(DeleteFileOp{std::move(*path)});
  }
  if (key == "deletedFolder") {
    auto raw = required_string(value, "path", "deletedFolder");
    if (!raw) return raw.status();
    std::string path = normalize_folder_path(*raw);
    if (Status s = validate_repo_path(path); !s) return s;
    return CommitOperation(DeleteFolderOp{std::move(path)});
  }
  if (key == "header") return bad_request("Invalid commit body: more than one header line");
  return bad_request("Unknown operation '" + key + "'");
}

}  // namespace vitrine::service
