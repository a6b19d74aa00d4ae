// last_commits: see last_commits.hpp.
#include "service/commits/last_commits.hpp"

#include "formats/hub/repo_path.hpp"
#include "storage/git/git_diff.hpp"
#include "storage/git/git_repo.hpp"

namespace vitrine::service {

std::vector<std::optional<domain::CommitInfo>> last_commits(RepoHandle& git,
                                                            const std::string& commit,
                                                            const std::vector<std::string>& paths) {
  std::vector<std::optional<domain::CommitInfo>> found(paths.size());
  size_t deltas_seen = 0, left = paths.size();
  auto current = git->commit_info(commit);
  for (size_t walked = 0; current && walked < kExpandCommits; ++walked) {
    const domain::CommitInfo c = std::move(*current);
    std::string parent_tree;
    if (!c.parents.empty()) {
      current = git->commit_info(c.parents[0]);
      if (!current) break;
      parent_tree = current->tree;
    } else {
      current = Status(ErrorKind::kNotFound, "root");  // the walk ends after this commit
    }
    bool truncated = false;
    auto deltas =
        storage::diff_trees(*git, parent_tree, c.tree, kExpandDeltas - deltas_seen, &truncated);
    if (!deltas || truncated) break;
    deltas_seen += deltas->size();
    for (size_t i = 0; i < paths.size(); ++i) {
      if (found[i]) continue;
      const std::string& p = paths[i];
      for (const auto& d : *deltas) {
        for (const std::string* changed : {&d.path, &d.old_path}) {
          if (!changed->empty() && path_within(*changed, p)) {
            found[i] = c;
            break;
          }
        }
        if (found[i]) break;
      }
      if (found[i]) --left;
    }
    if (left == 0 || deltas_seen >= kExpandDeltas) break;
  }
  return found;
}

}  // namespace vitrine::service
