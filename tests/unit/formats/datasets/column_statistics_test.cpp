// Unit tests for ColumnStatistics: the viewer's golden histogram edges, the contract's example,
// the viewer's own test fixtures (services/worker/tests: statistics_dataset.py, with expected
// numbers computed the way its tests compute them) and e2e answers, and the rules one by one.
#include "formats/datasets/column_statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "util/encoding.hpp"

namespace vitrine::datasets {
namespace {

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

ColumnStatistics make(const std::string& type) {
  auto stats = ColumnStatistics::for_type("col", OrderedJson::parse(type));
  EXPECT_TRUE(stats.has_value()) << type;
  return stats ? std::move(*stats) : *ColumnStatistics::for_type("col", {{"_type", "Image"}});
}

// The finished item for `cells` (a JSON array) in a column of Features type `type`.
OrderedJson stats_of(const std::string& type, const std::string& cells) {
  ColumnStatistics stats = make(type);
  for (const Json& cell : Json::parse(cells)) stats.add(cell);
  return stats.finish();
}

// Compared as printed, so that key order and int-versus-float both count.
void expect_statistics(const OrderedJson& item, const std::string& type_name,
                       const std::string& expected) {
  EXPECT_EQ(item["column_name"], "col");
  EXPECT_EQ(item["column_type"], type_name);
  EXPECT_EQ(item["column_statistics"].dump(), OrderedJson::parse(expected).dump());
}

constexpr const char* kInt64 = R"({"dtype":"int64","_type":"Value"})";
constexpr const char* kFloat64 = R"({"dtype":"float64","_type":"Value"})";
constexpr const char* kString = R"({"dtype":"string","_type":"Value"})";
constexpr const char* kBool = R"({"dtype":"bool","_type":"Value"})";
constexpr const char* kCatDog = R"({"names":["cat","dog"],"_type":"ClassLabel"})";

TEST(ColumnStatisticsBins, IntGoldenVectors) {
  EXPECT_EQ(int_bin_edges(0, 1), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(int_bin_edges(0, 12), (std::vector<int64_t>{0, 2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(int_bin_edges(-10, 15), (std::vector<int64_t>{-10, -7, -4, -1, 2, 5, 8, 11, 14, 15}));
  EXPECT_EQ(int_bin_edges(0, 9), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(int_bin_edges(0, 10), (std::vector<int64_t>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(int_bin_edges(0, 0), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(int_bin_edges(0, 8550),
            (std::vector<int64_t>{0, 856, 1712, 2568, 3424, 4280, 5136, 5992, 6848, 7704, 8550}));
}

TEST(ColumnStatisticsBins, FloatGoldenVectors) {
  auto expect_near = [](double min, double max, std::vector<double> expected) {
    std::vector<double> edges = float_bin_edges(min, max);
    ASSERT_EQ(edges.size(), expected.size()) << min << " " << max;
    for (size_t i = 0; i < edges.size(); ++i) EXPECT_NEAR(edges[i], expected[i], 1e-12) << i;
  };
  expect_near(0.0, 0.1, {0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1});
  expect_near(0.0, 10.0, {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0});
  expect_near(-0.5, 0.5, {-0.5, -0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5});
  expect_near(-100.0, 100.0, {-100, -80, -60, -40, -20, 0, 20, 40, 60, 80, 100});
  expect_near(0.0, 0.0, {0.0, 0.0});
  // numpy's arange: the first two values are start and start + step, the rest start + i * delta.
  std::vector<double> edges = float_bin_edges(0.0, 0.1);
  EXPECT_EQ(edges[1], 0.01);
  EXPECT_EQ(edges[3], 3 * (0.0 + 0.01));
  EXPECT_EQ(edges.back(), 0.1);
}

TEST(ColumnStatisticsBins, FloatEdgesArePrintedRoundedToFiveDecimals) {
  OrderedJson item = stats_of(kFloat64, "[0.0, 0.1]");
  EXPECT_EQ(item["column_statistics"]["histogram"].dump(),
            R"({"hist":[1,0,0,0,0,0,0,0,0,1],)"
            R"("bin_edges":[0.0,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1]})");
}

// dataset-viewer-contract.md §2.10.
TEST(ColumnStatistics, ContractExample) {
  ColumnStatistics idx = make(kInt64);
  for (int i = 0; i <= 8550; ++i) idx.add(i);
  OrderedJson item = idx.finish();
  expect_statistics(item, "int",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":8550,"mean":4275.0,)"
                    R"("median":4275.0,"std":2468.60541,"histogram":{"hist":[856,856,856,856,)"
                    R"(856,856,856,856,856,847],"bin_edges":[0,856,1712,2568,3424,4280,5136,)"
                    R"(5992,6848,7704,8550]}})");
  EXPECT_EQ(item.begin().key(), "column_name");
  EXPECT_EQ(std::next(item.begin()).key(), "column_type");

  ColumnStatistics label = make(R"({"names":["unacceptable","acceptable"],"_type":"ClassLabel"})");
  for (int i = 0; i < 2528; ++i) label.add(0);
  for (int i = 0; i < 6023; ++i) label.add(1);
  expect_statistics(label.finish(), "class_label",
                    R"({"nan_count":0,"nan_proportion":0.0,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":2,)"
                    R"("frequencies":{"unacceptable":2528,"acceptable":6023}})");
}

// The viewer's e2e test (e2e/tests/test_14_statistics.py) on e2e/tests/constants.py's data.
TEST(ColumnStatistics, ViewerEndToEndAnswers) {
  expect_statistics(stats_of(kInt64, "[0, 1, 2, 3]"), "int",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":3,"mean":1.5,)"
                    R"("median":1.5,"std":1.29099,)"
                    R"("histogram":{"hist":[1,1,2],"bin_edges":[0,1,2,3]}})");
  expect_statistics(stats_of(kFloat64, "[0.0, 1.0, 2.0, 3.0]"), "float",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":0.0,"max":3.0,"mean":1.5,)"
                    R"("median":1.5,"std":1.29099,"histogram":{"hist":[1,0,0,1,0,0,1,0,0,1],)"
                    R"("bin_edges":[0.0,0.3,0.6,0.9,1.2,1.5,1.8,2.1,2.4,2.7,3.0]}})");
  expect_statistics(stats_of(kString, R"(["B", "B", "A", "B"])"), "string_label",
                    R"({"nan_count":0,"nan_proportion":0.0,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":2,"frequencies":{"B":3,"A":1}})");
  expect_statistics(stats_of(kBool, "[true, false, true, null]"), "bool",
                    R"({"nan_count":1,"nan_proportion":0.25,)"
                    R"("frequencies":{"False":1,"True":2}})");
  expect_statistics(
      stats_of(R"({"feature":{"dtype":"int64","_type":"Value"},"_type":"List"})",
               "[[0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, null], null]"),
      "list",
      R"({"nan_count":1,"nan_proportion":0.25,"min":3,"max":5,"mean":4.0,"median":4.0,)"
      R"("std":1.0,"histogram":{"hist":[1,2],"bin_edges":[3,4,5]}})");
}

struct FixtureColumn {
  const char* name;
  const char* column_type;
  const char* type;
  const char* cells;
  const char* expected;
};

// Columns of the viewer's statistics_dataset fixture.
const FixtureColumn kFixtureColumns[] = {
    {"int__column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([0,0,1,1,2,2,2,3,4,4,5,5,5,5,5,6,7,8,8,8])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":8,"mean":4.05,"median":4.5,)"
     R"("std":2.60516,"histogram":{"hist":[2,2,3,1,2,5,1,4],"bin_edges":[0,1,2,3,4,5,6,7,8]}})"},
    {"int__null_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([0,null,1,null,2,null,2,null,4,null,5,null,5,5,5,6,7,8,8,8])",
     R"({"nan_count":6,"nan_proportion":0.3,"min":0,"max":8,"mean":4.71429,"median":5.0,)"
     R"("std":2.64367,"histogram":{"hist":[1,1,2,0,1,4,1,4],"bin_edges":[0,1,2,3,4,5,6,7,8]}})"},
    {"int__negative_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([-10,-9,-8,-1,-5,-1,-2,-3,-5,-4,-7,-8,-11,-15,-31,-1,-14,-11,0,-10])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":-31,"max":0,"mean":-7.8,"median":-7.5,)"
     R"("std":7.06064,"histogram":{"hist":[1,0,0,0,2,7,4,6],"bin_edges":[-31,-27,-23,-19,-15,)"
     R"(-11,-7,-3,0]}})"},
    {"int__cross_zero_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([-10,-9,-8,0,0,1,2,-3,-5,4,7,8,11,15,9,-1,14,11,0,-10])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":-10,"max":15,"mean":1.8,"median":0.5,)"
     R"("std":7.92465,"histogram":{"hist":[4,1,1,5,2,1,2,2,2],"bin_edges":[-10,-7,-4,-1,2,5,8,)"
     R"(11,14,15]}})"},
    {"int__large_values_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([1101,1178,197,1150,169,156,134,189,145,148,190,1134,155,153,163,143,177,132,191,1114])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":132,"max":1178,"mean":405.95,"median":173.0,)"
     R"("std":432.71037,"histogram":{"hist":[15,0,0,0,0,0,0,0,0,5],"bin_edges":[132,237,342,)"
     R"(447,552,657,762,867,972,1077,1178]}})"},
    {"int__only_one_value_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":0,"mean":0.0,"median":0.0,"std":0.0,)"
     R"("histogram":{"hist":[20],"bin_edges":[0,0]}})"},
    {"int__only_one_value_null_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([0,null,0,null,0,null,0,0,0,0,0,0,0,0,0,0,0,0,0,0])",
     R"({"nan_count":3,"nan_proportion":0.15,"min":0,"max":0,"mean":0.0,"median":0.0,)"
     R"("std":0.0,"histogram":{"hist":[17],"bin_edges":[0,0]}})"},
    {"int__all_null_column", "int", R"({"dtype":"int32","_type":"Value"})",
     R"([null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,)"
     R"(null,null,null])",
     R"({"nan_count":20,"nan_proportion":1.0,"min":null,"max":null,"mean":null,"median":null,)"
     R"("std":null,"histogram":null})"},
    {"float__column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([0.1,0.2,0.3,0.4,0.5,1.1,2.2,2.3,2.6,4.7,5.1,6.2,6.7,6.8,7.0,8.3,8.4,9.2,9.7,9.9])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":0.1,"max":9.9,"mean":4.585,"median":4.9,)"
     R"("std":3.56197,"histogram":{"hist":[5,1,3,0,1,1,3,1,2,3],"bin_edges":[0.1,1.08,2.06,)"
     R"(3.04,4.02,5.0,5.98,6.96,7.94,8.92,9.9]}})"},
    {"float__null_column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([null,0.2,0.3,null,0.5,null,2.2,null,2.6,4.7,5.1,null,null,null,null,8.3,8.4,9.2,9.7,)"
     R"(9.9])",
     R"({"nan_count":8,"nan_proportion":0.4,"min":0.2,"max":9.9,"mean":5.09167,"median":4.9,)"
     R"("std":3.87497,"histogram":{"hist":[3,0,2,0,1,1,0,0,2,3],"bin_edges":[0.2,1.17,2.14,)"
     R"(3.11,4.08,5.05,6.02,6.99,7.96,8.93,9.9]}})"},
    {"float__negative_column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([-7.221,-5.333,-15.154,-15.392,-15.054,-10.176,-10.072,-10.59,-6.0,-14.951,-14.054,)"
     R"(-9.706,-7.053,-10.072,-15.054,-12.777,-12.233,-13.54,-14.376,-15.754])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":-15.754,"max":-5.333,"mean":-11.7281,)"
     R"("median":-12.505,"std":3.40353,"histogram":{"hist":[6,2,2,1,1,4,0,0,2,2],)"
     R"("bin_edges":[-15.754,-14.7119,-13.6698,-12.6277,-11.5856,-10.5435,-9.5014,-8.4593,)"
     R"(-7.4172,-6.3751,-5.333]}})"},
    {"float__cross_zero_column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([-7.221,-5.333,-15.154,-15.392,-15.054,-10.176,-10.072,-10.59,6.0,14.951,14.054,)"
     R"(-9.706,7.053,0.0,-15.054,-12.777,12.233,13.54,-14.376,15.754])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":-15.392,"max":15.754,"mean":-2.866,)"
     R"("median":-8.4635,"std":11.93257,"histogram":{"hist":[6,4,1,1,1,0,1,1,1,4],)"
     R"("bin_edges":[-15.392,-12.2774,-9.1628,-6.0482,-2.9336,0.181,3.2956,6.4102,9.5248,)"
     R"(12.6394,15.754]}})"},
    {"float__large_values_column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([1101.34567,1178.923,197.2134,1150.8483,169.907655,156.458,134.4368456,189.456,)"
     R"(145.0912,148.354465,190.8943,1134.34,155.22366,153.0,163.0,143.5468,177.231,132.568,)"
     R"(191.99,1114.0])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":132.568,"max":1178.923,"mean":406.39141,)"
     R"("median":173.56933,"std":432.74821,"histogram":{"hist":[15,0,0,0,0,0,0,0,0,5],)"
     R"("bin_edges":[132.568,237.2035,341.839,446.4745,551.11,655.7455,760.381,865.0165,)"
     R"(969.652,1074.2875,1178.923]}})"},
    {"float__only_one_value_column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":0.0,"max":0.0,"mean":0.0,"median":0.0,)"
     R"("std":0.0,"histogram":{"hist":[20],"bin_edges":[0.0,0.0]}})"},
    {"float__all_null_column", "float", R"({"dtype":"float64","_type":"Value"})",
     R"([null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,)"
     R"(null,null,null])",
     R"({"nan_count":20,"nan_proportion":1.0,"min":null,"max":null,"mean":null,"median":null,)"
     R"("std":null,"histogram":null})"},
    {"list__int_column", "list", R"({"feature":{"dtype":"int32","_type":"Value"},"_type":"List"})",
     R"([[1],[1],[1],[1,2],[1,2],[1,2],[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3,4],[1,2,)"
     R"(3,4,5,6,7,8],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,)"
     R"(7,8,9],[1,2,3,4,5,6,7,8,9],[],[]])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":9,"mean":4.05,"median":3.0,)"
     R"("std":3.37912,"histogram":{"hist":[2,3,3,5,1,0,0,0,6],"bin_edges":[0,1,2,3,4,5,6,7,8,)"
     R"(9]}})"},
    {"list__int_null_column", "list",
     R"({"feature":{"dtype":"int32","_type":"Value"},"_type":"List"})",
     R"([[1],[1],[1],[null],[1,2],[1,2],[null],[1,2,3],[1,2,3],[1,2,3],[1,2,3],[null],[1,2,3,)"
     R"(4,5,6,7,8],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[null],[1,2,3,4,5,6,7,8,9],[1,2,3,)"
     R"(4,5,6,7,8,9],[],[]])",
     R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":9,"mean":3.35,"median":2.0,)"
     R"("std":3.36037,"histogram":{"hist":[2,7,2,4,0,0,0,0,5],"bin_edges":[0,1,2,3,4,5,6,7,8,)"
     R"(9]}})"},
    {"list__sequence_int_null_column", "list",
     R"({"feature":{"dtype":"int32","_type":"Value"},"_type":"List"})",
     R"([[1],[1],[1],null,[1,2],[1,2],null,[1,2,3],[1,2,3],[1,2,3],[1,2,3],null,[1,2,3,4,5,6,)"
     R"(7,8],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],null,[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,)"
     R"(8,9],[],[]])",
     R"({"nan_count":4,"nan_proportion":0.2,"min":0,"max":9,"mean":3.9375,"median":3.0,)"
     R"("std":3.53023,"histogram":{"hist":[2,3,2,4,0,0,0,0,5],"bin_edges":[0,1,2,3,4,5,6,7,8,)"
     R"(9]}})"},
    {"list__int_all_null_column", "list",
     R"({"feature":{"dtype":"int32","_type":"Value"},"_type":"List"})",
     R"([null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,)"
     R"(null,null,null])",
     R"({"nan_count":20,"nan_proportion":1.0,"min":null,"max":null,"mean":null,"median":null,)"
     R"("std":null,"histogram":null})"},
};

