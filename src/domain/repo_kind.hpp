// RepoKind: what a repository holds. The wire spells it three ways: the singular of the API's
// `type` fields and of the metadata database ("model"), the plural of API paths ("models"),
// and the prefix of web and download URLs ("" for models, "datasets/").
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace vitrine::domain {

enum class RepoKind { kModel, kDataset };

inline constexpr std::array<RepoKind, 2> kRepoKinds = {RepoKind::kModel, RepoKind::kDataset};

// "model" | "dataset"
const std::string& to_wire(RepoKind kind);
// "models" | "datasets"
const std::string& plural(RepoKind kind);
// "" | "datasets/": what precedes "{namespace}/{name}" in a repository's web and file URLs.
const std::string& url_prefix(RepoKind kind);

// Exact spellings only (the Hub's are lower case); nullopt for anything else.
std::optional<RepoKind> repo_kind_from_wire(std::string_view singular);
std::optional<RepoKind> repo_kind_from_plural(std::string_view plural);

}  // namespace vitrine::domain
