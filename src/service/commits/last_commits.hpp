// The last commit that changed each of a list of paths (what a tree listing with expand=True
// shows per entry), found by one bounded walk of first parents.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/commit.hpp"
#include "service/repos/repo_handle.hpp"

namespace vitrine::service {

// Bounds of the walk: kExpandCommits commits and kExpandDeltas changed files in all. A path
// older than that gets no last commit, as an anonymous request must not walk a long history
// once per entry.
constexpr size_t kExpandCommits = 500;
constexpr size_t kExpandDeltas = 100000;

// For each of `paths` (files or folders), the newest commit from `commit` back along first
// parents that changed it, or nullopt past the bounds: one tree diff per commit for all the
// paths together.
std::vector<std::optional<domain::CommitInfo>> last_commits(RepoHandle& git,
                                                            const std::string& commit,
                                                            const std::vector<std::string>& paths);

}  // namespace vitrine::service
