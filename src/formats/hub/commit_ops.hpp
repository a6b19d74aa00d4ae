// The NDJSON body of POST /api/{type}s/{repo}/commit/{rev} (contract §4.4): one header line,
// then one line per operation, each `{"key": <kind>, "value": {...}}`. These functions parse
// and validate single lines; applying the operations is the commit service's job. Pure
// functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "util/result.hpp"

namespace vitrine::service {

struct CommitHeader {
  std::string summary;
  std::string description;
  std::optional<std::string> parent_commit;  // 40 lowercase hex digits when present
};

// A regular file; content is already decoded (from base64 or utf-8 encoding).
struct FileOp {
  std::string path;
  std::string content;
};

// A file whose content is an LFS object already uploaded; size is absent for server-side
// copies (look it up from storage).
struct LfsFileOp {
  std::string path;
  std::string oid;  // 64 lowercase hex digits
  std::optional<uint64_t> size;
};

struct DeleteFileOp {
  std::string path;
};

// Recursive delete of a folder; trailing '/' already stripped from path.
struct DeleteFolderOp {
  std::string path;
};

using CommitOperation = std::variant<FileOp, LfsFileOp, DeleteFileOp, DeleteFolderOp>;

// Parses the first line, which must be {"key":"header","value":{...}}. `summary` must be a
// non-empty string, `description` a string when present (null counts as absent), and
// `parentCommit` 40 hex digits when present (returned lowercased). Failures are kBadRequest.
Result<CommitHeader> parse_commit_header(std::string_view line);

// Parses one operation line (`file`, `lfsFile`, `deletedFile` or `deletedFolder`).
//  - malformed JSON, a missing or mistyped field, an unknown key ("Unknown operation 'x'"), a
//    second `header` line, bad base64, an unknown `encoding`, an `algo` other than "sha256",
//    or an oid that is not 64 hex digits: kBadRequest;
//  - a path that fails validate_repo_path: kUnprocessable.
// `file` content is base64 unless `encoding` is "utf-8" (absent means base64).
Result<CommitOperation> parse_commit_operation(std::string_view line);

}  // namespace vitrine::service
