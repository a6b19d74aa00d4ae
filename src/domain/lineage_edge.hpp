// One edge of the lineage index (service/lineage/lineage.hpp): an indexed repository revision
// derives from a parent, a repository of this hub or a name it does not host.
#pragma once

#include <string>

namespace vitrine::domain {

struct LineageEdgeRow {
  std::string child_uid, child_commit;
  std::string relation, parent_type, parent_id;
  std::string parent_uid;     // "" when the parent is not a repository of this hub
  std::string parent_commit;  // "" when the edge is not pinned to a commit
  bool verified = false;
  std::string source;
  std::string detail_json = "{}";
};

}  // namespace vitrine::domain
