// The query of a repository listing (GET /api/models, GET /api/datasets) as the Hugging Face
// clients send it (contract §3.4), turned into a database query. Pure: no I/O, no caller.
#pragma once

#include <string>

#include "domain/repo.hpp"
#include "util/query.hpp"
#include "util/result.hpp"

namespace vitrine::api {

inline constexpr size_t kMaxListingTerms = 32;

struct RepoListingQuery {
  domain::RepoListQuery db;  // visibility is left to the caller to fill in
  // Filters no repository of this hub can match (`inference`, `inference_provider`, `apps`:
  // nothing here is served by an inference provider or packaged for a local app).
  bool matches_nothing = false;
};

// Parameters: `search` and `model_name`/`dataset_name`
// (repeatable substrings of the id), `author`, `filter` and `tags` (repeatable tags),
// `pipeline_tag`, `library`, `language`, `license`, `trained_dataset`, the dataset fields
// `task_categories`, `task_ids`, `size_categories`, `language_creators`, `multilinguality`,
// `benchmark` (a value may carry its prefix already), `gated`, `sort` (`id`, `lastModified`,
// `createdAt`, `downloads`, `likes`, `likes30d`, `trendingScore`, and Python's snake_case
// spellings), `direction` (`-1` or `1`; descending by default except for `id`), `limit`
// (1..1000, default 1000) and `cursor` (from a `Link` header). kBadRequest with a message that
// names the parameter for a value it cannot use, and for more than kMaxListingTerms search and
// filter parameters in all.
Result<RepoListingQuery> parse_repo_listing_query(const util::QueryParams& query,
                                                  domain::RepoKind type);

}  // namespace vitrine::api
