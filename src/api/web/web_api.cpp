// The web interface's files: the single-page application built from web/ (Vite's dist/,
// installed as build/web beside the binary). Page URLs answer its index.html, which the
// application routes in the browser; /assets/... answer the content-hashed bundles, cached
// forever. Every byte comes from files under the web folder: request paths are checked segment
// by segment (no "..", no hidden names, no separators inside a segment), and only regular files
// are opened.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>

#include "api/api.hpp"

namespace vitrine::api {
namespace {

constexpr const char* kNoWebText = "Vitrine hub. API under /api; see the README.\n";

// Pages get a strict policy: scripts and styles only from the hub itself; the API is same-origin;
// images in model cards may come from anywhere over HTTPS.
constexpr const char* kPagePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'";

std::string_view content_type_for(std::string_view name) {
  auto dot = name.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "webp") return "image/webp";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  return "application/octet-stream";
}

// A path segment that names a file inside the web folder: "..", ".", hidden names and
// separators (a decoded %2F or a backslash) are refused, so a request cannot leave the folder.
bool safe_segment(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.size() > 255) return false;
  for (char c : s) {
    if (c == '/' || c == '\\' || c == '\0') return false;
  }
  return true;
}

bool accepts_gzip(const http::Request& request) {
  std::string accept = request.header("Accept-Encoding");
  for (size_t at = accept.find("gzip"); at != std::string::npos; at = accept.find("gzip", at + 4)) {
    std::string_view rest = std::string_view(accept).substr(at + 4);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.starts_with(";q=0") && !rest.starts_with(";q=0.")) return false;
    return true;
  }
  return false;
}

// Opens a regular file; -1 if it is missing or not a regular file.
int open_regular(const std::filesystem::path& file, struct stat* st) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  if (::fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Serves `file` (or its pre-compressed `file.gz`, when the client takes gzip), with a weak
// validator for conditional requests. nullopt when the file does not exist.
std::optional<http::Response> file_response(Call& call, const std::filesystem::path& file,
                                            std::string_view cache_control) {
  struct stat st {};
  int fd = open_regular(file, &st);
  if (fd < 0) return std::nullopt;
  http::Response r;
  std::string name = file.filename().string();
  struct stat gz_st {};
  int gz = open_regular(file.string() + ".gz", &gz_st);
  if (gz >= 0) {
    r.headers.set("Vary", "Accept-Encoding");
    if (accepts_gzip(call.request)) {
      ::close(fd);
      fd = gz;
      st = gz_st;
      r.headers.set("Content-Encoding", "gzip");
    } else {
      ::close(gz);
    }
  }
  std::string etag = "W/\"" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtime) +
                     (r.headers.has("Content-Encoding") ? "-gz\"" : "\"");
  r.headers.set("ETag", etag);
  r.headers.set("Content-Type", std::string(content_type_for(name)));
  r.headers.set("Cache-Control", std::string(cache_control));
  r.headers.set("X-Content-Type-Options", "nosniff");
  if (call.request.header("If-None-Match") == etag) {
    ::close(fd);
    r.status = 304;
    r.headers.remove("Content-Encoding");
    return r;
  }
  r.body = http::make_file_body(fd, 0, static_cast<uint64_t>(st.st_size));
  return r;
}

http::Response missing(Call& call, const std::string& what) {
  return error_response(Status(ErrorKind::kNotFound, "No such file in the web interface: " + what),
                        call.caller);
}

}  // namespace

std::string default_web_dir(const std::string& executable_path) {
  if (executable_path.empty()) return "";
  std::filesystem::path dir = std::filesystem::path(executable_path).parent_path();
  // build/vitrine with build/web, or an installed bin/vitrine with share/vitrine/web.
  for (const auto& candidate : {dir / "web", dir.parent_path() / "share" / "vitrine" / "web"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate / "index.html", ec)) return candidate.string();
  }
  return "";
}

http::Response handle_web_asset(Context& ctx, Call& call) {
  const std::vector<std::string> parts = call.params.segments("path");
  const std::string joined = call.params.get("path");
  if (ctx.web_dir.empty()) return missing(call, joined);
  std::filesystem::path file = std::filesystem::path(ctx.web_dir) / "assets";
  if (parts.empty()) return missing(call, joined);
  for (const auto& part : parts) {
    if (!safe_segment(part)) return missing(call, joined);
    file /= part;
  }
  // File names carry their content hash: a name never changes meaning.
  auto r = file_response(call, file, "public, max-age=31536000, immutable");
  return r ? std::move(*r) : missing(call, joined);
}

http::Response handle_web_page(Context& ctx, Call& call) {
  if (ctx.web_dir.empty()) return http::Response::text(200, kNoWebText);
  std::filesystem::path dir(ctx.web_dir);
  // Files at the root of the build (favicon.svg, robots.txt) are served as themselves.
  const std::string page = call.params.get("page");
  if (page.find('.') != std::string::npos && safe_segment(page)) {
    if (auto r = file_response(call, dir / page, "public, max-age=3600")) return std::move(*r);
  }
  auto r = file_response(call, dir / "index.html", "no-cache");
  if (!r) return http::Response::text(200, kNoWebText);  // the folder went away under us
  r->headers.set("Content-Security-Policy", kPagePolicy);
  r->headers.set("Referrer-Policy", "same-origin");
  return std::move(*r);
}

}  // namespace vitrine::api
