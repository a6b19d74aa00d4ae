// Subprocess: runs a program (git upload-pack/receive-pack) with stdin from a file descriptor,
// stdout through a pipe the caller streams, and stderr captured in an anonymous temporary file
// (so a chatty child can never block on a full stderr pipe). Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace vitrine::util {

class Subprocess {
 public:
  Subprocess() = default;
  ~Subprocess();  // kills and reaps a child still running
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // `env` entries are "NAME=value"; the child sees only those. `stdin_fd` (-1: /dev/null) is
  // duplicated, so the caller keeps ownership of it.
  static Result<Subprocess> spawn(const std::vector<std::string>& argv,
                                  const std::vector<std::string>& env, int stdin_fd);

  int stdout_fd() const { return stdout_fd_; }
  // Reads stdout; 0 at end of output, -1 on error.
  ssize_t read_stdout(char* buffer, size_t n);
  // Waits for exit; returns the exit status (128+signal when killed).
  int wait();
  void kill();
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int exit_status_ = -1;
};

}  // namespace vitrine::util
