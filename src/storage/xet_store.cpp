// XetStore implementation: xorb files on disk, the chunk/xorb/file index in SQLite.
#include "storage/xet_store.hpp"

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

#include "storage/sqlite_statement.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::storage {
namespace {

namespace fs = std::filesystem;

Status io_error(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

Status write_all(int fd, const char* p, size_t n) {
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

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Result<std::string> read_file(const std::string& path) {
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

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
xet::Hash get_hash(const char* p) {
  xet::Hash h;
  std::memcpy(h.bytes.data(), p, 32);
  return h;
}
std::string_view hash_view(const xet::Hash& h) {
  return {reinterpret_cast<const char*>(h.bytes.data()), 32};
}

std::string encode_chunks(const std::vector<xet::XorbChunk>& chunks) {
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

std::vector<xet::XorbChunk> decode_chunks(std::string_view blob) {
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

std::string encode_terms(const std::vector<XetTerm>& terms) {
  std::string out;
  for (const auto& t : terms) {
    out.append(hash_view(t.xorb));
    put_u32(out, t.start);
    put_u32(out, t.end);
    put_u32(out, static_cast<uint32_t>(t.unpacked));
  }
  return out;
}

std::vector<XetTerm> decode_terms(std::string_view blob) {
  std::vector<XetTerm> terms(blob.size() / kTermRecord);
  for (size_t i = 0; i < terms.size(); ++i) {
    const char* p = blob.data() + i * kTermRecord;
    terms[i] = XetTerm{get_hash(p), get_u32(p + 32), get_u32(p + 36), get_u32(p + 40)};
  }
  return terms;
}

std::string to_hex(const xet::Hash& h) {
  return util::to_hex(hash_view(h));
}

}  // namespace

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

  std::optional<XetFile> file_where(const char* sql, const std::function<void(Statement&)>& bind) {
    std::lock_guard lock(mutex);
    Statement s(db, sql);
    bind(s);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    XetFile f;
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
  Status insert_file_locked(const XetFile& f, int64_t now) {
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

  Result<std::shared_ptr<ObjectContent>> open_file(const XetFile& f) {
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

// ---- LFS ingest: server-side chunking into the same store ----
namespace {

// One received batch of an LFS upload, cut into chunks by the request thread. `chunks` view
// `batch`, except a chunk that began in an earlier batch, which is assembled in `head`.
struct IngestBatch {
  std::string batch;
  std::string head;
  std::vector<std::string_view> chunks;
  std::vector<xet::Hash> hashes;  // of `chunks`, filled by the IngestHasher
};

// The hashing half of an LFS ingest on one long-lived thread: the SHA-256 of the stream and the
// BLAKE3 hash of each chunk of a batch, while the request thread receives the next batch and
// looks up and stores the chunks of the previous one (double buffering: the caller owns two
// batches and hands over one at a time).
class IngestHasher {
 public:
  IngestHasher() : thread_([this] { run(); }) {}
  ~IngestHasher() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  IngestHasher(const IngestHasher&) = delete;
  IngestHasher& operator=(const IngestHasher&) = delete;

  // Queues `job` after the previous one, waiting until that one is hashed: on return the
  // previous job's hashes are ready and its buffers are the caller's again. `job` must stay
  // untouched until the next submit, wait or finish_hex.
  void submit(IngestBatch& job) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return job_ == nullptr; });
    job_ = &job;
    changed_.notify_all();
  }

  // Waits until the last job submitted is hashed.
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return job_ == nullptr; });
  }

  std::string finish_hex() {
    wait();
    return sha_.finish_hex();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return job_ != nullptr || stop_; });
      if (job_ == nullptr) return;  // stopped, nothing queued
      IngestBatch* job = job_;
      lock.unlock();
      sha_.update(job->batch);
      job->hashes.resize(job->chunks.size());
      for (size_t i = 0; i < job->chunks.size(); ++i) {
        job->hashes[i] = xet::chunk_hash(job->chunks[i]);
      }
      lock.lock();
      job_ = nullptr;
      changed_.notify_all();
    }
  }

  util::Sha256 sha_;
  std::mutex mutex_;
  std::condition_variable changed_;
  IngestBatch* job_ = nullptr;  // the batch being hashed; null when idle
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// Cuts an LFS upload into chunks, packs the new ones into xorbs and registers the file. Three
// threads share the work: the request thread receives and cuts batches and files their chunks,
// an IngestHasher hashes them, and each xorb is written to a temp file by a thread of its own as
// soon as it is sealed (writeback started), so memory stays at two batches plus two xorbs
// whatever the file's size; commit fsyncs and publishes them all before any index row names
// them. An uncommitted writer removes its temp files.
class IngestWriter : public BlobWriter {
 public:
  IngestWriter(XetStore::Impl& store, std::string oid, uint64_t size)
      : store_(store),
        oid_(std::move(oid)),
        expected_size_(size),
        chunk_lookup_(store.db, "SELECT xorb, idx FROM chunks WHERE hash = ?") {
    current_.reserve(xet::kMaxXorbBytes);
    for (auto& j : jobs_) j.batch.reserve(kBatch);
  }

