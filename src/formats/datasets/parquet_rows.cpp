// Record assembly and cells (parquet_rows.hpp). The assembly follows the Dremel scheme of the
// Parquet format: every leaf under a node shares that node's definition and repetition levels,
// so the first leaf under a node says whether the node is null, an empty list or present, and
// reading a node's value advances every leaf under it.
#include "formats/datasets/parquet_rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <unordered_map>

#include "formats/datasets/parquet_json_cells.hpp"
#include "formats/datasets/parquet_offset_index.hpp"
#include "formats/datasets/parquet_page_header.hpp"
#include "util/civil_date.hpp"
#include "util/encoding.hpp"
#include "util/spare_threads.hpp"

namespace vitrine::datasets {

namespace {

using Kind = LogicalType::Kind;
using Json = nlohmann::json;

class MemoryFile : public RandomAccessFile {
 public:
  explicit MemoryFile(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  Status read_at(uint64_t offset, size_t n, std::string* out) override {
    if (offset > bytes_.size() || n > bytes_.size() - offset) {
      return unprocessable("a read past the end of the file");
    }
    out->assign(bytes_.substr(offset, n));
    return Status::ok();
  }

 private:
  std::string_view bytes_;
};

Status rows_error(const std::string& what) {
  return unprocessable("Parquet rows: " + what);
}

bool is_group(const SchemaElement& e) {
  return !e.type.has_value();
}
bool is_list(const SchemaElement& e) {
  return e.logical_type.kind == Kind::kList || e.converted_type == ConvertedType::kList;
}
bool is_map(const SchemaElement& e) {
  return e.logical_type.kind == Kind::kMap || e.converted_type == ConvertedType::kMap ||
         e.converted_type == ConvertedType::kMapKeyValue;
}

// ---- cells ----

using util::floor_div;

std::string two(unsigned v) {
  char b[3] = {char('0' + v / 10 % 10), char('0' + v % 10), 0};
  return b;
}

std::string date_text(int64_t days) {
  util::CivilDate date = util::civil_from_days(days);
  int64_t y = date.year;
  auto m = static_cast<unsigned>(date.month);
  auto d = static_cast<unsigned>(date.day);
  char year[24];
  if (y >= 0 && y <= 9999) {
    std::snprintf(year, sizeof year, "%04lld", static_cast<long long>(y));
  } else {
    std::snprintf(year, sizeof year, "%lld", static_cast<long long>(y));
  }
  return std::string(year) + "-" + two(m) + "-" + two(d);
}

// "HH:MM:SS" and the fraction of `nanos` (0..1e9): six digits when there are microseconds,
// nine when there are nanoseconds (pandas' isoformat), none when zero.
std::string time_text(int64_t second_of_day, int64_t nanos) {
  std::string out = two(unsigned(second_of_day / 3600)) + ":" +
                    two(unsigned(second_of_day / 60 % 60)) + ":" +
                    two(unsigned(second_of_day % 60));
  if (nanos != 0) {
    char frac[32];
    if (nanos % 1000 == 0) {
      std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(nanos / 1000));
    } else {
      std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
    }
    out += frac;
  }
  return out;
}

int64_t per_second(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return 1000;
    case TimeUnit::kMicros:
      return 1000000;
    case TimeUnit::kNanos:
      return 1000000000;
  }
  return 1000;
}

std::string timestamp_text(int64_t value, TimeUnit unit, bool utc) {
  int64_t per = per_second(unit);
  int64_t seconds = floor_div(value, per);
  int64_t sub = value % per;  // never value - seconds * per: that overflows at INT64_MIN
  if (sub < 0) sub += per;
  int64_t nanos = sub * (1000000000 / per);
  int64_t days = floor_div(seconds, 86400);
  return date_text(days) + "T" + time_text(seconds - days * 86400, nanos) + (utc ? "Z" : "");
}

std::string time_of_day_text(int64_t value, TimeUnit unit) {
  int64_t per = per_second(unit);
  int64_t seconds = floor_div(value, per);
  int64_t sub = value % per;
  if (sub < 0) sub += per;
  int64_t nanos = sub * (1000000000 / per);
  seconds = ((seconds % 86400) + 86400) % 86400;
  // Python's time keeps microseconds.
  return time_text(seconds, nanos / 1000 * 1000);
}

// Big-endian two's complement bytes to a decimal digit string and its sign.
std::string unscaled_digits(std::string_view be, bool* negative) {
  std::vector<uint8_t> mag(be.begin(), be.end());
  *negative = !mag.empty() && (mag[0] & 0x80);
  if (*negative) {  // two's complement negation
    for (auto& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  std::string digits;
  size_t start = 0;
  while (start < mag.size()) {
    unsigned rem = 0;
    for (size_t i = start; i < mag.size(); ++i) {
      unsigned cur = rem * 256 + mag[i];
      mag[i] = static_cast<uint8_t>(cur / 10);
      rem = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + rem));
    while (start < mag.size() && mag[start] == 0) ++start;
  }
  if (digits.empty()) digits = "0";
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// Python's str(Decimal) of unscaled * 10^-scale.
std::string decimal_text(const std::string& digits, bool negative, int32_t scale) {
  int64_t exponent = -static_cast<int64_t>(scale);
  auto n = static_cast<int64_t>(digits.size());
  int64_t adjusted = exponent + n - 1;
  std::string out = negative ? "-" : "";
  if (exponent <= 0 && adjusted >= -6) {
    if (exponent == 0) return out + digits;
    int64_t point = n + exponent;  // digits before the point
    if (point > 0) return out + digits.substr(0, point) + "." + digits.substr(point);
    return out + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  }
  out += digits.substr(0, 1);
  if (n > 1) out += "." + digits.substr(1);
  out += "E";
  out += adjusted >= 0 ? "+" : "-";
  out += std::to_string(adjusted >= 0 ? adjusted : -adjusted);
  return out;
}

std::string be_of(int64_t v, size_t bytes) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[bytes - 1 - i] = static_cast<char>(v >> (8 * i));
  return out;
}

Json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

double half_to_double(uint16_t h) {
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent == 31) {
    value = mantissa ? NAN : INFINITY;
  } else {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  }
  return (h & 0x8000) ? -value : value;
}

std::string uuid_text(std::string_view b) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto c = static_cast<uint8_t>(b[i]);
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

}  // namespace

