// The route table gates dispatch: what it matches and what it refuses.
#include "api/routes.hpp"

#include <gtest/gtest.h>

namespace vitrine::api {
namespace {

std::string pattern_of(const std::string& method, std::vector<std::string> segments,
                       const std::string& query = "") {
  const RouteInfo* r = find_route(method, segments, query);
  return r ? r->pattern : "";
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
}

}  // namespace
}  // namespace vitrine::api