  ~IngestWriter() override {
    finish_xorb_write();
    for (const auto& x : sealed_) {
      if (!x.temp_path.empty()) ::unlink(x.temp_path.c_str());
    }
  }

  Status write(std::string_view bytes) override {
    if (written_ + bytes.size() > expected_size_) {
      return unprocessable("Received more than the declared size of " +
                           std::to_string(expected_size_) + " bytes");
    }
    written_ += bytes.size();
    jobs_[filling_].batch.append(bytes);
    if (jobs_[filling_].batch.size() >= kBatch) return process_batch();
    return Status::ok();
  }

  Status commit() override {
    if (auto st = process_batch(); !st) return st;
    hasher_.wait();
    if (in_flight_) {
      in_flight_ = false;
      if (auto st = store_chunks(jobs_[filling_ ^ 1]); !st) return st;
    }
    std::vector<uint64_t> ends;
    chunker_.finish(ends);
    if (!ends.empty()) {
      xet::Hash h = xet::chunk_hash(pending_);
      Location stored;
      if (!local_.contains(h)) {
        std::lock_guard lock(store_.mutex);
        stored = lookup_locked(h);
      }
      if (auto st = add_chunk(pending_, h, stored); !st) return st;
      pending_.clear();
    }
    if (written_ != expected_size_) {
      return unprocessable("Size mismatch: expected " + std::to_string(expected_size_) +
                           " bytes, received " + std::to_string(written_));
    }
    std::string actual = hasher_.finish_hex();
    if (actual != oid_) {
      return unprocessable("Hash mismatch: expected sha256 " + oid_ + ", received " + actual);
    }
    if (auto st = seal_xorb(); !st) return st;
    if (auto st = finish_xorb_write(); !st) return st;
    // Durable before visible: every new xorb is on disk before any index row names it.
    for (auto& x : sealed_) {
      Status st = store_.publish_xorb_file(x.info.hash, x.temp_path, x.info.size);
      x.temp_path.clear();  // published or removed
      if (!st) return st;
    }
    XetFile file;
    file.hash = xet::file_hash(refs_);
    file.sha256 = oid_;
    file.size = written_;
    for (auto& t : terms_) {
      if (t.ref.local >= 0) t.term.xorb = sealed_[static_cast<size_t>(t.ref.local)].info.hash;
      file.terms.push_back(t.term);
    }
    int64_t now = util::now_ms() / 1000;
    std::lock_guard lock(store_.mutex);
    Transaction tx(store_.db);
    if (!tx.status()) return tx.status();
    for (const auto& x : sealed_) {
      if (auto st = store_.insert_xorb_locked(x.info, now); !st) return st;
    }
    if (auto st = store_.insert_file_locked(file, now); !st) return st;
    return tx.commit();
  }

  uint64_t bytes_written() const override { return written_; }

 private:
  static constexpr size_t kBatch = 8u << 20;

  struct Sealed {
    XorbInfo info;
    std::string temp_path;  // until published
  };

  // Cuts the full batch here, hands it to the hashing thread and, meanwhile, looks up and stores
  // the chunks of the previous batch (hashed by now); the next batch is then received into that
  // one's buffer.
  Status process_batch() {
    IngestBatch& job = jobs_[filling_];
    if (job.batch.empty()) return Status::ok();
    cut(job);
    hasher_.submit(job);
    Status st = Status::ok();
    if (in_flight_) st = store_chunks(jobs_[filling_ ^ 1]);
    in_flight_ = true;
    filling_ ^= 1;
    jobs_[filling_].batch.clear();
    return st;
  }

  // Finds the chunk boundaries in `job.batch` (the chunker is streaming: a chunk may span
  // batches; its start waits in pending_).
  void cut(IngestBatch& job) {
    std::string_view data = job.batch;
    ends_.clear();
    chunker_.update(data, ends_);
    job.chunks.clear();
    job.head.clear();
    uint64_t base = consumed_;
    size_t pos = 0;
    for (uint64_t end : ends_) {
      size_t upto = static_cast<size_t>(end - base);
      if (pos == 0 && !pending_.empty()) {
        job.head.swap(pending_);  // pending_ keeps the old head's capacity
        job.head.append(data.substr(0, upto));
        job.chunks.push_back(job.head);
      } else {
        job.chunks.push_back(data.substr(pos, upto - pos));
      }
      pos = upto;
    }
    pending_.append(data.substr(pos));
    consumed_ += data.size();
  }

