// `vitrine xet-hash` (hidden): Vitrine's Xet chunking and hashing as JSON, for the differential
// test against @huggingface/xetchunk-wasm (tests/client/xet/xet_diff.test.mjs).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "formats/xet/format.hpp"

namespace vitrine::cli {

int run_xet_hash() {
  nlohmann::json request;
  try {
    request = nlohmann::json::parse(std::cin);
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "xet-hash: bad request JSON: " << e.what() << "\n";
    return 2;
  }
  const std::string path = request.value("data_file", "");
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "xet-hash: cannot read data_file " << path << "\n";
    return 2;
  }
  const std::string data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());

  std::vector<uint64_t> boundaries;
  if (request.contains("boundaries") && !request["boundaries"].is_null()) {
    boundaries = request["boundaries"].get<std::vector<uint64_t>>();
  } else {
    boundaries = xet::chunk_boundaries(data);
  }

  std::vector<xet::ChunkRef> chunks;
  std::vector<xet::Hash> hashes;
  nlohmann::json chunk_hashes = nlohmann::json::array();
  uint64_t start = 0;
  for (const uint64_t end : boundaries) {
    if (end <= start || end > data.size()) {
      std::cerr << "xet-hash: boundary " << end << " out of order or past the data\n";
      return 2;
    }
    const xet::Hash hash = xet::chunk_hash(std::string_view(data).substr(start, end - start));
    chunks.push_back({hash, end - start});
    hashes.push_back(hash);
    chunk_hashes.push_back(xet::to_string(hash));
    start = end;
  }

  nlohmann::json verification = nlohmann::json::array();
  for (const auto& range : request.value("ranges", nlohmann::json::array())) {
    const auto first = range.at(0).get<size_t>();
    const auto last = range.at(1).get<size_t>();  // exclusive
    if (first > last || last > hashes.size()) {
      std::cerr << "xet-hash: range out of bounds\n";
      return 2;
    }
    verification.push_back(
        xet::to_string(xet::verification_hash(std::span(hashes).subspan(first, last - first))));
  }

  const nlohmann::json out = {{"boundaries", boundaries},
                              {"chunk_hashes", chunk_hashes},
                              {"xorb_hash", xet::to_string(xet::xorb_hash(chunks))},
                              {"file_hash", xet::to_string(xet::file_hash(chunks))},
                              {"verification", verification}};
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace vitrine::cli

namespace vitrine::cli {

Commands add_xet_hash_command(CLI::App& app) {
  // Hidden: Xet chunk boundaries and hashes as JSON, for the differential test.
  auto* cmd = app.add_subcommand("xet-hash", "")->group("");
  return {{cmd, [] { return run_xet_hash(); }}};
}

}  // namespace vitrine::cli
