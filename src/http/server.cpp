// Connection handling for http::Server. Beast parses the request head and the body framing
// (Content-Length or chunked); Vitrine writes response heads itself so that file bodies can go
// out with sendfile(2) straight from the page cache.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>

#include "http/request_head.hpp"

namespace vitrine::http {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;

std::string canonical_address(const std::string& address);  // below, with the address rules

// A blocking socket as a Beast SyncReadStream/SyncWriteStream. Timeouts come from
// SO_RCVTIMEO/SO_SNDTIMEO, which asio's own sockets would silently retry past.
class FdStream {
 public:
  explicit FdStream(int fd, int io_timeout_seconds = 0)
      : fd_(fd), io_timeout_ms_(std::min(io_timeout_seconds, 86400) * 1000) {}

  // Reads fail with timed_out once `deadline` passes (until clear_deadline), however steadily
  // the peer trickles bytes.
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  void clear_deadline() { deadline_.reset(); }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      asio::mutable_buffer b = *it;
      if (b.size() == 0) continue;
      while (true) {
        // Only a read under a deadline polls first: body reads rely on SO_RCVTIMEO (the
        // progress timeout), so a large upload pays no extra system call per read.
        if (deadline_ && !wait_readable(ec)) return 0;
        ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
        if (n > 0) {
          ec = {};
          return static_cast<size_t>(n);
        }
        if (n == 0) {
          ec = asio::error::eof;
          return 0;
        }
        if (errno == EINTR) continue;
        ec = (errno == EAGAIN || errno == EWOULDBLOCK)
                 ? make_error_code(asio::error::timed_out)
                 : boost::system::error_code(errno, boost::system::system_category());
        return 0;
      }
    }
    ec = {};
    return 0;
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      asio::const_buffer b = *it;
      if (b.size() == 0) continue;
      ec = write_all(static_cast<const char*>(b.data()), b.size()) ? boost::system::error_code{}
                                                                   : asio::error::broken_pipe;
      return ec ? 0 : b.size();
    }
    return 0;
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  bool write_all(const char* data, size_t size) {
    while (size > 0) {
      ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }
  bool write_all(std::string_view s) { return write_all(s.data(), s.size()); }

  bool send_file(int file_fd, uint64_t offset, uint64_t length) {
    off_t off = static_cast<off_t>(offset);
    while (length > 0) {
      size_t want = length > (1u << 30) ? (1u << 30) : static_cast<size_t>(length);
      ssize_t n = ::sendfile(fd_, file_fd, &off, want);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (n == 0) return false;  // file shrank under us
      length -= static_cast<uint64_t>(n);
    }
    return true;
  }

  int fd() const { return fd_; }

 private:
  // Waits until the socket has data, the progress timeout passes, or the deadline does (the
  // deadline bounds a head trickled a byte at a time, which SO_RCVTIMEO alone would not).
  bool wait_readable(boost::system::error_code& ec) {
    while (true) {
      int wait_ms = io_timeout_ms_ > 0 ? io_timeout_ms_ : -1;
      if (deadline_) {
        // Expired only once the deadline has passed (callers compare the clock with it to
        // tell a deadline from a stalled peer), and waits round up to the next millisecond.
        const auto now = std::chrono::steady_clock::now();
        if (now >= *deadline_) {
          ec = make_error_code(asio::error::timed_out);
          return false;
        }
        auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - now).count();
        if (wait_ms < 0 || left < wait_ms) wait_ms = static_cast<int>(left);
      }
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, wait_ms);
      if (rc > 0) return true;  // readable, closed or failed: recv tells which
      if (rc < 0 && errno == EINTR) continue;
      if (rc == 0 && deadline_ && std::chrono::steady_clock::now() < *deadline_ &&
          wait_ms != io_timeout_ms_) {
        continue;  // woke early for the deadline's rounding
      }
      ec = rc == 0 ? make_error_code(asio::error::timed_out)
                   : boost::system::error_code(errno, boost::system::system_category());
      return false;
    }
  }

  int fd_;
  int io_timeout_ms_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

using Parser = beast::http::request_parser<beast::http::buffer_body>;

// Streams the body of the request being parsed, sending "100 Continue" on first use when
// the client asked for it.
class ParserBodyReader : public BodyReader {
 public:
  ParserBodyReader(FdStream& stream, beast::flat_buffer& buffer, Parser& parser,
                   bool expect_continue)
      : stream_(stream), buffer_(buffer), parser_(parser), expect_continue_(expect_continue) {}

