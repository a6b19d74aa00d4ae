// LogView: the transparency log as one caller may see it (docs/transparency.md). Everything
// up to the latest signed checkpoint is public (tiles, proofs, entries), except the sealed part
// of an entry about a private repository: it is opened only for callers who may read that
// repository, and a lookup seeks only what the caller may see, so neither an answer nor its
// time depends on entries the caller may not open. The answers are the JSON of /api/tlog.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/repo.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;
class RepoService;
struct Caller;

inline constexpr size_t kMaxLookupResults = 10000;  // entries shown per lookup
inline constexpr size_t kMaxLookupScan = 40000;     // matching entries read per lookup

class LogView {
 public:
  // Borrows all three for its lifetime (one request).
  LogView(Hub& hub, RepoService& repos, const Caller& caller);

  // The latest signed checkpoint's note, and its size: what proofs and tiles are served up to.
  Result<std::string> checkpoint_note();
  Result<int64_t> published_size();
  // The bytes of a C2SP tile ("tile/…" path) within the published tree; kNotFound beyond it.
  // `full`: a full tile, which never changes.
  Result<std::string> tile(const std::string& path, bool* full);
  // {index, tree_size, leaf_hash, proof}; tree_size defaults to the published size.
  Result<nlohmann::json> inclusion_proof(int64_t index, std::optional<int64_t> tree_size);
  // {from, to, proof}; to defaults to the published size.
  Result<nlohmann::json> consistency_proof(int64_t from, std::optional<int64_t> to);
  // One entry, its sealed part opened when the caller may read its repository.
  Result<nlohmann::json> entry(int64_t index);
  // {tree_size, truncated, entries}: the entries with all `keys` that the caller may see, each
  // with its void entry, at most kMaxLookupResults.
  Result<nlohmann::json> lookup(const std::vector<std::string>& keys);
  // The keys of a lookup by repository ("models/NS/NAME", with a ref or not): a repository the
  // caller may not read answers as a missing one (its entries are not even scanned).
  Result<std::vector<std::string>> repo_keys(const std::string& repo,
                                             const std::optional<std::string>& ref);
  // The entries that made `commit` the head of a ref of `repo`, for the commits listing's
  // expand=transparencyLog (whose caller has read the repository): index, ref, whether that
  // move rewrote history, and the leaf hash to check it with. Up to 100; none when the log
  // cannot be read (the listing still answers).
  nlohmann::json commit_entries(const domain::RepoRecord& repo, const std::string& commit);
  // The keys of one repository's own history (its uid survives renames), or of one of its refs.
  static std::vector<std::string> history_keys(const domain::RepoRecord& repo,
                                               const std::optional<std::string>& ref);

 private:
  nlohmann::json entry_json(int64_t index, const std::string& data, const std::string& sealed_entry,
                            const std::string& nonce, bool* visible);

  Hub& hub_;
  RepoService& repos_;
  const Caller& caller_;
};

}  // namespace vitrine::service
