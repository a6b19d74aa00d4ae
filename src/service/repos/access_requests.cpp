// Access requests to gated repositories, and the decisions on them.
#include "service/repos/access_requests.hpp"

#include <nlohmann/json.hpp>

#include "service/access/audit_log.hpp"
#include "service/access/auth_service.hpp"
#include "service/hub.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

Result<std::vector<domain::AccessRequestRecord>> AccessRequests::access_requests(
    const domain::RepoRecord& repo, const std::string& status) {
  return hub_.db().access_requests(repo.uid, status);
}

Status AccessRequests::ask_access(const domain::RepoRecord& repo, const Caller& caller,
                                  const std::string& fields_json) {
  if (!caller.user) {
    return Status(ErrorKind::kUnauthorized, "You must be authenticated to ask for access");
  }
  if (!domain::is_gated(repo.gated)) return bad_request("This repository is not gated");
  // The owner asks for fields in the card's front matter (`extra_gated_fields`, as on the
  // Hub): every one must be answered, and a checkbox must be ticked.
  auto card = nlohmann::json::parse(repo.card_json.empty() ? "{}" : repo.card_json, nullptr, false);
  auto answers = nlohmann::json::parse(fields_json, nullptr, false);
  if (card.is_object() && card.contains("extra_gated_fields") &&
      card["extra_gated_fields"].is_object()) {
    std::string missing;
    for (const auto& [field, kind] : card["extra_gated_fields"].items()) {
      bool answered = answers.is_object() && answers.contains(field);
      if (answered) {
        const auto& v = answers[field];
        bool checkbox = kind.is_string() && kind.get<std::string>() == "checkbox";
        answered = checkbox ? (v == true || v == "true" || v == "on" || v == "1")
                            : !(v.is_null() || (v.is_string() && v.get<std::string>().empty()));
      }
      if (!answered) missing += (missing.empty() ? "" : ", ") + field;
    }
    if (!missing.empty()) return bad_request("Please fill in the requested fields: " + missing);
  }
  std::string status = repo.gated == domain::GatingMode::kAuto ? "accepted" : "pending";
  auto st = hub_.db().put_access_request(repo.uid, caller.user->id, status, fields_json);
  if (st) {
    AuditLog(hub_).record(audit::kAccessRequest, &caller, AuditLog::repo_target(repo),
                          {{"user", caller.user->name}, {"status", status}});
  }
  return st;
}

Status AccessRequests::set_access(const domain::RepoRecord& repo, const std::string& user,
                                  const std::string& status, bool create, const Caller* actor) {
  if (status != "accepted" && status != "rejected" && status != "pending") {
    return bad_request("status must be accepted, rejected or pending");
  }
  auto record = AuthService(hub_).user_named(user);
  if (!record) return record.status();
  auto st = hub_.db().set_access_status(repo.uid, record->id, status, create);
  if (st) {
    AuditLog(hub_).record(audit::kAccessDecision, actor, AuditLog::repo_target(repo),
                          {{"user", record->name}, {"status", status}, {"grant", create}});
  }
  return st;
}

}  // namespace vitrine::service
