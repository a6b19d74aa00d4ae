// Safe readers for card and manifest values. Card front matter and training manifests are user
// content: any key may hold any JSON type, so every reader here returns an empty value instead
// of throwing when the type is not the expected one, and every string that goes back into JSON
// is made valid UTF-8 first (nlohmann::json::dump throws on invalid UTF-8). Pure and
// thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vitrine::service {

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

// A copy of `value` whose strings (keys included) are valid UTF-8.
nlohmann::json valid_utf8_json(const nlohmann::json& value);

// `object[key]` when `object` is an object holding that key, else a null JSON value.
const nlohmann::json& member(const nlohmann::json& object, std::string_view key);

// The string at `object[key]`, or "" when absent or not a string.
std::string string_member(const nlohmann::json& object, std::string_view key);

// A string or an array's strings (other elements skipped); [] for any other type.
std::vector<std::string> string_list(const nlohmann::json& value);

// True for a non-empty object, array or string, a number or a bool.
bool has_content(const nlohmann::json& value);

// ASCII lower case.
std::string lower_ascii(std::string_view s);

// `s` without leading and trailing ASCII whitespace.
std::string_view trim_ascii(std::string_view s);

}  // namespace vitrine::service