bool parquet_text_leaf(const SchemaElement& leaf) {
  const LogicalType& t = leaf.logical_type;
  auto converted = leaf.converted_type;
  if (!leaf.type || *leaf.type != PhysicalType::kByteArray || t.kind == Kind::kUnknown ||
      t.kind == Kind::kDecimal || converted == ConvertedType::kDecimal) {
    return false;
  }
  return t.kind == Kind::kString || t.kind == Kind::kEnum || t.kind == Kind::kJson ||
         converted == ConvertedType::kUtf8 || converted == ConvertedType::kEnum ||
         converted == ConvertedType::kJson;
}

Json parquet_cell(const SchemaElement& leaf, const ParquetValues& values, size_t i) {
  const LogicalType& t = leaf.logical_type;
  auto converted = leaf.converted_type;
  if (t.kind == Kind::kUnknown) return nullptr;
  bool decimal = t.kind == Kind::kDecimal || converted == ConvertedType::kDecimal;
  int32_t scale = t.kind == Kind::kDecimal ? t.scale : leaf.scale.value_or(0);
  auto decimal_of = [&](std::string_view be) -> Json {
    if (be.size() > 64) return util::base64_encode(be);
    bool negative = false;
    std::string digits = unscaled_digits(be, &negative);
    return decimal_text(digits, negative, scale);
  };
  switch (values.type) {
    case PhysicalType::kBoolean:
      return values.int32s[i] != 0;
    case PhysicalType::kInt32: {
      int32_t v = values.int32s[i];
      if (decimal) return decimal_of(be_of(v, 4));
      if (t.kind == Kind::kDate || converted == ConvertedType::kDate) return date_text(v);
      if (t.kind == Kind::kTime || converted == ConvertedType::kTimeMillis) {
        return time_of_day_text(v, TimeUnit::kMillis);
      }
      bool is_unsigned = (t.kind == Kind::kInteger && !t.is_signed) ||
                         converted == ConvertedType::kUint8 ||
                         converted == ConvertedType::kUint16 || converted == ConvertedType::kUint32;
      if (is_unsigned) return static_cast<uint32_t>(v);
      return v;
    }
    case PhysicalType::kInt64: {
      int64_t v = values.int64s[i];
      if (decimal) return decimal_of(be_of(v, 8));
      if (t.kind == Kind::kTimestamp) return timestamp_text(v, t.unit, t.adjusted_to_utc);
      if (converted == ConvertedType::kTimestampMillis) {
        return timestamp_text(v, TimeUnit::kMillis, true);
      }
      if (converted == ConvertedType::kTimestampMicros) {
        return timestamp_text(v, TimeUnit::kMicros, true);
      }
      if (t.kind == Kind::kTime) return time_of_day_text(v, t.unit);
      if (converted == ConvertedType::kTimeMicros) return time_of_day_text(v, TimeUnit::kMicros);
      if ((t.kind == Kind::kInteger && !t.is_signed) || converted == ConvertedType::kUint64) {
        return static_cast<uint64_t>(v);
      }
      return v;
    }
    case PhysicalType::kInt96: {
      std::string_view b = values.bytes_at(i);
      uint64_t nanos = 0;
      uint32_t julian = 0;
      for (int k = 7; k >= 0; --k) nanos = nanos << 8 | static_cast<uint8_t>(b[k]);
      for (int k = 11; k >= 8; --k) julian = julian << 8 | static_cast<uint8_t>(b[k]);
      int64_t days = static_cast<int64_t>(julian) - 2440588;
      auto n = static_cast<int64_t>(nanos % 86400000000000ull);
      return date_text(days + static_cast<int64_t>(nanos / 86400000000000ull)) + "T" +
             time_text(n / 1000000000, n % 1000000000);
    }
    case PhysicalType::kFloat:
      return number(static_cast<double>(values.floats[i]));
    case PhysicalType::kDouble:
      return number(values.doubles[i]);
    case PhysicalType::kByteArray: {
      std::string_view b = values.bytes_at(i);
      if (decimal) return decimal_of(b);
      if (parquet_text_leaf(leaf)) return std::string(b);
      return util::base64_encode(b);
    }
    case PhysicalType::kFixedLenByteArray: {
      std::string_view b = values.bytes_at(i);
      if (decimal) return decimal_of(b);
      if (t.kind == Kind::kFloat16 && b.size() == 2) {
        auto h =
            static_cast<uint16_t>(static_cast<uint8_t>(b[0]) | static_cast<uint8_t>(b[1]) << 8);
        return number(half_to_double(h));
      }
      if (t.kind == Kind::kUuid && b.size() == 16) return uuid_text(b);
      return util::base64_encode(b);
    }
  }
  return nullptr;
}

namespace {

// ---- assembly ----

struct Cursor {
  const ColumnChunkValues* v = nullptr;
  const SchemaElement* leaf = nullptr;
  size_t level = 0;
  size_t value = 0;

  bool at_end() const { return level >= v->num_slots; }
  int def() const {
    return v->definition_levels.empty() ? v->max_definition_level : v->definition_levels[level];
  }
  int rep() const { return v->repetition_levels.empty() ? 0 : v->repetition_levels[level]; }
  void advance() {
    if (def() == v->max_definition_level) ++value;
    ++level;
  }
};

class Assembler {
 public:
  // `order`: the top-level fields to assemble, in that order (null: all, in schema order).
  Assembler(const ParquetSchema& schema, std::vector<Cursor>& cursors,
            const std::vector<size_t>* order)
      : schema_(schema), cursors_(cursors), order_(order) {
    first_leaf_.resize(schema.nodes.size());
    leaves_.resize(schema.nodes.size());
    collect(0);
  }

