// The schema tree and its Features (parquet_schema.hpp). The nested-type rules are those of
// the Parquet spec's LogicalTypes.md, including its backward-compatibility rules for lists
// written by older writers (a repeated field that is itself the element).
#include "formats/datasets/parquet_schema.hpp"

#include "formats/datasets/buffered_input.hpp"
#include "util/json.hpp"

namespace vitrine::datasets {

namespace {

using Kind = LogicalType::Kind;

Status schema_error(size_t index, const std::string& message) {
  return unprocessable("Parquet schema element " + std::to_string(index) + ": " + message);
}

bool is_list(const SchemaElement& e) {
  return e.logical_type.kind == Kind::kList || e.converted_type == ConvertedType::kList;
}

bool is_map(const SchemaElement& e) {
  return e.logical_type.kind == Kind::kMap || e.converted_type == ConvertedType::kMap ||
         e.converted_type == ConvertedType::kMapKeyValue;
}

bool is_group(const SchemaElement& e) {
  return !e.type.has_value();
}

nlohmann::ordered_json list_of(nlohmann::ordered_json feature) {
  return {{"feature", std::move(feature)}, {"_type", "List"}};
}

const char* unit_name(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return "ms";
    case TimeUnit::kMicros:
      return "us";
    case TimeUnit::kNanos:
      return "ns";
  }
  return "us";
}

std::string decimal_dtype(int32_t precision, int32_t scale) {
  return std::string(precision > 38 ? "decimal256(" : "decimal128(") + std::to_string(precision) +
         ", " + std::to_string(scale) + ")";
}

std::string integer_dtype(int bits, bool is_signed) {
  return (is_signed ? "int" : "uint") + std::to_string(bits);
}

class FeatureBuilder {
 public:
  explicit FeatureBuilder(const ParquetSchema& schema) : schema_(schema) {}

  // The feature of node `i`; `as_element`: the node is a list's element, its own repetition
  // already accounted for.
  nlohmann::ordered_json feature(size_t i, bool as_element = false) const {
    const SchemaElement& e = schema_.elements[i];
    if (!as_element && e.repetition == Repetition::kRepeated) return list_of(feature(i, true));
    if (!is_group(e)) return {{"dtype", parquet_value_dtype(e)}, {"_type", "Value"}};
    const auto& children = schema_.nodes[i].children;
    if (children.size() == 1 && schema_.elements[children[0]].repetition == Repetition::kRepeated) {
      size_t repeated = children[0];
      if (is_list(e)) return list_of(list_element(e, repeated));
      const SchemaElement& entries = schema_.elements[repeated];
      const auto& kv = schema_.nodes[repeated].children;
      if (is_map(e) && is_group(entries) && kv.size() == 2) {
        return list_of({{"key", feature(kv[0])}, {"value", feature(kv[1])}});
      }
    }
    return struct_of(i);
  }

 private:
  nlohmann::ordered_json struct_of(size_t i) const {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (size_t child : schema_.nodes[i].children)
      out[schema_.elements[child].name] = feature(child);
    return out;
  }

  // The element of a LIST-annotated group whose one child `repeated` is repeated
  // (LogicalTypes.md, "Lists" and its backward-compatibility rules).
  nlohmann::ordered_json list_element(const SchemaElement& list, size_t repeated) const {
    const SchemaElement& r = schema_.elements[repeated];
    const auto& children = schema_.nodes[repeated].children;
    if (!is_group(r) || children.size() != 1 || r.name == "array" ||
        r.name == list.name + "_tuple") {
      return feature(repeated, true);
    }
    return feature(children[0]);
  }

  const ParquetSchema& schema_;
};

}  // namespace

std::string parquet_value_dtype(const SchemaElement& leaf) {
  const LogicalType& t = leaf.logical_type;
  auto converted = leaf.converted_type;
  auto precision = [&] {
    return t.kind == Kind::kDecimal ? t.precision : leaf.precision.value_or(0);
  };
  auto scale = [&] { return t.kind == Kind::kDecimal ? t.scale : leaf.scale.value_or(0); };
  if (t.kind == Kind::kUnknown) return "null";
  if (t.kind == Kind::kDecimal || converted == ConvertedType::kDecimal) {
    return decimal_dtype(precision(), scale());
  }
  switch (leaf.type.value_or(PhysicalType::kByteArray)) {
    case PhysicalType::kBoolean:
      return "bool";
    case PhysicalType::kInt32:
      if (t.kind == Kind::kInteger) return integer_dtype(t.bit_width, t.is_signed);
      if (t.kind == Kind::kDate || converted == ConvertedType::kDate) return "date32";
      if (t.kind == Kind::kTime || converted == ConvertedType::kTimeMillis) return "time32[ms]";
      if (converted) {
        switch (*converted) {
          case ConvertedType::kInt8:
            return "int8";
          case ConvertedType::kInt16:
            return "int16";
          case ConvertedType::kUint8:
            return "uint8";
          case ConvertedType::kUint16:
            return "uint16";
          case ConvertedType::kUint32:
            return "uint32";
          default:
            break;
        }
      }
      return "int32";
    case PhysicalType::kInt64:
      if (t.kind == Kind::kInteger) return integer_dtype(t.bit_width, t.is_signed);
      if (t.kind == Kind::kTimestamp) {
        return std::string("timestamp[") + unit_name(t.unit) +
               (t.adjusted_to_utc ? ", tz=UTC]" : "]");
      }
      if (t.kind == Kind::kTime) return std::string("time64[") + unit_name(t.unit) + "]";
      if (converted == ConvertedType::kTimestampMillis) return "timestamp[ms, tz=UTC]";
      if (converted == ConvertedType::kTimestampMicros) return "timestamp[us, tz=UTC]";
      if (converted == ConvertedType::kTimeMicros) return "time64[us]";
      if (converted == ConvertedType::kUint64) return "uint64";
      return "int64";
    case PhysicalType::kInt96:
      return "timestamp[ns]";
    case PhysicalType::kFloat:
      return "float32";
    case PhysicalType::kDouble:
      return "float64";
    case PhysicalType::kByteArray:
      if (t.kind == Kind::kString || t.kind == Kind::kEnum || t.kind == Kind::kJson ||
          converted == ConvertedType::kUtf8 || converted == ConvertedType::kEnum ||
          converted == ConvertedType::kJson) {
        return "string";
      }
      return "binary";
    case PhysicalType::kFixedLenByteArray:
      if (t.kind == Kind::kFloat16) return "float16";
      return "binary";
  }
  return "binary";
}

