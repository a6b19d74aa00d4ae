// Cells of `datasets`' Json feature ({"_type": "Json"}) read back from Parquet: the column is a
// UTF-8 string holding each value's JSON text (parquet_writer.hpp writes it so), and the
// viewer's cell is the value itself. These walk a cell along its Features type (lists, legacy
// Sequences, dicts) and parse the strings found where the type says Json.
//
// Pure. Text that is not JSON, or nests deeper than util::kMaxJsonDepth, stays the string it
// is; a cell whose shape does not follow the type is left as it is.
#pragma once

#include <nlohmann/json.hpp>

namespace vitrine::datasets {

// Whether `type` (a Features JSON type) has a Json feature anywhere in it.
bool feature_has_json(const nlohmann::ordered_json& type);

// Replaces, in `cell` of feature `type`, each string that the type says is Json by the value it
// holds.
void decode_json_cells(const nlohmann::ordered_json& type, nlohmann::json& cell);

}  // namespace vitrine::datasets