  // Skips `rows` rows of one column.
  Status skip_rows(size_t column, uint64_t rows) {
    Cursor& c = cursors_[column];
    if (c.v->repetition_levels.empty()) {
      if (rows > c.v->num_slots - c.level)
        return rows_error("a column has fewer rows than its row group");
      for (uint64_t r = 0; r < rows; ++r) c.advance();
      return Status::ok();
    }
    for (uint64_t r = 0; r < rows; ++r) {
      if (c.at_end()) return rows_error("a column has fewer rows than its row group");
      c.advance();
      while (!c.at_end() && c.rep() != 0) c.advance();
    }
    return Status::ok();
  }

  // One row: a cell per top-level field.
  Result<Row> row() {
    Row out;
    out.reserve(schema_.nodes[0].children.size());
    const auto& fields = schema_.nodes[0].children;
    if (order_) {
      for (size_t f : *order_) {
        if (f >= fields.size()) {
          out.emplace_back(nullptr);
          continue;
        }
        auto cell = child(fields[f]);
        if (!cell) return cell.status();
        out.push_back(std::move(*cell));
      }
    } else {
      for (size_t f = 0; f < fields.size(); ++f) {
        auto cell = child(fields[f]);
        if (!cell) return cell.status();
        out.push_back(std::move(*cell));
      }
    }
    for (const Cursor& c : cursors_) {
      if (!c.at_end() && c.rep() != 0) return rows_error("the columns' levels do not agree");
    }
    return out;
  }

 private:
  void collect(size_t node) {
    const SchemaNode& n = schema_.nodes[node];
    if (n.column) {
      first_leaf_[node] = *n.column;
      leaves_[node] = {*n.column};
      return;
    }
    for (size_t c : n.children) {
      collect(c);
      leaves_[node].insert(leaves_[node].end(), leaves_[c].begin(), leaves_[c].end());
    }
    if (!leaves_[node].empty()) first_leaf_[node] = leaves_[node][0];
  }

  Status need(const Cursor& c) const {
    if (c.at_end()) return rows_error("a column ends before its row group's rows");
    return Status::ok();
  }

  // Advances every leaf under `node` past one entry (a null or an empty list there).
  Status skip_entry(size_t node) {
    for (size_t leaf : leaves_[node]) {
      if (auto s = need(cursors_[leaf]); !s) return s;
      cursors_[leaf].advance();
    }
    return Status::ok();
  }

  const SchemaElement& element(size_t node) const { return schema_.elements[node]; }
  Repetition repetition(size_t node) const {
    return element(node).repetition.value_or(Repetition::kRequired);
  }

  // A child of a present group: a list when it is repeated, else its value or null.
  Result<Json> child(size_t node) {
    if (repetition(node) == Repetition::kRepeated) return repeated(node, /*as_element=*/true);
    if (leaves_[node].empty()) return Json(nullptr);  // a group without leaves
    const Cursor& first = cursors_[first_leaf_[node]];
    if (auto s = need(first); !s) return s;
    if (repetition(node) == Repetition::kOptional &&
        first.def() < schema_.nodes[node].max_definition_level) {
      if (auto s = skip_entry(node); !s) return s;
      return Json(nullptr);
    }
    return present(node);
  }

  // The value of a node known to be present, as FeatureBuilder::feature types it.
  Result<Json> present(size_t node) {
    const SchemaElement& e = element(node);
    if (!is_group(e)) {
      Cursor& c = cursors_[*schema_.nodes[node].column];
      if (auto s = need(c); !s) return s;
      if (c.def() != c.v->max_definition_level) {  // null inside a required path: a lie
        c.advance();
        return Json(nullptr);
      }
      if (c.value >= c.v->values.size()) return rows_error("levels past the values");
      Json cell = parquet_cell(*c.leaf, c.v->values, c.value);
      c.advance();
      return cell;
    }
    const auto& children = schema_.nodes[node].children;
    if (children.size() == 1 && repetition(children[0]) == Repetition::kRepeated) {
      size_t r = children[0];
      if (is_list(e)) {
        const SchemaElement& re = element(r);
        const auto& rc = schema_.nodes[r].children;
        bool r_is_element =
            !is_group(re) || rc.size() != 1 || re.name == "array" || re.name == e.name + "_tuple";
        return repeated(r, r_is_element);
      }
      if (is_map(e) && is_group(element(r)) && schema_.nodes[r].children.size() == 2) {
        return repeated(r, true, /*map_entries=*/true);
      }
    }
    Json out = Json::object();
    for (size_t c : children) {
      auto value = child(c);
      if (!value) return value.status();
      out[element(c).name] = std::move(*value);
    }
    return out;
  }

  // The list of a repeated node `r` whose parent is present: each occurrence is an element,
  // itself (`as_element`) or its one child.
  Result<Json> repeated(size_t r, bool as_element, bool map_entries = false) {
    Json out = Json::array();
    if (leaves_[r].empty()) return out;
    const Cursor& first = cursors_[first_leaf_[r]];
    if (auto s = need(first); !s) return s;
    const SchemaNode& node = schema_.nodes[r];
    if (first.def() < node.max_definition_level) {
      if (auto s = skip_entry(r); !s) return s;
      return out;
    }
    while (true) {
      Result<Json> element_value = Json(nullptr);
      if (map_entries) {
        const auto& kv = node.children;
        auto key = child(kv[0]);
        if (!key) return key.status();
        auto value = child(kv[1]);
        if (!value) return value.status();
        element_value = Json{{"key", std::move(*key)}, {"value", std::move(*value)}};
      } else if (as_element) {
        element_value = present(r);
      } else {
        element_value = child(node.children[0]);
      }
      if (!element_value) return element_value.status();
      out.push_back(std::move(*element_value));
      if (first.at_end() || first.rep() < node.max_repetition_level) break;
      if (first.rep() > node.max_repetition_level) {
        return rows_error("a repetition level deeper than its list");
      }
      if (first.def() < node.max_definition_level) {
        return rows_error("a list continues with a missing element");
      }
    }
    return out;
  }