TEST(ColumnStatistics, ViewerFixtureNumbers) {
  for (const FixtureColumn& column : kFixtureColumns) {
    SCOPED_TRACE(column.name);
    expect_statistics(stats_of(column.type, column.cells), column.column_type, column.expected);
  }
}

TEST(ColumnStatistics, ViewerFixtureClassLabels) {
  expect_statistics(stats_of(kCatDog, "[0,1,0,0,0,-1,0,-1,0,-1,0,0,0,0,0,0,1,0,1,0]"),
                    "class_label",
                    R"({"nan_count":0,"nan_proportion":0.0,"no_label_count":3,)"
                    R"("no_label_proportion":0.15,"n_unique":2,)"
                    R"("frequencies":{"cat":14,"dog":3}})");
  expect_statistics(
      stats_of(kCatDog, "[0,null,0,0,0,null,-1,0,0,null,0,0,0,0,0,-1,1,0,null,0]"), "class_label",
      R"({"nan_count":4,"nan_proportion":0.2,"no_label_count":2,"no_label_proportion":0.1,)"
      R"("n_unique":2,"frequencies":{"cat":13,"dog":1}})");
  // Classes never seen still count, with zero.
  expect_statistics(stats_of(kCatDog, "[0,0,0,0,0,-1,0,-1,0,-1,0,0,0,0,0,0,0,0,0,0]"),
                    "class_label",
                    R"({"nan_count":0,"nan_proportion":0.0,"no_label_count":3,)"
                    R"("no_label_proportion":0.15,"n_unique":2,)"
                    R"("frequencies":{"cat":17,"dog":0}})");
  expect_statistics(stats_of(kCatDog, "[null,null,null]"), "class_label",
                    R"({"nan_count":3,"nan_proportion":1.0,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":2,)"
                    R"("frequencies":{"cat":0,"dog":0}})");
  // ClassLabel(num_classes=3) names its classes by number.
  expect_statistics(stats_of(R"({"num_classes":3,"_type":"ClassLabel"})", "[2,2,0]"), "class_label",
                    R"({"nan_count":0,"nan_proportion":0.0,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":3,)"
                    R"("frequencies":{"0":1,"1":0,"2":2}})");
}

