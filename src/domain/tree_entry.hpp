// What a repository holds at a commit, as the hub reads it from git (storage/git) and shows it
// (trees, paths-info, snapshots): the entries of its tree, and the refs that name commits.
#pragma once

#include <cstdint>
#include <string>

namespace vitrine::domain {

struct TreeEntry {
  std::string path;  // repository-relative full path
  bool is_dir = false;
  std::string oid;  // blob or tree id
  uint32_t mode = 0;
  uint64_t size = 0;  // blob size in git (the pointer size for LFS files); 0 for trees
};

struct GitRef {
  std::string name;    // full name, e.g. refs/heads/main
  std::string target;  // commit id (tags are peeled to their commit)
};

}  // namespace vitrine::domain