  const ParquetSchema& schema_;
  std::vector<Cursor>& cursors_;
  const std::vector<size_t>* order_;
  std::vector<size_t> first_leaf_;
  std::vector<std::vector<size_t>> leaves_;
};

}  // namespace

// The data pages of a chunk [begin, end) up to the one holding row `last`, found from their
// headers alone, read a few bytes at a time: no page data is read or decompressed. A page's rows
// are its num_values when the column has no repetition, a v2 page's num_rows otherwise; a v1 page
// of a repeated column says no row count, and then nothing is found (the chunk is read whole).
// *dictionary_end: where the data pages begin (the dictionary page lies before). `read` counts
// what is read against the caller's budget.
template <typename Read>
Result<std::vector<PageLocation>> locate_pages(int64_t begin, int64_t end, bool repeated,
                                               uint64_t last, Read read, int64_t* dictionary_end) {
  std::vector<PageLocation> pages;
  int64_t at = begin;
  int64_t row = 0;
  *dictionary_end = begin;
  std::string bytes;
  while (at < end) {
    size_t want = 256;
    Result<PageHeader> header = Status::ok();
    size_t consumed = 0;
    for (;;) {
      auto n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(want), end - at));
      if (auto s = read(at, n, &bytes); !s) return s;
      header = parse_page_header(bytes, &consumed);
      if (header || header.status().kind() != ErrorKind::kRangeNotSatisfiable ||
          static_cast<int64_t>(n) == end - at || want >= kMaxPageHeaderBytes) {
        break;
      }
      want = std::min<size_t>(want * 64, kMaxPageHeaderBytes);
    }
    if (!header) return std::vector<PageLocation>{};  // let the whole-chunk read say what is wrong
    int64_t size = static_cast<int64_t>(consumed) + header->compressed_page_size;
    if (size > end - at) return std::vector<PageLocation>{};
    int64_t rows = -1;
    if (header->type == PageType::kDictionaryPage) {
      if (!pages.empty()) return std::vector<PageLocation>{};
      at += size;
      *dictionary_end = at;
      continue;
    }
    if (header->type == PageType::kDataPage && !repeated) {
      rows = header->data_page_header->num_values;
    } else if (header->type == PageType::kDataPageV2) {
      rows = header->data_page_header_v2->num_rows;
    } else if (header->type == PageType::kIndexPage) {
      at += size;
      continue;
    }
    if (rows < 0) return std::vector<PageLocation>{};
    pages.push_back({at, static_cast<int32_t>(size), row});
    row += rows;
    at += size;
    if (row > static_cast<int64_t>(last)) break;
  }
  return pages;
}

std::unique_ptr<RandomAccessFile> memory_file(std::string_view bytes) {
  return std::make_unique<MemoryFile>(bytes);
}

Result<ParquetFile> ParquetFile::open(std::shared_ptr<RandomAccessFile> file, FooterCache* cache,
                                      const std::string& key) {
  if (cache) {
    if (auto parsed = cache->get(key)) return ParquetFile(std::move(file), std::move(parsed));
  }
  uint64_t size = file->size();
  std::string tail;
  uint64_t want = std::min<uint64_t>(size, 64u << 10);
  if (want < 8) return unprocessable("Parquet: a file of " + std::to_string(size) + " bytes");
  if (auto s = file->read_at(size - want, static_cast<size_t>(want), &tail); !s) return s;
  auto need = parquet_tail_size(tail, size);
  if (!need) return need.status();
  if (*need > tail.size()) {
    if (auto s = file->read_at(size - *need, static_cast<size_t>(*need), &tail); !s) return s;
  }
  auto footer = parse_parquet_footer(tail, size);
  if (!footer) return footer.status();
  auto schema = build_parquet_schema(footer->schema);
  if (!schema) return schema.status();
  if (auto s = check_column_chunks(*footer, *schema); !s) return s;
  uint64_t rows = 0;
  for (const auto& group : footer->row_groups) {
    for (const auto& chunk : group.columns) {
      if (chunk.file_path) return unprocessable("Parquet: column chunks in another file");
    }
    rows += static_cast<uint64_t>(std::max<int64_t>(0, group.num_rows));
  }
  // The count the viewer reports must be the rows there are (a footer may claim rows without
  // row groups).
  if (rows != static_cast<uint64_t>(footer->num_rows)) {
    return unprocessable("Parquet: the footer's num_rows (" + std::to_string(footer->num_rows) +
                         ") is not the sum of its row groups' (" + std::to_string(rows) + ")");
  }
  auto parsed = std::make_shared<Parsed>();
  parsed->footer = std::move(*footer);
  parsed->schema = std::move(*schema);
  parsed->bytes = *need;
  for (auto& field : parquet_dataset_features(parsed->footer, parsed->schema)) {
    bool json = feature_has_json(field["type"]);
    parsed->json_types.push_back(json ? std::move(field["type"]) : nlohmann::ordered_json());
  }
  // A parsed footer takes about 20 times its bytes in memory (each column chunk's metadata).
  if (cache) cache->put(key, parsed, 32 * parsed->bytes + 4096);
  return ParquetFile(std::move(file), std::move(parsed));
}

std::vector<std::string> ParquetFile::column_names() const {
  std::vector<std::string> out;
  for (size_t child : parsed_->schema.nodes[0].children)
    out.push_back(parsed_->schema.elements[child].name);
  return out;
}

