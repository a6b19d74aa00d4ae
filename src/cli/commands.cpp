// What the subcommands share: see commands.hpp.
#include "cli/commands.hpp"

#include <cstdlib>
#include <iostream>

namespace vitrine::cli {

int fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

Result<std::unique_ptr<service::Hub>> open_hub(const std::string& data, service::HubConfig config) {
  config.data_dir = data;
  return service::Hub::open(config);
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace vitrine::cli
