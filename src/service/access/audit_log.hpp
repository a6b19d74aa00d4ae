// AuditLog: the hub's append-only record of security events — account and token changes,
// repository visibility, gating and lifecycle, access decisions and rejected credentials —
// for administrators to read (GET /api/vitrine/audit, `vitrine audit list`). Events are
// recorded by the service calls that perform the change, so the API and the CLI both leave a
// trace. Stored in the metadata database; entries are never updated or deleted. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/audit_event.hpp"
#include "service/hub.hpp"

namespace vitrine::service {

// Event types. The target of each is noted after it.
namespace audit {
inline constexpr const char* kAuthFailure = "auth.failure";        // request path (bad token)
inline constexpr const char* kUserCreate = "user.create";          // user name
inline constexpr const char* kUserDelete = "user.delete";          // user name
inline constexpr const char* kTokenCreate = "token.create";        // the token owner's name
inline constexpr const char* kTokenRevoke = "token.revoke";        // the token owner's name
inline constexpr const char* kOrgCreate = "org.create";            // organization name
inline constexpr const char* kOrgMember = "org.member";            // organization name
inline constexpr const char* kRepoCreate = "repo.create";          // "models/ns/name"
inline constexpr const char* kRepoDelete = "repo.delete";          // "models/ns/name"
inline constexpr const char* kRepoMove = "repo.move";              // the new "models/ns/name"
inline constexpr const char* kRepoVisibility = "repo.visibility";  // "models/ns/name"
inline constexpr const char* kRepoGating = "repo.gating";          // "models/ns/name"
inline constexpr const char* kAccessRequest = "access.request";    // "models/ns/name"
inline constexpr const char* kAccessDecision = "access.decision";  // "models/ns/name"
}  // namespace audit

class AuditLog {
 public:
  explicit AuditLog(Hub& hub) : hub_(hub) {}

  // Appends one event stamped with the current time. Recording never fails the operation it
  // describes (which has already happened): a storage error is logged and the event dropped.
  void record(const std::string& type, const std::string& actor, const std::string& target,
              const nlohmann::json& details = nlohmann::json::object(), const std::string& ip = "");
  // The same for an operation done on behalf of `caller`; null means the admin CLI. The actor
  // is actor_name(caller), the IP the caller's, and the token used joins the details.
  void record(const std::string& type, const Caller* caller, const std::string& target,
              nlohmann::json details = nlohmann::json::object());

  // Newest first, at most query.limit events.
  std::vector<domain::AuditEventRecord> list(const domain::AuditQuery& query);

  // The caller's user name, "anonymous" without one, "cli" for null.
  static std::string actor_name(const Caller* caller);
  // How events name a repository: its API path, "models/ns/name" or "datasets/ns/name".
  static std::string repo_target(const domain::RepoRecord& repo);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
