// FeatureInference (row_reader.hpp): the column types `datasets` ends up with, per format.
//
// CSV follows pandas' C parser with default options (parsers.pyx: _convert_tokens tries int64,
// float64, bool, then keeps strings; an int64 overflow tries uint64), then
// pa.Table.from_pandas. Its outcome depends on which failing cell comes first, so the state
// keeps the first failure of each attempt.
//
// JSON follows Arrow's JSON reader (arrow/json/converter.cc: a string column is timestamp[s]
// until a string does not parse, an int64 column double until…) and `datasets`' json builder,
// which makes a field `Json` when Arrow reports that its kind changed or when its objects do
// not share one non-empty key set (utils/json.py: find_mixed_struct_types_field_paths).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "formats/datasets/pandas_values.hpp"
#include "formats/datasets/row_reader.hpp"
#include "util/civil_date.hpp"
#include "util/json.hpp"

namespace vitrine::datasets {

namespace {

// ---- CSV ----

enum class Failure : uint8_t { kNone, kOverflow, kInvalid };

enum class CsvType {
  kNull,  // no rows: pandas' empty object column, which pyarrow types as null
  kInt64,
  kUInt64,
  kFloat64,
  kBool,
  kString,
  kStringKeepingNa,  // uint64 refused for negatives or missing cells: pandas keeps NA text
};

nlohmann::json value_feature(const char* dtype) {
  return {{"dtype", dtype}, {"_type", "Value"}};
}

const char* csv_dtype(CsvType t) {
  switch (t) {
    case CsvType::kNull:
      return "null";
    case CsvType::kInt64:
      return "int64";
    case CsvType::kUInt64:
      return "uint64";
    case CsvType::kFloat64:
      return "float64";
    case CsvType::kBool:
      return "bool";
    case CsvType::kString:
    case CsvType::kStringKeepingNa:
      return "string";
  }
  return "string";
}

// A CSV cell (the field's text, empty when null) as the column's type holds it. A cell that
// does not fit the type (from a row that was not observed) is null.
ScalarCell typed_csv_text(CsvType t, std::string_view text) {
  using Kind = ScalarCell::Kind;
  ScalarCell out;
  if (t == CsvType::kStringKeepingNa) {
    out.kind = Kind::kString;
    out.text = text;
    return out;
  }
  if (pandas::is_na(text)) return out;
  switch (t) {
    case CsvType::kInt64:
      if (pandas::parse_int64(text, &out.int64) == pandas::Parse::kOk) out.kind = Kind::kInt64;
      break;
    case CsvType::kUInt64: {
      pandas::UintScan scan;
      if (pandas::parse_uint64(text, &scan, &out.uint64) == pandas::Parse::kOk &&
          !scan.seen_negative) {
        out.kind = Kind::kUInt64;
      }
      break;
    }
    case CsvType::kFloat64:
      // NaN and ±inf are null in the viewer's JSON (orjson).
      if (pandas::parse_float(text, &out.float64) && std::isfinite(out.float64)) {
        out.kind = Kind::kFloat64;
      }
      break;
    case CsvType::kBool:
      if (pandas::parse_bool(text, &out.boolean)) out.kind = Kind::kBool;
      break;
    case CsvType::kString:
      out.kind = Kind::kString;
      out.text = text;
      break;
    default:
      break;
  }
  return out;
}

// The same as a JSON value (null when empty); a string keeps the cell's own value.
nlohmann::json typed_csv_cell(CsvType t, nlohmann::json&& cell) {
  std::string_view text =
      cell.is_string() ? std::string_view(cell.get_ref<const std::string&>()) : std::string_view();
  ScalarCell typed = typed_csv_text(t, text);
  if (typed.kind == ScalarCell::Kind::kString && cell.is_string()) return std::move(cell);
  return scalar_json(typed);
}

// ---- JSON ----

enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kList, kStruct, kJson };

Kind kind_of(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::boolean:
      return Kind::kBool;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return Kind::kNumber;
    case nlohmann::json::value_t::string:
      return Kind::kString;
    case nlohmann::json::value_t::array:
      return Kind::kList;
    case nlohmann::json::value_t::object:
      return Kind::kStruct;
    default:
      return Kind::kNull;
  }
}