  Result<size_t> read_some(char* out, size_t n) override {
    if (done() || n == 0) return size_t{0};
    if (expect_continue_) {
      expect_continue_ = false;
      if (!stream_.write_all("HTTP/1.1 100 Continue\r\n\r\n")) {
        return Status(ErrorKind::kBadRequest, "client went away");
      }
    }
    // A body of known length is read straight into the caller's buffer, in reads as large
    // as that buffer: Beast's own body reading would size socket reads by the header
    // buffer (512 bytes at a time) and copy every byte once more.
    if (auto length = parser_.content_length(); length && !parser_.chunked()) {
      uint64_t left = *length - direct_consumed_;
      if (left == 0) return size_t{0};
      size_t want = static_cast<size_t>(std::min<uint64_t>(left, n));
      size_t got = 0;
      if (buffer_.size() > 0) {
        got = std::min(want, buffer_.size());
        std::memcpy(out, buffer_.data().data(), got);
        buffer_.consume(got);
      } else {
        boost::system::error_code ec;
        got = stream_.read_some(asio::buffer(out, want), ec);
        if (ec || got == 0) {
          failed_ = true;
          return Status(ErrorKind::kBadRequest,
                        "request body ended early: " + (ec ? ec.message() : "connection closed"));
        }
      }
      direct_consumed_ += got;
      return got;
    }
    while (!parser_.is_done()) {
      parser_.get().body().data = out;
      parser_.get().body().size = n;
      boost::system::error_code ec;
      beast::http::read(stream_, buffer_, parser_, ec);
      if (ec == beast::http::error::need_buffer) ec = {};
      if (ec) {
        failed_ = true;
        return Status(ErrorKind::kBadRequest, "error reading request body: " + ec.message());
      }
      size_t got = n - parser_.get().body().size;
      if (got > 0) return got;
    }
    return size_t{0};
  }
  std::optional<uint64_t> content_length() const override {
    auto len = parser_.content_length();
    if (len) return *len;
    return std::nullopt;
  }
  bool done() const override {
    if (auto length = parser_.content_length(); length && !parser_.chunked()) {
      return direct_consumed_ == *length;
    }
    return parser_.is_done();
  }
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) override {
    if (deadline) {
      stream_.set_deadline(*deadline);
    } else {
      stream_.clear_deadline();
    }
  }
  bool failed() const { return failed_; }
  // The bytes of the body not read yet, when its length is known.
  std::optional<uint64_t> remaining() const {
    if (auto length = parser_.content_length(); length && !parser_.chunked()) {
      return *length - direct_consumed_;
    }
    return std::nullopt;
  }
  // True while the client waits for "100 Continue" before sending the body.
  bool awaiting_continue() const { return expect_continue_; }

 private:
  FdStream& stream_;
  beast::flat_buffer& buffer_;
  Parser& parser_;
  bool expect_continue_;
  bool failed_ = false;
  uint64_t direct_consumed_ = 0;
};

std::string format_head(const Response& response, std::optional<uint64_t> length, bool chunked,
                        bool close) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " ";
  head += reason_phrase(response.status);
  head += "\r\n";
  for (const auto& [name, value] : response.headers.items()) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else if (length && !response.headers.has("Content-Length")) {
    head += "Content-Length: " + std::to_string(*length) + "\r\n";
  }
  if (close) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

// Writes the response; returns false when the connection can no longer be reused.
bool write_response(FdStream& stream, Response& response, bool head_only, bool close) {
  bool no_body_status = response.status == 304 || response.status == 204 || response.status < 200;
  if (auto* text = std::get_if<std::string>(&response.body)) {
    std::string head =
        format_head(response, no_body_status ? std::nullopt : std::optional<uint64_t>(text->size()),
                    false, close);
    if (head_only || no_body_status) return stream.write_all(head);
    head += *text;  // one send for small responses
    return stream.write_all(head);
  }
  if (auto* file = std::get_if<std::shared_ptr<FileBody>>(&response.body)) {
    std::string head = format_head(response, (*file)->length, false, close);
    int one = 1;
    ::setsockopt(stream.fd(), IPPROTO_TCP, TCP_CORK, &one, sizeof one);
    bool ok = stream.write_all(head) &&
              (head_only || stream.send_file((*file)->fd, (*file)->offset, (*file)->length));
    int zero = 0;
    ::setsockopt(stream.fd(), IPPROTO_TCP, TCP_CORK, &zero, sizeof zero);
    return ok;
  }
  if (auto* pieces = std::get_if<PieceBody>(&response.body)) {
    std::string head = format_head(response, pieces->length, false, close);
    if (head_only) return stream.write_all(head);
    int one = 1;
    ::setsockopt(stream.fd(), IPPROTO_TCP, TCP_CORK, &one, sizeof one);
    bool ok = stream.write_all(head);
    BodyPiece piece;
    uint64_t sent = 0;
    while (ok) {
      piece.fd = -1;
      piece.bytes.clear();
      auto more = pieces->next(piece);
      if (!more) {
        spdlog::warn("response body failed after {} bytes: {}", sent, more.status().message());
        ok = false;
        break;
      }
      if (!*more) break;
      if (piece.fd >= 0) {
        ok = stream.send_file(piece.fd, piece.offset, piece.length);
        sent += piece.length;
      } else {
        ok = stream.write_all(piece.bytes);
        sent += piece.bytes.size();
      }
    }
    int zero = 0;
    ::setsockopt(stream.fd(), IPPROTO_TCP, TCP_CORK, &zero, sizeof zero);
    return ok && sent == pieces->length;
  }
  auto& producer = std::get<StreamBody>(response.body);
  bool chunked = !producer.length.has_value() && !head_only;
  std::string head = format_head(response, producer.length, chunked, close);
  if (!stream.write_all(head)) return false;
  if (head_only) return true;
  bool client_ok = true;
  bool produced = producer.produce([&](std::string_view piece) {
    if (piece.empty()) return client_ok;
    if (chunked) {
      char size_line[32];
      int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
      client_ok = stream.write_all(size_line, static_cast<size_t>(n)) && stream.write_all(piece) &&
                  stream.write_all("\r\n", 2);
    } else {
      client_ok = stream.write_all(piece);
    }
    return client_ok;
  });
  if (!produced || !client_ok) return false;
  if (chunked) return stream.write_all("0\r\n\r\n", 5);
  return true;
}

