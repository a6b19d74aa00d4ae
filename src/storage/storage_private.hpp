// The storage layer is private to the service layer (src/README.md): a header of it compiles
// only in storage/ and service/ (and in the tests and benchmarks of storage itself), where
// CMakeLists.txt defines VITRINE_STORAGE_INTERNAL. api/ and cli/ reach data through services.
#pragma once

#ifndef VITRINE_STORAGE_INTERNAL
#error "storage/ is private to service/: reach it through a service (see src/README.md)"
#endif
