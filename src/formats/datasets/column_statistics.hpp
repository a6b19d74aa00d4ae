// The dataset viewer's per-column statistics (/statistics, dataset-viewer-contract.md §2.10, §4),
// computed as the viewer's worker computes them (libcommon statistics_utils.py with polars and
// numpy), one cell at a time: a ColumnStatistics is made from the column's `datasets` Features
// type, fed every cell of the column in any order, and finished into the viewer's
// {"column_name", "column_type", "column_statistics"} item, keys in the viewer's order.
//
// Column types (the viewer's _column_from_feature):
//   int          Value int8…uint64                 numbers
//   float        Value float16/32/64               numbers (a null cell is NaN or null)
//   bool         Value bool                        frequencies {"False", "True"}, present keys only
//   class_label  ClassLabel                        frequencies per class name (zeros included),
//                                                  -1 counted as no_label, n_unique = #classes
//   string_label Value string/large_string with (n_unique / n ≤ 0.2 and n_unique ≤ 1000) or
//                n_unique ≤ 10, n_unique counting null as a value as polars does
//   string_text  other string columns              numbers over character (code point) counts
//   list         List, LargeList, Sequence, [feature] stored as an Arrow list: numbers over lengths
//   datetime     Value timestamp[unit(, tz=…)]     min…median as "%Y-%m-%d %H:%M:%S[%z]", std as
//                                                  Python's str(timedelta), histogram of whole
//                                                  seconds since the minimum with date-string edges
//   image        Image                             numbers over widths read from the image header
// Anything else (structs, Sequence of a dict, fixed-length lists, Translation, binary, Json,
// ArrayND, Audio, Video, decimals, dates, times, durations) gives no ColumnStatistics.
//
// Numbers are the viewer's: min, max, mean, median (the average of the two middle values) and the
// sample std (ddof = 1), rounded to 5 decimals the numpy way (rint(x * 1e5) / 1e5); an integer
// column's min and max are that rounded value truncated to an integer. Histograms have at most 10
// bins whose edges follow numpy's arange exactly (float_bin_edges, int_bin_edges), bins are
// [e_i, e_i+1) and the last one closed; float edges are printed rounded to 5 decimals.
// nan_proportion is nan_count / rows rounded to 5 decimals; an all-null column has nan_proportion
// 1.0 and null min…histogram.
//
// Where the viewer fails the whole statistics job, this module answers instead:
//   - one non-null value: polars gives no std, and the viewer raises; std here is null.
//   - an integer range of exactly one (max == min + 1): generate_bins gives two distinct edges,
//     which compute_histogram rejects; here that is one bin holding every value.
//   - no rows: the viewer divides by zero for string columns; here that is a string_label
//     column with no frequencies.
// Other departures, by design of a pure, streaming module:
//   - string columns are never detected as datetime (the viewer tries dateutil on the first 100
//     values); they are string_label or string_text.
//   - a timestamp column with a named time zone other than UTC (e.g. tz=Europe/Paris) is shown
//     in UTC without an offset, as no time zone database is read; fixed offsets (tz=+02:00) and
//     UTC are shown as the viewer shows them.
//   - an image whose bytes are absent (a path only) or whose header gives no width (TIFF, unknown
//     formats) counts as null; the viewer opens the path, or PIL reads the size.
//   - string_label frequencies come out by count, largest first, ties in first-seen order (the
//     viewer's polars value_counts order is unspecified).
//   - float32 values are worked on in double precision, as their cells hold them; polars may keep
//     float32 for a float32 column's mean and std, which can only show on a fifth-decimal tie.
//   - a cell of the wrong JSON kind (a string in an int column, an unparsable timestamp) counts
//     as null; a ClassLabel id other than -1 and the classes' ids counts as neither null nor
//     any class (the viewer drops it too, or fails when it sees too many distinct ids).
//
// Cells are JSON as parquet_rows.hpp gives them: numbers, booleans, strings, arrays, ClassLabel
// ids, timestamps "YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM]", Image structs {"bytes": base64 or null,
// "path": …}.
//
// Memory: one 8-byte value per non-null cell (the exact median needs them all: a double for
// numbers, lengths and widths, an int64 for timestamps); nothing per row for bool and ClassLabel;
// string columns also keep each distinct string with its count until a 1001st distinct string
// shows the column can no longer be a string_label, when they are all dropped — at most 1000
// strings, so 1000 × the longest cell. finish() copies no per-row data: it reorders the kept
// values in place (nth_element) to find the median.
//
// Not thread-safe; one ColumnStatistics per column, fed from one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vitrine::datasets {

class ColumnStatistics {
 public:
  // The statistics of column `column_name` of Features type `type`, or nullopt when the viewer
  // computes none for that type (see above).
  static std::optional<ColumnStatistics> for_type(const std::string& column_name,
                                                  const nlohmann::ordered_json& type);

  // One cell of the column, null allowed: every call counts as one row.
  void add(const nlohmann::json& cell);
  // The same for a string cell given as its bytes, without making a JSON string of it.
  void add_text(std::string_view value);
  // The same for a list cell given as its length (-1: a null list).
  void add_list_length(int64_t length);

  // {"column_name", "column_type", "column_statistics"}. Not const: it reorders the kept values
  // to find the median without copying them; calling it again gives the same answer, and more
  // cells may still be added after it.
  nlohmann::ordered_json finish();

  uint64_t rows() const { return rows_; }

 private:
  enum class Kind { kInt, kFloat, kBool, kClassLabel, kString, kList, kDatetime, kImage };

  ColumnStatistics(std::string column_name, Kind kind)
      : column_name_(std::move(column_name)), kind_(kind) {}

  void add_string(std::string_view value);
  nlohmann::ordered_json numbers(bool integers);
  nlohmann::ordered_json datetimes();
  nlohmann::ordered_json categories() const;
  nlohmann::ordered_json strings();

  std::string column_name_;
  Kind kind_;
  uint64_t rows_ = 0;
  uint64_t nulls_ = 0;

  std::vector<double> values_;  // numbers, lengths, widths, per non-null cell

  uint64_t false_count_ = 0;
  uint64_t true_count_ = 0;

  std::vector<std::string> class_names_;
  std::vector<uint64_t> class_counts_;
  uint64_t no_label_count_ = 0;

  // Distinct strings in first-seen order (a deque, so the map's views of them stay valid), and
  // whether there were too many to keep.
  std::deque<std::pair<std::string, uint64_t>> distinct_strings_;
  std::unordered_map<std::string_view, size_t> string_index_;
  bool too_many_strings_ = false;

  std::vector<int64_t> instants_;  // timestamps in the column's unit
  int64_t units_per_second_ = 1;
  int32_t display_offset_seconds_ = 0;  // a fixed tz offset
  bool show_offset_ = false;            // "%z" printed (an offset other than +00:00)
};

// Histogram bin edges as the viewer's generate_bins makes them from the (already rounded) min
// and max, before they are printed: numpy.arange(min, max, (max - min) / 10) then max if the
// last edge is not max; [min, max] when they are equal. Exposed for the golden-vector tests.
std::vector<double> float_bin_edges(double min, double max);
// The same for integers, with a step of ceil((max - min + 1) / 10), so possibly fewer bins.
std::vector<int64_t> int_bin_edges(int64_t min, int64_t max);

}  // namespace vitrine::datasets
