// The CSV reader (row_reader.hpp): pandas' C tokenizer (pandas/_libs/src/parser/tokenizer.c)
// with read_csv's default options, one record at a time. Its states, line counting and error
// messages follow the tokenizer's so that a file fails here where it fails in `datasets`, with
// the same words.
#include <cstring>
#include <unordered_map>

#include "formats/datasets/buffered_input.hpp"
#include "formats/datasets/row_reader.hpp"

namespace vitrine::datasets {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Header names as pandas makes them: "" is "Unnamed: i"; a repeated name gets ".1", ".2"…,
// skipping names the header already has, the named columns deduplicated before the unnamed
// ones (parsers.pyx: TextReader._get_header).
std::vector<std::string> header_names(std::vector<std::string> names) {
  std::vector<size_t> order, unnamed;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      names[i] = "Unnamed: " + std::to_string(i);
      unnamed.push_back(i);
    } else {
      order.push_back(i);
    }
  }
  order.insert(order.end(), unnamed.begin(), unnamed.end());
  std::unordered_map<std::string, size_t> present;  // names in the header now, with multiplicity
  for (const auto& name : names) ++present[name];
  std::unordered_map<std::string, size_t> counts;
  for (size_t i : order) {
    std::string col = names[i];
    const std::string old_col = col;
    size_t cur = counts[col];
    while (cur > 0) {
      counts[old_col] = cur + 1;
      col = old_col + "." + std::to_string(cur);
      auto it = present.find(col);
      if (it != present.end() && it->second > 0) {
        ++cur;
      } else {
        auto c = counts.find(col);
        cur = c == counts.end() ? 0 : c->second;
      }
    }
    if (col != names[i]) {
      --present[names[i]];
      ++present[col];
      names[i] = col;
    }
    counts[col] = cur + 1;
  }
  return names;
}

