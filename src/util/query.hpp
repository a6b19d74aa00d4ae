// QueryParams: the parsed query string of a request URL, in the form-encoding the Hugging Face
// clients send ('+' is a space, `expand[]=a&expand[]=b` is a repeated key). Keys keep their
// order of first appearance so encode() is stable. Not thread-safe for concurrent mutation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitrine::util {

class QueryParams {
 public:
  // Parses "a=1&b=x+y&c[]=1&c[]=2" (no leading '?'). Empty pieces are skipped; a piece without
  // '=' has an empty value. '+' becomes a space and %XX is decoded in keys and values; a
  // malformed escape keeps the raw text. A key ending in "[]" is stored without the suffix.
  static QueryParams parse(std::string_view query_without_question_mark);

  // First value of key, or nullopt when absent.
  std::optional<std::string> get(std::string_view key) const;
  // Every value of key, in order; empty when absent.
  std::vector<std::string> get_all(std::string_view key) const;
  bool has(std::string_view key) const;
  // True iff the first value is "true", "True" or "1"; false when absent.
  bool flag(std::string_view key) const;

  // Re-serializes as "k=v&k2=v2" with keys and values percent-encoded (component style), in
  // the stored order. Used to build pagination Link URLs.
  std::string encode() const;

  // Replaces all values of key with a single value (appended at the end when key is new).
  void set(std::string key, std::string value);

  // Every (key, value) pair, decoded, in the order received.
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace vitrine::util
