// Wall-clock time in the forms the API returns: Unix milliseconds and ISO 8601 UTC strings
// (the `lastModified` / `createdAt` fields). Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace vitrine::util {

// Milliseconds since the Unix epoch (system clock).
int64_t now_ms();

// Formats unix_ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (always three fractional digits, UTC). Times
// before the epoch are handled (the fraction is never negative).
std::string iso8601_utc(int64_t unix_ms);

}  // namespace vitrine::util
