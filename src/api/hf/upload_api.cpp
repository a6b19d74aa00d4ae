// Uploads: preupload, the NDJSON commit endpoint, the LFS batch API and the signed object
// URLs it hands out (basic PUT, multipart parts and completion, verify, download).
#include <algorithm>
#include <charconv>

#include "api/api.hpp"
#include "api/hf/object_body.hpp"
#include "api/xet/xet_api.hpp"
#include "formats/git/git_patterns.hpp"
#include "formats/hub/upload_mode.hpp"
#include "service/commits/commit_builder.hpp"
#include "service/commits/object_links.hpp"
#include "service/repos/revision_reader.hpp"
#include "util/concurrency_limit.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace vitrine::api {
namespace {

using nlohmann::json;

constexpr const char* kLfsContentType = "application/vnd.git-lfs+json";

// A line of a commit body costs up to about five times its bytes while it is read and parsed
// (the buffer, the JSON document, the decoded content): lines past kLargeLine are read and
// parsed at most kMaxLargeLines at once and one per caller (user, or client address) at a
// time (a caller's second waits for the first); a request that waits kLargeLineWait for its
// turn gets 429. A line holding a turn must keep arriving: within kLargeLineGrace plus one second
// per kLargeLineMinRate bytes of it, or the request gets 408 (a client trickling bytes cannot
// keep the turns). Smaller lines are not limited.
constexpr size_t kLargeLine = 1u << 20;
constexpr std::ptrdiff_t kMaxLargeLines = 2;
constexpr auto kLargeLineWait = std::chrono::seconds(10);
constexpr auto kLargeLineGrace = std::chrono::seconds(10);
constexpr size_t kLargeLineMinRate = 256u << 10;  // bytes per second

util::FairLimit& large_line_slots() {
  static util::FairLimit slots(kMaxLargeLines);
  return slots;
}

// Splits the request body into lines without holding more than one line at a time. A line
// keeps its large-line slot (if it took one) until the next line is asked for.
class LineReader {
 public:
  LineReader(http::BodyReader* body, size_t max_total, size_t max_line, std::string caller)
      : body_(body), max_total_(max_total), max_line_(max_line), caller_(std::move(caller)) {}
  ~LineReader() { release_turn(); }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  // nullopt at the end of the body.
  Result<std::optional<std::string>> next() {
    release_turn();  // the caller is done with the previous line
    while (true) {
      auto newline = buffer_.find('\n', scan_from_);
      if (newline != std::string::npos) {
        std::string rest = buffer_.substr(newline + 1);
        std::string line = std::move(buffer_);  // no copy of a large line
        line.resize(newline);
        buffer_ = std::move(rest);
        scan_from_ = 0;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        return std::optional<std::string>(std::move(line));
      }
      scan_from_ = buffer_.size();
      if (buffer_.size() > max_line_) {
        return Status(ErrorKind::kPayloadTooLarge,
                      "A line of the commit body exceeds " + std::to_string(max_line_) + " bytes");
      }
      if (buffer_.size() > kLargeLine && !permit_) {
        permit_ = large_line_slots().try_take(caller_, kLargeLineWait);
        if (!permit_->held()) {
          return Status(ErrorKind::kTooManyRequests,
                        "Too many large commit lines are being read at once; retry in a few "
                        "seconds, or upload large files through LFS");
        }
        turn_since_ = std::chrono::steady_clock::now();
      }
      // A line holding a turn must keep arriving: the reads themselves stop at its deadline,
      // which grows with what has arrived (a client that stops sending is cut there too).
      auto deadline = [&] {
        return turn_since_ + kLargeLineGrace +
               std::chrono::seconds((buffer_.size() + kChunk) / kLargeLineMinRate);
      };
      auto too_slow = [] {
        return Status(ErrorKind::kRequestTimeout,
                      "A large line of the commit body arrived too slowly (under " +
                          std::to_string(kLargeLineMinRate >> 10) +
                          " KiB/s); upload large files through LFS");
      };
      if (permit_ && std::chrono::steady_clock::now() > deadline()) return too_slow();
      if (permit_ && body_) body_->set_deadline(deadline());
      if (!body_ || body_->done()) {
        if (buffer_.empty()) return std::optional<std::string>();
        std::string line = std::move(buffer_);
        buffer_.clear();
        return std::optional<std::string>(std::move(line));
      }
      char chunk[kChunk];
      auto n = body_->read_some(chunk, sizeof chunk);
      if (!n)
        return permit_ && std::chrono::steady_clock::now() >= deadline() ? too_slow() : n.status();
      if (*n == 0 && body_->done()) continue;
      total_ += *n;
      if (total_ > max_total_) {
        return Status(ErrorKind::kPayloadTooLarge,
                      "Commit body exceeds " + std::to_string(max_total_) + " bytes");
      }
      buffer_.append(chunk, *n);
    }
  }

