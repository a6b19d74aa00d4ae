// Response bodies for stored large objects (a plain file, or a file reconstructed from Xet
// chunks): the spans of a service::ObjectReader, file ranges sent with sendfile.
#pragma once

#include "http/message.hpp"
#include "service/transfer/object_reader.hpp"

namespace vitrine::api {

http::PieceBody object_body(service::ObjectReader reader);

}  // namespace vitrine::api
