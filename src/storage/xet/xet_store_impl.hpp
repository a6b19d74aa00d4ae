// Internals of XetStore shared by its implementation files (xet_store.cpp: opening, the CAS
// side, reads; xet_ingest.cpp: server-side chunking of LFS uploads; xet_maintenance.cpp: gc,
// fsck, migration). Not for use outside src/storage.
#pragma once

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "storage/metadata/sqlite_statement.hpp"
#include "storage/storage_private.hpp"
#include "storage/xet/xet_store.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::storage {
namespace xet_index {

namespace fs = std::filesystem;

inline Status io_error(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

inline Status write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write xorb");
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::ok();
}

inline void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

inline Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open " + path);
  struct stat st {};
  ::fstat(fd, &st);
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(done);
  return out;
}

// ---- index encodings ----
constexpr size_t kChunkRecord = 48;  // hash 32 | offset u32 | csize u32 | usize u32 | type u8 | pad
constexpr size_t kTermRecord = 44;   // xorb 32 | start u32 | end u32 | unpacked u32

inline void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline xet::Hash get_hash(const char* p) {
  xet::Hash h;
  std::memcpy(h.bytes.data(), p, 32);
  return h;
}
inline std::string_view hash_view(const xet::Hash& h) {
  return {reinterpret_cast<const char*>(h.bytes.data()), 32};
}

inline std::string encode_chunks(const std::vector<xet::XorbChunk>& chunks) {
  std::string out;
  out.reserve(chunks.size() * kChunkRecord);
  for (const auto& c : chunks) {
    out.append(hash_view(c.hash));
    put_u32(out, c.offset);
    put_u32(out, c.compressed_size);
    put_u32(out, c.uncompressed_size);
    out.push_back(static_cast<char>(c.compression));
    out.append(3, '\0');
  }
  return out;
}

inline std::vector<xet::XorbChunk> decode_chunks(std::string_view blob) {
  std::vector<xet::XorbChunk> chunks(blob.size() / kChunkRecord);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const char* p = blob.data() + i * kChunkRecord;
    chunks[i].hash = get_hash(p);
    chunks[i].offset = get_u32(p + 32);
    chunks[i].compressed_size = get_u32(p + 36);
    chunks[i].uncompressed_size = get_u32(p + 40);
    chunks[i].compression = static_cast<xet::Compression>(static_cast<uint8_t>(p[44]));
  }
  return chunks;
}

inline std::string encode_terms(const std::vector<xet::FileRecord::Term>& terms) {
  std::string out;
  for (const auto& t : terms) {
    out.append(hash_view(t.xorb));
    put_u32(out, t.start);
    put_u32(out, t.end);
    put_u32(out, static_cast<uint32_t>(t.unpacked));
  }
  return out;
}

inline std::vector<xet::FileRecord::Term> decode_terms(std::string_view blob) {
  std::vector<xet::FileRecord::Term> terms(blob.size() / kTermRecord);
  for (size_t i = 0; i < terms.size(); ++i) {
    const char* p = blob.data() + i * kTermRecord;
    terms[i] =
        xet::FileRecord::Term{get_hash(p), get_u32(p + 32), get_u32(p + 36), get_u32(p + 40)};
  }
  return terms;
}

inline std::string to_hex(const xet::Hash& h) {
  return util::to_hex(hash_view(h));
}

}  // namespace xet_index

using namespace xet_index;  // NOLINT: internal header of one subsystem

struct XetStore::Impl {
  std::string root;
  std::unique_ptr<BlobStore> legacy;
  std::string legacy_root;
  sqlite3* db = nullptr;
  std::mutex mutex;  // the connection, the cache
  std::map<xet::Hash, std::shared_ptr<const XorbInfo>> cache;

  ~Impl() {
    if (db) sqlite3_close(db);
  }

  std::string xorb_path(const xet::Hash& h) const {
    std::string s = xet::to_string(h);
    return root + "/xorbs/" + s.substr(0, 2) + "/" + s;
  }

