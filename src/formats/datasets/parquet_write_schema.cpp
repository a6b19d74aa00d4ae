// Features to a Parquet schema (parquet_write_schema.hpp). The type mapping follows Arrow's
// Parquet writer (FieldToNode in arrow/cpp/src/parquet/arrow/schema.cc, as documented in the
// Parquet LogicalTypes.md): plain INT32 and INT64 for int32 and int64, INTEGER(bits, signed)
// with its legacy converted type for the others, TIME and TIMESTAMP with the converted type
// only where the legacy one means the same (UTC-adjusted, millis or micros).
#include "formats/datasets/parquet_write_schema.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vitrine::datasets {

namespace {

using Json = nlohmann::ordered_json;
using Kind = LogicalType::Kind;

Status feature_error(const std::string& path, const std::string& message) {
  return unprocessable("Parquet writer: feature '" + path + "': " + message);
}

LogicalType logical(Kind kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

WriteLeaf integer_leaf(int bits, bool is_signed) {
  WriteLeaf leaf;
  leaf.kind = is_signed ? LeafKind::kInt : LeafKind::kUint;
  leaf.bits = bits;
  leaf.physical = bits == 64 ? PhysicalType::kInt64 : PhysicalType::kInt32;
  if (is_signed && bits >= 32) return leaf;  // Arrow writes int32 and int64 unannotated
  leaf.logical = logical(Kind::kInteger);
  leaf.logical.bit_width = bits;
  leaf.logical.is_signed = is_signed;
  static constexpr ConvertedType kSigned[] = {ConvertedType::kInt8, ConvertedType::kInt16,
                                              ConvertedType::kInt32, ConvertedType::kInt64};
  static constexpr ConvertedType kUnsigned[] = {ConvertedType::kUint8, ConvertedType::kUint16,
                                                ConvertedType::kUint32, ConvertedType::kUint64};
  int index = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
  leaf.converted = is_signed ? kSigned[index] : kUnsigned[index];
  return leaf;
}

// "s", "ms", "us", "ns" → digits after the second (0, 3, 6, 9); -1 when not a unit.
int unit_digits(std::string_view unit) {
  if (unit == "s") return 0;
  if (unit == "ms") return 3;
  if (unit == "us") return 6;
  if (unit == "ns") return 9;
  return -1;
}

// Timestamps and times: seconds are stored as milliseconds (Arrow coerces them).
void set_time_unit(WriteLeaf& leaf, int digits) {
  int stored = std::max(digits, 3);
  leaf.fraction_digits = digits;
  leaf.per_second = stored == 3 ? 1000 : stored == 6 ? 1000000 : 1000000000;
  leaf.integer_scale = digits == 0 ? 1000 : 1;
  leaf.logical.unit = stored == 3   ? TimeUnit::kMillis
                      : stored == 6 ? TimeUnit::kMicros
                                    : TimeUnit::kNanos;
}

// The fewest bytes holding every unscaled value of `precision` digits in two's complement:
// the smallest n with 10^precision <= 2^(8n - 1) (never equal: 10^p is not a power of two).
int32_t decimal_width(int32_t precision) {
  double bits = precision * std::log2(10.0);
  int32_t n = 1;
  while (bits >= 8.0 * n - 1) ++n;
  return n;
}

std::optional<WriteLeaf> value_leaf(const std::string& dtype) {
  WriteLeaf leaf;
  if (dtype == "null") {
    leaf.kind = LeafKind::kNull;
    leaf.physical = PhysicalType::kInt32;
    leaf.logical = logical(Kind::kUnknown);
    return leaf;
  }
  if (dtype == "bool") {
    leaf.kind = LeafKind::kBool;
    leaf.physical = PhysicalType::kBoolean;
    return leaf;
  }
  for (int bits : {8, 16, 32, 64}) {
    if (dtype == "int" + std::to_string(bits)) return integer_leaf(bits, true);
    if (dtype == "uint" + std::to_string(bits)) return integer_leaf(bits, false);
  }
  if (dtype == "float16" || dtype == "half") {
    leaf.kind = LeafKind::kFloat16;
    leaf.physical = PhysicalType::kFixedLenByteArray;
    leaf.type_length = 2;
    leaf.logical = logical(Kind::kFloat16);
    return leaf;
  }
  if (dtype == "float32" || dtype == "float") {
    leaf.kind = LeafKind::kFloat32;
    leaf.physical = PhysicalType::kFloat;
    return leaf;
  }
  if (dtype == "float64" || dtype == "double") {
    leaf.kind = LeafKind::kFloat64;
    leaf.physical = PhysicalType::kDouble;
    return leaf;
  }
  if (dtype == "string" || dtype == "large_string") {
    leaf.kind = LeafKind::kString;
    leaf.physical = PhysicalType::kByteArray;
    leaf.logical = logical(Kind::kString);
    leaf.converted = ConvertedType::kUtf8;
    return leaf;
  }
  if (dtype == "binary" || dtype == "large_binary") {
    leaf.kind = LeafKind::kBinary;
    leaf.physical = PhysicalType::kByteArray;
    return leaf;
  }
  if (dtype == "date32" || dtype == "date64") {
    leaf.kind = LeafKind::kDate;
    leaf.physical = PhysicalType::kInt32;
    leaf.logical = logical(Kind::kDate);
    leaf.converted = ConvertedType::kDate;
    return leaf;
  }
  if (dtype.starts_with("timestamp[") && dtype.ends_with("]")) {
    std::string inner = dtype.substr(10, dtype.size() - 11);
    size_t comma = inner.find(',');
    std::string unit = inner.substr(0, comma);
    int digits = unit_digits(unit);
    if (digits < 0) return std::nullopt;
    bool utc = false;
    if (comma != std::string::npos) {
      std::string rest = inner.substr(comma);
      if (!rest.starts_with(", tz=") || rest.size() == 5) return std::nullopt;
      utc = true;
    }
    leaf.kind = LeafKind::kTimestamp;
    leaf.physical = PhysicalType::kInt64;
    leaf.logical = logical(Kind::kTimestamp);
    leaf.logical.adjusted_to_utc = utc;
    set_time_unit(leaf, digits);
    if (utc && leaf.logical.unit == TimeUnit::kMillis)
      leaf.converted = ConvertedType::kTimestampMillis;
    if (utc && leaf.logical.unit == TimeUnit::kMicros)
      leaf.converted = ConvertedType::kTimestampMicros;
    return leaf;
  }
  if (dtype == "time32[s]" || dtype == "time32[ms]" || dtype == "time64[us]" ||
      dtype == "time64[ns]") {
    int digits = unit_digits(dtype.substr(7, dtype.size() - 8));
    leaf.kind = LeafKind::kTime;
    leaf.logical = logical(Kind::kTime);
    leaf.logical.adjusted_to_utc = true;  // as Arrow writes times
    set_time_unit(leaf, digits);
    leaf.physical = digits <= 3 ? PhysicalType::kInt32 : PhysicalType::kInt64;
    if (digits <= 3) leaf.converted = ConvertedType::kTimeMillis;
    if (digits == 6) leaf.converted = ConvertedType::kTimeMicros;
    return leaf;
  }
  int precision = 0;
  int scale = 0;
  char close = 0;
  bool is_128 = dtype.starts_with("decimal128(");
  if ((is_128 || dtype.starts_with("decimal256(")) &&
      std::sscanf(dtype.c_str() + 11, "%d, %d%c", &precision, &scale, &close) == 3 &&
      close == ')' && dtype.back() == ')' && precision >= 1 && precision <= (is_128 ? 38 : 76) &&
      scale >= 0 && scale <= precision) {
    leaf.kind = LeafKind::kDecimal;
    leaf.physical = PhysicalType::kFixedLenByteArray;
    leaf.precision = precision;
    leaf.scale = scale;
    leaf.type_length = decimal_width(precision);
    leaf.logical = logical(Kind::kDecimal);
    leaf.logical.precision = precision;
    leaf.logical.scale = scale;
    leaf.converted = ConvertedType::kDecimal;
    return leaf;
  }
  return std::nullopt;
}

class SchemaBuilder {
 public:
  Result<WriteNode> node(const Json& type, const std::string& name, const std::string& path,
                         int16_t parent_definition, int16_t repetition, size_t depth) {
    if (depth > kMaxWriteFeatureDepth) {
      return feature_error(path, "nested deeper than " + std::to_string(kMaxWriteFeatureDepth));
    }
    WriteNode out;
    out.name = name;
    out.feature_path = path;
    out.definition_level = static_cast<int16_t>(parent_definition + 1);
    out.repetition_level = repetition;
    if (type.is_array()) {
      if (type.size() != 1) return feature_error(path, "a list feature [X] has one element");
      return list(std::move(out), type[0], depth);
    }
    if (!type.is_object()) return feature_error(path, "not a feature");
    auto kind = type.find("_type");
    if (kind == type.end()) return group(std::move(out), type, depth);
    if (!kind->is_string()) return feature_error(path, "\"_type\" is not a string");
    const std::string& t = kind->get_ref<const std::string&>();
    if (t == "Value") {
      auto dtype = type.find("dtype");
      if (dtype == type.end() || !dtype->is_string()) {
        return feature_error(path, "a Value without a dtype");
      }
      auto leaf = value_leaf(dtype->get<std::string>());
      if (!leaf)
        return feature_error(path, "unsupported dtype '" + dtype->get<std::string>() + "'");
      out.leaf = std::move(*leaf);
      return out;
    }
    if (t == "ClassLabel") {
      out.leaf = integer_leaf(64, true);
      auto names = type.find("names");
      if (names != type.end() && names->is_array()) {
        for (const auto& n : *names) {
          if (n.is_string()) out.leaf.class_names.push_back(n.get<std::string>());
        }
      }
      return out;
    }
    if (t == "Json") {
      out.leaf = *value_leaf("string");
      out.leaf.kind = LeafKind::kJson;
      return out;
    }
    if (t == "List" || t == "LargeList" || t == "Sequence") {
      auto feature = type.find("feature");
      if (feature == type.end()) return feature_error(path, "a " + t + " without a feature");
      // `datasets` reads a legacy Sequence of a dict as a dict of lists.
      if (t == "Sequence" && feature->is_object() && !feature->contains("_type")) {
        Json fields = Json::object();
        for (const auto& [key, sub] : feature->items()) {
          fields[key] = Json{{"feature", sub}, {"_type", "List"}};
        }
        return group(std::move(out), fields, depth);
      }
      return list(std::move(out), *feature, depth);
    }
    if (t == "Image" || t == "Audio" || t == "Video" || t == "Pdf") {
      out.media = true;
      return group(std::move(out),
                   Json{{"bytes", Json{{"dtype", "binary"}, {"_type", "Value"}}},
                        {"path", Json{{"dtype", "string"}, {"_type", "Value"}}}},
                   depth);
    }
    if (t == "Translation") {
      auto languages = type.find("languages");
      if (languages == type.end() || !languages->is_array() || languages->empty()) {
        return feature_error(path, "a Translation without languages");
      }
      std::vector<std::string> sorted;
      for (const auto& l : *languages) {
        if (!l.is_string()) return feature_error(path, "a language is not a string");
        sorted.push_back(l.get<std::string>());
      }
      std::sort(sorted.begin(), sorted.end());
      Json fields = Json::object();
      for (const auto& l : sorted) fields[l] = Json{{"dtype", "string"}, {"_type", "Value"}};
      return group(std::move(out), fields, depth);
    }
    if (t == "TranslationVariableLanguages") {
      Json strings =
          Json{{"feature", Json{{"dtype", "string"}, {"_type", "Value"}}}, {"_type", "List"}};
      return group(std::move(out), Json{{"language", strings}, {"translation", strings}}, depth);
    }
    return feature_error(path, "unsupported feature type '" + t + "'");
  }

 private:
  Result<WriteNode> list(WriteNode out, const Json& element, size_t depth) {
    out.shape = WriteNode::Shape::kList;
    out.repetition_level = static_cast<int16_t>(out.repetition_level + 1);
    // The repeated group adds a definition level (a non-empty list), the element another.
    auto child = node(element, "element", out.feature_path, out.definition_level + 1,
                      out.repetition_level, depth + 1);
    if (!child) return child.status();
    out.children.push_back(std::move(*child));
    return out;
  }

  Result<WriteNode> group(WriteNode out, const Json& fields, size_t depth) {
    out.shape = WriteNode::Shape::kStruct;
    if (fields.empty()) return feature_error(out.feature_path, "a dict without fields");
    for (const auto& [key, sub] : fields.items()) {
      if (key.empty()) return feature_error(out.feature_path, "a field without a name");
      auto child = node(sub, key, out.feature_path + "." + key, out.definition_level,
                        out.repetition_level, depth + 1);
      if (!child) return child.status();
      out.children.push_back(std::move(*child));
    }
    return out;
  }
};

void collect_columns(WriteNode& node, std::vector<std::string>& path, WriteSchema& schema) {
  path.push_back(node.name);
  node.first_column = schema.columns.size();
  if (node.shape == WriteNode::Shape::kLeaf) {
    schema.columns.push_back({&node, path});
  } else {
    if (node.shape == WriteNode::Shape::kList) path.push_back("list");
    for (auto& child : node.children) collect_columns(child, path, schema);
    if (node.shape == WriteNode::Shape::kList) path.pop_back();
  }
  node.end_column = schema.columns.size();
  path.pop_back();
}

void write_logical_type(const LogicalType& t, ThriftWriter& out) {
  static constexpr int16_t kTimeUnitField[] = {1, 2, 3};  // MILLIS, MICROS, NANOS
  out.struct_field(10);
  switch (t.kind) {
    case Kind::kString:
      out.struct_field(1);
      break;
    case Kind::kList:
      out.struct_field(3);
      break;
    case Kind::kDecimal:
      out.struct_field(5);
      out.i32_field(1, t.scale);
      out.i32_field(2, t.precision);
      break;
    case Kind::kDate:
      out.struct_field(6);
      break;
    case Kind::kTime:
    case Kind::kTimestamp:
      out.struct_field(t.kind == Kind::kTime ? 7 : 8);
      out.bool_field(1, t.adjusted_to_utc);
      out.struct_field(2);
      out.struct_field(kTimeUnitField[static_cast<int>(t.unit)]);
      out.end_struct();
      out.end_struct();
      break;
    case Kind::kInteger:
      out.struct_field(10);
      out.byte_field(1, static_cast<int8_t>(t.bit_width));
      out.bool_field(2, t.is_signed);
      break;
    case Kind::kUnknown:
      out.struct_field(11);
      break;
    case Kind::kFloat16:
      out.struct_field(15);
      break;
    default:
      out.struct_field(1);  // not reached: the builder sets only the kinds above
      break;
  }
  out.end_struct();  // the member
  out.end_struct();  // the union
}

size_t count_nodes(const WriteNode& node) {
  size_t n = node.shape == WriteNode::Shape::kList ? 2 : 1;
  for (const auto& child : node.children) n += count_nodes(child);
  return n;
}

void write_node(const WriteNode& node, ThriftWriter& out) {
  out.begin_struct();
  if (node.shape == WriteNode::Shape::kLeaf) {
    const WriteLeaf& leaf = node.leaf;
    out.i32_field(1, static_cast<int32_t>(leaf.physical));
    if (leaf.physical == PhysicalType::kFixedLenByteArray) out.i32_field(2, leaf.type_length);
    out.i32_field(3, static_cast<int32_t>(Repetition::kOptional));
    out.binary_field(4, node.name);
    if (leaf.converted) out.i32_field(6, static_cast<int32_t>(*leaf.converted));
    if (leaf.kind == LeafKind::kDecimal) {
      out.i32_field(7, leaf.scale);
      out.i32_field(8, leaf.precision);
    }
    if (leaf.logical.kind != Kind::kNone) write_logical_type(leaf.logical, out);
    out.end_struct();
    return;
  }
  out.i32_field(3, static_cast<int32_t>(Repetition::kOptional));
  out.binary_field(4, node.name);
  out.i32_field(5, static_cast<int32_t>(node.children.size()));
  if (node.shape == WriteNode::Shape::kList) {
    out.i32_field(6, static_cast<int32_t>(ConvertedType::kList));
    write_logical_type(logical(Kind::kList), out);
    out.end_struct();
    out.begin_struct();  // repeated group list { element }
    out.i32_field(3, static_cast<int32_t>(Repetition::kRepeated));
    out.binary_field(4, "list");
    out.i32_field(5, 1);
  }
  out.end_struct();
  for (const auto& child : node.children) write_node(child, out);
}

void append_python_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  auto escape = [&](uint32_t unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(unit >> shift) & 15]);
  };
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            escape(c);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence (nlohmann's strings are UTF-8): its code point, as \uXXXX or a pair.
    int length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    uint32_t point = c & (length == 4 ? 0x07 : length == 3 ? 0x0f : 0x1f);
    for (int k = 1; k < length && i + k < s.size(); ++k) {
      point = point << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += length;
    if (point >= 0x10000) {
      point -= 0x10000;
      escape(0xd800 + (point >> 10));
      escape(0xdc00 + (point & 0x3ff));
    } else {
      escape(point);
    }
  }
  out.push_back('"');
}