  struct XorbRef {
    xet::Hash hash;  // when stored
    int local = -1;  // index into sealed_ (or the current xorb) when new
    bool operator==(const XorbRef&) const = default;
  };

  // Looks up the batch's chunks in the store in one read transaction (one lock of the database
  // instead of one per chunk), then files each chunk.
  Status store_chunks(const IngestBatch& job) {
    stored_.assign(job.chunks.size(), std::nullopt);
    {
      std::lock_guard lock(store_.mutex);
      bool in_tx = exec_sql(store_.db, "BEGIN").is_ok();
      for (size_t i = 0; i < job.chunks.size(); ++i) {
        if (!local_.contains(job.hashes[i])) stored_[i] = lookup_locked(job.hashes[i]);
      }
      if (in_tx) exec_sql(store_.db, "COMMIT");  // read only: ends the snapshot
    }
    for (size_t i = 0; i < job.chunks.size(); ++i) {
      if (auto st = add_chunk(job.chunks[i], job.hashes[i], stored_[i]); !st) return st;
    }
    return Status::ok();
  }

  using Location = std::optional<std::pair<XorbRef, uint32_t>>;

  // Where the store holds chunk `h`, if it does. Under store_.mutex.
  Location lookup_locked(const xet::Hash& h) {
    chunk_lookup_.reset();  // also ends the statement's read snapshot from the last lookup
    chunk_lookup_.bind_blob(1, h.bytes.data(), 32);
    Location stored;
    if (chunk_lookup_.step() == SQLITE_ROW) {
      stored.emplace(XorbRef{get_hash(chunk_lookup_.blob(0).data()), -1},
                     static_cast<uint32_t>(chunk_lookup_.integer(1)));
    }
    chunk_lookup_.reset();
    return stored;
  }

  // Files one chunk: a repeat of a chunk new in this upload, a chunk the store has (`stored`,
  // looked up before unless this upload had it then) or a new one, appended to the current xorb.
  Status add_chunk(std::string_view chunk, const xet::Hash& h, const Location& stored) {
    refs_.push_back(xet::ChunkRef{h, chunk.size()});
    // 1. a chunk already in this upload's new xorbs
    if (auto it = local_.find(h); it != local_.end()) {
      add_term(it->second.first, it->second.second, chunk.size());
      return Status::ok();
    }
    // 2. a chunk already in the store
    if (stored) {
      add_term(stored->first, stored->second, chunk.size());
      return Status::ok();
    }
    // 3. new: into the current xorb
    if (current_.size() + xet::kChunkHeaderSize + chunk.size() > xet::kMaxXorbBytes ||
        current_chunks_.size() >= xet::kMaxXorbChunks) {
      if (auto st = seal_xorb(); !st) return st;
    }
    auto entry = xet::append_xorb_chunk(current_, chunk, h, /*compress=*/false);
    entry.hash = h;
    uint32_t index = static_cast<uint32_t>(current_chunks_.size());
    current_chunks_.push_back(entry);
    XorbRef ref{xet::Hash{}, static_cast<int>(sealed_.size())};
    local_[h] = {ref, index};
    add_term(ref, index, chunk.size());
    return Status::ok();
  }

  void add_term(const XorbRef& ref, uint32_t index, uint64_t size) {
    if (!terms_.empty()) {
      auto& last = terms_.back();
      if (last.ref == ref && last.term.end == index) {
        last.term.end++;
        last.term.unpacked += size;
        return;
      }
    }
    OpenTerm t;
    t.ref = ref;
    t.term.xorb = ref.hash;
    t.term.start = index;
    t.term.end = index + 1;
    t.term.unpacked = size;
    terms_.push_back(t);
  }

  // Keeps the current xorb's index entry and writes its bytes to a temp file on a thread of its
  // own, while chunks go on into the other buffer (two buffers of 64 MiB, reserved once).
  Status seal_xorb() {
    if (current_chunks_.empty()) return Status::ok();
    if (auto st = finish_xorb_write(); !st) return st;
    Sealed x;
    std::vector<xet::ChunkRef> refs;
    refs.reserve(current_chunks_.size());
    for (const auto& c : current_chunks_) {
      refs.push_back(xet::ChunkRef{c.hash, c.uncompressed_size});
      x.info.unpacked += c.uncompressed_size;
    }
    x.info.hash = xet::xorb_hash(refs);
    x.info.size = current_.size();
    x.info.chunks = std::move(current_chunks_);
    sealed_.push_back(std::move(x));
    current_.swap(writing_);
    current_.clear();
    current_.reserve(xet::kMaxXorbBytes);
    current_chunks_.clear();
    writing_index_ = sealed_.size() - 1;
    xorb_writer_ = std::thread([this] { written_temp_ = store_.write_temp_xorb(writing_); });
    return Status::ok();
  }

