// Signed notes and checkpoints (tlog/note.hpp): round trips, every rejection, and fixed vectors
// from Go's golang.org/x/mod/sumdb/note documentation and the C2SP signed-note specification.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/tlog/note.hpp"
#include "util/encoding.hpp"

namespace vitrine::tlog {
namespace {

// The example of golang.org/x/mod/sumdb/note's package documentation.
const std::string kGoSignerKey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const std::string kGoVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const std::string kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kGoSignature =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
const std::string kGoNote = kGoText + "\n\xE2\x80\x94 PeterNeumann " + kGoSignature + "\n";

// The example of the C2SP signed-note specification ("Verifier keys").
const std::string kSpecVerifierKey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const std::string kSpecNote =
    "This is an example message.\n\n\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    "\n";

const std::string kDash = "\xE2\x80\x94 ";

Verifier go_verifier() {
  return *parse_verifier_key(kGoVerifierKey);
}
Signer go_signer() {
  return *parse_signer_key(kGoSignerKey);
}

Signer new_signer(const std::string& name) {
  auto pair = generate_key(name);
  EXPECT_TRUE(pair.is_ok());
  return *parse_signer_key(pair->signer_key);
}

TEST(TlogNoteKeys, ParsesGoKeysAndFormatsThemBack) {
  auto verifier = parse_verifier_key(kGoVerifierKey);
  ASSERT_TRUE(verifier.is_ok()) << verifier.status().message();
  EXPECT_EQ(verifier->name, "PeterNeumann");
  EXPECT_EQ(verifier->key_hash, 0xc74f20a3u);
  EXPECT_EQ(verifier->public_key.size(), kEd25519PublicKeyBytes);
  EXPECT_EQ(format_verifier_key(*verifier), kGoVerifierKey);

  auto signer = parse_signer_key(kGoSignerKey);
  ASSERT_TRUE(signer.is_ok()) << signer.status().message();
  EXPECT_EQ(signer->key_hash, 0xc74f20a3u);
  EXPECT_EQ(format_signer_key(*signer), kGoSignerKey);
  EXPECT_EQ(verifier_of(*signer), *verifier);
  EXPECT_EQ(key_hash("PeterNeumann", verifier->public_key), 0xc74f20a3u);
}

TEST(TlogNoteKeys, HexHashInEitherCase) {
  auto upper =
      parse_verifier_key("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_TRUE(upper.is_ok());
  EXPECT_EQ(format_verifier_key(*upper), kGoVerifierKey);
}

TEST(TlogNoteKeys, GeneratedKeysRoundTrip) {
  auto pair = generate_key("hub.example.com/log");
  ASSERT_TRUE(pair.is_ok());
  auto signer = parse_signer_key(pair->signer_key);
  auto verifier = parse_verifier_key(pair->verifier_key);
  ASSERT_TRUE(signer.is_ok());
  ASSERT_TRUE(verifier.is_ok());
  EXPECT_EQ(verifier_of(*signer), *verifier);
  EXPECT_EQ(format_signer_key(*signer), pair->signer_key);
  EXPECT_EQ(format_verifier_key(*verifier), pair->verifier_key);
  EXPECT_TRUE(pair->signer_key.starts_with("PRIVATE+KEY+hub.example.com/log+"));
  EXPECT_NE(generate_key("a")->signer_key, generate_key("a")->signer_key);
}

TEST(TlogNoteKeys, RejectsInvalidNames) {
  EXPECT_TRUE(is_valid_key_name("example.com/log42"));
  EXPECT_TRUE(is_valid_key_name("h\xC3\xA9llo"));
  for (const std::string& name : std::vector<std::string>{"", "a b", "a+b", "a\tb", "a\nb",
                                                          "a\xC2\xA0"
                                                          "b",
                                                          "a\xE3\x80\x80"
                                                          "b",
                                                          "a\xE2\x80\x83"
                                                          "b",
                                                          "bad\xFF", "\xC0\xAF", "\xED\xA0\x80"}) {
    EXPECT_FALSE(is_valid_key_name(name)) << name;
    EXPECT_FALSE(generate_key(name).is_ok()) << name;
  }
}

TEST(TlogNoteKeys, RejectsMalformedVerifierKeys) {
  const std::string key64 = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  for (const std::string& text : std::vector<std::string>{
           std::string(""),
           std::string("PeterNeumann"),
           "PeterNeumann+c74f20a3",
           "PeterNeumann+c74f20a3+",
           "+c74f20a3+" + key64,
           "Peter Neumann+c74f20a3+" + key64,
           "PeterNeumann+c74f20a+" + key64,
           "PeterNeumann+c74f20a30+" + key64,
           "PeterNeumann+c74f20ag+" + key64,
           "PeterNeumann+c74f20a4+" + key64,                                      // hash mismatch
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",   // no padding
           "PeterNeumann+c74f20a3+AhpcPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",      // short
           "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // alg 2
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",
           "PeterNeumann+c74f20a3+!Rpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       }) {
    EXPECT_FALSE(parse_verifier_key(text).is_ok()) << text;
  }
}

TEST(TlogNoteKeys, RejectsMalformedSignerKeys) {
  const std::string rest = "+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  for (const std::string& text : std::vector<std::string>{
           std::string(""),
           "PRIVATE+KEY",
           "KEY+PRIVATE" + rest,
           "PRIVATE+KEX" + rest,
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // a public key
           std::string(
               "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKD"),
           std::string(
               "PRIVATE+KEY+Peter+Neumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
       }) {
    EXPECT_FALSE(parse_signer_key(text).is_ok()) << text;
  }
}

TEST(TlogNoteSign, SignatureEqualsGos) {
  auto signed_note = sign_note(kGoText, go_signer());
  ASSERT_TRUE(signed_note.is_ok()) << signed_note.status().message();
  EXPECT_EQ(*signed_note, kGoNote);
}

TEST(TlogNoteSign, RejectsInvalidText) {
  Signer signer = go_signer();
  for (const std::string& text : std::vector<std::string>{
           std::string(""), std::string("no newline"), std::string("tab\there\n"),
           std::string("cr\r\n"), std::string("nul\0\n", 5), std::string("bad utf8 \xFF\n")}) {
    EXPECT_FALSE(sign_note(text, signer).is_ok()) << text;
  }
  EXPECT_FALSE(sign_note(std::string(kMaxNoteBytes, 'a') + "\n", signer).is_ok());
}

TEST(TlogNoteOpen, VerifiesGosNote) {
  std::vector<Verifier> known{go_verifier()};
  OpenedNote opened = open_note(kGoNote, known);
  ASSERT_TRUE(opened) << opened.message;
  EXPECT_EQ(opened.note.text, kGoText);
  ASSERT_EQ(opened.note.verified.size(), 1u);
  EXPECT_EQ(opened.note.verified[0], (NoteSignature{"PeterNeumann", 0xc74f20a3u, kGoSignature}));
  EXPECT_TRUE(opened.note.unverified.empty());
}

TEST(TlogNoteOpen, VerifiesSpecExample) {
  auto verifier = parse_verifier_key(kSpecVerifierKey);
  ASSERT_TRUE(verifier.is_ok()) << verifier.status().message();
  std::vector<Verifier> known{*verifier};
  OpenedNote opened = open_note(kSpecNote, known);
  ASSERT_TRUE(opened) << opened.message;
  EXPECT_EQ(opened.note.text, "This is an example message.\n");
}

TEST(TlogNoteOpen, RoundTripsGeneratedKeysAndBlankLinesInText) {
  Signer signer = new_signer("hub.example");
  std::vector<Verifier> known{verifier_of(signer)};
  for (const std::string& text :
       std::vector<std::string>{std::string("one line\n"), std::string("para\n\nafter blank\n"),
                                std::string("\n"), std::string("ends blank\n\n"),
                                std::string("unicode \xE2\x80\x94 \xF0\x9F\x98\x80 ok\n")}) {
    auto signed_note = sign_note(text, signer);
    ASSERT_TRUE(signed_note.is_ok()) << text;
    OpenedNote opened = open_note(*signed_note, known);
    ASSERT_TRUE(opened) << opened.message << " for " << text;
    EXPECT_EQ(opened.note.text, text);
  }
}

TEST(TlogNoteOpen, UnknownKeysAreListedNotTrusted) {
  Signer other = new_signer("PeterNeumann");  // same name, different key hash
  auto signed_note = sign_note(kGoText, other);
  ASSERT_TRUE(signed_note.is_ok());
  std::vector<Verifier> known{go_verifier()};
  OpenedNote opened = open_note(*signed_note, known);
  EXPECT_EQ(opened.error, NoteError::kUnknownKey);
  EXPECT_EQ(opened.note.text, kGoText);
  ASSERT_EQ(opened.note.unverified.size(), 1u);
  EXPECT_TRUE(opened.note.verified.empty());

  // No verifiers at all.
  EXPECT_EQ(open_note(kGoNote, {}).error, NoteError::kUnknownKey);
}

TEST(TlogNoteOpen, CosignedNoteVerifiesKnownAndListsOthers) {
  Signer witness = new_signer("witness.example");
  auto cosigned = sign_note(kGoText, witness);
  ASSERT_TRUE(cosigned.is_ok());
  std::string witness_line = cosigned->substr(kGoText.size() + 1);
  std::string both = kGoNote + witness_line + witness_line;  // a repeated line is read once

  std::vector<Verifier> only_go{go_verifier()};
  OpenedNote opened = open_note(both, only_go);
  ASSERT_TRUE(opened) << opened.message;
  EXPECT_EQ(opened.note.verified.size(), 1u);
  EXPECT_EQ(opened.note.unverified.size(), 1u);

  std::vector<Verifier> both_keys{go_verifier(), verifier_of(witness)};
  opened = open_note(both, both_keys);
  ASSERT_TRUE(opened) << opened.message;
  EXPECT_EQ(opened.note.verified.size(), 2u);
  EXPECT_TRUE(opened.note.unverified.empty());
}

TEST(TlogNoteOpen, BadSignatureRejectsTheNote) {
  std::vector<Verifier> known{go_verifier()};
  // The text changed after signing.
  std::string changed = kGoNote;
  changed[0] = 'i';
  OpenedNote opened = open_note(changed, known);
  EXPECT_EQ(opened.error, NoteError::kBadSignature);
  EXPECT_TRUE(opened.note.text.empty());

  // The signature bytes changed (same key hash).
  auto raw = *util::base64_decode(kGoSignature);
  raw[10] ^= 1;
  EXPECT_EQ(
      open_note(kGoText + "\n" + kDash + "PeterNeumann " + util::base64_encode(raw) + "\n", known)
          .error,
      NoteError::kBadSignature);

  // A signature of the wrong length by a known key.
  std::string short_sig = util::base64_encode(raw.substr(0, 40));
  EXPECT_EQ(open_note(kGoText + "\n" + kDash + "PeterNeumann " + short_sig + "\n", known).error,
            NoteError::kBadSignature);

  // A good signature followed by a bad one by another known key.
  Signer witness = new_signer("witness.example");
  std::string witness_line = sign_note("other text\n", witness)->substr(12);
  std::vector<Verifier> both_keys{go_verifier(), verifier_of(witness)};
  EXPECT_EQ(open_note(kGoNote + witness_line, both_keys).error, NoteError::kBadSignature);
}

TEST(TlogNoteOpen, AmbiguousKnownKeys) {
  Verifier real = go_verifier();
  Verifier impostor = real;
  impostor.public_key[0] ^= 1;
  std::vector<Verifier> known{real, impostor};
  EXPECT_EQ(open_note(kGoNote, known).error, NoteError::kAmbiguousKey);
  std::vector<Verifier> twice{real, real};
  EXPECT_TRUE(open_note(kGoNote, twice));
}

TEST(TlogNoteOpen, RejectsMalformedNotes) {
  std::vector<Verifier> known{go_verifier()};
  const std::string sig_line = kDash + "PeterNeumann " + kGoSignature + "\n";
  for (const std::string& note : std::vector<std::string>{
           std::string(""),
           kGoText,                                                   // no signatures
           kGoText + "\n",                                            // blank line, no signature
           kGoText + sig_line,                                        // no blank line
           kGoText + "\n" + sig_line.substr(0, sig_line.size() - 1),  // no final newline
           kGoText + "\n" + "- PeterNeumann " + kGoSignature + "\n",  // hyphen, not em dash
           kGoText + "\n" + "\xE2\x80\x94PeterNeumann " + kGoSignature + "\n",
           kGoText + "\n" + kDash + "PeterNeumann\n",
           kGoText + "\n" + kDash + "PeterNeumann \n",
           kGoText + "\n" + kDash + " " + kGoSignature + "\n",
           kGoText + "\n" + kDash + "Peter+Neumann " + kGoSignature + "\n",
           kGoText + "\n" + kDash + "PeterNeumann " + kGoSignature + " \n",
           kGoText + "\n" + kDash + "PeterNeumann " + kGoSignature.substr(0, 90) + "\n",
           kGoText + "\n" + kDash + "PeterNeumann x08gow==\n",  // key hash only
           kGoText + "\n" + kDash + "PeterNeumann " + kGoSignature.substr(0, 90) + "N=\n",  // bits
           kGoText + "\n" + sig_line + "\n",  // blank line after signatures
           kGoText + "\n" + sig_line + "trailing\n",
           "tab\tin text\n\n" + sig_line,
           "cr\r\n\n" + sig_line,
           std::string("nul\0\n\n", 6) + sig_line,
           "bad \xFF utf8\n\n" + sig_line,
           "overlong \xC0\xAF\n\n" + sig_line,
           "surrogate \xED\xA0\x80\n\n" + sig_line,
           "truncated \xE2\x80\n\n" + sig_line,
       }) {
    OpenedNote opened = open_note(note, known);
    EXPECT_EQ(opened.error, NoteError::kMalformed) << note;
    EXPECT_FALSE(opened.message.empty());
  }
}

TEST(TlogNoteOpen, BoundsSizeAndSignatureCount) {
  std::vector<Verifier> known{go_verifier()};
  std::string huge =
      std::string(kMaxNoteBytes, 'a') + "\n\n" + kDash + "PeterNeumann " + kGoSignature + "\n";
  EXPECT_EQ(open_note(huge, known).error, NoteError::kTooLarge);

  // kMaxNoteSignatures lines are read; one more is refused.
  std::string many = kGoNote;
  for (size_t i = 1; i < kMaxNoteSignatures; ++i) {
    many += kDash + "w" + std::to_string(i) + " " + kGoSignature + "\n";
  }
  OpenedNote opened = open_note(many, known);
  ASSERT_TRUE(opened) << opened.message;
  EXPECT_EQ(opened.note.unverified.size(), kMaxNoteSignatures - 1);
  many += kDash + "one.more " + kGoSignature + "\n";
  EXPECT_EQ(open_note(many, known).error, NoteError::kTooManySignatures);
}

// ---- checkpoints ----

Checkpoint sample_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.origin = "example.com/behind-the-sofa";
  checkpoint.tree_size = 20852163;
  checkpoint.root_hash = *util::base64_decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  return checkpoint;
}

TEST(TlogNoteCheckpoint, FormatsTheSpecExample) {
  auto text = format_checkpoint(sample_checkpoint());
  ASSERT_TRUE(text.is_ok());
  EXPECT_EQ(
      *text,
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  auto parsed = parse_checkpoint(*text);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, sample_checkpoint());
}

TEST(TlogNoteCheckpoint, RoundTripsExtensionsAndEdgeSizes) {
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{10}, UINT64_MAX}) {
    Checkpoint checkpoint = sample_checkpoint();
    checkpoint.tree_size = size;
    checkpoint.extensions = {"Timestamp: 1700000000", "\xE2\x80\x94 opaque"};
    auto text = format_checkpoint(checkpoint);
    ASSERT_TRUE(text.is_ok());
    auto parsed = parse_checkpoint(*text);
    ASSERT_TRUE(parsed.is_ok()) << *text;
    EXPECT_EQ(*parsed, checkpoint);
  }
  EXPECT_EQ(parse_checkpoint("o\n18446744073709551615\n" +
                             util::base64_encode(std::string(32, '\0')) + "\n")
                ->tree_size,
            UINT64_MAX);
}