TEST(ColumnStatistics, ViewerFixtureStringLabels) {
  expect_statistics(stats_of(kString, R"(["cat","dog","cat","potato","cat","cat","cat","cat",)"
                                      R"("cat","cat","potato","cat","cat","cat","cat","potato",)"
                                      R"("dog","cat","dog","cat"])"),
                    "string_label",
                    R"({"nan_count":0,"nan_proportion":0.0,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":3,)"
                    R"("frequencies":{"cat":14,"dog":3,"potato":3}})");
  expect_statistics(stats_of(kString, R"(["cat",null,"cat","potato","cat",null,"cat","cat",)"
                                      R"("cat",null,"cat","cat","potato","cat","cat","cat",)"
                                      R"("dog","cat",null,"cat"])"),
                    "string_label",
                    R"({"nan_count":4,"nan_proportion":0.2,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":3,)"
                    R"("frequencies":{"cat":13,"potato":2,"dog":1}})");
  expect_statistics(stats_of(kString, "[null,null]"), "string_label",
                    R"({"nan_count":2,"nan_proportion":1.0,"no_label_count":0,)"
                    R"("no_label_proportion":0.0,"n_unique":0,"frequencies":{}})");
}

TEST(ColumnStatistics, ViewerFixtureBools) {
  expect_statistics(stats_of(kBool,
                             "[true,true,true,true,false,false,false,false,true,true,"
                             "true,true,true,true,false,false,false,false,true,true]"),
                    "bool",
                    R"({"nan_count":0,"nan_proportion":0.0,)"
                    R"("frequencies":{"False":8,"True":12}})");
  expect_statistics(stats_of(kBool,
                             "[true,true,true,true,false,false,false,false,true,true,"
                             "true,true,true,true,false,false,false,null,null,null]"),
                    "bool",
                    R"({"nan_count":3,"nan_proportion":0.15,)"
                    R"("frequencies":{"False":7,"True":10}})");
  // Only the values present are keys.
  expect_statistics(stats_of(kBool, "[true]"), "bool",
                    R"({"nan_count":0,"nan_proportion":0.0,"frequencies":{"True":1}})");
  expect_statistics(stats_of(kBool, "[null]"), "bool",
                    R"({"nan_count":1,"nan_proportion":1.0,"frequencies":{}})");
}

