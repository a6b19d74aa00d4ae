// Column statistics as the dataset viewer computes them (column_statistics.hpp). The viewer's
// numbers come from polars (min, max, mean, median, sample std, value counts, histogram counts)
// and numpy (round, ceil, arange); each helper below names the call whose result it reproduces,
// because matching those to the last printed digit is the point of this file.
#include "formats/datasets/column_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "formats/datasets/media.hpp"
#include "util/civil_date.hpp"
#include "util/encoding.hpp"

namespace vitrine::datasets {

namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr int kNumBins = 10;                        // NUM_BINS
constexpr double kMaxProportionStringLabels = 0.2;  // MAX_PROPORTION_STRING_LABELS
constexpr uint64_t kMaxNumStringLabels = 1000;      // MAX_NUM_STRING_LABELS
constexpr size_t kMaxClasses = 100000;              // ClassLabel classes believed from metadata
constexpr size_t kMaxLabelBytes = 4096;             // a string kept as a possible label
constexpr int64_t kNoLabel = -1;                    // ClassLabel's "no label" id
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// numpy.round(x, 5): x * 10^5 rounded half to even, divided back.
double round5(double x) {
  return std::rint(x * 100000.0) / 100000.0;
}

// nan_proportion and no_label_proportion: 0.0 when there is none, else the rounded ratio.
double proportion(uint64_t count, uint64_t rows) {
  if (count == 0) return 0.0;
  return round5(static_cast<double>(count) / static_cast<double>(rows));
}

// Python's int(x) of a float, as a JSON integer; past 64 bits (never for 64-bit inputs rounded
// through a double, except 2^64 itself) the float is printed instead.
OrderedJson integer_json(double x) {
  double t = std::trunc(x);
  if (t >= -9223372036854775808.0 && t < 9223372036854775808.0) return static_cast<int64_t>(t);
  if (t >= 0 && t < 18446744073709551616.0) return static_cast<uint64_t>(t);
  return t;
}

// numpy.arange(start, stop, step) in float64, where the caller gives stop - start as Python
// computed it: ceil((stop - start) / step) values, the first two start and start + step, the
// others start + i * delta with delta = (start + step) - start (numpy's DOUBLE_fill).
std::vector<double> arange(double start, double span, double step) {
  double count = std::ceil(span / step);
  // At most NUM_BINS + 1 values for the steps used here; anything else (NaN, infinities) is not
  // a histogram numpy could make, and the caller falls back to [min, max].
  if (!(count > 0) || count > 4 * kNumBins) return {};
  auto n = static_cast<size_t>(count);
  std::vector<double> out;
  out.reserve(n + 1);
  out.push_back(start);
  if (n > 1) {
    double next = start + step;
    double delta = next - start;
    out.push_back(next);
    for (size_t i = 2; i < n; ++i) out.push_back(start + static_cast<double>(i) * delta);
  }
  return out;
}

// generate_bins for floats, on the rounded min and max.
std::vector<double> float_edges(double min, double max) {
  if (min == max) return {min, max};
  double step = (max - min) / kNumBins;
  std::vector<double> edges = arange(min, max - min, step);
  if (edges.empty()) return {min, max};
  if (edges.back() != max) edges.push_back(max);
  return edges;
}

// generate_bins for integers; min and max are Python ints held exactly in doubles (they went
// through a float in the viewer too). The step is numpy.ceil of Python's true division, the
// range is arange in float64 (the step is a numpy float) truncated back to ints by astype(int).
std::vector<double> int_edges(double min, double max) {
  if (min == max) return {min, max};
  long double span = static_cast<long double>(max) - static_cast<long double>(min);  // exact
  double step = std::ceil(static_cast<double>((span + 1) / kNumBins));
  std::vector<double> edges = arange(min, static_cast<double>(span), step);
  if (edges.empty()) return {min, max};
  for (double& edge : edges) edge = std::trunc(edge);
  if (edges.back() != max) edges.push_back(max);
  return edges;
}

// compute_histogram's counts. Two edges: one bin with every value (the viewer only gets there
// when min == max, see the header). Otherwise the viewer negates values and edges so that
// polars' right-closed bins become numpy's [e_i, e_i+1) with the last bin closed, and widens the
// outer edges by one so that nothing falls outside: value v goes to the bin numbered by how many
// inner edges e_1 … e_n-2 are <= v.
template <typename Projection, typename T>
std::vector<uint64_t> histogram(const std::vector<T>& values, Projection number,
                                const std::vector<double>& edges) {
  if (edges.size() <= 2) return {static_cast<uint64_t>(values.size())};
  std::vector<uint64_t> hist(edges.size() - 1, 0);
  auto inner_begin = edges.begin() + 1;
  auto inner_end = edges.end() - 1;
  for (const T& value : values) {
    hist[std::upper_bound(inner_begin, inner_end, number(value)) - inner_begin]++;
  }
  return hist;
}

// The numbers of a column with at least one value, rounded as the viewer prints them.
struct Summary {
  double min = 0;  // an integer column's min and max are truncated to integers
  double max = 0;
  double mean = 0;
  double median = 0;
  std::optional<double> std_dev;  // polars has none for a single value
  std::vector<double> edges;      // unrounded
  std::vector<uint64_t> hist;
};

// min_max_mean_median_std then compute_histogram over `values` seen through `number` (a
// monotonic map, so the order of `values` is the order of their numbers). Reorders `values`.
template <typename Projection, typename T>
Summary summarize(std::vector<T>& values, Projection number, bool integers) {
  size_t n = values.size();
  auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  double min = number(*min_it);
  double max = number(*max_it);

  // Long double sums and a second pass for the variance keep the error far below the fifth
  // decimal; polars' own summation differs from it only in the last bits.
  long double sum = 0;
  for (const T& value : values) sum += number(value);
  long double mean = sum / static_cast<long double>(n);
  std::optional<double> deviation;
  if (n > 1) {
    long double squares = 0;
    for (const T& value : values) {
      long double d = number(value) - mean;
      squares += d * d;
    }
    deviation = static_cast<double>(std::sqrt(squares / static_cast<long double>(n - 1)));
  }

  // polars' median: the 0.5 quantile with linear interpolation between the middle values.
  auto upper_it = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), upper_it, values.end());
  double upper = number(*upper_it);
  double median = upper;
  if (n % 2 == 0) {
    double lower = number(*std::max_element(values.begin(), upper_it));
    median = lower + (upper - lower) * 0.5;
  }

  Summary s;
  s.min = round5(min);
  s.max = round5(max);
  s.mean = round5(static_cast<double>(mean));
  s.median = round5(median);
  if (deviation) s.std_dev = round5(*deviation);
  if (integers) {
    s.min = std::trunc(s.min);
    s.max = std::trunc(s.max);
    s.edges = int_edges(s.min, s.max);
  } else {
    s.edges = float_edges(s.min, s.max);
  }
  s.hist = histogram(values, number, s.edges);
  return s;
}

