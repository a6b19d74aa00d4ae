// Xet tokens, the CAS API and signed xorb ranges. See xet_api.hpp.
#include "api/xet/xet_api.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <stdexcept>

#include "formats/hub/xet_tokens.hpp"
#include "service/transfer/xet_cas.hpp"
#include "util/crypto.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::api {
namespace {

using json = nlohmann::json;

int64_t now_s() {
  return util::now_ms() / 1000;
}

// "bytes=a-b" with a <= b; nullopt otherwise.
std::optional<std::pair<uint64_t, uint64_t>> parse_simple_range(std::string_view header) {
  if (!header.starts_with("bytes=")) return std::nullopt;
  header.remove_prefix(6);
  auto dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  uint64_t a = 0, b = 0;
  if (!util::parse_u64(header.substr(0, dash), &a)) return std::nullopt;
  if (header.size() == dash + 1) return std::make_pair(a, UINT64_MAX);
  if (!util::parse_u64(header.substr(dash + 1), &b) || b < a) return std::nullopt;
  return std::make_pair(a, b);
}

// A signed xorb range names its reader like the Xet token it was fetched with (repository,
// user, access token) and the file it is part of, so each use re-checks what the token's use
// would: that the reader still reads the repository and the repository still holds the file.
struct XorbGrant {
  std::string xorb;
  std::string range;
  int64_t expires = 0;
  std::string repo_uid;
  std::string user;
  int64_t token_id = 0;
  std::string file;
};

std::string xorb_signature(Context& ctx, const XorbGrant& g) {
  return util::hmac_sha256_hex(ctx.hub.signing_key() + "/xorb-range",
                               g.xorb + "|" + g.range + "|" + std::to_string(g.expires) + "|" +
                                   g.repo_uid + "|" + g.user + "|" + std::to_string(g.token_id) +
                                   "|" + g.file);
}

std::string xorb_url(Context& ctx, const XorbGrant& g) {
  return ctx.hub.config().public_url + "/api/vitrine/xet/xorbs/" + g.xorb + "?range=" + g.range +
         "&expires=" + std::to_string(g.expires) + "&repo=" + g.repo_uid +
         "&user=" + util::percent_encode_component(g.user) +
         "&token=" + std::to_string(g.token_id) + "&file=" + g.file +
         "&signature=" + xorb_signature(ctx, g);
}

// The CAS API's errors: the hub's error shape and statuses, except that the spec answers
// 400 (not 422) to every request it finds invalid.
}  // namespace

http::Response cas_error(const Status& st) {
  Status status = st.kind() == ErrorKind::kUnprocessable ? bad_request(st.message()) : st;
  return error_response(status, service::Caller{});
}

