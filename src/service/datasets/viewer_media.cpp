// Media cells of the dataset viewer (contract §3.2): see viewer_internal.hpp.

#include "formats/datasets/media.hpp"
#include "service/datasets/repo_file_source.hpp"
#include "service/datasets/viewer_internal.hpp"
#include "service/hub.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {

using namespace viewer;

namespace viewer {

// The media type of a top-level feature ("Image", "Audio", "Video", "Pdf"), or "" (also for an
// Image with decode: false, which `datasets` hands out as its raw struct).
std::string media_type(const Json& type) {
  if (!type.is_object() || !type.contains("_type") || !type["_type"].is_string()) return "";
  std::string t = type["_type"].get<std::string>();
  if (t != "Image" && t != "Audio" && t != "Video" && t != "Pdf") return "";
  if (type.contains("decode") && type["decode"] == false) return "";
  return t;
}

// The path under the hub's public URL of a media cell's bytes (the Hub's asset layout:
// {dataset}/--/{revision}/--/{config}/{split}/{row_idx}/{column}/{name}).
std::string asset_path(const MediaPlace& at, uint64_t row, const std::string& column,
                       const std::string& name) {
  return "/datasets-server/assets/" + util::percent_encode_path(at.dataset) + "/--/" + at.revision +
         "/--/" + util::percent_encode_component(at.config) + "/" +
         util::percent_encode_component(at.split) + "/" + std::to_string(row) + "/" +
         util::percent_encode_component(column) + "/" + name;
}

// A stored {"bytes", "path"} media struct as the viewer shows it: {"src", "height", "width"} for
// an image, [{"src", "type"}] for audio, {"src"} for video, {"src", "size_bytes"} for a PDF. The
// src is a path under the hub's URL (made absolute when answered). Bytes are served as they
// are stored (the Hub re-encodes images as JPEG or PNG and audio as WAV); a struct without bytes
// whose path names a file of the dataset (hf://datasets/{id}@{rev}/{path}) points at it.
Json media_cell(const std::string& kind, const Json& cell, const MediaPlace& at, uint64_t row,
                const std::string& column) {
  if (!cell.is_object()) return cell;
  std::string src;
  datasets::MediaInfo info;
  size_t size = 0;
  auto bytes = cell.find("bytes");
  if (bytes != cell.end() && bytes->is_string()) {
    auto decoded = util::base64_decode(bytes->get<std::string>());
    if (!decoded) return nullptr;
    info = datasets::media_info(*decoded);
    size = decoded->size();
    std::string stem = kind == "Image"   ? "image"
                       : kind == "Audio" ? "audio"
                       : kind == "Video" ? "video"
                                         : "document";
    src = asset_path(at, row, column, stem + "." + info.extension);
  } else {
    auto path = cell.find("path");
    if (path == cell.end() || !path->is_string()) return nullptr;
    std::string p = path->get<std::string>();
    std::string prefix = "hf://datasets/" + at.dataset + "@";
    if (!p.starts_with(prefix)) return nullptr;
    auto slash = p.find('/', prefix.size());
    if (slash == std::string::npos) return nullptr;
    src = "/datasets/" + util::percent_encode_path(at.dataset) + "/resolve/" +
          util::percent_encode_component(p.substr(prefix.size(), slash - prefix.size())) + "/" +
          util::percent_encode_path(p.substr(slash + 1));
  }
  if (kind == "Image") {
    Json out = {{"src", src}};
    if (info.height && info.width) {
      out["height"] = *info.height;
      out["width"] = *info.width;
    }
    return out;
  }
  if (kind == "Audio") return Json::array({Json{{"src", src}, {"type", info.mime}}});
  if (kind == "Pdf") return Json{{"src", src}, {"size_bytes", size}};
  return Json{{"src", src}};
}

// Media cells of a row (an object keyed by column) in place.
void media_cells(const Json& features, Json& row, const MediaPlace& at, uint64_t row_idx) {
  for (const auto& f : features) {
    std::string kind = media_type(f["type"]);
    if (kind.empty()) continue;
    std::string name = f["name"].get<std::string>();
    auto it = row.find(name);
    if (it != row.end()) *it = media_cell(kind, *it, at, row_idx, name);
  }
}

// Relative media URLs made absolute with the hub's public URL, in an answer's rows.
void absolute_media(const Json& features, Json& items, const std::string& base) {
  std::vector<std::string> columns;
  for (const auto& f : features) {
    if (!media_type(f["type"]).empty()) columns.push_back(f["name"].get<std::string>());
  }
  if (columns.empty()) return;
  auto fix = [&](Json& cell) {
    if (cell.is_object() && cell.contains("src") && cell["src"].is_string()) {
      std::string src = cell["src"].get<std::string>();
      if (src.starts_with("/")) cell["src"] = base + src;
    }
  };
  for (auto& item : items) {
    for (const auto& c : columns) {
      auto it = item["row"].find(c);
      if (it == item["row"].end()) continue;
      if (it->is_array()) {
        for (auto& e : *it) fix(e);
      } else {
        fix(*it);
      }
    }
  }
}

}  // namespace viewer

}  // namespace vitrine::service
