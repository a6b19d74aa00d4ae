// The transparency log's signing key and checkpoints: see transparency.hpp.
#include "service/transparency/transparency.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "service/hub.hpp"
#include "service/transparency/log_entries.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

std::string host_of(const std::string& url) {
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  rest = rest.substr(0, rest.find('/'));
  return rest.empty() ? "localhost" : rest;
}

// Reads the key file, or creates it (only one of several concurrent first starts wins).
Result<std::string> load_or_create_key(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (in)
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto pair = tlog::generate_key(name);
  if (!pair) return pair.status();
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return internal_error("cannot create " + temp);
  const std::string text = pair->signer_key + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    return internal_error("cannot write " + temp);
  }
  ::link(temp.c_str(), path.c_str());  // fails if another start won: read theirs
  ::unlink(temp.c_str());
  std::ifstream again(path);
  if (!again) return internal_error("cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
}

}  // namespace

// --- Transparency --------------------------------------------------------------------------

Transparency::~Transparency() {
  stop_ = true;
  if (background_.joinable()) background_.join();
}

Result<std::unique_ptr<Transparency>> Transparency::open(const std::string& data_dir,
                                                         const std::string& public_url) {
  std::unique_ptr<Transparency> t(new Transparency());
  const std::string dir = data_dir + "/tlog";
  auto store = storage::TlogStore::open(dir);
  if (!store) return store.status();
  t->store_ = std::move(*store);
  t->dir_ = dir;
  t->public_url_ = public_url;
  return t;
}

Status Transparency::load_key() {
  if (signer_) return Status::ok();
  auto text = load_or_create_key(dir_ + "/signing.key", host_of(public_url_) + "/vitrine-log");
  if (!text) return text.status();
  std::string line = *text;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  auto signer = tlog::parse_signer_key(line);
  if (!signer) return internal_error("bad transparency log key in " + dir_ + "/signing.key");
  signer_ = *signer;
  verifier_key_ = tlog::format_verifier_key(tlog::verifier_of(*signer));
  return Status::ok();
}

Result<std::string> Transparency::verifier_key() {
  std::lock_guard lock(key_mutex_);
  if (auto st = load_key(); !st) return st;
  return verifier_key_;
}

Status Transparency::issue_checkpoint() {
  std::lock_guard lock(checkpoint_mutex_);
  auto size = store_->size();
  if (!size) return size.status();
  auto latest = store_->latest_checkpoint();
  if (!latest) return latest.status();
  if (*latest && (*latest)->size >= *size) return Status::ok();
  auto root = tlog::tree_hash(*size, store_->hash_reader());
  if (!root) return root.status();
  std::lock_guard key_lock(key_mutex_);
  if (auto st = load_key(); !st) return st;
  tlog::Checkpoint c;
  c.origin = signer_->name;
  c.tree_size = static_cast<uint64_t>(*size);
  c.root_hash.assign(reinterpret_cast<const char*>(root->data()), root->size());
  auto text = tlog::format_checkpoint(c);
  if (!text) return text.status();
  auto note = tlog::sign_note(*text, *signer_);
  if (!note) return note.status();
  return store_->save_checkpoint({*size, *note, util::now_ms()});
}

Result<storage::TlogCheckpoint> Transparency::checkpoint() {
  auto latest = store_->latest_checkpoint();
  if (!latest) return latest.status();
  if (!*latest) {
    if (auto st = issue_checkpoint(); !st) return st;
    latest = store_->latest_checkpoint();
    if (!latest) return latest.status();
    if (!*latest) return internal_error("no checkpoint could be issued");
  }
  return **latest;
}

Result<std::string> Transparency::check(int64_t* entries) {
  auto problem = store_->check();
  if (!problem) return problem;
  auto size = store_->size();
  *entries = size ? *size : 0;
  return problem;
}

Result<int64_t> Transparency::rehash() {
  if (auto st = store_->rehash(); !st) return st;
  auto size = store_->size();
  return size ? *size : 0;
}

void Transparency::start_background(Hub& hub, int interval_ms) {
  const std::string git_root = hub.config().data_dir + "/repos";
  storage::MetadataDb* db = &hub.db();
  background_ = std::thread([this, git_root, db, interval_ms] {
    auto last_recovery = std::chrono::steady_clock::now();
    while (!stop_) {
      (void)store_->flush_resolved();
      (void)issue_checkpoint();
      auto now = std::chrono::steady_clock::now();
      if (now - last_recovery > std::chrono::seconds(5)) {
        last_recovery = now;
        // Writers resolve within milliseconds; an intent 10 s old belongs to a killed writer.
        (void)recover_intents(*store_, *db, git_root, util::now_ms() - 10000);
      }
      for (int slept = 0; slept < interval_ms && !stop_; slept += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
}

}  // namespace vitrine::service