Result<ParquetSchema> build_parquet_schema(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return unprocessable("Parquet schema: no elements");
  if (!is_group(elements[0])) return schema_error(0, "the root is a leaf");
  ParquetSchema schema;
  schema.elements = elements;
  schema.nodes.resize(elements.size());
  struct Open {
    size_t node;
    size_t children_left;
  };
  std::vector<Open> open{{0, size_t(elements[0].num_children.value_or(0))}};
  size_t next = 1;
  size_t path_bytes = 0;
  while (!open.empty()) {
    Open& top = open.back();
    if (top.children_left == 0) {
      open.pop_back();
      continue;
    }
    if (next >= elements.size()) {
      return schema_error(top.node, "its children run past the end of the schema");
    }
    --top.children_left;
    size_t i = next++;
    const SchemaElement& e = elements[i];
    if (!valid_utf8(e.name)) return schema_error(i, "its name is not UTF-8");
    SchemaNode& parent = schema.nodes[top.node];
    SchemaNode& node = schema.nodes[i];
    parent.children.push_back(i);
    Repetition repetition = e.repetition.value_or(Repetition::kRequired);
    path_bytes += e.name.size();
    for (const auto& name : parent.path) path_bytes += name.size();
    if (path_bytes > kMaxParquetSchemaPathBytes) {
      return schema_error(
          i, "paths over " + std::to_string(kMaxParquetSchemaPathBytes) + " bytes in all");
    }
    node.path = parent.path;
    node.path.push_back(e.name);
    node.max_definition_level = parent.max_definition_level + (repetition != Repetition::kRequired);
    node.max_repetition_level = parent.max_repetition_level + (repetition == Repetition::kRepeated);
    if (is_group(e)) {
      if (open.size() >= kMaxParquetSchemaDepth) {
        return schema_error(i, "nested deeper than " + std::to_string(kMaxParquetSchemaDepth));
      }
      open.push_back({i, size_t(e.num_children.value_or(0))});
    } else {
      if (e.num_children.value_or(0) > 0) return schema_error(i, "a leaf with children");
      if (e.type == PhysicalType::kFixedLenByteArray && e.type_length.value_or(0) <= 0) {
        return schema_error(i, "FIXED_LEN_BYTE_ARRAY without a positive type_length");
      }
      node.column = schema.columns.size();
      schema.columns.push_back(i);
    }
  }
  if (next != elements.size()) {
    return schema_error(next, "past the root's children");
  }
  return schema;
}

Status check_column_chunks(const ParquetFooter& footer, const ParquetSchema& schema) {
  for (size_t g = 0; g < footer.row_groups.size(); ++g) {
    const auto& chunks = footer.row_groups[g].columns;
    if (chunks.size() != schema.columns.size()) {
      return unprocessable("Parquet row group " + std::to_string(g) + " has " +
                           std::to_string(chunks.size()) + " column chunks for " +
                           std::to_string(schema.columns.size()) + " columns");
    }
    for (size_t c = 0; c < chunks.size(); ++c) {
      if (!chunks[c].meta_data) {
        return unprocessable("Parquet row group " + std::to_string(g) + ", column " +
                             std::to_string(c) + " has no meta_data");
      }
      const ColumnMetaData& m = *chunks[c].meta_data;
      if (m.path_in_schema != schema.column_node(c).path ||
          m.type != schema.column_element(c).type) {
        return unprocessable("Parquet row group " + std::to_string(g) + ", column " +
                             std::to_string(c) + " does not match the schema");
      }
    }
  }
  return Status::ok();
}

nlohmann::ordered_json parquet_features(const ParquetSchema& schema) {
  FeatureBuilder builder(schema);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (size_t child : schema.nodes[0].children) {
    out.push_back({{"name", schema.elements[child].name}, {"type", builder.feature(child)}});
  }
  return out;
}

nlohmann::ordered_json parquet_dataset_features(const ParquetFooter& footer,
                                                const ParquetSchema& schema) {
  nlohmann::ordered_json out = parquet_features(schema);
  const std::string* metadata = footer.metadata_value("huggingface");
  if (!metadata) return out;
  // Bounded as every JSON from outside (util/json.hpp), then parsed keeping the keys' order.
  if (util::json_nesting_depth(*metadata, util::kMaxJsonDepth + 1) > util::kMaxJsonDepth) {
    return out;
  }
  auto parsed = nlohmann::ordered_json::parse(*metadata, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return out;
  auto info = parsed.find("info");
  if (info == parsed.end() || !info->is_object()) return out;
  auto features = info->find("features");
  if (features == info->end() || !features->is_object()) return out;
  for (auto& field : out) {
    auto declared = features->find(field["name"].get<std::string>());
    if (declared != features->end()) field["type"] = *declared;
  }
  return out;
}

}  // namespace vitrine::datasets
