// C2SP signed notes and tlog checkpoints (see note.hpp). The format rules follow the C2SP
// specifications; where they leave a choice, Go's golang.org/x/mod/sumdb/note decides, since
// the hub's checkpoints must open unchanged in Go clients.
#include "formats/tlog/note.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace vitrine::tlog {
namespace {

constexpr char kAlgEd25519 = 0x01;
constexpr std::string_view kSignerPrefix = "PRIVATE+KEY+";
// Em dash (U+2014) and a space: the start of every signature line.
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";

// ---- UTF-8 -------------------------------------------------------------------------------

// Decodes the code point at the start of s into *rune and returns its length in bytes, or 0
// when s does not start with a valid UTF-8 sequence (overlong forms, surrogates and values
// over U+10FFFF are invalid, as in Go's unicode/utf8).
size_t decode_utf8(std::string_view s, uint32_t* rune) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    *rune = b0;
    return 1;
  }
  size_t len;
  uint32_t min;
  uint32_t r;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, r = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, r = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, r = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    r = (r << 6) | (byte(i) & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return len;
}

// True iff s is valid UTF-8 without ASCII control characters other than newline: the rule
// for every byte of a signed note.
bool is_note_encoding(std::string_view s) {
  while (!s.empty()) {
    uint32_t rune;
    size_t len = decode_utf8(s, &rune);
    if (len == 0 || (rune < 0x20 && rune != '\n')) return false;
    s.remove_prefix(len);
  }
  return true;
}

// Go's unicode.IsSpace: the Unicode White_Space property.
bool is_unicode_space(uint32_t r) {
  static constexpr uint32_t kSpaces[] = {'\t', '\n',   '\v',   '\f',   '\r',   ' ',    0x85,
                                         0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
  for (uint32_t space : kSpaces) {
    if (r == space) return true;
  }
  return r >= 0x2000 && r <= 0x200A;
}

// ---- small encodings ---------------------------------------------------------------------

// Decodes base64 only in its canonical form (padded, zero trailing bits), so that one byte
// string has exactly one accepted encoding.
std::optional<std::string> decode_canonical_base64(std::string_view text) {
  auto decoded = util::base64_decode(text);
  if (!decoded || util::base64_encode(*decoded) != text) return std::nullopt;
  return decoded;
}

// Exactly 8 hex digits (either case, as Go's strconv.ParseUint accepts).
std::optional<uint32_t> parse_hex8(std::string_view s) {
  if (s.size() != 8 || !util::is_hex(s)) return std::nullopt;
  uint32_t value = 0;
  for (char c : s) {
    uint32_t digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value << 4 | digit;
  }
  return value;
}

std::string hex8(uint32_t value) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", value);
  return buf;
}

std::string big_endian4(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

// Splits s at the first `sep`: (before, after), or (s, "") when there is none.
std::pair<std::string_view, std::string_view> chop(std::string_view s, char sep) {
  size_t at = s.find(sep);
  if (at == std::string_view::npos) return {s, {}};
  return {s.substr(0, at), s.substr(at + 1)};
}

// ---- Ed25519 through OpenSSL's EVP API -----------------------------------------------------

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

PkeyPtr private_key_of(std::string_view seed) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(seed), seed.size()));
  if (!key) throw std::runtime_error("EVP_PKEY_new_raw_private_key(Ed25519) failed");
  return key;
}

std::string ed25519_public_key(std::string_view seed) {
  PkeyPtr key = private_key_of(seed);
  std::string out(kEd25519PublicKeyBytes, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(out.data()), &len) !=
          1 ||
      len != kEd25519PublicKeyBytes) {
    throw std::runtime_error("EVP_PKEY_get_raw_public_key(Ed25519) failed");
  }
  return out;
}

std::string ed25519_sign(std::string_view seed, std::string_view message) {
  PkeyPtr key = private_key_of(seed);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     bytes_of(message), message.size()) != 1 ||
      len != kEd25519SignatureBytes) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  return sig;
}

// False for any signature that does not verify, including one of the wrong length or a public
// key OpenSSL refuses: both come from untrusted input.
bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view sig) {
  if (public_key.size() != kEd25519PublicKeyBytes || sig.size() != kEd25519SignatureBytes) {
    return false;
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(public_key),
                                          public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), bytes_of(sig), sig.size(), bytes_of(message),
                          message.size()) == 1;
}

// Decodes "<base64(0x01 || 32 bytes)>" of a key string into the 32 bytes.
std::optional<std::string> decode_key_data(std::string_view text) {
  auto data = decode_canonical_base64(text);
  if (!data || data->size() != 1 + kEd25519PublicKeyBytes || (*data)[0] != kAlgEd25519) {
    return std::nullopt;
  }
  return data->substr(1);
}

OpenedNote fail(NoteError error, std::string message) {
  OpenedNote result;
  result.error = error;
  result.message = std::move(message);
  return result;
}

