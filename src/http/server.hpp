// The HTTP/1.1 server engine: accepts connections, parses requests with Boost.Beast, hands
// them to one handler, and writes responses (sendfile for file bodies, chunked encoding for
// producers of unknown length). One thread per connection with blocking I/O and socket
// timeouts: simple, and each transfer holds a fixed 64 KiB of buffers whatever the file size.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.hpp"

namespace vitrine::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  // A read or write that makes no progress for this long drops the peer (request bodies,
  // responses to a client that stopped reading).
  int io_timeout_seconds = 60;
  // From the moment the server waits for a request (a new connection, or after answering the
  // previous one), its whole head must arrive within this: a client that trickles a head a
  // byte at a time, or idles on a kept-alive connection, gives its thread back.
  int request_head_timeout_seconds = 30;
  size_t max_connections = 1024;  // beyond this, new connections get 503
  // Open connections per client address (TCP peer); beyond, new ones get 429 and close.
  // Peers listed in trusted_proxies are not capped (they carry many clients). 0: no cap.
  // An IPv6 client is counted by its /64.
  size_t max_connections_per_address = 256;
  // Addresses of reverse proxies whose X-Forwarded-For names the client: for a request from
  // one of them, Request::remote_address is the rightmost address of X-Forwarded-For that is
  // not itself a trusted proxy. From any other peer the header is ignored.
  std::vector<std::string> trusted_proxies;
};

// The key a client is counted under (connections, rate limits, fair turns): its address, or
// for IPv6 its /64 (one host usually holds a whole /64, so counting /128s would not limit it).
std::string client_key(const std::string& address);

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
  bool trusted_proxy(const std::string& address) const;
  // Takes a slot for `address`; false when it has max_connections_per_address open already.
  bool acquire_address_slot(const std::string& address);
  void release_address_slot(const std::string& address);

  ServerOptions options_;
  Handler handler_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> active_connections_{0};
  std::mutex per_address_mutex_;
  std::unordered_map<std::string, size_t> per_address_;
};

}  // namespace vitrine::http
