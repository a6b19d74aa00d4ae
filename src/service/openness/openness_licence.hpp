// Licence rules of the openness report: which licences count as open, and for which content
// type (MOF's "type-appropriate" rule). The lists are closed: a licence not listed counts as
// non-open. The lists and the rules are in docs/lineage.md, "Openness report". Pure and
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vitrine::service {

// MOF's three content types.
enum class ContentType { kCode, kData, kDocument };

// Where a component's licence comes from.
enum class LicenceScope {
  kRepository,  // the licence of the repository holding the artefact (a card's `license`)
  kComponent,   // a licence stated for this component only (manifest `code.license`, a
                // training dataset's card licence for the Datasets component)
};

// The licence id as Vitrine compares it: ASCII lower case, trimmed, "-only"/"-or-later"/"+"
// dropped, and a few Hugging Face short forms mapped to the SPDX form ("pddl" → "pddl-1.0").
std::string normalize_licence(std::string_view id);

// The MOF component status a set of licences gives an artefact: "included" when there is at
// least one licence and each is open and acceptable for the type and scope, "unlicensed" when
// there is none, "invalid-license" when one is not open, "not-type-appropriate" when all are
// open but one is not acceptable for the type. `parameters` is true for model weights,
// checkpoints and metadata, which also accept an OSI licence (common practice, e.g. Apache-2.0
// for OLMo's weights).
std::string licence_status(const std::vector<std::string>& licences, ContentType type,
                           LicenceScope scope, bool parameters);

// True when the licence (normalized) is on any of the open lists.
bool is_open_licence(std::string_view id);

}  // namespace vitrine::service