// An answer about the connection rather than a request (no handler ran), after which the
// connection closes: status, a text body carried in X-Error-Message too, Retry-After if given.
void refuse(FdStream& stream, int status, const std::string& message,
            const std::string& retry_after = "") {
  Response r = Response::text(status, message);
  if (!message.empty()) r.headers.set("X-Error-Message", message);
  if (!retry_after.empty()) r.headers.set("Retry-After", retry_after);
  write_response(stream, r, false, true);
}

}  // namespace

Server::Server(ServerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
  // Compared with peers in one spelling (canonical_address), converted once here.
  for (auto& proxy : options_.trusted_proxies) proxy = canonical_address(proxy);
}

Server::~Server() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Result<uint16_t> Server::listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(options_.port);
  if (int rc = ::getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return internal_error("cannot resolve " + options_.host + ": " + gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      listen_fd_ = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) {
    return internal_error("cannot listen on " + options_.host + ":" + port + ": " + last_error);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void Server::stop() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
}

void Server::run() {
  while (!stopping_) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) break;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      if (errno == EINVAL) break;  // shut down
      spdlog::warn("accept failed: {}", std::strerror(errno));
      continue;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (peer.ss_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, host, sizeof host);
    } else if (peer.ss_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, host, sizeof host);
    }
    if (active_connections_.load() >= options_.max_connections) {
      FdStream stream(fd);
      refuse(stream, 503, "");
      ::close(fd);
      continue;
    }
    std::string remote = canonical_address(host);
    if (!acquire_address_slot(remote)) {
      // Written without reading the request: the answer is about the connection, not it. What
      // the client sent already is read off first, so that closing does not reset the
      // connection before the answer is read.
      timeval tv{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      char scratch[4096];
      while (::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
      }
      FdStream stream(fd);
      refuse(stream, 429, "Too many open connections from this address", "1");
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
      continue;
    }
    ++active_connections_;
    std::thread([this, fd, remote] {
      serve_connection(fd, remote);
      ::close(fd);
      release_address_slot(remote);
      --active_connections_;
    }).detach();
  }
}

namespace {

// An address in one spelling: IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack listener
// reports) as IPv4, IPv6 as inet_ntop writes it; anything else unchanged.
std::string canonical_address(const std::string& address) {
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    char text[INET6_ADDRSTRLEN] = "";
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      ::inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
    } else {
      ::inet_ntop(AF_INET6, &v6, text, sizeof text);
    }
    return text;
  }
  return address;
}

}  // namespace

std::string client_key(const std::string& address) {
  // One spelling first: an IPv4 client written as IPv6 (::ffff:a.b.c.d, e.g. by a proxy) is
  // that IPv4 client.
  std::string canonical = canonical_address(address);
  in6_addr v6{};
  if (::inet_pton(AF_INET6, canonical.c_str(), &v6) != 1) return canonical;
  std::memset(&v6.s6_addr[8], 0, 8);
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(AF_INET6, &v6, text, sizeof text);
  return std::string(text) + "/64";
}

bool Server::trusted_proxy(const std::string& address) const {
  if (options_.trusted_proxies.empty()) return false;
  std::string canonical = canonical_address(address);
  return std::find(options_.trusted_proxies.begin(), options_.trusted_proxies.end(), canonical) !=
         options_.trusted_proxies.end();
}