nlohmann::ordered_json ParquetFile::features() const {
  return parquet_dataset_features(parsed_->footer, parsed_->schema);
}

Result<std::vector<Row>> ParquetFile::read_rows(uint64_t offset, uint64_t count,
                                                const ParquetReadLimits& limits,
                                                ParquetReadStats* stats,
                                                const std::vector<size_t>* fields) const {
  uint64_t end = offset + std::min(count, num_rows() - std::min(num_rows(), offset));
  if (offset >= end) return std::vector<Row>{};
  return read_windows({{offset, end}}, limits, stats, fields);
}

Result<std::vector<Row>> ParquetFile::read_rows_at(const std::vector<uint64_t>& rows,
                                                   const ParquetReadLimits& limits,
                                                   ParquetReadStats* stats,
                                                   const std::vector<size_t>* fields) const {
  std::vector<std::pair<uint64_t, uint64_t>> windows;
  for (uint64_t r : rows) {
    if (r >= num_rows()) break;
    if (!windows.empty() && r < windows.back().second) {
      return Status(ErrorKind::kInternal, "rows not in increasing order");
    }
    if (!windows.empty() && windows.back().second == r) {
      ++windows.back().second;
    } else {
      windows.emplace_back(r, r + 1);
    }
  }
  return read_windows(windows, limits, stats, fields);
}

std::optional<size_t> ParquetFile::flat_column(size_t field) const {
  const auto& schema = parsed_->schema;
  const auto& top = schema.nodes[0].children;
  if (field >= top.size()) return std::nullopt;
  const SchemaNode& node = schema.nodes[top[field]];
  if (!node.column || node.max_repetition_level != 0 || node.max_definition_level > 1) {
    return std::nullopt;
  }
  return node.column;
}

std::optional<size_t> ParquetFile::list_column(size_t field) const {
  const auto& schema = parsed_->schema;
  const auto& top = schema.nodes[0].children;
  if (field >= top.size()) return std::nullopt;
  size_t t = top[field];
  auto repeated = [&](size_t node) {
    return schema.elements[node].repetition.value_or(Repetition::kRequired) ==
           Repetition::kRepeated;
  };
  const SchemaNode& node = schema.nodes[t];
  // A bare repeated leaf: each slot of a row is an element.
  if (node.column) {
    if (!repeated(t) || node.max_repetition_level != 1) return std::nullopt;
    return node.column;
  }
  // A LIST group whose one repeated child holds one leaf, with no repetition below it.
  if (repeated(t) || !is_list(schema.elements[t]) || node.children.size() != 1 ||
      !repeated(node.children[0])) {
    return std::nullopt;
  }
  std::optional<size_t> leaf;
  std::vector<size_t> stack{node.children[0]};
  while (!stack.empty()) {
    size_t n = stack.back();
    stack.pop_back();
    if (schema.nodes[n].column) {
      if (leaf) return std::nullopt;  // more than one leaf: elements are structs
      leaf = schema.nodes[n].column;
    }
    for (size_t c : schema.nodes[n].children) stack.push_back(c);
  }
  if (!leaf || schema.column_node(*leaf).max_repetition_level != 1) return std::nullopt;
  return leaf;
}

Result<std::vector<int64_t>> ParquetFile::list_lengths(size_t group, size_t field,
                                                       const ParquetReadLimits& limits,
                                                       ParquetReadStats* stats) const {
  auto column = list_column(field);
  if (!column) return rows_error("not a list of one column");
  auto values = read_column(group, *column, limits, stats);
  if (!values) return values.status();
  const auto& schema = parsed_->schema;
  size_t t = schema.nodes[0].children[field];
  const SchemaNode& top = schema.nodes[t];
  // A row's list is null below the top node's definition level (a bare repeated leaf never
  // is); an element exists at or above the repeated node's.
  size_t r = top.column ? t : top.children[0];
  int32_t null_below = top.column ? 0 : top.max_definition_level;
  int32_t element_at = schema.nodes[r].max_definition_level;
  const auto& reps = values->repetition_levels;
  const auto& defs = values->definition_levels;
  if (reps.size() != values->num_slots) return rows_error("a list column without its levels");
  std::vector<int64_t> out;
  for (uint64_t slot = 0; slot < values->num_slots; ++slot) {
    int32_t def = defs.empty() ? values->max_definition_level : defs[slot];
    if (reps[slot] == 0) {
      out.push_back(def < null_below ? -1 : def >= element_at ? 1 : 0);
      continue;
    }
    if (out.empty() || out.back() < 1 || def < element_at) {
      return rows_error("a list's levels that no row begins");
    }
    ++out.back();
  }
  if (out.size() != static_cast<uint64_t>(parsed_->footer.row_groups[group].num_rows)) {
    return rows_error("a list column has " + std::to_string(out.size()) +
                      " rows in a row group of " +
                      std::to_string(parsed_->footer.row_groups[group].num_rows));
  }
  return out;
}

Result<ColumnChunkValues> ParquetFile::read_column(size_t group, size_t column,
                                                   const ParquetReadLimits& limits,
                                                   ParquetReadStats* stats) const {
  const auto& groups = parsed_->footer.row_groups;
  if (group >= groups.size() || column >= groups[group].columns.size() ||
      column >= parsed_->schema.columns.size() || !groups[group].columns[column].meta_data) {
    return rows_error("no such column chunk");
  }
  const ColumnMetaData& meta = *groups[group].columns[column].meta_data;
  int64_t begin = meta.first_page_offset();
  if (begin < 0 || meta.total_compressed_size < 0) return rows_error("a chunk without bytes");
  auto n = static_cast<uint64_t>(meta.total_compressed_size);
  if (n > limits.max_read_bytes) {
    return Status(ErrorKind::kPayloadTooLarge, "Reading this column needs more than " +
                                                   std::to_string(limits.max_read_bytes) +
                                                   " bytes of the Parquet file");
  }
  std::string data;
  if (auto s = file_->read_at(static_cast<uint64_t>(begin), static_cast<size_t>(n), &data); !s) {
    return s;
  }
  ColumnReadLimits bounds = limits.column;
  bounds.max_values = std::min(bounds.max_values, limits.max_values);
  bounds.max_value_bytes = std::min(bounds.max_value_bytes, limits.max_value_bytes);
  auto values = read_column_chunk(data, meta, parsed_->schema.column_element(column),
                                  parsed_->schema.column_node(column), bounds);
  if (values && stats) {
    stats->bytes_read += n;
    stats->values += values->num_slots;
    stats->value_bytes += values->values.bytes.size();
    ++stats->chunks_read;
  }
  return values;
}

