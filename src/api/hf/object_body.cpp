#include "api/hf/object_body.hpp"

namespace vitrine::api {

http::PieceBody object_body(service::ObjectReader reader) {
  http::PieceBody body;
  body.length = reader.length();
  auto state = std::make_shared<service::ObjectReader>(std::move(reader));
  body.next = [state](http::BodyPiece& out) -> Result<bool> {
    service::ObjectSpan span;
    span.bytes = std::move(out.bytes);  // reuses the piece's buffer
    auto more = state->next(span);
    if (!more || !*more) return more;
    out.fd = span.fd;
    out.offset = span.offset;
    out.length = span.length;
    out.bytes = std::move(span.bytes);
    return true;
  };
  return body;
}

}  // namespace vitrine::api