bool fits_int64(const nlohmann::json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return true;
  return v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX);
}

bool digits(std::string_view s, size_t at, size_t n, int* out) {
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  *out = value;
  return true;
}

using util::days_from_civil;

// Arrow's ParseTimestampISO8601 for unit SECOND (arrow/util/value_parsing.h): "YYYY-MM-DD",
// then optionally [ T]hh, hh:mm or hh:mm:ss, then optionally Z, ±hh, ±hhmm or ±hh:mm (shifted
// to UTC). A fraction of a second does not fit timestamp[s]. Seconds since the epoch.
bool parse_timestamp(std::string_view s, int64_t* out) {
  size_t len = s.size();
  if (len < 10 || s[4] != '-' || s[7] != '-') return false;
  int year, month, day;
  if (!digits(s, 0, 4, &year) || !digits(s, 5, 2, &month) || !digits(s, 8, 2, &day)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) {
    return false;
  }
  int64_t seconds = days_from_civil(year, month, day) * 86400;
  if (len == 10) {
    *out = seconds;
    return true;
  }
  if (s[10] != ' ' && s[10] != 'T') return false;
  int64_t offset = 0;
  auto zone = [&](size_t at, size_t width) {  // ±hh, ±hhmm or ±hh:mm at `at`
    int hh, mm = 0;
    if (!digits(s, at + 1, 2, &hh) || hh >= 24) return false;
    if (width == 5 && (!digits(s, at + 3, 2, &mm) || mm >= 60)) return false;
    if (width == 6 && (!digits(s, at + 4, 2, &mm) || mm >= 60)) return false;
    offset = (int64_t{hh} * 3600 + int64_t{mm} * 60) * (s[at] == '+' ? -1 : 1);
    len = at;
    return true;
  };
  if (s[len - 1] == 'Z') {
    --len;
  } else if (s[len - 3] == '+' || s[len - 3] == '-') {
    if (!zone(len - 3, 3)) return false;
  } else if (s[len - 5] == '+' || s[len - 5] == '-') {
    if (!zone(len - 5, 5)) return false;
  } else if ((s[len - 6] == '+' || s[len - 6] == '-') && s[len - 3] == ':') {
    if (!zone(len - 6, 6)) return false;
  }
  int hh = 0, mm = 0, ss = 0;
  if (len != 13 && len != 16 && len != 19) return false;
  if (!digits(s, 11, 2, &hh) || hh >= 24) return false;
  if (len >= 16 && (s[13] != ':' || !digits(s, 14, 2, &mm) || mm >= 60)) return false;
  if (len == 19 && (s[16] != ':' || !digits(s, 17, 2, &ss) || ss >= 60)) return false;
  *out = seconds + int64_t{hh} * 3600 + int64_t{mm} * 60 + ss + offset;
  return true;
}

// A naive datetime as the viewer writes it (Python's isoformat through orjson).
std::string format_timestamp(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rest = seconds - days * 86400;
  util::CivilDate date = util::civil_from_days(days);
  char out[48];
  std::snprintf(out, sizeof out, "%04lld-%02d-%02dT%02d:%02d:%02d",
                static_cast<long long>(date.year), static_cast<int>(date.month),
                static_cast<int>(date.day), static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return out;
}

}  // namespace

struct FeatureInference::CsvColumn {
  uint64_t present = 0;                   // cells that are not NA
  uint64_t missing = 0;                   // NA cells
  Failure int_failure = Failure::kNone;   // the first cell that is not an int64
  Failure uint_failure = Failure::kNone;  // the first cell that is not a uint64
  pandas::UintScan uint_scan;
  bool all_float = true;
  bool all_bool = true;

  void observe(const nlohmann::json& cell) {
    observe(cell.is_string() ? std::string_view(cell.get_ref<const std::string&>())
                             : std::string_view());
  }
  // What observe() parsed of a cell, for typing it without parsing it again.
  struct Parsed {
    bool integer = false;
    bool number = false;  // a float64's text (not an int64's)
    int64_t i = 0;
    double d = 0;
  };