OrderedJson all_null_numbers(uint64_t rows) {
  OrderedJson s;
  s["nan_count"] = rows;
  s["nan_proportion"] = 1.0;
  for (const char* key : {"min", "max", "mean", "median", "std", "histogram"}) s[key] = nullptr;
  return s;
}

// ---- Timestamps ----

using util::days_from_civil;
using util::floor_div;

bool digits(std::string_view s, size_t at, size_t count, int64_t* out) {
  if (at + count > s.size()) return false;
  int64_t v = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// A timestamp cell "YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:]MM]" as a count of `units`
// (per second) since the epoch, UTC when an offset is given; digits past the unit are dropped.
std::optional<int64_t> parse_timestamp(std::string_view s, int64_t units) {
  int64_t year, month, day, hour = 0, minute = 0, second = 0, offset = 0, fraction = 0;
  if (!digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, &month) ||
      s[7] != '-' || !digits(s, 8, 2, &day)) {
    return std::nullopt;
  }
  size_t at = 10;
  if (at < s.size() && (s[at] == 'T' || s[at] == ' ')) {
    if (!digits(s, at + 1, 2, &hour) || at + 3 >= s.size() || s[at + 3] != ':' ||
        !digits(s, at + 4, 2, &minute)) {
      return std::nullopt;
    }
    at += 6;
    if (at < s.size() && s[at] == ':') {
      if (!digits(s, at + 1, 2, &second)) return std::nullopt;
      at += 3;
      if (at < s.size() && s[at] == '.') {
        ++at;
        size_t begin = at;
        int64_t scale = units;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
          if (scale >= 10) {
            scale /= 10;
            fraction += (s[at] - '0') * scale;
          }
          ++at;
        }
        if (at == begin) return std::nullopt;
      }
    }
  }
  // What is left is nothing, "Z", or an offset.
  if (at < s.size() && !(s[at] == 'Z' && at + 1 == s.size())) {
    if (s[at] != '+' && s[at] != '-') return std::nullopt;
    int64_t oh, om;
    size_t m = at + 3 < s.size() && s[at + 3] == ':' ? at + 4 : at + 3;
    if (!digits(s, at + 1, 2, &oh) || !digits(s, m, 2, &om) || m + 2 != s.size()) {
      return std::nullopt;
    }
    offset = (oh * 3600 + om * 60) * (s[at] == '-' ? -1 : 1);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t seconds = days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 +
                    second - offset;
  int64_t value;
  if (__builtin_mul_overflow(seconds, units, &value) ||
      __builtin_add_overflow(value, fraction, &value)) {
    return std::nullopt;
  }
  return value;
}

