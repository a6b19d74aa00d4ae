// Parsing of training/manifest.json (formats/hub/training_manifest.hpp).
#include "formats/hub/training_manifest.hpp"

#include <charconv>

#include "util/encoding.hpp"

namespace vitrine::service {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxItems = 10000;  // checkpoints and logs (OLMo lists ~1,000 checkpoints)
constexpr size_t kMaxRefs = 256;     // base models, datasets, evaluation sets: each is checked
constexpr size_t kMaxFiles = 1024;   // file hashes named per reference

std::string text_of(const json& v) {
  return v.is_string() ? v.get<std::string>() : std::string();
}

uint64_t count_of(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0)
    return static_cast<uint64_t>(v.get<int64_t>());
  if (v.is_number_float() && v.get<double>() >= 0 && v.get<double>() < 1.8e19) {
    return static_cast<uint64_t>(v.get<double>());
  }
  return 0;
}

// A plain relative path inside a repository: no "..", no absolute path, no ".git" segment.
bool safe_repo_path(std::string_view p) {
  if (p.empty() || p.size() > 1024 || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    auto seg = p.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == ".." || seg == ".git") return false;
    start = end + 1;
  }
  for (char c : p) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return false;
  }
  return true;
}

void parse_files(const json& v, const std::string& where, std::vector<ManifestFile>& out,
                 std::vector<std::string>& problems) {
  if (v.is_null()) return;
  if (!v.is_array()) {
    problems.push_back(where + ".files: not a list");
    return;
  }
  size_t i = 0;
  for (const auto& f : v) {
    std::string at = where + ".files[" + std::to_string(i++) + "]";
    if (out.size() >= kMaxFiles) {
      problems.push_back(where + ".files: more than " + std::to_string(kMaxFiles) + " entries");
      return;
    }
    if (!f.is_object()) {
      problems.push_back(at + ": not an object");
      continue;
    }
    ManifestFile file{text_of(f.value("path", json())), text_of(f.value("sha256", json()))};
    if (!safe_repo_path(file.path)) {
      problems.push_back(at + ".path: not a plain relative path");
      continue;
    }
    if (!util::is_lower_hex(file.sha256, 64)) {
      problems.push_back(at + ".sha256: not 64 lower-case hex digits");
      continue;
    }
    out.push_back(std::move(file));
  }
}

void parse_refs(const json& root, const char* key, TrainingManifest& m,
                std::vector<ManifestRepoRef>& out) {
  if (!root.contains(key)) return;
  const json& v = root[key];
  if (!v.is_array()) {
    m.problems.push_back(std::string(key) + ": not a list");
    return;
  }
  size_t i = 0;
  for (const auto& item : v) {
    std::string at = std::string(key) + "[" + std::to_string(i++) + "]";
    if (out.size() >= kMaxRefs) {
      m.problems.push_back(std::string(key) + ": more than " + std::to_string(kMaxRefs) +
                           " entries");
      return;
    }
    ManifestRepoRef ref;
    if (item.is_string()) {
      ref.repo = item.get<std::string>();
    } else if (item.is_object()) {
      // evaluation entries name their dataset as "dataset"; the others as "repo".
      const json& repo = item.contains("repo") ? item["repo"] : item.value("dataset", json());
      ref.repo = text_of(repo);
      ref.revision = text_of(item.value("revision", json()));
      ref.relation = text_of(item.value("relation", json()));
      ref.split = text_of(item.value("split", json()));
      ref.stage = text_of(item.value("stage", json()));
      ref.tokens = count_of(item.value("tokens", json()));
      parse_files(item.value("files", json()), at, ref.files, m.problems);
    } else {
      m.problems.push_back(at + ": not an object");
      continue;
    }
    if (ref.repo.empty() || ref.repo.size() > 512) {
      m.problems.push_back(at + ".repo: missing");
      continue;
    }
    if (!ref.relation.empty() && ref.relation != "finetune" && ref.relation != "adapter" &&
        ref.relation != "merge" && ref.relation != "quantized") {
      m.problems.push_back(at + ".relation: \"" + ref.relation +
                           "\" is not finetune, adapter, merge or quantized");
      ref.relation.clear();
    }
    if (!ref.revision.empty() && !ref.pinned()) {
      m.problems.push_back(at + ".revision: \"" + ref.revision +
                           "\" is not a full commit id, so it only counts as declared");
    }
    out.push_back(std::move(ref));
  }
}

}  // namespace

