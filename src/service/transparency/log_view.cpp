// The transparency log as one caller may see it.
#include "service/transparency/log_view.hpp"

#include <array>
#include <map>

#include "formats/tlog/merkle.hpp"
#include "service/hub.hpp"
#include "service/repos/repo_service.hpp"
#include "service/transparency/transparency.hpp"
#include "storage/tlog/tlog_store.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

json hex_list(const tlog::Proof& proof) {
  json out = json::array();
  for (const auto& h : proof) out.push_back(tlog::to_hex(h));
  return out;
}

std::string full_ref(const std::string& ref) {
  return ref.starts_with("refs/") ? ref : "refs/heads/" + ref;
}

}  // namespace

LogView::LogView(Hub& hub, RepoService& repos, const Caller& caller)
    : hub_(hub), repos_(repos), caller_(caller) {}

Result<std::string> LogView::checkpoint_note() {
  auto c = hub_.transparency().checkpoint();
  if (!c) return c.status();
  return c->note;
}

Result<int64_t> LogView::published_size() {
  auto c = hub_.transparency().checkpoint();
  if (!c) return c.status();
  return c->size;
}

Result<std::string> LogView::tile(const std::string& path, bool* full) {
  auto& store = hub_.transparency().store();
  auto tile = tlog::parse_tile_path(path);
  if (!tile) return tile.status();
  auto size = published_size();
  if (!size) return size.status();
  // The tile must lie within the published tree: its records end at or before `size`.
  const int level = tile->level == tlog::kEntriesLevel ? 0 : tile->level;
  const int shift = tlog::kTileHeight * (level + 1);
  if (shift >= 63) return not_found("Tile beyond the log");
  const int64_t start = tile->n << shift;
  const int64_t records = static_cast<int64_t>(tile->width) << (tlog::kTileHeight * level);
  if (tile->n > (INT64_MAX >> shift) || start > *size || records > *size - start) {
    return not_found("Tile beyond the log's published size");
  }
  *full = tile->width == tlog::kTileWidth;
  if (tile->level != tlog::kEntriesLevel) return tlog::read_tile_data(*tile, store.hash_reader());
  auto entries = store.entries(start, start + tile->width);
  if (!entries) return entries.status();
  std::string body;
  for (const auto& e : *entries) {
    body += static_cast<char>((e.data.size() >> 8) & 0xff);
    body += static_cast<char>(e.data.size() & 0xff);
    body += e.data;
  }
  return body;
}

Result<json> LogView::inclusion_proof(int64_t index, std::optional<int64_t> tree_size_asked) {
  auto& store = hub_.transparency().store();
  auto size = published_size();
  if (!size) return size.status();
  int64_t tree_size = tree_size_asked.value_or(*size);
  if (tree_size > *size) return not_found("tree_size is beyond the published checkpoint");
  if (index >= tree_size) return not_found("index is not below tree_size");
  auto proof = tlog::prove_record(tree_size, index, store.hash_reader());
  if (!proof) return proof.status();
  std::array<int64_t, 1> leaf_id{tlog::stored_hash_index(0, index)};
  auto leaf = store.read_hashes(leaf_id);
  if (!leaf) return leaf.status();
  return json{{"index", index},
              {"tree_size", tree_size},
              {"leaf_hash", tlog::to_hex(leaf->front())},
              {"proof", hex_list(*proof)}};
}

Result<json> LogView::consistency_proof(int64_t from, std::optional<int64_t> to_asked) {
  auto size = published_size();
  if (!size) return size.status();
  int64_t to = to_asked.value_or(*size);
  if (to > *size) return not_found("to is beyond the published checkpoint");
  if (from < 1 || from > to) return bad_request("need 1 <= from <= to");
  auto proof = tlog::prove_tree(to, from, hub_.transparency().store().hash_reader());
  if (!proof) return proof.status();
  return json{{"from", from}, {"to", to}, {"proof", hex_list(*proof)}};
}

json LogView::entry_json(int64_t index, const std::string& data, const std::string& sealed_entry,
                         const std::string& nonce, bool* visible) {
  json out = {{"index", index}, {"leaf_hash", tlog::to_hex(tlog::record_hash(data))}};
  out["entry"] = json::parse(data, nullptr, false);
  *visible = true;
  if (!sealed_entry.empty()) {
    json opened = json::parse(sealed_entry, nullptr, false);
    bool may = false;
    if (opened.is_object()) {
      // Fails closed: an entry whose repository cannot be read now stays sealed.
      may = repos_.can_read_uid(opened.value("repo_id", ""), caller_);
    }
    *visible = may;
    if (may) out["opened"] = {{"nonce", util::to_hex(nonce)}, {"entry", opened}};
  }
  return out;
}

