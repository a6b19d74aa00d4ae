// The dataset viewer's API (dataset-viewer-contract.md §1–2), served under /datasets-server/
// and, on a `datasets-server.<host>` host name (the name the `datasets` library derives from
// HF_ENDPOINT), at the root. Every endpoint is a GET with query parameters; the dataset named
// in `dataset` is found with the caller's credentials and its gate applies, as for downloads:
// a private or gated dataset the caller may not read answers exactly as a missing one.
#include <chrono>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "service/datasets/dataset_viewer.hpp"
#include "service/repos/repo_service.hpp"
#include "util/concurrency_limit.hpp"

namespace vitrine::api {
namespace {

http::Response viewer_response(const service::ViewerAnswer& answer) {
  auto r = http::Response::json(answer.status, answer.body);
  // The Hub's production values (API_MAX_AGE_LONG/SHORT): answers change with each revision.
  r.headers.set("Cache-Control", answer.status == 200 ? "max-age=120" : "max-age=10");
  if (!answer.error_code.empty()) r.headers.set("X-Error-Code", answer.error_code);
  if (!answer.revision.empty()) r.headers.set("X-Revision", answer.revision);
  return r;
}

http::Response viewer_error(int status, const std::string& code, const std::string& message) {
  return viewer_response(service::ViewerAnswer::error(status, code, message));
}

// Which parameters an endpoint needs (contract §1.1: empty counts as missing; the most specific
// complete set wins).
enum class Level { kDataset, kConfig, kSplit };

struct Target {
  domain::RepoRecord repo;
  std::string config;
  std::string split;
};

// The parameters and the dataset, or the refusal to send.
std::variant<Target, http::Response> target_of(Context& ctx, Call& call, Level needed) {
  auto param = [&](const char* name) { return call.query.get(name).value_or(""); };
  std::string dataset = param("dataset");
  std::string config = param("config");
  std::string split = param("split");
  if (needed == Level::kSplit && (dataset.empty() || config.empty() || split.empty())) {
    return viewer_error(422, "MissingRequiredParameter",
                        "Parameters 'dataset', 'config' and 'split' are required");
  }
  if (needed == Level::kConfig && (dataset.empty() || config.empty())) {
    return viewer_error(422, "MissingRequiredParameter",
                        "Parameters 'dataset' and 'config' are required");
  }
  if (dataset.empty()) {
    return viewer_error(422, "MissingRequiredParameter", "Parameter 'dataset' is required");
  }
  if (config.empty()) split.clear();  // a split without its config names nothing more
  // Missing, private and gated answer alike, by whether the caller sent credentials (§1.3).
  auto hidden = [&]() -> http::Response {
    if (!call.caller.authenticated()) {
      return viewer_error(401, "ExternalUnauthenticatedError",
                          "The dataset does not exist, or is not accessible without "
                          "authentication (private or gated). Please check the spelling of the "
                          "dataset name or retry with authentication.");
    }
    return viewer_error(404, "ExternalAuthenticatedError",
                        "The dataset does not exist, or is not accessible with the current "
                        "credentials (private or gated). Please check the spelling of the "
                        "dataset name or retry with other authentication credentials.");
  };
  auto slash = dataset.find('/');
  if (slash == std::string::npos || dataset.find('/', slash + 1) != std::string::npos) {
    return hidden();
  }
  auto found = ctx.repos.find(domain::RepoKind::kDataset, dataset.substr(0, slash),
                              dataset.substr(slash + 1), call.caller, service::AccessLevel::kRead);
  auto refused = [&](const Status& st) -> http::Response {
    if (st.kind() == ErrorKind::kInternal) return error_response(st, call.caller);
    return hidden();
  };
  if (!found) return refused(found.status());
  if (auto gate = ctx.repos.check_file_access(found->record, call.caller); !gate) {
    return refused(gate);
  }
  if (found->redirected) {
    return viewer_error(404, "RenamedDatasetError",
                        "The dataset has been renamed. Please use the current dataset name.");
  }
  return Target{std::move(found->record), std::move(config), std::move(split)};
}

// The answer of `ask` for the parameters of `level`, or the refusal.
template <typename Ask>
http::Response answer(Context& ctx, Call& call, Level level, Ask ask) {
  auto t = target_of(ctx, call, level);
  if (auto* refused = std::get_if<http::Response>(&t)) return std::move(*refused);
  service::DatasetViewer viewer(ctx.hub);
  return viewer_response(ask(viewer, std::get<Target>(t)));
}

}  // namespace

http::Response handle_viewer_is_valid(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kDataset, [](auto& viewer, const Target& t) {
    return viewer.is_valid(t.repo, t.config, t.split);
  });
}

