// libgit2 implementation of GitRepo, including the in-memory tree editor behind build_tree.
#include "storage/git/git_repo.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>

#include "storage/git/git_owned.hpp"

namespace vitrine::storage {
namespace {

std::string oid_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

bool parse_oid(const std::string& hex, git_oid* out) {
  return hex.size() == GIT_OID_HEXSZ && git_oid_fromstr(out, hex.c_str()) == 0;
}

Status git_failure(const std::string& what) {
  return internal_error(what + ": " + git_error_message());
}

uint64_t blob_size(git_repository* repo, const git_oid* oid) {
  OwnedOdb odb;
  if (git_repository_odb(odb.out(), repo) != 0) return 0;
  size_t len = 0;
  git_object_t type;
  if (git_odb_read_header(&len, &type, odb.get(), oid) != 0) return 0;
  return len;
}

domain::CommitInfo describe(const git_commit* c) {
  domain::CommitInfo info;
  info.id = oid_hex(git_commit_id(c));
  info.tree = oid_hex(git_commit_tree_id(c));
  const char* msg = git_commit_message(c);
  info.message = msg ? msg : "";
  while (!info.message.empty() && info.message.back() == '\n') info.message.pop_back();
  info.title = info.message.substr(0, info.message.find('\n'));
  const git_signature* author = git_commit_author(c);
  info.author_name = author->name ? author->name : "";
  info.author_email = author->email ? author->email : "";
  info.time_ms = static_cast<int64_t>(author->when.time) * 1000;
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) {
    info.parents.push_back(oid_hex(git_commit_parent_id(c, i)));
  }
  return info;
}

// A node of the tree being edited. Directory children are loaded from git only when an edit
// descends into them, so a commit touching one file reads one path of trees.
struct Node {
  bool is_dir = false;
  bool has_oid = false;
  git_oid oid{};
  git_filemode_t mode = GIT_FILEMODE_BLOB;
  bool loaded = false;
  bool dirty = false;
  std::map<std::string, std::unique_ptr<Node>> children;
};

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string git_error_message() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Objects and refs reach the disk before a ref update is acknowledged.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
  });
}

GitRepo::~GitRepo() {
  git_repository_free(repo_);
}

Result<std::unique_ptr<GitRepo>> GitRepo::create(const std::string& path,
                                                 const std::string& default_branch) {
  init_libgit2();
  git_repository* repo = nullptr;
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
  std::string head = "refs/heads/" + default_branch;
  opts.initial_head = head.c_str();
  if (git_repository_init_ext(&repo, path.c_str(), &opts) != 0) {
    return git_failure("cannot create repository");
  }
  auto out = std::unique_ptr<GitRepo>(new GitRepo(repo));
  // Served by `git upload-pack`/`receive-pack`: allow fetching any advertised commit.
  git_config* config = nullptr;
  if (git_repository_config(&config, repo) == 0) {
    git_config_set_bool(config, "uploadpack.allowAnySHA1InWant", 1);
    git_config_set_bool(config, "receive.denyNonFastForwards", 0);
    git_config_free(config);
  }
  return out;
}

Result<std::unique_ptr<GitRepo>> GitRepo::open(const std::string& path) {
  init_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_bare(&repo, path.c_str()) != 0) {
    return git_failure("cannot open repository");
  }
  return std::unique_ptr<GitRepo>(new GitRepo(repo));
}

std::optional<std::string> GitRepo::ref_target(const std::string& full_name) {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo_, full_name.c_str()) != 0) return std::nullopt;
  OwnedObject obj;
  if (git_object_lookup(obj.out(), repo_, &oid, GIT_OBJECT_ANY) != 0) return std::nullopt;
  OwnedObject peeled;
  if (git_object_peel(peeled.out(), obj.get(), GIT_OBJECT_COMMIT) != 0) return std::nullopt;
  return oid_hex(git_object_id(peeled.get()));
}

std::optional<std::string> GitRepo::ref_object(const std::string& full_name) {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo_, full_name.c_str()) != 0) return std::nullopt;
  return oid_hex(&oid);
}

