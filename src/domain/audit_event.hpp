// The append-only security audit log (service/access/audit_log.hpp): one event, and a query.
#pragma once

#include <cstdint>
#include <string>

namespace vitrine::domain {

struct AuditEventRecord {
  int64_t id = 0;      // increases with every event; never reused
  int64_t time = 0;    // unix ms
  std::string type;    // "token.create", "repo.visibility", ...
  std::string actor;   // user name, "cli" or "anonymous"
  std::string target;  // what the event is about: a user, "models/ns/name", a request path
  std::string details_json = "{}";
  std::string ip;  // remote address; empty for the CLI
};

// Newest first; the filters are exact (case-insensitive) and empty means any.
struct AuditQuery {
  std::string type;
  std::string actor;
  std::string target;
  int64_t before_id = 0;  // only events older than this id (the pagination cursor); 0: none
  int64_t limit = 100;
};

}  // namespace vitrine::domain