http::Response handle_viewer_splits(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kDataset,
                [](auto& viewer, const Target& t) { return viewer.splits(t.repo, t.config); });
}

http::Response handle_viewer_first_rows(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kSplit, [](auto& viewer, const Target& t) {
    return viewer.first_rows(t.repo, t.config, t.split);
  });
}

// An `offset` or `length` parameter (contract §1.4's InvalidParameter messages): a
// non-negative integer, `length` at most kRowsMaxLength; absent gives `fallback`.
std::variant<uint64_t, http::Response> count_param(Call& call, const char* name, uint64_t fallback,
                                                   uint64_t max) {
  auto text = call.query.get(name);
  if (!text || text->empty()) return fallback;
  std::string p = std::string("Parameter '") + name + "'";
  const std::string& t = *text;
  size_t start = t[0] == '-' || t[0] == '+' ? 1 : 0;
  if (start == t.size() || t.size() > 19 ||
      t.find_first_not_of("0123456789", start) != std::string::npos) {
    return viewer_error(422, "InvalidParameter", p + " must be integer");
  }
  if (t[0] == '-' && t.find_first_not_of('0', 1) != std::string::npos) {
    return viewer_error(422, "InvalidParameter", p + " must be positive");
  }
  uint64_t value = std::stoull(t.substr(start));
  if (value > max) {
    return viewer_error(422, "InvalidParameter",
                        p + " must not be greater than " + std::to_string(max));
  }
  return value;
}

// A page's `offset` and `length`, or the refusal.
struct Page {
  uint64_t offset = 0;
  uint64_t length = 0;
};
std::variant<Page, http::Response> page_params(Call& call) {
  auto offset = count_param(call, "offset", 0, std::numeric_limits<int64_t>::max());
  if (auto* r = std::get_if<http::Response>(&offset)) return std::move(*r);
  auto length = count_param(call, "length", service::ViewerLimits::kRowsMaxLength,
                            service::ViewerLimits::kRowsMaxLength);
  if (auto* r = std::get_if<http::Response>(&length)) return std::move(*r);
  return Page{std::get<uint64_t>(offset), std::get<uint64_t>(length)};
}

// The routes that read a split's files in the request (/rows, /filter, /search) take a turn:
// at most kReadingTurns requests at once, one per caller (its account, or its address); a caller
// waits up to kTurnWait for one, then gets 429.
constexpr std::ptrdiff_t kReadingTurns = 8;
constexpr auto kTurnWait = std::chrono::seconds(10);

std::variant<std::unique_ptr<util::FairLimit::Turn>, http::Response> reading_turn(Call& call) {
  static util::FairLimit turns(kReadingTurns);
  auto turn = turns.try_take(caller_key(call), kTurnWait);
  if (turn->held()) return turn;
  auto r = viewer_error(429, "TooManyRequests",
                        "Too many dataset viewer requests read files at once; retry in a moment");
  r.headers.set("Retry-After", "1");
  return r;
}

// The answer of `ask` for a split and a page of it, or the refusal.
template <typename Ask>
http::Response paged_answer(Context& ctx, Call& call, Ask ask) {
  auto t = target_of(ctx, call, Level::kSplit);
  if (auto* refused = std::get_if<http::Response>(&t)) return std::move(*refused);
  auto page = page_params(call);
  if (auto* refused = std::get_if<http::Response>(&page)) return std::move(*refused);
  auto turn = reading_turn(call);
  if (auto* refused = std::get_if<http::Response>(&turn)) return std::move(*refused);
  service::DatasetViewer viewer(ctx.hub);
  return viewer_response(ask(viewer, std::get<Target>(t), std::get<Page>(page)));
}

http::Response handle_viewer_filter(Context& ctx, Call& call) {
  return paged_answer(ctx, call, [&](auto& viewer, const Target& t, const Page& p) {
    return viewer.filter(t.repo, t.config, t.split, call.query.get("where").value_or(""),
                         call.query.get("orderby").value_or(""), p.offset, p.length);
  });
}

http::Response handle_viewer_search(Context& ctx, Call& call) {
  // The Hub's message names the four parameters, whichever is missing.
  for (const char* name : {"dataset", "config", "split", "query"}) {
    if (call.query.get(name).value_or("").empty()) {
      return viewer_error(422, "MissingRequiredParameter",
                          "Parameter 'dataset', 'config', 'split' and 'query' are required");
    }
  }
  std::string query = *call.query.get("query");
  return paged_answer(ctx, call, [&](auto& viewer, const Target& t, const Page& p) {
    return viewer.search(t.repo, t.config, t.split, query, p.offset, p.length);
  });
}