namespace {

// One reconstruction: the terms covering [first, last] of a file, with where to fetch them.
Result<json> reconstruction(Context& ctx, const service::XetClaims& claims,
                            const xet::FileRecord& file, uint64_t first, uint64_t last, bool v2,
                            json* batch_fetch_info = nullptr) {
  auto plan = service::XetCas(ctx.hub).reconstruct(file, first, last);
  if (!plan) return plan.status();
  int64_t expires = now_s() + ctx.hub.config().signed_url_ttl_seconds;
  json terms = json::array();
  json fetch = json::object();
  for (const auto& t : plan->terms) {
    std::string hash = xet::to_string(t.xorb);
    terms.push_back({{"hash", hash},
                     {"unpacked_length", t.unpacked},
                     {"range", {{"start", t.start}, {"end", t.end}}}});
    std::string url = xorb_url(
        ctx,
        XorbGrant{hash, std::to_string(t.byte_first) + "-" + std::to_string(t.byte_last), expires,
                  claims.repo_uid, claims.user, claims.token_id, xet::to_string(file.hash)});
    if (v2) {
      fetch[hash].push_back(
          {{"url", url},
           {"ranges",
            json::array({{{"chunks", {{"start", t.start}, {"end", t.end}}},
                          {"bytes", {{"start", t.byte_first}, {"end", t.byte_last}}}}})}});
    } else {
      json entry = {{"range", {{"start", t.start}, {"end", t.end}}},
                    {"url", url},
                    {"url_range", {{"start", t.byte_first}, {"end", t.byte_last}}}};
      json& target = batch_fetch_info ? (*batch_fetch_info)[hash] : fetch[hash];
      target.push_back(entry);
    }
  }
  if (batch_fetch_info) return terms;
  json out = {{"offset_into_first_range", plan->offset_into_first}, {"terms", terms}};
  out[v2 ? "xorbs" : "fetch_info"] = fetch;
  return out;
}

// A 64 MiB body buffer for xorb uploads, taken from a small process-wide pool and returned to it
// when done: a fresh allocation per request is a fresh mmap whose pages all fault in again
// (21 % of the server's cycles on /dev/shm). At most kKept idle buffers stay resident.
class XorbBodyBuffer {
 public:
  XorbBodyBuffer() = default;
  XorbBodyBuffer(const XorbBodyBuffer&) = delete;
  XorbBodyBuffer& operator=(const XorbBodyBuffer&) = delete;
  ~XorbBodyBuffer() {
    if (!data_) return;
    std::lock_guard lock(pool_mutex());
    if (pool().size() < kKept) pool().push_back(std::move(data_));
  }

  // Reads a body of `declared` bytes (at most kMaxXorbBytes) straight into the buffer; the view
  // holds what arrived (fewer bytes if the client stopped early: parse_xorb rejects that).
  Result<std::string_view> read(http::BodyReader& body, size_t declared) {
    {
      std::lock_guard lock(pool_mutex());
      if (!pool().empty()) {
        data_ = std::move(pool().back());
        pool().pop_back();
      }
    }
    if (!data_) data_.reset(new char[xet::kMaxXorbBytes]);  // uninitialized: faulted as filled
    size_t done = 0;
    while (done < declared) {
      auto n = body.read_some(data_.get() + done, declared - done);
      if (!n) return n.status();
      if (*n == 0) break;
      done += *n;
    }
    return std::string_view(data_.get(), done);
  }

 private:
  static constexpr size_t kKept = 2;
  static std::mutex& pool_mutex() {
    static std::mutex m;
    return m;
  }
  static std::vector<std::unique_ptr<char[]>>& pool() {
    static std::vector<std::unique_ptr<char[]>> p;
    return p;
  }
  std::unique_ptr<char[]> data_;
};

}  // namespace

XetToken issue_xet_token(Context& ctx, const service::Caller& caller, const std::string& repo_uid,
                         bool write, const std::string& revision) {
  service::XetClaims claims{repo_uid,
                            write,
                            now_s() + ctx.hub.config().xet_token_ttl_seconds,
                            revision,
                            caller.user ? caller.user->name : "",
                            caller.token_id};
  return XetToken{service::issue_xet_token(ctx.hub.signing_key(), claims), claims.expires,
                  ctx.hub.config().public_url};
}

namespace {

// The router found the repository: for reading with its gate passed, for writing with read
// access (handle_xet_write_token asks for more).
http::Response xet_token(Context& ctx, Call& call, bool write) {
  const service::RepoRef& repo = *call.repo;
  if (!ctx.hub.config().xet_enabled) {
    return error_response(
        Status(ErrorKind::kNotImplemented, "Xet is disabled on this hub; set HF_HUB_DISABLE_XET=1"),
        call.caller);
  }
  std::string revision = call.params.get("rev");
  if (revision.empty()) revision = "main";
  if (!write) {
    auto git = ctx.hub.open_git(repo.record);
    if (!git) return error_response(git.status(), call.caller);
    if (auto rev = ctx.contents.resolve(*git, revision); !rev) {
      return error_response(rev.status(), call.caller);
    }
  }
  auto token = issue_xet_token(ctx, call.caller, repo.record.uid, write, revision);
  auto r = json_response(
      200, json{{"accessToken", token.token}, {"exp", token.expires}, {"casUrl", token.cas_url}});
  r.headers.set("X-Xet-Cas-Url", token.cas_url);
  r.headers.set("X-Xet-Access-Token", token.token);
  r.headers.set("X-Xet-Token-Expiration", std::to_string(token.expires));
  r.headers.set("Cache-Control", "no-store");
  return r;
}

}  // namespace

