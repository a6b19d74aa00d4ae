// Cells to PLAIN values (parquet_value_encoder.hpp). Dates and times are parsed by hand (no
// locale, no time zone database): a cell's offset is the only zone it can carry, and the
// timestamps parquet_cell writes are UTC ("Z") or naive.
#include "formats/datasets/parquet_value_encoder.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

#include "formats/datasets/buffered_input.hpp"
#include "util/civil_date.hpp"
#include "util/encoding.hpp"

namespace vitrine::datasets {

namespace {

Status misfit(const std::string& what) {
  return unprocessable("expected " + what);
}

template <typename T>
void append_le(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian hosts (x86-64, aarch64)
  out->append(bytes, sizeof(T));
}

void append_byte_array(std::string* out, std::string_view bytes) {
  append_le(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes);
}

// A double narrowed to the nearest float; past the float range, an infinity (a plain cast
// would be undefined there).
float to_float(double v) {
  if (std::fabs(v) > std::numeric_limits<float>::max()) {
    return std::signbit(v) ? -std::numeric_limits<float>::infinity()
                           : std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(v);
}

// ---- text parsing ----

struct Text {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i == s.size(); }
  bool take(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  // Exactly `n` digits.
  bool digits(int n, int64_t* out) {
    int64_t v = 0;
    for (int k = 0; k < n; ++k) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i++] - '0');
    }
    *out = v;
    return true;
  }
};

bool leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// "[-]YYYY-MM-DD" (a year of 4 to 6 digits) to its day number.
bool parse_date(Text& t, int64_t* days) {
  bool negative = t.take('-');
  if (!negative) t.take('+');
  int64_t year = 0;
  size_t start = t.i;
  while (t.i < t.s.size() && t.s[t.i] >= '0' && t.s[t.i] <= '9' && t.i - start < 6) {
    year = year * 10 + (t.s[t.i++] - '0');
  }
  if (t.i - start < 4) return false;
  if (negative) year = -year;
  int64_t month = 0, day = 0;
  if (!t.take('-') || !t.digits(2, &month) || !t.take('-') || !t.digits(2, &day)) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return false;
  int64_t month_days = kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  if (day < 1 || day > month_days) return false;
  *days = util::days_from_civil(year, month, day);
  return true;
}

// "hh:mm[:ss[.f…]]": seconds of the day and the fraction's nanoseconds. Digits past the ninth
// must be zeros; *fraction_digits: the significant digits given.
bool parse_clock(Text& t, int64_t* seconds, int64_t* nanos, int* fraction_digits) {
  int64_t h = 0, m = 0, s = 0;
  if (!t.digits(2, &h) || !t.take(':') || !t.digits(2, &m)) return false;
  if (t.take(':') && !t.digits(2, &s)) return false;
  if (h > 23 || m > 59 || s > 59) return false;
  *seconds = h * 3600 + m * 60 + s;
  *nanos = 0;
  *fraction_digits = 0;
  if (t.take('.') || t.take(',')) {
    int n = 0;
    while (t.i < t.s.size() && t.s[t.i] >= '0' && t.s[t.i] <= '9') {
      int digit = t.s[t.i++] - '0';
      ++n;
      if (n <= 9) {
        *nanos = *nanos * 10 + digit;
        if (digit != 0) *fraction_digits = n;
      } else if (digit != 0) {
        *fraction_digits = n;
      }
    }
    if (n == 0) return false;
    for (int k = n; k < 9; ++k) *nanos *= 10;
  }
  return true;
}

// "Z", "±hh", "±hh:mm" or "±hhmm" to seconds east of UTC; nothing is 0.
bool parse_offset(Text& t, int64_t* offset) {
  *offset = 0;
  if (t.done()) return true;
  if (t.take('Z') || t.take('z')) return true;
  int sign = t.take('+') ? 1 : t.take('-') ? -1 : 0;
  int64_t h = 0, m = 0;
  if (sign == 0 || !t.digits(2, &h)) return false;
  if (t.take(':')) {
    if (!t.digits(2, &m)) return false;
  } else if (!t.done() && !t.digits(2, &m)) {
    return false;
  }
  if (h > 23 || m > 59) return false;
  *offset = sign * (h * 3600 + m * 60);
  return true;
}

const char* unit_name(int digits) {
  return digits == 0   ? "second"
         : digits == 3 ? "millisecond"
         : digits == 6 ? "microsecond"
                       : "nanosecond";
}