// datetime_to_string: "%Y-%m-%d %H:%M:%S", then "%z" unless the offset is zero. `micros` is the
// wall time in the column's zone.
std::string datetime_string(int64_t micros, int32_t offset_seconds, bool show_offset) {
  int64_t seconds = floor_div(micros, kMicrosPerSecond);
  int64_t days = floor_div(seconds, kSecondsPerDay);
  int64_t in_day = seconds - days * kSecondsPerDay;
  util::CivilDate date = util::civil_from_days(days);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                static_cast<long long>(date.year), static_cast<long long>(date.month),
                static_cast<long long>(date.day), static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60));
  std::string out = buf;
  if (show_offset) {
    int32_t a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    std::snprintf(buf, sizeof buf, "%c%02d%02d", offset_seconds < 0 ? '-' : '+', a / 3600,
                  a / 60 % 60);
    out += buf;
    if (a % 60 != 0) {
      std::snprintf(buf, sizeof buf, "%02d", a % 60);
      out += buf;
    }
  }
  return out;
}

// datetime.timedelta(seconds=x) in microseconds: the integral seconds exactly, the fraction
// rounded half to even.
int64_t timedelta_micros(double seconds) {
  double whole;
  double fraction = std::modf(seconds, &whole);
  return static_cast<int64_t>(whole) * kMicrosPerSecond +
         static_cast<int64_t>(std::rint(fraction * 1e6));
}

// str(datetime.timedelta): "[D day[s], ]H:MM:SS[.ffffff]", for a non-negative duration.
std::string timedelta_string(int64_t micros) {
  int64_t seconds = micros / kMicrosPerSecond;
  int64_t us = micros % kMicrosPerSecond;
  int64_t days = seconds / kSecondsPerDay;
  seconds %= kSecondsPerDay;
  char buf[96];
  std::string out;
  if (days != 0) {
    std::snprintf(buf, sizeof buf, "%lld day%s, ", static_cast<long long>(days),
                  days == 1 ? "" : "s");
    out = buf;
  }
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  out += buf;
  if (us != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    out += buf;
  }
  return out;
}

