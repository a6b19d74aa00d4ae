// AccessRequests: asking for access to a gated repository and deciding on the requests (the
// gate itself, which checks them, is RepoService::check_file_access). Every request and
// decision is audited.
#pragma once

#include <string>
#include <vector>

#include "domain/access_request.hpp"
#include "domain/repo.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;
struct Caller;

class AccessRequests {
 public:
  explicit AccessRequests(Hub& hub) : hub_(hub) {}

  // `fields_json`: what the user filled in. Auto-gated repos accept at once.
  Status ask_access(const domain::RepoRecord& repo, const Caller& caller,
                    const std::string& fields_json);
  // status: accepted | rejected | pending. `create`: grant without a prior request.
  // `actor`: who decided, for the audit log (null: the admin CLI).
  Status set_access(const domain::RepoRecord& repo, const std::string& user,
                    const std::string& status, bool create, const Caller* actor = nullptr);

  // The access requests of a gated repository in `status` (pending, accepted, rejected).
  Result<std::vector<domain::AccessRequestRecord>> access_requests(const domain::RepoRecord& repo,
                                                                   const std::string& status);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