void append_python_json(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        append_python_string(out, key);
        out += ": ";
        append_python_json(out, item);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ", ";
        append_python_json(out, value[i]);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string:
      append_python_string(out, value.get_ref<const std::string&>());
      return;
    case Json::value_t::number_float: {
      double d = value.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e16) {
        // Python's repr of 2.0 and -0.0.
        out +=
            (std::signbit(d) && d == 0 ? "-" : "") + std::to_string(static_cast<int64_t>(d)) + ".0";
      } else {
        out += value.dump();
      }
      return;
    }
    default:
      out += value.dump();
  }
}

}  // namespace

Result<WriteSchema> build_write_schema(const nlohmann::ordered_json& features) {
  if (!features.is_array()) return unprocessable("Parquet writer: features are not a list");
  WriteSchema schema;
  schema.features = features;
  SchemaBuilder builder;
  for (const auto& field : features) {
    auto name = field.is_object() ? field.find("name") : field.end();
    auto type = field.is_object() ? field.find("type") : field.end();
    if (name == field.end() || !name->is_string() || name->get_ref<const std::string&>().empty() ||
        type == field.end()) {
      return unprocessable("Parquet writer: a feature without a name or a type");
    }
    const std::string& n = name->get_ref<const std::string&>();
    for (const auto& other : schema.fields) {
      if (other.name == n) return feature_error(n, "named twice");
    }
    auto node = builder.node(*type, n, n, 0, 0, 0);
    if (!node) return node.status();
    schema.fields.push_back(std::move(*node));
  }
  std::vector<std::string> path;
  for (auto& field : schema.fields) collect_columns(field, path, schema);
  return schema;
}

void write_schema_elements(const WriteSchema& schema, ThriftWriter& out) {
  size_t count = 1;
  for (const auto& field : schema.fields) count += count_nodes(field);
  out.list_field(2, ThriftType::kStruct, count);
  out.begin_struct();
  out.i32_field(3, static_cast<int32_t>(Repetition::kRequired));
  out.binary_field(4, "schema");
  out.i32_field(5, static_cast<int32_t>(schema.fields.size()));
  out.end_struct();
  for (const auto& field : schema.fields) write_node(field, out);
}

std::string python_json_dumps(const nlohmann::ordered_json& value) {
  std::string out;
  append_python_json(out, value);
  return out;
}

std::string huggingface_metadata(const nlohmann::ordered_json& features) {
  Json by_name = Json::object();
  for (const auto& field : features) by_name[field["name"].get<std::string>()] = field["type"];
  return python_json_dumps(Json{{"info", Json{{"features", std::move(by_name)}}}});
}

}  // namespace vitrine::datasets