TEST(ColumnStatistics, AllNullColumns) {
  const char* all_null = R"({"nan_count":3,"nan_proportion":1.0,"min":null,"max":null,)"
                         R"("mean":null,"median":null,"std":null,"histogram":null})";
  expect_statistics(stats_of(kInt64, "[null,null,null]"), "int", all_null);
  expect_statistics(stats_of(kFloat64, "[null,null,null]"), "float", all_null);
  expect_statistics(stats_of(R"({"feature":{"dtype":"int64","_type":"Value"},"_type":"List"})",
                             "[null,null,null]"),
                    "list", all_null);
  expect_statistics(stats_of(R"({"dtype":"timestamp[us]","_type":"Value"})", "[null,null,null]"),
                    "datetime", all_null);
  expect_statistics(stats_of(R"({"_type":"Image"})", "[null,null,null]"), "image", all_null);
  // No rows at all: the viewer's all-null answer too.
  expect_statistics(stats_of(kInt64, "[]"), "int",
                    R"({"nan_count":0,"nan_proportion":1.0,"min":null,"max":null,)"
                    R"("mean":null,"median":null,"std":null,"histogram":null})");
}

TEST(ColumnStatistics, SingleValue) {
  // polars has no sample std of one value (the viewer's job fails there); std is null.
  expect_statistics(stats_of(kInt64, "[5, null]"), "int",
                    R"({"nan_count":1,"nan_proportion":0.5,"min":5,"max":5,"mean":5.0,)"
                    R"("median":5.0,"std":null,"histogram":{"hist":[1],"bin_edges":[5,5]}})");
  expect_statistics(stats_of(kFloat64, "[2.5]"), "float",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":2.5,"max":2.5,"mean":2.5,)"
                    R"("median":2.5,"std":null,"histogram":{"hist":[1],"bin_edges":[2.5,2.5]}})");
}

