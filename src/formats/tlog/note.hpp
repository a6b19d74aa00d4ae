// Signed notes and checkpoints of the transparency log, in the C2SP formats that Go's
// golang.org/x/mod/sumdb/note and every tlog client read:
//   - signed-note (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then
//     one or more lines "— <key name> <base64(key hash || signature)>". Only Ed25519 keys
//     (signature type 0x01) are supported; signatures by other kinds of key are unknown keys.
//   - tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text "<origin>\n<tree size>\n
//     <base64 root hash>\n" followed by optional extension lines.
// Key strings use Go's encodings, so keys move between Vitrine and Go tools unchanged:
//   verifier key  "<name>+<hex8 key hash>+<base64(0x01 || 32-byte public key)>"
//   signer key    "PRIVATE+KEY+<name>+<hex8 key hash>+<base64(0x01 || 32-byte seed)>"
// All functions are pure and thread-safe. Parsers take untrusted input: sizes are bounded and
// malformed input yields an error, never an exception. OpenSSL failures (allocation) throw
// std::runtime_error, as in util/crypto.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::tlog {

// Largest signed note open_note accepts, in bytes. A checkpoint with a few dozen signatures is
// a few kB; the bound leaves room for post-quantum cosignatures (~5 kB each).
inline constexpr size_t kMaxNoteBytes = 1 << 20;
// Most signature lines open_note reads (the spec asks verifiers to accept at least 16; Go
// stops at 100).
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;
// Length of a checkpoint's root hash (SHA-256, RFC 6962).
inline constexpr size_t kRootHashBytes = 32;

// A public key that checks signatures by one log (or witness).
struct Verifier {
  std::string name;        // key name, valid per is_valid_key_name
  uint32_t key_hash = 0;   // key_hash(name, public_key)
  std::string public_key;  // 32 raw Ed25519 bytes
  bool operator==(const Verifier&) const = default;
};

// A private key. Holds the secret seed: never log it or send it anywhere.
struct Signer {
  std::string name;
  uint32_t key_hash = 0;
  std::string seed;        // 32 raw bytes (RFC 8032 private key)
  std::string public_key;  // 32 raw bytes derived from seed
};

// A freshly generated key, already encoded as key strings.
struct KeyPair {
  std::string signer_key;    // "PRIVATE+KEY+..." (secret)
  std::string verifier_key;  // "<name>+<hash>+<key>" (to publish)
};

// True iff name is non-empty, valid UTF-8, and holds no Unicode space (Go's unicode.IsSpace)
// and no '+'.
bool is_valid_key_name(std::string_view name);

// The signed-note key ID of an Ed25519 key: the first 4 bytes, big-endian, of
// SHA-256(name || "\n" || 0x01 || public_key).
uint32_t key_hash(std::string_view name, std::string_view public_key);

// A new Ed25519 key for `name` (seed from the OpenSSL CSPRNG). Fails on an invalid name.
Result<KeyPair> generate_key(std::string_view name);

// Key strings <-> keys. Parsing checks the name, the algorithm byte (0x01 only), the key
// length and that the hash matches the key (for a signer, the hash of the derived public key).
// Like Go, the hex hash may be in either case and is written in lowercase.
Result<Verifier> parse_verifier_key(std::string_view text);
Result<Signer> parse_signer_key(std::string_view text);
std::string format_verifier_key(const Verifier& verifier);
std::string format_signer_key(const Signer& signer);
Verifier verifier_of(const Signer& signer);

// Signs `text`, which must be a valid note text (UTF-8, no control character but newline, ends
// with a newline, at most kMaxNoteBytes), and returns text + "\n" + one signature line.
// Ed25519 is deterministic: the same key and text give the same bytes as Go's note.Sign.
Result<std::string> sign_note(std::string_view text, const Signer& signer);

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string base64;  // base64(key hash || signature), as in the note
  bool operator==(const NoteSignature&) const = default;
};

struct Note {
  std::string text;                       // including its final newline
  std::vector<NoteSignature> verified;    // by known keys, checked (never empty on success)
  std::vector<NoteSignature> unverified;  // by unknown keys, not checked
};

enum class NoteError {
  kNone,
  kMalformed,          // not a signed note (encoding, layout, a bad signature line)
  kTooLarge,           // over kMaxNoteBytes
  kTooManySignatures,  // over kMaxNoteSignatures signature lines
  kAmbiguousKey,       // two different known keys share a name and key hash
  kBadSignature,       // a known key's signature does not verify: the note must be rejected
  kUnknownKey,         // well formed, but no signature by a known key
};

// What open_note found. On kNone `note` holds the text and its signatures; on kUnknownKey it
// holds the text and the unverified signatures (which must not be trusted); otherwise it is
// empty. `message` says what went wrong, for logs and `vitrine verify`.
struct OpenedNote {
  NoteError error = NoteError::kNone;
  std::string message;
  Note note;
  explicit operator bool() const { return error == NoteError::kNone; }
};

// Parses a signed note and checks every signature by a key in `known` (matched on name and key
// hash; other signatures are listed as unverified, as the spec requires). Repeated signatures
// by one key are read once. Base64 must be canonical (padded, zero trailing bits), which every
// conforming signer writes; this keeps a signed note's bytes unique.
OpenedNote open_note(std::string_view bytes, std::span<const Verifier> known);

// The note text of a checkpoint.
struct Checkpoint {
  std::string origin;                   // log identity, first line
  uint64_t tree_size = 0;               // number of leaves
  std::string root_hash;                // kRootHashBytes raw bytes
  std::vector<std::string> extensions;  // opaque non-empty lines after the root hash
  bool operator==(const Checkpoint&) const = default;
};

// The note text of a checkpoint (to pass to sign_note). Fails on an empty origin, a root hash
// of the wrong length, or an origin or extension line that is empty or holds a control
// character or invalid UTF-8.
Result<std::string> format_checkpoint(const Checkpoint& checkpoint);

// Parses checkpoint note text strictly: at least three non-empty lines, each ending in a
// newline; a decimal tree size without sign or leading zeros that fits in 64 bits; a root hash
// in canonical padded base64 of exactly kRootHashBytes. It does not check signatures: pass it
// the text open_note returned.
Result<Checkpoint> parse_checkpoint(std::string_view text);

}  // namespace vitrine::tlog
