#include "api/hf/object_body.hpp"

namespace vitrine::api {

http::PieceBody object_body(std::shared_ptr<storage::ObjectContent> content, uint64_t offset,
                            uint64_t length) {
  struct State {
    std::shared_ptr<storage::ObjectContent> content;
    size_t index = 0;
    uint64_t skip = 0;  // bytes of pieces[index] to skip
    uint64_t remaining = 0;
    std::string buffer;
  };
  auto state = std::make_shared<State>();
  state->content = std::move(content);
  state->remaining = length;
  uint64_t position = 0;
  const auto& pieces = state->content->pieces;
  while (state->index < pieces.size() && position + pieces[state->index].length <= offset) {
    position += pieces[state->index].length;
    state->index++;
  }
  state->skip = offset - position;
  http::PieceBody body;
  body.length = length;
  body.next = [state](http::BodyPiece& out) -> Result<bool> {
    const auto& pieces = state->content->pieces;
    if (state->remaining == 0) return false;
    if (state->index >= pieces.size()) return internal_error("stored object ended early");
    const auto& p = pieces[state->index];
    uint64_t take = std::min(p.length - state->skip, state->remaining);
    if (p.compression == 0) {
      out.fd = p.fd;
      out.offset = p.offset + state->skip;
      out.length = take;
    } else {
      if (auto st = state->content->read_piece(p, state->buffer); !st) return st;
      out.bytes.assign(state->buffer, state->skip, take);
    }
    state->remaining -= take;
    state->skip = 0;
    state->index++;
    return true;
  };
  return body;
}

}  // namespace vitrine::api
