#include "service/repos/repo_handle.hpp"

#include "storage/git/git_repo.hpp"

namespace vitrine::service {

RepoHandle::RepoHandle(std::unique_ptr<storage::GitRepo> git) : git_(std::move(git)) {}
RepoHandle::RepoHandle(RepoHandle&&) noexcept = default;
RepoHandle& RepoHandle::operator=(RepoHandle&&) noexcept = default;
RepoHandle::~RepoHandle() = default;

storage::GitRepo& RepoHandle::git() const {
  return *git_;
}

const std::string& RepoHandle::uid() const {
  return git_->repo_uid();
}

}  // namespace vitrine::service
