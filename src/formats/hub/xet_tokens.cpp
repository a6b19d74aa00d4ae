#include "formats/hub/xet_tokens.hpp"

#include <charconv>

#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {
namespace {

constexpr std::string_view kPrefix = "xet_";

std::string mac(std::string_view key, std::string_view payload) {
  return util::hmac_sha256_hex(std::string(key) + "/xet-token", payload);
}

std::string base64url(std::string_view data) {
  std::string s = util::base64_encode(data);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  while (s.size() % 4) s.push_back('=');
  return util::base64_decode(s);
}

}  // namespace

std::string issue_xet_token(std::string_view signing_key, const XetClaims& claims) {
  std::string payload = "3|" + claims.repo_uid + "|" + (claims.write ? "w" : "r") + "|" +
                        std::to_string(claims.expires) + "|" + claims.user + "|" +
                        std::to_string(claims.token_id) + "|" + claims.revision;
  return std::string(kPrefix) + base64url(payload) + "." + mac(signing_key, payload);
}

Result<XetClaims> verify_xet_token(std::string_view signing_key, std::string_view token,
                                   int64_t now) {
  Status bad(ErrorKind::kUnauthorized, "Invalid Xet access token");
  if (!token.starts_with(kPrefix)) return bad;
  token.remove_prefix(kPrefix.size());
  auto dot = token.rfind('.');
  if (dot == std::string_view::npos) return bad;
  auto payload = unbase64url(token.substr(0, dot));
  // Only the canonical encoding: base64 leaves spare bits in its last digit, and a token must
  // have one spelling (found by fuzzing).
  if (!payload || base64url(*payload) != token.substr(0, dot)) return bad;
  if (!util::constant_time_equals(mac(signing_key, *payload), token.substr(dot + 1))) return bad;
  // 3|uid|w|exp|user|token id|rev (user names contain no '|'; the revision is the rest)
  std::string_view p = *payload;
  auto field = [&p]() {
    auto bar = p.find('|');
    std::string_view f = p.substr(0, bar);
    p = bar == std::string_view::npos ? std::string_view() : p.substr(bar + 1);
    return f;
  };
  if (field() != "3") return bad;
  XetClaims c;
  c.repo_uid = std::string(field());
  std::string_view mode = field();
  c.write = mode == "w";
  std::string_view exp = field();
  auto [ptr, ec] = std::from_chars(exp.data(), exp.data() + exp.size(), c.expires);
  if (ec != std::errc() || ptr != exp.data() + exp.size()) return bad;
  c.user = std::string(field());
  std::string_view id = field();
  auto [id_end, id_ec] = std::from_chars(id.data(), id.data() + id.size(), c.token_id);
  if (id_ec != std::errc() || id_end != id.data() + id.size() || c.token_id < 0 ||
      (id.size() > 1 && id[0] == '0')) {
    return bad;  // one spelling per token
  }
  c.revision = std::string(p);
  if (c.expires <= now) {
    return Status(ErrorKind::kUnauthorized, "Xet access token expired; request a new one");
  }
  return c;
}

}  // namespace vitrine::service
