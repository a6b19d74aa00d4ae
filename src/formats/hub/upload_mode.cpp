// Upload mode classification (see upload_mode.hpp).
#include "formats/hub/upload_mode.hpp"

namespace vitrine::service {

UploadMode classify_upload(std::string_view path, uint64_t size, std::string_view sample,
                           const GitAttributes& attrs) {
  if (size == 0) return UploadMode::kRegular;
  if (attrs.is_lfs(path)) return UploadMode::kLfs;
  if (size >= kLfsSizeThreshold) return UploadMode::kLfs;
  if (size > kLfsBinaryThreshold && sample.find('\0') != std::string_view::npos) {
    return UploadMode::kLfs;
  }
  return UploadMode::kRegular;
}

}  // namespace vitrine::service