std::string GitRepo::peel_to_commit(const std::string& object) {
  git_oid oid;
  if (!parse_oid(object, &oid)) return object;
  OwnedObject obj, peeled;
  if (git_object_lookup(obj.out(), repo_, &oid, GIT_OBJECT_ANY) != 0 ||
      git_object_peel(peeled.out(), obj.get(), GIT_OBJECT_COMMIT) != 0) {
    return object;
  }
  return oid_hex(git_object_id(peeled.get()));
}

bool GitRepo::descends_from(const std::string& commit, const std::string& ancestor) {
  git_oid c, a;
  if (!parse_oid(commit, &c) || !parse_oid(ancestor, &a)) return false;
  if (git_oid_equal(&c, &a)) return true;
  // The common case, a commit on top of the ancestor, without a history walk.
  OwnedCommit head;
  if (git_commit_lookup(head.out(), repo_, &c) == 0) {
    for (unsigned i = 0; i < git_commit_parentcount(head.get()); ++i) {
      if (git_oid_equal(git_commit_parent_id(head.get(), i), &a)) return true;
    }
  }
  return git_graph_descendant_of(repo_, &c, &a) == 1;
}

Result<std::vector<ChangedBlob>> GitRepo::small_changed_blobs(const std::string& old_tree,
                                                              const std::string& new_tree,
                                                              uint64_t max_bytes) {
  std::vector<ChangedBlob> out;
  OwnedTree a, b;
  git_oid oid;
  if (!old_tree.empty() &&
      (!parse_oid(old_tree, &oid) || git_tree_lookup(a.out(), repo_, &oid) != 0)) {
    return git_failure("cannot read tree " + old_tree);
  }
  if (!parse_oid(new_tree, &oid) || git_tree_lookup(b.out(), repo_, &oid) != 0) {
    return git_failure("cannot read tree " + new_tree);
  }
  Owned<git_diff, git_diff_free> diff;
  if (git_diff_tree_to_tree(diff.out(), repo_, a.get(), b.get(), nullptr) != 0) {
    return git_failure("cannot diff trees");
  }
  const size_t n = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
        d->status != GIT_DELTA_TYPECHANGE) {
      continue;
    }
    if (d->new_file.mode != GIT_FILEMODE_BLOB && d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
      continue;
    }
    if (blob_size(repo_, &d->new_file.id) > max_bytes) continue;
    OwnedBlob blob;
    if (git_blob_lookup(blob.out(), repo_, &d->new_file.id) != 0) continue;
    out.push_back(
        {d->new_file.path, std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                                       static_cast<size_t>(git_blob_rawsize(blob.get())))});
  }
  return out;
}

std::vector<GitRef> GitRepo::list_refs() {
  std::vector<GitRef> out;
  OwnedRefIter it;
  if (git_reference_iterator_new(it.out(), repo_) != 0) return out;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it.get()) == 0) {
    OwnedRef owned;
    owned.p = ref;
    std::string name = git_reference_name(ref);
    if (auto target = ref_target(name)) out.push_back({name, *target});
  }
  std::sort(out.begin(), out.end(),
            [](const GitRef& a, const GitRef& b) { return a.name < b.name; });
  return out;
}

std::optional<std::string> GitRepo::find_commit(const std::string& hex) {
  if (hex.size() < 7 || hex.size() > GIT_OID_HEXSZ) return std::nullopt;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  git_oid prefix;
  if (git_oid_fromstrn(&prefix, hex.c_str(), hex.size()) != 0) return std::nullopt;
  OwnedCommit commit;
  if (git_commit_lookup_prefix(commit.out(), repo_, &prefix, hex.size()) != 0) return std::nullopt;
  return oid_hex(git_commit_id(commit.get()));
}

Result<domain::CommitInfo> GitRepo::commit_info(const std::string& commit_id) {
  git_oid oid;
  OwnedCommit commit;
  if (!parse_oid(commit_id, &oid) || git_commit_lookup(commit.out(), repo_, &oid) != 0) {
    return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + commit_id);
  }
  return describe(commit.get());
}