namespace {

void add_stats(ParquetReadStats& to, const ParquetReadStats& from) {
  to.bytes_read += from.bytes_read;
  to.values += from.values;
  to.value_bytes += from.value_bytes;
  to.chunks_read += from.chunks_read;
  to.pages_skipped += from.pages_skipped;
}

// A read_windows call's reads past limits.max_read_bytes.
Status too_much_read(const ParquetReadLimits& limits) {
  return Status(ErrorKind::kPayloadTooLarge,
                "Reading these rows needs more than " + std::to_string(limits.max_read_bytes) +
                    " bytes of the Parquet file; smaller row groups or a page index let the "
                    "viewer read less");
}

// A read_windows call's values past limits.max_values or max_value_bytes (`why`: the detail).
Status too_many_values(const ParquetReadLimits& limits, const std::string& why) {
  return Status(ErrorKind::kPayloadTooLarge,
                why + "; reading these rows needs more than " + std::to_string(limits.max_values) +
                    " values or " + std::to_string(limits.max_value_bytes) + " bytes of strings");
}

}  // namespace

Result<std::vector<Row>> ParquetFile::read_windows(
    const std::vector<std::pair<uint64_t, uint64_t>>& windows, const ParquetReadLimits& limits,
    ParquetReadStats* stats, const std::vector<size_t>* fields) const {
  // Which top-level fields are read, and the field of each leaf column.
  const auto& top = parsed_->schema.nodes[0].children;
  std::vector<bool> selected(top.size(), fields == nullptr);
  if (fields) {
    for (size_t f : *fields) {
      if (f < selected.size()) selected[f] = true;
    }
  }
  std::vector<bool> column_read(parsed_->schema.columns.size(), true);
  if (fields) {
    std::unordered_map<std::string_view, size_t> field_of;
    for (size_t f = 0; f < top.size(); ++f)
      field_of.emplace(parsed_->schema.elements[top[f]].name, f);
    for (size_t c = 0; c < parsed_->schema.columns.size(); ++c) {
      auto it = field_of.find(parsed_->schema.column_node(c).path[0]);
      column_read[c] = it != field_of.end() && selected[it->second];
    }
  }
  std::vector<Row> rows;
  ParquetReadStats total;  // what the call's chunks read and decoded, against `limits`
  ParquetReadStats local;
  ParquetReadStats& st = stats ? *stats : local;
  uint64_t group_start = 0;
  size_t next_window = 0;  // the first window not wholly before the row group
  static const ColumnChunkValues kUnread;
  for (size_t g = 0; g < parsed_->footer.row_groups.size(); ++g) {
    const RowGroup& group = parsed_->footer.row_groups[g];
    if (next_window == windows.size()) break;
    if (group.num_rows < 0) return rows_error("a row group with a negative row count");
    uint64_t group_end = group_start + static_cast<uint64_t>(group.num_rows);
    // The windows' rows within the group, [from, to) each.
    std::vector<SlotWindow> in_group;
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    while (next_window < windows.size() && windows[next_window].second <= group_start) {
      ++next_window;
    }
    for (size_t w = next_window; w < windows.size() && windows[w].first < group_end; ++w) {
      uint64_t from = std::max(windows[w].first, group_start) - group_start;
      uint64_t to = std::min(windows[w].second, group_end) - group_start;
      if (from < to) {
        spans.emplace_back(from, to);
        in_group.push_back({from, to - from});
      }
    }
    if (spans.empty()) {
      group_start = group_end;
      continue;
    }
    uint64_t first = spans.front().first, last = spans.back().second - 1;
    // Chunks kept whole from the last read (keep_whole_chunks), while it read this group.
    WholeChunks* whole = whole_.get();
    if (whole && whole->group != g) {
      whole->group = g;
      whole->columns.assign(group.columns.size(), {});
    }
    std::vector<std::shared_ptr<const ColumnChunkValues>> chunks;
    // Per column: the group's row its values begin (their rows are then read in sequence,
    // skipping between windows), or -1 when they hold the windows' rows alone.
    std::vector<int64_t> begins;
    chunks.reserve(group.columns.size());
    // One column chunk's values for the group's windows, read under what is left of the call's
    // limits after `used` (the reads before it); its own reads in `stats`.
    struct ChunkRead {
      std::shared_ptr<const ColumnChunkValues> values;
      int64_t begin = 0;         // as `begins` below
      bool whole_chunk = false;  // read whole (no page located)
      ParquetReadStats stats;
    };
    auto read_chunk = [&](size_t c, const ParquetReadStats& used) -> Result<ChunkRead> {
      ChunkRead out;
      ParquetReadStats& st = out.stats;
      auto budget = [&](uint64_t n) -> Status {
        uint64_t spent = used.bytes_read + st.bytes_read;
        if (n > limits.max_read_bytes - std::min(limits.max_read_bytes, spent)) {
          return too_much_read(limits);
        }
        st.bytes_read += n;
        return Status::ok();
      };
      const ColumnChunk& chunk = group.columns[c];
      const ColumnMetaData& meta = *chunk.meta_data;
      const SchemaElement& leaf = parsed_->schema.column_element(c);
      const SchemaNode& node = parsed_->schema.column_node(c);
      ColumnReadLimits column = limits.column;
      column.max_values = std::min(column.max_values, limits.max_values - used.values);
      column.max_value_bytes =
          std::min(column.max_value_bytes, limits.max_value_bytes - used.value_bytes);
      std::vector<PageLocation> pages;
      if (chunk.offset_index_offset && chunk.offset_index_length &&
          *chunk.offset_index_length > 0 &&
          static_cast<uint64_t>(*chunk.offset_index_length) <= limits.max_index_bytes) {
        std::string index;
        if (auto s = budget(*chunk.offset_index_length); !s) return s;
        if (auto s = file_->read_at(*chunk.offset_index_offset,
                                    static_cast<size_t>(*chunk.offset_index_length), &index);
            !s) {
          return s;
        }
        auto parsed = parse_offset_index(index);
        if (parsed && !parsed->empty() && (*parsed)[0].first_row_index == 0) pages = *parsed;
      }
      int64_t chunk_begin = meta.first_page_offset();
      int64_t chunk_end = chunk_begin + meta.total_compressed_size;
      bool paged = !pages.empty();
      for (const auto& p : pages) {
        if (p.offset < chunk_begin || p.compressed_page_size < 0 || p.offset > chunk_end ||
            p.compressed_page_size > chunk_end - p.offset) {
          paged = false;  // an index that does not describe this chunk: read it whole
          break;
        }
      }
      int64_t data_begin = paged ? pages[0].offset : chunk_begin;
      if (!paged) {
        // No page index: the page headers say where the rows lie (a few bytes each).
        auto located = locate_pages(
            chunk_begin, chunk_end, node.max_repetition_level > 0, last,
            [&](int64_t at, size_t n, std::string* out) -> Status {
              if (auto s = budget(n); !s) return s;
              return file_->read_at(static_cast<uint64_t>(at), n, out);
            },
            &data_begin);
        if (!located) return located.status();
        pages = std::move(*located);
        paged = !pages.empty();
      }
      Result<ColumnChunkValues> values = ColumnChunkValues{};
      if (paged) {
        const PageCacheRef* cache = cache_.cache ? &cache_ : nullptr;
        ChunkPages chunk_pages;
        chunk_pages.cache = cache;
        std::string dictionary;
        if (chunk_begin < data_begin) {
          if (cache)
            chunk_pages.cached_dictionary = cache->cache->get(cache->key(chunk_begin, meta.codec));
          if (!chunk_pages.cached_dictionary) {
            auto n = static_cast<uint64_t>(data_begin - chunk_begin);
            if (auto s = budget(n); !s) return s;
            if (auto s = file_->read_at(chunk_begin, n, &dictionary); !s) return s;
            chunk_pages.dictionary = dictionary;
            chunk_pages.dictionary_offset = chunk_begin;
          }
        }
        // The pages holding the windows' rows, [p0, p1] runs of consecutive ones. A column
        // with repetition is read from the first window's page to the last's.
        std::vector<std::pair<size_t, size_t>> runs;
        bool flat = node.max_repetition_level == 0;
        for (const auto& [from, to] : spans) {
          size_t p0 = page_for_row(pages, static_cast<int64_t>(flat ? from : first));
          size_t p1 = page_for_row(pages, static_cast<int64_t>(flat ? to - 1 : last));
          if (p0 >= pages.size()) p0 = 0;
          if (p1 >= pages.size() || p1 < p0) p1 = p0;
          if (!runs.empty() && p0 <= runs.back().second + 1) {
            runs.back().second = std::max(runs.back().second, p1);
          } else {
            runs.emplace_back(p0, p1);
          }
          if (!flat) break;
        }
        // Each run from the cache when it holds all its pages, else read from the file.
        std::vector<std::string> data(runs.size());
        size_t pages_read = 0;
        for (size_t r = 0; r < runs.size(); ++r) {
          const auto& a = pages[runs[r].first];
          const auto& b = pages[runs[r].second];
          PageRun run;
          run.first_slot = static_cast<uint64_t>(a.first_row_index);
          if (cache) {
            for (size_t p = runs[r].first; p <= runs[r].second; ++p) {
              auto hit = cache->cache->get(cache->key(pages[p].offset, meta.codec));
              if (!hit) {
                run.cached.clear();
                break;
              }
              run.cached.push_back(std::move(hit));
            }
          }
          if (run.cached.empty()) {
            auto n = static_cast<uint64_t>(b.offset + b.compressed_page_size - a.offset);
            if (auto s = budget(n); !s) return s;
            if (auto s = file_->read_at(a.offset, n, &data[r]); !s) return s;
            run.bytes = data[r];
            run.file_offset = a.offset;
          }
          chunk_pages.runs.push_back(std::move(run));
          pages_read += runs[r].second - runs[r].first + 1;
        }
        st.pages_skipped += pages.size() - pages_read;
        // A flat column's slots are its rows: only the rows asked for are decoded.
        values = read_column_page_runs(chunk_pages, meta, leaf, node, flat ? &in_group : nullptr,
                                       column);
        out.begin = flat ? -1 : pages[runs[0].first].first_row_index;
      } else {
        auto n = static_cast<uint64_t>(meta.total_compressed_size);
        if (auto s = budget(n); !s) return s;
        std::string data;
        if (auto s = file_->read_at(chunk_begin, n, &data); !s) return s;
        values = read_column_chunk(data, meta, leaf, node, column);
        out.whole_chunk = true;
      }
      if (!values) {
        if (values.status().kind() == ErrorKind::kPayloadTooLarge) {
          return too_many_values(limits, values.status().message());
        }
        return values.status();
      }
      ++st.chunks_read;
      st.values += values->num_slots;
      st.value_bytes += values->values.bytes.size();
      out.values = std::make_shared<const ColumnChunkValues>(std::move(*values));
      return out;
    };
    // The largest chunk read (limits.parallel_chunk_bytes, with others to read beside it) is read
    // on a spare thread (when one is idle) while this one reads the others: a row group's pages are
    // then decompressed two at a time. Its reads count against the limits once it is joined, in
    // column order, so the same reads fail; while both run, they may hold up to twice the limits.
    size_t aside = SIZE_MAX;
    if (!whole) {
      uint64_t largest = 0, others = 0;  // as the footer says (clamped: no overflow)
      for (size_t c = 0; c < group.columns.size(); ++c) {
        if (!column_read[c] || !group.columns[c].meta_data) continue;
        auto size = static_cast<uint64_t>(
            std::clamp<int64_t>(group.columns[c].meta_data->total_compressed_size, 0, 1ll << 40));
        if (size > largest) {
          others += largest;
          largest = size;
          aside = c;
        } else {
          others += size;
        }
      }
      uint64_t at_least = limits.parallel_chunk_bytes;
      if (aside == SIZE_MAX || others == 0 || largest < at_least || others < at_least / 4) {
        aside = SIZE_MAX;
      }
    }
    std::optional<Result<ChunkRead>> aside_read;
    std::shared_ptr<util::SpareThreads::Task> aside_task;
    struct Wait {
      std::shared_ptr<util::SpareThreads::Task>& task;
      ~Wait() {
        if (task) task->wait();
      }
    } wait{aside_task};
    if (aside != SIZE_MAX) {
      ParquetReadStats used = total;
      aside_task = util::SpareThreads::shared().try_start([&, used] {
        try {
          aside_read = read_chunk(aside, used);
        } catch (const std::exception& e) {  // never out of a spare thread
          aside_read = Result<ChunkRead>(internal_error(std::string("Parquet: ") + e.what()));
        } catch (...) {
          aside_read = Result<ChunkRead>(internal_error("Parquet: a failed column read"));
        }
      });
      if (!aside_task) aside = SIZE_MAX;  // no spare thread idle: read here with the others
    }
    // The other chunks, in column order, each under the limits less those before it (the one
    // aside not counted); reading stops at the first that fails.
    auto skipped = [&](size_t c) {
      return !column_read[c] || (whole && c < whole->columns.size() && whole->columns[c].values);
    };
    std::vector<std::optional<Result<ChunkRead>>> reads(group.columns.size());
    ParquetReadStats used = total;
    for (size_t c = 0; c < group.columns.size(); ++c) {
      if (c == aside || skipped(c)) continue;
      reads[c] = read_chunk(c, used);
      if (!*reads[c]) break;
      add_stats(used, (*reads[c])->stats);
    }
    if (aside != SIZE_MAX) {
      aside_task->wait();
      aside_task.reset();
      reads[aside] = std::move(aside_read);
    }
    // Then counted in column order: the first failure, or the first chunk past the limits.
    for (size_t c = 0; c < group.columns.size(); ++c) {
      if (!column_read[c]) {
        chunks.emplace_back();
        begins.push_back(-1);
        continue;
      }
      if (skipped(c)) {
        chunks.push_back(whole->columns[c].values);
        begins.push_back(0);
        continue;
      }
      if (!reads[c]) return internal_error("Parquet: a column chunk was not read");
      if (!*reads[c]) return reads[c]->status();
      ChunkRead& r = **reads[c];
      add_stats(total, r.stats);
      add_stats(st, r.stats);
      if (total.bytes_read > limits.max_read_bytes) return too_much_read(limits);
      if (total.values > limits.max_values || total.value_bytes > limits.max_value_bytes) {
        return too_many_values(limits, "Parquet: too many values");
      }
      chunks.push_back(std::move(r.values));
      begins.push_back(r.begin);
      if (whole && r.whole_chunk) whole->columns[c] = {chunks.back(), 0, 0, 0};
    }
    std::vector<Cursor> cursors(chunks.size());
    // Where each column read in sequence stands (a row of the group).
    std::vector<uint64_t> at(chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      cursors[c].v = chunks[c] ? chunks[c].get() : &kUnread;
      cursors[c].leaf = &parsed_->schema.column_element(c);
      at[c] = static_cast<uint64_t>(std::max<int64_t>(0, begins[c]));
      // A kept chunk goes on from where the last read left it (unless this read starts before).
      if (whole && whole->columns[c].values == chunks[c] && chunks[c] &&
          whole->columns[c].row <= spans.front().first) {
        at[c] = whole->columns[c].row;
        cursors[c].level = whole->columns[c].level;
        cursors[c].value = whole->columns[c].value;
      }
    }
    Assembler assembler(parsed_->schema, cursors, fields);
    for (const auto& [from, to] : spans) {
      for (size_t c = 0; c < chunks.size(); ++c) {
        if (!column_read[c] || begins[c] < 0) continue;
        if (from < at[c]) return rows_error("a page begins after the rows it should hold");
        if (auto s = assembler.skip_rows(c, from - at[c]); !s) return s;
        at[c] = to;
      }
      for (uint64_t r = from; r < to; ++r) {
        auto row = assembler.row();
        if (!row) return row.status();
        for (size_t i = 0; i < row->size(); ++i) {
          size_t f = fields ? (*fields)[i] : i;
          if (f < parsed_->json_types.size() && !parsed_->json_types[f].is_null()) {
            decode_json_cells(parsed_->json_types[f], (*row)[i]);
          }
        }
        rows.push_back(std::move(*row));
      }
    }
    if (whole) {
      for (size_t c = 0; c < chunks.size(); ++c) {
        auto& kept = whole->columns[c];
        if (!kept.values || kept.values != chunks[c]) continue;
        // Past the last span, the column's cursor stands at the row after it.
        kept.row = spans.back().second;
        kept.level = cursors[c].level;
        kept.value = cursors[c].value;
      }
    }
    group_start = group_end;
  }
  return rows;
}

}  // namespace vitrine::datasets