  // A cell's text; empty for a null cell (an empty field, which is NA).
  void observe(std::string_view text, Parsed* parsed = nullptr) {
    if (pandas::is_na(text)) {
      ++missing;
      return;
    }
    ++present;
    Parsed local;
    Parsed& p_out = parsed ? *parsed : local;
    int64_t& i = p_out.i;
    uint64_t u;
    double& d = p_out.d;
    bool b;
    bool& integer = p_out.integer;
    if (int_failure == Failure::kNone) {
      auto p = pandas::parse_int64(text, &i);
      integer = p == pandas::Parse::kOk;
      if (!integer) {
        int_failure = p == pandas::Parse::kOverflow ? Failure::kOverflow : Failure::kInvalid;
      }
    }
    if (uint_failure == Failure::kNone) {
      auto p = pandas::parse_uint64(text, &uint_scan, &u);
      if (p != pandas::Parse::kOk) {
        uint_failure = p == pandas::Parse::kOverflow ? Failure::kOverflow : Failure::kInvalid;
      }
    }
    if (integer) {  // an int64's text is a float's too, and never a bool's
      all_bool = false;
      return;
    }
    if (all_float) {
      p_out.number = pandas::parse_float(text, &d);
      all_float = p_out.number;
    }
    all_bool = all_bool && pandas::parse_bool(text, &b);
  }

  // observe(text), then the cell typed by the column's type now: typed_csv_text's value, from
  // what observe parsed when it can be.
  ScalarCell observe_and_type(std::string_view text) {
    Parsed parsed;
    observe(text, &parsed);
    CsvType t = type();
    ScalarCell out;
    if (t == CsvType::kInt64 && parsed.integer) {
      out.kind = ScalarCell::Kind::kInt64;
      out.int64 = parsed.i;
      return out;
    }
    if (t == CsvType::kFloat64 && (parsed.integer || parsed.number)) {
      // An int64's text read as a float64 is the integer rounded to the nearest double, as a
      // conversion rounds it.
      double v = parsed.integer ? static_cast<double>(parsed.i) : parsed.d;
      if (parsed.integer && parsed.i == 0 && text.find('-') != std::string_view::npos) v = -0.0;
      if (std::isfinite(v)) {
        out.kind = ScalarCell::Kind::kFloat64;
        out.float64 = v;
      }
      return out;
    }
    return typed_csv_text(t, text);
  }

  CsvType type() const {
    if (present == 0 && missing == 0) return CsvType::kNull;
    if (int_failure == Failure::kNone) return missing == 0 ? CsvType::kInt64 : CsvType::kFloat64;
    if (int_failure == Failure::kOverflow) {
      // _try_uint64: an overflow there raises OverflowError (strings); an invalid cell falls
      // through to float64; a value past int64 with negatives or NA raises ValueError
      // (strings, NA left as text); negatives alone raise OverflowError.
      if (uint_failure == Failure::kOverflow) return CsvType::kString;
      if (uint_failure == Failure::kNone) {
        if (uint_scan.seen_past_int64 && (uint_scan.seen_negative || missing > 0)) {
          return CsvType::kStringKeepingNa;
        }
        return uint_scan.seen_negative ? CsvType::kString : CsvType::kUInt64;
      }
    }
    if (all_float) return CsvType::kFloat64;
    if (all_bool) return CsvType::kBool;
    return CsvType::kString;
  }
};

struct FeatureInference::JsonType {
  Kind kind = Kind::kNull;
  bool int64 = true;               // kNumber: every number an int64 (else double)
  bool timestamp = true;           // kString: every string a timestamp[s]
  std::vector<std::string> names;  // kStruct, sorted (the cells' key order)
  std::vector<JsonType> children;  // kStruct: by names; kList: the item type

  void become_json() {
    kind = Kind::kJson;
    names.clear();
    children.clear();
  }

