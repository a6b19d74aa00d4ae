// TileCache and the parsers of tlog_client.hpp.
#include "cli/tlog_client.hpp"

#include <algorithm>
#include <array>
#include <filesystem>

#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace vitrine::cli {

Result<SignedCheckpoint> open_checkpoint(std::string_view bytes, const tlog::Verifier& key,
                                         const std::string& what) {
  auto opened = tlog::open_note(bytes, std::span<const tlog::Verifier>(&key, 1));
  if (!opened) {
    if (opened.error == tlog::NoteError::kUnknownKey ||
        opened.error == tlog::NoteError::kBadSignature) {
      return log_failed(what + " signature does not verify with the given key (" + opened.message +
                        ")");
    }
    return log_failed(what + " is not a signed note (" + opened.message + ")");
  }
  auto checkpoint = tlog::parse_checkpoint(opened.note.text);
  if (!checkpoint)
    return log_failed(what + " is malformed (" + checkpoint.status().message() + ")");
  if (checkpoint->origin != key.name) {
    return log_failed(what + " is for the log '" + checkpoint->origin + "', not '" + key.name +
                      "'");
  }
  if (checkpoint->tree_size > static_cast<uint64_t>(INT64_MAX)) {
    return log_failed(what + " has an impossible tree size");
  }
  SignedCheckpoint out;
  out.note = std::string(bytes);
  out.size = static_cast<int64_t>(checkpoint->tree_size);
  std::copy(checkpoint->root_hash.begin(), checkpoint->root_hash.end(), out.root.begin());
  return out;
}

int tile_width_in_tree(int level, int64_t n, int64_t tree_size) {
  if (level == tlog::kEntriesLevel) level = 0;
  if (level < 0 || level > tlog::kMaxTileLevel || n < 0 || tree_size <= 0) return 0;
  const int shift = tlog::kTileHeight * level;
  if (shift >= 63) return 0;
  // Hashes at tree level `shift`: one per complete subtree of 2^shift records.
  const int64_t count = tree_size >> shift;
  if (n > (count >> tlog::kTileHeight)) return 0;
  const int64_t left = count - (n << tlog::kTileHeight);
  return static_cast<int>(std::min<int64_t>(left, tlog::kTileWidth));
}

Result<std::string> TileCache::tile_data(const tlog::Tile& tile) {
  auto it = tiles_.find({tile.level, tile.n, tile.width});
  if (it != tiles_.end()) return it->second;
  const std::string path = tlog::tile_path(tile);
  auto data = fetch_(path);
  if (!data) return data.status();
  if (tile.level != tlog::kEntriesLevel &&
      data->size() != static_cast<size_t>(tile.width) * tlog::kHashSize) {
    return unprocessable(path + " holds " + std::to_string(data->size()) + " bytes, not " +
                         std::to_string(tile.width * tlog::kHashSize));
  }
  tiles_.emplace(std::make_tuple(tile.level, tile.n, tile.width), *data);
  return data;
}

tlog::HashReader TileCache::reader(int64_t tree_size) {
  return [this, tree_size](std::span<const int64_t> indexes) -> Result<std::vector<tlog::Hash>> {
    std::vector<tlog::Hash> hashes;
    hashes.reserve(indexes.size());
    for (int64_t index : indexes) {
      if (index < 0) return bad_request("tlog: negative stored hash index");
      tlog::Tile least = tlog::tile_for_index(index);
      tlog::Tile tile = least;
      tile.width = tile_width_in_tree(least.level, least.n, tree_size);
      if (tile.width < least.width) {
        return bad_request("tlog: stored hash " + std::to_string(index) +
                           " is not in a tree of size " + std::to_string(tree_size));
      }
      auto data = tile_data(tile);
      if (!data) return data.status();
      auto hash = tlog::hash_from_tile(tile, *data, index);
      if (!hash) return hash.status();
      hashes.push_back(*hash);
    }
    return hashes;
  };
}

