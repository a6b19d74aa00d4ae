// The text reader (row_reader.hpp): `datasets`' text builder with its defaults
// (packaged_modules/text/text.py: the file opened as UTF-8 text with universal newlines,
// split into lines, each line one row without its break).
#include "formats/datasets/buffered_input.hpp"
#include "formats/datasets/row_reader.hpp"

namespace vitrine::datasets {

namespace {

class TextReader : public RowReader {
 public:
  TextReader(std::unique_ptr<ByteSource> in, ReaderLimits limits)
      : in_(std::move(in)), limits_(limits) {}

  Result<std::optional<Row>> next() override {
    if (!error_.is_ok()) return error_;
    if (ended_) return std::optional<Row>();
    line_.clear();
    while (true) {
      std::string_view w = in_.window();
      if (after_cr_ && !w.empty()) {
        if (w[0] == '\n') in_.consume(1);  // "\r\n" is one break
        after_cr_ = false;
        continue;
      }
      size_t i = 0;
      while (i < w.size() && w[i] != '\n' && w[i] != '\r') ++i;
      if (line_.size() + i > limits_.max_row_bytes) {
        return fail(unprocessable("text line " + std::to_string(lines_ + 1) + " is longer than " +
                                  std::to_string(limits_.max_row_bytes) + " bytes"));
      }
      line_.append(w.data(), i);
      if (i < w.size()) {
        after_cr_ = w[i] == '\r';
        in_.consume(i + 1);
        return row();
      }
      in_.consume(i);
      auto more = in_.fill();
      if (!more) return fail(more.status());
      if (!*more) {
        ended_ = true;
        if (line_.empty()) return std::optional<Row>();  // no last line without a break
        return row();
      }
    }
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  uint64_t bytes_read() const override { return in_.consumed(); }

 private:
  Status fail(Status st) {
    error_ = std::move(st);
    return error_;
  }

  Result<std::optional<Row>> row() {
    ++lines_;
    if (!valid_utf8(line_)) {
      return fail(unprocessable("text line " + std::to_string(lines_) + " is not valid UTF-8"));
    }
    return std::optional<Row>(Row{nlohmann::json(line_)});
  }

  BufferedInput in_;
  const ReaderLimits limits_;
  const std::vector<std::string> columns_{"text"};
  std::string line_;
  uint64_t lines_ = 0;
  bool after_cr_ = false;  // the last break was '\r': a '\n' right after belongs to it
  bool ended_ = false;
  Status error_;
};

}  // namespace

std::unique_ptr<RowReader> text_reader(std::unique_ptr<ByteSource> in, ReaderLimits limits) {
  return std::make_unique<TextReader>(std::move(in), limits);
}

}  // namespace vitrine::datasets