TEST(ColumnStatistics, IntegerRangeOfOneIsOneBin) {
  // generate_bins(0, 1) is [0, 1]: two distinct edges, one bin holding everything.
  expect_statistics(stats_of(kInt64, "[0, 1, 1]"), "int",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":0,"max":1,"mean":0.66667,)"
                    R"("median":1.0,"std":0.57735,"histogram":{"hist":[3],"bin_edges":[0,1]}})");
}

TEST(ColumnStatistics, NullsAndNanInFloatColumns) {
  ColumnStatistics stats = make(kFloat64);
  stats.add(1.0);
  stats.add(Json(std::nan("")));  // NaN is null for floats (fill_nan(None))
  stats.add(nullptr);
  stats.add(3.0);
  stats.add("not a number");  // a cell of the wrong kind counts as null
  expect_statistics(stats.finish(), "float",
                    R"({"nan_count":3,"nan_proportion":0.6,"min":1.0,"max":3.0,"mean":2.0,)"
                    R"("median":2.0,"std":1.41421,"histogram":{"hist":[1,0,0,0,0,0,0,0,0,1],)"
                    R"("bin_edges":[1.0,1.2,1.4,1.6,1.8,2.0,2.2,2.4,2.6,2.8,3.0]}})");
}

TEST(ColumnStatistics, NanProportionIsRoundedToFiveDecimals) {
  OrderedJson item = stats_of(kInt64, "[1, 2, null]");
  EXPECT_EQ(item["column_statistics"]["nan_proportion"].dump(), "0.33333");
}

TEST(ColumnStatistics, UnsignedAndLargeIntegers) {
  OrderedJson item = stats_of(R"({"dtype":"uint64","_type":"Value"})",
                              "[18446744073709551615, 9223372036854775808, 0]");
  // Through a double as in the viewer: the max is 2^64, which no 64-bit integer holds.
  EXPECT_EQ(item["column_statistics"]["min"].dump(), "0");
  EXPECT_TRUE(item["column_statistics"]["max"].is_number());
  EXPECT_EQ(item["column_statistics"]["histogram"]["hist"].size() + 1,
            item["column_statistics"]["histogram"]["bin_edges"].size());
}

