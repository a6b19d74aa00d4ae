// HTTP request and response types shared by the server engine and the handlers. They know
// nothing about hubs. Bodies are streamed: a request body is pulled through BodyReader, and a
// response body is a string, a file range (sent with sendfile) or a producer callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "util/result.hpp"

namespace vitrine::http {

// Ordered header list with case-insensitive lookup.
class Headers {
 public:
  void add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // Replaces every header of this name.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

bool iequals(std::string_view a, std::string_view b);

// Pulls the request body from the connection. Not thread-safe; owned by the connection.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to n bytes; returns 0 at the end of the body. Errors are I/O or framing failures.
  virtual Result<size_t> read_some(char* buffer, size_t n) = 0;
  // The declared length, when the client sent Content-Length.
  virtual std::optional<uint64_t> content_length() const = 0;
  virtual bool done() const = 0;
  // From now on, reads fail once `deadline` passes, however steadily the client trickles
  // (nullopt: no deadline but the connection's progress timeout).
  virtual void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    (void)deadline;
  }
};

struct Request {
  std::string method;  // upper case: GET, HEAD, POST, PUT, DELETE, OPTIONS
  std::string target;  // as received: raw path plus query
  std::string path;    // raw (undecoded) path, without the query
  std::string query;   // raw query string, without '?'
  Headers headers;
  std::string remote_address;
  BodyReader* body = nullptr;

  std::string header(std::string_view name) const { return headers.get(name).value_or(""); }
  // Reads the whole body into memory; kPayloadTooLarge if it exceeds `limit` bytes.
  Result<std::string> read_body(size_t limit) const;
};

// A file range sent with sendfile(2). The response owns the descriptor and closes it.
struct FileBody {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Produces the body incrementally. `write` returns false when the client went away; the
// producer must then stop. Returns false if the producer failed mid-way (the connection is
// then closed, since the framing can no longer be trusted).
using BodyProducer = std::function<bool(const std::function<bool(std::string_view)>& write)>;

struct StreamBody {
  BodyProducer produce;
  std::optional<uint64_t> length;  // unknown length → chunked transfer encoding
};

// A body assembled from pieces pulled in order: file ranges (sent with sendfile) and bytes
// (a decompressed chunk, say). `next` fills the next piece and returns false at the end; an
// error aborts the response (the connection is closed, the framing can't be trusted).
struct BodyPiece {
  int fd = -1;  // >= 0: send `length` bytes of this file from `offset`; else send `bytes`
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string bytes;
};
struct PieceBody {
  std::function<Result<bool>(BodyPiece&)> next;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::variant<std::string, std::shared_ptr<FileBody>, StreamBody, PieceBody> body;
  bool close_connection = false;

  static Response text(int status, std::string body, std::string content_type = "text/plain");
  static Response json(int status, std::string body);
};

using Handler = std::function<Response(Request&)>;

std::shared_ptr<FileBody> make_file_body(int fd, uint64_t offset, uint64_t length);
std::string_view reason_phrase(int status);

}  // namespace vitrine::http
