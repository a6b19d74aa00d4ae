// The dataset viewer's /filter parameters (dataset-viewer-contract.md §5.2), parsed by a grammar
// of our own into a plan that is evaluated over rows' cells: no text of a request ever reaches
// an SQL engine. Pure.
//
//   where   := or
//   or      := and ( OR and )*
//   and     := term ( AND term )*
//   term    := "(" or ")" | comparison
//   comparison := column op value | column IS [NOT] NULL
//   column  := "name" ( . "name" )* [ . fn ( args ) ]    (a column, its struct fields, one method)
//   op      := = | == | != | <> | < | <= | > | >= | [NOT] LIKE | [NOT] ILIKE
//   value   := number | 'string' ('' is a quote) | true | false | null
//   fn      := lower() | upper() | length() | trim() | replace('a', 'b')
//   orderby := column [ASC | DESC]
// Keywords are case-insensitive. Semantics are SQL's as DuckDB runs the Hub's query: a null
// operand makes a comparison unknown, and unknown rows do not match; AND binds tighter than OR;
// numbers compare as numbers (a quoted number against a number column too), strings byte-wise,
// booleans false < true; a string against a number column (or the reverse) does not match;
// LIKE's % and _ are wildcards, ILIKE ignores ASCII case. ORDER BY sorts nulls last.
//
// Bounds: a parameter of at most kMaxFilterBytes, at most kMaxFilterTerms comparisons, nesting
// of at most kMaxFilterDepth parentheses. Errors (kBadRequest) name what is wrong; the Hub's
// parameters containing `;`, `--`, `/*` or `*/` are refused first, as the Hub does.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::datasets {

inline constexpr size_t kMaxFilterBytes = 4096;
inline constexpr size_t kMaxFilterTerms = 64;
inline constexpr size_t kMaxFilterDepth = 16;

// A column, its struct fields, and at most one method applied to it.
struct FilterColumn {
  std::vector<std::string> path;  // path[0] is the top-level column
  std::string function;           // "" or lower, upper, length, trim, replace
  std::vector<std::string> args;  // replace's two strings
  // The value of this column in a row (`cell`: the top-level column's cell).
  nlohmann::json value(const nlohmann::json& cell) const;
  // Where the path's value lies in `cell`, before any function (nullptr: missing).
  const nlohmann::json* locate(const nlohmann::json& cell) const;
};

class RowFilter {
 public:
  static Result<RowFilter> parse(std::string_view where);
  // The top-level columns the filter reads.
  std::vector<std::string> columns() const;
  // Whether a row matches; `cell_of(name)` gives a top-level column's cell (nullptr: no such).
  template <typename CellOf>
  bool matches(CellOf cell_of) const {
    return eval(0, [&](const std::string& name) -> const nlohmann::json* { return cell_of(name); });
  }

  struct Node;  // the plan (row_filter.cpp)
  RowFilter(const RowFilter&) = default;
  RowFilter& operator=(const RowFilter&) = default;
  ~RowFilter();

 private:
  RowFilter() = default;
  bool eval(size_t node,
            const std::function<const nlohmann::json*(const std::string&)>& cell_of) const;
  std::shared_ptr<const std::vector<Node>> nodes_;
};

struct RowOrder {
  FilterColumn column;
  bool descending = false;
  static Result<RowOrder> parse(std::string_view orderby);
  // Strict weak order of two values of the column (nulls last, as DuckDB sorts them).
  bool before(const nlohmann::json& a, const nlohmann::json& b) const;
};

// The Hub's first check of any /filter parameter: no `;`, `--`, `/*` or `*/`.
Status check_filter_parameter(std::string_view text);

}  // namespace vitrine::datasets