// Strings, one per index, all distinct.
std::string distinct_strings(int count, int nulls = 0, int repeat = 1) {
  Json cells = Json::array();
  for (int r = 0; r < repeat; ++r) {
    for (int i = 0; i < count; ++i) cells.push_back("s" + std::to_string(i));
  }
  for (int i = 0; i < nulls; ++i) cells.push_back(nullptr);
  return cells.dump();
}

TEST(ColumnStatistics, StringLabelOrTextThresholds) {
  auto type_of = [](const std::string& cells) {
    return stats_of(kString, cells)["column_type"].get<std::string>();
  };
  EXPECT_EQ(type_of(distinct_strings(10)), "string_label");  // n_unique <= 10
  EXPECT_EQ(type_of(distinct_strings(11)), "string_text");
  EXPECT_EQ(type_of(distinct_strings(11, 0, 5)), "string_label");  // 11 / 55 = 0.2
  // 11 / 54 > 0.2.
  std::string cells54 = distinct_strings(11, 0, 5);
  Json cells = Json::parse(cells54);
  cells.erase(cells.end() - 1);
  EXPECT_EQ(type_of(cells.dump()), "string_text");
  // polars' n_unique counts null as a value: 10 strings and a null are 11 unique values.
  EXPECT_EQ(type_of(distinct_strings(10, 1)), "string_text");
  EXPECT_EQ(type_of(distinct_strings(9, 5)), "string_label");
  // At most 1000 labels, whatever the proportion.
  EXPECT_EQ(type_of(distinct_strings(1000, 0, 5)), "string_label");
  EXPECT_EQ(type_of(distinct_strings(1001, 0, 10)), "string_text");
  OrderedJson labels = stats_of(kString, distinct_strings(1000, 0, 5));
  EXPECT_EQ(labels["column_statistics"]["n_unique"], 1000);
  EXPECT_EQ(labels["column_statistics"]["frequencies"]["s999"], 5);
}

TEST(ColumnStatistics, StringTextIsStatisticsOfCharacterCounts) {
  // Lengths 1 … 11, in code points ("é" is one character in two bytes).
  Json cells = Json::array();
  for (int i = 1; i <= 11; ++i) {
    std::string s;
    for (int j = 0; j < i; ++j) s += "\xc3\xa9";
    cells.push_back(s);
  }
  cells.push_back(nullptr);
  expect_statistics(stats_of(kString, cells.dump()), "string_text",
                    R"({"nan_count":1,"nan_proportion":0.08333,"min":1,"max":11,"mean":6.0,)"
                    R"("median":6.0,"std":3.31662,)"
                    R"("histogram":{"hist":[2,2,2,2,3],"bin_edges":[1,3,5,7,9,11]}})");
}

TEST(ColumnStatistics, ListLengthsWithNullLists) {
  // A list of structs is an Arrow list too; a null list stays null, an empty one is length 0.
  expect_statistics(
      stats_of(R"({"feature":{"a":{"dtype":"int64","_type":"Value"}},"_type":"List"})",
               R"([[{"a":1},{"a":2}], [], null, [{"a":3}]])"),
      "list",
      R"({"nan_count":1,"nan_proportion":0.25,"min":0,"max":2,"mean":1.0,"median":1.0,)"
      R"("std":1.0,"histogram":{"hist":[1,2],"bin_edges":[0,1,2]}})");
  // The legacy [feature] list and Sequence of a value are lists as well.
  EXPECT_EQ(stats_of(R"([{"dtype":"int64","_type":"Value"}])", "[[1]]")["column_type"], "list");
  EXPECT_EQ(stats_of(R"({"feature":{"dtype":"int64","_type":"Value"},"length":-1,)"
                     R"("_type":"Sequence"})",
                     "[[1]]")["column_type"],
            "list");
  EXPECT_EQ(stats_of(R"({"feature":{"dtype":"int64","_type":"Value"},"_type":"LargeList"})",
                     "[[1]]")["column_type"],
            "list");
}

const char* kDays = R"(["2024-01-01T00:00:00","2024-01-02T00:00:00","2024-01-03T00:00:00",)"
                    R"("2024-01-04T00:00:00","2024-01-05T00:00:00","2024-01-06T00:00:00",)"
                    R"("2024-01-07T00:00:00","2024-01-08T00:00:00","2024-01-09T00:00:00",)"
                    R"("2024-01-10T00:00:00","2024-01-11T00:00:00"])";

