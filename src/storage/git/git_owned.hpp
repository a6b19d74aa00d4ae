// Owned<T, Free>: a libgit2 object freed when it goes out of scope, for the storage files that
// call libgit2 (git_repo.cpp, git_diff.cpp). Internal to storage/.
#pragma once

#include <git2.h>

#include "storage/storage_private.hpp"

namespace vitrine::storage {

template <typename T, void (*Free)(T*)>
struct Owned {
  T* p = nullptr;
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (p) Free(p);
  }
  T** out() { return &p; }
  T* get() const { return p; }
};
using OwnedCommit = Owned<git_commit, git_commit_free>;
using OwnedTree = Owned<git_tree, git_tree_free>;
using OwnedTreeEntry = Owned<git_tree_entry, git_tree_entry_free>;
using OwnedRef = Owned<git_reference, git_reference_free>;
using OwnedBlob = Owned<git_blob, git_blob_free>;
using OwnedObject = Owned<git_object, git_object_free>;
using OwnedOdb = Owned<git_odb, git_odb_free>;
using OwnedWalk = Owned<git_revwalk, git_revwalk_free>;
using OwnedBuilder = Owned<git_treebuilder, git_treebuilder_free>;
using OwnedSignature = Owned<git_signature, git_signature_free>;
using OwnedRefIter = Owned<git_reference_iterator, git_reference_iterator_free>;
using OwnedDiff = Owned<git_diff, git_diff_free>;
using OwnedPatch = Owned<git_patch, git_patch_free>;

}  // namespace vitrine::storage
