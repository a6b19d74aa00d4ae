// A commit of a repository as the hub shows it (the commits listing, last commits of paths,
// diffs): read from git by storage/git, shaped into the Hub's JSON by the api.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vitrine::domain {

struct CommitInfo {
  std::string id;
  std::string tree;
  std::string title;    // first line of the message
  std::string message;  // whole message
  std::string author_name;
  std::string author_email;
  int64_t time_ms = 0;
  std::vector<std::string> parents;
};

}  // namespace vitrine::domain
