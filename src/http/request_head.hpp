// Filling a Request from a parsed Beast request head: shared by the server and the fuzz target
// of the request parser, so the fuzzer exercises the server's own conversion.
#pragma once

#include <string>

#include "http/message.hpp"

namespace vitrine::http {

// `Message` is a boost::beast::http request (header parsed).
template <class Message>
void read_request_head(const Message& message, Request& request) {
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : message) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
}

}  // namespace vitrine::http
