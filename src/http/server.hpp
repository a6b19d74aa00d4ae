// The HTTP/1.1 server engine: accepts connections, parses requests with Boost.Beast, hands
// them to one handler, and writes responses (sendfile for file bodies, chunked encoding for
// producers of unknown length). One thread per connection with blocking I/O and socket
// timeouts: simple, and each transfer holds a fixed 64 KiB of buffers whatever the file size.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "http/message.hpp"

namespace vitrine::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;           // 0 picks a free port
  int io_timeout_seconds = 300;   // a stalled peer is dropped after this long
  size_t max_connections = 1024;  // beyond this, new connections get 503
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port (useful with port 0).
  Result<uint16_t> listen();
  // Accepts until stop() is called. Blocks the calling thread.
  void run();
  // Safe to call from a signal handler context through a flag, or from another thread.
  void stop();

 private:
  void serve_connection(int fd, std::string remote);

  ServerOptions options_;
  Handler handler_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> active_connections_{0};
};

}  // namespace vitrine::http
