// Fuzzes signed-note opening and checkpoint parsing (what `vitrine verify` reads from a hub it
// does not trust). The known key is a fixed one, so a verified signature is only reachable with
// its real signature; every accepted note or checkpoint must re-encode to the same bytes.
#include <vector>

#include "formats/tlog/note.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

namespace {

// A fixed test key (the seed corpus is signed with it); not a secret.
constexpr std::string_view kSignerKey =
    "PRIVATE+KEY+fuzz.example/log+c6b6a54b+AR/3gZwa2sIcMcc7FkTL2VY8Uew624dnsVi/U8iCTPYa";

const tlog::Signer& signer() {
  static const tlog::Signer value = *tlog::parse_signer_key(kSignerKey);
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  std::vector<tlog::Verifier> known{tlog::verifier_of(signer())};

  tlog::OpenedNote opened = tlog::open_note(input, known);
  FUZZ_CHECK(!opened == !opened.message.empty());
  if (opened) {
    FUZZ_CHECK(!opened.note.verified.empty());
    FUZZ_CHECK(input.starts_with(opened.note.text));
    // Ed25519 is deterministic: re-signing the text gives back the one verified signature line.
    auto resigned = tlog::sign_note(opened.note.text, signer());
    FUZZ_CHECK(resigned.is_ok());
    std::string_view line = std::string_view(*resigned).substr(opened.note.text.size() + 1);
    FUZZ_CHECK(input.find(line) != std::string_view::npos);
  }

  // The checkpoint parser on the opened text, and on the raw input.
  for (std::string_view text : {std::string_view(opened.note.text), input}) {
    auto checkpoint = tlog::parse_checkpoint(text);
    if (!checkpoint) continue;
    auto formatted = tlog::format_checkpoint(*checkpoint);
    FUZZ_CHECK(formatted.is_ok() && *formatted == text);
  }
  return 0;
}
