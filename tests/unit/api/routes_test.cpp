// The route table gates dispatch: what it matches and what it refuses.
#include "api/routes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vitrine::api {
namespace {

std::string pattern_of(const std::string& method, std::vector<std::string> segments,
                       const std::string& query = "") {
  auto r = find_route(method, segments, query);
  return r ? r->route->pattern : "";
}

RouteParams params_of(const std::string& method, std::vector<std::string> segments,
                      const std::string& query = "") {
  auto r = find_route(method, segments, query);
  EXPECT_TRUE(r.has_value());
  return r ? r->params : RouteParams{};
}

TEST(Routes, MatchesRepoRoutesWithMultiSegmentRevisionsAndPaths) {
  EXPECT_EQ(pattern_of("GET", {"api", "models", "a", "b"}), "/api/{type}s/{repo}");
  EXPECT_EQ(pattern_of("HEAD", {"api", "datasets", "a", "b", "revision", "refs", "pr", "1"}),
            "/api/{type}s/{repo}/revision/{rev}");
  EXPECT_EQ(pattern_of("GET", {"api", "models", "a", "b", "tree", "main"}),
            "/api/{type}s/{repo}/tree/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"a", "b", "resolve", "refs/pr/1", "dir", "f.bin"}),
            "/{prefix}{repo}/resolve/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"datasets", "a", "b", "raw", "main", "x"}),
            "/{prefix}{repo}/raw/{rev}/{path*}");
  EXPECT_EQ(pattern_of("POST", {"a", "b.git", "info", "lfs", "objects", "batch"}),
            "/{prefix}{repo}.git/info/lfs/objects/batch");
  EXPECT_EQ(pattern_of("GET", {"a", "b", "info", "refs"}, "service=git-upload-pack"),
            "/{prefix}{repo}.git/info/refs?service=git-upload-pack");
  EXPECT_EQ(pattern_of("GET", {}), "/");
}

TEST(Routes, WebPagesTakeOnlyWhatNoOtherRouteTakes) {
  EXPECT_EQ(pattern_of("GET", {"assets", "index-abc.js"}), "/assets/{path*}");
  EXPECT_EQ(pattern_of("GET", {"models"}), "/{page}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1"}), "/{prefix}{repo}");
  EXPECT_EQ(pattern_of("GET", {"datasets", "alice", "d1"}), "/{prefix}{repo}");
  EXPECT_EQ(pattern_of("GET", {"api", "models"}), "/api/{type}s");
  EXPECT_EQ(pattern_of("GET", {"tlog", "checkpoint"}), "/tlog/checkpoint");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "resolve", "main", "f"}),
            "/{prefix}{repo}/resolve/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "blob", "main", "dir", "f.txt"}),
            "/{prefix}{repo}/blob/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"datasets", "alice", "d1", "blob", "main", "f"}),
            "/{prefix}{repo}/blob/{rev}/{path*}");
  EXPECT_EQ(pattern_of("POST", {"alice", "m1", "blob", "main", "f"}), "");
  EXPECT_EQ(pattern_of("POST", {"alice", "m1"}), "");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "tree"}), "");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "tree", "main"}),
            "/{prefix}{repo}/tree/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "tree", "main", "src"}),
            "/{prefix}{repo}/tree/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "edit", "main", "README.md"}),
            "/{prefix}{repo}/edit/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "commits", "main"}),
            "/{prefix}{repo}/commits/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "commits", "main", "docs", "a.md"}),
            "/{prefix}{repo}/commits/{rev}/{path*}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "commits"}), "");
  EXPECT_EQ(pattern_of("GET", {"datasets", "alice", "d1", "commit", "0123abc"}),
            "/{prefix}{repo}/commit/{rev}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "compare", "v1..main"}),
            "/{prefix}{repo}/compare/{rev}");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "settings"}), "/{prefix}{repo}/settings");
  EXPECT_EQ(pattern_of("GET", {"alice", "m1", "settings", "x"}), "");
}