 private:
  http::BodyReader* body_;
  size_t max_total_;
  size_t max_line_;
  size_t total_ = 0;
  size_t scan_from_ = 0;
  std::string buffer_;
  static constexpr size_t kChunk = 64 * 1024;
  void release_turn() {
    if (permit_ && body_) body_->set_deadline(std::nullopt);
    permit_.reset();
    turn_since_ = {};
  }
  std::string caller_;
  std::unique_ptr<util::FairLimit::Turn> permit_;
  std::chrono::steady_clock::time_point turn_since_;
};

http::Response lfs_json(int status, const json& body) {
  auto r = json_response(status, body);
  r.headers.set("Content-Type", kLfsContentType);
  return r;
}

}  // namespace

http::Response lfs_error(const Status& st, const service::Caller& caller) {
  auto r = error_response(st, caller);
  r.body = json{{"message", st.message()}}.dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.set("Content-Type", kLfsContentType);
  if (r.status == 401) {
    r.headers.set("LFS-Authenticate", "Basic realm=\"Vitrine\"");
    r.headers.set("WWW-Authenticate", "Basic realm=\"Vitrine\"");
  }
  return r;
}

namespace {

// What a signed object URL grants: one action on one object, for one repository. The URL's
// path names the object (objects/{oid}/{size}, parts/.../{n}, complete, verify); the grant
// also names the method for objects/, so an upload URL (PUT) never downloads (GET) and a
// download URL never uploads. The repository's uid is signed in too: an upload links the object
// to the repository it was made for (what lets a commit there name it).
std::string object_grant(const std::string& path_action, const std::string& method) {
  if (path_action != "objects") return path_action;
  return method == "PUT" ? "objects:upload" : "objects:download";
}

// A download URL also names who it was handed to (user, access token id) and is re-checked
// on each use like a Xet token (RepoService::check_grant); upload URLs need not be: they only
// take bytes, which are verified.
std::string signed_url(Context& ctx, const std::string& repo_uid, const std::string& action,
                       const std::string& method, const std::string& oid, uint64_t size,
                       int64_t expires, const std::string& extra_path = "",
                       const service::Caller* reader = nullptr) {
  std::string grant = object_grant(action, method) + extra_path + "|" + repo_uid;
  std::string reader_query;
  if (reader) {
    std::string user = reader->user ? reader->user->name : "";
    grant += "|" + user + "|" + std::to_string(reader->token_id);
    reader_query = "&user=" + util::percent_encode_component(user) +
                   "&token=" + std::to_string(reader->token_id);
  }
  return ctx.hub.config().public_url + "/api/vitrine/lfs/" + action + "/" + oid + "/" +
         std::to_string(size) + extra_path + "?exp=" + std::to_string(expires) +
         "&repo=" + repo_uid + reader_query + "&sig=" + ctx.lfs.sign(grant, oid, size, expires);
}

service::ByteSource body_source(http::Request& request) {
  return [&request](char* buffer, size_t n) -> Result<size_t> {
    if (!request.body) return size_t{0};
    return request.body->read_some(buffer, n);
  };
}

// The router found the repository with read access: opening a pull request (create_pr=1)
// needs no more; anything else needs write access.
Status check_commit_access(Context& ctx, const Call& call) {
  if (call.query.flag("create_pr")) return Status::ok();
  return ctx.repos.check_access(call.repo->record, call.caller, service::AccessLevel::kWrite);
}

}  // namespace

