// The security audit log: event stamping, actor naming, and reads for administrators.
#include "service/access/audit_log.hpp"

#include <spdlog/spdlog.h>

#include "storage/metadata/metadata_db.hpp"
#include "util/time.hpp"

namespace vitrine::service {

using nlohmann::json;

void AuditLog::record(const std::string& type, const std::string& actor, const std::string& target,
                      const json& details, const std::string& ip) {
  domain::AuditEventRecord event;
  event.time = util::now_ms();
  event.type = type;
  event.actor = actor;
  event.target = target;
  event.details_json =
      details.is_object() ? details.dump(-1, ' ', false, json::error_handler_t::replace) : "{}";
  event.ip = ip;
  if (auto id = hub_.db().append_audit_event(event); !id) {
    spdlog::error("audit log: cannot record {} by {} on {}: {}", type, actor, target,
                  id.status().message());
  }
}

void AuditLog::record(const std::string& type, const Caller* caller, const std::string& target,
                      json details) {
  if (caller && caller->user && !caller->token_name.empty() && !details.contains("token")) {
    details["token"] = caller->token_name;
  }
  record(type, actor_name(caller), target, details, caller ? caller->ip : std::string());
}

std::vector<domain::AuditEventRecord> AuditLog::list(const domain::AuditQuery& query) {
  return hub_.db().audit_events(query);
}

std::string AuditLog::actor_name(const Caller* caller) {
  if (!caller) return "cli";
  return caller->user ? caller->user->name : std::string("anonymous");
}

std::string AuditLog::repo_target(const domain::RepoRecord& repo) {
  return domain::plural(repo.type) + "/" + repo.id();
}

}  // namespace vitrine::service
