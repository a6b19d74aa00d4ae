// Downloads: /{prefix}{ns}/{name}/resolve|raw/{rev}/{path}. Every answer carries the
// metadata headers the clients build their caches from (X-Repo-Commit, ETag/X-Linked-Etag,
// sizes); LFS content is sent with sendfile from the object store, never read into memory.

#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/hf/object_body.hpp"
#include "api/xet/xet_api.hpp"
#include "service/commits/object_links.hpp"
#include "service/repos/download_counter.hpp"
#include "service/repos/revision_reader.hpp"
#include "util/encoding.hpp"

namespace vitrine::api {
namespace {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

// Parses a single-range `bytes=` header against `size`. nullopt: no usable Range (serve
// 200); an error Status: unsatisfiable (416).
Result<std::optional<ByteRange>> parse_range(std::string_view header, uint64_t size) {
  using R = std::optional<ByteRange>;
  if (header.empty()) return R();
  if (!header.starts_with("bytes=")) return R();
  header.remove_prefix(6);
  if (header.find(',') != std::string_view::npos) return R();  // multi-range: whole body
  auto dash = header.find('-');
  if (dash == std::string_view::npos) return R();
  auto number = util::parse_u64;
  std::string_view a = header.substr(0, dash), b = header.substr(dash + 1);
  uint64_t first = 0, last = 0;
  Status unsatisfiable(ErrorKind::kRangeNotSatisfiable,
                       "Requested range not satisfiable: bytes=" + std::string(header) + " of " +
                           std::to_string(size) + " bytes");
  if (a.empty()) {  // suffix: last n bytes
    uint64_t n = 0;
    if (!number(b, &n)) return R();
    if (n == 0 || size == 0) return unsatisfiable;
    n = std::min(n, size);
    return R(ByteRange{size - n, size - 1});
  }
  if (!number(a, &first)) return R();
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else {
    if (!number(b, &last) || last < first) return R();
    if (size > 0) last = std::min(last, size - 1);
  }
  if (first >= size) return unsatisfiable;
  return R(ByteRange{first, last});
}

bool etag_matches(std::string_view if_none_match, const std::string& etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  auto bare = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.starts_with("W/")) s.remove_prefix(2);
    return s;
  };
  size_t start = 0;
  while (start <= if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    if (bare(if_none_match.substr(start, comma - start)) == etag) return true;
    start = comma + 1;
  }
  return false;
}

constexpr size_t kSniffBytes = 8000;
bool looks_binary(std::string_view bytes) {
  return bytes.substr(0, kSniffBytes).find('\0') != std::string_view::npos;
}

// Git blobs up to this size are read into memory and sent in one write; larger ones stream.
constexpr uint64_t kInlineBlobBytes = 1u << 20;

// The first `n` bytes of a git blob, read through `git cat-file` (which is then stopped).
Result<std::string> blob_prefix(Context& ctx, const domain::RepoRecord& repo,
                                const std::string& oid, size_t n) {
  auto child = ctx.git.cat_blob(repo, oid);
  if (!child) return child.status();
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = child->read_stdout(out.data() + got, n - got);
    if (r < 0) return internal_error("reading blob " + oid + " from git failed");
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;  // ~Subprocess stops and reaps git cat-file
}

// Bytes [offset, offset + length) of a git blob, produced from `git cat-file` 64 KiB at a time.
http::StreamBody blob_stream(Context& ctx, const domain::RepoRecord& repo, const std::string& oid,
                             uint64_t offset, uint64_t length) {
  http::StreamBody body;
  body.length = length;
  body.produce = [&ctx, repo, oid, offset,
                  length](const std::function<bool(std::string_view)>& write) {
    auto child = ctx.git.cat_blob(repo, oid);
    if (!child) return false;
    std::vector<char> buffer(64 * 1024);
    uint64_t position = 0, sent = 0;
    while (sent < length) {
      ssize_t n = child->read_stdout(buffer.data(), buffer.size());
      if (n <= 0) break;
      uint64_t begin = position, end = position + static_cast<uint64_t>(n);
      position = end;
      if (end <= offset) continue;
      uint64_t from = begin < offset ? offset - begin : 0;
      uint64_t take = std::min<uint64_t>(end - begin - from, length - sent);
      if (!write(std::string_view(buffer.data() + from, take))) return true;  // client gone
      sent += take;
    }
    return sent == length;  // ~Subprocess stops and reaps git cat-file
  };
  return body;
}

