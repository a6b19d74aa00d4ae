// Git's pattern languages, reimplemented without libgit2 so the service layer can decide
// upload modes and filter uploads on paths that are not in any repository yet:
//  - wildmatch(): git's glob matcher (wildmatch.c), the basis of both files below;
//  - GitAttributes: which paths a .gitattributes file routes through `filter=lfs`;
//  - GitIgnore: which file paths a .gitignore excludes.
// Matching is case-sensitive (git's default with core.ignorecase=false). All classes are
// immutable after parse() and safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vitrine::service {

// Git's wildmatch. `*` matches any run of characters, `?` one character, `[...]` a class
// (ranges, `[!...]`/`[^...]` negation, `[:alpha:]`-style names), `\` escapes the next
// character. With pathname=true, `*`, `?` and classes never match '/', and `**` matches across
// directories when it forms a whole component (`**/x`, `x/**`, `a/**/b`, where `a/**/b` also
// matches `a/b`). With pathname=false, '/' is an ordinary character.
bool wildmatch(std::string_view pattern, std::string_view text, bool pathname);

// The `filter` attribute of a .gitattributes file, enough to tell LFS paths. Lines are
// `pattern attr attr...`; blank lines, `#` comments and `[attr]` macro definitions are
// skipped. A pattern without '/' matches the basename; one with '/' matches the whole path
// from the root (a leading '/' is stripped). A pattern ending in '/' never matches a file, as
// in git. For each path the last matching line that mentions `filter` decides.
class GitAttributes {
 public:
  static GitAttributes parse(std::string_view text);

  // True iff the effective `filter` attribute of path (repository-relative) is `lfs`.
  bool is_lfs(std::string_view path) const;

 private:
  enum class FilterState { kLfs, kOther };  // kOther: unset, set to another value, or reset
  struct Rule {
    std::string pattern;
    bool basename_only;
    FilterState state;
  };
  std::vector<Rule> rules_;  // only lines that mention `filter`, in file order
};

// A root .gitignore. Supports `!` negation, `\` escapes of a leading `!`/`#`, trailing-space
// trimming, trailing '/' (directories only), unanchored patterns without '/' (match any
// component's name) and anchored patterns with '/' (leading '/' stripped). The last matching
// pattern wins, and a file inside an ignored directory is ignored whatever later patterns say
// about the file itself (git does not descend into excluded directories).
class GitIgnore {
 public:
  static GitIgnore parse(std::string_view text);

  // True iff the file at path (repository-relative, '/'-separated) is ignored.
  bool is_ignored(std::string_view path) const;

 private:
  struct Rule {
    std::string pattern;
    bool negated;
    bool directory_only;
    bool basename_only;
  };
  // Result of the last matching rule for one path: +1 excluded, -1 re-included, 0 none.
  int evaluate(std::string_view path, bool is_directory) const;
  std::vector<Rule> rules_;
};

// The .gitattributes the Hugging Face Hub puts in a new repository's first commit: one
// `<pattern> filter=lfs diff=lfs merge=lfs -text` line per pattern (contract §4.7). Dataset
// repositories additionally get *.lz4, *.mds and audio, image and video extensions.
std::string default_gitattributes(bool dataset);

}  // namespace vitrine::service
