// posix_spawn-based child processes with captured output.
#include "util/subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vitrine::util {

Subprocess::~Subprocess() {
  if (pid_ > 0) {
    kill();
    wait();
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

Subprocess::Subprocess(Subprocess&& o) noexcept
    : pid_(o.pid_),
      stdout_fd_(o.stdout_fd_),
      stderr_fd_(o.stderr_fd_),
      exit_status_(o.exit_status_) {
  o.pid_ = -1;
  o.stdout_fd_ = o.stderr_fd_ = -1;
}

Subprocess& Subprocess::operator=(Subprocess&& o) noexcept {
  if (this != &o) {
    this->~Subprocess();
    new (this) Subprocess(std::move(o));
  }
  return *this;
}

Result<Subprocess> Subprocess::spawn(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env, int stdin_fd) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return internal_error("pipe: " + std::string(std::strerror(errno)));
  int err = ::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (err < 0) {
    char name[] = "/tmp/vitrine-stderr-XXXXXX";
    err = ::mkostemp(name, O_CLOEXEC);
    if (err >= 0) ::unlink(name);
  }
  int null_fd = -1;
  if (stdin_fd < 0) stdin_fd = null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  if (err >= 0) posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  if (null_fd >= 0) ::close(null_fd);
  if (rc != 0) {
    ::close(out[0]);
    if (err >= 0) ::close(err);
    return internal_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  Subprocess p;
  p.pid_ = pid;
  p.stdout_fd_ = out[0];
  p.stderr_fd_ = err;
  return p;
}

ssize_t Subprocess::read_stdout(char* buffer, size_t n) {
  while (true) {
    ssize_t got = ::read(stdout_fd_, buffer, n);
    if (got < 0 && errno == EINTR) continue;
    return got;
  }
}

int Subprocess::wait() {
  if (pid_ <= 0) return exit_status_;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_status_;
}

void Subprocess::kill() {
  if (pid_ > 0) ::kill(pid_, SIGKILL);
}

std::string Subprocess::stderr_text() const {
  if (stderr_fd_ < 0) return "";
  std::string out;
  char buffer[4096];
  off_t offset = 0;
  while (out.size() < 64 * 1024) {
    ssize_t n = ::pread(stderr_fd_, buffer, sizeof buffer, offset);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

}  // namespace vitrine::util
