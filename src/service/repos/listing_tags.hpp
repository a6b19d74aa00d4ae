// Listing tags: what the filters of the repository listings (GET /api/models, /api/datasets:
// `filter`, `pipeline_tag`, `library`, `language`, `license`, ...) match. A repository's tags
// are derived from its default branch — the card's front matter and the lineage edges of the
// head revision — and stored in the metadata database (MetadataDb::set_repo_tags), refreshed
// whenever the index row is (RepoService::reindex) and when gating changes. They say nothing
// about visibility: listings hide private repositories themselves.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "domain/lineage_edge.hpp"
#include "domain/repo.hpp"
#include "domain/repo_kind.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

// The tags the card gives a repository, as the Hub lists them in `tags`: the card's `tags`,
// `license:x`; for models bare languages, `dataset:x` and `base_model:x`; for datasets
// `language:x`, `task_categories:x`, `task_ids:x`, `size_categories:x`, `source_datasets:x`.
std::vector<std::string> card_tags(domain::RepoKind type, const nlohmann::json& card);

// Every tag a listing filter matches: card_tags, plus `pipeline_tag:x` and the bare pipeline
// tag, `library_name:x` and the bare library name, `language:x` for models' languages, and
// `lineage_tags` (see below), without duplicates.
std::vector<std::string> listing_tags(domain::RepoKind type, const nlohmann::json& card,
                                      const std::vector<std::string>& lineage_tags);

// `base_model:{id}` and `base_model:{relation}:{id}` for the model relations of a revision's
// lineage edges, with the id as declared and, when the edge links to a public repository of
// this hub, as it is named now (as model info reports it to callers who can see it). Edges
// read from the training manifest count only when the repository is not gated: a gated
// repository's manifest is for callers with file access.
std::vector<std::string> lineage_tags(Hub& hub, const domain::RepoRecord& repo,
                                      const std::vector<domain::LineageEdgeRow>& edges);

// Recomputes and stores one repository's tags from its index row (card, head) and the lineage
// edges of its head. Call after the row and the lineage index were refreshed.
Status refresh_listing_tags(Hub& hub, const std::string& uid);

// No repository has stored tags yet: a data folder from before listing tags (`vitrine serve`
// rebuilds them then).
bool listing_tags_missing(Hub& hub);

// Stores the tags of every repository (a data folder from before listing tags); returns how
// many repositories were done.
Result<size_t> rebuild_listing_tags(Hub& hub);

}  // namespace vitrine::service
