// Server-side chunking of LFS uploads into the Xet store (XetStore::begin_write).
#include "storage/xet/xet_store_impl.hpp"

namespace vitrine::storage {

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
    xet::FileRecord file;
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
    xet::FileRecord::Term term;
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

std::unique_ptr<BlobWriter> make_ingest_writer(XetStore::Impl& store, std::string oid,
                                               uint64_t size) {
  return std::make_unique<IngestWriter>(store, std::move(oid), size);
}

}  // namespace vitrine::storage
