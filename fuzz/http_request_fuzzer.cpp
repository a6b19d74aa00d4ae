// Fuzzes the HTTP/1.1 request parsing the server does (src/http/server.cpp): a Beast
// request_parser<buffer_body> with a 64 KiB header limit and no body limit reads the head with
// read_header(), the head is copied into a Request the way serve_connection does, then the body
// is pulled in caller-sized pieces like ParserBodyReader, and keep-alive requests follow on the
// same connection. Input: one byte for how many bytes each socket read returns (0: all), one
// byte for the body buffer size (0: 16 KiB), then the bytes the client sends.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cstring>
#include <string>

#include "fuzz_check.hpp"
#include "http/message.hpp"
#include "http/request_head.hpp"
#include "util/encoding.hpp"
#include "util/query.hpp"

using namespace vitrine;
namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {

// The client side of a connection: a SyncReadStream over the input that hands out at most
// `chunk` bytes per read_some, like a socket delivering segments, then reports EOF.
class InputStream {
 public:
  InputStream(std::string_view input, size_t chunk) : input_(input), chunk_(chunk) {}

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    if (input_.empty()) {
      ec = asio::error::eof;
      return 0;
    }
    ec = {};
    size_t n =
        asio::buffer_copy(buffers, asio::buffer(input_.data(), std::min(chunk_, input_.size())));
    input_.remove_prefix(n);
    return n;
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view input_;
  size_t chunk_;
};

using Parser = beast::http::request_parser<beast::http::buffer_body>;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t chunk = data[0] == 0 ? size : data[0];
  size_t body_buffer_size = data[1] == 0 ? 16 * 1024 : data[1];
  InputStream stream(fuzz::as_text(data + 2, size - 2), chunk);
  beast::flat_buffer buffer;
  std::string body_buffer(body_buffer_size, '\0');
  // Bounded by the input: every request consumes at least its request line.
  while (true) {
    Parser parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(boost::none);
    boost::system::error_code ec;
    beast::http::read_header(stream, buffer, parser, ec);
    if (ec) return 0;
    FUZZ_CHECK(parser.is_header_done());

    auto& message = parser.get();
    http::Request request;
    http::read_request_head(message, request);
    FUZZ_CHECK(!request.method.empty() && !request.target.empty());
    (void)http::iequals(request.header("Expect"), "100-continue");
    (void)request.header("Authorization");
    (void)util::percent_decode(request.path);
    (void)util::QueryParams::parse(request.query).get("expand");
    bool keep_alive = message.keep_alive();
    auto declared = parser.content_length();

    uint64_t received = 0;
    while (!parser.is_done()) {
      parser.get().body().data = body_buffer.data();
      parser.get().body().size = body_buffer.size();
      beast::http::read(stream, buffer, parser, ec);
      if (ec == beast::http::error::need_buffer) ec = {};
      if (ec) return 0;
      size_t got = body_buffer.size() - parser.get().body().size;
      received += got;
      if (got == 0 && !parser.is_done()) return 0;  // nothing read and not done: give up
    }
    if (declared) FUZZ_CHECK(received == *declared);
    if (!keep_alive) return 0;
  }
}