// The viewer's test_datetime_statistics (its statistics_dataset datetime fixture).
TEST(ColumnStatistics, Datetimes) {
  const std::string edges = R"(["2024-01-01 00:00:00","2024-01-02 00:00:01","2024-01-03 00:00:02",)"
                            R"("2024-01-04 00:00:03","2024-01-05 00:00:04","2024-01-06 00:00:05",)"
                            R"("2024-01-07 00:00:06","2024-01-08 00:00:07","2024-01-09 00:00:08",)"
                            R"("2024-01-10 00:00:09","2024-01-11 00:00:00"])";
  expect_statistics(stats_of(R"({"dtype":"timestamp[s]","_type":"Value"})", kDays), "datetime",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":"2024-01-01 00:00:00",)"
                    R"("max":"2024-01-11 00:00:00","mean":"2024-01-06 00:00:00",)"
                    R"("median":"2024-01-06 00:00:00","std":"3 days, 7:35:56.381890",)"
                    R"("histogram":{"hist":[2,1,1,1,1,1,1,1,1,1],"bin_edges":)" +
                        edges + "}}");

  Json every_other = Json::array();
  Json days = Json::parse(kDays);
  for (size_t i = 0; i < days.size(); ++i) every_other.push_back(i % 2 ? Json() : days[i]);
  expect_statistics(stats_of(R"({"dtype":"timestamp[s]","_type":"Value"})", every_other.dump()),
                    "datetime",
                    R"({"nan_count":5,"nan_proportion":0.45455,"min":"2024-01-01 00:00:00",)"
                    R"("max":"2024-01-11 00:00:00","mean":"2024-01-06 00:00:00",)"
                    R"("median":"2024-01-06 00:00:00","std":"3 days, 17:47:59.198220",)"
                    R"("histogram":{"hist":[1,1,0,1,0,1,0,1,0,1],"bin_edges":)" +
                        edges + "}}");
}

TEST(ColumnStatistics, DatetimesInAFixedZoneShowTheirOffset) {
  // timestamp[s, tz=+02:00]: cells are UTC instants, shown in the column's zone with %z.
  Json cells = Json::array();
  for (int day = 1; day <= 11; ++day) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "2024-01-%02dT22:00:00Z", day - 1);
    cells.push_back(day == 1 ? std::string("2023-12-31T22:00:00Z") : std::string(buf));
  }
  OrderedJson item =
      stats_of(R"({"dtype":"timestamp[s, tz=+02:00]","_type":"Value"})", cells.dump());
  const OrderedJson& s = item["column_statistics"];
  EXPECT_EQ(s["min"], "2024-01-01 00:00:00+0200");
  EXPECT_EQ(s["max"], "2024-01-11 00:00:00+0200");
  EXPECT_EQ(s["mean"], "2024-01-06 00:00:00+0200");
  EXPECT_EQ(s["std"], "3 days, 7:35:56.381890");
  EXPECT_EQ(s["histogram"]["bin_edges"][1], "2024-01-02 00:00:01+0200");
  // UTC itself is shown without an offset.
  item = stats_of(R"({"dtype":"timestamp[us, tz=UTC]","_type":"Value"})",
                  R"(["2024-01-01T00:00:00.000000Z"])");
  EXPECT_EQ(item["column_statistics"]["min"], "2024-01-01 00:00:00");
}

TEST(ColumnStatistics, DatetimeSecondsAreWholeSecondsSinceTheMinimum) {
  // polars' total_seconds truncates: 12:00:00.5 → 23:59:59.999999 is 43199 s; the printed
  // times are the minimum (fraction kept, then not printed) plus those seconds.
  expect_statistics(
      stats_of(R"({"dtype":"timestamp[ns]","_type":"Value"})",
               R"(["2024-03-01T12:00:00.500000000","2024-03-01T12:00:03.200000000",)"
               R"("2024-03-02T00:00:00",null])"),
      "datetime",
      R"({"nan_count":1,"nan_proportion":0.25,"min":"2024-03-01 12:00:00",)"
      R"("max":"2024-03-01 23:59:59","mean":"2024-03-01 16:00:00",)"
      R"("median":"2024-03-01 12:00:02","std":"6:55:40.376950",)"
      R"("histogram":{"hist":[2,0,0,0,0,0,0,0,0,1],"bin_edges":["2024-03-01 12:00:00",)"
      R"("2024-03-01 13:12:00","2024-03-01 14:24:00","2024-03-01 15:36:00",)"
      R"("2024-03-01 16:48:00","2024-03-01 18:00:00","2024-03-01 19:12:00",)"
      R"("2024-03-01 20:24:00","2024-03-01 21:36:00","2024-03-01 22:48:00",)"
      R"("2024-03-01 23:59:59"]}})");
  // One value: no std.
  OrderedJson item =
      stats_of(R"({"dtype":"timestamp[ms]","_type":"Value"})", R"(["1969-12-31T23:59:59.250"])");
  EXPECT_EQ(item["column_statistics"]["min"], "1969-12-31 23:59:59");
  EXPECT_TRUE(item["column_statistics"]["std"].is_null());
}

// A PNG's first 24 bytes: signature and IHDR with `width` x 10, as an Image cell.
Json png_cell(uint32_t width) {
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  for (int shift : {24, 16, 8, 0}) png.push_back(static_cast<char>(width >> shift & 0xff));
  png += std::string("\0\0\0\x0a", 4);
  return {{"bytes", util::base64_encode(png)}, {"path", "image.png"}};
}

