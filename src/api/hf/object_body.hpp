// Response bodies for stored large objects: the pieces of an ObjectContent (a plain file, or a
// file reconstructed from Xet chunks) between two offsets, uncompressed pieces sent with
// sendfile, compressed ones decompressed on the way.
#pragma once

#include <memory>

#include "http/message.hpp"
#include "storage/objects/blob_store.hpp"

namespace vitrine::api {

http::PieceBody object_body(std::shared_ptr<storage::ObjectContent> content, uint64_t offset,
                            uint64_t length);

}  // namespace vitrine::api