// "timestamp[unit(, tz=zone)]": units per second, and the zone's display offset when it is UTC
// or fixed. A named zone other than UTC is shown in UTC (no time zone database here).
bool parse_timestamp_dtype(std::string_view dtype, int64_t* units, int32_t* offset_seconds,
                           bool* show_offset) {
  constexpr std::string_view kPrefix = "timestamp[";
  if (dtype.substr(0, kPrefix.size()) != kPrefix || dtype.back() != ']') return false;
  std::string_view inner = dtype.substr(kPrefix.size(), dtype.size() - kPrefix.size() - 1);
  std::string_view unit = inner.substr(0, inner.find(','));
  if (unit == "s") {
    *units = 1;
  } else if (unit == "ms") {
    *units = 1'000;
  } else if (unit == "us") {
    *units = 1'000'000;
  } else if (unit == "ns") {
    *units = 1'000'000'000;
  } else {
    return false;
  }
  *offset_seconds = 0;
  *show_offset = false;
  size_t tz_at = inner.find("tz=");
  if (tz_at == std::string_view::npos) return true;
  std::string_view tz = inner.substr(tz_at + 3);
  int64_t h, m;
  if (tz.size() >= 5 && (tz[0] == '+' || tz[0] == '-') && digits(tz, 1, 2, &h)) {
    size_t mat = tz[3] == ':' ? 4 : 3;
    if (digits(tz, mat, 2, &m) && mat + 2 == tz.size()) {
      *offset_seconds = static_cast<int32_t>((h * 3600 + m * 60) * (tz[0] == '-' ? -1 : 1));
      *show_offset = *offset_seconds != 0;
    }
  }
  return true;
}

// polars' str.len_chars: Unicode code points of UTF-8 text.
size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// An Image cell's width: its bytes (base64) decoded and their header read.
std::optional<uint32_t> image_width(const nlohmann::json& cell) {
  const nlohmann::json* bytes = &cell;
  if (cell.is_object()) {
    auto it = cell.find("bytes");
    if (it == cell.end()) return std::nullopt;
    bytes = &*it;
  }
  if (!bytes->is_string()) return std::nullopt;
  std::optional<std::string> raw = util::base64_decode(bytes->get_ref<const std::string&>());
  if (!raw) return std::nullopt;
  return media_info(*raw).width;
}

// The Arrow type a list-like feature is stored as is a variable-length list (the viewer's
// is_list_pa_type): not a Sequence of a dict (a struct of lists), not a fixed length.
bool is_variable_list(const nlohmann::ordered_json& type) {
  auto length = type.find("length");
  if (length != type.end() && !(length->is_number_integer() && length->get<int64_t>() == -1)) {
    return false;
  }
  if (type.value("_type", "") == "Sequence") {
    auto feature = type.find("feature");
    if (feature != type.end() && feature->is_object() && !feature->contains("_type")) return false;
  }
  return true;
}

bool is_one_of(const std::string& s, std::initializer_list<const char*> list) {
  return std::any_of(list.begin(), list.end(), [&](const char* x) { return s == x; });
}

}  // namespace

std::vector<double> float_bin_edges(double min, double max) {
  return float_edges(min, max);
}

std::vector<int64_t> int_bin_edges(int64_t min, int64_t max) {
  std::vector<int64_t> out;
  for (double edge : int_edges(static_cast<double>(min), static_cast<double>(max))) {
    out.push_back(static_cast<int64_t>(edge));
  }
  return out;
}

