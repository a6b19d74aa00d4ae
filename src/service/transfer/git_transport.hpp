// GitTransport: serves repositories to git clients through the real `git upload-pack` and
// `git receive-pack` (--stateless-rpc), so pack negotiation is git's own. Vitrine decides who
// may fetch or push before calling it, and pushes pass the PushPolicy in git's pre-receive
// hook (`vitrine hook pre-receive`) before any ref moves. Thread-safe.
#pragma once

#include <string>

#include "service/hub.hpp"
#include "util/subprocess.hpp"

namespace vitrine::service {

enum class GitService { kUploadPack, kReceivePack };

class GitTransport {
 public:
  explicit GitTransport(Hub& hub) : hub_(hub) {}

  // The body of GET info/refs: the "# service=" prelude (protocol v0/v1 only) and the refs.
  Result<std::string> advertise(const domain::RepoRecord& repo, GitService service,
                                const std::string& git_protocol);
  // Starts the service on a spooled request body; the caller streams its stdout.
  Result<util::Subprocess> run(const domain::RepoRecord& repo, GitService service,
                               const std::string& git_protocol, int request_fd,
                               const Caller& caller);
  // `git cat-file blob OID` on the repository: a blob's bytes streamed from git's own object
  // reader (libgit2 reads a blob whole), so a large file stored in git costs a pipe's worth of
  // memory. `oid` must be 40 hex digits (kBadRequest otherwise).
  Result<util::Subprocess> cat_blob(const domain::RepoRecord& repo, const std::string& oid);

 private:
  std::vector<std::string> environment(const std::string& git_protocol, const Caller& caller,
                                       const std::string& repo_uid);
  Result<std::string> hooks_dir();
  Hub& hub_;
};

}  // namespace vitrine::service
