// The Parquet writer (parquet_writer.hpp). Rows are shredded into leaf columns by the Dremel
// scheme the reader assembles them with (parquet_rows.cpp): a null or absent node gives each
// leaf under it one slot at the definition level of its parent, an empty list one slot at the
// list's own level, and every element after a list's first repeats at the list's repetition
// level.
#include "formats/datasets/parquet_writer.hpp"

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_thrift_writer.hpp"

namespace vitrine::datasets {

namespace {

// A background batch is handed over past this many bytes of text or source, whatever its rows.
constexpr size_t kBatchBytes = 1u << 20;

Status cell_error(const std::string& path, uint64_t row, const std::string& message) {
  return unprocessable("column '" + path + "', row " + std::to_string(row) + ": " + message);
}

void write_statistics(const Statistics& s, ThriftWriter& w) {
  w.struct_field(12);
  if (s.null_count) w.i64_field(3, *s.null_count);
  if (s.max_value) w.binary_field(5, *s.max_value);
  if (s.min_value) w.binary_field(6, *s.min_value);
  w.end_struct();
}

void write_column_chunk(const ColumnChunk& chunk, ThriftWriter& w) {
  const ColumnMetaData& m = *chunk.meta_data;
  w.begin_struct();
  w.i64_field(2, chunk.file_offset);
  w.struct_field(3);
  w.i32_field(1, static_cast<int32_t>(m.type));
  w.list_field(2, ThriftType::kI32, m.encodings.size());
  for (Encoding e : m.encodings) w.write_zigzag(static_cast<int32_t>(e));
  w.list_field(3, ThriftType::kBinary, m.path_in_schema.size());
  for (const auto& name : m.path_in_schema) w.write_binary(name);
  w.i32_field(4, static_cast<int32_t>(m.codec));
  w.i64_field(5, m.num_values);
  w.i64_field(6, m.total_uncompressed_size);
  w.i64_field(7, m.total_compressed_size);
  w.i64_field(9, m.data_page_offset);
  if (m.dictionary_page_offset) w.i64_field(11, *m.dictionary_page_offset);
  if (m.statistics) write_statistics(*m.statistics, w);
  w.end_struct();
  w.end_struct();
}

void write_row_group(const RowGroup& group, ThriftWriter& w) {
  w.begin_struct();
  w.list_field(1, ThriftType::kStruct, group.columns.size());
  for (const auto& chunk : group.columns) write_column_chunk(chunk, w);
  w.i64_field(2, group.total_byte_size);
  w.i64_field(3, group.num_rows);
  if (group.file_offset) w.i64_field(5, *group.file_offset);
  if (group.total_compressed_size) w.i64_field(6, *group.total_compressed_size);
  if (group.ordinal) w.i16_field(7, *group.ordinal);
  w.end_struct();
}

}  // namespace

ParquetWriter::ParquetWriter(WriteSchema schema, std::function<Status(std::string_view)> sink,
                             ParquetWriteOptions options)
    : schema_(std::move(schema)), sink_(std::move(sink)), options_(std::move(options)) {
  ColumnWriterOptions column;
  column.codec = options_.codec;
  column.dictionary = options_.dictionary;
  columns_.reserve(schema_.columns.size());
  for (const auto& c : schema_.columns) columns_.emplace_back(c, column);
}

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::create(
    const nlohmann::ordered_json& features, std::function<Status(std::string_view)> sink,
    ParquetWriteOptions options) {
  if (options.row_group_rows == 0) {
    return unprocessable("Parquet writer: row_group_rows must be at least 1");
  }
  if (auto probe = compress_parquet_page(options.codec, "PAR1"); !probe) return probe.status();
  auto schema = build_write_schema(features);
  if (!schema) return schema.status();
  std::unique_ptr<ParquetWriter> writer(
      new ParquetWriter(std::move(*schema), std::move(sink), std::move(options)));
  if (auto s = writer->write("PAR1"); !s) return s;
  return writer;
}

Status ParquetWriter::fail(Status status) {
  if (failed_.is_ok()) failed_ = status;
  return status;
}

Status ParquetWriter::write(std::string_view bytes) {
  if (auto s = sink_(bytes); !s) return fail(s);
  bytes_written_ += bytes.size();
  return Status::ok();
}

uint64_t ParquetWriter::bytes_buffered() const {
  return options_.background ? buffered_.load() : open_group_bytes();
}

uint64_t ParquetWriter::open_group_bytes() const {
  uint64_t n = 0;
  for (const auto& c : columns_) n += c.buffered_bytes();
  return n;
}

void ParquetWriter::shred_absent(const WriteNode& node, int16_t repetition, int16_t definition) {
  for (size_t c = node.first_column; c < node.end_column; ++c) {
    columns_[c].add_null(repetition, definition);
  }
}

Status ParquetWriter::shred(const WriteNode& node, const nlohmann::json& value,
                            int16_t repetition) {
  if (value.is_null()) {
    shred_absent(node, repetition, static_cast<int16_t>(node.definition_level - 1));
    return Status::ok();
  }
  switch (node.shape) {
    case WriteNode::Shape::kLeaf: {
      Status s = columns_[node.first_column].add_value(repetition, value);
      if (!s) return cell_error(node.feature_path, row_number(), s.message());
      return s;
    }
    case WriteNode::Shape::kStruct: {
      if (node.media && value.is_string()) {  // a media file given by its path alone
        shred_absent(node.children[0], repetition, node.definition_level);
        return shred(node.children[1], value, repetition);
      }
      if (!value.is_object())
        return cell_error(node.feature_path, row_number(), "expected an object");
      static const nlohmann::json kNull;
      for (const auto& child : node.children) {
        auto it = value.find(child.name);
        if (auto s = shred(child, it == value.end() ? kNull : *it, repetition); !s) return s;
      }
      return Status::ok();
    }
    case WriteNode::Shape::kList: {
      if (!value.is_array()) return cell_error(node.feature_path, row_number(), "expected a list");
      if (value.empty()) {
        shred_absent(node, repetition, node.definition_level);
        return Status::ok();
      }
      int16_t r = repetition;
      for (const auto& element : value) {
        if (auto s = shred(node.children[0], element, r); !s) return s;
        r = node.repetition_level;
      }
      return Status::ok();
    }
  }
  return Status::ok();
}

Status ParquetWriter::add_row(const Row& row) {
  if (options_.background) return add_row(Row(row));
  return write_json_row(row);
}

Status ParquetWriter::add_row(Row&& row, size_t source_bytes) {
  if (!options_.background) return write_json_row(row);
  // failed_ is the batch's thread's while one is written: settle() reads it after.
  if (!task_ && !failed_.is_ok()) return failed_;
  if (finished_) return unprocessable("Parquet writer: rows added after finish()");
  filling_.widths.push_back(Batch::kJsonRow);
  filling_.rows.push_back(std::move(row));
  filling_.bytes += source_bytes;
  return batched();
}

Status ParquetWriter::write_json_row(const Row& row) {
  if (!failed_.is_ok()) return failed_;
  if (finished_) return unprocessable("Parquet writer: rows added after finish()");
  if (row.size() > schema_.fields.size()) {
    return unprocessable("row " + std::to_string(row_number()) + ": " + std::to_string(row.size()) +
                         " cells for " + std::to_string(schema_.fields.size()) + " columns");
  }
  static const nlohmann::json kNull;
  for (size_t f = 0; f < schema_.fields.size(); ++f) {
    Status s = shred(schema_.fields[f], f < row.size() ? row[f] : kNull, 0);
    if (!s) {
      for (auto& c : columns_) c.rollback_row();
      return s;
    }
  }
  return end_row();
}

ParquetWriter::~ParquetWriter() {
  if (task_) task_->wait();
}

Status ParquetWriter::add_scalar_row(const std::vector<ScalarCell>& row) {
  if (!options_.background) return write_scalar_row(row);
  // failed_ is the batch's thread's while one is written: settle() reads it after.
  if (!task_ && !failed_.is_ok()) return failed_;
  if (finished_) return unprocessable("Parquet writer: rows added after finish()");
  Batch& b = filling_;
  size_t text_before = b.text.size();
  for (const ScalarCell& cell : row) {
    b.text_at.push_back(b.text.size());
    b.text.append(cell.text);
    b.cells.push_back(cell);
  }
  // The cells count too: a short row of a wide table is a full row here.
  b.bytes += b.text.size() - text_before + row.size() * (sizeof(ScalarCell) + sizeof(size_t));
  b.widths.push_back(row.size());
  return batched();
}

Status ParquetWriter::batched() {
  if (filling_.widths.size() >= options_.background_batch_rows || filling_.bytes >= kBatchBytes) {
    return dispatch();
  }
  return Status::ok();
}

void ParquetWriter::Batch::clear() {
  widths.clear();
  cells.clear();
  text_at.clear();
  text.clear();
  rows.clear();
  bytes = 0;
}

Status ParquetWriter::settle() {
  if (!task_) return Status::ok();
  task_->wait();
  task_.reset();
  if (!in_flight_status_) return fail(in_flight_status_);
  return Status::ok();
}

Status ParquetWriter::dispatch() {
  if (auto s = settle(); !s) return s;
  if (filling_.widths.empty()) return Status::ok();
  std::swap(filling_, in_flight_);
  filling_.clear();  // the batch written before: freed here, where its rows were made
  task_ = util::SpareThreads::shared().try_start([this] {
    try {
      in_flight_status_ = write_batch(in_flight_);
    } catch (const std::exception& e) {
      in_flight_status_ = internal_error(std::string("Parquet writer: ") + e.what());
    }
  });
  if (!task_) {
    if (auto s = write_batch(in_flight_); !s) return fail(s);
  }
  return Status::ok();
}

Status ParquetWriter::write_batch(Batch& batch) {
  std::vector<ScalarCell> row;
  size_t at = 0;
  size_t json = 0;
  for (size_t width : batch.widths) {
    if (width == Batch::kJsonRow) {
      if (auto s = write_json_row(batch.rows[json++]); !s) return s;
      continue;
    }
    row.assign(batch.cells.begin() + static_cast<ptrdiff_t>(at),
               batch.cells.begin() + static_cast<ptrdiff_t>(at + width));
    for (size_t c = 0; c < width; ++c) {
      row[c].text = std::string_view(batch.text.data() + batch.text_at[at + c], row[c].text.size());
    }
    at += width;
    if (auto s = write_scalar_row(row); !s) return s;
  }
  buffered_ = open_group_bytes();
  return Status::ok();
}

Status ParquetWriter::write_scalar_row(const std::vector<ScalarCell>& row) {
  if (!failed_.is_ok()) return failed_;
  if (finished_) return unprocessable("Parquet writer: rows added after finish()");
  if (row.size() > schema_.fields.size()) {
    return unprocessable("row " + std::to_string(row_number()) + ": " + std::to_string(row.size()) +
                         " cells for " + std::to_string(schema_.fields.size()) + " columns");
  }
  static const ScalarCell kNull;
  for (size_t f = 0; f < schema_.fields.size(); ++f) {
    const WriteNode& node = schema_.fields[f];
    if (node.shape != WriteNode::Shape::kLeaf || node.media) {
      for (auto& c : columns_) c.rollback_row();
      return unprocessable("Parquet writer: column '" + node.feature_path +
                           "' is not a value: its cells must be JSON");
    }
    const ScalarCell& cell = f < row.size() ? row[f] : kNull;
    auto& column = columns_[node.first_column];
    if (cell.kind == ScalarCell::Kind::kNull) {
      column.add_null(0, static_cast<int16_t>(node.definition_level - 1));
    } else if (Status s = column.add_value(0, cell); !s) {
      for (auto& c : columns_) c.rollback_row();
      return cell_error(node.feature_path, row_number(), s.message());
    }
  }
  return end_row();
}

Status ParquetWriter::end_row() {
  for (auto& c : columns_) {
    if (auto s = c.end_row(); !s) return fail(s);
  }
  ++num_rows_;
  ++group_rows_;
  if (group_rows_ >= options_.row_group_rows ||
      open_group_bytes() >= options_.row_group_max_bytes) {
    return flush_row_group();
  }
  return Status::ok();
}

Status ParquetWriter::flush_row_group() {
  if (group_rows_ == 0) return Status::ok();
  RowGroup group;
  group.num_rows = static_cast<int64_t>(group_rows_);
  group.file_offset = static_cast<int64_t>(bytes_written_);
  if (row_groups_.size() <= static_cast<size_t>(INT16_MAX)) {
    group.ordinal = static_cast<int16_t>(row_groups_.size());  // an i16: later groups have none
  }
  int64_t compressed = 0;
  for (auto& column : columns_) {
    auto chunk = column.finish_chunk();
    if (!chunk) return fail(chunk.status());
    auto offset = static_cast<int64_t>(bytes_written_);
    ColumnMetaData& meta = chunk->meta;
    meta.data_page_offset += offset;
    if (meta.dictionary_page_offset) *meta.dictionary_page_offset += offset;
    group.total_byte_size += meta.total_uncompressed_size;
    compressed += meta.total_compressed_size;
    ColumnChunk c;
    c.file_offset = offset;
    c.meta_data = std::move(meta);
    group.columns.push_back(std::move(c));
    if (auto s = write(chunk->bytes); !s) return s;
  }
  group.total_compressed_size = compressed;
  row_groups_.push_back(std::move(group));
  group_rows_ = 0;
  return Status::ok();
}

std::string ParquetWriter::footer() const {
  ThriftWriter w;
  w.begin_struct();
  w.i32_field(1, 2);
  write_schema_elements(schema_, w);
  w.i64_field(3, static_cast<int64_t>(num_rows_));
  w.list_field(4, ThriftType::kStruct, row_groups_.size());
  for (const auto& group : row_groups_) write_row_group(group, w);
  w.list_field(5, ThriftType::kStruct, 1);
  w.begin_struct();
  w.binary_field(1, "huggingface");
  w.binary_field(2, huggingface_metadata(schema_.features));
  w.end_struct();
  w.binary_field(6, options_.created_by);
  // Every column's statistics follow its type's order (ColumnOrder TYPE_ORDER).
  w.list_field(7, ThriftType::kStruct, columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    w.begin_struct();
    w.struct_field(1);
    w.end_struct();
    w.end_struct();
  }
  w.end_struct();
  return w.take();
}

Status ParquetWriter::finish() {
  // The batch in flight first: failed_ is its thread's until then.
  if (auto s = settle(); !s) return s;
  if (!failed_.is_ok()) return failed_;
  if (finished_) return unprocessable("Parquet writer: finish() called twice");
  if (auto s = dispatch(); !s) return s;
  if (auto s = settle(); !s) return s;
  if (auto s = flush_row_group(); !s) return s;
  std::string tail = footer();
  auto length = static_cast<uint32_t>(tail.size());
  for (int i = 0; i < 4; ++i) tail.push_back(static_cast<char>(length >> (8 * i)));
  tail += "PAR1";
  if (auto s = write(tail); !s) return s;
  finished_ = true;
  return Status::ok();
}

}  // namespace vitrine::datasets