// Checks one line of checkpoint text other than the tree size and root hash.
bool is_checkpoint_line(std::string_view line) {
  return !line.empty() && line.find('\n') == std::string_view::npos && is_note_encoding(line);
}

}  // namespace

bool is_valid_key_name(std::string_view name) {
  if (name.empty()) return false;
  while (!name.empty()) {
    uint32_t rune;
    size_t len = decode_utf8(name, &rune);
    if (len == 0 || rune == '+' || is_unicode_space(rune)) return false;
    name.remove_prefix(len);
  }
  return true;
}

uint32_t key_hash(std::string_view name, std::string_view public_key) {
  std::string input;
  input.reserve(name.size() + 2 + public_key.size());
  input.append(name).append(1, '\n').append(1, kAlgEd25519).append(public_key);
  return *parse_hex8(util::sha256_hex(input).substr(0, 8));
}

Result<KeyPair> generate_key(std::string_view name) {
  if (!is_valid_key_name(name)) return bad_request("invalid key name");
  Signer signer;
  signer.name = std::string(name);
  signer.seed = util::random_bytes(kEd25519SeedBytes);
  signer.public_key = ed25519_public_key(signer.seed);
  signer.key_hash = key_hash(name, signer.public_key);
  return KeyPair{format_signer_key(signer), format_verifier_key(verifier_of(signer))};
}

Result<Verifier> parse_verifier_key(std::string_view text) {
  auto [name, rest] = chop(text, '+');
  auto [hash_hex, key_text] = chop(rest, '+');
  auto hash = parse_hex8(hash_hex);
  if (!is_valid_key_name(name) || !hash) return bad_request("malformed verifier key");
  auto public_key = decode_key_data(key_text);
  if (!public_key) return bad_request("malformed verifier key data (expected an Ed25519 key)");
  if (key_hash(name, *public_key) != *hash) return bad_request("verifier key hash mismatch");
  return Verifier{std::string(name), *hash, std::move(*public_key)};
}

Result<Signer> parse_signer_key(std::string_view text) {
  if (!text.starts_with(kSignerPrefix)) return bad_request("malformed signer key");
  auto [name, rest] = chop(text.substr(kSignerPrefix.size()), '+');
  auto [hash_hex, key_text] = chop(rest, '+');
  auto hash = parse_hex8(hash_hex);
  if (!is_valid_key_name(name) || !hash) return bad_request("malformed signer key");
  auto seed = decode_key_data(key_text);
  if (!seed) return bad_request("malformed signer key data (expected an Ed25519 key)");
  Signer signer{std::string(name), *hash, std::move(*seed), {}};
  // The hash names the public key, so it can only be checked after deriving that key.
  signer.public_key = ed25519_public_key(signer.seed);
  if (key_hash(name, signer.public_key) != *hash) return bad_request("signer key hash mismatch");
  return signer;
}

std::string format_verifier_key(const Verifier& verifier) {
  return verifier.name + "+" + hex8(verifier.key_hash) + "+" +
         util::base64_encode(std::string(1, kAlgEd25519) + verifier.public_key);
}

std::string format_signer_key(const Signer& signer) {
  return std::string(kSignerPrefix) + signer.name + "+" + hex8(signer.key_hash) + "+" +
         util::base64_encode(std::string(1, kAlgEd25519) + signer.seed);
}

Verifier verifier_of(const Signer& signer) {
  return Verifier{signer.name, signer.key_hash, signer.public_key};
}

Result<std::string> sign_note(std::string_view text, const Signer& signer) {
  // Room for the blank line and one signature line within kMaxNoteBytes.
  if (text.size() > kMaxNoteBytes - 256 - signer.name.size()) {
    return bad_request("note text too large");
  }
  if (text.empty() || text.back() != '\n' || !is_note_encoding(text)) {
    return bad_request("note text must be UTF-8 without control characters, ending in newline");
  }
  if (!is_valid_key_name(signer.name) || signer.seed.size() != kEd25519SeedBytes) {
    return bad_request("invalid signer");
  }
  std::string sig = big_endian4(signer.key_hash) + ed25519_sign(signer.seed, text);
  std::string out(text);
  out.append("\n").append(kSignaturePrefix).append(signer.name).append(" ");
  out.append(util::base64_encode(sig)).append("\n");
  return out;
}