http::Response handle_preupload(Context& ctx, Call& call) {
  if (auto st = check_commit_access(ctx, call); !st) return error_response(st, call.caller);
  const service::RepoRef& repo = *call.repo;
  auto git = ctx.hub.open_git(repo.record);
  if (!git) return error_response(git.status(), call.caller);
  auto rev = ctx.contents.resolve(*git, call.params.get("rev"));  // the route names one
  if (!rev) return error_response(rev.status(), call.caller);
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return error_response(body.status(), call.caller);
  if (!body->is_object() || !body->contains("files") || !(*body)["files"].is_array()) {
    return error_response(bad_request("Expected {\"files\": [...]}"), call.caller);
  }
  std::string attributes_text =
      body->contains("gitAttributes") && (*body)["gitAttributes"].is_string()
          ? (*body)["gitAttributes"].get<std::string>()
          : service::small_file_text(*git, rev->commit, ".gitattributes");
  std::string ignore_text = body->contains("gitIgnore") && (*body)["gitIgnore"].is_string()
                                ? (*body)["gitIgnore"].get<std::string>()
                                : service::small_file_text(*git, rev->commit, ".gitignore");
  auto attributes = service::GitAttributes::parse(attributes_text);
  auto ignore = service::GitIgnore::parse(ignore_text);
  json files = json::array();
  for (const auto& f : (*body)["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string()) {
      return error_response(bad_request("Each file needs a 'path'"), call.caller);
    }
    std::string path = f["path"];
    uint64_t size =
        f.contains("size") && f["size"].is_number_unsigned() ? f["size"].get<uint64_t>() : 0;
    std::string sample;
    if (f.contains("sample") && f["sample"].is_string()) {
      sample = util::base64_decode(f["sample"].get<std::string>()).value_or("");
    }
    auto mode = service::classify_upload(path, size, sample, attributes);
    json item = {{"path", path},
                 {"uploadMode", mode == service::UploadMode::kLfs ? "lfs" : "regular"},
                 {"shouldIgnore", ignore.is_ignored(path)}};
    if (auto existing = ctx.contents.entry_at(*git, rev->commit, path);
        existing && existing->has_value() && !(*existing)->git.is_dir) {
      item["oid"] = (*existing)->lfs ? (*existing)->lfs->oid : (*existing)->git.oid;
    }
    files.push_back(std::move(item));
  }
  return json_response(200, json{{"files", files}, {"commitOid", rev->commit}});
}

http::Response handle_commit(Context& ctx, Call& call) {
  if (auto st = check_commit_access(ctx, call); !st) return error_response(st, call.caller);
  const service::RepoRef& repo = *call.repo;
  const auto& config = ctx.hub.config();
  LineReader lines(call.request.body, config.max_commit_body, config.max_commit_line,
                   caller_key(call));
  auto first = lines.next();
  if (!first) return error_response(first.status(), call.caller);
  if (!first->has_value()) return error_response(bad_request("Empty commit body"), call.caller);
  auto header = service::parse_commit_header(**first);
  if (!header) return error_response(header.status(), call.caller);

  service::CommitBuilder builder(ctx.hub, repo.record, call.caller);
  if (auto st = builder.begin(); !st) return error_response(st, call.caller);
  while (true) {
    auto line = lines.next();
    if (!line) return error_response(line.status(), call.caller);
    if (!line->has_value()) break;
    auto op = service::parse_commit_operation(**line);
    if (!op) return error_response(op.status(), call.caller);
    if (auto st = builder.add(std::move(*op)); !st) return error_response(st, call.caller);
  }
  const std::string revision = call.params.get("rev");  // the route names one
  bool create_pr = call.query.flag("create_pr");
  auto outcome = builder.finish(*header, revision, create_pr);
  if (!outcome) return error_response(outcome.status(), call.caller);
  std::string base = repo_url(ctx, repo.record.type, repo.record.id());
  json out = {{"commitOid", outcome->commit},
              {"commitUrl", base + "/commit/" + outcome->commit},
              {"hookOutput", ""},
              {"success", true}};
  if (outcome->pull_request) {
    out["pullRequestUrl"] = base + "/discussions/" + std::to_string(*outcome->pull_request);
  }
  return json_response(200, out);
}

