// fsspec's glob (>= 2023.12), which `datasets` lists a repository's files with: a pattern
// becomes the regular expression fsspec's `glob_translate` writes (fnmatch's `_translate` for
// each '/'-separated part), and that expression runs here as an NFA over code points, which
// cannot backtrack: matching one path is O(len(pattern) × len(path)) whatever the pattern.
// Internal to formats/datasets (data_files.cpp); data_files.hpp's fsspec_match states the
// semantics.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitrine::datasets::fsspec {

// Decodes the UTF-8 code point at `i` and advances past it. A byte that does not start a valid
// shortest-form sequence decodes alone to U+DC80+byte (as Python's surrogateescape), so
// decoding never fails and encoding the result gives the same bytes back.
char32_t next_code_point(std::string_view text, size_t& i);

// One class `[...]` as Python's `re` reads what fnmatch writes for it.
struct CharClass {
  enum class Kind { kSet, kAny, kNever } kind = Kind::kSet;
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;  // inclusive; a literal is (c, c)

  bool contains(char32_t c) const;
};

// One pattern, relative to the repository root, compiled. Not thread-safe: matches() keeps
// scratch state (compile one per thread).
class Glob {
 public:
  explicit Glob(std::string_view pattern);

  // False where glob_translate raises ValueError ("**" inside a part).
  bool valid() const { return valid_; }
  // Whether the pattern has '*', '?' or '['. Without, fsspec's glob is an exists() check.
  bool has_magic() const { return has_magic_; }
  // Without magic: the one path the pattern names (trailing '/' stripped).
  const std::string& literal_path() const { return literal_path_; }
  // With magic: the folder prefix before the first wildcard, where fsspec's find starts.
  const std::string& root() const { return root_; }

  // Whether fsspec would list the file `path`: under the root, no deeper than a pattern
  // without "**" reaches (fsspec's find maxdepth), matched by the expression.
  bool matches(std::string_view path);

 private:
  enum class Op : uint8_t {
    kLiteral,       // one given code point
    kClass,         // one code point of a class
    kNotSlash,      // `[^/]`
    kStarNotSlash,  // `[^/]*`
    kStarAny,       // `.*`
    kGroupStart,    // `(?:.+/)?`, before its first character
    kGroupInside,   // `(?:.+/)?`, after at least one character
  };
  struct State {
    Op op;
    char32_t literal = 0;
    uint32_t class_index = 0;
  };
  // For the one-word NFA: the states a code point lets advance, and those it lets stay.
  struct Moves {
    uint64_t advance = 0;
    uint64_t stay = 0;
  };

  void compile_part(std::string_view part, bool last);
  std::string longest_literal_run() const;
  void add(std::vector<uint32_t>& set, uint32_t state);
  bool run(std::string_view path);
  Moves moves_for(char32_t c) const;
  void build_bit_tables();
  uint64_t closure(uint64_t set) const;
  bool run_bits(std::string_view path) const;

  bool valid_ = true;
  bool has_magic_ = false;
  bool matches_nothing_ = false;
  std::string literal_path_;
  std::string root_;
  std::optional<size_t> max_depth_;
  std::vector<State> states_;
  std::vector<CharClass> classes_;
  std::string required_literal_;
  std::vector<uint32_t> mark_, current_, next_;
  uint32_t generation_ = 0;
  bool bit_parallel_ = false;
  uint64_t skip_one_ = 0, skip_two_ = 0;  // states a star or an optional group lets be skipped
  std::array<Moves, 128> ascii_moves_{};
};

}  // namespace vitrine::datasets::fsspec
