// Fuzzes media_info (media.hpp), which reads the headers of media bytes stored in datasets: it
// never reads past the bytes, names one of its fixed types, and gives a size only for images.
#include <string>

#include "formats/datasets/media.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(fuzz::as_text(data, size));  // an exact-size heap copy: ASan sees overreads
  auto m = datasets::media_info(bytes);
  FUZZ_CHECK(!m.mime.empty() && !m.extension.empty());
  if (m.width || m.height) FUZZ_CHECK(m.mime.rfind("image/", 0) == 0);
  return 0;
}