std::optional<ColumnStatistics> ColumnStatistics::for_type(const std::string& column_name,
                                                           const nlohmann::ordered_json& type) {
  if (type.is_array()) {
    if (type.size() != 1) return std::nullopt;
    return ColumnStatistics(column_name, Kind::kList);
  }
  if (!type.is_object()) return std::nullopt;
  std::string kind = type.value("_type", "");
  if (kind == "List" || kind == "LargeList" || kind == "Sequence") {
    if (!is_variable_list(type)) return std::nullopt;
    return ColumnStatistics(column_name, Kind::kList);
  }
  if (kind == "Image") return ColumnStatistics(column_name, Kind::kImage);
  if (kind == "ClassLabel") {
    ColumnStatistics stats(column_name, Kind::kClassLabel);
    // The classes come from the file's own metadata: a count past kMaxClasses is not believed
    // (no statistics for the column) rather than allocated.
    auto names = type.find("names");
    if (names != type.end() && names->is_array()) {
      if (names->size() > kMaxClasses) return std::nullopt;
      for (const auto& name : *names) {
        stats.class_names_.push_back(name.is_string() ? name.get<std::string>() : name.dump());
      }
    } else if (auto count = type.find("num_classes");
               count != type.end() && count->is_number_integer()) {
      if (count->get<int64_t>() > static_cast<int64_t>(kMaxClasses)) return std::nullopt;
      // ClassLabel(num_classes=k) names its classes "0" … "k-1".
      for (int64_t i = 0; i < count->get<int64_t>(); ++i) {
        stats.class_names_.push_back(std::to_string(i));
      }
    }
    stats.class_counts_.assign(stats.class_names_.size(), 0);
    return stats;
  }
  if (kind != "Value") return std::nullopt;
  std::string dtype = type.value("dtype", "");
  if (is_one_of(dtype,
                {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"})) {
    return ColumnStatistics(column_name, Kind::kInt);
  }
  if (is_one_of(dtype, {"float16", "float32", "float64"})) {
    return ColumnStatistics(column_name, Kind::kFloat);
  }
  if (is_one_of(dtype, {"string", "large_string"})) {
    return ColumnStatistics(column_name, Kind::kString);
  }
  if (dtype == "bool") return ColumnStatistics(column_name, Kind::kBool);
  ColumnStatistics stats(column_name, Kind::kDatetime);
  if (parse_timestamp_dtype(dtype, &stats.units_per_second_, &stats.display_offset_seconds_,
                            &stats.show_offset_)) {
    return stats;
  }
  return std::nullopt;
}

void ColumnStatistics::add(const nlohmann::json& cell) {
  ++rows_;
  bool counted = false;
  switch (kind_) {
    case Kind::kInt:
    case Kind::kFloat:
      if (cell.is_number()) {
        double v = cell.get<double>();
        if (!std::isnan(v)) {
          values_.push_back(v);
          counted = true;
        }
      }
      break;
    case Kind::kBool:
      if (cell.is_boolean()) {
        (cell.get<bool>() ? true_count_ : false_count_)++;
        counted = true;
      }
      break;
    case Kind::kClassLabel:
      if (cell.is_number_unsigned()) {
        uint64_t id = cell.get<uint64_t>();
        if (id < class_counts_.size()) class_counts_[id]++;
        counted = true;
      } else if (cell.is_number_integer()) {
        int64_t id = cell.get<int64_t>();
        if (id == kNoLabel) {
          no_label_count_++;
        } else if (id >= 0 && static_cast<uint64_t>(id) < class_counts_.size()) {
          class_counts_[id]++;
        }
        counted = true;
      }
      break;
    case Kind::kString:
      if (cell.is_string()) {
        add_string(cell.get_ref<const std::string&>());
        counted = true;
      }
      break;
    case Kind::kList:
      if (cell.is_array()) {
        values_.push_back(static_cast<double>(cell.size()));
        counted = true;
      }
      break;
    case Kind::kDatetime:
      if (cell.is_string()) {
        if (auto v = parse_timestamp(cell.get_ref<const std::string&>(), units_per_second_)) {
          instants_.push_back(*v);
          counted = true;
        }
      }
      break;
    case Kind::kImage:
      if (auto width = image_width(cell)) {
        values_.push_back(*width);
        counted = true;
      }
      break;
  }
  if (!counted) ++nulls_;
}

void ColumnStatistics::add_text(std::string_view value) {
  ++rows_;
  if (kind_ == Kind::kString) {
    add_string(value);
  } else {
    ++nulls_;  // a string where the column holds none: null, as add() counts it
  }
}

void ColumnStatistics::add_list_length(int64_t length) {
  ++rows_;
  if (kind_ == Kind::kList && length >= 0) {
    values_.push_back(static_cast<double>(length));
  } else {
    ++nulls_;  // a null list, or a list where the column holds none (as add() counts it)
  }
}

void ColumnStatistics::add_string(std::string_view value) {
  values_.push_back(static_cast<double>(code_points(value)));
  if (too_many_strings_) return;
  auto it = string_index_.find(value);
  if (it != string_index_.end()) {
    distinct_strings_[it->second].second++;
    return;
  }
  if (distinct_strings_.size() == kMaxNumStringLabels || value.size() > kMaxLabelBytes) {
    // A 1001st distinct value: n_unique > 1000 can never be a string_label again. A value too
    // long to keep as a label makes the column text (a departure: the viewer keeps any).
    too_many_strings_ = true;
    string_index_.clear();
    distinct_strings_.clear();
    return;
  }
  distinct_strings_.emplace_back(std::string(value), 1);
  string_index_.emplace(distinct_strings_.back().first, distinct_strings_.size() - 1);
}

nlohmann::ordered_json ColumnStatistics::numbers(bool integers) {
  if (values_.empty()) return all_null_numbers(rows_);
  Summary s = summarize(
      values_, [](double v) { return v; }, integers);
  OrderedJson out;
  out["nan_count"] = nulls_;
  out["nan_proportion"] = proportion(nulls_, rows_);
  out["min"] = integers ? integer_json(s.min) : OrderedJson(s.min);
  out["max"] = integers ? integer_json(s.max) : OrderedJson(s.max);
  out["mean"] = s.mean;
  out["median"] = s.median;
  out["std"] = s.std_dev ? OrderedJson(*s.std_dev) : OrderedJson(nullptr);
  OrderedJson edges = OrderedJson::array();
  for (double edge : s.edges)
    edges.push_back(integers ? integer_json(edge) : OrderedJson(round5(edge)));
  out["histogram"] = {{"hist", s.hist}, {"bin_edges", std::move(edges)}};
  return out;
}

// DatetimeColumn: integer statistics of whole seconds since the minimum (polars'
// dt.total_seconds truncates), shown as the minimum plus that many seconds.
nlohmann::ordered_json ColumnStatistics::datetimes() {
  if (instants_.empty()) return all_null_numbers(rows_);
  // The minimum as Python sees it: a datetime, so nanoseconds are floored to microseconds, and
  // polars subtracts that datetime from every value.
  int64_t min = *std::min_element(instants_.begin(), instants_.end());
  int64_t min_micros = units_per_second_ >= kMicrosPerSecond
                           ? floor_div(min, units_per_second_ / kMicrosPerSecond)
                           : min * (kMicrosPerSecond / units_per_second_);
  int64_t base = units_per_second_ >= kMicrosPerSecond
                     ? min_micros * (units_per_second_ / kMicrosPerSecond)
                     : min;
  int64_t units = units_per_second_;
  auto seconds = [base, units](int64_t v) {
    int64_t whole_seconds = (v - base) / units;  // truncated, as total_seconds() does
    return static_cast<double>(whole_seconds);
  };
  Summary s = summarize(instants_, seconds, true);

  int64_t shown_min = min_micros + int64_t{display_offset_seconds_} * kMicrosPerSecond;
  auto shifted = [&](int64_t micros) {
    return datetime_string(shown_min + micros, display_offset_seconds_, show_offset_);
  };
  OrderedJson out;
  out["nan_count"] = nulls_;
  out["nan_proportion"] = proportion(nulls_, rows_);
  out["min"] = shifted(0);
  out["max"] = shifted(timedelta_micros(s.max));
  out["mean"] = shifted(timedelta_micros(s.mean));
  out["median"] = shifted(timedelta_micros(s.median));
  out["std"] = s.std_dev ? OrderedJson(timedelta_string(timedelta_micros(*s.std_dev)))
                         : OrderedJson(nullptr);
  OrderedJson edges = OrderedJson::array();
  for (double edge : s.edges) edges.push_back(shifted(timedelta_micros(edge)));
  out["histogram"] = {{"hist", s.hist}, {"bin_edges", std::move(edges)}};
  return out;
}

nlohmann::ordered_json ColumnStatistics::categories() const {
  OrderedJson out;
  out["nan_count"] = nulls_;
  out["nan_proportion"] = proportion(nulls_, rows_);
  if (kind_ == Kind::kBool) {
    // str(key) of the sorted present values.
    OrderedJson frequencies = OrderedJson::object();
    if (false_count_ != 0) frequencies["False"] = false_count_;
    if (true_count_ != 0) frequencies["True"] = true_count_;
    out["frequencies"] = std::move(frequencies);
    return out;
  }
  out["no_label_count"] = no_label_count_;
  out["no_label_proportion"] = proportion(no_label_count_, rows_);
  out["n_unique"] = class_names_.size();
  OrderedJson frequencies = OrderedJson::object();
  // A repeated name keeps its first place and its last count, as a Python dict does.
  for (size_t i = 0; i < class_names_.size(); ++i) frequencies[class_names_[i]] = class_counts_[i];
  out["frequencies"] = std::move(frequencies);
  return out;
}

nlohmann::ordered_json ColumnStatistics::strings() {
  OrderedJson out;
  out["nan_count"] = nulls_;
  out["nan_proportion"] = proportion(nulls_, rows_);
  out["no_label_count"] = 0;
  out["no_label_proportion"] = 0.0;
  out["n_unique"] = distinct_strings_.size();
  std::vector<size_t> order(distinct_strings_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return distinct_strings_[a].second > distinct_strings_[b].second;
  });
  OrderedJson frequencies = OrderedJson::object();
  for (size_t i : order) frequencies[distinct_strings_[i].first] = distinct_strings_[i].second;
  out["frequencies"] = std::move(frequencies);
  return out;
}

nlohmann::ordered_json ColumnStatistics::finish() {
  OrderedJson out;
  out["column_name"] = column_name_;
  switch (kind_) {
    case Kind::kInt:
      out["column_type"] = "int";
      out["column_statistics"] = numbers(true);
      break;
    case Kind::kFloat:
      out["column_type"] = "float";
      out["column_statistics"] = numbers(false);
      break;
    case Kind::kBool:
      out["column_type"] = "bool";
      out["column_statistics"] = categories();
      break;
    case Kind::kClassLabel:
      out["column_type"] = "class_label";
      out["column_statistics"] = categories();
      break;
    case Kind::kString: {
      // StringColumn.is_class, with polars' n_unique counting null as one more value.
      uint64_t distinct = too_many_strings_ ? kMaxNumStringLabels + 1 : distinct_strings_.size();
      uint64_t n_unique = distinct + (nulls_ > 0 ? 1 : 0);
      bool label = rows_ == 0 ||
                   (static_cast<double>(n_unique) / static_cast<double>(rows_) <=
                        kMaxProportionStringLabels &&
                    n_unique <= kMaxNumStringLabels) ||
                   n_unique <= kNumBins;
      out["column_type"] = label ? "string_label" : "string_text";
      out["column_statistics"] = label ? strings() : numbers(true);
      break;
    }
    case Kind::kList:
      out["column_type"] = "list";
      out["column_statistics"] = numbers(true);
      break;
    case Kind::kDatetime:
      out["column_type"] = "datetime";
      out["column_statistics"] = datetimes();
      break;
    case Kind::kImage:
      out["column_type"] = "image";
      out["column_statistics"] = numbers(true);
      break;
  }
  return out;
}

}  // namespace vitrine::datasets
