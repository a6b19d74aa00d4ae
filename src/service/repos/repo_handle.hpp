// RepoHandle: one hub repository's git storage, opened for the length of a request
// (Hub::open_git). The services that read or write a repository take it; to api/ it is opaque,
// since storage is private to the service layer (storage/storage_private.hpp). Not thread-safe,
// like the git repository it holds; opening one is cheap.
#pragma once

#include <memory>
#include <string>

namespace vitrine::storage {
class GitRepo;
}

namespace vitrine::service {

class RepoHandle {
 public:
  explicit RepoHandle(std::unique_ptr<storage::GitRepo> git);
  RepoHandle(RepoHandle&&) noexcept;
  RepoHandle& operator=(RepoHandle&&) noexcept;
  ~RepoHandle();

  // For services: the repository itself (a complete type only inside the service layer).
  storage::GitRepo& git() const;
  storage::GitRepo& operator*() const { return git(); }
  storage::GitRepo* operator->() const { return &git(); }
  // The uid of the hub repository (what object-access rules check LFS objects against).
  const std::string& uid() const;

 private:
  std::unique_ptr<storage::GitRepo> git_;
};

}  // namespace vitrine::service
