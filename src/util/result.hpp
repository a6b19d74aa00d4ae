// Status and Result<T>: how expected failures (not found, conflict, bad input) travel up the
// layers without exceptions. The api layer maps an ErrorKind to an HTTP status and the
// X-Error-Code the Hugging Face clients read; no layer below api knows about HTTP.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vitrine {

enum class ErrorKind {
  kOk,
  kBadRequest,           // malformed input (400)
  kUnauthorized,         // no or bad credentials (401)
  kForbidden,            // authenticated but not allowed (403)
  kRepoNotFound,         // repository missing or invisible to the caller
  kRevisionNotFound,     // repository visible, revision missing
  kEntryNotFound,        // repository and revision exist, path missing
  kGatedRepo,            // gated repository, caller not approved (401 anonymous / 403)
  kNotFound,             // any other missing thing (404)
  kConflict,             // already exists / concurrent change (409)
  kPreconditionFailed,   // stale parent commit (412)
  kPayloadTooLarge,      // body over the configured limit (413)
  kRangeNotSatisfiable,  // 416
  kUnprocessable,        // semantically invalid input, e.g. a bad path (422)
  kTooManyRequests,      // a limit on concurrent or repeated work is reached (429)
  kRequestTimeout,       // a request body arrived too slowly (408)
  kNotImplemented,       // 501
  kInternal,             // a bug or an I/O failure (500)
};

class Status {
 public:
  Status() = default;
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}
  static Status ok() { return {}; }

  bool is_ok() const { return kind_ == ErrorKind::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
};

inline Status bad_request(std::string m) {
  return {ErrorKind::kBadRequest, std::move(m)};
}
inline Status unprocessable(std::string m) {
  return {ErrorKind::kUnprocessable, std::move(m)};
}
inline Status not_found(std::string m) {
  return {ErrorKind::kNotFound, std::move(m)};
}
inline Status conflict(std::string m) {
  return {ErrorKind::kConflict, std::move(m)};
}
inline Status forbidden(std::string m) {
  return {ErrorKind::kForbidden, std::move(m)};
}
inline Status internal_error(std::string m) {
  return {ErrorKind::kInternal, std::move(m)};
}

// Result<T> holds either a value or a non-ok Status.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

// A lookup that can fail: the value, nothing (it does not exist), or a Status (it could not be
// read). Callers answer a failed read as an error, never as "not found".
template <typename T>
using Lookup = Result<std::optional<T>>;

// What a lookup found, `absent` when it found nothing, or its read error.
template <typename T>
Result<T> found_or(Lookup<T> lookup, Status absent) {
  if (!lookup.is_ok()) return lookup.status();
  if (!lookup.value()) return absent;
  return std::move(*lookup.value());
}

}  // namespace vitrine