http::Response handle_lfs_batch(Context& ctx, Call& call) {
  auto body = read_json(call, ctx.hub.config().max_json_body);
  if (!body) return lfs_error(body.status(), call.caller);
  if (!body->is_object() || !body->contains("objects") || !(*body)["objects"].is_array()) {
    return lfs_error(bad_request("Expected {\"operation\", \"objects\": [...]}"), call.caller);
  }
  if ((*body)["objects"].size() > ctx.hub.config().max_lfs_batch_objects) {
    return lfs_error(
        Status(ErrorKind::kPayloadTooLarge,
               "A batch may list at most " +
                   std::to_string(ctx.hub.config().max_lfs_batch_objects) + " objects; split it"),
        call.caller);
  }
  std::string operation = body->value("operation", "");
  if (operation != "upload" && operation != "download") {
    return lfs_error(unprocessable("operation must be upload or download"), call.caller);
  }
  // Objects are content-addressed: anyone who can read may upload (a pull request from a
  // read token uploads first, with no ref); a push to a named ref needs write access.
  bool has_ref = body->contains("ref") && (*body)["ref"].is_object();
  const service::RepoRef* repo = &*call.repo;  // found by the router with read access
  if (operation == "upload" && has_ref) {
    if (auto st = ctx.repos.check_access(repo->record, call.caller, service::AccessLevel::kWrite);
        !st) {
      return lfs_error(st, call.caller);
    }
  }
  if (operation == "download") {
    if (auto st = ctx.repos.check_file_access(repo->record, call.caller); !st) {
      return lfs_error(st, call.caller);
    }
  }
  if (operation == "upload" && !call.caller.authenticated()) {
    return lfs_error(Status(ErrorKind::kUnauthorized, "Authentication required to upload"),
                     call.caller);
  }
  bool multipart_offered = false, xet_offered = false;
  if (body->contains("transfers") && (*body)["transfers"].is_array()) {
    for (const auto& t : (*body)["transfers"]) {
      multipart_offered |= t == "multipart";
      xet_offered |= t == "xet";
    }
  }
  // Xet-capable clients upload through the CAS API: the batch answers "xet" with a write token.
  bool use_xet = xet_offered && operation == "upload" && ctx.hub.config().xet_enabled;
  std::optional<XetToken> xet_token;
  const auto& config = ctx.hub.config();
  int64_t expires = util::now_ms() / 1000 + config.signed_url_ttl_seconds;
  service::ObjectLinks objects_of(ctx.hub);
  bool used_multipart = false;
  size_t parts_signed = 0;  // bounded by max_lfs_batch_parts: the answer's size is bounded
  json objects = json::array();
  for (const auto& o : (*body)["objects"]) {
    std::string oid = o.is_object() ? o.value("oid", "") : "";
    json item = {{"oid", oid}};
    if (!o.is_object() || !o.contains("size") || !o["size"].is_number_integer() ||
        o["size"].get<int64_t>() < 0) {
      item["size"] = 0;
      item["error"] = {{"code", 422}, {"message", "Invalid size"}};
      objects.push_back(item);
      continue;
    }
    uint64_t size = o["size"].get<uint64_t>();
    item["size"] = size;
    if (!util::is_lower_hex(oid, 64)) {
      item["error"] = {{"code", 422}, {"message", "Invalid oid: expected 64 lowercase hex digits"}};
    } else if (operation == "download") {
      // Only objects this repository's commits reference: an oid alone grants nothing.
      auto stored = objects_of.stored_size(oid);
      if (!stored || *stored != size || !objects_of.named_by(repo->record.uid, oid)) {
        item["error"] = {{"code", 404}, {"message", "Object does not exist"}};
      } else {
        item["authenticated"] = true;
        item["actions"] = {{"download",
                            {{"href", signed_url(ctx, repo->record.uid, "objects", "GET", oid, size,
                                                 expires, "", &call.caller)},
                             {"header", json::object()},
                             {"expires_in", config.signed_url_ttl_seconds}}}};
      }
    } else if (size > config.max_lfs_object) {
      item["error"] = {{"code", 422}, {"message", "Object larger than this hub accepts"}};
    } else if (auto stored = objects_of.stored_size(oid);
               stored && *stored == size &&
               objects_of.may_reference(ctx.repos, repo->record, call.caller, oid)) {
      // Already stored: no actions, the client skips the upload.
    } else if (use_xet) {
      item["authenticated"] = true;
      std::string ref = has_ref ? (*body)["ref"].value("name", "main") : "None";
      if (ref.starts_with("refs/heads/")) ref = ref.substr(11);
      if (!xet_token) xet_token = issue_xet_token(ctx, call.caller, repo->record.uid, true, ref);
      item["actions"] = {{"upload",
                          {{"href", config.public_url + "/api/" + domain::plural(*call.type) + "/" +
                                        repo->record.id() + "/xet-write-token/" +
                                        util::percent_encode_component(ref)},
                           {"header",
                            {{"X-Xet-Cas-Url", xet_token->cas_url},
                             {"X-Xet-Access-Token", xet_token->token},
                             {"X-Xet-Token-Expiration", std::to_string(xet_token->expires)}}},
                           {"expires_in", config.xet_token_ttl_seconds}}}};
    } else {
      item["authenticated"] = true;
      json upload;
      uint64_t chunk = config.multipart_chunk_size;
      uint64_t parts = (size + chunk - 1) / chunk;
      bool multipart = multipart_offered && size > config.multipart_threshold;
      if (multipart && parts_signed + parts > config.max_lfs_batch_parts) {
        item.erase("authenticated");
        item["error"] = {{"code", 413},
                         {"message", "This batch's answer would carry more than " +
                                         std::to_string(config.max_lfs_batch_parts) +
                                         " part URLs; ask for this object in another batch"}};
        objects.push_back(std::move(item));
        continue;
      }
      if (multipart) {
        used_multipart = true;
        parts_signed += parts;
        json header = {{"chunk_size", std::to_string(chunk)}};
        for (uint64_t i = 1; i <= parts; ++i) {
          char key[16];
          std::snprintf(key, sizeof key, "%05llu", static_cast<unsigned long long>(i));
          header[key] = signed_url(ctx, repo->record.uid, "parts", "PUT", oid, size, expires,
                                   "/" + std::to_string(i));
        }
        upload = {
            {"href", signed_url(ctx, repo->record.uid, "complete", "POST", oid, size, expires)},
            {"header", header},
            {"expires_in", config.signed_url_ttl_seconds}};
      } else {
        upload = {{"href", signed_url(ctx, repo->record.uid, "objects", "PUT", oid, size, expires)},
                  {"expires_in", config.signed_url_ttl_seconds}};
      }
      item["actions"] = {
          {"upload", upload},
          {"verify",
           {{"href", signed_url(ctx, repo->record.uid, "verify", "POST", oid, size, expires)},
            {"expires_in", config.signed_url_ttl_seconds}}}};
    }
    objects.push_back(std::move(item));
  }
  return lfs_json(200, json{{"transfer", use_xet          ? "xet"
                                         : used_multipart ? "multipart"
                                                          : "basic"},
                            {"objects", objects},
                            {"hash_algo", "sha256"}});
}

