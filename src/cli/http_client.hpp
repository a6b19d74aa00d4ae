// A small blocking HTTP(S) client on libcurl, for commands that talk to a hub over the network
// (`vitrine verify`). One client keeps one connection alive between requests; it is not
// thread-safe. Transport failures (no connection, TLS, a timeout, a body over the limit) come
// back as kInternal; any HTTP answer, whatever its status, is a response.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace vitrine::cli {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string error_message;  // the X-Error-Message header, when the hub sent one
};

class HttpClient {
 public:
  // base_url: the hub's URL without a trailing slash (one is removed). token: sent as
  // `Authorization: Bearer` when non-empty.
  HttpClient(std::string base_url, std::string token);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET base_url + path (path starts with '/', already percent-encoded). Bodies over
  // kMaxBodyBytes fail.
  Result<HttpResponse> get(const std::string& path);

  const std::string& base_url() const { return base_url_; }

  static constexpr size_t kMaxBodyBytes = 256u << 20;

 private:
  struct Handle;
  std::string base_url_;
  std::string token_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace vitrine::cli