// The value of `scaled` in the leaf's unit, when it fits an int64.
bool fits_int64(__int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

Status integer_in_unit(const WriteLeaf& leaf, const nlohmann::json& cell, int64_t* out) {
  __int128 v =
      cell.is_number_unsigned() ? __int128(cell.get<uint64_t>()) : __int128(cell.get<int64_t>());
  v *= leaf.integer_scale;
  if (!fits_int64(v)) return misfit("a value in range");
  *out = static_cast<int64_t>(v);
  return Status::ok();
}

Status timestamp_value(const WriteLeaf& leaf, const nlohmann::json& cell, int64_t* out) {
  if (cell.is_number_integer()) return integer_in_unit(leaf, cell, out);
  const char* expected = "a timestamp (\"YYYY-MM-DDThh:mm:ss\")";
  if (!cell.is_string()) return misfit(expected);
  Text t{cell.get_ref<const std::string&>()};
  int64_t days = 0, seconds = 0, nanos = 0, offset = 0;
  int digits = 0;
  if (!parse_date(t, &days)) return misfit(expected);
  if (t.take('T') || t.take('t') || t.take(' ')) {
    if (!parse_clock(t, &seconds, &nanos, &digits)) return misfit(expected);
  }
  if (!parse_offset(t, &offset) || !t.done()) return misfit(expected);
  if (digits > leaf.fraction_digits) {
    return misfit(std::string("a timestamp of at most ") + unit_name(leaf.fraction_digits) +
                  " precision");
  }
  __int128 v = (__int128(days) * 86400 + seconds - offset) * leaf.per_second +
               nanos / (1000000000 / leaf.per_second);
  if (!fits_int64(v)) return misfit("a timestamp in range");
  *out = static_cast<int64_t>(v);
  return Status::ok();
}

Status time_value(const WriteLeaf& leaf, const nlohmann::json& cell, int64_t* out) {
  if (cell.is_number_integer()) {
    if (auto s = integer_in_unit(leaf, cell, out); !s) return s;
    if (*out < 0 || *out >= 86400 * leaf.per_second) return misfit("a time of day");
    return Status::ok();
  }
  const char* expected = "a time (\"hh:mm:ss\")";
  if (!cell.is_string()) return misfit(expected);
  Text t{cell.get_ref<const std::string&>()};
  int64_t seconds = 0, nanos = 0;
  int digits = 0;
  if (!parse_clock(t, &seconds, &nanos, &digits) || !t.done()) return misfit(expected);
  if (digits > leaf.fraction_digits) {
    return misfit(std::string("a time of at most ") + unit_name(leaf.fraction_digits) +
                  " precision");
  }
  *out = seconds * leaf.per_second + nanos / (1000000000 / leaf.per_second);
  return Status::ok();
}

Status date_value(const nlohmann::json& cell, int32_t* out) {
  int64_t days = 0;
  if (cell.is_number_integer()) {
    if (cell.is_number_unsigned() && cell.get<uint64_t>() > uint64_t(INT32_MAX)) {
      return misfit("a date in range");
    }
    days = cell.get<int64_t>();
  } else {
    if (!cell.is_string()) return misfit("a date (\"YYYY-MM-DD\")");
    Text t{cell.get_ref<const std::string&>()};
    if (!parse_date(t, &days) || !t.done()) return misfit("a date (\"YYYY-MM-DD\")");
  }
  if (days < INT32_MIN || days > INT32_MAX) return misfit("a date in range");
  *out = static_cast<int32_t>(days);
  return Status::ok();
}

// A decimal's unscaled value, big-endian two's complement in leaf.type_length bytes.
Status decimal_value(const WriteLeaf& leaf, const nlohmann::json& cell, std::string* out) {
  std::string text;
  if (cell.is_string()) {
    text = cell.get<std::string>();
  } else if (cell.is_number()) {
    text = cell.dump();
  } else {
    return misfit("a decimal");
  }
  std::string kind = "decimal" + std::string(leaf.precision > 38 ? "256(" : "128(") +
                     std::to_string(leaf.precision) + ", " + std::to_string(leaf.scale) + ")";
  Status bad = misfit("a decimal (\"-1.25\")");
  Text t{text};
  bool negative = t.take('-');
  if (!negative) t.take('+');
  std::string digits;
  int64_t fraction = 0;
  bool point = false;
  bool any_digit = false;
  while (!t.done()) {
    char c = t.s[t.i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (point) ++fraction;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
    ++t.i;
  }
  if (!any_digit) return bad;
  int64_t exponent = 0;
  if (t.take('e') || t.take('E')) {
    bool exponent_negative = t.take('-');
    if (!exponent_negative) t.take('+');
    size_t start = t.i;
    while (!t.done() && t.s[t.i] >= '0' && t.s[t.i] <= '9' && exponent < 100000) {
      exponent = exponent * 10 + (t.s[t.i++] - '0');
    }
    if (t.i == start) return bad;
    if (exponent_negative) exponent = -exponent;
  }
  if (!t.done()) return bad;
  // unscaled = digits × 10^shift
  int64_t shift = exponent - fraction + leaf.scale;
  if (shift < 0) {
    if (digits.empty()) {
      shift = 0;
    } else {
      size_t drop = static_cast<size_t>(std::min<int64_t>(-shift, int64_t(digits.size()) + 1));
      if (drop > digits.size() ||
          digits.find_first_not_of('0', digits.size() - drop) != std::string::npos) {
        return misfit("a value with at most " + std::to_string(leaf.scale) +
                      " decimal places for " + kind);
      }
      digits.resize(digits.size() - drop);
      shift = 0;
    }
  }
  if (!digits.empty() && int64_t(digits.size()) + shift > leaf.precision) {
    return misfit("a value of at most " + std::to_string(leaf.precision) + " digits for " + kind);
  }
  if (!digits.empty()) digits.append(static_cast<size_t>(shift), '0');
  std::string bytes(static_cast<size_t>(leaf.type_length), '\0');
  for (char c : digits) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (size_t k = bytes.size(); k-- > 0;) {
      unsigned v = static_cast<unsigned>(static_cast<uint8_t>(bytes[k])) * 10 + carry;
      bytes[k] = static_cast<char>(v & 0xff);
      carry = v >> 8;
    }
  }
  if (negative) {
    for (auto& b : bytes) b = static_cast<char>(~b);
    for (size_t k = bytes.size(); k-- > 0;) {
      if (++reinterpret_cast<unsigned char&>(bytes[k]) != 0) break;
    }
  }
  out->append(bytes);
  return Status::ok();
}

// An integer as a value of an integer leaf, when in the leaf's range.
Status append_integer(const WriteLeaf& leaf, __int128 v, std::string* out) {
  auto type = [&] {
    return (leaf.kind == LeafKind::kInt ? "int" : "uint") + std::to_string(leaf.bits);
  };
  if (leaf.kind == LeafKind::kUint) {
    if (v < 0) return misfit("a non-negative integer for " + type());
    if (v >> leaf.bits != 0) return misfit("an integer in range for " + type());
    if (leaf.bits == 64) {
      append_le(out, static_cast<uint64_t>(v));
    } else {
      append_le(out, static_cast<uint32_t>(v));
    }
    return Status::ok();
  }
  __int128 limit = __int128{1} << (leaf.bits - 1);
  if (v < -limit || v >= limit) return misfit("an integer in range for " + type());
  if (leaf.bits == 64) {
    append_le(out, static_cast<int64_t>(v));
  } else {
    append_le(out, static_cast<int32_t>(v));
  }
  return Status::ok();
}

Status integer_value(const WriteLeaf& leaf, const nlohmann::json& cell, std::string* out) {
  if (cell.is_string() && !leaf.class_names.empty()) {
    for (size_t i = 0; i < leaf.class_names.size(); ++i) {
      if (leaf.class_names[i] == cell.get_ref<const std::string&>()) {
        return append_integer(leaf, static_cast<__int128>(i), out);
      }
    }
    return misfit("an integer or a class name");
  }
  if (!cell.is_number_integer()) return misfit("an integer");
  return append_integer(
      leaf,
      cell.is_number_unsigned() ? __int128(cell.get<uint64_t>()) : __int128(cell.get<int64_t>()),
      out);
}

}  // namespace