Result<json> LogView::entry(int64_t index) {
  auto size = published_size();
  if (!size) return size.status();
  if (index >= *size) {
    return not_found("No entry " + std::to_string(index) + " in the published log");
  }
  auto e = hub_.transparency().store().entry(index);
  if (!e) return e.status();
  bool visible = false;
  return entry_json(e->index, e->data, e->sealed_entry, e->nonce, &visible);
}

Result<json> LogView::lookup(const std::vector<std::string>& keys) {
  auto size = published_size();
  if (!size) return size.status();
  auto& store = hub_.transparency().store();
  // The sealed entries the caller may open are those of the private repositories they may
  // read, worked out from the caller alone; the query seeks only those and what everyone may
  // see, so neither the answer nor its time depends on entries the caller may not open.
  auto found = caller_.is_admin() && !caller_.fine_grained()
                   ? store.lookup(keys, *size, kMaxLookupScan)
                   : store.lookup_visible(keys, *size, kMaxLookupScan,
                                          repos_.readable_private_uids(caller_));
  if (!found) return found.status();
  // Only what the caller may see, then with each of those its void entry, if any: nothing in
  // the answer (entries, voids, counts) depends on entries the caller may not open.
  std::map<int64_t, json> shown;
  for (int64_t i : *found) {
    if (shown.size() >= kMaxLookupResults) break;
    auto e = store.entry(i);
    if (!e) return e.status();
    bool visible = false;
    json j = entry_json(e->index, e->data, e->sealed_entry, e->nonce, &visible);
    if (!visible) continue;
    shown.emplace(i, std::move(j));
    auto voids = store.lookup({"voided:" + std::to_string(i)}, *size, 1);
    if (voids && !voids->empty()) {
      auto v = store.entry(voids->front());
      if (!v) return v.status();
      bool unused = false;
      shown.emplace(voids->front(),
                    entry_json(v->index, v->data, v->sealed_entry, v->nonce, &unused));
    }
  }
  const bool truncated = shown.size() >= kMaxLookupResults;
  json list = json::array();
  for (auto& [i, j] : shown) list.push_back(std::move(j));
  return json{{"tree_size", *size}, {"truncated", truncated}, {"entries", std::move(list)}};
}

std::vector<std::string> LogView::history_keys(const domain::RepoRecord& repo,
                                               const std::optional<std::string>& ref) {
  if (ref) return {"ref:" + repo.uid + ":" + full_ref(*ref)};
  return {"repo:" + repo.uid};
}

Result<std::vector<std::string>> LogView::repo_keys(const std::string& repo,
                                                    const std::optional<std::string>& ref) {
  auto slash = repo.find('/');
  auto type = slash == std::string::npos ? std::nullopt
                                         : domain::repo_kind_from_plural(repo.substr(0, slash));
  if (!type) return bad_request("repo must be models/NS/NAME or datasets/NS/NAME");
  std::string key = "name:" + repo;
  // A ref is looked up in the repository's own history (its uid survives renames).
  std::string id = repo.substr(slash + 1);
  auto id_slash = id.find('/');
  std::optional<domain::RepoRecord> record;
  if (id_slash != std::string::npos) {
    auto read = repos_.by_name(*type, id.substr(0, id_slash), id.substr(id_slash + 1));
    if (!read) return read.status();
    record = *read;
  }
  // A repository the caller may not read answers as a missing one, in content and in time:
  // its entries are not even scanned (scanning them only to hide them took 14 times as long as
  // finding nothing).
  const bool hidden = record && !repos_.can_read(*record, caller_);
  if (hidden) key = "name:-";
  if (ref) {
    const bool readable = record && !hidden;
    key = readable ? "ref:" + record->uid + ":" + full_ref(*ref) : "ref:-";
  }
  return std::vector<std::string>{key};
}

json LogView::commit_entries(const domain::RepoRecord& repo, const std::string& commit) {
  auto& store = hub_.transparency().store();
  json out = json::array();
  auto published = hub_.transparency().checkpoint();
  if (!published) return out;
  auto found = store.lookup({"commit:" + commit, "repo:" + repo.uid}, published->size, 100);
  if (!found) return out;
  for (int64_t i : *found) {
    auto voided = store.lookup({"voided:" + std::to_string(i)}, published->size, 1);
    if (!voided || !voided->empty()) continue;  // an intent that never became visible
    auto e = store.entry(i);
    if (!e) continue;
    json shown = json::parse(e->sealed_entry.empty() ? e->data : e->sealed_entry, nullptr, false);
    if (!shown.is_object()) continue;
    std::string ref = shown.value("ref", "");
    if (ref.empty() && shown.contains("refs") && shown["refs"].is_object()) {
      for (const auto& [name, target] : shown["refs"].items()) {
        if (target == commit) ref = name;
      }
    }
    out.push_back({{"index", i},
                   {"ref", ref},
                   {"forced", shown.value("forced", false)},
                   {"leafHash", tlog::to_hex(tlog::record_hash(e->data))}});
  }
  return out;
}

}  // namespace vitrine::service
