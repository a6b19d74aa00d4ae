// Media formats by their signatures (media.hpp). Header layouts: PNG (RFC 2083 §3.2, §4.1.1),
// JPEG (ITU T.81 Annex B: markers, SOFn frame header), GIF89a (logical screen descriptor),
// WebP (RIFF container: VP8, VP8L and VP8X chunks), BMP (BITMAPINFOHEADER).
#include "formats/datasets/media.hpp"

namespace vitrine::datasets {

namespace {

uint32_t be16(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at]) << 8 | static_cast<uint8_t>(b[at + 1]));
}
uint32_t be32(std::string_view b, size_t at) {
  return be16(b, at) << 16 | be16(b, at + 2);
}
uint32_t le16(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}
uint32_t le24(std::string_view b, size_t at) {
  return le16(b, at) | static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16;
}
uint32_t le32(std::string_view b, size_t at) {
  return le16(b, at) | le16(b, at + 2) << 16;
}

MediaInfo make(const char* mime, const char* extension) {
  MediaInfo m;
  m.mime = mime;
  m.extension = extension;
  return m;
}

void jpeg_size(std::string_view b, MediaInfo* m) {
  size_t at = 2;  // after SOI
  while (at + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[at]) != 0xFF) return;
    auto marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;  // markers without a length
      continue;
    }
    uint32_t length = be16(b, at + 2);
    if (length < 2) return;
    bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (at + 9 > b.size()) return;
      m->height = be16(b, at + 5);
      m->width = be16(b, at + 7);
      return;
    }
    at += 2 + length;
  }
}

}  // namespace

MediaInfo media_info(std::string_view b) {
  if (b.size() >= 24 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n" && b.substr(12, 4) == "IHDR") {
    MediaInfo m = make("image/png", "png");
    m.width = be32(b, 16);
    m.height = be32(b, 20);
    return m;
  }
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") {
    MediaInfo m = make("image/jpeg", "jpg");
    jpeg_size(b, &m);
    return m;
  }
  if (b.size() >= 10 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) {
    MediaInfo m = make("image/gif", "gif");
    m.width = le16(b, 6);
    m.height = le16(b, 8);
    return m;
  }
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
    MediaInfo m = make("image/webp", "webp");
    if (b.size() >= 30 && b.substr(12, 4) == "VP8 " && b.substr(23, 3) == "\x9d\x01\x2a") {
      m.width = le16(b, 26) & 0x3FFF;
      m.height = le16(b, 28) & 0x3FFF;
    } else if (b.size() >= 25 && b.substr(12, 4) == "VP8L" && static_cast<uint8_t>(b[20]) == 0x2F) {
      uint32_t bits = le32(b, 21);
      m.width = (bits & 0x3FFF) + 1;
      m.height = ((bits >> 14) & 0x3FFF) + 1;
    } else if (b.size() >= 30 && b.substr(12, 4) == "VP8X") {
      m.width = le24(b, 24) + 1;
      m.height = le24(b, 27) + 1;
    }
    return m;
  }
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WAVE") {
    return make("audio/wav", "wav");
  }
  if (b.size() >= 26 && b.substr(0, 2) == "BM") {
    MediaInfo m = make("image/bmp", "bmp");
    uint32_t header = le32(b, 14);
    if (header >= 40) {
      m.width = le32(b, 18);
      auto h = static_cast<int32_t>(le32(b, 22));  // negative: stored top-down
      m.height = static_cast<uint32_t>(h < 0 ? -static_cast<int64_t>(h) : h);
    } else if (header == 12) {
      m.width = le16(b, 18);
      m.height = le16(b, 20);
    }
    return m;
  }
  if (b.size() >= 4 && (b.substr(0, 4) == std::string_view("II*\0", 4) ||
                        b.substr(0, 4) == std::string_view("MM\0*", 4))) {
    return make("image/tiff", "tiff");
  }
  if (b.size() >= 4 && b.substr(0, 4) == "fLaC") return make("audio/flac", "flac");
  if (b.size() >= 4 && b.substr(0, 4) == "OggS") return make("audio/ogg", "ogg");
  if (b.size() >= 3 && b.substr(0, 3) == "ID3") return make("audio/mpeg", "mp3");
  if (b.size() >= 2 && static_cast<uint8_t>(b[0]) == 0xFF &&
      (static_cast<uint8_t>(b[1]) & 0xE0) == 0xE0) {
    return make("audio/mpeg", "mp3");
  }
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return make("video/mp4", "mp4");
  if (b.size() >= 4 && b.substr(0, 4) == "\x1A\x45\xDF\xA3") return make("video/webm", "webm");
  if (b.size() >= 5 && b.substr(0, 5) == "%PDF-") return make("application/pdf", "pdf");
  return MediaInfo{};
}

}  // namespace vitrine::datasets
