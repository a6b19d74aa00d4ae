// A user's request to read the files of a gated repository.
#pragma once

#include <cstdint>
#include <string>

#include "domain/account.hpp"

namespace vitrine::domain {

struct AccessRequestRecord {
  std::string repo_uid;
  UserRecord user;
  std::string status;       // "pending" | "accepted" | "rejected"
  std::string fields_json;  // what the owner asked the user to fill in
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

}  // namespace vitrine::domain
