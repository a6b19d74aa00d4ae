// pandas' readings of one CSV field (pandas_values.hpp).
#include "formats/datasets/pandas_values.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace vitrine::datasets::pandas {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

bool is_na(std::string_view text) {
  static constexpr std::string_view kNa[] = {"",         "#N/A", "#N/A N/A", "#NA",    "-1.#IND",
                                             "-1.#QNAN", "-NaN", "-nan",     "1.#IND", "1.#QNAN",
                                             "<NA>",     "N/A",  "NA",       "NULL",   "NaN",
                                             "None",     "n/a",  "nan",      "null"};
  if (text.size() > 8) return false;
  // Every NA spelling but "" starts with one of these.
  if (!text.empty() && std::string_view("#-1<Nn").find(text[0]) == std::string_view::npos) {
    return false;
  }
  for (std::string_view na : kNa) {
    if (text == na) return true;
  }
  return false;
}

Parse parse_int64(std::string_view text, int64_t* out) {
  size_t i = 0, n = text.size();
  while (i < n && is_space(text[i])) ++i;
  bool negative = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  if (i >= n || !is_digit(text[i])) return Parse::kInvalid;
  // Accumulated as a negative number so that INT64_MIN fits.
  int64_t value = 0;
  for (; i < n && is_digit(text[i]); ++i) {
    int digit = text[i] - '0';
    if (value < (INT64_MIN + digit) / 10) return Parse::kOverflow;
    value = value * 10 - digit;
  }
  while (i < n && is_space(text[i])) ++i;
  if (i < n) return Parse::kInvalid;
  if (!negative) {
    if (value == INT64_MIN) return Parse::kOverflow;
    value = -value;
  }
  *out = value;
  return Parse::kOk;
}

Parse parse_uint64(std::string_view text, UintScan* scan, uint64_t* out) {
  size_t i = 0, n = text.size();
  while (i < n && is_space(text[i])) ++i;
  if (i < n && text[i] == '-') {
    scan->seen_negative = true;
    *out = 0;
    return Parse::kOk;
  }
  if (i < n && text[i] == '+') ++i;
  if (i >= n || !is_digit(text[i])) return Parse::kInvalid;
  uint64_t value = 0;
  for (; i < n && is_digit(text[i]); ++i) {
    uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return Parse::kOverflow;
    value = value * 10 + digit;
  }
  while (i < n && is_space(text[i])) ++i;
  if (i < n) return Parse::kInvalid;
  if (value > static_cast<uint64_t>(INT64_MAX)) scan->seen_past_int64 = true;
  *out = value;
  return Parse::kOk;
}

bool parse_float(std::string_view text, double* out) {
  static constexpr std::string_view kInfinities[] = {"inf", "infinity"};
  std::string_view unsigned_text = text.substr(!text.empty() && (text[0] == '+' || text[0] == '-'));
  if (!unsigned_text.empty() && (unsigned_text[0] == 'i' || unsigned_text[0] == 'I')) {
    for (std::string_view inf : kInfinities) {
      if (equals_ignoring_case(unsigned_text, inf)) {
        *out = text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return true;
      }
    }
  }
  // The grammar first, so that strtod reads nothing else (hex, "nan", "inf" with spaces).
  size_t i = 0, n = text.size();
  while (i < n && is_space(text[i])) ++i;
  size_t start = i;
  if (i < n && (text[i] == '-' || text[i] == '+')) ++i;
  size_t digits = 0;
  for (; i < n && is_digit(text[i]); ++i) ++digits;
  if (i < n && text[i] == '.') {
    for (++i; i < n && is_digit(text[i]); ++i) ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (text[j] == '-' || text[j] == '+')) ++j;
    if (j < n && is_digit(text[j])) {
      for (i = j; i < n && is_digit(text[i]); ++i) {
      }
    }  // else not an exponent: the 'e' is left over, and fails below
  }
  size_t end = i;
  while (i < n && is_space(text[i])) ++i;
  if (i < n) return false;
  // from_chars rounds as strtod does; it takes no '+', and a value out of range goes to strtod
  // (which returns an underflow's nearest value).
  size_t from = start + (text[start] == '+' ? 1 : 0);
  double parsed;
  auto [ptr, ec] = std::from_chars(text.data() + from, text.data() + end, parsed);
  if (ec == std::errc() && ptr == text.data() + end) {
    *out = parsed;
    return true;
  }
  std::string number(text.substr(start, end - start));
  errno = 0;
  double value = std::strtod(number.c_str(), nullptr);
  if (errno == ERANGE && std::isinf(value)) return false;  // pandas: out of range, not a float
  *out = value;
  return true;
}

bool parse_bool(std::string_view text, bool* out) {
  if (text.size() != 4 && text.size() != 5) return false;
  if (equals_ignoring_case(text, "true")) {
    *out = true;
    return true;
  }
  if (equals_ignoring_case(text, "false")) {
    *out = false;
    return true;
  }
  return false;
}

}  // namespace vitrine::datasets::pandas
