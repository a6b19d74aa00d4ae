// XetStore: opening the store, the CAS side (xorbs, shards, dedup), files and reads.
#include "storage/metadata/schema_migrations.hpp"
#include "storage/xet/xet_store_impl.hpp"

namespace vitrine::storage {

namespace {

// Migration 1, the baseline: the index as the releases before versioning wrote it.
Status baseline(sqlite3* db) {
  return exec_sql(
      db,
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
      "  PRIMARY KEY(xorb, file)) WITHOUT ROWID;");
}

// xet/index.sqlite's migrations, in order; append, never edit (schema_migrations.hpp).
constexpr Migration kMigrations[] = {
    {1, "baseline: xorbs, chunks, files, uploads, file_xorbs", baseline},
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
  if (auto st = exec_sql(impl->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !st) {
    return st;
  }
  if (auto st = storage::migrate(impl->db, root + "/index.sqlite", kMigrations); !st) return st;
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

std::optional<xet::FileRecord> XetStore::file(const xet::Hash& hash) {
  return impl_->file_where("SELECT hash, sha256, size, terms FROM files WHERE hash = ?",
                           [&](Statement& s) { s.bind_blob(1, hash.bytes.data(), 32); });
}

std::optional<xet::FileRecord> XetStore::file_by_sha256(std::string_view sha256) {
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

Result<std::shared_ptr<ObjectContent>> XetStore::open_file(const xet::FileRecord& file) {
  return impl_->open_file(file);
}

Result<std::unique_ptr<BlobWriter>> XetStore::begin_write(std::string_view oid, uint64_t size) {
  if (!util::is_lower_hex(oid, 64)) {
    return unprocessable("Invalid oid: expected 64 lowercase hex digits");
  }
  return make_ingest_writer(*impl_, std::string(oid), size);
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

Result<std::vector<xet::FileRecord>> XetStore::put_shard(std::string_view bytes) {
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
  std::vector<xet::FileRecord> files;
  for (const auto& sf : shard->files) {
    std::string name = xet::to_string(sf.file_hash);
    if (sf.verification.size() != sf.terms.size()) {
      return bad_request("file " + name + " has no verification entries");
    }
    xet::FileRecord f;
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
      f.terms.push_back(
          xet::FileRecord::Term{term.xorb_hash, term.chunk_start, term.chunk_end, unpacked});
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

}  // namespace vitrine::storage
