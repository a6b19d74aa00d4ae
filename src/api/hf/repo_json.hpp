// JSON shapes of repositories and tree entries, as the clients read them (contract §3).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api.hpp"

namespace vitrine::api {

// A tree or paths-info entry: {"type","oid","size","path","lfs"?}.
nlohmann::json tree_entry_json(const service::FileEntry& entry);

// Repo info. `siblings` is filled from `files` (all files of the revision) when given.
nlohmann::json repo_info_json(const domain::RepoRecord& repo, const std::string& sha,
                              int64_t last_modified, const std::vector<service::FileEntry>* files,
                              bool blobs);

// Keeps only the `expand` fields asked for (plus _id and id); no expand keeps everything.
nlohmann::json apply_expand(const nlohmann::json& info, const std::vector<std::string>& expand);

}  // namespace vitrine::api