  // Caller holds the mutex.
  std::shared_ptr<const XorbInfo> load_xorb_locked(const xet::Hash& h) {
    if (auto it = cache.find(h); it != cache.end()) return it->second;
    Statement s(db, "SELECT size, unpacked, chunks FROM xorbs WHERE hash = ?");
    s.bind_blob(1, h.bytes.data(), 32);
    if (s.step() != SQLITE_ROW) return nullptr;
    auto info = std::make_shared<XorbInfo>();
    info->hash = h;
    info->size = static_cast<uint64_t>(s.integer(0));
    info->unpacked = static_cast<uint64_t>(s.integer(1));
    info->chunks = decode_chunks(s.blob(2));
    if (cache.size() >= 4096) cache.clear();
    cache[h] = info;
    return info;
  }

  std::shared_ptr<const XorbInfo> load_xorb(const xet::Hash& h) {
    std::lock_guard lock(mutex);
    return load_xorb_locked(h);
  }

  std::optional<xet::FileRecord> file_where(const char* sql,
                                            const std::function<void(Statement&)>& bind) {
    std::lock_guard lock(mutex);
    Statement s(db, sql);
    bind(s);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    xet::FileRecord f;
    f.hash = get_hash(s.blob(0).data());
    f.sha256 = s.text(1);
    f.size = static_cast<uint64_t>(s.integer(2));
    f.terms = decode_terms(s.blob(3));
    return f;
  }

  // Inserts a xorb's rows. Caller holds the mutex, inside a transaction.
  Status insert_xorb_locked(const XorbInfo& info, int64_t now) {
    Statement s(db,
                "INSERT OR IGNORE INTO xorbs(hash, size, unpacked, chunks, touched_at) "
                "VALUES (?, ?, ?, ?, ?)");
    std::string chunks = encode_chunks(info.chunks);
    s.bind_blob(1, info.hash.bytes.data(), 32)
        .bind(2, static_cast<int64_t>(info.size))
        .bind(3, static_cast<int64_t>(info.unpacked))
        .bind_blob(4, chunks.data(), chunks.size())
        .bind(5, now);
    if (auto st = step_done(s); !st) return st;
    Statement c(db, "INSERT OR IGNORE INTO chunks(hash, xorb, idx) VALUES (?, ?, ?)");
    for (size_t i = 0; i < info.chunks.size(); ++i) {
      c.reset();
      c.bind_blob(1, info.chunks[i].hash.bytes.data(), 32)
          .bind_blob(2, info.hash.bytes.data(), 32)
          .bind(3, static_cast<int64_t>(i));
      if (auto st = step_done(c); !st) return st;
    }
    return Status::ok();
  }

  // Unregisters a file, or a xorb with its chunks. Caller holds the mutex, in a transaction.
  Status delete_file_locked(const xet::Hash& h) {
    for (const char* sql :
         {"DELETE FROM files WHERE hash = ?", "DELETE FROM file_xorbs WHERE file = ?"}) {
      Statement d(db, sql);
      d.bind_blob(1, h.bytes.data(), 32);
      if (auto st = step_done(d); !st) return st;
    }
    return Status::ok();
  }
  Status delete_xorb_locked(const xet::Hash& h) {
    for (const char* sql :
         {"DELETE FROM xorbs WHERE hash = ?", "DELETE FROM chunks WHERE xorb = ?"}) {
      Statement d(db, sql);
      d.bind_blob(1, h.bytes.data(), 32);
      if (auto st = step_done(d); !st) return st;
    }
    cache.erase(h);
    return Status::ok();
  }

  bool xorb_row_exists_locked(const xet::Hash& h) {
    Statement s(db, "SELECT 1 FROM xorbs WHERE hash = ?");
    s.bind_blob(1, h.bytes.data(), 32);
    return s.step() == SQLITE_ROW;
  }

  // Registers a file. Caller holds the mutex, inside a transaction; every xorb it names must
  // exist (checked here, so a concurrent gc cannot leave it dangling).
  Status insert_file_locked(const xet::FileRecord& f, int64_t now) {
    for (const auto& t : f.terms) {
      if (!xorb_row_exists_locked(t.xorb)) {
        return unprocessable("xorb " + xet::to_string(t.xorb) +
                             " was removed while the file was registered; retry the upload");
      }
    }
    Statement s(db,
                "INSERT INTO files(hash, sha256, size, terms, touched_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(hash) DO UPDATE SET touched_at = excluded.touched_at, "
                "sha256 = excluded.sha256");
    std::string terms = encode_terms(f.terms);
    s.bind_blob(1, f.hash.bytes.data(), 32)
        .bind(2, f.sha256)
        .bind(3, static_cast<int64_t>(f.size))
        .bind_blob(4, terms.data(), terms.size())
        .bind(5, now);
    if (auto st = step_done(s); !st) return st;
    Statement x(db, "INSERT OR IGNORE INTO file_xorbs(xorb, file) VALUES (?, ?)");
    for (const auto& t : f.terms) {
      x.reset();
      x.bind_blob(1, t.xorb.bytes.data(), 32).bind_blob(2, f.hash.bytes.data(), 32);
      if (auto st = step_done(x); !st) return st;
    }
    return Status::ok();
  }

