// MetadataDb: what profile pages count (a namespace's public repositories).
#include "storage/metadata/metadata_db.hpp"
#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {

int64_t MetadataDb::count_public_repos(const std::string& ns, RepoKind type) {
  auto reader = this->reader();
  Statement s(reader.get(), "SELECT count(*) FROM repos WHERE ns = ? AND type = ? AND private = 0");
  s.bind(1, ns).bind(2, domain::to_wire(type));
  return s.step() == SQLITE_ROW ? s.integer(0) : 0;
}

}  // namespace vitrine::storage
