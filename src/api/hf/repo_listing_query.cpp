// Parsing of repository listing queries (api/hf/repo_listing_query.hpp).
#include "api/hf/repo_listing_query.hpp"

#include <charconv>
#include <map>

namespace vitrine::api {

namespace {

constexpr int64_t kMaxLimit = 1000;

// A non-negative decimal integer, all of the text.
std::optional<int64_t> parse_count(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

// The sort keys, with the spellings Python's older clients send.
const std::map<std::string, std::string, std::less<>>& sort_keys() {
  static const std::map<std::string, std::string, std::less<>> keys = {
      {"id", "id"},
      {"lastModified", "lastModified"},
      {"last_modified", "lastModified"},
      {"createdAt", "createdAt"},
      {"created_at", "createdAt"},
      {"downloads", "downloads"},
      {"likes", "likes"},
      {"likes30d", "likes"},
      {"trendingScore", "trendingScore"},
      {"trending_score", "trendingScore"}};
  return keys;
}

std::string with_prefix(const std::string& prefix, const std::string& value) {
  return value.rfind(prefix, 0) == 0 ? value : prefix + value;
}

}  // namespace

Result<RepoListingQuery> parse_repo_listing_query(const util::QueryParams& query,
                                                  domain::RepoKind type) {
  // Each term is one more condition of the SQL: a listing takes at most kMaxListingTerms, so
  // one URL cannot ask for a thousand LIKE scans (the Hub's own listings use a handful).
  size_t terms = 0;
  for (const auto& [key, value] : query.entries()) {
    (void)value;
    if (key != "limit" && key != "cursor" && key != "sort" && key != "direction" && key != "full" &&
        key != "cardData" && key != "expand" && key != "config") {
      ++terms;
    }
  }
  if (terms > kMaxListingTerms) {
    return bad_request("A listing takes at most " + std::to_string(kMaxListingTerms) +
                       " search and filter parameters, got " + std::to_string(terms));
  }
  RepoListingQuery out;
  auto& q = out.db;
  q.type = type;
  q.search = query.get_all("search");
  for (const char* key : {"model_name", "dataset_name"}) {
    for (auto& v : query.get_all(key)) q.search.push_back(std::move(v));
  }
  q.author = query.get("author").value_or("");

  // Each value is a group of tags any of which matches; every group must match.
  auto add_groups = [&](const char* key, auto&& tags_of) {
    for (const auto& v : query.get_all(key)) {
      if (v.empty()) continue;
      q.tags.push_back(tags_of(v));
    }
  };
  auto same = [](const std::string& v) { return std::vector<std::string>{v}; };
  add_groups("filter", same);
  add_groups("tags", same);
  add_groups("pipeline_tag", [](const std::string& v) {
    return std::vector<std::string>{with_prefix("pipeline_tag:", v)};
  });
  // The Hub lists a model's library among its tags: a card that names it only as a tag counts.
  add_groups("library", [](const std::string& v) {
    return std::vector<std::string>{with_prefix("library_name:", v), v};
  });
  add_groups("trained_dataset", [](const std::string& v) {
    return std::vector<std::string>{with_prefix("dataset:", v)};
  });
  for (const char* key : {"language", "license", "task_categories", "task_ids", "size_categories",
                          "language_creators", "multilinguality", "benchmark"}) {
    std::string prefix = std::string(key) + ":";
    add_groups(key, [&](const std::string& v) {
      return std::vector<std::string>{with_prefix(prefix, v)};
    });
  }

  if (auto gated = query.get("gated")) {
    if (*gated == "true" || *gated == "True" || *gated == "1") {
      q.gated = true;
    } else if (*gated == "false" || *gated == "False" || *gated == "0") {
      q.gated = false;
    } else {
      return bad_request("Invalid gated parameter '" + *gated + "': expected true or false");
    }
  }
  for (const char* key : {"inference", "inference_provider", "apps"}) {
    if (!query.get(key).value_or("").empty()) out.matches_nothing = true;
  }

  std::string sort = query.get("sort").value_or("id");
  if (sort.empty()) sort = "id";
  auto key = sort_keys().find(sort);
  if (key == sort_keys().end()) {
    return bad_request("Invalid sort parameter '" + sort +
                       "': expected one of id, lastModified, createdAt, downloads, likes, "
                       "trendingScore");
  }
  q.sort = key->second;
  q.descending = q.sort != "id";
  if (auto direction = query.get("direction"); direction && !direction->empty()) {
    if (*direction != "-1" && *direction != "1") {
      return bad_request("Invalid direction parameter '" + *direction + "': expected -1 or 1");
    }
    q.descending = *direction == "-1";
  }

  q.limit = kMaxLimit;
  if (auto limit = query.get("limit")) {
    auto n = parse_count(*limit);
    if (!n || *n == 0) {
      return bad_request("Invalid limit parameter '" + *limit + "': expected a positive integer");
    }
    q.limit = std::min(*n, kMaxLimit);
  }
  q.offset = 0;
  if (auto cursor = query.get("cursor")) {
    auto n = parse_count(*cursor);
    if (!n) return bad_request("Invalid cursor parameter: use the URL of the Link header");
    q.offset = *n;
  }
  return out;
}

}  // namespace vitrine::api
