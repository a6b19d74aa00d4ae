// GatingMode: whether reading a repository's files needs an accepted access request, and who
// accepts it. The Hub's JSON says `"gated": false | "auto" | "manual"`; the metadata database
// stores "" | "auto" | "manual".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vitrine::domain {

enum class GatingMode {
  kNone,    // not gated
  kAuto,    // every request is accepted at once
  kManual,  // the namespace's admins accept or reject each request
};

// "" | "auto" | "manual"
const std::string& to_wire(GatingMode mode);
// "" → kNone, "auto", "manual"; nullopt for anything else.
std::optional<GatingMode> gating_mode_from_wire(std::string_view text);
inline bool is_gated(GatingMode mode) {
  return mode != GatingMode::kNone;
}

}  // namespace vitrine::domain
