// A repository as the hub indexes it, and what a listing asks for. The git repository is the
// source of truth for content; these rows (head, card data, last modified) are rebuilt from it
// on every ref change (storage/metadata/metadata_db.hpp keeps them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/gating_mode.hpp"
#include "domain/repo_kind.hpp"

namespace vitrine::domain {

struct RepoRecord {
  std::string uid;  // opaque, stable across renames; names the git directory
  RepoKind type = RepoKind::kModel;
  std::string ns;
  std::string name;
  bool is_private = false;
  GatingMode gated = GatingMode::kNone;
  int64_t created_at = 0;
  int64_t last_modified = 0;
  std::string head_sha;   // default branch head, for listings
  std::string card_json;  // README front matter as JSON object text
  // Downloads (service/repos/download_counter.hpp): the last 30 days (UTC days, today included) and
  // all time, as of the last flush of the counter.
  int64_t downloads = 0;
  int64_t downloads_all_time = 0;
  std::string id() const { return ns + "/" + name; }
};

struct RepoListQuery {
  RepoKind type = RepoKind::kModel;
  std::vector<std::string> search;  // substrings of "ns/name", all must match
  std::string author;
  // Listing tags (set_repo_tags), compared case-insensitively: every group must match, and a
  // group matches a repository that has any one of its tags.
  std::vector<std::vector<std::string>> tags;
  std::optional<bool> gated;  // gated (auto or manual) or not; nullopt: either
  std::vector<std::string> visible_private_namespaces;  // private repos of these are listed
  // And these private repositories (namespace, name; case-insensitive): a fine-grained token's
  // repository scopes.
  std::vector<std::pair<std::string, std::string>> visible_private_repos;
  bool all_private_visible = false;  // admins
  std::string sort = "id";  // id | lastModified | createdAt | downloads | likes | trendingScore
  bool descending = false;
  int64_t limit = 100;
  int64_t offset = 0;
};

}  // namespace vitrine::domain
