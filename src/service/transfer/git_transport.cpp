// Running git's transport programs for smart HTTP.
#include "service/transfer/git_transport.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace vitrine::service {
namespace {

std::string service_name(GitService s) {
  return s == GitService::kUploadPack ? "upload-pack" : "receive-pack";
}

std::string pkt_line(const std::string& payload) {
  char prefix[5];
  std::snprintf(prefix, sizeof prefix, "%04zx", payload.size() + 4);
  return prefix + payload;
}

// Only the protocol versions git itself would accept from the header.
std::string sanitize_protocol(const std::string& header) {
  std::string out;
  for (char c : header) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '=' || c == ':' || c == '.' ||
        c == '-' || c == '_') {
      out += c;
    }
  }
  return out.substr(0, 256);
}

}  // namespace

std::vector<std::string> GitTransport::environment(const std::string& git_protocol,
                                                   const Caller& caller,
                                                   const std::string& repo_uid) {
  const char* path = std::getenv("PATH");
  std::vector<std::string> env = {
      std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"),
      "HOME=" + hub_.config().data_dir,
      "GIT_CONFIG_NOSYSTEM=1",
      "GIT_CONFIG_GLOBAL=/dev/null",
      "LANG=C",
      "VITRINE_DATA=" + std::filesystem::absolute(hub_.config().data_dir).string(),
      std::string("VITRINE_PUSH_ADMIN=") + (caller.is_admin() ? "1" : "0"),
      "VITRINE_REPO_UID=" + repo_uid,
      "VITRINE_PUSH_USER=" + (caller.user ? caller.user->name : std::string()),
  };
  std::string protocol = sanitize_protocol(git_protocol);
  if (!protocol.empty()) env.push_back("GIT_PROTOCOL=" + protocol);
  return env;
}

Result<std::string> GitTransport::hooks_dir() {
  const std::string& exe = hub_.config().executable_path;
  if (exe.empty()) return internal_error("pushes need the vitrine executable path for the hook");
  std::string dir = std::filesystem::absolute(hub_.config().data_dir).string() + "/hooks";
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const std::pair<const char*, std::string> hooks[] = {
      {"pre-receive",
       "#!/bin/sh\n# Installed by vitrine serve: checks pushes before refs move.\nexec '" + exe +
           "' hook pre-receive\n"},
      {"reference-transaction",
       "#!/bin/sh\n# Installed by vitrine serve: logs ref moves in the transparency log.\nexec '" +
           exe + "' hook reference-transaction \"$1\"\n"},
  };
  for (const auto& [name, script] : hooks) {
    std::string hook = dir + "/" + name;
    std::ifstream existing(hook);
    std::string current((std::istreambuf_iterator<char>(existing)),
                        std::istreambuf_iterator<char>());
    if (current == script) continue;
    std::filesystem::create_directories(dir);
    std::string temp = hook + ".tmp";
    {
      std::ofstream out(temp, std::ios::trunc);
      out << script;
      if (!out) return internal_error("cannot write " + hook);
    }
    ::chmod(temp.c_str(), 0755);
    std::filesystem::rename(temp, hook);
  }
  return dir;
}

Result<std::string> GitTransport::advertise(const domain::RepoRecord& repo, GitService service,
                                            const std::string& git_protocol) {
  std::vector<std::string> argv = {"git", service_name(service), "--stateless-rpc",
                                   "--advertise-refs", hub_.git_path(repo)};
  auto child = util::Subprocess::spawn(argv, environment(git_protocol, Caller{}, repo.uid), -1);
  if (!child) return child.status();
  std::string out;
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = child->read_stdout(buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  if (int rc = child->wait(); rc != 0) {
    return internal_error("git " + service_name(service) + " failed: " + child->stderr_text());
  }
  // Protocol v2 starts with its own capability advertisement, without the prelude.
  if (sanitize_protocol(git_protocol).find("version=2") == std::string::npos ||
      service == GitService::kReceivePack) {
    out = pkt_line("# service=git-" + service_name(service) + "\n") + "0000" + out;
  }
  return out;
}

Result<util::Subprocess> GitTransport::cat_blob(const domain::RepoRecord& repo,
                                                const std::string& oid) {
  bool hex = oid.size() == 40 && oid.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex) return bad_request("not a blob id: " + oid);
  std::vector<std::string> argv = {"git", "--git-dir=" + hub_.git_path(repo), "cat-file", "blob",
                                   oid};
  return util::Subprocess::spawn(argv, environment("", Caller{}, repo.uid), -1);
}

Result<util::Subprocess> GitTransport::run(const domain::RepoRecord& repo, GitService service,
                                           const std::string& git_protocol, int request_fd,
                                           const Caller& caller) {
  std::vector<std::string> argv = {"git"};
  if (service == GitService::kReceivePack) {
    auto hooks = hooks_dir();
    if (!hooks) return hooks.status();
    // No `git gc --auto` after a push: its pack-refs would run our reference-transaction hook
    // for refs it only moves into packed-refs (git 2.39 reports those as deletions).
    argv.insert(argv.end(), {"-c", "core.hooksPath=" + *hooks, "-c", "receive.fsckObjects=true",
                             "-c", "receive.denyDeleteCurrent=true", "-c", "receive.autogc=false"});
  }
  argv.insert(argv.end(), {service_name(service), "--stateless-rpc", hub_.git_path(repo)});
  return util::Subprocess::spawn(argv, environment(git_protocol, caller, repo.uid), request_fd);
}

}  // namespace vitrine::service