namespace {

// The object and file mode at `path` in a commit's tree (zeros when the path does not exist).
struct PathState {
  git_oid oid{};
  uint32_t mode = 0;
  bool operator==(const PathState& o) const {
    return git_oid_equal(&oid, &o.oid) && mode == o.mode;
  }
};

PathState state_at(git_commit* commit, const std::string& path) {
  PathState out;
  OwnedTree tree;
  if (git_commit_tree(tree.out(), commit) != 0) return out;
  OwnedTreeEntry entry;
  if (git_tree_entry_bypath(entry.out(), tree.get(), path.c_str()) == 0) {
    git_oid_cpy(&out.oid, git_tree_entry_id(entry.get()));
    out.mode = static_cast<uint32_t>(git_tree_entry_filemode(entry.get()));
  }
  return out;
}

// Whether the commit changed `path` (its object or mode) against every parent. `seen` keeps each
// commit's state by raw id: a walk meets most commits first as a parent, then as a child.
bool touches(git_commit* commit, const std::string& path,
             std::unordered_map<std::string, PathState>& seen) {
  auto state_of = [&](git_commit* c) {
    std::string key(reinterpret_cast<const char*>(git_commit_id(c)->id), GIT_OID_RAWSZ);
    if (auto it = seen.find(key); it != seen.end()) return it->second;
    PathState s = state_at(c, path);
    seen.emplace(std::move(key), s);
    return s;
  };
  PathState here = state_of(commit);
  unsigned parents = git_commit_parentcount(commit);
  if (parents == 0) return here.mode != 0;
  for (unsigned i = 0; i < parents; ++i) {
    OwnedCommit parent;
    if (git_commit_parent(parent.out(), commit, i) != 0) continue;
    if (state_of(parent.get()) == here) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<domain::CommitInfo>> GitRepo::log(const std::string& commit_id, size_t offset,
                                                     size_t limit, size_t* total,
                                                     const std::string& path) {
  git_oid oid;
  if (!parse_oid(commit_id, &oid)) return Status(ErrorKind::kRevisionNotFound, "bad commit");
  OwnedWalk walk;
  if (git_revwalk_new(walk.out(), repo_) != 0) return git_failure("revwalk");
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (git_revwalk_push(walk.get(), &oid) != 0) return git_failure("revwalk");
  std::vector<domain::CommitInfo> out;
  size_t index = 0;
  git_oid next;
  std::unordered_map<std::string, PathState> seen;
  size_t examined = 0;
  while (git_revwalk_next(&next, walk.get()) == 0) {
    if (!path.empty()) {
      // Each commit costs tree lookups for the path: the walk is bounded per request.
      if (++examined > kMaxPathLogCommits) break;
      OwnedCommit commit;
      if (git_commit_lookup(commit.out(), repo_, &next) != 0) return git_failure("commit");
      if (!touches(commit.get(), path, seen)) continue;
      if (index >= offset && out.size() < limit) out.push_back(describe(commit.get()));
      ++index;
      continue;
    }
    if (index >= offset && out.size() < limit) {
      OwnedCommit commit;
      if (git_commit_lookup(commit.out(), repo_, &next) != 0) return git_failure("commit");
      out.push_back(describe(commit.get()));
    }
    ++index;
  }
  if (total) *total = index;
  return out;
}

Result<std::string> GitRepo::history(const std::string& commit_id) {
  git_oid oid;
  if (!parse_oid(commit_id, &oid)) return Status(ErrorKind::kRevisionNotFound, "bad commit");
  OwnedWalk walk;
  if (git_revwalk_new(walk.out(), repo_) != 0) return git_failure("revwalk");
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);  // as log()
  if (git_revwalk_push(walk.get(), &oid) != 0) return git_failure("revwalk");
  std::string out;
  git_oid next;
  while (git_revwalk_next(&next, walk.get()) == 0) {
    out.append(reinterpret_cast<const char*>(next.id), GIT_OID_RAWSZ);
  }
  return out;
}

Result<std::vector<std::string>> GitRepo::single_parent_chain(const std::string& commit_id,
                                                              size_t max) {
  git_oid oid;
  if (!parse_oid(commit_id, &oid)) return Status(ErrorKind::kRevisionNotFound, "bad commit");
  std::vector<std::string> out;
  while (out.size() < max) {
    OwnedCommit commit;
    if (git_commit_lookup(commit.out(), repo_, &oid) != 0) return git_failure("commit");
    out.push_back(oid_hex(&oid));
    if (git_commit_parentcount(commit.get()) != 1) break;
    git_oid_cpy(&oid, git_commit_parent_id(commit.get(), 0));
  }
  return out;
}

Result<std::optional<GitTreeEntry>> GitRepo::entry_at(const std::string& commit_id,
                                                      const std::string& path) {
  git_oid oid;
  OwnedCommit commit;
  if (!parse_oid(commit_id, &oid) || git_commit_lookup(commit.out(), repo_, &oid) != 0) {
    return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + commit_id);
  }
  OwnedTree tree;
  if (git_commit_tree(tree.out(), commit.get()) != 0) return git_failure("tree");
  if (path.empty()) {
    return std::optional<GitTreeEntry>(
        GitTreeEntry{"", true, oid_hex(git_tree_id(tree.get())), GIT_FILEMODE_TREE, 0});
  }
  OwnedTreeEntry entry;
  if (git_tree_entry_bypath(entry.out(), tree.get(), path.c_str()) != 0) {
    return std::optional<GitTreeEntry>();
  }
  GitTreeEntry out;
  out.path = path;
  out.is_dir = git_tree_entry_type(entry.get()) == GIT_OBJECT_TREE;
  out.oid = oid_hex(git_tree_entry_id(entry.get()));
  out.mode = git_tree_entry_filemode(entry.get());
  if (git_tree_entry_type(entry.get()) == GIT_OBJECT_COMMIT) return std::optional<GitTreeEntry>();
  if (!out.is_dir) out.size = blob_size(repo_, git_tree_entry_id(entry.get()));
  return std::optional<GitTreeEntry>(out);
}

Result<std::vector<GitTreeEntry>> GitRepo::list_tree(const std::string& commit_id,
                                                     const std::string& dir_path, bool recursive) {
  auto dir = entry_at(commit_id, dir_path);
  if (!dir) return dir.status();
  if (!dir->has_value() || !(*dir)->is_dir) {
    return Status(ErrorKind::kEntryNotFound, "Entry not found: " + dir_path);
  }
  git_oid tree_oid;
  parse_oid((*dir)->oid, &tree_oid);
  OwnedTree tree;
  if (git_tree_lookup(tree.out(), repo_, &tree_oid) != 0) return git_failure("tree");
  std::vector<GitTreeEntry> out;
  std::string prefix = dir_path.empty() ? "" : dir_path + "/";
  // Depth-first, parents before children, entries in git order.
  std::function<Status(git_tree*, const std::string&)> visit = [&](git_tree* t,
                                                                   const std::string& base) {
    size_t count = git_tree_entrycount(t);
    for (size_t i = 0; i < count; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(t, i);
      git_object_t type = git_tree_entry_type(e);
      if (type == GIT_OBJECT_COMMIT) continue;  // submodules are not files
      GitTreeEntry item;
      item.path = base + git_tree_entry_name(e);
      item.is_dir = type == GIT_OBJECT_TREE;
      item.oid = oid_hex(git_tree_entry_id(e));
      item.mode = git_tree_entry_filemode(e);
      if (!item.is_dir) item.size = blob_size(repo_, git_tree_entry_id(e));
      out.push_back(item);
      if (recursive && item.is_dir) {
        OwnedTree sub;
        if (git_tree_lookup(sub.out(), repo_, git_tree_entry_id(e)) != 0) {
          return git_failure("tree");
        }
        if (auto st = visit(sub.get(), item.path + "/"); !st) return st;
      }
    }
    return Status::ok();
  };
  if (auto st = visit(tree.get(), prefix); !st) return st;
  return out;
}

Result<std::string> GitRepo::read_blob(const std::string& blob_oid) {
  git_oid oid;
  OwnedBlob blob;
  if (!parse_oid(blob_oid, &oid) || git_blob_lookup(blob.out(), repo_, &oid) != 0) {
    return git_failure("cannot read blob " + blob_oid);
  }
  auto* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  return std::string(data, static_cast<size_t>(git_blob_rawsize(blob.get())));
}

Result<std::string> GitRepo::write_blob(std::string_view data) {
  git_oid oid;
  if (git_blob_create_from_buffer(&oid, repo_, data.data(), data.size()) != 0) {
    return git_failure("cannot write blob");
  }
  return oid_hex(&oid);
}

Result<std::string> GitRepo::build_tree(const std::string& base_commit,
                                        const std::vector<TreeChange>& changes) {
  Node root;
  root.is_dir = true;
  root.loaded = true;
  if (!base_commit.empty()) {
    git_oid oid;
    OwnedCommit commit;
    if (!parse_oid(base_commit, &oid) || git_commit_lookup(commit.out(), repo_, &oid) != 0) {
      return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + base_commit);
    }
    root.has_oid = true;
    git_oid_cpy(&root.oid, git_commit_tree_id(commit.get()));
    root.loaded = false;
  }
  auto load = [&](Node& dir) -> Status {
    if (dir.loaded) return Status::ok();
    dir.loaded = true;
    if (!dir.has_oid) return Status::ok();
    OwnedTree tree;
    if (git_tree_lookup(tree.out(), repo_, &dir.oid) != 0) return git_failure("tree");
    for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
      auto child = std::make_unique<Node>();
      child->is_dir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
      child->has_oid = true;
      git_oid_cpy(&child->oid, git_tree_entry_id(e));
      child->mode = git_tree_entry_filemode(e);
      dir.children[git_tree_entry_name(e)] = std::move(child);
    }
    return Status::ok();
  };

  for (const auto& change : changes) {
    auto parts = split_path(change.path);
    if (parts.empty()) return unprocessable("Invalid empty path");
    Node* cur = &root;
    std::vector<Node*> trail{cur};
    bool missing = false;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (auto st = load(*cur); !st) return st;
      auto& slot = cur->children[parts[i]];
      if (!slot || !slot->is_dir) {
        if (change.kind == TreeChange::Kind::kDelete) {
          if (!slot) cur->children.erase(parts[i]);
          missing = true;
          break;
        }
        if (slot) {
          // Never a silent deletion: the file in the way stays unless this commit deletes it.
          std::string file;
          for (size_t j = 0; j <= i; ++j) file += (j ? "/" : "") + parts[j];
          return bad_request("Cannot add '" + change.path + "': '" + file +
                             "' is a file (delete it in the same commit first)");
        }
        slot = std::make_unique<Node>();
        slot->is_dir = true;
        slot->loaded = true;
      }
      cur = slot.get();
      trail.push_back(cur);
    }
    if (!missing) {
      if (auto st = load(*cur); !st) return st;
      if (change.kind == TreeChange::Kind::kDelete) {
        if (!cur->children.erase(parts.back())) missing = true;
      } else {
        auto node = std::make_unique<Node>();
        node->has_oid = parse_oid(change.blob_oid, &node->oid);
        if (!node->has_oid) return internal_error("bad blob id " + change.blob_oid);
        node->mode = change.executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
        auto& slot = cur->children[parts.back()];
        if (slot && slot->is_dir) {
          return bad_request("Cannot add '" + change.path +
                             "': a folder of that name exists (delete it in the same commit "
                             "first)");
        }
        slot = std::move(node);
      }
    }
    if (missing) {
      return Status(ErrorKind::kEntryNotFound,
                    "A file with this name doesn't exist: " + change.path);
    }
    for (Node* n : trail) n->dirty = true;
  }

  // Writes dirty directories bottom-up; an emptied directory disappears (git has no empty
  // trees below the root).
  std::function<Result<std::optional<git_oid>>(Node&)> write =
      [&](Node& dir) -> Result<std::optional<git_oid>> {
    if (!dir.dirty) return std::optional<git_oid>(dir.oid);
    if (auto st = load(dir); !st) return st;  // e.g. the root of a commit without changes
    OwnedBuilder builder;
    if (git_treebuilder_new(builder.out(), repo_, nullptr) != 0) return git_failure("tree");
    for (auto& [name, child] : dir.children) {
      git_oid oid = child->oid;
      if (child->is_dir) {
        auto written = write(*child);
        if (!written) return written.status();
        if (!written->has_value()) continue;
        oid = **written;
      }
      if (git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &oid,
                                 child->is_dir ? GIT_FILEMODE_TREE : child->mode) != 0) {
        return git_failure("tree entry " + name);
      }
    }
    if (git_treebuilder_entrycount(builder.get()) == 0 && &dir != &root) {
      return std::optional<git_oid>();
    }
    git_oid out;
    if (git_treebuilder_write(&out, builder.get()) != 0) return git_failure("write tree");
    return std::optional<git_oid>(out);
  };
  root.dirty = true;
  auto written = write(root);
  if (!written) return written.status();
  return oid_hex(&**written);
}

