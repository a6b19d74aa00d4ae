#include "service/transfer/object_maintenance.hpp"

#include "service/hub.hpp"
#include "service/transfer/lfs_service.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::service {

Result<domain::GcReport> ObjectMaintenance::gc(int64_t grace_seconds) {
  auto report = hub_.xet().gc(hub_.db().live_lfs_objects(), grace_seconds);
  if (!report) return report;
  auto parts = LfsService(hub_).remove_abandoned_parts(grace_seconds);
  if (!parts) return parts.status();
  report->part_bytes_freed = *parts;
  return report;
}

Result<domain::FsckReport> ObjectMaintenance::fsck(bool repair) {
  return hub_.xet().fsck(repair);
}

uint64_t ObjectMaintenance::legacy_count() {
  return hub_.xet().legacy_count();
}

Result<uint64_t> ObjectMaintenance::migrate() {
  return hub_.xet().migrate();
}

}  // namespace vitrine::service