http::Response handle_xet_read_token(Context& ctx, Call& call) {
  return xet_token(ctx, call, false);
}

http::Response handle_xet_write_token(Context& ctx, Call& call) {
  // A token for a pull request ("None": one to open, refs/pr/N) needs only what opening one
  // needs, for a signed-in caller; anything else needs write access.
  const auto rev = call.params.segments("rev");
  const bool pull_request = !rev.empty() && (rev[0] == "None" || rev[0] == "refs");
  if (!pull_request || !call.caller.authenticated()) {
    if (auto st =
            ctx.repos.check_access(call.repo->record, call.caller, service::AccessLevel::kWrite);
        !st) {
      return error_response(st, call.caller);
    }
  }
  return xet_token(ctx, call, true);
}

XetFileLinks xet_file_links(Context& ctx, domain::RepoKind type, const std::string& repo_id,
                            const std::string& commit, const std::string& hash) {
  const std::string& base = ctx.hub.config().public_url;
  return XetFileLinks{
      hash, base + "/api/" + domain::plural(type) + "/" + repo_id + "/xet-read-token/" + commit,
      base + "/v1/reconstructions/" + hash};
}

void add_xet_headers(http::Response& r, const XetFileLinks& links) {
  r.headers.set("X-Xet-Hash", links.hash);
  r.headers.set("X-Xet-Refresh-Route", links.refresh_url);
  r.headers.set("Link", "<" + links.refresh_url + ">; rel=\"xet-auth\", <" +
                            links.reconstruction_url + ">; rel=\"xet-reconstruction-info\"");
}

namespace {

// GET /v1|v2/reconstructions/{file} (Range: bytes=a-b): the router verified the Xet token.
http::Response reconstruction_of(Context& ctx, Call& call, bool v2) {
  auto file = service::XetCas(ctx.hub).readable_file(call.xet->repo_uid, call.params.get("file"));
  if (!file) return cas_error(file.status());
  uint64_t first = 0, last = file->size == 0 ? 0 : file->size - 1;
  std::string range = call.request.header("Range");
  if (!range.empty()) {
    auto parsed = parse_simple_range(range);
    if (!parsed) return cas_error(bad_request("Malformed Range header: " + range));
    if (parsed->first >= file->size) {
      return cas_error(
          Status(ErrorKind::kRangeNotSatisfiable, "Range starts at or after the end of the file (" +
                                                      std::to_string(file->size) + " bytes)"));
    }
    first = parsed->first;
    last = std::min(parsed->second, last);
  }
  if (file->size == 0) {
    json out = {{"offset_into_first_range", 0}, {"terms", json::array()}};
    out[v2 ? "xorbs" : "fetch_info"] = json::object();
    return json_response(200, out);
  }
  auto out = reconstruction(ctx, *call.xet, *file, first, last, v2);
  if (!out) return cas_error(out.status());
  return json_response(200, *out);
}

// POST /v1/xorbs/default/{xorb}, /v1/shards, /v2/shards: a Xet write token (the router).
http::Response cas_upload(Context& ctx, Call& call, bool xorb, bool shards_v2) {
  service::XetCas cas(ctx.hub);
  auto declared = call.request.body ? call.request.body->content_length() : std::nullopt;
  if (declared && *declared > xet::kMaxXorbBytes) {
    auto r = cas_error(Status(ErrorKind::kPayloadTooLarge,
                              std::string(xorb ? "Xorb" : "Shard") + " larger than 64 MiB"));
    r.close_connection = true;
    return r;
  }
  XorbBodyBuffer pooled;
  std::string owned;
  std::string_view body;
  if (xorb && declared) {
    auto read = pooled.read(*call.request.body, static_cast<size_t>(*declared));
    if (!read) {
      auto r = cas_error(read.status());
      r.close_connection = true;
      return r;
    }
    body = *read;
  } else {
    auto read = call.request.read_body(xet::kMaxXorbBytes);
    if (!read) {
      auto r = cas_error(read.status());
      r.close_connection = true;
      return r;
    }
    owned = std::move(*read);
    body = owned;
  }
  if (xorb) {
    if (call.params.get("prefix") != "default") {
      return cas_error(bad_request("Expected /v1/xorbs/default/{hash}"));
    }
    auto hash = xet::parse_hash(call.params.get("xorb"));
    if (!hash) return cas_error(bad_request("Malformed xorb hash"));
    auto inserted = cas.put_xorb(*hash, body);
    if (!inserted) return cas_error(inserted.status());
    return json_response(200, json{{"was_inserted", *inserted}});
  }
  // The uploader proved it holds these files' data (verification hashes): its repository
  // may now commit pointers to them.
  auto files = cas.put_shard(call.xet->repo_uid, body);
  if (!files) return cas_error(files.status());
  if (shards_v2) {
    // The streaming variant: NDJSON frames ending in a terminal "result" frame (the shard is
    // verified before the answer starts, so failures are still plain 4xx answers).
    http::Response r;
    r.headers.set("Content-Type", "application/x-ndjson");
    r.body = json{{"type", "validating"}, {"verified", *files}, {"total", *files}}.dump() + "\n" +
             json{{"type", "result"}}.dump() + "\n";
    return r;
  }
  return json_response(200, json{{"result", *files == 0 ? 0 : 1}});
}

}  // namespace

