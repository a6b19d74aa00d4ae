// Unit tests for media_info: formats by signature and image sizes from their headers, and short
// or lying headers that say nothing rather than read past the bytes.
#include "formats/datasets/media.hpp"

#include <gtest/gtest.h>

namespace vitrine::datasets {
namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out.push_back(static_cast<char>(b));
  return out;
}

TEST(MediaInfo, ImageSizesFromTheirHeaders) {
  std::string png = bytes({0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0,    13,
                           'I',  'H', 'D', 'R', 0,    0,    0x02, 0x80, 0, 0, 0x01, 0xe0});
  auto m = media_info(png);
  EXPECT_EQ(m.mime, "image/png");
  EXPECT_EQ(m.extension, "png");
  EXPECT_EQ(*m.width, 640u);
  EXPECT_EQ(*m.height, 480u);

  // SOI, an APP0 segment of 16 bytes, a DHT marker segment, then SOF0 of 17x9.
  std::string jpeg = bytes({0xff, 0xd8, 0xff, 0xe0, 0, 16}) + std::string(14, 'j') +
                     bytes({0xff, 0xc4, 0, 3, 0, 0xff, 0xc0, 0, 17, 8, 0, 9, 0, 17, 3});
  m = media_info(jpeg);
  EXPECT_EQ(m.mime, "image/jpeg");
  EXPECT_EQ(m.extension, "jpg");
  EXPECT_EQ(*m.width, 17u);
  EXPECT_EQ(*m.height, 9u);

  m = media_info(std::string("GIF89a") + bytes({5, 0, 7, 0}));
  EXPECT_EQ(m.mime, "image/gif");
  EXPECT_EQ(*m.width, 5u);
  EXPECT_EQ(*m.height, 7u);

  // WebP VP8X: canvas 100x50 stored minus one, 24-bit little-endian.
  std::string webp = std::string("RIFF") + bytes({0, 0, 0, 0}) + "WEBPVP8X" +
                     bytes({10, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 49, 0, 0});
  m = media_info(webp);
  EXPECT_EQ(m.mime, "image/webp");
  EXPECT_EQ(*m.width, 100u);
  EXPECT_EQ(*m.height, 50u);

  std::string bmp = std::string("BM") + std::string(12, '\0') + bytes({40, 0, 0, 0, 8, 0, 0, 0}) +
                    bytes({0xfc, 0xff, 0xff, 0xff});  // height -4: top-down
  m = media_info(bmp);
  EXPECT_EQ(m.mime, "image/bmp");
  EXPECT_EQ(*m.width, 8u);
  EXPECT_EQ(*m.height, 4u);
}

TEST(MediaInfo, AudioVideoAndDocuments) {
  EXPECT_EQ(media_info(std::string("RIFF\0\0\0\0WAVEfmt ", 16)).mime, "audio/wav");
  EXPECT_EQ(media_info("fLaC....").extension, "flac");
  EXPECT_EQ(media_info("OggS....").mime, "audio/ogg");
  EXPECT_EQ(media_info("ID3\x04....").mime, "audio/mpeg");
  EXPECT_EQ(media_info(bytes({0xff, 0xfb, 0x90, 0})).mime, "audio/mpeg");
  EXPECT_EQ(media_info(std::string("\0\0\0\x18"
                                   "ftypmp42",
                                   12))
                .mime,
            "video/mp4");
  EXPECT_EQ(media_info("%PDF-1.7").mime, "application/pdf");
  EXPECT_EQ(media_info("<svg onload=alert(1)>").mime, "application/octet-stream");
  EXPECT_EQ(media_info("").extension, "bin");
}

TEST(MediaInfo, ShortAndLyingHeaders) {
  // A JPEG whose segments run past the bytes, or end before a frame header: no size.
  auto m = media_info(bytes({0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff}));
  EXPECT_EQ(m.mime, "image/jpeg");
  EXPECT_FALSE(m.width);
  m = media_info(bytes({0xff, 0xd8, 0xff, 0xc0, 0, 17, 8}));
  EXPECT_FALSE(m.width);
  m = media_info(bytes({0xff, 0xd8, 0xff, 0xe0, 0, 0}));  // a length under 2
  EXPECT_FALSE(m.width);
  // A PNG cut inside its IHDR is not taken for one.
  EXPECT_EQ(media_info(bytes({0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0})).mime,
            "application/octet-stream");
  // Every prefix of a JPEG is safe to look at.
  std::string jpeg = bytes({0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xc0, 0, 17, 8, 0, 9, 0, 17});
  for (size_t n = 0; n <= jpeg.size(); ++n) media_info(jpeg.substr(0, n));
}

}  // namespace
}  // namespace vitrine::datasets