  // Waits for the xorb being written, if any, and records its temp file.
  Status finish_xorb_write() {
    if (!xorb_writer_.joinable()) return Status::ok();
    xorb_writer_.join();
    Result<std::string> temp = std::move(written_temp_);
    written_temp_ = internal_error("no xorb written");
    if (!temp) return temp.status();
    sealed_[writing_index_].temp_path = std::move(*temp);
    return Status::ok();
  }

  struct OpenTerm {
    XorbRef ref;
    XetTerm term;
  };

  XetStore::Impl& store_;
  std::string oid_;
  uint64_t expected_size_;
  uint64_t written_ = 0;
  uint64_t consumed_ = 0;
  IngestBatch jobs_[2];  // one being received (filling_), the other being hashed or stored
  int filling_ = 0;
  bool in_flight_ = false;  // jobs_[filling_ ^ 1] was submitted and its chunks not yet stored
  std::string pending_;
  std::vector<uint64_t> ends_;
  xet::Chunker chunker_;
  Statement chunk_lookup_;  // under store_.mutex; reset after each use
  std::vector<xet::ChunkRef> refs_;
  std::vector<Location> stored_;  // store_chunks' lookups, one per chunk of the batch
  std::map<xet::Hash, std::pair<XorbRef, uint32_t>> local_;
  std::string current_;
  std::string writing_;       // the sealed xorb that xorb_writer_ writes
  size_t writing_index_ = 0;  // its index in sealed_
  Result<std::string> written_temp_ = internal_error("no xorb written");  // xorb_writer_'s result
  std::thread xorb_writer_;  // joined by finish_xorb_write (the destructor calls it)
  std::vector<xet::XorbChunk> current_chunks_;
  std::vector<Sealed> sealed_;
  std::vector<OpenTerm> terms_;
  IngestHasher hasher_;  // last: its thread stops before the batches it reads are destroyed
};

}  // namespace

// ---- XetStore ----

XetStore::XetStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XetStore::~XetStore() = default;

Result<std::unique_ptr<XetStore>> XetStore::open(const std::string& root,
                                                 std::unique_ptr<BlobStore> legacy) {
  auto impl = std::make_unique<Impl>();
  impl->root = root;
  impl->legacy = std::move(legacy);
  std::error_code ec;
  for (const char* dir : {"/xorbs", "/tmp", "/quarantine"}) fs::create_directories(root + dir, ec);
  if (sqlite3_open_v2((root + "/index.sqlite").c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    return internal_error("cannot open the xet index in " + root);
  }
  sqlite3_busy_timeout(impl->db, 10000);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS xorbs(hash BLOB PRIMARY KEY, size INTEGER NOT NULL,"
      "  unpacked INTEGER NOT NULL, chunks BLOB NOT NULL, touched_at INTEGER NOT NULL)"
      "  WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS chunks(hash BLOB PRIMARY KEY, xorb BLOB NOT NULL,"
      "  idx INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS chunks_xorb ON chunks(xorb);"
      "CREATE TABLE IF NOT EXISTS files(hash BLOB PRIMARY KEY, sha256 TEXT NOT NULL,"
      "  size INTEGER NOT NULL, terms BLOB NOT NULL, touched_at INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256);"
      "CREATE TABLE IF NOT EXISTS uploads(repo_uid TEXT NOT NULL, sha256 TEXT NOT NULL,"
      "  at INTEGER NOT NULL, PRIMARY KEY(repo_uid, sha256)) WITHOUT ROWID;"
      // Which files use which xorb: global dedup answers with the xorbs of those files.
      "CREATE TABLE IF NOT EXISTS file_xorbs(xorb BLOB NOT NULL, file BLOB NOT NULL,"
      "  PRIMARY KEY(xorb, file)) WITHOUT ROWID;";
  if (auto st = exec_sql(impl->db, schema); !st) return st;
  return std::unique_ptr<XetStore>(new XetStore(std::move(impl)));
}

std::string XetStore::xorb_path(const xet::Hash& hash) const {
  return impl_->xorb_path(hash);
}

Status XetStore::link_upload(const std::string& repo_uid, const std::string& sha256) {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db,
              "INSERT INTO uploads(repo_uid, sha256, at) VALUES (?, ?, ?) "
              "ON CONFLICT(repo_uid, sha256) DO UPDATE SET at = excluded.at");
  s.bind(1, repo_uid).bind(2, sha256).bind(3, util::now_ms() / 1000);
  return step_done(s);
}

bool XetStore::has_upload(const std::string& repo_uid, const std::string& sha256) {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db, "SELECT 1 FROM uploads WHERE repo_uid = ? AND sha256 = ?");
  s.bind(1, repo_uid).bind(2, sha256);
  return s.step() == SQLITE_ROW;
}

std::optional<XetFile> XetStore::file(const xet::Hash& hash) {
  return impl_->file_where("SELECT hash, sha256, size, terms FROM files WHERE hash = ?",
                           [&](Statement& s) { s.bind_blob(1, hash.bytes.data(), 32); });
}