TEST(TlogNoteCheckpoint, SignedCheckpointOpensAndParses) {
  Signer signer = new_signer("example.com/behind-the-sofa");
  auto signed_note = sign_note(*format_checkpoint(sample_checkpoint()), signer);
  ASSERT_TRUE(signed_note.is_ok());
  std::vector<Verifier> known{verifier_of(signer)};
  OpenedNote opened = open_note(*signed_note, known);
  ASSERT_TRUE(opened) << opened.message;
  auto parsed = parse_checkpoint(opened.note.text);
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(*parsed, sample_checkpoint());
}

TEST(TlogNoteCheckpoint, FormatRejectsInvalidFields) {
  Checkpoint checkpoint = sample_checkpoint();
  checkpoint.origin = "";
  EXPECT_FALSE(format_checkpoint(checkpoint).is_ok());
  checkpoint.origin = "two\nlines";
  EXPECT_FALSE(format_checkpoint(checkpoint).is_ok());
  checkpoint = sample_checkpoint();
  checkpoint.root_hash.pop_back();
  EXPECT_FALSE(format_checkpoint(checkpoint).is_ok());
  checkpoint = sample_checkpoint();
  checkpoint.extensions = {""};
  EXPECT_FALSE(format_checkpoint(checkpoint).is_ok());
  checkpoint.extensions = {"a\tb"};
  EXPECT_FALSE(format_checkpoint(checkpoint).is_ok());
}

