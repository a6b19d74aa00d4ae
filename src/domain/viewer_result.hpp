// One answer of the dataset viewer (service/datasets/), computed in the background for one
// dataset revision and kept until a newer revision's answers replace it: the JSON body the API
// sends, or the error it replays (the viewer's "cached job errors",
// dataset-viewer-contract.md §1.4).
#pragma once

#include <cstdint>
#include <string>

namespace vitrine::domain {

struct ViewerResult {
  std::string repo_uid;
  std::string revision;  // the dataset commit it was computed from (X-Revision)
  std::string step;      // what it answers, e.g. "dataset-layout", "split-first-rows"
  std::string config;    // "" for a dataset-level step
  std::string split;     // "" for a dataset- or config-level step
  int http_status = 200;
  std::string error_code;  // X-Error-Code when the step failed; empty when it succeeded
  std::string body;        // the response's JSON
  int64_t updated_ms = 0;
};

}  // namespace vitrine::domain