  // Writes bytes to a new file under <root>/tmp and starts its writeback, so that the fsync at
  // publish time mostly waits for I/O already under way. Returns the file's path.
  Result<std::string> write_temp_xorb(std::string_view bytes) {
    std::string temp = root + "/tmp/xorb-XXXXXX";
    int fd = ::mkstemp(temp.data());
    if (fd < 0) return io_error("cannot create temporary xorb");
    Status st = write_all(fd, bytes.data(), bytes.size());
    if (st) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // a hint: fsync still decides
    ::close(fd);
    if (!st) {
      ::unlink(temp.c_str());
      return st;
    }
    return temp;
  }

  // Makes a complete temp file (from write_temp_xorb) durable under the xorb's final name: fsync,
  // rename, fsync of the directory. The temp file is gone afterwards, published or not.
  Status publish_xorb_file(const xet::Hash& h, const std::string& temp, uint64_t size) {
    std::string final_path = xorb_path(h);
    struct stat existing {};
    if (::stat(final_path.c_str(), &existing) == 0 &&
        static_cast<uint64_t>(existing.st_size) == size) {
      ::unlink(temp.c_str());  // stored meanwhile: same name, same content (content-addressed)
      return Status::ok();
    }
    Status st;
    int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      st = io_error("cannot open temporary xorb");
    } else {
      if (::fsync(fd) != 0) st = io_error("cannot sync xorb");
      ::close(fd);
    }
    if (st) {
      std::error_code ec;
      fs::create_directories(fs::path(final_path).parent_path(), ec);
      if (::rename(temp.c_str(), final_path.c_str()) != 0) st = io_error("cannot publish xorb");
    }
    if (!st) {
      ::unlink(temp.c_str());
      return st;
    }
    fsync_dir(fs::path(final_path).parent_path());
    return Status::ok();
  }

  // Writes a verified xorb durably under its final name.
  Status write_xorb_file(const xet::Hash& h, std::string_view bytes) {
    struct stat existing {};
    if (::stat(xorb_path(h).c_str(), &existing) == 0 &&
        static_cast<uint64_t>(existing.st_size) == bytes.size()) {
      return Status::ok();  // same name, same content (content-addressed and verified)
    }
    auto temp = write_temp_xorb(bytes);
    if (!temp) return temp.status();
    return publish_xorb_file(h, *temp, bytes.size());
  }

  Result<std::shared_ptr<ObjectContent>> open_file(const xet::FileRecord& f) {
    auto content = std::make_shared<ObjectContent>();
    content->size = f.size;
    std::map<xet::Hash, int> fds;
    for (const auto& t : f.terms) {
      auto info = load_xorb(t.xorb);
      if (!info) return internal_error("xorb " + xet::to_string(t.xorb) + " is missing");
      if (t.end > info->chunks.size() || t.start >= t.end) {
        return internal_error("bad term in file " + xet::to_string(f.hash));
      }
      int fd;
      if (auto it = fds.find(t.xorb); it != fds.end()) {
        fd = it->second;
      } else {
        fd = ::open(xorb_path(t.xorb).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return io_error("cannot open xorb " + xet::to_string(t.xorb));
        content->fds.push_back(fd);
        fds[t.xorb] = fd;
      }
      for (uint32_t i = t.start; i < t.end; ++i) {
        const auto& c = info->chunks[i];
        content->pieces.push_back(
            ObjectPiece{fd, c.offset + xet::kChunkHeaderSize, c.compressed_size,
                        static_cast<uint8_t>(c.compression), c.uncompressed_size});
      }
    }
    return content;
  }
};

// The writer behind XetStore::begin_write (xet_ingest.cpp).
std::unique_ptr<BlobWriter> make_ingest_writer(XetStore::Impl& store, std::string oid,
                                               uint64_t size);

}  // namespace vitrine::storage