bool ManifestRepoRef::external() const {
  if (repo.find("://") != std::string::npos) return true;
  auto slash = repo.find('/');
  return slash == std::string::npos || slash == 0 || slash + 1 == repo.size() ||
         repo.find('/', slash + 1) != std::string::npos;
}

bool ManifestRepoRef::pinned() const {
  return util::is_lower_hex(revision, 40);
}

bool parse_checkpoint_name(std::string_view name, ManifestCheckpoint& out) {
  // Split on '-' and look for stepN and tokensN[KMBT]; what comes before step is the stage.
  ManifestCheckpoint cp;
  cp.revision = std::string(name);
  bool have_step = false;
  std::string stage;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('-', start);
    if (end == std::string_view::npos) end = name.size();
    auto part = name.substr(start, end - start);
    auto number = [](std::string_view digits, uint64_t& v) {
      if (digits.empty()) return false;
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      return r.ec == std::errc() && r.ptr == digits.data() + digits.size();
    };
    if (!have_step && part.starts_with("step") && number(part.substr(4), cp.step)) {
      have_step = true;
    } else if (have_step && part.starts_with("tokens") && part.size() > 6) {
      auto digits = part.substr(6);
      uint64_t scale = 1;
      switch (digits.back()) {
        case 'K':
          scale = 1000ull;
          break;
        case 'M':
          scale = 1000000ull;
          break;
        case 'B':
          scale = 1000000000ull;
          break;
        case 'T':
          scale = 1000000000000ull;
          break;
        default:
          break;
      }
      if (scale != 1) digits.remove_suffix(1);
      uint64_t v = 0;
      if (!number(digits, v) || v > UINT64_MAX / scale) return false;
      cp.tokens = v * scale;
    } else if (!have_step) {
      if (!stage.empty()) stage += "-";
      stage += std::string(part);
    } else {
      return false;
    }
    start = end + 1;
  }
  if (!have_step) return false;
  cp.stage = stage;
  out = std::move(cp);
  return true;
}

TrainingManifest parse_training_manifest(std::string_view text) {
  TrainingManifest m;
  m.present = true;
  json root;
  try {
    root = json::parse(text, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth) throw std::runtime_error("nested deeper than 32 levels");
      return true;
    });
  } catch (const std::exception& e) {
    m.problems.push_back(std::string("not valid JSON: ") + e.what());
    return m;
  }
  if (!root.is_object()) {
    m.problems.push_back("not a JSON object");
    return m;
  }
  m.data = root;
  std::string schema = text_of(root.value("schema", json()));
  if (schema != kManifestSchema) {
    m.problems.push_back("schema: expected \"" + std::string(kManifestSchema) + "\", got \"" +
                         schema + "\"");
  }
  parse_refs(root, "base_models", m, m.base_models);
  parse_refs(root, "datasets", m, m.datasets);
  parse_refs(root, "evaluation", m, m.evaluation);
  if (root.contains("checkpoints")) {
    const json& v = root["checkpoints"];
    if (!v.is_array()) m.problems.push_back("checkpoints: not a list");
    size_t i = 0;
    for (const auto& c : v.is_array() ? v : json::array()) {
      std::string at = "checkpoints[" + std::to_string(i++) + "]";
      if (m.checkpoints.size() >= kMaxItems) break;
      ManifestCheckpoint cp;
      std::string rev = c.is_string()
                            ? c.get<std::string>()
                            : text_of(c.is_object() ? c.value("revision", json()) : json());
      if (rev.empty() || rev.size() > 255) {
        m.problems.push_back(at + ".revision: missing");
        continue;
      }
      parse_checkpoint_name(rev, cp);
      cp.revision = rev;
      if (c.is_object()) {
        if (auto s = text_of(c.value("stage", json())); !s.empty()) cp.stage = s;
        if (auto n = count_of(c.value("step", json())); n) cp.step = n;
        if (auto n = count_of(c.value("tokens", json())); n) cp.tokens = n;
      }
      m.checkpoints.push_back(std::move(cp));
    }
  }
  if (root.contains("logs")) {
    const json& v = root["logs"];
    if (!v.is_array()) m.problems.push_back("logs: not a list");
    size_t i = 0;
    for (const auto& l : v.is_array() ? v : json::array()) {
      std::string at = "logs[" + std::to_string(i++) + "]";
      std::string p = l.is_string() ? l.get<std::string>()
                                    : text_of(l.is_object() ? l.value("path", json()) : json());
      if (!safe_repo_path(p)) {
        m.problems.push_back(at + ": not a plain relative path");
        continue;
      }
      if (m.logs.size() < kMaxItems) m.logs.push_back(p);
    }
  }
  return m;
}

}  // namespace vitrine::service