std::optional<XetFile> XetStore::file_by_sha256(std::string_view sha256) {
  if (!util::is_lower_hex(sha256, 64)) return std::nullopt;
  std::string key(sha256);
  return impl_->file_where("SELECT hash, sha256, size, terms FROM files WHERE sha256 = ? LIMIT 1",
                           [&](Statement& s) { s.bind(1, key); });
}

Result<std::shared_ptr<const XorbInfo>> XetStore::xorb(const xet::Hash& hash) {
  auto info = impl_->load_xorb(hash);
  if (!info) return not_found("xorb " + xet::to_string(hash) + " not found");
  return info;
}

bool XetStore::has_xorb(const xet::Hash& hash) {
  return impl_->load_xorb(hash) != nullptr;
}

std::optional<uint64_t> XetStore::size(std::string_view oid) {
  if (auto f = file_by_sha256(oid)) return f->size;
  if (impl_->legacy) return impl_->legacy->size(oid);
  return std::nullopt;
}

Result<std::shared_ptr<ObjectContent>> XetStore::open(std::string_view oid) {
  if (auto f = file_by_sha256(oid)) return impl_->open_file(*f);
  if (impl_->legacy) return impl_->legacy->open(oid);
  return not_found("object " + std::string(oid) + " not found");
}

Result<std::shared_ptr<ObjectContent>> XetStore::open_file(const XetFile& file) {
  return impl_->open_file(file);
}

Result<std::unique_ptr<BlobWriter>> XetStore::begin_write(std::string_view oid, uint64_t size) {
  if (!util::is_lower_hex(oid, 64)) {
    return unprocessable("Invalid oid: expected 64 lowercase hex digits");
  }
  return std::unique_ptr<BlobWriter>(new IngestWriter(*impl_, std::string(oid), size));
}

Result<bool> XetStore::put_xorb(const xet::Hash& claimed, std::string_view bytes) {
  if (bytes.size() > xet::kMaxXorbBytes) {
    return Status(ErrorKind::kPayloadTooLarge, "xorb larger than 64 MiB");
  }
  {
    // The index, not the cache, says whether the xorb is stored: `vitrine gc` or
    // `fsck --repair` in another process may have removed it since it was cached, and
    // answering "already stored" then would lose the client's re-upload.
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db, "UPDATE xorbs SET touched_at = ? WHERE hash = ?");
    s.bind(1, util::now_ms() / 1000).bind_blob(2, claimed.bytes.data(), 32);
    if (step_done(s) && sqlite3_changes(impl_->db) > 0) return false;
    impl_->cache.erase(claimed);
  }
  auto parsed = xet::parse_xorb(bytes);
  if (!parsed) return parsed.status();
  if (parsed->hash != claimed) {
    return bad_request("xorb hash mismatch: the body hashes to " + xet::to_string(parsed->hash) +
                       ", not " + xet::to_string(claimed));
  }
  if (parsed->chunks.empty()) return bad_request("empty xorb");
  XorbInfo info;
  info.hash = parsed->hash;
  info.size = bytes.size();
  info.unpacked = parsed->unpacked_size;
  info.chunks = std::move(parsed->chunks);
  if (auto st = impl_->write_xorb_file(info.hash, bytes); !st) return st;
  std::lock_guard lock(impl_->mutex);
  Transaction tx(impl_->db);
  if (!tx.status()) return tx.status();
  if (auto st = impl_->insert_xorb_locked(info, util::now_ms() / 1000); !st) return st;
  if (auto st = tx.commit(); !st) return st;
  return true;
}