http::Response handle_lfs_locks(Context&, Call& call) {
  // The router found the repository (read access). No lock support: 501 makes git-lfs disable lock
  // verification silently.
  return lfs_error(Status(ErrorKind::kNotImplemented, "File locking is not supported"),
                   call.caller);
}

namespace {

// /api/vitrine/lfs/{action}/{oid}/{size}[/{part}], action: objects, parts, complete, verify.
http::Response lfs_object(Context& ctx, Call& call, const std::string& action) {
  const std::string oid = call.params.get("oid");
  const std::string part_text = call.params.get("part");
  const bool whole = part_text.empty();
  uint64_t size = 0;
  if (!util::parse_u64(call.params.get("size"), &size) || !util::is_lower_hex(oid, 64)) {
    return error_response(bad_request("Malformed LFS object URL"), call.caller);
  }
  int64_t expires = 0;
  auto exp_text = call.query.get("exp").value_or("");
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), expires);
  const std::string& method = call.request.method;
  std::string signed_action = object_grant(action, method);
  if (!whole) signed_action += "/" + part_text;
  std::string repo_uid = call.query.get("repo").value_or("");
  signed_action += "|" + repo_uid;
  const bool download = action == "objects" && (method == "GET" || method == "HEAD");
  std::string reader = call.query.get("user").value_or("");
  int64_t reader_token = 0;
  if (download) {
    uint64_t id = 0;
    if (!util::parse_u64(call.query.get("token").value_or(""), &id) || id > INT64_MAX) {
      return error_response(forbidden("Invalid signature for this object URL"), call.caller);
    }
    reader_token = static_cast<int64_t>(id);
    signed_action += "|" + reader + "|" + std::to_string(reader_token);
  }
  if (auto st = ctx.lfs.check_signature(signed_action, oid, size, expires,
                                        call.query.get("sig").value_or(""));
      !st) {
    return error_response(st, call.caller);
  }
  if (action == "objects" && whole && method == "PUT") {
    if (auto len = call.request.body ? call.request.body->content_length() : std::nullopt;
        len && *len != size) {
      return error_response(
          unprocessable("Content-Length " + std::to_string(*len) +
                        " does not match the object size " + std::to_string(size)),
          call.caller);
    }
    auto st = ctx.lfs.store_object(oid, size, body_source(call.request));
    if (st) st = service::ObjectLinks(ctx.hub).link_upload(repo_uid, oid);
    if (!st) return error_response(st, call.caller);
    return json_response(200, json::object());
  }
  if (download && whole) {
    // Who it was handed to must still read the repository, and the repository still hold it.
    if (auto st = ctx.repos.check_grant(repo_uid, reader, reader_token, false); !st) {
      return error_response(st, call.caller);
    }
    service::ObjectLinks objects(ctx.hub);
    if (!objects.holds(repo_uid, oid)) {
      return error_response(not_found("Object " + oid + " is not in this repository"), call.caller);
    }
    auto content = objects.open(oid, false);
    if (!content) return error_response(content.status(), call.caller);
    http::Response r;
    r.headers.set("Content-Type", "application/octet-stream");
    r.headers.set("ETag", "\"" + oid + "\"");
    r.body = object_body(content->read(0, content->size));
    return r;
  }
  if (action == "parts" && !whole && method == "PUT") {
    uint64_t part = 0;
    uint64_t chunk = ctx.hub.config().multipart_chunk_size;
    uint64_t parts = (size + chunk - 1) / chunk;
    if (!util::parse_u64(part_text, &part) || part < 1 || part > parts) {
      return error_response(bad_request("Invalid part number"), call.caller);
    }
    uint64_t part_size = part < parts ? chunk : size - (parts - 1) * chunk;
    auto etag = ctx.lfs.store_part(repo_uid, oid, size, static_cast<int>(part), part_size,
                                   body_source(call.request));
    if (!etag) return error_response(etag.status(), call.caller);
    auto r = json_response(200, json::object());
    r.headers.set("ETag", *etag);
    return r;
  }
  if (action == "complete" && whole && method == "POST") {
    auto body = read_json(call, ctx.hub.config().max_json_body);
    if (!body) return error_response(body.status(), call.caller);
    std::vector<std::pair<int, std::string>> parts;
    if (body->contains("parts") && (*body)["parts"].is_array()) {
      for (const auto& p : (*body)["parts"]) {
        if (!p.is_object() || !p.contains("partNumber") || !p["partNumber"].is_number_integer()) {
          return error_response(bad_request("Each part needs partNumber and etag"), call.caller);
        }
        parts.emplace_back(p["partNumber"].get<int>(), p.value("etag", ""));
      }
    }
    std::sort(parts.begin(), parts.end());
    auto st = ctx.lfs.complete_multipart(repo_uid, oid, size, parts);
    if (st) st = service::ObjectLinks(ctx.hub).link_upload(repo_uid, oid);
    if (!st) return error_response(st, call.caller);
    return json_response(200, json::object());
  }
  if (action == "verify" && whole && method == "POST") {
    // The same answer whether the object is absent or stored for someone else: a verify URL
    // (which any reader can obtain for any oid) must not tell whether a hash is stored.
    service::ObjectLinks objects(ctx.hub);
    auto stored = objects.stored_size(oid);
    if (!stored || !objects.holds(repo_uid, oid)) {
      return lfs_error(not_found("Object " + oid + " was not uploaded"), call.caller);
    }
    if (*stored != size) return lfs_error(unprocessable("Object size mismatch"), call.caller);
    return lfs_json(200, json::object());
  }
  return error_response(not_found("Unknown LFS object URL"), call.caller);
}

}  // namespace

http::Response handle_lfs_object(Context& ctx, Call& call) {
  return lfs_object(ctx, call, "objects");
}

http::Response handle_lfs_part(Context& ctx, Call& call) {
  return lfs_object(ctx, call, "parts");
}

http::Response handle_lfs_complete(Context& ctx, Call& call) {
  return lfs_object(ctx, call, "complete");
}

http::Response handle_lfs_verify(Context& ctx, Call& call) {
  return lfs_object(ctx, call, "verify");
}

}  // namespace vitrine::api
