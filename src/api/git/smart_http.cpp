// git smart HTTP: GET info/refs and POST git-upload-pack / git-receive-pack. Vitrine checks
// access, spools the request body to an anonymous temporary file (decompressing gzip), runs
// git's own program on it and streams the answer back. git clients get 401 with
// WWW-Authenticate when credentials are needed, and plain-text errors they print.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/api.hpp"
#include "util/gzip.hpp"

namespace vitrine::api {

http::Response git_error(const Status& st, const service::Caller& caller) {
  auto r = error_response(st, caller);
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  std::string message =
      st.kind() == ErrorKind::kRepoNotFound ? "Repository not found" : st.message();
  r.body = message + "\n";
  if (r.status == 401) r.headers.set("WWW-Authenticate", "Basic realm=\"Vitrine\"");
  return r;
}

namespace {

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Copies the (possibly gzip-encoded) request body into `fd`.
Status spool_body(Call& call, int fd, uint64_t limit) {
  bool gzip = call.request.header("Content-Encoding") == "gzip" ||
              call.request.header("Content-Encoding") == "x-gzip";
  util::GzipInflater inflater;
  inflater.set_limit(limit);
  uint64_t total = 0;
  char buffer[64 * 1024];
  auto sink = [&](std::string_view piece) -> Status {
    if (!write_all(fd, piece)) return internal_error("cannot spool request body");
    return Status::ok();
  };
  while (call.request.body) {
    auto n = call.request.body->read_some(buffer, sizeof buffer);
    if (!n) return n.status();
    if (*n == 0) break;
    total += *n;
    if (total > limit) return Status(ErrorKind::kPayloadTooLarge, "git request body too large");
    Status st = gzip ? inflater.feed({buffer, *n}, sink) : sink({buffer, *n});
    if (!st) return st;
  }
  if (::lseek(fd, 0, SEEK_SET) != 0) return internal_error("cannot rewind spooled body");
  return Status::ok();
}

// The router found the repository with the route's access: read and the gate for a fetch,
// write for a push.
http::Response serve_git(Context& ctx, Call& call, const std::string& service, bool advertise) {
  const service::RepoRef* repo = &*call.repo;
  bool push = service == "git-receive-pack";
  auto kind = push ? service::GitService::kReceivePack : service::GitService::kUploadPack;
  // A push carries no file contents out, yet a writer whose token's scopes do not reach the
  // gate is refused as before.
  if (push) {
    if (auto st = ctx.repos.check_file_access(repo->record, call.caller); !st) {
      return git_error(st, call.caller);
    }
  }
  std::string protocol = call.request.header("Git-Protocol");

  if (advertise) {
    auto refs = ctx.git.advertise(repo->record, kind, protocol);
    if (!refs) return git_error(refs.status(), call.caller);
    auto r =
        http::Response::text(200, std::move(*refs), "application/x-" + service + "-advertisement");
    r.headers.set("Cache-Control", "no-cache");
    return r;
  }

  std::string expected_type = "application/x-" + service + "-request";
  if (call.request.header("Content-Type") != expected_type) {
    return git_error(bad_request("Content-Type must be " + expected_type), call.caller);
  }
  std::string tmp_dir = ctx.hub.config().data_dir + "/lfs/tmp";
  FdGuard spool(::open(tmp_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (spool.get() < 0) return git_error(internal_error("cannot create spool file"), call.caller);
  // A fetch's request is wants and haves, a push's carries the pack: readers get the far
  // smaller bound (decompressed bytes, so a gzip bomb stops there too).
  uint64_t limit = push ? ctx.hub.config().max_push_body : ctx.hub.config().max_fetch_body;
  if (auto st = spool_body(call, spool.get(), limit); !st) {
    return git_error(st, call.caller);
  }
  auto child = ctx.git.run(repo->record, kind, protocol, spool.get(), call.caller);
  if (!child) return git_error(child.status(), call.caller);

  // The status line waits for git's first bytes, so a request git rejects outright becomes
  // an HTTP error instead of an empty 200.
  auto first = std::make_shared<std::string>(64 * 1024, '\0');
  ssize_t got = child->read_stdout(first->data(), first->size());
  if (got <= 0) {
    int rc = child->wait();
    if (rc == 0 && ::lseek(spool.get(), 0, SEEK_END) <= 4) {
      // Nothing to say is the answer to git's probe, a bare flush ("0000") sent before a
      // pack larger than http.postBuffer.
      auto r = http::Response::text(200, "", "application/x-" + service + "-result");
      r.headers.set("Cache-Control", "no-cache");
      return r;
    }
    std::string err = child->stderr_text();
    spdlog::warn("git {} on {} produced no output (exit {}): {}", service, repo->record.id(), rc,
                 err);
    return git_error(
        bad_request("git " + service + " failed: " +
                    (err.empty() ? "no response (truncated or malformed request)" : err)),
        call.caller);
  }
  first->resize(static_cast<size_t>(got));
  auto process = std::make_shared<util::Subprocess>(std::move(*child));
  http::Response r;
  r.headers.set("Content-Type", "application/x-" + service + "-result");
  r.headers.set("Cache-Control", "no-cache");
  domain::RepoRecord record = repo->record;
  r.body = http::StreamBody{[&ctx, process, first, push, record,
                             service](const std::function<bool(std::string_view)>& write) {
                              bool ok = write(*first);
                              char buffer[64 * 1024];
                              while (ok) {
                                ssize_t n = process->read_stdout(buffer, sizeof buffer);
                                if (n <= 0) break;
                                ok = write({buffer, static_cast<size_t>(n)});
                              }
                              if (!ok) process->kill();
                              int rc = process->wait();
                              if (rc != 0) {
                                spdlog::warn("git {} on {} exited {}: {}", service, record.id(), rc,
                                             process->stderr_text());
                              }
                              // A push may have moved the default branch: refresh the index row at
                              // once.
                              if (push) ctx.repos.reindex(record);
                              return ok;
                            },
                            std::nullopt};
  return r;
}

}  // namespace

// GET {repo}.git/info/refs?service=git-upload-pack | git-receive-pack
http::Response handle_git_refs(Context& ctx, Call& call) {
  return serve_git(ctx, call, call.query.get("service").value_or(""), true);
}

http::Response handle_git_upload_pack(Context& ctx, Call& call) {
  return serve_git(ctx, call, "git-upload-pack", false);
}

http::Response handle_git_receive_pack(Context& ctx, Call& call) {
  return serve_git(ctx, call, "git-receive-pack", false);
}

}  // namespace vitrine::api
