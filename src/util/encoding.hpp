// Byte-level encodings used on the wire: percent-encoding for URLs, base64 for commit payloads,
// and hex for digests. All functions are pure and thread-safe; malformed input to a decoder
// yields std::nullopt rather than an exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrine::util {

// Decodes %XX escapes (either hex case). Returns nullopt when a '%' is not followed by two hex
// digits. '+' is left as is (use QueryParams for form-style decoding).
std::optional<std::string> percent_decode(std::string_view s);

// Encodes like JavaScript's encodeURIComponent: A-Za-z0-9 and -_.!~*'() are kept, every other
// byte becomes %XX with uppercase hex.
std::string percent_encode_component(std::string_view s);

// Same as percent_encode_component but also keeps '/', for repository file paths in URLs.
std::string percent_encode_path(std::string_view s);

// Standard base64 (RFC 4648 alphabet) with '=' padding.
std::string base64_encode(std::string_view data);

// Decodes standard base64, with or without '=' padding; '\n' and '\r' are ignored. Returns
// nullopt on any other character outside the alphabet, misplaced padding, or a dangling
// single character.
std::optional<std::string> base64_decode(std::string_view text);

// Lowercase hex of arbitrary bytes.
std::string to_hex(std::string_view bytes);
// The bytes of hex digits (either case); nullopt for an odd length or a non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);

// True iff s is non-empty and consists only of hex digits (either case).
bool is_hex(std::string_view s);

// Appends s to out with & < > " ' written as character references: safe in HTML text and in
// attribute values quoted either way.
void append_html_escaped(std::string& out, std::string_view s);
inline std::string html_escape(std::string_view s) {
  std::string out;
  append_html_escaped(out, s);
  return out;
}

// s with ASCII letters lower-cased (other bytes, UTF-8 included, unchanged).
std::string to_lower_ascii(std::string s);

// True iff s is exactly len lowercase hex digits (e.g. len 40 for a git oid, 64 for sha256).
bool is_lower_hex(std::string_view s, size_t len);

// A whole string of decimal digits as an unsigned 64-bit number (no sign, no spaces, no
// overflow); false otherwise.
bool parse_u64(std::string_view s, uint64_t* out);

}  // namespace vitrine::util