Result<std::string> GitRepo::create_commit(const std::string& tree,
                                           const std::vector<std::string>& parents,
                                           const std::string& author_name,
                                           const std::string& author_email,
                                           const std::string& message) {
  git_oid tree_oid;
  OwnedTree tree_obj;
  if (!parse_oid(tree, &tree_oid) || git_tree_lookup(tree_obj.out(), repo_, &tree_oid) != 0) {
    return git_failure("tree");
  }
  std::vector<OwnedCommit> parent_objs(parents.size());
  std::vector<const git_commit*> parent_ptrs;
  for (size_t i = 0; i < parents.size(); ++i) {
    git_oid p;
    if (!parse_oid(parents[i], &p) || git_commit_lookup(parent_objs[i].out(), repo_, &p) != 0) {
      return git_failure("parent commit");
    }
    parent_ptrs.push_back(parent_objs[i].get());
  }
  OwnedSignature sig;
  if (git_signature_now(sig.out(), author_name.c_str(), author_email.c_str()) != 0) {
    return git_failure("signature");
  }
  git_oid out;
  if (git_commit_create(&out, repo_, nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(),
                        tree_obj.get(), parent_ptrs.size(), parent_ptrs.data()) != 0) {
    return git_failure("cannot write commit");
  }
  return oid_hex(&out);
}

