// The JSON reader (row_reader.hpp): JSON Lines, or one top-level array read element by element,
// as `datasets`' json builder sees them (packaged_modules/json/json.py: a leading '[' is an
// array, converted to JSON Lines of its objects, or of {"text": x} when its first 100 bytes
// have no '{' before a '"'). Each row's nesting is counted on its bytes before its value is
// built.
#include <cstring>
#include <unordered_map>

#include "formats/datasets/buffered_input.hpp"
#include "formats/datasets/row_reader.hpp"
#include "util/json.hpp"

namespace vitrine::datasets {

namespace {

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

class JsonReader : public RowReader {
 public:
  JsonReader(std::unique_ptr<ByteSource> in, ReaderLimits limits)
      : in_(std::move(in)), limits_(limits) {}

  Result<std::optional<Row>> next() override {
    if (!error_.is_ok()) return error_;
    if (mode_ == Mode::kUnknown) {
      if (auto st = detect(); !st) return fail(st);
    }
    Status st;
    switch (mode_) {
      case Mode::kLines:
        st = next_line();
        break;
      case Mode::kArrayOfObjects:
      case Mode::kArrayOfValues:
        st = next_element();
        break;
      case Mode::kEnded:
      case Mode::kUnknown:
        break;
    }
    if (!st) return fail(st);
    if (!ready_) return std::optional<Row>();
    Row row = std::move(*ready_);
    ready_.reset();
    bytes_read_ = in_.consumed();
    return std::optional<Row>(std::move(row));
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  uint64_t bytes_read() const override { return bytes_read_; }

 private:
  enum class Mode { kUnknown, kLines, kArrayOfObjects, kArrayOfValues, kEnded };

  Status fail(Status st) {
    error_ = std::move(st);
    return error_;
  }

  // Skips JSON whitespace; false at the end of the data.
  Result<bool> skip_space() {
    while (true) {
      std::string_view w = in_.window();
      size_t i = 0;
      while (i < w.size() && is_json_space(w[i])) ++i;
      in_.consume(i);
      if (auto st = check_array_size(); !st) return st;
      if (i < w.size()) return true;
      auto more = in_.fill();
      if (!more) return more.status();
      if (!*more) return false;
    }
  }

  Status detect() {
    if (auto st = in_.ensure(3); !st) return st;
    if (in_.window().substr(0, 3) == "\xEF\xBB\xBF") in_.consume(3);
    auto any = skip_space();
    if (!any) return any.status();
    if (!*any) {
      mode_ = Mode::kEnded;  // an empty file has no rows
      return Status::ok();
    }
    if (in_.window()[0] != '[') {
      mode_ = Mode::kLines;
      return Status::ok();
    }
    // `datasets`: an array of objects when a '{' comes before the first '"' in the first
    // 100 bytes, else an array of values, each the row {"text": value}.
    if (auto st = in_.ensure(100); !st) return st;
    std::string_view head = in_.window().substr(0, 100);
    head = head.substr(0, head.find('"'));
    mode_ = head.find('{') != std::string_view::npos ? Mode::kArrayOfObjects : Mode::kArrayOfValues;
    array_start_ = in_.consumed();
    in_.consume(1);
    return Status::ok();
  }

  Status check_array_size() const {
    if (mode_ != Mode::kArrayOfObjects && mode_ != Mode::kArrayOfValues) return Status::ok();
    if (in_.consumed() - array_start_ > limits_.max_json_array_bytes) {
      return unprocessable("JSON array file larger than " +
                           std::to_string(limits_.max_json_array_bytes) + " bytes");
    }
    return Status::ok();
  }

  // One JSON Lines row: the next line that is not blank.
  Status next_line() {
    while (true) {
      line_.clear();
      bool any = false;
      while (true) {
        std::string_view w = in_.window();
        const void* nl = std::memchr(w.data(), '\n', w.size());
        size_t take = nl == nullptr ? w.size() : static_cast<const char*>(nl) - w.data();
        if (line_.size() + take > limits_.max_row_bytes) {
          return unprocessable("JSON line " + std::to_string(line_number_ + 1) +
                               " is longer than " + std::to_string(limits_.max_row_bytes) +
                               " bytes");
        }
        line_.append(w.data(), take);
        any = any || take > 0 || nl != nullptr;
        if (nl != nullptr) {
          in_.consume(take + 1);
          break;
        }
        in_.consume(take);
        auto more = in_.fill();
        if (!more) return more.status();
        if (!*more) break;
      }
      if (!any) {
        mode_ = Mode::kEnded;
        return Status::ok();
      }
      ++line_number_;
      bool blank = true;
      for (char c : line_) blank = blank && is_json_space(c);
      if (blank) continue;
      return add_row(line_, "JSON line " + std::to_string(line_number_));
    }
  }

  // One element of the top-level array, its bytes found by counting brackets outside strings.
  Status next_element() {
    auto any = skip_space();
    if (!any) return any.status();
    if (!*any) return unprocessable("JSON array not closed");
    if (elements_ == 0 && in_.window()[0] == ']') {
      in_.consume(1);
      return end_array();
    }
    line_.clear();
    size_t depth = 0;
    bool in_string = false, escaped = false;
    while (true) {
      std::string_view w = in_.window();
      size_t i = 0;
      bool ended = false;
      for (; i < w.size(); ++i) {
        char c = w[i];
        if (in_string) {
          if (escaped) {
            escaped = false;
          } else if (c == '\\') {
            escaped = true;
          } else if (c == '"') {
            in_string = false;
          }
        } else if (c == '"') {
          in_string = true;
        } else if (c == '[' || c == '{') {
          if (++depth > limits_.max_json_depth) {
            return unprocessable("JSON array element " + std::to_string(elements_ + 1) +
                                 " nests deeper than " + std::to_string(limits_.max_json_depth) +
                                 " levels");
          }
        } else if (c == ']' || c == '}') {
          if (depth == 0) {
            ended = true;
            break;
          }
          --depth;
        } else if (c == ',' && depth == 0) {
          ended = true;
          break;
        }
      }
      if (line_.size() + i > limits_.max_row_bytes) {
        return unprocessable("JSON array element " + std::to_string(elements_ + 1) +
                             " is longer than " + std::to_string(limits_.max_row_bytes) + " bytes");
      }
      line_.append(w.data(), i);
      in_.consume(i);
      if (auto st = check_array_size(); !st) return st;
      if (ended) break;
      auto more = in_.fill();
      if (!more) return more.status();
      if (!*more) return unprocessable("JSON array not closed");
    }
    ++elements_;
    char closer = in_.window()[0];
    in_.consume(1);
    std::string where = "JSON array element " + std::to_string(elements_);
    if (closer == '}') return unprocessable(where + ": malformed JSON");
    if (mode_ == Mode::kArrayOfValues) {
      auto value = parse(line_, where);
      if (!value) return value.status();
      nlohmann::json row = nlohmann::json::object();
      row["text"] = std::move(*value);
      if (auto st = add_object(std::move(row), {}, where); !st) return st;
    } else if (auto st = add_row(line_, where); !st) {
      return st;
    }
    if (closer == ']') return end_array();
    return Status::ok();
  }

  // After the closing ']': only whitespace.
  Status end_array() {
    auto any = skip_space();
    if (!any) return any.status();
    if (*any) return unprocessable("JSON array file has data after the array");
    mode_ = Mode::kEnded;
    return Status::ok();
  }

  // An upper bound of the values in `text`: containers and separators outside strings, plus one.
  static size_t value_count(std::string_view text) {
    size_t n = 1;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[' || c == ',' || c == ':') {
        ++n;
      }
    }
    return n;
  }