  void observe(const nlohmann::json& v) {
    Kind k = kind_of(v);
    if (k == Kind::kNull || kind == Kind::kJson) return;
    if (kind == Kind::kNull) {
      kind = k;
      if (k == Kind::kList) children.resize(1);
      if (k == Kind::kStruct) {
        if (v.empty()) return become_json();  // an empty object: `datasets` makes it Json
        for (const auto& [name, item] : v.items()) names.push_back(name);
        children.resize(names.size());
      }
    } else if (kind != k) {
      return become_json();  // Arrow: "Column(…) changed from number to string"
    }
    switch (k) {
      case Kind::kNumber:
        int64 = int64 && fits_int64(v);
        break;
      case Kind::kString:
        if (timestamp) {
          int64_t seconds;
          timestamp = parse_timestamp(v.get_ref<const std::string&>(), &seconds);
        }
        break;
      case Kind::kList:
        for (const auto& item : v) children[0].observe(item);
        break;
      case Kind::kStruct: {
        if (v.size() != names.size()) return become_json();
        size_t i = 0;
        for (const auto& [name, item] : v.items()) {
          if (name != names[i]) return become_json();  // both sorted: the key sets differ
          ++i;
        }
        i = 0;
        for (const auto& [name, item] : v.items()) children[i++].observe(item);
        break;
      }
      default:
        break;
    }
  }

  nlohmann::json feature() const {
    switch (kind) {
      case Kind::kNull:
        return value_feature("null");
      case Kind::kBool:
        return value_feature("bool");
      case Kind::kNumber:
        return value_feature(int64 ? "int64" : "float64");
      case Kind::kString:
        return value_feature(timestamp ? "timestamp[s]" : "string");
      case Kind::kList:
        return {{"feature", children[0].feature()}, {"_type", "List"}};
      case Kind::kStruct: {
        nlohmann::json out = nlohmann::json::object();
        for (size_t i = 0; i < names.size(); ++i) out[names[i]] = children[i].feature();
        return out;
      }
      case Kind::kJson:
        return {{"_type", "Json"}};
    }
    return nullptr;
  }

  nlohmann::json typed(nlohmann::json&& v) const {
    if (v.is_null()) return std::move(v);
    switch (kind) {
      case Kind::kNumber:
        if (!int64 && v.is_number()) return v.get<double>();
        return std::move(v);
      case Kind::kString:
        if (timestamp && v.is_string()) {
          int64_t seconds;
          if (parse_timestamp(v.get_ref<const std::string&>(), &seconds)) {
            return format_timestamp(seconds);
          }
        }
        return std::move(v);
      case Kind::kList: {
        if (!v.is_array()) return std::move(v);
        for (auto& item : v) item = children[0].typed(std::move(item));
        return std::move(v);
      }
      case Kind::kStruct: {
        if (!v.is_object()) return std::move(v);
        // An Arrow struct has every field: a missing one is null.
        nlohmann::json out = nlohmann::json::object();
        for (size_t i = 0; i < names.size(); ++i) {
          auto it = v.find(names[i]);
          out[names[i]] = it == v.end() ? nlohmann::json() : children[i].typed(std::move(*it));
        }
        return out;
      }
      case Kind::kJson:
        // `datasets` stores a Json cell as JSON text, except a string that already parses as
        // JSON, which it stores as is; the viewer shows the text decoded.
        if (v.is_string()) {
          auto decoded = util::parse_untrusted_json(v.get_ref<const std::string&>());
          if (decoded) return std::move(*decoded);
        }
        return std::move(v);
      default:
        return std::move(v);
    }
  }
};

FeatureInference::FeatureInference(SourceFormat format) : format_(format) {}
FeatureInference::FeatureInference(const FeatureInference& other) = default;
FeatureInference::FeatureInference(FeatureInference&& other) noexcept = default;
FeatureInference& FeatureInference::operator=(const FeatureInference& other) = default;
FeatureInference& FeatureInference::operator=(FeatureInference&& other) noexcept = default;
FeatureInference::~FeatureInference() = default;

void FeatureInference::observe(const std::vector<std::string>& columns, const Row& row) {
  size_t n = std::max(columns.size(), row.size());
  static const nlohmann::json kNull;
  switch (format_) {
    case SourceFormat::kCsv:
      if (csv_.size() < n) csv_.resize(n);
      for (size_t i = 0; i < n; ++i) csv_[i].observe(i < row.size() ? row[i] : kNull);
      break;
    case SourceFormat::kJson:
      if (json_.size() < n) json_.resize(n);
      for (size_t i = 0; i < row.size(); ++i) json_[i].observe(row[i]);
      break;
    case SourceFormat::kText:
      break;
  }
}