uint16_t float_to_half(double value) {
  uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  double a = std::fabs(value);
  if (std::isnan(a)) return sign | 0x7e00;
  if (a >= 65520.0) return sign | 0x7c00;  // past the largest half (65504) by half a step
  if (a < 0x1p-14) {                       // subnormal: a count of 2^-24
    // 1024 steps round up to the smallest normal, whose bits are the same count.
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(a * 0x1p24)));
  }
  int exponent;
  double mantissa = std::frexp(a, &exponent);  // a = mantissa × 2^exponent, mantissa in [½, 1)
  double rounded = std::nearbyint(mantissa * 2048.0);
  int biased = exponent - 1 + 15;
  if (rounded == 2048.0) {
    rounded = 1024.0;
    ++biased;
  }
  if (biased >= 31) return sign | 0x7c00;
  return static_cast<uint16_t>(sign | biased << 10 | (static_cast<int>(rounded) - 1024));
}

Status encode_parquet_value(const WriteLeaf& leaf, const ScalarCell& cell, std::string* out) {
  using Kind = ScalarCell::Kind;
  switch (leaf.kind) {
    case LeafKind::kBool:
      if (cell.kind != Kind::kBool) return misfit("a boolean");
      out->push_back(cell.boolean ? 1 : 0);
      return Status::ok();
    case LeafKind::kInt:
    case LeafKind::kUint:
      if (!leaf.class_names.empty() || (cell.kind != Kind::kInt64 && cell.kind != Kind::kUInt64)) {
        return misfit("an integer");
      }
      return append_integer(
          leaf, cell.kind == Kind::kInt64 ? __int128(cell.int64) : __int128(cell.uint64), out);
    case LeafKind::kFloat32:
    case LeafKind::kFloat64: {
      if (cell.kind != Kind::kFloat64 && cell.kind != Kind::kInt64) return misfit("a number");
      double v = cell.kind == Kind::kFloat64 ? cell.float64 : static_cast<double>(cell.int64);
      if (leaf.kind == LeafKind::kFloat32) {
        append_le(out, to_float(v));
      } else {
        append_le(out, v);
      }
      return Status::ok();
    }
    case LeafKind::kString:
      if (cell.kind != Kind::kString) return misfit("a string");
      if (!valid_utf8(cell.text)) return misfit("a UTF-8 string");
      if (cell.text.size() > UINT32_MAX) return misfit("a string under 4 GiB");
      append_byte_array(out, cell.text);
      return Status::ok();
    default:
      return misfit("a JSON cell for this column's type");
  }
}