Result<std::vector<XetFile>> XetStore::put_shard(std::string_view bytes) {
  auto shard = xet::parse_shard(bytes);
  if (!shard) return shard.status();
  // The CAS section must describe stored xorbs truthfully.
  for (const auto& x : shard->xorbs) {
    auto info = impl_->load_xorb(x.xorb_hash);
    if (!info) {
      return bad_request("shard lists xorb " + xet::to_string(x.xorb_hash) +
                         ", which was not uploaded");
    }
    if (x.chunks.size() != info->chunks.size()) {
      return bad_request("shard lists " + std::to_string(x.chunks.size()) + " chunks for xorb " +
                         xet::to_string(x.xorb_hash) + ", it has " +
                         std::to_string(info->chunks.size()));
    }
    for (size_t i = 0; i < x.chunks.size(); ++i) {
      if (x.chunks[i].chunk_hash != info->chunks[i].hash ||
          x.chunks[i].unpacked_bytes != info->chunks[i].uncompressed_size) {
        return bad_request("shard's chunk " + std::to_string(i) + " of xorb " +
                           xet::to_string(x.xorb_hash) + " does not match the xorb");
      }
    }
  }
  std::vector<XetFile> files;
  for (const auto& sf : shard->files) {
    std::string name = xet::to_string(sf.file_hash);
    if (sf.verification.size() != sf.terms.size()) {
      return bad_request("file " + name + " has no verification entries");
    }
    XetFile f;
    f.hash = sf.file_hash;
    std::vector<xet::ChunkRef> refs;
    for (size_t i = 0; i < sf.terms.size(); ++i) {
      const auto& term = sf.terms[i];
      auto info = impl_->load_xorb(term.xorb_hash);
      if (!info) {
        return bad_request("file " + name + " references xorb " + xet::to_string(term.xorb_hash) +
                           ", which was not uploaded");
      }
      if (term.chunk_start >= term.chunk_end || term.chunk_end > info->chunks.size()) {
        return bad_request(
            "file " + name + " references chunks [" + std::to_string(term.chunk_start) + ", " +
            std::to_string(term.chunk_end) + ") of xorb " + xet::to_string(term.xorb_hash) +
            ", which has " + std::to_string(info->chunks.size()));
      }
      uint64_t unpacked = 0;
      std::vector<xet::Hash> hashes;
      for (uint32_t c = term.chunk_start; c < term.chunk_end; ++c) {
        unpacked += info->chunks[c].uncompressed_size;
        hashes.push_back(info->chunks[c].hash);
        refs.push_back(xet::ChunkRef{info->chunks[c].hash, info->chunks[c].uncompressed_size});
      }
      if (unpacked != term.unpacked_bytes) {
        return bad_request("file " + name + ": term " + std::to_string(i) + " says " +
                           std::to_string(term.unpacked_bytes) + " bytes, its chunks hold " +
                           std::to_string(unpacked));
      }
      if (xet::verification_hash(hashes) != sf.verification[i]) {
        return bad_request("file " + name + ": verification hash of term " + std::to_string(i) +
                           " does not match the stored chunks");
      }
      f.terms.push_back(XetTerm{term.xorb_hash, term.chunk_start, term.chunk_end, unpacked});
      f.size += unpacked;
    }
    if (xet::file_hash(refs) != sf.file_hash) {
      return bad_request("file hash mismatch: the terms of " + name + " hash to " +
                         xet::to_string(xet::file_hash(refs)));
    }
    if (auto known = file(sf.file_hash); known && !known->sha256.empty()) {
      f.sha256 = known->sha256;
    } else {
      // The SHA-256 that LFS pointers name is recomputed from the bytes, never trusted.
      auto content = impl_->open_file(f);
      if (!content) return content.status();
      util::Sha256 sha;
      if (auto st = (*content)->read_all([&](std::string_view piece) {
            sha.update(piece);
            return Status::ok();
          });
          !st) {
        return st;
      }
      f.sha256 = sha.finish_hex();
    }
    if (sf.sha256) {
      std::string claimed = xet::to_string(*sf.sha256);
      std::string plain = to_hex(*sf.sha256);
      if (claimed != f.sha256 && plain != f.sha256) {
        return bad_request("file " + name + ": the shard's SHA-256 " + claimed +
                           " does not match the content (" + f.sha256 + ")");
      }
    }
    files.push_back(std::move(f));
  }
  int64_t now = util::now_ms() / 1000;
  std::lock_guard lock(impl_->mutex);
  Transaction tx(impl_->db);
  if (!tx.status()) return tx.status();
  for (const auto& f : files) {
    if (auto st = impl_->insert_file_locked(f, now); !st) return st;
  }
  if (auto st = tx.commit(); !st) return st;
  return files;
}

