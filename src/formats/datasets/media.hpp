// What a media file stored in a dataset is, from its first bytes: the format's MIME type and file
// extension, and an image's width and height from its header (PNG IHDR, JPEG SOFn, GIF logical
// screen, WebP VP8/VP8L/VP8X, BMP). The dataset viewer shows images and audio by URL with these
// (dataset-viewer-contract.md §3.2). Pure and bounded: only the bytes given are read, a JPEG's
// segments are walked without recursion, and anything unknown is "application/octet-stream".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrine::datasets {

struct MediaInfo {
  std::string mime = "application/octet-stream";
  std::string extension = "bin";  // without the dot
  std::optional<uint32_t> width;  // images whose header says
  std::optional<uint32_t> height;
};

// Images: PNG, JPEG, GIF, WebP, BMP, TIFF (no size). Audio: WAV, MP3, Ogg, FLAC. Video: MP4
// (an "ftyp" box), WebM. PDF.
MediaInfo media_info(std::string_view bytes);

}  // namespace vitrine::datasets
