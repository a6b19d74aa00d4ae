// The transparency log over HTTP (docs/transparency.md): the static C2SP tlog-tiles view
// (/tlog/checkpoint, /tlog/key, /tlog/tile/...), proofs and lookups (/api/tlog/...), and one
// repository's log (/api/{type}s/{repo}/tlog).
#include <map>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "formats/tlog/merkle.hpp"
#include "service/transparency/transparency.hpp"
#include "util/encoding.hpp"

namespace vitrine::api {

using nlohmann::json;

namespace {

constexpr size_t kMaxLookupResults = 10000;  // entries shown per answer
constexpr size_t kMaxLookupScan = 40000;     // matching entries read per answer
constexpr const char* kImmutable = "public, max-age=31536000, immutable";

http::Response text_response(std::string body, const char* cache_control) {
  auto r = http::Response::text(200, std::move(body), "text/plain; charset=utf-8");
  r.headers.set("Cache-Control", cache_control);
  r.headers.set("Access-Control-Allow-Origin", "*");
  return r;
}

Result<int64_t> int_param(const Call& call, const char* name, std::optional<int64_t> fallback) {
  auto v = call.query.get(name);
  if (!v) {
    if (fallback) return *fallback;
    return bad_request(std::string("missing parameter ") + name);
  }
  uint64_t n = 0;
  if (!util::parse_u64(*v, &n) || n > static_cast<uint64_t>(INT64_MAX)) {
    return bad_request(std::string("parameter ") + name + " must be a non-negative integer");
  }
  return static_cast<int64_t>(n);
}

json hex_list(const tlog::Proof& proof) {
  json out = json::array();
  for (const auto& h : proof) out.push_back(tlog::to_hex(h));
  return out;
}

// The size of the latest signed checkpoint: what proofs and tiles are served up to.
Result<int64_t> published_size(Context& ctx) {
  auto c = ctx.hub.transparency().checkpoint();
  if (!c) return c.status();
  return c->size;
}

// An entry as the API shows it; a sealed entry is opened for callers who may read its
// repository. `visible` is false for a sealed entry the caller may not open.
json entry_json(Context& ctx, const Call& call, const storage::TlogEntry& e, bool* visible) {
  json out = {{"index", e.index}, {"leaf_hash", tlog::to_hex(tlog::record_hash(e.data))}};
  out["entry"] = json::parse(e.data, nullptr, false);
  *visible = true;
  if (!e.sealed_entry.empty()) {
    json opened = json::parse(e.sealed_entry, nullptr, false);
    bool may = false;
    if (opened.is_object()) {
      // Fails closed: an entry whose repository cannot be read now stays sealed.
      may = ctx.repos.can_read_uid(opened.value("repo_id", ""), call.caller);
    }
    *visible = may;
    if (may) out["opened"] = {{"nonce", util::to_hex(e.nonce)}, {"entry", opened}};
  }
  return out;
}

// The entries with all `keys`, up to the published size, that the caller may see.
http::Response lookup_response(Context& ctx, Call& call, const std::vector<std::string>& keys) {
  auto size = published_size(ctx);
  if (!size) return error_response(size.status(), call.caller);
  auto& store = ctx.hub.transparency().store();
  // The sealed entries the caller may open are those of the private repositories they may
  // read, worked out from the caller alone; the query seeks only those and what everyone may
  // see, so neither the answer nor its time depends on entries the caller may not open.
  auto found = call.caller.is_admin() && !call.caller.fine_grained()
                   ? store.lookup(keys, *size, kMaxLookupScan)
                   : store.lookup_visible(keys, *size, kMaxLookupScan,
                                          ctx.repos.readable_private_uids(call.caller));
  if (!found) return error_response(found.status(), call.caller);
  // Only what the caller may see, then with each of those its void entry, if any: nothing in
  // the answer (entries, voids, counts) depends on entries the caller may not open.
  std::map<int64_t, json> shown;
  for (int64_t i : *found) {
    if (shown.size() >= kMaxLookupResults) break;
    auto e = store.entry(i);
    if (!e) return error_response(e.status(), call.caller);
    bool visible = false;
    json j = entry_json(ctx, call, *e, &visible);
    if (!visible) continue;
    shown.emplace(i, std::move(j));
    auto voids = store.lookup({"voided:" + std::to_string(i)}, *size, 1);
    if (voids && !voids->empty()) {
      auto v = store.entry(voids->front());
      if (!v) return error_response(v.status(), call.caller);
      bool unused = false;
      shown.emplace(voids->front(), entry_json(ctx, call, *v, &unused));
    }
  }
  const bool truncated = shown.size() >= kMaxLookupResults;
  json list = json::array();
  for (auto& [i, j] : shown) list.push_back(std::move(j));
  return json_response(
      200, json{{"tree_size", *size}, {"truncated", truncated}, {"entries", std::move(list)}});
}

std::string full_ref(const std::string& ref) {
  return ref.starts_with("refs/") ? ref : "refs/heads/" + ref;
}

}  // namespace

http::Response handle_tlog_checkpoint(Context& ctx, Call& call) {
  auto c = ctx.hub.transparency().checkpoint();
  if (!c) return error_response(c.status(), call.caller);
  return text_response(c->note, "no-cache");
}

http::Response handle_tlog_key(Context& ctx, Call& call) {
  auto key = ctx.hub.transparency().verifier_key();
  if (!key) return error_response(key.status(), call.caller);
  return text_response(*key + "\n", "no-cache");
}

// GET /tlog/tile/{path*}: the C2SP tiled-log layout.
http::Response handle_tlog_tile(Context& ctx, Call& call) {
  auto& t = ctx.hub.transparency();
  if (call.params.get("path").empty()) {
    return error_response(not_found("Not found: " + call.request.path), call.caller);
  }
  const std::string path = "tile/" + call.params.get("path");
  auto tile = tlog::parse_tile_path(path);
  if (!tile) return error_response(tile.status(), call.caller);
  auto size = published_size(ctx);
  if (!size) return error_response(size.status(), call.caller);
  // The tile must lie within the published tree: its records end at or before `size`.
  const int level = tile->level == tlog::kEntriesLevel ? 0 : tile->level;
  const int shift = tlog::kTileHeight * (level + 1);
  if (shift >= 63) return error_response(not_found("Tile beyond the log"), call.caller);
  const int64_t start = tile->n << shift;
  const int64_t records = static_cast<int64_t>(tile->width) << (tlog::kTileHeight * level);
  if (tile->n > (INT64_MAX >> shift) || start > *size || records > *size - start) {
    return error_response(not_found("Tile beyond the log's published size"), call.caller);
  }
  const bool full = tile->width == tlog::kTileWidth;
  http::Response r;
  if (tile->level == tlog::kEntriesLevel) {
    auto entries = t.store().entries(start, start + tile->width);
    if (!entries) return error_response(entries.status(), call.caller);
    std::string body;
    for (const auto& e : *entries) {
      body += static_cast<char>((e.data.size() >> 8) & 0xff);
      body += static_cast<char>(e.data.size() & 0xff);
      body += e.data;
    }
    r = http::Response::text(200, std::move(body), "application/octet-stream");
  } else {
    auto data = tlog::read_tile_data(*tile, t.store().hash_reader());
    if (!data) return error_response(data.status(), call.caller);
    r = http::Response::text(200, std::move(*data), "application/octet-stream");
  }
  // Full tiles never change; a partial one is superseded by a wider one, never altered.
  r.headers.set("Cache-Control", full ? kImmutable : "public, max-age=60");
  r.headers.set("Access-Control-Allow-Origin", "*");
  return r;
}

http::Response handle_tlog_inclusion_proof(Context& ctx, Call& call) {
  auto& store = ctx.hub.transparency().store();
  auto size = published_size(ctx);
  if (!size) return error_response(size.status(), call.caller);
  auto index = int_param(call, "index", std::nullopt);
  if (!index) return error_response(index.status(), call.caller);
  auto tree_size = int_param(call, "tree_size", *size);
  if (!tree_size) return error_response(tree_size.status(), call.caller);
  if (*tree_size > *size) {
    return error_response(not_found("tree_size is beyond the published checkpoint"), call.caller);
  }
  if (*index >= *tree_size) {
    return error_response(not_found("index is not below tree_size"), call.caller);
  }
  auto proof = tlog::prove_record(*tree_size, *index, store.hash_reader());
  if (!proof) return error_response(proof.status(), call.caller);
  std::array<int64_t, 1> leaf_id{tlog::stored_hash_index(0, *index)};
  auto leaf = store.read_hashes(leaf_id);
  if (!leaf) return error_response(leaf.status(), call.caller);
  return json_response(200, json{{"index", *index},
                                 {"tree_size", *tree_size},
                                 {"leaf_hash", tlog::to_hex(leaf->front())},
                                 {"proof", hex_list(*proof)}});
}

http::Response handle_tlog_consistency_proof(Context& ctx, Call& call) {
  auto& store = ctx.hub.transparency().store();
  auto size = published_size(ctx);
  if (!size) return error_response(size.status(), call.caller);
  auto from = int_param(call, "from", std::nullopt);
  if (!from) return error_response(from.status(), call.caller);
  auto to = int_param(call, "to", *size);
  if (!to) return error_response(to.status(), call.caller);
  if (*to > *size) {
    return error_response(not_found("to is beyond the published checkpoint"), call.caller);
  }
  if (*from < 1 || *from > *to) {
    return error_response(bad_request("need 1 <= from <= to"), call.caller);
  }
  auto proof = tlog::prove_tree(*to, *from, store.hash_reader());
  if (!proof) return error_response(proof.status(), call.caller);
  return json_response(200, json{{"from", *from}, {"to", *to}, {"proof", hex_list(*proof)}});
}

http::Response handle_tlog_entry(Context& ctx, Call& call) {
  auto& store = ctx.hub.transparency().store();
  const std::string index_text = call.params.get("index");
  uint64_t index = 0;
  if (!util::parse_u64(index_text, &index) || index > static_cast<uint64_t>(INT64_MAX)) {
    return error_response(bad_request("entry index must be a non-negative integer"), call.caller);
  }
  auto size = published_size(ctx);
  if (!size) return error_response(size.status(), call.caller);
  if (static_cast<int64_t>(index) >= *size) {
    return error_response(not_found("No entry " + index_text + " in the published log"),
                          call.caller);
  }
  auto e = store.entry(static_cast<int64_t>(index));
  if (!e) return error_response(e.status(), call.caller);
  bool visible = false;
  return json_response(200, entry_json(ctx, call, *e, &visible));
}

http::Response handle_tlog_lookup(Context& ctx, Call& call) {
  std::vector<std::string> keys;
  std::string uid;
  if (auto repo = call.query.get("repo")) {
    auto slash = repo->find('/');
    auto type = slash == std::string::npos ? std::nullopt
                                           : domain::repo_kind_from_plural(repo->substr(0, slash));
    if (!type) {
      return error_response(bad_request("repo must be models/NS/NAME or datasets/NS/NAME"),
                            call.caller);
    }
    keys.push_back("name:" + *repo);
    // A ref is looked up in the repository's own history (its uid survives renames).
    std::string id = repo->substr(slash + 1);
    auto id_slash = id.find('/');
    std::optional<domain::RepoRecord> record;
    if (id_slash != std::string::npos) {
      auto read = ctx.repos.by_name(*type, id.substr(0, id_slash), id.substr(id_slash + 1));
      if (!read) return error_response(read.status(), call.caller);
      record = *read;
    }
    // A repository the caller may not read answers as a missing one, in content and in time:
    // its entries are not even scanned (scanning them only to hide them took 14 times as
    // long as finding nothing).
    const bool hidden = record && !ctx.repos.can_read(*record, call.caller);
    if (hidden) keys.back() = "name:-";
    if (auto ref = call.query.get("ref")) {
      const bool readable = record && !hidden;
      keys.back() = readable ? "ref:" + record->uid + ":" + full_ref(*ref) : "ref:-";
    }
  } else if (call.query.has("ref")) {
    return error_response(bad_request("ref needs repo"), call.caller);
  }
  if (auto commit = call.query.get("commit")) keys.push_back("commit:" + *commit);
  if (auto file = call.query.get("file")) keys.push_back("file:" + *file);
  if (keys.empty()) {
    return error_response(bad_request("give at least one of repo, commit, file"), call.caller);
  }
  return lookup_response(ctx, call, keys);
}

http::Response handle_repo_tlog(Context& ctx, Call& call) {
  const service::RepoRef& repo = *call.repo;
  std::string key = "repo:" + repo.record.uid;
  if (auto ref = call.query.get("ref")) key = "ref:" + repo.record.uid + ":" + full_ref(*ref);
  return lookup_response(ctx, call, {key});
}

}  // namespace vitrine::api
