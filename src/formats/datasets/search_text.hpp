// What /search indexes and looks for (dataset-viewer-contract.md §5.1), before any index: the
// text of a row's searchable cells, and the terms of a query.
//
// A column is searchable when its feature holds, at any depth, a string Value, a Translation, a
// TranslationVariableLanguages or a Json (the Hub's indexable columns). A row's document is the
// strings of its searchable cells, in column order, each followed by a space: strings of lists
// and structs by their features, a Json cell's strings wherever they lie (not its keys).
//
// Unlike the Hub (whose tokenizer keeps only [a-z] after stripping accents), every script is
// searchable and digits are words: the index (storage/search/fts_index.hpp) splits on anything
// that is not a Unicode letter or digit, folds case and drops diacritics. Scripts written
// without spaces (Chinese, Japanese kana and kanji) have each character made a word of its own
// here, and a query's run of them is looked up as a phrase (those characters in a row).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/row_reader.hpp"

namespace vitrine::datasets {

// Whether a Features type (as parquet_dataset_features gives it) is searchable (see above).
bool searchable_feature(const nlohmann::ordered_json& type);

// Appends the strings of `cell`, a value of `type`, to *out (see above; Chinese and Japanese
// characters spaced apart).
void append_search_text(const nlohmann::ordered_json& type, const nlohmann::json& cell,
                        std::string* out);

// Bounds of a query: at most kMaxQueryTerms terms are looked up (the others are ignored) and
// a query longer than kMaxQueryBytes is refused.
inline constexpr size_t kMaxQueryTerms = 32;
inline constexpr size_t kMaxQueryBytes = 1000;

// The terms of a query, in order, each once: the query split at spaces and ASCII punctuation,
// ASCII letters lowercased, Chinese and Japanese characters spaced apart (a term holding them is
// a phrase). Empty when the query is only spaces and ASCII punctuation.
std::vector<std::string> search_terms(std::string_view query);

}  // namespace vitrine::datasets