std::optional<std::string> XetStore::dedup_shard(const xet::Hash& chunk, int64_t key_expiry) {
  xet::Hash xorb_hash;
  {
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db, "SELECT xorb FROM chunks WHERE hash = ?");
    s.bind_blob(1, chunk.bytes.data(), 32);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    xorb_hash = get_hash(s.blob(0).data());
    Statement t(impl_->db, "UPDATE xorbs SET touched_at = ? WHERE hash = ?");
    t.bind(1, util::now_ms() / 1000).bind_blob(2, xorb_hash.bytes.data(), 32);
    (void)step_done(t);
  }
  // Locality: clients ask about the first chunk of a file only, so the answer lists the xorb
  // holding it and the other xorbs of the files that use it, in file order (capped).
  std::vector<xet::Hash> nearby{xorb_hash};
  {
    constexpr size_t kMaxXorbs = 256;  // up to 16 GiB of content, a shard of ~12 MiB at most
    std::set<xet::Hash> seen{xorb_hash};
    std::lock_guard lock(impl_->mutex);
    Statement files(impl_->db,
                    "SELECT f.terms FROM file_xorbs x JOIN files f ON f.hash = x.file "
                    "WHERE x.xorb = ? LIMIT 8");
    files.bind_blob(1, xorb_hash.bytes.data(), 32);
    while (files.step() == SQLITE_ROW && nearby.size() < kMaxXorbs) {
      for (const auto& t : decode_terms(files.blob(0))) {
        if (nearby.size() >= kMaxXorbs) break;
        if (seen.insert(t.xorb).second) nearby.push_back(t.xorb);
      }
    }
  }
  xet::Shard shard;
  xet::Hash key;
  std::string random = util::random_bytes(32);
  std::memcpy(key.bytes.data(), random.data(), 32);
  shard.hmac_key = key;
  shard.key_expiry = static_cast<uint64_t>(key_expiry);
  for (const auto& h : nearby) {
    auto info = impl_->load_xorb(h);
    if (!info) continue;
    xet::ShardXorb x;
    x.xorb_hash = info->hash;
    x.bytes_in_cas = static_cast<uint32_t>(info->unpacked);
    x.bytes_on_disk = static_cast<uint32_t>(info->size);
    uint32_t position = 0;
    for (const auto& c : info->chunks) {
      x.chunks.push_back(
          xet::ShardChunk{xet::keyed_hash(key, c.hash), position, c.uncompressed_size});
      position += c.uncompressed_size;
    }
    shard.xorbs.push_back(std::move(x));
  }
  if (shard.xorbs.empty()) return std::nullopt;
  return xet::serialize_shard(shard);
}

Result<GcReport> XetStore::gc(const std::set<std::string>& live_sha256, int64_t grace_seconds) {
  GcReport report;
  int64_t cutoff = util::now_ms() / 1000 - grace_seconds;
  std::vector<xet::Hash> doomed_xorbs;
  {
    std::lock_guard lock(impl_->mutex);
    Transaction tx(impl_->db);
    if (!tx.status()) return tx.status();
    std::vector<xet::Hash> dead_files;
    std::set<xet::Hash> referenced;
    {
      Statement s(impl_->db, "SELECT hash, sha256, terms, touched_at FROM files");
      while (s.step() == SQLITE_ROW) {
        xet::Hash h = get_hash(s.blob(0).data());
        bool live = live_sha256.count(s.text(1)) > 0 || s.integer(3) > cutoff;
        if (!live) {
          dead_files.push_back(h);
          continue;
        }
        for (const auto& t : decode_terms(s.blob(2))) referenced.insert(t.xorb);
      }
    }
    for (const auto& h : dead_files) {
      if (auto st = impl_->delete_file_locked(h); !st) return st;
      report.files_removed++;
    }
    {
      Statement s(impl_->db, "SELECT hash, size, touched_at FROM xorbs");
      while (s.step() == SQLITE_ROW) {
        xet::Hash h = get_hash(s.blob(0).data());
        if (referenced.count(h) || s.integer(2) > cutoff) continue;
        doomed_xorbs.push_back(h);
        report.bytes_freed += static_cast<uint64_t>(s.integer(1));
      }
    }
    for (const auto& h : doomed_xorbs) {
      if (auto st = impl_->delete_xorb_locked(h); !st) return st;
    }
    if (auto st = tx.commit(); !st) return st;
  }
  // Rows first, files after: a reader never finds a row without its file.
  for (const auto& h : doomed_xorbs) {
    if (::unlink(impl_->xorb_path(h).c_str()) == 0) report.xorbs_removed++;
  }
  // Temporary files of uploads that died long ago.
  std::error_code ec;
  for (fs::directory_iterator it(impl_->root + "/tmp", ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st {};
    if (::stat(it->path().c_str(), &st) == 0 && st.st_mtime < cutoff) fs::remove(it->path(), ec);
  }
  return report;
}

Result<FsckReport> XetStore::fsck(bool repair) {
  FsckReport report;
  std::vector<std::pair<xet::Hash, std::string>> xorbs;
  {
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db, "SELECT hash, chunks FROM xorbs");
    while (s.step() == SQLITE_ROW) {
      xorbs.emplace_back(get_hash(s.blob(0).data()), std::string(s.blob(1)));
    }
  }
  std::set<xet::Hash> bad;
  for (const auto& [hash, chunks_blob] : xorbs) {
    report.xorbs_checked++;
    std::string name = xet::to_string(hash);
    auto bytes = read_file(impl_->xorb_path(hash));
    if (!bytes) {
      report.problems.push_back("xorb " + name + ": missing file");
      bad.insert(hash);
      continue;
    }
    report.bytes_checked += bytes->size();
    auto parsed = xet::parse_xorb(*bytes);
    if (!parsed) {
      report.problems.push_back("xorb " + name + ": " + parsed.status().message());
      bad.insert(hash);
      continue;
    }
    if (parsed->hash != hash) {
      report.problems.push_back("xorb " + name + ": content hashes to " +
                                xet::to_string(parsed->hash));
      bad.insert(hash);
      continue;
    }
    auto indexed = decode_chunks(chunks_blob);
    bool same = indexed.size() == parsed->chunks.size();
    for (size_t i = 0; same && i < indexed.size(); ++i) {
      same = indexed[i].hash == parsed->chunks[i].hash &&
             indexed[i].offset == parsed->chunks[i].offset &&
             indexed[i].compressed_size == parsed->chunks[i].compressed_size;
    }
    if (!same) {
      report.problems.push_back("xorb " + name + ": index does not match the file");
      bad.insert(hash);
    }
  }
  std::vector<XetFile> files;
  {
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db, "SELECT hash, sha256, size, terms FROM files");
    while (s.step() == SQLITE_ROW) {
      XetFile f;
      f.hash = get_hash(s.blob(0).data());
      f.sha256 = s.text(1);
      f.size = static_cast<uint64_t>(s.integer(2));
      f.terms = decode_terms(s.blob(3));
      files.push_back(std::move(f));
    }
  }
  std::vector<xet::Hash> bad_files;
  for (const auto& f : files) {
    report.files_checked++;
    std::string name = xet::to_string(f.hash);
    bool ok = true;
    for (const auto& t : f.terms) {
      if (bad.count(t.xorb) || !impl_->load_xorb(t.xorb)) {
        report.problems.push_back("file " + name + " (sha256 " + f.sha256 +
                                  "): needs damaged xorb " + xet::to_string(t.xorb));
        ok = false;
        break;
      }
    }
    if (ok) {
      auto content = impl_->open_file(f);
      util::Sha256 sha;
      std::vector<xet::ChunkRef> refs;
      uint64_t total = 0;
      Status st = content ? Status::ok() : content.status();
      if (st) {
        for (const auto& t : f.terms) {
          auto info = impl_->load_xorb(t.xorb);
          for (uint32_t c = t.start; c < t.end; ++c) {
            refs.push_back({info->chunks[c].hash, info->chunks[c].uncompressed_size});
          }
        }
        st = (*content)->read_all([&](std::string_view piece) {
          sha.update(piece);
          total += piece.size();
          return Status::ok();
        });
      }
      if (!st) {
        report.problems.push_back("file " + name + ": " + st.message());
        ok = false;
      } else if (total != f.size || sha.finish_hex() != f.sha256) {
        report.problems.push_back("file " + name + ": content does not hash to sha256 " + f.sha256);
        ok = false;
      } else if (xet::file_hash(refs) != f.hash) {
        report.problems.push_back("file " + name + ": terms do not hash to the file hash");
        ok = false;
      }
    }
    if (!ok) bad_files.push_back(f.hash);
  }
  if (repair && (!bad.empty() || !bad_files.empty())) {
    std::lock_guard lock(impl_->mutex);
    Transaction tx(impl_->db);
    if (!tx.status()) return tx.status();
    for (const auto& h : bad_files) {
      if (auto st = impl_->delete_file_locked(h); !st) return st;
    }
    for (const auto& h : bad) {
      if (auto st = impl_->delete_xorb_locked(h); !st) return st;
    }
    if (auto st = tx.commit(); !st) return st;
    for (const auto& h : bad) {
      std::string from = impl_->xorb_path(h);
      std::string to = impl_->root + "/quarantine/" + xet::to_string(h);
      if (::rename(from.c_str(), to.c_str()) == 0) report.quarantined++;
    }
  }
  return report;
}

