// The Hub's own view of a dataset's Parquet export (hf-api-contract.md §8.1): the files on
// refs/convert/parquet, listed by config and split as URLs of this API, each a redirect to the
// file on the branch. The router found the dataset and checked its gate (the route's "files"
// access); the listing is the branch's tree, whatever the viewer's answers say.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "service/datasets/dataset_viewer.hpp"
#include "util/encoding.hpp"

namespace vitrine::api {
namespace {

constexpr char kExportRef[] = "refs/convert/parquet";

http::Response not_found(const std::string& what, const Call& call) {
  return error_response(Status(ErrorKind::kEntryNotFound, "No Parquet export of " + what),
                        call.caller);
}

}  // namespace

// GET /api/datasets/{repo}/parquet[/{config}[/{split}[/{n}.parquet]]]
http::Response handle_dataset_parquet(Context& ctx, Call& call) {
  const auto& repo = call.repo->record;
  auto rest = call.params.segments("path");
  if (rest.size() > 3) return not_found("this path", call);
  auto files = service::DatasetViewer(ctx.hub).export_listing(repo);
  if (!files) return error_response(files.status(), call.caller);
  std::string base = ctx.hub.config().public_url + "/api/datasets/" +
                     util::percent_encode_path(repo.id()) + "/parquet/";
  auto urls = [&](const std::string& config, const std::string& split,
                  const std::vector<std::string>& shards) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < shards.size(); ++i) {
      list.push_back(base + util::percent_encode_component(config) + "/" +
                     util::percent_encode_component(split) + "/" + std::to_string(i) + ".parquet");
    }
    return list;
  };
  if (rest.empty()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [config, splits] : *files) {
      for (const auto& [split, shards] : splits) out[config][split] = urls(config, split, shards);
    }
    return json_response(200, out);
  }
  auto config = files->find(rest[0]);
  if (config == files->end()) return not_found("the config '" + rest[0] + "'", call);
  if (rest.size() == 1) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [split, shards] : config->second) out[split] = urls(rest[0], split, shards);
    return json_response(200, out);
  }
  auto split = config->second.find(rest[1]);
  if (split == config->second.end()) return not_found("the split '" + rest[1] + "'", call);
  if (rest.size() == 2) return json_response(200, urls(rest[0], rest[1], split->second));
  // {n}.parquet: the shard's file on the branch.
  const std::string& name = rest[2];
  std::string digits = name.ends_with(".parquet") ? name.substr(0, name.size() - 8) : "";
  bool number = !digits.empty() && digits.size() <= 6 &&
                digits.find_first_not_of("0123456789") == std::string::npos;
  if (!number || std::stoul(digits) >= split->second.size()) {
    return not_found("the file '" + name + "'", call);
  }
  http::Response r;
  r.status = 302;
  r.headers.set("Location", "/datasets/" + util::percent_encode_path(repo.id()) + "/resolve/" +
                                util::percent_encode_component(kExportRef) + "/" +
                                util::percent_encode_path(split->second[std::stoul(digits)]));
  r.body = std::string();
  return r;
}

}  // namespace vitrine::api
