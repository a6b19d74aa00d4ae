// The footer parser (parquet_metadata.hpp). Field numbers are those of parquet.thrift.
#include "formats/datasets/parquet_metadata.hpp"

#include <algorithm>
#include <limits>

namespace vitrine::datasets {

namespace {

using Kind = LogicalType::Kind;

// A list's count is only a claim: room is made for at most this many elements up front, and
// the rest grows as elements are actually read (each one taking bytes of the footer).
constexpr size_t kReserveAtMost = 1024;

// Fails `in` when a list of `what` has more than `max` elements.
bool within(ThriftReader& in, const ThriftList& list, size_t max, std::string_view what) {
  if (list.size <= max) return true;
  in.fail(std::string(what) + " of " + std::to_string(list.size) + " elements (at most " +
          std::to_string(max) + ")");
  return false;
}

TimeUnit read_time_unit(ThriftReader& in) {
  TimeUnit unit = TimeUnit::kMillis;
  int members = 0;
  read_struct(in, [&](const ThriftField& f) {
    ++members;
    if (f.id == 1)
      unit = TimeUnit::kMillis;
    else if (f.id == 2)
      unit = TimeUnit::kMicros;
    else if (f.id == 3)
      unit = TimeUnit::kNanos;
    else
      in.fail("unknown TimeUnit");
    if (in.expect(f, ThriftType::kStruct, "TimeUnit")) in.skip(f.type);
  });
  if (in.ok() && members != 1) in.fail("TimeUnit must have one member");
  return unit;
}

// TimeType and TimestampType share their fields: isAdjustedToUTC, unit.
void read_time_like(ThriftReader& in, LogicalType& t, std::string_view what) {
  uint64_t seen = 0;
  read_struct(
      in,
      [&](const ThriftField& f) {
        if (f.id == 1)
          t.adjusted_to_utc = in.bool_field(f, what);
        else if (f.id == 2 && in.expect(f, ThriftType::kStruct, what))
          t.unit = read_time_unit(in);
        else
          in.skip_field(f);
      },
      &seen);
  require_fields(in, seen, {1, 2}, what);
}

LogicalType read_logical_type(ThriftReader& in) {
  LogicalType t;
  int members = 0;
  read_struct(in, [&](const ThriftField& f) {
    ++members;
    if (!in.expect(f, ThriftType::kStruct, "LogicalType member")) return;
    switch (f.id) {
      case 5: {
        t.kind = Kind::kDecimal;
        uint64_t seen = 0;
        read_struct(
            in,
            [&](const ThriftField& g) {
              if (g.id == 1)
                t.scale = in.i32_field(g, "DecimalType.scale");
              else if (g.id == 2)
                t.precision = in.i32_field(g, "DecimalType.precision");
              else
                in.skip_field(g);
            },
            &seen);
        require_fields(in, seen, {1, 2}, "DecimalType");
        return;
      }
      case 7:
        t.kind = Kind::kTime;
        read_time_like(in, t, "TimeType");
        return;
      case 8:
        t.kind = Kind::kTimestamp;
        read_time_like(in, t, "TimestampType");
        return;
      case 10: {
        t.kind = Kind::kInteger;
        uint64_t seen = 0;
        read_struct(
            in,
            [&](const ThriftField& g) {
              if (g.id == 1 && in.expect(g, ThriftType::kByte, "IntType.bitWidth")) {
                t.bit_width = in.read_byte();
              } else if (g.id == 2) {
                t.is_signed = in.bool_field(g, "IntType.isSigned");
              } else {
                in.skip_field(g);
              }
            },
            &seen);
        require_fields(in, seen, {1, 2}, "IntType");
        if (in.ok() && t.bit_width != 8 && t.bit_width != 16 && t.bit_width != 32 &&
            t.bit_width != 64) {
          in.fail("IntType.bitWidth must be 8, 16, 32 or 64");
        }
        return;
      }
      default:
        break;
    }
    static constexpr Kind kByField[] = {
        Kind::kOther,   Kind::kString,  Kind::kMap,      Kind::kList,      Kind::kEnum,
        Kind::kDecimal, Kind::kDate,    Kind::kTime,     Kind::kTimestamp, Kind::kOther,
        Kind::kInteger, Kind::kUnknown, Kind::kJson,     Kind::kBson,      Kind::kUuid,
        Kind::kFloat16, Kind::kVariant, Kind::kGeometry, Kind::kGeography};
    t.kind =
        f.id >= 0 && f.id < static_cast<int>(std::size(kByField)) ? kByField[f.id] : Kind::kOther;
    in.skip(f.type);
  });
  if (in.ok() && members != 1) in.fail("LogicalType must have one member");
  return t;
}

SchemaElement read_schema_element(ThriftReader& in) {
  SchemaElement e;
  uint64_t seen = 0;
  read_struct(
      in,
      [&](const ThriftField& f) {
        switch (f.id) {
          case 1:
            e.type = PhysicalType(enum_field(in, f, "SchemaElement.type", 7));
            break;
          case 2:
            e.type_length = in.i32_field(f, "SchemaElement.type_length");
            break;
          case 3:
            e.repetition = Repetition(enum_field(in, f, "SchemaElement.repetition_type", 2));
            break;
          case 4:
            e.name = string_field(in, f, "SchemaElement.name");
            break;
          case 5:
            e.num_children = non_negative_i32(in, f, "SchemaElement.num_children");
            break;
          case 6:
            e.converted_type = ConvertedType(enum_field(in, f, "SchemaElement.converted_type", 21));
            break;
          case 7:
            e.scale = in.i32_field(f, "SchemaElement.scale");
            break;
          case 8:
            e.precision = in.i32_field(f, "SchemaElement.precision");
            break;
          case 9:
            e.field_id = in.i32_field(f, "SchemaElement.field_id");
            break;
          case 10:
            if (in.expect(f, ThriftType::kStruct, "SchemaElement.logicalType")) {
              e.logical_type = read_logical_type(in);
            }
            break;
          default:
            in.skip_field(f);
        }
      },
      &seen);
  require_fields(in, seen, {4}, "SchemaElement");
  return e;
}

std::vector<std::string> read_string_list(ThriftReader& in, const ThriftField& f,
                                          std::string_view what) {
  std::vector<std::string> out;
  ThriftList list = in.list_field(f, ThriftType::kBinary, what);
  if (!within(in, list, kMaxParquetPathLength, what)) return out;
  out.reserve(std::min<size_t>(list.size, kReserveAtMost));
  for (uint32_t i = 0; i < list.size && in.ok(); ++i) out.emplace_back(in.read_binary());
  return out;
}

ColumnMetaData read_column_meta_data(ThriftReader& in) {
  ColumnMetaData m;
  uint64_t seen = 0;
  read_struct(
      in,
      [&](const ThriftField& f) {
        switch (f.id) {
          case 1:
            m.type = PhysicalType(enum_field(in, f, "ColumnMetaData.type", 7));
            break;
          case 2: {
            ThriftList list = in.list_field(f, ThriftType::kI32, "ColumnMetaData.encodings");
            if (!within(in, list, kMaxParquetEncodings, "encodings")) return;
            m.encodings.reserve(list.size);
            for (uint32_t i = 0; i < list.size && in.ok(); ++i) {
              m.encodings.push_back(Encoding(in.read_i32()));
            }
            break;
          }
          case 3:
            m.path_in_schema = read_string_list(in, f, "ColumnMetaData.path_in_schema");
            break;
          case 4:
            m.codec = CompressionCodec(in.i32_field(f, "ColumnMetaData.codec"));
            break;
          case 5:
            m.num_values = non_negative_i64(in, f, "ColumnMetaData.num_values");
            break;
          case 6:
            m.total_uncompressed_size =
                non_negative_i64(in, f, "ColumnMetaData.total_uncompressed_size");
            break;
          case 7:
            m.total_compressed_size =
                non_negative_i64(in, f, "ColumnMetaData.total_compressed_size");
            break;
          case 9:
            m.data_page_offset = non_negative_i64(in, f, "ColumnMetaData.data_page_offset");
            break;
          case 10:
            m.index_page_offset = non_negative_i64(in, f, "ColumnMetaData.index_page_offset");
            break;
          case 11:
            m.dictionary_page_offset =
                non_negative_i64(in, f, "ColumnMetaData.dictionary_page_offset");
            break;
          case 12:
            if (in.expect(f, ThriftType::kStruct, "ColumnMetaData.statistics")) {
              m.statistics = read_parquet_statistics(in);
            }
            break;
          default:
            in.skip_field(f);
        }
      },
      &seen);
  require_fields(in, seen, {1, 2, 3, 4, 5, 6, 7, 9}, "ColumnMetaData");
  return m;
}

ColumnChunk read_column_chunk(ThriftReader& in) {
  ColumnChunk c;
  read_struct(in, [&](const ThriftField& f) {
    switch (f.id) {
      case 1:
        c.file_path = string_field(in, f, "ColumnChunk.file_path");
        break;
      case 2:
        c.file_offset = in.i64_field(f, "ColumnChunk.file_offset");
        break;
      case 3:
        if (in.expect(f, ThriftType::kStruct, "ColumnChunk.meta_data")) {
          c.meta_data = read_column_meta_data(in);
        }
        break;
      case 4:
        c.offset_index_offset = non_negative_i64(in, f, "offset_index_offset");
        break;
      case 5:
        c.offset_index_length = non_negative_i32(in, f, "offset_index_length");
        break;
      case 6:
        c.column_index_offset = non_negative_i64(in, f, "column_index_offset");
        break;
      case 7:
        c.column_index_length = non_negative_i32(in, f, "column_index_length");
        break;
      default:
        in.skip_field(f);
    }
  });
  return c;
}

RowGroup read_row_group(ThriftReader& in, size_t* chunks_left) {
  RowGroup g;
  uint64_t seen = 0;
  read_struct(
      in,
      [&](const ThriftField& f) {
        switch (f.id) {
          case 1: {
            ThriftList list = in.list_field(f, ThriftType::kStruct, "RowGroup.columns");
            if (list.size > *chunks_left) {
              in.fail("more than " + std::to_string(kMaxParquetColumnChunks) + " column chunks");
              return;
            }
            *chunks_left -= list.size;
            g.columns.reserve(std::min<size_t>(list.size, kReserveAtMost));
            for (uint32_t i = 0; i < list.size && in.ok(); ++i) {
              g.columns.push_back(read_column_chunk(in));
            }
            break;
          }
          case 2:
            g.total_byte_size = in.i64_field(f, "RowGroup.total_byte_size");
            break;
          case 3:
            g.num_rows = non_negative_i64(in, f, "RowGroup.num_rows");
            break;
          case 5:
            g.file_offset = in.i64_field(f, "RowGroup.file_offset");
            break;
          case 6:
            g.total_compressed_size = in.i64_field(f, "RowGroup.total_compressed_size");
            break;
          case 7:
            if (in.expect(f, ThriftType::kI16, "RowGroup.ordinal")) g.ordinal = in.read_i16();
            break;
          default:
            in.skip_field(f);
        }
      },
      &seen);
  require_fields(in, seen, {1, 2, 3}, "RowGroup");
  return g;
}

ParquetFooter read_file_meta_data(ThriftReader& in) {
  ParquetFooter footer;
  uint64_t seen = 0;
  size_t chunks_left = kMaxParquetColumnChunks;
  read_struct(
      in,
      [&](const ThriftField& f) {
        switch (f.id) {
          case 1:
            footer.version = in.i32_field(f, "FileMetaData.version");
            break;
          case 2: {
            ThriftList list = in.list_field(f, ThriftType::kStruct, "FileMetaData.schema");
            if (list.size > kMaxParquetColumns + 1) {
              in.fail("schema of " + std::to_string(list.size) + " elements (at most " +
                      std::to_string(kMaxParquetColumns) + " columns)");
              return;
            }
            footer.schema.reserve(std::min<size_t>(list.size, kReserveAtMost));
            for (uint32_t i = 0; i < list.size && in.ok(); ++i) {
              footer.schema.push_back(read_schema_element(in));
            }
            break;
          }
          case 3:
            footer.num_rows = non_negative_i64(in, f, "FileMetaData.num_rows");
            break;
          case 4: {
            ThriftList list = in.list_field(f, ThriftType::kStruct, "FileMetaData.row_groups");
            if (!within(in, list, kMaxParquetRowGroups, "row groups")) return;
            footer.row_groups.reserve(std::min<size_t>(list.size, kReserveAtMost));
            for (uint32_t i = 0; i < list.size && in.ok(); ++i) {
              footer.row_groups.push_back(read_row_group(in, &chunks_left));
            }
            break;
          }
          case 5: {
            ThriftList list =
                in.list_field(f, ThriftType::kStruct, "FileMetaData.key_value_metadata");
            if (!within(in, list, kMaxParquetKeyValues, "key-value metadata")) return;
            footer.key_value_metadata.reserve(std::min<size_t>(list.size, kReserveAtMost));
            for (uint32_t i = 0; i < list.size && in.ok(); ++i) {
              KeyValue kv;
              uint64_t kv_seen = 0;
              read_struct(
                  in,
                  [&](const ThriftField& g) {
                    if (g.id == 1)
                      kv.key = string_field(in, g, "KeyValue.key");
                    else if (g.id == 2)
                      kv.value = string_field(in, g, "KeyValue.value");
                    else
                      in.skip_field(g);
                  },
                  &kv_seen);
              require_fields(in, kv_seen, {1}, "KeyValue");
              footer.key_value_metadata.push_back(std::move(kv));
            }
            break;
          }
          case 6:
            footer.created_by = string_field(in, f, "FileMetaData.created_by");
            break;
          case 8:
            in.fail("encrypted Parquet files are not supported");
            break;
          default:
            in.skip_field(f);
        }
      },
      &seen);
  require_fields(in, seen, {1, 2, 3, 4}, "FileMetaData");
  return footer;
}

// Checks that [offset, offset + length) lies in [4, end): inside the file, after the leading
// magic and before the footer.
bool inside(int64_t offset, int64_t length, uint64_t end) {
  return offset >= 4 && length >= 0 && static_cast<uint64_t>(offset) <= end &&
         static_cast<uint64_t>(length) <= end - static_cast<uint64_t>(offset);
}

Status check_footer(const ParquetFooter& footer) {
  if (footer.schema.empty()) return unprocessable("Parquet metadata: empty schema");
  uint64_t end = footer.metadata_offset;
  int64_t rows = 0;
  for (size_t g = 0; g < footer.row_groups.size(); ++g) {
    const RowGroup& group = footer.row_groups[g];
    std::string where = "row group " + std::to_string(g);
    if (group.num_rows > std::numeric_limits<int64_t>::max() - rows) {
      return unprocessable("Parquet metadata: " + where + ": row counts overflow");
    }
    rows += group.num_rows;
    for (size_t c = 0; c < group.columns.size(); ++c) {
      const ColumnChunk& chunk = group.columns[c];
      std::string at = where + ", column " + std::to_string(c);
      if (chunk.file_path) {
        return unprocessable("Parquet metadata: " + at + " is in another file");
      }
      if (!chunk.meta_data) return unprocessable("Parquet metadata: " + at + " has no meta_data");
      const ColumnMetaData& m = *chunk.meta_data;
      if (!inside(m.first_page_offset(), m.total_compressed_size, end) ||
          !inside(m.data_page_offset, 0, end)) {
        return unprocessable("Parquet metadata: " + at + ": pages outside the file (offset " +
                             std::to_string(m.first_page_offset()) + ", " +
                             std::to_string(m.total_compressed_size) + " bytes)");
      }
      if (chunk.offset_index_offset &&
          !inside(*chunk.offset_index_offset, chunk.offset_index_length.value_or(0), end)) {
        return unprocessable("Parquet metadata: " + at + ": offset index outside the file");
      }
      if (chunk.column_index_offset &&
          !inside(*chunk.column_index_offset, chunk.column_index_length.value_or(0), end)) {
        return unprocessable("Parquet metadata: " + at + ": column index outside the file");
      }
    }
  }
  if (!footer.row_groups.empty() && rows != footer.num_rows) {
    return unprocessable("Parquet metadata: num_rows " + std::to_string(footer.num_rows) +
                         " but the row groups hold " + std::to_string(rows));
  }
  return Status::ok();
}

constexpr std::string_view kMagic = "PAR1";
constexpr std::string_view kEncryptedMagic = "PARE";

}  // namespace

Statistics read_parquet_statistics(ThriftReader& in) {
  Statistics s;
  read_struct(in, [&](const ThriftField& f) {
    switch (f.id) {
      case 1:
        s.max = string_field(in, f, "Statistics.max");
        break;
      case 2:
        s.min = string_field(in, f, "Statistics.min");
        break;
      case 3:
        s.null_count = in.i64_field(f, "Statistics.null_count");
        break;
      case 4:
        s.distinct_count = in.i64_field(f, "Statistics.distinct_count");
        break;
      case 5:
        s.max_value = string_field(in, f, "Statistics.max_value");
        break;
      case 6:
        s.min_value = string_field(in, f, "Statistics.min_value");
        break;
      default:
        in.skip_field(f);
    }
  });
  return s;
}

int64_t ColumnMetaData::first_page_offset() const {
  if (dictionary_page_offset && *dictionary_page_offset > 0 &&
      *dictionary_page_offset < data_page_offset) {
    return *dictionary_page_offset;
  }
  return data_page_offset;
}

const std::string* ParquetFooter::metadata_value(std::string_view key) const {
  for (const auto& kv : key_value_metadata) {
    if (kv.key == key && kv.value) return &*kv.value;
  }
  return nullptr;
}

Result<uint64_t> parquet_tail_size(std::string_view last_bytes, uint64_t file_size) {
  if (file_size < 12) {
    return unprocessable("not a Parquet file: " + std::to_string(file_size) + " bytes");
  }
  if (last_bytes.size() < 8) return Status(ErrorKind::kRangeNotSatisfiable, "need 8 bytes");
  std::string_view end = last_bytes.substr(last_bytes.size() - 8);
  if (end.substr(4) == kEncryptedMagic) {
    return unprocessable("encrypted Parquet files are not supported");
  }
  if (end.substr(4) != kMagic) return unprocessable("not a Parquet file: no PAR1 at the end");
  uint64_t length = 0;
  for (int i = 3; i >= 0; --i) length = (length << 8) | static_cast<uint8_t>(end[i]);
  if (length > kMaxParquetFooterBytes) {
    return unprocessable("Parquet footer of " + std::to_string(length) + " bytes (at most " +
                         std::to_string(kMaxParquetFooterBytes) + ")");
  }
  if (length + 12 > file_size) {
    return unprocessable("Parquet footer of " + std::to_string(length) + " bytes in a file of " +
                         std::to_string(file_size));
  }
  return length + 8;
}

Result<ParquetFooter> parse_parquet_footer(std::string_view tail, uint64_t file_size) {
  if (tail.size() > file_size) return unprocessable("more tail bytes than the file has");
  auto need = parquet_tail_size(tail, file_size);
  if (!need) return need.status();
  if (tail.size() < *need) {
    return Status(ErrorKind::kRangeNotSatisfiable, "need " + std::to_string(*need) + " bytes");
  }
  if (tail.size() == file_size && tail.substr(0, 4) != kMagic) {
    return unprocessable("not a Parquet file: no PAR1 at the start");
  }
  uint64_t length = *need - 8;
  ThriftReader in(tail.substr(tail.size() - *need, length));
  ParquetFooter footer = read_file_meta_data(in);
  if (!in.ok()) return in.status();
  footer.metadata_length = length;
  footer.metadata_offset = file_size - *need;
  if (auto status = check_footer(footer); !status) return status;
  return footer;
}

}  // namespace vitrine::datasets