uint64_t XetStore::legacy_count() {
  if (!impl_->legacy) return 0;
  uint64_t n = 0;
  std::error_code ec;
  std::string dir = fs::path(impl_->root).parent_path().string() + "/lfs/objects";
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) ++n;
  }
  return n;
}

Result<uint64_t> XetStore::migrate() {
  if (!impl_->legacy) return uint64_t{0};
  std::string dir = fs::path(impl_->root).parent_path().string() + "/lfs/objects";
  std::vector<fs::path> paths;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) paths.push_back(it->path());
  }
  uint64_t converted = 0;
  for (const auto& path : paths) {
    std::string oid = path.filename().string();
    if (!util::is_lower_hex(oid, 64)) continue;
    if (!file_by_sha256(oid)) {
      auto content = impl_->legacy->open(oid);
      if (!content) continue;  // removed meanwhile
      auto writer = begin_write(oid, (*content)->size);
      if (!writer) return writer.status();
      if (auto st =
              (*content)->read_all([&](std::string_view piece) { return (*writer)->write(piece); });
          !st) {
        return st;
      }
      if (auto st = (*writer)->commit(); !st) {
        return Status(st.kind(), "migrating " + oid + ": " + st.message());
      }
    }
    // Readers that opened the old file keep their descriptor; new readers find the Xet form.
    fs::remove(path, ec);
    ++converted;
  }
  return converted;
}

}  // namespace vitrine::storage