// Counts the request toward a download of the repository (service::DownloadCounter: one per
// series of requests by a requester; written to the database in the background) when it is one
// by service::counts_as_download. The requester is the signed-in user, or the IP of an anonymous
// caller. `raw` answers (the git bytes, what the web interface's file viewer reads) and images
// shown in pages never count.
void count_download(Context& ctx, const Call& call, const domain::RepoRecord& record, int status,
                    bool raw, const std::string& path) {
  if (raw || !service::counts_as_download(call.request.method, status, path)) return;
  // An image a browser shows (a card's or a rendered file's relative <img>) is not a download.
  if (call.request.header("Sec-Fetch-Dest") == "image") return;
  ctx.hub.downloads().record(record.uid, call.caller.user ? "user:" + call.caller.user->name
                                                          : "ip:" + call.request.remote_address);
}

// The router found the repository and checked its gate (the route's "files" access).
http::Response download(Context& ctx, Call& call, bool raw) {
  const service::RepoRef* repo = &*call.repo;
  const std::vector<std::string> rest = call.params.segments_from("rev");
  if (repo->redirected) {
    // Relative, so Python keeps its Authorization header and follows it on HEAD too.
    http::Response r;
    r.status = 307;
    std::string location =
        "/" + domain::url_prefix(*call.type) + repo->record.id() + "/" + (raw ? "raw" : "resolve");
    for (const auto& s : rest) location += "/" + util::percent_encode_component(s);
    r.headers.set("Location", location);
    r.body = std::string();
    return r;
  }
  const auto& record = repo->record;
  auto git = ctx.hub.open_git(record);
  if (!git) return error_response(git.status(), call.caller);
  auto found = ctx.contents.file_at_segments(*git, rest);
  if (!found) return error_response(found.status(), call.caller);
  const std::string& commit = found->revision.commit;
  const std::string& path = found->path;
  if (!found->file) {
    auto r = error_response(found->not_found(), call.caller);
    r.headers.set("X-Repo-Commit", commit);
    return r;
  }
  const service::FileEntry& file = *found->file;
  bool serve_lfs = file.lfs && !raw;

  http::Response r;
  r.headers.set("X-Repo-Commit", commit);
  r.headers.set("Accept-Ranges", "bytes");
  std::string etag;
  uint64_t size = 0;
  std::optional<service::OpenedObject> content;  // an LFS file
  std::optional<std::string> xet_hash;           // when the file opened from its Xet terms
  std::string blob;
  std::string streamed_blob;  // the oid of a large git blob streamed from git
  service::ObjectLinks objects(ctx.hub);
  if (serve_lfs && !objects.holds(record.uid, file.lfs->oid)) {
    // Every write path refuses a pointer to an object the repository does not hold; this
    // check keeps a pointer that got in some other way (an older release, a hand-edited
    // repository) from serving another repository's object by its hash. A replaced Parquet
    // export's commit, read by its id after `vitrine gc` took its links back, lands here too:
    // anyone may ask for one, so it is no warning (a log line per request).
    spdlog::debug("{}: {} points to LFS object {} that the repository does not hold", record.id(),
                  path, file.lfs->oid);
    auto r = error_response(found->not_found(), call.caller);
    r.headers.set("X-Repo-Commit", commit);
    return r;
  }
  if (serve_lfs) {
    etag = "\"" + file.lfs->oid + "\"";
    r.headers.set("X-Linked-Etag", etag);
    r.headers.set("X-Linked-Size", std::to_string(file.lfs->size));
    auto opened = objects.open(file.lfs->oid, ctx.hub.config().xet_enabled);
    if (!opened) {
      return error_response(
          internal_error("LFS object " + file.lfs->oid + " is missing from the store"),
          call.caller);
    }
    content = std::move(*opened);
    xet_hash = content->xet_hash;
    size = content->size;
    r.headers.set("Content-Type", "application/octet-stream");
  } else if (file.git.size > kInlineBlobBytes) {
    // Large files in git are streamed from `git cat-file`; only the first bytes are read to
    // tell text from binary (HEAD reads nothing more).
    etag = "\"" + file.git.oid + "\"";
    size = file.git.size;
    streamed_blob = file.git.oid;  // its Content-Type is sniffed below, unless 304
  } else {
    etag = "\"" + file.git.oid + "\"";
    auto content = service::read_blob(*git, file.git.oid);
    if (!content) return error_response(content.status(), call.caller);
    blob = std::move(*content);
    size = blob.size();
    r.headers.set("Content-Type",
                  looks_binary(blob) ? "application/octet-stream" : "text/plain; charset=utf-8");
  }
  auto name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  r.headers.set("Content-Disposition",
                "inline; filename*=UTF-8''" + util::percent_encode_component(name));
  r.headers.set("ETag", etag);
  r.headers.set("Cache-Control", "private, max-age=0, must-revalidate");
  if (xet_hash) {
    auto links = xet_file_links(ctx, *call.type, record.id(), commit, *xet_hash);
    add_xet_headers(r, links);
    // @huggingface/hub asks for the Xet file info instead of the bytes.
    if (call.request.header("Accept").find("application/vnd.xet-fileinfo+json") !=
        std::string::npos) {
      r.headers.set("Content-Type", "application/vnd.xet-fileinfo+json");
      // The client fetches the bytes from the Xet CAS next: this answer is the download.
      count_download(ctx, call, record, r.status, raw, path);
      r.body = nlohmann::json{{"hash", links.hash},
                              {"etag", file.lfs->oid},
                              {"size", size},
                              {"refreshUrl", links.refresh_url},
                              {"reconstructionUrl", links.reconstruction_url}}
                   .dump();
      return r;
    }
  }
  if (etag_matches(call.request.header("If-None-Match"), etag)) {
    r.status = 304;
    r.body = std::string();
    count_download(ctx, call, record, r.status, raw, path);
    return r;
  }
  if (!streamed_blob.empty()) {
    auto first = blob_prefix(ctx, record, streamed_blob, kSniffBytes);
    if (!first) return error_response(first.status(), call.caller);
    r.headers.set("Content-Type",
                  looks_binary(*first) ? "application/octet-stream" : "text/plain; charset=utf-8");
  }
  // An empty file has no satisfiable range; the clients read its size from `bytes */0`.
  auto range = size == 0 ? Result<std::optional<ByteRange>>(std::optional<ByteRange>())
                         : parse_range(call.request.header("Range"), size);
  if (!range) {
    auto e = error_response(range.status(), call.caller);
    e.headers.set("Content-Range", "bytes */" + std::to_string(size));
    e.headers.set("X-Repo-Commit", commit);
    return e;
  }
  uint64_t offset = 0, length = size;
  if (size == 0) {
    r.headers.set("Content-Range", "bytes */0");
  } else if (range->has_value()) {
    offset = (*range)->first;
    length = (*range)->last - (*range)->first + 1;
    r.status = 206;
    r.headers.set("Content-Range", "bytes " + std::to_string((*range)->first) + "-" +
                                       std::to_string((*range)->last) + "/" + std::to_string(size));
  }
  count_download(ctx, call, record, r.status, raw, path);
  if (content) {
    r.body = object_body(content->read(offset, length));
  } else if (!streamed_blob.empty()) {
    r.body = blob_stream(ctx, record, streamed_blob, offset, length);
  } else {
    r.body = offset == 0 && length == blob.size() ? std::move(blob) : blob.substr(offset, length);
  }
  return r;
}

}  // namespace

http::Response handle_resolve(Context& ctx, Call& call) {
  return download(ctx, call, false);
}

http::Response handle_raw(Context& ctx, Call& call) {
  return download(ctx, call, true);
}

}  // namespace vitrine::api
