// Parts of the openness report built on top of the MOF components: the OSI Open Source AI
// Definition elements and the draft of the EU AI Act public summary of training content.
// Internal to service/openness/openness.cpp; layout in docs/lineage.md, "Openness report".
#pragma once

#include <nlohmann/json.hpp>

#include "service/openness/openness.hpp"

namespace vitrine::service {

// `{"elements": [...], "meets": bool}` from the facts and the report's MOF component list.
nlohmann::json osaid_elements(const ModelFacts& facts, const nlohmann::json& components);

// `{"template", "sections", "missing"}`: the draft summary and what the provider must add.
nlohmann::json eu_training_data_summary(const ModelFacts& facts);

}  // namespace vitrine::service