Result<std::string> TileCache::entry(int64_t tree_size, int64_t index) {
  if (index < 0 || index >= tree_size) {
    return bad_request("tlog: entry " + std::to_string(index) + " is not in a tree of size " +
                       std::to_string(tree_size));
  }
  tlog::Tile tile{tlog::kEntriesLevel, index >> tlog::kTileHeight, 0};
  tile.width = tile_width_in_tree(tlog::kEntriesLevel, tile.n, tree_size);
  auto data = tile_data(tile);
  if (!data) return data.status();
  auto entries = parse_entry_bundle(*data);
  if (!entries) return unprocessable(tlog::tile_path(tile) + ": " + entries.status().message());
  if (entries->size() != static_cast<size_t>(tile.width)) {
    return unprocessable(tlog::tile_path(tile) + " holds " + std::to_string(entries->size()) +
                         " entries, not " + std::to_string(tile.width));
  }
  return std::move((*entries)[index - (tile.n << tlog::kTileHeight)]);
}

Result<std::vector<std::string>> parse_entry_bundle(std::string_view data) {
  std::vector<std::string> entries;
  size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 2) return unprocessable("entry bundle ends inside a length");
    const size_t length = (static_cast<size_t>(static_cast<uint8_t>(data[at])) << 8) |
                          static_cast<uint8_t>(data[at + 1]);
    at += 2;
    if (data.size() - at < length) return unprocessable("entry bundle ends inside an entry");
    entries.emplace_back(data.substr(at, length));
    at += length;
  }
  return entries;
}

std::optional<std::string> decode_lower_hex(std::string_view hex) {
  if (hex.size() % 2 != 0 || (!hex.empty() && !util::is_lower_hex(hex, hex.size()))) {
    return std::nullopt;
  }
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string bytes(hex.size() / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return bytes;
}

std::optional<tlog::Hash> parse_hash_hex(std::string_view hex) {
  auto bytes = hex.size() == 2 * tlog::kHashSize ? decode_lower_hex(hex) : std::nullopt;
  if (!bytes) return std::nullopt;
  tlog::Hash hash{};
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

std::string sealed_commitment_hex(std::string_view nonce, std::string_view entry) {
  util::Sha256 sha;
  sha.update("vitrine-sealed-entry\n");
  sha.update(nonce);
  sha.update(entry);
  return sha.finish_hex();
}

namespace {

// "models--ns--name" -> "models/ns/name"; nullopt for anything else.
std::optional<std::string> repo_of_cache_folder(std::string_view folder) {
  static constexpr std::array<std::string_view, 3> kTypes = {"models", "datasets", "spaces"};
  for (std::string_view type : kTypes) {
    if (!folder.starts_with(type) || folder.substr(type.size()).substr(0, 2) != "--") continue;
    std::string_view id = folder.substr(type.size() + 2);
    if (id.empty()) return std::nullopt;
    std::string repo(type);
    size_t start = 0;
    while (true) {
      size_t sep = id.find("--", start);
      std::string_view part = id.substr(start, sep == std::string_view::npos ? sep : sep - start);
      if (part.empty()) return std::nullopt;
      repo += "/";
      repo += part;
      if (sep == std::string_view::npos) break;
      start = sep + 2;
    }
    return repo;
  }
  return std::nullopt;
}

}  // namespace

std::optional<HubCachePath> parse_hub_cache_path(std::string_view path) {
  std::vector<std::string> parts;
  for (const auto& part : std::filesystem::path(path)) {
    if (!part.empty() && part != "/") parts.push_back(part.string());
  }
  // The last "snapshots" that sits under a repository folder and above a commit and a file.
  for (size_t i = parts.size(); i-- > 1;) {
    if (parts[i] != "snapshots" || i + 2 >= parts.size()) continue;
    if (!util::is_lower_hex(parts[i + 1], 40)) continue;
    auto repo = repo_of_cache_folder(parts[i - 1]);
    if (!repo) continue;
    std::string relpath;
    for (size_t j = i + 2; j < parts.size(); ++j) {
      if (parts[j] == "." || parts[j] == "..") return std::nullopt;
      if (!relpath.empty()) relpath += "/";
      relpath += parts[j];
    }
    return HubCachePath{*repo, std::string(parts[i + 1]), relpath};
  }
  return std::nullopt;
}

std::string state_file_name(std::string_view origin) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name;
  for (size_t i = 0; i < origin.size(); ++i) {
    const auto c = static_cast<unsigned char>(origin[i]);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-' || (c == '.' && i > 0);
    if (plain) {
      name.push_back(static_cast<char>(c));
    } else {
      name.push_back('%');
      name.push_back(kHex[c >> 4]);
      name.push_back(kHex[c & 15]);
    }
  }
  return name;
}

}  // namespace vitrine::cli