// The viewer's test_image_statistics widths.
TEST(ColumnStatistics, ImageWidths) {
  ColumnStatistics images = make(R"({"_type":"Image"})");
  for (uint32_t width : {640u, 1440u, 520u, 1240u}) images.add(png_cell(width));
  expect_statistics(images.finish(), "image",
                    R"({"nan_count":0,"nan_proportion":0.0,"min":520,"max":1440,"mean":960.0,)"
                    R"("median":940.0,"std":448.99889,"histogram":{"hist":[1,1,0,0,0,0,0,1,0,1],)"
                    R"("bin_edges":[520,613,706,799,892,985,1078,1171,1264,1357,1440]}})");

  ColumnStatistics with_nulls = make(R"({"_type":"Image"})");
  with_nulls.add(png_cell(640));
  with_nulls.add(nullptr);
  with_nulls.add(png_cell(520));
  with_nulls.add({{"bytes", nullptr}, {"path", "elsewhere.png"}});  // not readable here
  expect_statistics(with_nulls.finish(), "image",
                    R"({"nan_count":2,"nan_proportion":0.5,"min":520,"max":640,"mean":580.0,)"
                    R"("median":580.0,"std":84.85281,"histogram":{"hist":[1,0,0,0,0,0,0,0,0,1],)"
                    R"("bin_edges":[520,533,546,559,572,585,598,611,624,637,640]}})");
}

TEST(ColumnStatistics, UnsupportedTypes) {
  for (const char* type : {
           R"({"a":{"dtype":"int64","_type":"Value"}})",
           R"({"feature":{"a":{"dtype":"int64","_type":"Value"}},"_type":"Sequence"})",
           R"({"feature":{"dtype":"int64","_type":"Value"},"length":3,"_type":"Sequence"})",
           R"({"feature":{"dtype":"int64","_type":"Value"},"length":3,"_type":"List"})",
           R"({"languages":["en","fr"],"_type":"Translation"})",
           R"({"dtype":"binary","_type":"Value"})",
           R"({"dtype":"large_binary","_type":"Value"})",
           R"({"dtype":"date32","_type":"Value"})",
           R"({"dtype":"time64[us]","_type":"Value"})",
           R"({"dtype":"duration[s]","_type":"Value"})",
           R"j({"dtype":"decimal128(10, 2)","_type":"Value"})j",
           R"({"dtype":"null","_type":"Value"})",
           R"({"_type":"Json"})",
           R"({"shape":[2,2],"dtype":"int32","_type":"Array2D"})",
           R"({"_type":"Audio"})",
           R"({"_type":"Video"})",
           R"("int64")",
       }) {
    EXPECT_FALSE(ColumnStatistics::for_type("col", OrderedJson::parse(type))) << type;
  }
}

TEST(ColumnStatistics, FinishCanBeCalledAgainAndMoreCellsAdded) {
  ColumnStatistics stats = make(kInt64);
  for (int v : {5, 1, 4, 2, 3}) stats.add(v);
  OrderedJson first = stats.finish();
  EXPECT_EQ(stats.finish().dump(), first.dump());
  EXPECT_EQ(first["column_statistics"]["median"], 3.0);
  stats.add(6);
  EXPECT_EQ(stats.finish()["column_statistics"]["median"], 3.5);
  EXPECT_EQ(stats.rows(), 6u);
}

}  // namespace
TEST(ColumnStatistics, TextGivenAsBytesCountsAsStringCells) {
  // The statistics job hands a string column's values as their bytes (add_text); the answer is
  // the one of the same cells as JSON strings, as labels and as text, with nulls.
  for (const char* cells :
       {R"(["a", "b", null, "a", "é…", "a"])", R"(["x1", "x2", "x3", "x4", "x5", "x6", "x7",
        "x8", "x9", "x10", "x11", "x12", null])"}) {
    ColumnStatistics by_json = make(R"({"dtype": "string", "_type": "Value"})");
    ColumnStatistics by_bytes = make(R"({"dtype": "string", "_type": "Value"})");
    for (const Json& cell : Json::parse(cells)) {
      by_json.add(cell);
      if (cell.is_string()) {
        by_bytes.add_text(cell.get_ref<const std::string&>());
      } else {
        by_bytes.add(cell);
      }
    }
    EXPECT_EQ(by_json.finish(), by_bytes.finish()) << cells;
  }
  // A string in a column of numbers counts as null, as add() counts it.
  ColumnStatistics numbers = make(R"({"dtype": "int64", "_type": "Value"})");
  numbers.add(1);
  numbers.add_text("2");
  EXPECT_EQ(numbers.finish()["column_statistics"]["nan_count"], 1);
}

TEST(ColumnStatistics, ListLengthsCountAsListCells) {
  // The statistics job hands a list column's cells as their lengths (add_list_length).
  const char* type = R"({"feature": {"dtype": "int64", "_type": "Value"}, "_type": "List"})";
  ColumnStatistics by_json = make(type);
  ColumnStatistics by_length = make(type);
  for (const Json& cell : Json::parse(R"([[1, 2], null, [], [3], [4, 5, 6], null])")) {
    by_json.add(cell);
    by_length.add_list_length(cell.is_null() ? -1 : static_cast<int64_t>(cell.size()));
  }
  EXPECT_EQ(by_json.finish(), by_length.finish());
}

}  // namespace vitrine::datasets
