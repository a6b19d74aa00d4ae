// RefService: a repository's branches and tags, created and deleted through the API. Each move
// is a logged compare-and-swap of the ref (service/transparency/log_entries.hpp); the caller
// has checked write access.
#pragma once

#include <optional>
#include <string>

#include "domain/repo.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;
struct Caller;

// A branch or tag name git accepts (short form: no refs/ prefix).
Status validate_ref_name(const std::string& short_name);

class RefService {
 public:
  explicit RefService(Hub& hub) : hub_(hub) {}

  Status create_branch(const domain::RepoRecord& repo, const std::string& branch,
                       const std::optional<std::string>& starting_point, bool empty, bool overwrite,
                       const Caller& caller);
  Status delete_branch(const domain::RepoRecord& repo, const std::string& branch,
                       const Caller& caller);
  Status create_tag(const domain::RepoRecord& repo, const std::string& revision,
                    const std::string& tag, const std::string& message, const Caller& caller);
  Status delete_tag(const domain::RepoRecord& repo, const std::string& tag, const Caller& caller);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