TEST(TlogNoteCheckpoint, ParseRejectsMalformedText) {
  const std::string hash = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  for (const std::string& text : std::vector<std::string>{
           std::string(""),
           "origin\n",
           "origin\n5\n",
           "origin\n5\n" + hash,           // no final newline
           "\n5\n" + hash + "\n",          // empty origin
           "origin\n\n" + hash + "\n",     // empty size
           "origin\n5\n" + hash + "\n\n",  // empty extension line
           "origin\n5\n" + hash + "\next\n\n",
           "origin\n05\n" + hash + "\n",  // leading zero
           "origin\n00\n" + hash + "\n",
           "origin\n+5\n" + hash + "\n",
           "origin\n-5\n" + hash + "\n",
           "origin\n 5\n" + hash + "\n",
           "origin\n5 \n" + hash + "\n",
           "origin\n0x5\n" + hash + "\n",
           "origin\n18446744073709551616\n" + hash + "\n",  // 2^64
           "origin\n99999999999999999999\n" + hash + "\n",
           "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",   // unpadded
           "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  // trailing bits
           "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=AA==\n",
           "origin\n5\n" + util::base64_encode(std::string(31, 'x')) + "\n",
           "origin\n5\n" + util::base64_encode(std::string(33, 'x')) + "\n",
           "origin\n5\n" + util::base64_encode(std::string(64, 'x')) + "\n",
           "origin\n5\nnot base64!\n",
           "ori\tgin\n5\n" + hash + "\n",
           "ori\xFFgin\n5\n" + hash + "\n",
           "origin\r\n5\n" + hash + "\n",
       }) {
    EXPECT_FALSE(parse_checkpoint(text).is_ok()) << text;
  }
}

}  // namespace
}  // namespace vitrine::tlog