Status encode_parquet_value(const WriteLeaf& leaf, const nlohmann::json& cell, std::string* out) {
  switch (leaf.kind) {
    case LeafKind::kBool:
      if (!cell.is_boolean()) return misfit("a boolean");
      out->push_back(cell.get<bool>() ? 1 : 0);
      return Status::ok();
    case LeafKind::kInt:
    case LeafKind::kUint:
      return integer_value(leaf, cell, out);
    case LeafKind::kFloat16:
      if (!cell.is_number()) return misfit("a number");
      append_le(out, float_to_half(cell.get<double>()));
      return Status::ok();
    case LeafKind::kFloat32:
      if (!cell.is_number()) return misfit("a number");
      append_le(out, to_float(cell.get<double>()));
      return Status::ok();
    case LeafKind::kFloat64:
      if (!cell.is_number()) return misfit("a number");
      append_le(out, cell.get<double>());
      return Status::ok();
    case LeafKind::kString: {
      if (!cell.is_string()) return misfit("a string");
      const std::string& s = cell.get_ref<const std::string&>();
      if (!valid_utf8(s)) return misfit("a UTF-8 string");
      if (s.size() > UINT32_MAX) return misfit("a string under 4 GiB");
      append_byte_array(out, s);
      return Status::ok();
    }
    case LeafKind::kBinary: {
      if (!cell.is_string()) return misfit("base64-encoded bytes");
      auto bytes = util::base64_decode(cell.get_ref<const std::string&>());
      if (!bytes) return misfit("base64-encoded bytes");
      if (bytes->size() > UINT32_MAX) return misfit("bytes under 4 GiB");
      append_byte_array(out, *bytes);
      return Status::ok();
    }
    case LeafKind::kJson: {
      std::string text = cell.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (text.size() > UINT32_MAX) return misfit("a JSON value under 4 GiB");
      append_byte_array(out, text);
      return Status::ok();
    }
    case LeafKind::kDate: {
      int32_t days = 0;
      if (auto s = date_value(cell, &days); !s) return s;
      append_le(out, days);
      return Status::ok();
    }
    case LeafKind::kTimestamp: {
      int64_t v = 0;
      if (auto s = timestamp_value(leaf, cell, &v); !s) return s;
      append_le(out, v);
      return Status::ok();
    }
    case LeafKind::kTime: {
      int64_t v = 0;
      if (auto s = time_value(leaf, cell, &v); !s) return s;
      if (leaf.physical == PhysicalType::kInt32) {
        append_le(out, static_cast<int32_t>(v));
      } else {
        append_le(out, v);
      }
      return Status::ok();
    }
    case LeafKind::kDecimal:
      return decimal_value(leaf, cell, out);
    case LeafKind::kNull:
      return misfit("null (the column's type is null)");
  }
  return misfit("a value");
}

}  // namespace vitrine::datasets
