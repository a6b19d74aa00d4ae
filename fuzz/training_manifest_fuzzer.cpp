// Fuzzes training/manifest.json parsing and OLMo checkpoint names. Besides "never throws",
// checks what the lineage index relies on: a kept reference has a repository name, a pinned
// one a 40-hex commit, file hashes are 64 lower-case hex digits, and log paths are plain.
#include "formats/hub/training_manifest.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  service::TrainingManifest m = service::parse_training_manifest(text);
  FUZZ_CHECK(m.present);
  FUZZ_CHECK(m.data.is_object());
  for (const auto* list : {&m.base_models, &m.datasets, &m.evaluation}) {
    for (const auto& r : *list) {
      FUZZ_CHECK(!r.repo.empty());
      if (r.pinned()) FUZZ_CHECK(r.revision.size() == 40);
      for (const auto& f : r.files) FUZZ_CHECK(f.sha256.size() == 64 && !f.path.empty());
    }
  }
  for (const auto& l : m.logs) {
    FUZZ_CHECK(!l.empty() && l.front() != '/' && !l.starts_with("../") &&
               l.find("/../") == std::string::npos && !l.ends_with("/.."));
  }
  service::ManifestCheckpoint cp;
  if (service::parse_checkpoint_name(text, cp)) FUZZ_CHECK(cp.revision == text);
  return 0;
}
