// Weight-file summaries for the lineage index: a safetensors or GGUF file's header parsed from
// the stored bytes (formats/weights/safetensors_header.hpp, formats/weights/gguf_header.hpp) and
// reduced to what the index keeps (parameters by dtype, total, tensor count; GGUF architecture,
// quantization, context length, base models).
// Parsed once per content: the summary is cached in the metadata database by content hash.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/commit.hpp"
#include "service/repos/repo_handle.hpp"
#include "service/repos/snapshot_cache.hpp"

namespace vitrine::service {

class Hub;

// The summary of a weight file, or {"error": message} when its header is malformed (read
// failures are not cached: they may be transient).
nlohmann::json weight_summary(Hub& hub, RepoHandle& git, const FileEntry& f, bool gguf);

}  // namespace vitrine::service