http::Response handle_cas_reconstruction(Context& ctx, Call& call) {
  return reconstruction_of(ctx, call, false);
}

http::Response handle_cas_reconstruction_v2(Context& ctx, Call& call) {
  return reconstruction_of(ctx, call, true);
}

// POST /v1/reconstructions: a batch, whole files, no ranges.
http::Response handle_cas_reconstructions(Context& ctx, Call& call) {
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body || !body->is_array()) {
    return cas_error(bad_request("Expected a JSON array of {\"prefix\", \"hash\"}"));
  }
  json files = json::object();
  json fetch = json::object();
  for (const auto& key : *body) {
    if (!key.is_object() || !key.contains("hash") || !key["hash"].is_string()) {
      return cas_error(bad_request("Expected a JSON array of {\"prefix\", \"hash\"}"));
    }
    std::string hash = key["hash"];
    auto file = service::XetCas(ctx.hub).readable_file(call.xet->repo_uid, hash);
    if (!file) return cas_error(file.status());
    if (file->size == 0) {
      files[hash] = json::array();
      continue;
    }
    auto terms = reconstruction(ctx, *call.xet, *file, 0, file->size - 1, false, &fetch);
    if (!terms) return cas_error(terms.status());
    files[hash] = std::move(*terms);
  }
  return json_response(200, json{{"files", files}, {"fetch_info", fetch}});
}

// GET /v1/chunks/{default|default-merkledb}/{chunk}: global deduplication.
http::Response handle_cas_chunk(Context& ctx, Call& call) {
  const std::string prefix = call.params.get("prefix");
  if (prefix != "default-merkledb" && prefix != "default") {
    return cas_error(bad_request("Unknown prefix '" + prefix + "'"));
  }
  auto hash = xet::parse_hash(call.params.get("chunk"));
  if (!hash) return cas_error(bad_request("Malformed chunk hash"));
  auto shard =
      service::XetCas(ctx.hub).dedup_shard(*hash, now_s() + ctx.hub.config().xet_token_ttl_seconds);
  if (!shard) return cas_error(not_found("Chunk not known to global deduplication"));
  http::Response r;
  r.headers.set("Content-Type", "application/octet-stream");
  r.body = std::move(*shard);
  return r;
}