void FeatureInference::observe_text(const std::vector<std::string_view>& cells) {
  if (format_ != SourceFormat::kCsv) return;
  if (csv_.size() < cells.size()) csv_.resize(cells.size());
  for (size_t i = 0; i < csv_.size(); ++i) {
    csv_[i].observe(i < cells.size() ? cells[i] : std::string_view());
  }
}

void FeatureInference::observe_text(const std::vector<std::string>& columns,
                                    const std::vector<std::string_view>& cells,
                                    std::vector<ScalarCell>* typed) {
  if (format_ != SourceFormat::kCsv) return;
  if (csv_.size() < cells.size()) csv_.resize(cells.size());
  typed->resize(columns.size());
  for (size_t i = 0; i < csv_.size(); ++i) {
    std::string_view text = i < cells.size() ? cells[i] : std::string_view();
    if (i < columns.size()) {
      (*typed)[i] = csv_[i].observe_and_type(text);
    } else {
      csv_[i].observe(text);
    }
  }
  for (size_t i = csv_.size(); i < columns.size(); ++i) (*typed)[i] = ScalarCell();
}

void FeatureInference::typed_text(const std::vector<std::string>& columns,
                                  const std::vector<std::string_view>& cells,
                                  std::vector<ScalarCell>* out) const {
  out->resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    CsvType t = i < csv_.size() ? csv_[i].type() : CsvType::kNull;
    (*out)[i] = typed_csv_text(t, i < cells.size() ? cells[i] : std::string_view());
  }
}

bool FeatureInference::same_types(const FeatureInference& other,
                                  const std::vector<std::string>& columns) const {
  if (format_ != other.format_ || features(columns) != other.features(columns)) return false;
  if (format_ != SourceFormat::kCsv) return true;
  for (size_t i = 0; i < columns.size(); ++i) {
    CsvType a = i < csv_.size() ? csv_[i].type() : CsvType::kNull;
    CsvType b = i < other.csv_.size() ? other.csv_[i].type() : CsvType::kNull;
    if (a != b) return false;
  }
  return true;
}

nlohmann::json scalar_json(const ScalarCell& cell) {
  switch (cell.kind) {
    case ScalarCell::Kind::kInt64:
      return cell.int64;
    case ScalarCell::Kind::kUInt64:
      return cell.uint64;
    case ScalarCell::Kind::kFloat64:
      return cell.float64;
    case ScalarCell::Kind::kBool:
      return cell.boolean;
    case ScalarCell::Kind::kString:
      return std::string(cell.text);
    case ScalarCell::Kind::kNull:
      break;
  }
  return nullptr;
}

nlohmann::json FeatureInference::features(const std::vector<std::string>& columns) const {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < columns.size(); ++i) {
    nlohmann::json type;
    switch (format_) {
      case SourceFormat::kCsv:
        type = value_feature(csv_dtype(i < csv_.size() ? csv_[i].type() : CsvType::kNull));
        break;
      case SourceFormat::kJson:
        type = i < json_.size() ? json_[i].feature() : value_feature("null");
        break;
      case SourceFormat::kText:
        type = value_feature("string");
        break;
    }
    out.push_back({{"name", columns[i]}, {"type", std::move(type)}});
  }
  return out;
}

Row FeatureInference::typed(const std::vector<std::string>& columns, const Row& row) const {
  return typed(columns, Row(row));
}

Row FeatureInference::typed(const std::vector<std::string>& columns, Row&& row) const {
  row.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    nlohmann::json& cell = row[i];
    switch (format_) {
      case SourceFormat::kCsv: {
        CsvType t = i < csv_.size() ? csv_[i].type() : CsvType::kNull;
        cell = typed_csv_cell(t, std::move(cell));
        break;
      }
      case SourceFormat::kJson:
        if (i < json_.size()) cell = json_[i].typed(std::move(cell));
        break;
      case SourceFormat::kText:
        break;
    }
  }
  return std::move(row);
}

}  // namespace vitrine::datasets