OpenedNote open_note(std::string_view bytes, std::span<const Verifier> known) {
  if (bytes.size() > kMaxNoteBytes) return fail(NoteError::kTooLarge, "note too large");
  if (!is_note_encoding(bytes)) {
    return fail(NoteError::kMalformed, "note is not UTF-8 text without control characters");
  }
  // The text ends at the last blank line; signature lines follow it.
  size_t split = bytes.rfind("\n\n");
  if (split == std::string_view::npos) return fail(NoteError::kMalformed, "note has no signatures");
  std::string_view text = bytes.substr(0, split + 1);
  std::string_view sigs = bytes.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return fail(NoteError::kMalformed, "note does not end with a signature line");
  }

  Note note;
  note.text = std::string(text);
  std::set<std::pair<std::string_view, uint32_t>> seen_keys;
  std::set<std::string_view> seen_unverified;
  size_t count = 0;
  while (!sigs.empty()) {
    size_t end = sigs.find('\n');  // found: sigs ends with '\n'
    std::string_view line = sigs.substr(0, end);
    sigs.remove_prefix(end + 1);
    if (++count > kMaxNoteSignatures) {
      return fail(NoteError::kTooManySignatures, "note has too many signatures");
    }
    if (!line.starts_with(kSignaturePrefix)) {
      return fail(NoteError::kMalformed, "malformed signature line");
    }
    auto [name, b64] = chop(line.substr(kSignaturePrefix.size()), ' ');
    auto raw = decode_canonical_base64(b64);
    if (!is_valid_key_name(name) || !raw || raw->size() < 5) {
      return fail(NoteError::kMalformed, "malformed signature line");
    }
    uint32_t hash = static_cast<uint32_t>(static_cast<unsigned char>((*raw)[0])) << 24 |
                    static_cast<uint32_t>(static_cast<unsigned char>((*raw)[1])) << 16 |
                    static_cast<uint32_t>(static_cast<unsigned char>((*raw)[2])) << 8 |
                    static_cast<uint32_t>(static_cast<unsigned char>((*raw)[3]));
    NoteSignature signature{std::string(name), hash, std::string(b64)};

    const Verifier* verifier = nullptr;
    for (const Verifier& candidate : known) {
      if (candidate.name != name || candidate.key_hash != hash) continue;
      if (verifier && verifier->public_key != candidate.public_key) {
        return fail(NoteError::kAmbiguousKey, "ambiguous key " + signature.name + "+" + hex8(hash));
      }
      verifier = &candidate;
    }
    if (!verifier) {
      if (seen_unverified.insert(line).second) note.unverified.push_back(std::move(signature));
      continue;
    }
    if (!seen_keys.insert({name, hash}).second) continue;
    if (!ed25519_verify(verifier->public_key, text, std::string_view(*raw).substr(4))) {
      return fail(NoteError::kBadSignature,
                  "invalid signature for key " + signature.name + "+" + hex8(hash));
    }
    note.verified.push_back(std::move(signature));
  }

  OpenedNote result;
  if (note.verified.empty()) {
    result.error = NoteError::kUnknownKey;
    result.message = "note has no signature by a known key";
  }
  result.note = std::move(note);
  return result;
}

Result<std::string> format_checkpoint(const Checkpoint& checkpoint) {
  if (!is_checkpoint_line(checkpoint.origin)) return bad_request("invalid checkpoint origin");
  if (checkpoint.root_hash.size() != kRootHashBytes) {
    return bad_request("checkpoint root hash must be 32 bytes");
  }
  std::string out = checkpoint.origin + "\n" + std::to_string(checkpoint.tree_size) + "\n" +
                    util::base64_encode(checkpoint.root_hash) + "\n";
  for (const std::string& line : checkpoint.extensions) {
    if (!is_checkpoint_line(line)) return bad_request("invalid checkpoint extension line");
    out.append(line).append("\n");
  }
  return out;
}

Result<Checkpoint> parse_checkpoint(std::string_view text) {
  if (text.size() > kMaxNoteBytes) return bad_request("checkpoint too large");
  if (text.empty() || text.back() != '\n' || !is_note_encoding(text)) {
    return bad_request("checkpoint must be UTF-8 lines ending in newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 3) return bad_request("checkpoint needs origin, tree size and root hash");
  for (std::string_view line : lines) {
    if (line.empty()) return bad_request("checkpoint has an empty line");
  }

  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  std::string_view size = lines[1];
  if (size.size() > 1 && size[0] == '0') return bad_request("tree size has leading zeros");
  for (char c : size) {
    if (c < '0' || c > '9') return bad_request("tree size is not a decimal number");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (checkpoint.tree_size > (UINT64_MAX - digit) / 10) {
      return bad_request("tree size out of range");
    }
    checkpoint.tree_size = checkpoint.tree_size * 10 + digit;
  }
  auto root_hash = decode_canonical_base64(lines[2]);
  if (!root_hash) return bad_request("root hash is not canonical base64");
  if (root_hash->size() != kRootHashBytes) return bad_request("root hash must be 32 bytes");
  checkpoint.root_hash = std::move(*root_hash);
  for (size_t i = 3; i < lines.size(); ++i) checkpoint.extensions.emplace_back(lines[i]);
  return checkpoint;
}

}  // namespace vitrine::tlog