http::Response handle_cas_xorb(Context& ctx, Call& call) {
  return cas_upload(ctx, call, true, false);
}

http::Response handle_cas_shard(Context& ctx, Call& call) {
  return cas_upload(ctx, call, false, false);
}

http::Response handle_cas_shard_v2(Context& ctx, Call& call) {
  return cas_upload(ctx, call, false, true);
}

http::Response handle_cas_file_chunk_hashes(Context& ctx, Call&) {
  if (!ctx.hub.config().xet_enabled) {
    return cas_error(Status(ErrorKind::kNotImplemented, "Xet is disabled on this hub"));
  }
  return cas_error(Status(ErrorKind::kNotImplemented,
                          "Range edits of Xet files (file-chunk-hashes) are not supported yet; "
                          "upload the whole file"));
}

http::Response handle_xorb_data(Context& ctx, Call& call) {
  XorbGrant grant;
  grant.xorb = call.params.get("xorb");
  grant.range = call.query.get("range").value_or("");
  grant.repo_uid = call.query.get("repo").value_or("");
  grant.user = call.query.get("user").value_or("");
  grant.file = call.query.get("file").value_or("");
  uint64_t expires = 0, token_id = 0;
  if (!util::parse_u64(call.query.get("expires").value_or(""), &expires) ||
      !util::parse_u64(call.query.get("token").value_or(""), &token_id) || expires > INT64_MAX ||
      token_id > INT64_MAX) {
    return cas_error(forbidden("Missing or malformed signature"));
  }
  grant.expires = static_cast<int64_t>(expires);
  grant.token_id = static_cast<int64_t>(token_id);
  if (grant.expires < now_s()) {
    return cas_error(forbidden("This xorb URL has expired; fetch a new reconstruction"));
  }
  if (!util::constant_time_equals(xorb_signature(ctx, grant),
                                  call.query.get("signature").value_or(""))) {
    return cas_error(forbidden("Invalid signature for this xorb URL"));
  }
  // Re-checked on every use, like the Xet token it came from (RepoService::check_grant).
  if (auto st = ctx.repos.check_grant(grant.repo_uid, grant.user, grant.token_id, false); !st) {
    return cas_error(st);
  }
  if (!service::XetCas(ctx.hub).readable_file(grant.repo_uid, grant.file)) {
    return cas_error(Status(ErrorKind::kUnauthorized,
                            "This grant no longer gives access (the repository no longer holds "
                            "the file); ask for a new one"));
  }
  const std::string& hash_text = grant.xorb;
  const std::string& range = grant.range;
  // Only the signed range may be read (the Range header must name exactly it).
  if (call.request.header("Range") != "bytes=" + range) {
    return cas_error(forbidden("The Range header must be bytes=" + range));
  }
  auto parsed = parse_simple_range("bytes=" + range);
  if (!parsed) return cas_error(forbidden("Malformed signed range"));
  auto hash = xet::parse_hash(hash_text);
  if (!hash) return cas_error(bad_request("Malformed xorb hash"));
  auto opened = service::XetCas(ctx.hub).open_xorb(*hash);
  if (!opened) return cas_error(opened.status());
  int fd = *opened;
  struct stat st {};
  ::fstat(fd, &st);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (parsed->first >= size) {
    ::close(fd);
    return cas_error(Status(ErrorKind::kRangeNotSatisfiable, "Range outside the xorb"));
  }
  uint64_t last = std::min(parsed->second, size - 1);
  http::Response r;
  r.status = 206;
  r.headers.set("Content-Type", "application/octet-stream");
  r.headers.set("Content-Range", "bytes " + std::to_string(parsed->first) + "-" +
                                     std::to_string(last) + "/" + std::to_string(size));
  r.headers.set("Cache-Control", "private, max-age=3600, immutable");
  r.body = http::make_file_body(fd, parsed->first, last - parsed->first + 1);
  return r;
}

}  // namespace vitrine::api
