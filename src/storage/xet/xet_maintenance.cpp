// XetStore maintenance: garbage collection, fsck, migration of the plain-file LFS store.
#include "storage/xet/xet_store_impl.hpp"

namespace vitrine::storage {

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
  std::vector<xet::FileRecord> files;
  {
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db, "SELECT hash, sha256, size, terms FROM files");
    while (s.step() == SQLITE_ROW) {
      xet::FileRecord f;
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