TEST(Routes, RefusesWhatIsNotListed) {
  EXPECT_EQ(pattern_of("GET", {"api", "models", "a", "b", "discussions"}), "");
  EXPECT_EQ(pattern_of("DELETE", {"api", "models", "a", "b"}), "");
  EXPECT_EQ(pattern_of("GET", {"a", "b", "info", "refs"}, "service=git-evil"), "");
  EXPECT_EQ(pattern_of("GET", {"a", "b", "info", "refs"}), "");
  EXPECT_EQ(pattern_of("PUT", {"api", "vitrine", "lfs", "objects", "oid"}), "");
  EXPECT_EQ(pattern_of("GET", {"api", "vitrine", "unknown"}), "");
  EXPECT_EQ(pattern_of("GET", {"a", "b", "c"}), "");
  // The hub's own top-level segments are never pages or repositories.
  EXPECT_EQ(pattern_of("GET", {"api", "nothing-here"}), "");
  EXPECT_EQ(pattern_of("GET", {"api"}), "");
  EXPECT_EQ(pattern_of("GET", {"tlog", "x", "resolve", "main", "f"}), "");
  EXPECT_EQ(pattern_of("GET", {"v1"}), "");
  EXPECT_EQ(pattern_of("GET", {"datasets", "api", "x"}), "/{prefix}{repo}");
}

TEST(Routes, NameWhatEachPlaceholderTook) {
  auto p = params_of("GET", {"api", "datasets", "a", "b", "tree", "refs", "pr", "1"});
  EXPECT_EQ(p.repo_type(), "dataset");
  EXPECT_EQ(p.repo_namespace(), "a");
  EXPECT_EQ(p.repo_name(), "b");
  EXPECT_EQ(p.get("type"), "datasets");
  EXPECT_EQ(p.get("rev"), "refs");
  EXPECT_EQ(p.get("path"), "pr/1");
  EXPECT_EQ(p.segments_from("rev"), (std::vector<std::string>{"refs", "pr", "1"}));
  // A last placeholder takes the rest: a raw refs/pr/1 revision.
  p = params_of("GET", {"api", "models", "a", "b", "revision", "refs", "pr", "1"});
  EXPECT_EQ(p.repo_type(), "model");
  EXPECT_EQ(p.get("rev"), "refs/pr/1");
  EXPECT_EQ(p.segments("rev"), (std::vector<std::string>{"refs", "pr", "1"}));
  // A segment keeps a decoded '/' inside it.
  p = params_of("POST", {"api", "models", "a", "b", "commit", "refs/pr/2"});
  EXPECT_EQ(p.segments("rev"), (std::vector<std::string>{"refs/pr/2"}));
  // Web URLs: the dataset prefix sets the type; `.git` is not part of the name.
  p = params_of("POST", {"datasets", "a", "b.git", "info", "lfs", "objects", "batch"});
  EXPECT_EQ(p.repo_type(), "dataset");
  EXPECT_EQ(p.repo_name(), "b");
  p = params_of("GET", {"a", "b", "info", "refs"}, "service=git-upload-pack");
  EXPECT_EQ(p.repo_type(), "model");
  EXPECT_EQ(p.repo_name(), "b");
  // A model named like the prefix is still a model when the path says so.
  p = params_of("GET", {"datasets", "x", "resolve", "main", "f"});
  EXPECT_EQ(p.repo_type(), "model");
  EXPECT_EQ(p.repo_namespace(), "datasets");
  EXPECT_EQ(p.get("path"), "f");
  // Literal types before {repo}.
  p = params_of("GET", {"api", "datasets", "o", "d", "croissant"});
  EXPECT_EQ(p.repo_type(), "dataset");
  p = params_of("GET", {"api", "vitrine", "lineage", "models", "o", "m", "descendants"});
  EXPECT_EQ(p.repo_type(), "model");
  EXPECT_EQ(p.repo_name(), "m");
  // Other names.
  EXPECT_EQ(params_of("DELETE", {"api", "vitrine", "tokens", "42"}).get("id"), "42");
  EXPECT_EQ(params_of("PUT", {"api", "vitrine", "lfs", "parts", "ab", "10", "2"}).get("part"), "2");
  EXPECT_FALSE(params_of("GET", {"api", "whoami-v2"}).has_repo());
  EXPECT_EQ(params_of("GET", {"api", "whoami-v2"}).get("rev"), "");
}

TEST(Routes, AccessHasOneWireSpellingEach) {
  for (const auto& route : routes()) {
    auto wire = to_wire(route.access);
    EXPECT_EQ(route_access_from_wire(wire), route.access) << route.pattern;
    EXPECT_NE(route.handler, nullptr) << route.pattern;
  }
  EXPECT_FALSE(route_access_from_wire("root").has_value());
}

TEST(Routes, RepoSubresourcesComeFromTheTable) {
  const auto& names = repo_subresources();
  for (const char* n :
       {"tree", "commit", "xet-read-token", "croissant", "user-access-request", "discussions"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
  EXPECT_EQ(std::find(names.begin(), names.end(), "{repo}"), names.end());
}

}  // namespace
}  // namespace vitrine::api
