// The wire spellings of the domain's enums (repo_kind.hpp, gating_mode.hpp, access_level.hpp,
// role.hpp, job.hpp): one table per enum, read both ways.
#include <array>
#include <utility>

#include "domain/access_level.hpp"
#include "domain/gating_mode.hpp"
#include "domain/job.hpp"
#include "domain/repo_kind.hpp"
#include "domain/role.hpp"

namespace vitrine::domain {
namespace {

template <typename Enum, size_t N>
using Spellings = std::array<std::pair<Enum, std::string>, N>;

template <typename Enum, size_t N>
const std::string& spell(const Spellings<Enum, N>& table, Enum value) {
  for (const auto& [e, text] : table) {
    if (e == value) return text;
  }
  return table[0].second;  // unreachable for a value of the enum
}

template <typename Enum, size_t N>
std::optional<Enum> parse(const Spellings<Enum, N>& table, std::string_view text) {
  for (const auto& [e, spelled] : table) {
    if (spelled == text) return e;
  }
  return std::nullopt;
}

const Spellings<RepoKind, 2> kKindSingular = {
    {{RepoKind::kModel, "model"}, {RepoKind::kDataset, "dataset"}}};
const Spellings<RepoKind, 2> kKindPlural = {
    {{RepoKind::kModel, "models"}, {RepoKind::kDataset, "datasets"}}};
const Spellings<RepoKind, 2> kKindUrlPrefix = {
    {{RepoKind::kModel, ""}, {RepoKind::kDataset, "datasets/"}}};
const Spellings<GatingMode, 3> kGating = {
    {{GatingMode::kNone, ""}, {GatingMode::kAuto, "auto"}, {GatingMode::kManual, "manual"}}};
const Spellings<AccessLevel, 3> kAccess = {{{AccessLevel::kRead, "read"},
                                            {AccessLevel::kWrite, "write"},
                                            {AccessLevel::kManage, "manage"}}};
const Spellings<TokenRole, 3> kTokenRole = {{{TokenRole::kRead, "read"},
                                             {TokenRole::kWrite, "write"},
                                             {TokenRole::kFineGrained, "fineGrained"}}};
const Spellings<MemberRole, 3> kMemberRole = {
    {{MemberRole::kRead, "read"}, {MemberRole::kWrite, "write"}, {MemberRole::kAdmin, "admin"}}};
const Spellings<JobState, 4> kJobState = {{{JobState::kQueued, "queued"},
                                           {JobState::kRunning, "running"},
                                           {JobState::kDone, "done"},
                                           {JobState::kFailed, "failed"}}};

}  // namespace

const std::string& to_wire(RepoKind kind) {
  return spell(kKindSingular, kind);
}
const std::string& plural(RepoKind kind) {
  return spell(kKindPlural, kind);
}
const std::string& url_prefix(RepoKind kind) {
  return spell(kKindUrlPrefix, kind);
}
std::optional<RepoKind> repo_kind_from_wire(std::string_view singular) {
  return parse(kKindSingular, singular);
}
std::optional<RepoKind> repo_kind_from_plural(std::string_view text) {
  return parse(kKindPlural, text);
}

const std::string& to_wire(GatingMode mode) {
  return spell(kGating, mode);
}
std::optional<GatingMode> gating_mode_from_wire(std::string_view text) {
  return parse(kGating, text);
}

const std::string& to_wire(AccessLevel level) {
  return spell(kAccess, level);
}
std::optional<AccessLevel> access_level_from_wire(std::string_view text) {
  return parse(kAccess, text);
}

const std::string& to_wire(TokenRole role) {
  return spell(kTokenRole, role);
}
std::optional<TokenRole> token_role_from_wire(std::string_view text) {
  return parse(kTokenRole, text);
}
const std::string& to_wire(MemberRole role) {
  return spell(kMemberRole, role);
}
std::optional<MemberRole> member_role_from_wire(std::string_view text) {
  return parse(kMemberRole, text);
}

const std::string& to_wire(JobState state) {
  return spell(kJobState, state);
}
std::optional<JobState> job_state_from_wire(std::string_view text) {
  return parse(kJobState, text);
}

}  // namespace vitrine::domain