http::Response handle_viewer_info(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kDataset,
                [](auto& viewer, const Target& t) { return viewer.info(t.repo, t.config); });
}

http::Response handle_viewer_size(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kDataset,
                [](auto& viewer, const Target& t) { return viewer.size(t.repo, t.config); });
}

http::Response handle_viewer_statistics(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kSplit, [](auto& viewer, const Target& t) {
    return viewer.statistics(t.repo, t.config, t.split);
  });
}

http::Response handle_viewer_rows(Context& ctx, Call& call) {
  return paged_answer(ctx, call, [](auto& viewer, const Target& t, const Page& p) {
    return viewer.rows(t.repo, t.config, t.split, p.offset, p.length);
  });
}

// GET /datasets-server/assets/{dataset}/--/{revision}/--/{config}/{split}/{row}/{column}/{name}
// (and cached-assets/): the bytes of a media cell, found with the caller's access and the gate
// as the other endpoints. Anything that names no media cell is 404.
http::Response handle_viewer_asset(Context& ctx, Call& call) {
  auto missing = [&] {
    return error_response(not_found("No media cell at this address"), call.caller);
  };
  std::string path = call.params.get("path");
  auto first = path.find("/--/");
  if (first == std::string::npos) return missing();
  auto second = path.find("/--/", first + 4);
  if (second == std::string::npos) return missing();
  std::string dataset = path.substr(0, first);
  std::string revision = path.substr(first + 4, second - first - 4);
  std::vector<std::string> rest;
  for (size_t at = second + 4;;) {
    auto slash = path.find('/', at);
    rest.push_back(path.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  // config, split, row, column, name (a config may hold slashes: it takes what is left).
  if (rest.size() < 5) return missing();
  std::string name = rest.back();
  std::string column = rest[rest.size() - 2];
  std::string row_text = rest[rest.size() - 3];
  std::string split = rest[rest.size() - 4];
  std::string config = rest[0];
  for (size_t i = 1; i + 4 < rest.size(); ++i) config += "/" + rest[i];
  if (row_text.empty() || row_text.size() > 18 ||
      row_text.find_first_not_of("0123456789") != std::string::npos || revision.size() != 40) {
    return missing();
  }
  auto slash = dataset.find('/');
  if (slash == std::string::npos) return missing();
  auto found = ctx.repos.find(domain::RepoKind::kDataset, dataset.substr(0, slash),
                              dataset.substr(slash + 1), call.caller, service::AccessLevel::kRead);
  // Missing, private and gated datasets answer alike: as an address with no media.
  if (!found) {
    return found.status().kind() == ErrorKind::kInternal
               ? error_response(found.status(), call.caller)
               : missing();
  }
  if (auto gate = ctx.repos.check_file_access(found->record, call.caller); !gate) {
    return gate.kind() == ErrorKind::kInternal ? error_response(gate, call.caller) : missing();
  }
  service::DatasetViewer viewer(ctx.hub);
  auto asset = viewer.asset(found->record, revision, config, split, std::stoull(row_text), column);
  if (!asset) {
    if (asset.status().kind() == ErrorKind::kNotFound) return missing();
    return error_response(asset.status(), call.caller);
  }
  auto r = http::Response::text(200, std::move(asset->bytes), asset->content_type);
  // Bytes of one revision never change; a dataset's bytes are never a page of the hub's.
  r.headers.set("Cache-Control", "private, max-age=3600");
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Content-Security-Policy", "default-src 'none'; sandbox");
  r.headers.set("Access-Control-Allow-Origin", "*");
  return r;
}

http::Response handle_viewer_parquet(Context& ctx, Call& call) {
  return answer(ctx, call, Level::kDataset,
                [](auto& viewer, const Target& t) { return viewer.parquet(t.repo, t.config); });
}

http::Response handle_viewer_croissant_crumbs(Context& ctx, Call& call) {
  // full: anything but "false" (any case) keeps every field, as on the Hub.
  std::string full = call.query.get("full").value_or("true");
  for (auto& c : full) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer(ctx, call, Level::kDataset, [&](auto& viewer, const Target& t) {
    return viewer.croissant_crumbs(t.repo, full != "false");
  });
}

}  // namespace vitrine::api