Status GitRepo::update_ref(const std::string& full_name, const std::string& new_target,
                           const std::string& expected_old, const std::string& log_message) {
  git_oid target;
  if (!parse_oid(new_target, &target)) return internal_error("bad target " + new_target);
  OwnedRef ref;
  int rc;
  if (expected_old.empty()) {
    rc = git_reference_create(ref.out(), repo_, full_name.c_str(), &target, 0, log_message.c_str());
  } else {
    git_oid old;
    if (!parse_oid(expected_old, &old)) return internal_error("bad old value " + expected_old);
    rc = git_reference_create_matching(ref.out(), repo_, full_name.c_str(), &target, 1, &old,
                                       log_message.c_str());
  }
  if (rc == 0) return Status::ok();
  if (rc == GIT_EEXISTS || rc == GIT_EMODIFIED || rc == GIT_ELOCKED || rc == GIT_ENOTFOUND) {
    return Status(ErrorKind::kPreconditionFailed, "reference " + full_name + " was updated");
  }
  return git_failure("cannot update " + full_name);
}

Status GitRepo::delete_ref(const std::string& full_name, const std::string& expected_old) {
  OwnedRef ref;
  if (git_reference_lookup(ref.out(), repo_, full_name.c_str()) != 0) {
    return Status(ErrorKind::kRevisionNotFound, "Invalid rev id: " + full_name);
  }
  const git_oid* current = git_reference_target(ref.get());
  if (!expected_old.empty() && (!current || oid_hex(current) != expected_old)) {
    return Status(ErrorKind::kPreconditionFailed, "reference " + full_name + " was updated");
  }
  if (git_reference_delete(ref.get()) != 0) return git_failure("cannot delete " + full_name);
  return Status::ok();
}

}  // namespace vitrine::storage