bool Server::acquire_address_slot(const std::string& address) {
  if (trusted_proxy(address)) return true;  // not counted: it carries many clients
  std::string key = client_key(address);
  std::lock_guard lock(per_address_mutex_);
  size_t& open = per_address_[key];
  if (options_.max_connections_per_address > 0 && open >= options_.max_connections_per_address) {
    if (open == 0) per_address_.erase(key);
    return false;
  }
  ++open;
  return true;
}

void Server::release_address_slot(const std::string& address) {
  if (trusted_proxy(address)) return;
  std::lock_guard lock(per_address_mutex_);
  auto it = per_address_.find(client_key(address));
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

namespace {

// The client of a request that came through trusted proxies: the rightmost address of
// X-Forwarded-For that is not a trusted proxy itself (what a proxy appends can be trusted;
// what the client sent to the first proxy cannot).
std::string forwarded_client(const std::string& header,
                             const std::function<bool(const std::string&)>& trusted,
                             const std::string& peer) {
  std::string client = peer;
  size_t end = header.size();
  while (end > 0) {
    size_t comma = header.rfind(',', end - 1);
    size_t start = comma == std::string::npos ? 0 : comma + 1;
    std::string item = header.substr(start, end - start);
    size_t a = item.find_first_not_of(" \t"), b = item.find_last_not_of(" \t");
    item = a == std::string::npos ? "" : item.substr(a, b - a + 1);
    in6_addr scratch{};
    if (item.empty() || (::inet_pton(AF_INET, item.c_str(), &scratch) != 1 &&
                         ::inet_pton(AF_INET6, item.c_str(), &scratch) != 1)) {
      break;  // not an address: stop at the last one known good
    }
    client = item;
    if (!trusted(item)) break;
    if (comma == std::string::npos) break;
    end = comma;
  }
  return client;
}

}  // namespace

void Server::serve_connection(int fd, std::string remote) {
  timeval tv{options_.io_timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  FdStream stream(fd, options_.io_timeout_seconds);
  beast::flat_buffer buffer;
  bool via_proxy = trusted_proxy(remote);
  while (!stopping_) {
    Parser parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(boost::none);  // handlers enforce their own limits while streaming
    boost::system::error_code ec;
    stream.set_deadline(std::chrono::steady_clock::now() +
                        std::chrono::seconds(options_.request_head_timeout_seconds));
    beast::http::read_header(stream, buffer, parser, ec);
    stream.clear_deadline();
    if (ec == beast::http::error::header_limit) {
      refuse(stream, 431, "request head larger than 64 KiB");
      return;
    }
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::timed_out &&
          ec != asio::error::connection_reset) {
        refuse(stream, 400, "malformed request");
      }
      return;
    }
    auto& message = parser.get();
    Request request;
    read_request_head(message, request);
    request.remote_address = remote;
    if (via_proxy) {
      // Every X-Forwarded-For line, in order, as one list (RFC 9110 5.3): a proxy that adds
      // its own line instead of appending must not leave the client's line to be read alone.
      std::string forwarded;
      for (const auto& [name, value] : request.headers.items()) {
        if (iequals(name, "X-Forwarded-For")) forwarded += (forwarded.empty() ? "" : ",") + value;
      }
      request.remote_address = forwarded_client(
          forwarded, [this](const std::string& a) { return trusted_proxy(a); }, remote);
    }
    bool expect_continue = iequals(request.header("Expect"), "100-continue");
    ParserBodyReader body(stream, buffer, parser, expect_continue);
    request.body = &body;
    bool keep_alive = message.keep_alive();

    Response response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      spdlog::error("handler threw on {} {}: {}", request.method, request.target, e.what());
      response = Response::json(500, R"({"error":"Internal server error"})");
    }
    // A body the handler did not read is drained if small, else the connection closes, so
    // the next request never starts in the middle of this one's body. A body known to be
    // larger is not waited for: the answer (often a refusal) goes out at once.
    constexpr uint64_t kMaxDrain = 1u << 20;
    if (!body.done() && !body.failed() && !body.awaiting_continue() &&
        body.remaining().value_or(0) <= kMaxDrain) {
      char scratch[16 * 1024];
      size_t drained = 0;
      while (!body.done() && drained < kMaxDrain) {
        auto n = body.read_some(scratch, sizeof scratch);
        if (!n || *n == 0) break;
        drained += *n;
      }
    }
    bool close = !keep_alive || response.close_connection || !body.done() || stopping_;
    bool head_only = request.method == "HEAD";
    if (!write_response(stream, response, head_only, close) || close) return;
  }
}

}  // namespace vitrine::http
