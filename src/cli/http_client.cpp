// HttpClient on libcurl's easy interface.
#include "cli/http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <mutex>
#include <stdexcept>

namespace vitrine::cli {

namespace {

struct Received {
  std::string body;
  std::string error_message;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const size_t n = size * count;
  if (received->body.size() + n > HttpClient::kMaxBodyBytes) {
    received->too_large = true;
    return 0;  // makes curl fail the transfer
  }
  received->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view kName = "x-error-message:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    }
    if (match) {
      line.remove_prefix(kName.size());
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
      received->error_message = std::string(line);
    }
  }
  return n;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(std::string base_url, std::string token)
    : base_url_(std::move(base_url)), token_(std::move(token)), handle_(new Handle) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  handle_->curl = curl_easy_init();
  if (!handle_->curl) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::get(const std::string& path) {
  CURL* curl = handle_->curl;
  const std::string url = base_url_ + path;
  Received received;
  curl_slist* headers = nullptr;
  const std::string authorization = "Authorization: Bearer " + token_;
  if (!token_.empty()) headers = curl_slist_append(headers, authorization.c_str());
  headers = curl_slist_append(headers, "User-Agent: vitrine-verify");

  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled hub fails the check instead of hanging it: under 1 byte/s for 60 s.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  // The token must not follow a redirect to another host; the hub's log never redirects.
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    if (received.too_large) {
      return internal_error("GET " + url + ": answer over " + std::to_string(kMaxBodyBytes) +
                            " bytes");
    }
    return internal_error("GET " + url + ": " + curl_easy_strerror(code));
  }
  HttpResponse response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(received.body);
  response.error_message = std::move(received.error_message);
  return response;
}

}  // namespace vitrine::cli
