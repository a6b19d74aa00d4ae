// Unit tests for FeatureInference (row_reader.hpp): the column types `datasets` gives a CSV
// file (pandas' inference, checked against pandas) and a JSON file (Arrow's inference with
// `datasets`' Json fallback), and the cells as the viewer then shows them.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "formats/datasets/pandas_values.hpp"
#include "formats/datasets/row_reader.hpp"
#include "row_reader_test_util.hpp"

namespace vitrine::datasets {
namespace {

using nlohmann::json;

struct Inferred {
  json features;  // {"name": type, …}
  json rows;      // typed rows
};

Inferred infer(SourceFormat format, std::unique_ptr<RowReader> reader) {
  auto d = test::drain(*reader);
  EXPECT_TRUE(d.status) << d.status.message();
  FeatureInference inference(format);
  for (const auto& row : d.rows) inference.observe(d.columns, row);
  Inferred out{json::object(), json::array()};
  for (const auto& f : inference.features(d.columns)) out.features[f["name"]] = f["type"];
  for (const auto& row : d.rows) out.rows.push_back(inference.typed(d.columns, row));
  return out;
}

Inferred infer_csv(std::string_view text) {
  return infer(SourceFormat::kCsv, csv_reader(memory_source(text), {}));
}
Inferred infer_json(std::string_view text) {
  return infer(SourceFormat::kJson, json_reader(memory_source(text)));
}

json value(const char* dtype) {
  return {{"dtype", dtype}, {"_type", "Value"}};
}
json list_of(json feature) {
  return {{"feature", std::move(feature)}, {"_type", "List"}};
}
const json kJsonFeature = {{"_type", "Json"}};

// The column's cells, one per row.
json column(const Inferred& in, size_t i) {
  json out = json::array();
  for (const auto& row : in.rows) out.push_back(row[i]);
  return out;
}

TEST(CsvInference, IntegersAreInt64) {
  auto in = infer_csv("a,b\n1,-7\n 2 ,+3\n007,0\n");
  EXPECT_EQ(in.features["a"], value("int64"));
  EXPECT_EQ(in.features["b"], value("int64"));
  EXPECT_EQ(in.rows, json::parse("[[1,-7],[2,3],[7,0]]"));
}

TEST(CsvInference, IntegersWithMissingCellsAreFloat64) {
  auto in = infer_csv("a,b\n1,x\n,y\nNA,z\n3,w\n");
  EXPECT_EQ(in.features["a"], value("float64"));
  EXPECT_EQ(column(in, 0), json::parse("[1.0, null, null, 3.0]"));
  EXPECT_TRUE(in.rows[0][0].is_number_float());  // an int in a float64 column is a float
}

TEST(CsvInference, FloatsInfAndNan) {
  auto in = infer_csv("a\n1.5\n1e3\n-inf\nnan\n.5\n");
  EXPECT_EQ(in.features["a"], value("float64"));
  // NaN and ±inf are null in the viewer's JSON.
  EXPECT_EQ(column(in, 0), json::parse("[1.5, 1000.0, null, null, 0.5]"));
  // Out of double's range, pandas keeps the text.
  in = infer_csv("a\n1e308\n1e309\n");
  EXPECT_EQ(in.features["a"], value("string"));
}

TEST(CsvInference, BooleansInAnyCase) {
  auto in = infer_csv("a\nTrue\nfalse\nTRUE\ntRuE\n\"\"\n");
  EXPECT_EQ(in.features["a"], value("bool"));
  EXPECT_EQ(column(in, 0), json::parse("[true, false, true, true, null]"));
  // 1 is not a bool, and " True" has a space: strings.
  EXPECT_EQ(infer_csv("a\nTrue\n1\n").features["a"], value("string"));
  EXPECT_EQ(infer_csv("a\nTrue\n True\n").features["a"], value("string"));
}

TEST(CsvInference, AnythingElseIsStringWithNaSpellingsNull) {
  auto in = infer_csv("a\n1\nx\nNone\nnull\nn/a\n#N/A\n1.5.3\n");
  EXPECT_EQ(in.features["a"], value("string"));
  EXPECT_EQ(column(in, 0), json::parse(R"(["1", "x", null, null, null, null, "1.5.3"])"));
}

TEST(CsvInference, AllMissingIsFloat64AndNoRowsIsNull) {
  auto in = infer_csv("a,b\n1,\n2,\n");
  EXPECT_EQ(in.features["a"], value("int64"));
  EXPECT_EQ(in.features["b"], value("float64"));
  EXPECT_EQ(column(in, 1), json::parse("[null, null]"));
  in = infer_csv("a,b\n");
  EXPECT_EQ(in.features["a"], value("null"));
}

TEST(CsvInference, IntegersPastInt64) {
  // uint64 when none is negative or missing.
  auto in = infer_csv("a\n18446744073709551615\n1\n");
  EXPECT_EQ(in.features["a"], value("uint64"));
  EXPECT_EQ(column(in, 0), json::parse("[18446744073709551615, 1]"));
  // Past uint64: strings.
  EXPECT_EQ(infer_csv("a\n18446744073709551616\n").features["a"], value("string"));
  // With a negative or a missing cell pandas refuses uint64 and keeps the NA text as is.
  in = infer_csv("a\n-1\n9223372036854775808\nNA\n\"\"\n");
  EXPECT_EQ(in.features["a"], value("string"));
  EXPECT_EQ(column(in, 0), json::parse(R"(["-1", "9223372036854775808", "NA", ""])"));
  // Which cell fails first matters, as in pandas: a float after the overflow is float64.
  EXPECT_EQ(infer_csv("a\n9223372036854775808\n1.5\n").features["a"], value("float64"));
  EXPECT_EQ(infer_csv("a\n1.5\n99999999999999999999\n").features["a"], value("float64"));
  EXPECT_EQ(infer_csv("a\n99999999999999999999\n1.5\n").features["a"], value("string"));
}

TEST(CsvInference, ImplicitIndexColumnsAreTypedToo) {
  auto in = infer_csv("a,b\n1,x,y\n2,z,w\n");
  EXPECT_EQ(in.features["__index_level_0__"], value("int64"));
  EXPECT_EQ(in.rows, json::parse(R"([["x","y",1],["z","w",2]])"));
}

TEST(JsonInference, NumbersAreInt64UntilOneIsNot) {
  auto in = infer_json("{\"n\": 1, \"m\": 1}\n{\"n\": 2.5, \"m\": -3}\n{\"n\": 3, \"m\": null}\n");
  EXPECT_EQ(in.features["n"], value("float64"));
  EXPECT_EQ(in.features["m"], value("int64"));
  EXPECT_EQ(column(in, 0), json::parse("[1.0, 2.5, 3.0]"));
  EXPECT_TRUE(in.rows[0][0].is_number_float());
  // Past int64 Arrow reads a double.
  EXPECT_EQ(infer_json("{\"n\": 18446744073709551615}").features["n"], value("float64"));
  EXPECT_EQ(infer_json("{\"n\": 1e2}").features["n"], value("float64"));
}

TEST(JsonInference, ScalarsNullAndNewKeys) {
  auto in = infer_json("{\"s\": \"x\", \"b\": true, \"z\": null}\n{\"s\": \"y\", \"late\": 1}\n");
  EXPECT_EQ(in.features, json({{"s", value("string")},
                               {"b", value("bool")},
                               {"z", value("null")},
                               {"late", value("int64")}}));
  EXPECT_EQ(in.rows, json::parse(R"([["x", true, null, null], ["y", null, null, 1]])"));
}

TEST(JsonInference, TimestampsAsArrowReadsThem) {
  auto in = infer_json(
      "{\"t\": \"2024-02-29\"}\n{\"t\": \"2024-03-01 10:20:30\"}\n{\"t\": \"2024-03-01T10:20\"}\n"
      "{\"t\": \"2024-03-01T10:20:30Z\"}\n{\"t\": \"2024-03-01T10:20:30+01:30\"}\n");
  EXPECT_EQ(in.features["t"], value("timestamp[s]"));
  EXPECT_EQ(column(in, 0), json::parse(R"(["2024-02-29T00:00:00", "2024-03-01T10:20:30",
      "2024-03-01T10:20:00", "2024-03-01T10:20:30", "2024-03-01T08:50:30"])"));
  // One string that is not a date makes them all strings, unchanged.
  in = infer_json("{\"t\": \"2024-03-01\"}\n{\"t\": \"soon\"}\n");
  EXPECT_EQ(in.features["t"], value("string"));
  EXPECT_EQ(column(in, 0), json::parse(R"(["2024-03-01", "soon"])"));
  // What does not fit timestamp[s]: fractions, impossible dates, other layouts.
  for (const char* s : {"2024-03-01T10:20:30.5", "2023-02-29", "2024-13-01", "2024-3-1",
                        "2024-03-01T24:00", "20240301", "2024-03-01x"}) {
    EXPECT_EQ(infer_json(std::string("{\"t\": \"") + s + "\"}").features["t"], value("string"))
        << s;
  }
}

TEST(JsonInference, ListsAndStructs) {
  auto in = infer_json(
      "{\"tags\": [\"a\"], \"nums\": [1, 2], \"empty\": [], \"meta\": {\"lang\": \"en\", \"n\": "
      "1}}\n"
      "{\"tags\": [], \"nums\": [2.5], \"empty\": [], \"meta\": {\"n\": 2, \"lang\": \"fr\"}}\n");
  EXPECT_EQ(in.features["tags"], list_of(value("string")));
  EXPECT_EQ(in.features["nums"], list_of(value("float64")));
  EXPECT_EQ(in.features["empty"], list_of(value("null")));
  EXPECT_EQ(in.features["meta"], json({{"lang", value("string")}, {"n", value("int64")}}));
  EXPECT_EQ(column(in, 1), json::parse("[[1.0, 2.0], [2.5]]"));
  EXPECT_EQ(in.rows[1][3], json::parse(R"({"lang": "fr", "n": 2})"));
  // Lists of structs, nested.
  in = infer_json("{\"turns\": [{\"role\": \"user\", \"at\": \"2024-01-01\"}]}\n");
  EXPECT_EQ(in.features["turns"],
            list_of(json({{"role", value("string")}, {"at", value("timestamp[s]")}})));
  EXPECT_EQ(in.rows[0][0], json::parse(R"([{"role": "user", "at": "2024-01-01T00:00:00"}])"));
}

TEST(JsonInference, MixedKindsAreJson) {
  // Arrow: "Column(/v) changed from number to string"; `datasets` makes the field Json, and a
  // string that is JSON text shows decoded.
  auto in = infer_json("{\"v\": 1}\n{\"v\": \"x\"}\n{\"v\": \"[1, 2]\"}\n{\"v\": {\"k\": 1}}\n");
  EXPECT_EQ(in.features["v"], kJsonFeature);
  EXPECT_EQ(column(in, 0), json::parse(R"([1, "x", [1, 2], {"k": 1}])"));
  // Inside lists.
  in = infer_json("{\"l\": [1, \"a\", true]}\n");
  EXPECT_EQ(in.features["l"], list_of(kJsonFeature));
  EXPECT_EQ(in.rows[0][0], json::parse(R"([1, "a", true])"));
  EXPECT_EQ(infer_json("{\"v\": true}\n{\"v\": 1}\n").features["v"], kJsonFeature);
  EXPECT_EQ(infer_json("{\"v\": [1]}\n{\"v\": {\"a\": 1}}\n").features["v"], kJsonFeature);
}

TEST(JsonInference, ObjectsWithDifferentKeysAreJson) {
  // find_mixed_struct_types_field_paths: a field whose objects differ in keys, or are empty.
  auto in = infer_json(
      "{\"m\": {\"a\": 1}, \"s\": {\"a\": 1}}\n{\"m\": {\"a\": 2, \"b\": 3}, "
      "\"s\": {\"a\": 2}}\n");
  EXPECT_EQ(in.features["m"], kJsonFeature);
  EXPECT_EQ(in.features["s"], json({{"a", value("int64")}}));
  EXPECT_EQ(column(in, 0), json::parse(R"([{"a": 1}, {"a": 2, "b": 3}])"));
  EXPECT_EQ(infer_json("{\"m\": {}}\n").features["m"], kJsonFeature);
  // The `datasets` docstring example: List(Json()).
  in = infer_json("{\"a\": [{\"b\": 0}, {\"c\": 0}]}\n");
  EXPECT_EQ(in.features["a"], list_of(kJsonFeature));
  EXPECT_EQ(in.rows[0][0], json::parse(R"([{"b": 0}, {"c": 0}])"));
  // Nulls do not count as objects.
  EXPECT_EQ(infer_json("{\"m\": {\"a\": 1}}\n{\"m\": null}\n").features["m"],
            json({{"a", value("int64")}}));
}

TEST(JsonInference, ArrayOfValuesIsText) {
  auto in = infer_json(R"(["a", "b"])");
  EXPECT_EQ(in.features, json({{"text", value("string")}}));
}

TEST(TextInference, OneStringColumn) {
  auto in = infer(SourceFormat::kText, text_reader(memory_source("1\n2\n")));
  EXPECT_EQ(in.features, json({{"text", value("string")}}));
  EXPECT_EQ(in.rows, json::parse(R"([["1"], ["2"]])"));
}

TEST(FeatureInference, FeaturesAreInColumnOrderAndCopiesAreIndependent) {
  std::vector<std::string> columns{"b", "a"};
  FeatureInference inference(SourceFormat::kJson);
  inference.observe(columns, {json(1), json("x")});
  FeatureInference copy = inference;
  inference.observe(columns, {json("now a string"), json("x")});
  EXPECT_EQ(inference.features(columns), json::parse(R"([{"name": "b", "type": {"_type": "Json"}},
                            {"name": "a", "type": {"dtype": "string", "_type": "Value"}}])"));
  EXPECT_EQ(copy.features(columns)[0]["type"], value("int64"));
  // typed() pads a short row with null.
  EXPECT_EQ(copy.typed(columns, {json(5)}), (Row{json(5), json()}));
}

TEST(CsvInference, MovedRowsAreTypedAsCopiedOnes) {
  // The export types rows it no longer needs by moving their cells; the result is the same.
  for (auto [format, text] :
       {std::pair{SourceFormat::kCsv, std::string("a,b,c,d\n1,x,1.5,true\n,y,,False\n")},
        std::pair{SourceFormat::kJson,
                  std::string("{\"a\":1,\"s\":{\"x\":[1,2]},\"t\":\"2020-01-01\"}\n"
                              "{\"a\":2.5,\"s\":{\"x\":[3]},\"t\":null}\n")}}) {
    auto reader = format == SourceFormat::kCsv ? csv_reader(memory_source(text), {})
                                               : json_reader(memory_source(text));
    auto d = test::drain(*reader);
    ASSERT_TRUE(d.status);
    FeatureInference inference(format);
    for (const auto& row : d.rows) inference.observe(d.columns, row);
    for (const auto& row : d.rows) {
      Row copy = row;
      EXPECT_EQ(json(inference.typed(d.columns, std::move(copy))),
                json(inference.typed(d.columns, row)));
    }
  }
}

TEST(CsvInference, FloatsParseAsStrtodReadsThem) {
  // parse_float reads with from_chars and falls back to strtod out of range: the value is
  // strtod's (glibc's, correctly rounded) for every text of pandas' float grammar.
  std::mt19937_64 random(7);
  auto digits = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += static_cast<char>('0' + random() % 10);
    return out;
  };
  std::vector<std::string> texts = {"+1.5",
                                    ".5",
                                    "1.",
                                    "-0",
                                    "1e-400",
                                    "4.9e-324",
                                    "2.4703282292062328e-324",
                                    "1.7976931348623157e308",
                                    "1e308",
                                    "17976931348623159e292",
                                    " 12.5 ",
                                    "+.25e+3",
                                    "00001.000"};
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    if (random() % 3 == 0) t += random() % 2 ? "-" : "+";
    t += digits(1 + static_cast<int>(random() % 20));
    if (random() % 2) t += "." + digits(static_cast<int>(random() % 20));
    if (random() % 2) t += "e" + std::to_string(static_cast<int>(random() % 700) - 350);
    texts.push_back(t);
  }
  for (const auto& t : texts) {
    double got = 0;
    bool ok = pandas::parse_float(t, &got);
    std::string trimmed = t.substr(t.find_first_not_of(' '));
    errno = 0;
    double want = std::strtod(trimmed.c_str(), nullptr);
    bool want_ok = !(errno == ERANGE && std::isinf(want));
    ASSERT_EQ(ok, want_ok) << t;
    if (ok) {
      EXPECT_EQ(std::signbit(got), std::signbit(want)) << t;
      EXPECT_EQ(got, want) << t;
    }
  }
}

}  // namespace
}  // namespace vitrine::datasets
