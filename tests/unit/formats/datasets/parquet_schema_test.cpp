// Unit tests for parquet_schema: the tree and levels of flat, nested, list (standard and
// legacy) and map schemas, the Value dtypes of physical and logical types, the Features JSON
// (and the `huggingface` metadata winning), and malformed trees.
#include "formats/datasets/parquet_schema.hpp"

#include <gtest/gtest.h>

#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using nlohmann::json;

SchemaElement group(std::string name, int children, std::optional<Repetition> rep = std::nullopt,
                    std::optional<ConvertedType> converted = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.num_children = children;
  e.repetition = rep;
  e.converted_type = converted;
  return e;
}

SchemaElement leaf(std::string name, PhysicalType type, Repetition rep = Repetition::kRequired) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition = rep;
  return e;
}

SchemaElement with_logical(SchemaElement e, LogicalType t) {
  e.logical_type = t;
  return e;
}

LogicalType logical(LogicalType::Kind kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

json value(const char* dtype) {
  return {{"dtype", dtype}, {"_type", "Value"}};
}
json list_of(json feature) {
  return {{"feature", feature}, {"_type", "List"}};
}

TEST(ParquetSchema, FlatColumnsAndLevels) {
  auto schema =
      build_parquet_schema({group("schema", 2), leaf("id", PhysicalType::kInt64),
                            leaf("text", PhysicalType::kByteArray, Repetition::kOptional)});
  ASSERT_TRUE(schema) << schema.status().message();
  ASSERT_EQ(schema->columns.size(), 2u);
  EXPECT_EQ(schema->column_node(0).max_definition_level, 0);
  EXPECT_EQ(schema->column_node(1).max_definition_level, 1);
  EXPECT_EQ(schema->column_node(1).max_repetition_level, 0);
  EXPECT_EQ(schema->column_node(1).path, std::vector<std::string>{"text"});
  EXPECT_EQ(json(parquet_features(*schema)),
            json::parse(R"([{"name":"id","type":{"dtype":"int64","_type":"Value"}},
                            {"name":"text","type":{"dtype":"binary","_type":"Value"}}])"));
}

TEST(ParquetSchema, StandardThreeLevelList) {
  // optional group tags (LIST) { repeated group list { optional binary element (STRING) } }
  auto element = with_logical(leaf("element", PhysicalType::kByteArray, Repetition::kOptional),
                              logical(LogicalType::Kind::kString));
  auto schema = build_parquet_schema({group("schema", 1),
                                      group("tags", 1, Repetition::kOptional, ConvertedType::kList),
                                      group("list", 1, Repetition::kRepeated), element});
  ASSERT_TRUE(schema) << schema.status().message();
  ASSERT_EQ(schema->columns.size(), 1u);
  const auto& node = schema->column_node(0);
  EXPECT_EQ(node.max_definition_level, 3);
  EXPECT_EQ(node.max_repetition_level, 1);
  EXPECT_EQ(node.path, (std::vector<std::string>{"tags", "list", "element"}));
  EXPECT_EQ(json(parquet_features(*schema))[0]["type"], list_of(value("string")));
}

TEST(ParquetSchema, LegacyListsAndRepeatedFields) {
  // A LIST whose repeated child is the element itself; one whose repeated group is named
  // "array" (its struct is the element); a bare repeated primitive; a repeated group.
  auto schema = build_parquet_schema({
      group("schema", 4),
      group("a", 1, Repetition::kOptional, ConvertedType::kList),
      leaf("array", PhysicalType::kInt32, Repetition::kRepeated),
      group("b", 1, Repetition::kOptional, ConvertedType::kList),
      group("array", 1, Repetition::kRepeated),
      leaf("x", PhysicalType::kDouble, Repetition::kOptional),
      leaf("c", PhysicalType::kFloat, Repetition::kRepeated),
      group("d", 2, Repetition::kRepeated),
      leaf("k", PhysicalType::kBoolean),
      leaf("v", PhysicalType::kInt64, Repetition::kOptional),
  });
  ASSERT_TRUE(schema) << schema.status().message();
  auto features = json(parquet_features(*schema));
  EXPECT_EQ(features[0]["type"], list_of(value("int32")));
  EXPECT_EQ(features[1]["type"], list_of({{"x", value("float64")}}));
  EXPECT_EQ(features[2]["type"], list_of(value("float32")));
  EXPECT_EQ(features[3]["type"], list_of({{"k", value("bool")}, {"v", value("int64")}}));
  EXPECT_EQ(schema->column_node(4).max_definition_level, 2);
  EXPECT_EQ(schema->column_node(4).max_repetition_level, 1);
}

TEST(ParquetSchema, StructsAndMaps) {
  auto key =
      with_logical(leaf("key", PhysicalType::kByteArray), logical(LogicalType::Kind::kString));
  auto schema = build_parquet_schema({
      group("schema", 2),
      group("image", 2, Repetition::kOptional),
      leaf("bytes", PhysicalType::kByteArray, Repetition::kOptional),
      with_logical(leaf("path", PhysicalType::kByteArray, Repetition::kOptional),
                   logical(LogicalType::Kind::kString)),
      group("m", 1, Repetition::kOptional, ConvertedType::kMap),
      group("key_value", 2, Repetition::kRepeated),
      key,
      leaf("value", PhysicalType::kInt32, Repetition::kOptional),
  });
  ASSERT_TRUE(schema) << schema.status().message();
  auto features = json(parquet_features(*schema));
  EXPECT_EQ(features[0]["type"], json({{"bytes", value("binary")}, {"path", value("string")}}));
  EXPECT_EQ(features[1]["type"], list_of({{"key", value("string")}, {"value", value("int32")}}));
  EXPECT_EQ(schema->column_node(2).path, (std::vector<std::string>{"m", "key_value", "key"}));
}

TEST(ParquetSchema, ValueDtypes) {
  using K = LogicalType::Kind;
  auto dtype = [](PhysicalType type, LogicalType t = {}, std::optional<ConvertedType> c = {}) {
    SchemaElement e = leaf("x", type);
    e.logical_type = t;
    e.converted_type = c;
    return parquet_value_dtype(e);
  };
  LogicalType int8;
  int8.kind = K::kInteger;
  int8.bit_width = 8;
  LogicalType uint64 = int8;
  uint64.bit_width = 64;
  uint64.is_signed = false;
  LogicalType ts_utc;
  ts_utc.kind = K::kTimestamp;
  ts_utc.unit = TimeUnit::kMicros;
  ts_utc.adjusted_to_utc = true;
  LogicalType ts_naive = ts_utc;
  ts_naive.adjusted_to_utc = false;
  ts_naive.unit = TimeUnit::kMillis;
  LogicalType time_ns;
  time_ns.kind = K::kTime;
  time_ns.unit = TimeUnit::kNanos;
  LogicalType decimal;
  decimal.kind = K::kDecimal;
  decimal.precision = 9;
  decimal.scale = 2;
  LogicalType wide = decimal;
  wide.precision = 40;
  EXPECT_EQ(dtype(PhysicalType::kBoolean), "bool");
  EXPECT_EQ(dtype(PhysicalType::kInt32), "int32");
  EXPECT_EQ(dtype(PhysicalType::kInt32, int8), "int8");
  EXPECT_EQ(dtype(PhysicalType::kInt32, {}, ConvertedType::kUint16), "uint16");
  EXPECT_EQ(dtype(PhysicalType::kInt64, uint64), "uint64");
  EXPECT_EQ(dtype(PhysicalType::kInt64), "int64");
  EXPECT_EQ(dtype(PhysicalType::kInt32, logical(K::kDate)), "date32");
  EXPECT_EQ(dtype(PhysicalType::kInt32, {}, ConvertedType::kTimeMillis), "time32[ms]");
  EXPECT_EQ(dtype(PhysicalType::kInt64, time_ns), "time64[ns]");
  EXPECT_EQ(dtype(PhysicalType::kInt64, ts_utc), "timestamp[us, tz=UTC]");
  EXPECT_EQ(dtype(PhysicalType::kInt64, ts_naive), "timestamp[ms]");
  EXPECT_EQ(dtype(PhysicalType::kInt64, {}, ConvertedType::kTimestampMillis),
            "timestamp[ms, tz=UTC]");
  EXPECT_EQ(dtype(PhysicalType::kInt96), "timestamp[ns]");
  EXPECT_EQ(dtype(PhysicalType::kFloat), "float32");
  EXPECT_EQ(dtype(PhysicalType::kDouble), "float64");
  EXPECT_EQ(dtype(PhysicalType::kByteArray), "binary");
  EXPECT_EQ(dtype(PhysicalType::kByteArray, {}, ConvertedType::kUtf8), "string");
  EXPECT_EQ(dtype(PhysicalType::kByteArray, logical(K::kJson)), "string");
  EXPECT_EQ(dtype(PhysicalType::kInt32, decimal), "decimal128(9, 2)");
  EXPECT_EQ(dtype(PhysicalType::kFixedLenByteArray, wide), "decimal256(40, 2)");
  EXPECT_EQ(dtype(PhysicalType::kFixedLenByteArray, logical(K::kFloat16)), "float16");
  EXPECT_EQ(dtype(PhysicalType::kInt32, logical(K::kUnknown)), "null");
  SchemaElement legacy_decimal = leaf("x", PhysicalType::kInt64);
  legacy_decimal.converted_type = ConvertedType::kDecimal;
  legacy_decimal.precision = 18;
  legacy_decimal.scale = 3;
  EXPECT_EQ(parquet_value_dtype(legacy_decimal), "decimal128(18, 3)");
}

TEST(ParquetSchema, MalformedTrees) {
  auto refused = [](std::vector<SchemaElement> elements, std::string_view words) {
    auto schema = build_parquet_schema(elements);
    ASSERT_FALSE(schema);
    EXPECT_EQ(schema.status().kind(), ErrorKind::kUnprocessable);
    EXPECT_NE(schema.status().message().find(words), std::string::npos)
        << schema.status().message();
  };
  refused({}, "no elements");
  refused({leaf("root", PhysicalType::kInt32)}, "the root is a leaf");
  refused({group("schema", 3), leaf("a", PhysicalType::kInt32)}, "run past the end");
  refused({group("schema", 1), leaf("a", PhysicalType::kInt32), leaf("b", PhysicalType::kInt32)},
          "past the root's children");
  refused({group("schema", 1), leaf("f", PhysicalType::kFixedLenByteArray)}, "type_length");
  refused({group("schema", 1), leaf("bad\xff", PhysicalType::kInt32)}, "not UTF-8");
  std::vector<SchemaElement> deep{group("schema", 1)};
  for (size_t i = 0; i < kMaxParquetSchemaDepth + 1; ++i) {
    deep.push_back(group("g", 1, Repetition::kOptional));
  }
  deep.push_back(leaf("x", PhysicalType::kInt32));
  refused(deep, "nested deeper than");
  // Long names nested deep over many leaves: each path repeats them, so their total is bounded.
  std::vector<SchemaElement> wide{group("schema", 1)};
  for (int i = 0; i < 60; ++i) wide.push_back(group(std::string(100'000, 'n'), 1));
  wide.back().num_children = 20;
  for (int i = 0; i < 20; ++i) wide.push_back(leaf("x", PhysicalType::kInt32));
  refused(wide, "paths over");
}

TEST(ParquetSchema, HuggingfaceFeaturesWinAndChunksMatch) {
  test::TestColumn label;
  label.name = "label";
  label.type = PhysicalType::kInt64;
  test::TestColumn text;
  text.name = "text";
  text.type = PhysicalType::kByteArray;
  text.converted_type = ConvertedType::kUtf8;
  std::string metadata =
      R"({"info":{"features":{"label":{"names":["neg","pos"],"_type":"ClassLabel"}}}})";
  std::string file = test::build_parquet({label, text}, 0, {{"huggingface", metadata}});
  auto footer = parse_parquet_footer(file, file.size());
  ASSERT_TRUE(footer) << footer.status().message();
  auto schema = build_parquet_schema(footer->schema);
  ASSERT_TRUE(schema);
  EXPECT_TRUE(check_column_chunks(*footer, *schema));
  auto features = json(parquet_dataset_features(*footer, *schema));
  EXPECT_EQ(features, json::parse(R"([
    {"name":"label","type":{"names":["neg","pos"],"_type":"ClassLabel"}},
    {"name":"text","type":{"dtype":"string","_type":"Value"}}])"));

  // Metadata that is not the expected JSON leaves the derived types.
  auto junk = test::build_parquet({label, text}, 0, {{"huggingface", "{not json"}});
  auto junk_footer = parse_parquet_footer(junk, junk.size());
  ASSERT_TRUE(junk_footer);
  EXPECT_EQ(json(parquet_dataset_features(*junk_footer, *schema)), json(parquet_features(*schema)));

  // A chunk whose path does not match its leaf.
  footer->row_groups[0].columns[1].meta_data->path_in_schema = {"other"};
  EXPECT_FALSE(check_column_chunks(*footer, *schema));
  footer->row_groups[0].columns.pop_back();
  EXPECT_FALSE(check_column_chunks(*footer, *schema));
}

}  // namespace
}  // namespace vitrine::datasets