  Result<nlohmann::json> parse(std::string_view text, const std::string& where) const {
    // nlohmann takes a NUL byte for the end of its input; no JSON text holds one.
    if (text.find('\0') != std::string_view::npos) return unprocessable(where + ": malformed JSON");
    if (util::json_nesting_depth(text, limits_.max_json_depth) > limits_.max_json_depth) {
      return unprocessable(where + " nests deeper than " + std::to_string(limits_.max_json_depth) +
                           " levels");
    }
    // A row's values cost ~50-100 bytes of memory each whatever their text's size ("{}," is
    // three bytes): they are counted before any is built.
    if (size_t n = value_count(text); n > limits_.max_json_values) {
      return unprocessable(where + " holds more than " + std::to_string(limits_.max_json_values) +
                           " JSON values");
    }
    auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return unprocessable(where + ": malformed JSON");
    return value;
  }

  Status add_row(std::string_view text, const std::string& where) {
    auto value = parse(text, where);
    if (!value) return value.status();
    return add_object(std::move(*value), text, where);
  }

  // `value` as a row. Its keys not seen before become columns in the order `text` has them
  // (Arrow's schema order; the parsed object has them sorted): the text is parsed again,
  // keeping key order, only for a row that brings a new key.
  Status add_object(nlohmann::json value, std::string_view text, const std::string& where) {
    if (!value.is_object()) return unprocessable(where + " is not a JSON object");
    bool new_key = false;
    for (auto it = value.begin(); it != value.end() && !new_key; ++it) {
      new_key = !index_.contains(it.key());
    }
    if (new_key) {
      std::vector<std::string> keys;
      if (!text.empty()) {
        auto ordered = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (ordered.is_object()) {
          for (auto it = ordered.begin(); it != ordered.end(); ++it) keys.push_back(it.key());
        }
      }
      for (auto it = value.begin(); it != value.end(); ++it) keys.push_back(it.key());
      for (const auto& key : keys) {
        if (index_.contains(key)) continue;
        if (key.size() > limits_.max_column_name_bytes) {
          return unprocessable(where + " has a key longer than " +
                               std::to_string(limits_.max_column_name_bytes) +
                               " bytes (TooLongColumnNameError)");
        }
        if (columns_.size() >= limits_.max_columns) {
          return unprocessable(where + " brings the columns past " +
                               std::to_string(limits_.max_columns) + " (TooManyColumnsError)");
        }
        index_.emplace(key, columns_.size());
        columns_.push_back(key);
      }
    }
    Row row(columns_.size());
    for (auto it = value.begin(); it != value.end(); ++it) {
      row[index_.at(it.key())] = std::move(it.value());
    }
    ready_ = std::move(row);
    return Status::ok();
  }

  BufferedInput in_;
  const ReaderLimits limits_;
  Mode mode_ = Mode::kUnknown;
  Status error_;
  std::string line_;  // the row's bytes
  uint64_t line_number_ = 0;
  uint64_t elements_ = 0;
  uint64_t array_start_ = 0;
  std::vector<std::string> columns_;
  std::unordered_map<std::string, size_t> index_;
  std::optional<Row> ready_;
  uint64_t bytes_read_ = 0;
};

}  // namespace

std::unique_ptr<RowReader> json_reader(std::unique_ptr<ByteSource> in, ReaderLimits limits) {
  return std::make_unique<JsonReader>(std::move(in), limits);
}

}  // namespace vitrine::datasets
