// Weight-file summaries (service/lineage/weight_summary.hpp).
#include "service/lineage/weight_summary.hpp"

#include <algorithm>
#include <cstdlib>

#include "formats/weights/gguf_header.hpp"
#include "formats/weights/safetensors_header.hpp"
#include "service/hub.hpp"
#include "service/repos/revision_reader.hpp"
#include "storage/metadata/metadata_db.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

constexpr uint64_t kFirstRead = 64u << 10;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The content key of a file for the header cache.
std::string content_key(const FileEntry& f) {
  return f.lfs ? "sha256:" + f.lfs->oid : "git:" + f.git.oid;
}

json summarize_safetensors(Hub& hub, RepoHandle& git, const FileEntry& f) {
  uint64_t size = f.size();
  auto first = read_file_prefix(hub, git, f, std::min<uint64_t>(size, kFirstRead));
  if (!first) return {{"error", "cannot read: " + first.status().message()}};
  auto need = safetensors_prefix_size(*first, size);
  if (!need) return {{"error", need.status().message()}};
  std::string prefix = std::move(*first);
  if (prefix.size() < *need) {
    auto more = read_file_prefix(hub, git, f, *need);
    if (!more) return {{"error", "cannot read: " + more.status().message()}};
    prefix = std::move(*more);
  }
  auto h = parse_safetensors(prefix, size);
  if (!h) return {{"error", h.status().message()}};
  return {{"parameters", h->parameters}, {"total", h->total}, {"tensors", h->tensors.size()}};
}

json summarize_gguf(Hub& hub, RepoHandle& git, const FileEntry& f) {
  uint64_t size = f.size();
  uint64_t want = std::min<uint64_t>(size, kFirstRead);
  for (int round = 0; round < 16; ++round) {
    auto prefix = read_file_prefix(hub, git, f, want);
    if (!prefix) return {{"error", "cannot read: " + prefix.status().message()}};
    auto h = parse_gguf(*prefix, size);
    if (h) {
      json bases = json::array();
      for (const auto& b : h->base_models) {
        bases.push_back({{"name", b.name},
                         {"organization", b.organization},
                         {"version", b.version},
                         {"repo_url", b.repo_url}});
      }
      return {{"architecture", h->architecture}, {"name", h->name},
              {"quantization", h->quantization}, {"context_length", h->context_length},
              {"parameters", h->parameters},     {"total", h->total},
              {"tensors", h->tensors.size()},    {"baseModels", bases}};
    }
    if (h.status().kind() != ErrorKind::kRangeNotSatisfiable) {
      return {{"error", h.status().message()}};
    }
    // "need N bytes"
    uint64_t next = 0;
    const auto& m = h.status().message();
    if (m.starts_with("need ")) next = std::strtoull(m.c_str() + 5, nullptr, 10);
    next = std::min<uint64_t>(std::max<uint64_t>(next, want * 2),
                              std::min(size, kMaxWeightHeaderBytes));
    if (next <= want) return {{"error", m}};
    want = next;
  }
  return {{"error", "GGUF header too large"}};
}

}  // namespace

// A file's summary, from the cache or parsed once (a commit never changes its bytes).
json weight_summary(Hub& hub, RepoHandle& git, const FileEntry& f, bool gguf) {
  std::string key = (gguf ? "gguf:" : "st:") + content_key(f);
  // A cache that cannot be read is parsed again, as a miss.
  if (auto cached = hub.db().weight_header(key); cached && *cached) {
    auto j = json::parse(**cached, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  json j = gguf ? summarize_gguf(hub, git, f) : summarize_safetensors(hub, git, f);
  // Read failures may be transient (a missing object); parse results are not.
  if (!(j.contains("error") && j["error"].get<std::string>().starts_with("cannot read"))) {
    hub.db().put_weight_header(key, dump(j));
  }
  return j;
}

}  // namespace vitrine::service
