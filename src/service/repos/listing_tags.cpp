// Listing tags (service/repos/listing_tags.hpp): derived from the card and the lineage index.
#include "service/repos/listing_tags.hpp"

#include <set>

#include "service/hub.hpp"
#include "service/lineage/lineage.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

// A card field that is a string or a list of strings (other items are skipped).
std::vector<std::string> strings_of(const json& card, const char* key) {
  std::vector<std::string> out;
  auto it = card.find(key);
  if (it == card.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> card_tags(domain::RepoKind type, const json& card) {
  std::vector<std::string> tags;
  if (!card.is_object()) return tags;
  auto add = [&](const char* key, const std::string& prefix) {
    for (const auto& v : strings_of(card, key)) tags.push_back(prefix + v);
  };
  // As the Hub derives tags from card fields: models list languages bare, datasets prefixed,
  // and dataset cards' task and size fields become prefixed tags.
  add("tags", "");
  add("license", "license:");
  if (type == domain::RepoKind::kModel) {
    add("language", "");
    add("datasets", "dataset:");
    add("base_model", "base_model:");
  } else {
    add("language", "language:");
    add("task_categories", "task_categories:");
    add("task_ids", "task_ids:");
    add("size_categories", "size_categories:");
    add("source_datasets", "source_datasets:");
  }
  return tags;
}

std::vector<std::string> listing_tags(domain::RepoKind type, const json& card,
                                      const std::vector<std::string>& lineage_tags) {
  std::vector<std::string> tags = card_tags(type, card);
  if (type == domain::RepoKind::kModel && card.is_object()) {
    // The fields the `pipeline_tag` and `library` parameters match, in their own form (a card
    // tag "text-generation" is not a pipeline tag), and bare, as the Hub lists them in tags.
    for (const char* key : {"pipeline_tag", "library_name"}) {
      auto it = card.find(key);
      if (it == card.end() || !it->is_string()) continue;
      tags.push_back(std::string(key) + ":" + it->get<std::string>());
      tags.push_back(it->get<std::string>());
    }
    // `language=en` finds models (whose tags list languages bare) as it finds datasets.
    for (const auto& l : strings_of(card, "language")) tags.push_back("language:" + l);
  }
  tags.insert(tags.end(), lineage_tags.begin(), lineage_tags.end());
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& t : tags) {
    if (!t.empty() && seen.insert(t).second) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> lineage_tags(Hub& hub, const domain::RepoRecord& repo,
                                      const std::vector<domain::LineageEdgeRow>& edges) {
  std::vector<std::string> tags;
  if (repo.type != domain::RepoKind::kModel) return tags;
  for (const auto& e : edges) {
    if (!is_model_relation(e.relation)) continue;
    if (e.source == "manifest" && domain::is_gated(repo.gated)) continue;
    std::vector<std::string> ids{e.parent_id};
    if (!e.parent_uid.empty()) {
      // Fails closed: a parent that cannot be read now is tagged by its declared id only.
      auto read = hub.db().find_repo_by_uid(e.parent_uid);
      if (read && *read && !(*read)->is_private && (*read)->id() != e.parent_id) {
        ids.push_back((*read)->id());
      }
    }
    for (const auto& id : ids) {
      tags.push_back("base_model:" + id);
      tags.push_back("base_model:" + e.relation + ":" + id);
    }
  }
  return tags;
}

Status refresh_listing_tags(Hub& hub, const std::string& uid) {
  auto found = hub.db().find_repo_by_uid(uid);
  if (!found) return found.status();
  if (!*found) return Status::ok();  // deleted meanwhile: its tags went with it
  const std::optional<domain::RepoRecord>& repo = *found;
  auto card = json::parse(repo->card_json.empty() ? "{}" : repo->card_json, nullptr, false);
  if (card.is_discarded()) card = json::object();
  std::vector<std::string> from_lineage;
  if (!repo->head_sha.empty()) {
    from_lineage = lineage_tags(hub, *repo, hub.db().lineage_edges_of(uid, repo->head_sha));
  }
  return hub.db().set_repo_tags(uid, listing_tags(repo->type, card, from_lineage));
}

Result<size_t> rebuild_listing_tags(Hub& hub) {
  size_t done = 0;
  for (auto type : domain::kRepoKinds) {
    domain::RepoListQuery q;
    q.type = type;
    q.all_private_visible = true;
    q.limit = 1000;
    while (true) {
      auto page = hub.db().list_repos(q);
      for (const auto& repo : page) {
        if (auto st = refresh_listing_tags(hub, repo.uid); !st) return st;
        ++done;
      }
      if (page.size() < static_cast<size_t>(q.limit)) break;
      q.offset += q.limit;
    }
  }
  return done;
}

bool listing_tags_missing(Hub& hub) {
  return !hub.db().any_repo_tags();
}

}  // namespace vitrine::service
