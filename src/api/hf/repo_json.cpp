// JSON shapes of repositories and tree entries.
#include "api/hf/repo_json.hpp"

#include "service/repos/listing_tags.hpp"
#include "util/time.hpp"

namespace vitrine::api {

using nlohmann::json;

json tree_entry_json(const service::FileEntry& e) {
  json j = {{"type", e.git.is_dir ? "directory" : "file"},
            {"oid", e.git.oid},
            {"size", e.git.is_dir ? 0 : e.size()},
            {"path", e.git.path}};
  if (e.lfs) {
    j["lfs"] = {{"oid", e.lfs->oid}, {"size", e.lfs->size}, {"pointerSize", e.git.size}};
  }
  return j;
}

json repo_info_json(const domain::RepoRecord& repo, const std::string& sha, int64_t last_modified,
                    const std::vector<service::FileEntry>* files, bool blobs) {
  auto card = json::parse(repo.card_json.empty() ? "{}" : repo.card_json, nullptr, false);
  if (card.is_discarded() || !card.is_object()) card = json::object();
  json tags = service::card_tags(repo.type, card);
  json info = {
      {"_id", repo.uid},
      {"id", repo.id()},
      {"author", repo.ns},
      {"sha", sha},
      {"lastModified", util::iso8601_utc(last_modified)},
      {"createdAt", util::iso8601_utc(repo.created_at)},
      {"private", repo.is_private},
      {"gated", domain::is_gated(repo.gated) ? json(domain::to_wire(repo.gated)) : json(false)},
      {"disabled", false},
      {"downloads", repo.downloads},
      {"downloadsAllTime", repo.downloads_all_time},
      {"likes", 0},
      {"trendingScore", 0},
      {"usedStorage", 0},
      {"tags", tags},
      {"cardData", card},
  };
  if (repo.type == domain::RepoKind::kModel) {
    if (card.contains("pipeline_tag") && card["pipeline_tag"].is_string()) {
      info["pipeline_tag"] = card["pipeline_tag"];
    }
    if (card.contains("library_name") && card["library_name"].is_string()) {
      info["library_name"] = card["library_name"];
    }
    if (card.contains("model-index")) info["model-index"] = card["model-index"];
    info["modelId"] = repo.id();
  } else if (card.contains("description")) {
    info["description"] = card["description"];
  }
  if (files) {
    json siblings = json::array();
    uint64_t used = 0;
    for (const auto& f : *files) {
      if (f.git.is_dir) continue;
      json s = {{"rfilename", f.git.path}};
      if (blobs) {
        s["size"] = f.size();
        s["blobId"] = f.git.oid;
        if (f.lfs) {
          s["lfs"] = {{"size", f.lfs->size}, {"sha256", f.lfs->oid}, {"pointerSize", f.git.size}};
        }
      }
      used += f.size();
      siblings.push_back(std::move(s));
    }
    info["siblings"] = std::move(siblings);
    info["usedStorage"] = used;
  }
  return info;
}

json apply_expand(const json& info, const std::vector<std::string>& expand) {
  if (expand.empty()) return info;
  json out = {{"_id", info["_id"]}, {"id", info["id"]}};
  for (const auto& key : expand) {
    if (info.contains(key)) out[key] = info[key];
    // Unknown fields are ignored; xetEnabled is answered false so old clients stay on LFS.
    if (key == "xetEnabled") out[key] = false;
  }
  return out;
}

}  // namespace vitrine::api