class CsvReader : public TextRowReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> in, CsvOptions options, ReaderLimits limits)
      : in_(std::move(in)), sep_(options.sep), limits_(limits) {
    for (char c : {sep_, '\n', '\r'}) run_stops_[static_cast<unsigned char>(c)] = true;
    for (char c : {sep_, '\n', '\r', '"'}) field_stops_[static_cast<unsigned char>(c)] = true;
    // A separator that is also a quote or a line break takes the state machine's order of
    // tests, which whole_record does not follow.
    whole_records_ = sep_ != '"' && sep_ != '\n' && sep_ != '\r';
  }

  Result<std::optional<Row>> next() override {
    auto fields = next_text();
    if (!fields) return fields.status();
    if (*fields == nullptr) return std::optional<Row>();
    Row row;
    row.reserve(fields_.size());
    for (std::string_view f : fields_) {
      row.push_back(f.empty() ? nlohmann::json() : nlohmann::json(std::string(f)));
    }
    return std::optional<Row>(std::move(row));
  }

  Result<const std::vector<std::string_view>*> next_text() override {
    if (!error_.is_ok()) return error_;
    if (!started_) {
      started_ = true;
      if (auto st = in_.ensure(3); !st) return fail(st);
      if (in_.window().substr(0, 3) == "\xEF\xBB\xBF") in_.consume(3);
    }
    while (true) {
      if (ready_) {
        ready_ = false;
        bytes_read_ = in_.consumed();
        return &fields_;
      }
      if (finished_) return nullptr;
      std::string_view w = in_.window();
      if (w.empty()) {
        auto more = in_.fill();
        if (!more) return fail(more.status());
        if (!*more) {
          finished_ = true;
          if (auto st = finish(); !st) return fail(st);
        }
        continue;
      }
      size_t i = 0;
      Status st;
      if (state_ == State::kStartRecord && header_done_ && whole_records_) {
        i = whole_record(w, &st);
        if (i > 0 || !st) {
          in_.consume(i);
          if (!st) return fail(st);
          continue;
        }
      }
      while (i < w.size() && !ready_ && st.is_ok()) {
        i += plain_run(w.substr(i), &st);
        if (i < w.size() && st.is_ok()) st = process(w[i++]);
      }
      in_.consume(i);
      if (!st) return fail(st);
    }
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  uint64_t bytes_read() const override { return bytes_read_; }

 private:
  // The tokenizer's states that default options can reach.
  enum class State {
    kStartRecord,
    kStartField,
    kInField,
    kInQuotedField,
    kQuoteInQuotedField,
    kEatCrnl,     // after '\r' that ended a field
    kEatCrnlNop,  // after '\r' that ended a skipped line
    kWhitespaceLine,
  };

  Status fail(Status st) {
    error_ = std::move(st);
    return error_;
  }

  // The 1-based line the tokenizer is in, as its messages count: records and skipped lines,
  // not the newlines inside quoted fields.
  uint64_t line() const { return file_lines_ + 1; }

  // The common record, whole in the window, split at once: fields unquoted, or quoted without
  // a quote inside, ended by the separator, '\n' or "\r\n", within the limits. The bytes it took,
  // or 0 when the record is anything else (a blank or whitespace line, '\r', a quote inside a
  // field, a limit passed, the window's end): the state machine then reads it byte by byte, with
  // the same outcome and the same errors.
  size_t whole_record(std::string_view w, Status* st) {
    const char* p = w.data();
    const char* end = p + w.size();
    if (p == end || *p == '\n' || *p == '\r' || (is_blank(*p) && *p != sep_)) return 0;
    text_.clear();
    field_ends_.clear();
    for (;;) {
      const char* from;
      const char* to;
      if (*p == '"') {
        from = p + 1;
        to = static_cast<const char*>(std::memchr(from, '"', static_cast<size_t>(end - from)));
        if (to == nullptr) return give_up();
        p = to + 1;
      } else {
        from = p;
        to = p;
        while (to < end && !field_stops_[static_cast<unsigned char>(*to)]) ++to;
        p = to;
      }
      text_.append(from, static_cast<size_t>(to - from));
      field_ends_.push_back(text_.size());
      if (field_ends_.size() > limits_.max_columns || text_.size() > limits_.max_row_bytes ||
          (data_records_ > 0 && field_ends_.size() > expected_)) {
        return give_up();
      }
      // After the field: the separator, or the record's end ("\n" or "\r\n"), else give up.
      if (p == end) return give_up();
      if (*p == sep_) {
        if (++p == end) return give_up();
        continue;
      }
      if (*p == '\n') {
        ++p;
        break;
      }
      if (*p == '\r' && p + 1 < end && p[1] == '\n') {
        p += 2;
        break;
      }
      return give_up();
    }
    field_count_ = field_ends_.size();
    record_bytes_ = text_.size();
    *st = end_line();
    return static_cast<size_t>(p - w.data());
  }
  size_t give_up() {
    reset_record();
    return 0;
  }

  // Inside a field, the bytes up to the next one that means something are the field's text:
  // taken in one piece. Returns how many.
  size_t plain_run(std::string_view w, Status* st) {
    size_t n = 0;
    if (state_ == State::kInQuotedField) {
      const void* q = std::memchr(w.data(), '"', w.size());
      n = q == nullptr ? w.size() : static_cast<const char*>(q) - w.data();
    } else if (state_ == State::kInField) {
      while (n < w.size() && !run_stops_[static_cast<unsigned char>(w[n])]) ++n;
    }
    if (n > 0) *st = push(w.substr(0, n));
    return n;
  }

  Status push(std::string_view bytes) {
    record_bytes_ += bytes.size();
    if (record_bytes_ > limits_.max_row_bytes) {
      return unprocessable("CSV record at line " + std::to_string(line()) + " is longer than " +
                           std::to_string(limits_.max_row_bytes) + " bytes");
    }
    if (!overlong_) text_.append(bytes);
    return Status::ok();
  }
  Status push(char c) { return push(std::string_view(&c, 1)); }

  Status process(char c) {
    while (true) {
      switch (state_) {
        case State::kStartRecord:
          if (c == '\n') {
            ++file_lines_;  // a blank line
            return Status::ok();
          }
          if (c == '\r') {
            ++file_lines_;
            state_ = State::kEatCrnlNop;
            return Status::ok();
          }
          if (is_blank(c) && c != sep_) {
            state_ = State::kWhitespaceLine;
            return push(c);
          }
          state_ = State::kStartField;
          continue;
        case State::kWhitespaceLine:
          if (c == '\n' || c == '\r') {
            ++file_lines_;  // only blanks: skipped
            reset_record();
            state_ = c == '\n' ? State::kStartRecord : State::kEatCrnlNop;
            return Status::ok();
          }
          if (is_blank(c) && c != sep_) return push(c);
          state_ = State::kInField;  // the blanks held start the first field
          continue;
        case State::kStartField:
          if (c == '\n') return end_field_and_line();
          if (c == '\r') {
            state_ = State::kEatCrnl;
            return end_field();
          }
          if (c == '"') {
            state_ = State::kInQuotedField;
            return Status::ok();
          }
          if (c == sep_) return end_field();
          state_ = State::kInField;
          return push(c);
        case State::kInField:
          if (c == '\n') return end_field_and_line();
          if (c == '\r') {
            state_ = State::kEatCrnl;
            return end_field();
          }
          if (c == sep_) {
            state_ = State::kStartField;
            return end_field();
          }
          return push(c);
        case State::kInQuotedField:
          if (c == '"') {
            state_ = State::kQuoteInQuotedField;
            return Status::ok();
          }
          return push(c);
        case State::kQuoteInQuotedField:
          if (c == '"') {  // "" is one quote
            state_ = State::kInQuotedField;
            return push(c);
          }
          if (c == sep_) {
            state_ = State::kStartField;
            return end_field();
          }
          if (c == '\n') return end_field_and_line();
          if (c == '\r') {
            state_ = State::kEatCrnl;
            return end_field();
          }
          state_ = State::kInField;  // "ab"cd is abcd
          return push(c);
        case State::kEatCrnl:
          if (c == '\n') return end_line();
          if (c == sep_) {  // "\r," starts a record with an empty field
            if (auto st = end_line(); !st) return st;
            state_ = State::kStartField;
            return end_field();
          }
          if (auto st = end_line(); !st) return st;  // a lone '\r' ends the record
          continue;
        case State::kEatCrnlNop:
          state_ = State::kStartRecord;
          if (c == '\n' || c == sep_) return Status::ok();  // the tokenizer drops both
          continue;
      }
    }
  }

  Status end_field_and_line() {
    if (auto st = end_field(); !st) return st;
    return end_line();
  }

  Status end_field() {
    ++field_count_;
    if (field_count_ > limits_.max_columns) {
      return unprocessable("CSV line " + std::to_string(line()) + " has more than " +
                           std::to_string(limits_.max_columns) + " columns (TooManyColumnsError)");
    }
    // The first data record may be longer than the header (pandas' implicit index); later
    // ones may not be longer than the record before. Past that, fields are only counted, for
    // the message.
    if (header_done_ && data_records_ > 0 && field_count_ > expected_) overlong_ = true;
    if (!overlong_) field_ends_.push_back(text_.size());
    return Status::ok();
  }

  Status end_line() {
    state_ = State::kStartRecord;
    ++file_lines_;
    if (overlong_) {
      return unprocessable("Error tokenizing data. C error: Expected " + std::to_string(expected_) +
                           " fields in line " + std::to_string(file_lines_) + ", saw " +
                           std::to_string(field_count_));
    }
    // Fields are checked one by one (two invalid halves can make a valid whole), unless the
    // record is all ASCII.
    if (!ascii(text_)) {
      size_t begin = 0;
      for (size_t end : field_ends_) {
        if (!valid_utf8(std::string_view(text_.data() + begin, end - begin))) {
          return unprocessable("CSV line " + std::to_string(file_lines_) + " is not valid UTF-8");
        }
        begin = end;
      }
    }
    size_t count = field_ends_.size();
    if (!header_done_) {
      std::vector<std::string> names;
      for (size_t i = 0; i < count; ++i) names.emplace_back(field_text(text_, i));
      columns_ = header_names(std::move(names));
      if (auto st = check_names(); !st) return st;
      expected_ = columns_.size();
      header_done_ = true;
      reset_record();
      return Status::ok();
    }
    if (data_records_ == 0 && count > expected_) {
      // pandas takes the leading extra fields as the index; pa.Table.from_pandas keeps a
      // non-range index as trailing columns.
      leading_ = count - expected_;
      for (size_t i = 0; i < leading_; ++i) {
        columns_.push_back("__index_level_" + std::to_string(i) + "__");
      }
      expected_ = count;
    }
    // The record's text moves aside, so the next record can start while its fields are read.
    record_.swap(text_);
    fields_.clear();
    auto field = [&](size_t i) { return i < count ? field_text(record_, i) : std::string_view(); };
    for (size_t i = leading_; i < expected_; ++i) fields_.push_back(field(i));
    for (size_t i = 0; i < leading_; ++i) fields_.push_back(field(i));
    ++data_records_;
    ready_ = true;
    reset_record();
    return Status::ok();
  }

  // Field i of a record whose text is `text` (field_ends_ says where each ends).
  std::string_view field_text(const std::string& text, size_t i) const {
    size_t begin = i == 0 ? 0 : field_ends_[i - 1];
    return std::string_view(text.data() + begin, field_ends_[i] - begin);
  }

  Status check_names() const {
    for (const auto& name : columns_) {
      if (name.size() > limits_.max_column_name_bytes) {
        return unprocessable("CSV column name longer than " +
                             std::to_string(limits_.max_column_name_bytes) +
                             " bytes (TooLongColumnNameError)");
      }
    }
    return Status::ok();
  }

  void reset_record() {
    text_.clear();
    field_ends_.clear();
    field_count_ = 0;
    record_bytes_ = 0;
    overlong_ = false;
  }

  // The end of the data: the tokenizer's parser_handle_eof.
  Status finish() {
    switch (state_) {
      case State::kStartRecord:
      case State::kWhitespaceLine:
      case State::kEatCrnlNop:
        break;
      case State::kInQuotedField:
        return unprocessable("Error tokenizing data. C error: EOF inside string starting at row " +
                             std::to_string(file_lines_));
      case State::kInField:
      case State::kStartField:
      case State::kQuoteInQuotedField:
        if (auto st = end_field_and_line(); !st) return st;
        break;
      case State::kEatCrnl:
        if (auto st = end_line(); !st) return st;
        break;
    }
    if (!header_done_) return unprocessable("No columns to parse from file");
    return Status::ok();
  }

  static bool ascii(std::string_view s) {
    size_t i = 0;
    uint64_t high = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      high |= word;
    }
    for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
    return (high & 0x8080808080808080ull) == 0;
  }

  BufferedInput in_;
  const char sep_;
  bool run_stops_[256] = {};    // the separator, '\n', '\r': where plain_run stops
  bool field_stops_[256] = {};  // and '"': where whole_record's unquoted field stops
  bool whole_records_ = true;   // whole_record may be tried
  const ReaderLimits limits_;
  State state_ = State::kStartRecord;
  bool started_ = false, finished_ = false;
  Status error_;

  // The record being read: its fields' text back to back, and where each ends.
  std::string text_;
  std::vector<size_t> field_ends_;
  size_t field_count_ = 0;     // fields ended, counted past the stored ones when overlong_
  uint64_t record_bytes_ = 0;  // field text read, stored or not
  bool overlong_ = false;

  uint64_t file_lines_ = 0;  // the tokenizer's file_lines: records and skipped lines ended
  bool header_done_ = false;
  uint64_t data_records_ = 0;
  size_t expected_ = 0;  // fields of a full record: the header's, or the first data record's
  size_t leading_ = 0;   // index fields at the start of each record
  std::vector<std::string> columns_;
  // The last record read: its text and its fields (views into it) in column order.
  std::string record_;
  std::vector<std::string_view> fields_;
  bool ready_ = false;  // a record was read and not handed out yet
  uint64_t bytes_read_ = 0;
};

}  // namespace

std::unique_ptr<TextRowReader> csv_reader(std::unique_ptr<ByteSource> in, CsvOptions options,
                                          ReaderLimits limits) {
  return std::make_unique<CsvReader>(std::move(in), options, limits);
}

}  // namespace vitrine::datasets
