// Header lookup, whole-body reading and response helpers.
#include "http/message.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace vitrine::http {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(items_, [&](const auto& item) { return iequals(item.first, name); });
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

Result<std::string> Request::read_body(size_t limit) const {
  std::string out;
  if (!body) return out;
  if (auto declared = body->content_length(); declared && *declared > limit) {
    return Status(ErrorKind::kPayloadTooLarge, "Request body of " + std::to_string(*declared) +
                                                   " bytes exceeds the limit of " +
                                                   std::to_string(limit) + " bytes");
  }
  // One allocation up front (address space only: pages are touched as data arrives). Growing by
  // doubling copied the body again and faulted in fresh pages at every step: -23% server CPU
  // and 2.6x the throughput of a 64 MiB xorb POST (bench/xet_ingest.sh).
  if (auto declared = body->content_length()) out.reserve(*declared);
  char buffer[64 * 1024];
  while (true) {
    auto n = body->read_some(buffer, sizeof buffer);
    if (!n) return n.status();
    if (*n == 0) break;
    if (out.size() + *n > limit) {
      return Status(ErrorKind::kPayloadTooLarge,
                    "Request body exceeds the limit of " + std::to_string(limit) + " bytes");
    }
    out.append(buffer, *n);
  }
  return out;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::json(int status, std::string body) {
  return text(status, std::move(body), "application/json");
}

std::shared_ptr<FileBody> make_file_body(int fd, uint64_t offset, uint64_t length) {
  return std::shared_ptr<FileBody>(new FileBody{fd, offset, length}, [](FileBody* f) {
    if (f->fd >= 0) ::close(f->fd);
    delete f;
  });
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

}  // namespace vitrine::http
