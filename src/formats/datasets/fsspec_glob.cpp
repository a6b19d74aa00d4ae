// Implements fsspec_glob.hpp. `glob_translate` (fsspec/utils.py) turns a pattern into a regular
// expression part by part ('/' separated): "**" is `(?:.+/)?` (last: `.*`), a lone "*" is
// `[^/]+/` (last: `[^/]+`), "**" inside a part is a ValueError, and any other part goes
// through fnmatch's `_translate`: `*` is `[^/]*`, `?` is `[^/]`, `[...]` a class, anything else
// literal; all under re.DOTALL. Here each of those pieces is a state of an NFA.
#include "formats/datasets/fsspec_glob.hpp"

#include <algorithm>

namespace vitrine::datasets::fsspec {
namespace {

std::u32string decode(std::string_view s) {  // a pattern part, as Python sees it
  std::u32string out;
  for (size_t i = 0; i < s.size();) out.push_back(next_code_point(s, i));
  return out;
}

// The inverse of next_code_point (so a byte that was not UTF-8 comes back as that byte).
void encode(char32_t cp, std::string& out) {
  if (cp >= 0xDC80 && cp <= 0xDCFF) {
    out.push_back(static_cast<char>(cp - 0xDC00));  // a byte that was not valid UTF-8
  } else if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// One item of the class text fsspec hands to Python's `re`: a character, and whether it is
// escaped (always literal) or bare (a bare '-' between two items makes a range).
struct ClassItem {
  char32_t c;
  bool escaped;
};

// fnmatch `_translate`'s handling of `[...]` (pattern[start, end) is the text between the
// brackets), then Python's parsing of the class it writes. Returns false where `re` would
// reject the class ("bad character range"), which fsspec's merging of ranges prevents.
bool build_class(const std::u32string& pat, size_t start, size_t end, CharClass& out) {
  std::u32string_view stuff(pat.data() + start, end - start);
  std::vector<ClassItem> items;
  if (stuff.find(U'-') == std::u32string_view::npos) {
    for (char32_t c : stuff) items.push_back({c, true});
    if (!items.empty() && items[0].c == U'!') items[0].escaped = false;  // negation, below
  } else {
    // Split at the hyphens that make ranges (the one right after '[' or "[!" is literal),
    // then drop the empty ranges such as "z-a" by merging their neighbours.
    std::vector<std::u32string> chunks;
    size_t k = pat[start] == U'!' ? start + 2 : start + 1;
    size_t chunk_start = start;
    while (k < end) {
      size_t dash = pat.find(U'-', k);
      if (dash == std::u32string::npos || dash >= end) break;
      chunks.push_back(pat.substr(chunk_start, dash - chunk_start));
      chunk_start = dash + 1;
      k = dash + 3;
    }
    std::u32string last = pat.substr(chunk_start, end - chunk_start);
    if (!last.empty()) {
      chunks.push_back(std::move(last));
    } else {
      chunks.back() += U'-';
    }
    for (size_t m = chunks.size() - 1; m >= 1; --m) {
      if (chunks[m - 1].empty() || chunks[m].empty()) break;  // unreachable; Python would raise
      if (chunks[m - 1].back() > chunks[m].front()) {
        chunks[m - 1] = chunks[m - 1].substr(0, chunks[m - 1].size() - 1) + chunks[m].substr(1);
        chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(m));
      }
    }
    for (size_t m = 0; m < chunks.size(); ++m) {
      if (m > 0) items.push_back({U'-', false});
      for (char32_t c : chunks[m]) items.push_back({c, true});
    }
    if (!items.empty() && items[0].c == U'!') items[0].escaped = false;
  }
  if (items.empty()) {
    out.kind = CharClass::Kind::kNever;  // "(?!)"
    return true;
  }
  if (items.size() == 1 && items[0].c == U'!') {
    out.kind = CharClass::Kind::kAny;  // "." (with re.DOTALL: even a newline)
    return true;
  }
  size_t i = 0;
  if (items[0].c == U'!') {
    out.negated = true;
    i = 1;
  }
  // What sre_parse does inside a class: an item, then "-item" makes a range; a '-' with
  // nothing after it is literal.
  while (i < items.size()) {
    char32_t low = items[i++].c;
    if (i < items.size() && items[i].c == U'-' && !items[i].escaped) {
      if (i + 1 >= items.size()) {
        out.ranges.emplace_back(low, low);
        out.ranges.emplace_back(U'-', U'-');
        break;
      }
      char32_t high = items[i + 1].c;
      if (high < low) return false;
      out.ranges.emplace_back(low, high);
      i += 2;
    } else {
      out.ranges.emplace_back(low, low);
    }
  }
  return true;
}

}  // namespace

char32_t next_code_point(std::string_view s, size_t& i) {
  auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  size_t continuation = 0;
  char32_t cp = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  }
  bool valid = continuation > 0 && i + continuation < s.size();
  for (size_t k = 1; valid && k <= continuation; ++k) {
    auto byte = static_cast<unsigned char>(s[i + k]);
    valid = k == 1 ? (byte >= low && byte <= high) : (byte >= 0x80 && byte <= 0xBF);
    cp = (cp << 6) | (byte & 0x3F);
  }
  if (!valid) {
    ++i;
    return 0xDC00 + lead;
  }
  i += continuation + 1;
  return cp;
}

bool CharClass::contains(char32_t c) const {
  if (kind == Kind::kAny) return true;
  if (kind == Kind::kNever) return false;
  bool in = std::any_of(ranges.begin(), ranges.end(),
                        [c](const auto& r) { return c >= r.first && c <= r.second; });
  return in != negated;
}

// glob(): _strip_protocol drops trailing '/'s (a pattern that had one lists folders only);
// without magic it is exists(); else find(root, maxdepth) then the expression.
Glob::Glob(std::string_view pattern) {
  has_magic_ = pattern.find_first_of("*?[") != std::string_view::npos;
  std::string_view stripped = pattern;
  while (!stripped.empty() && stripped.back() == '/') stripped.remove_suffix(1);
  if (!has_magic_) {
    literal_path_ = std::string(stripped);  // fsspec's exists() of the stripped path
    return;
  }
  // glob_translate runs whether or not anything is listed, so an invalid pattern is an
  // error even where nothing could match.
  bool ends_with_sep = stripped.size() != pattern.size();
  std::vector<std::string_view> parts;
  for (size_t from = 0;;) {
    size_t slash = stripped.find('/', from);
    parts.push_back(stripped.substr(from, slash == std::string_view::npos ? slash : slash - from));
    if (slash == std::string_view::npos) break;
    from = slash + 1;
  }
  if (ends_with_sep) parts.emplace_back();
  for (std::string_view part : parts) {
    if (part != "**" && part.find("**") != std::string_view::npos) {
      valid_ = false;
      return;
    }
  }
  // find(root, maxdepth): the listing starts at the folder before the first wildcard and,
  // without "**", goes no deeper than the pattern does.
  size_t first_magic = stripped.find_first_of("*?[");
  size_t slash = stripped.rfind('/', first_magic == 0 ? 0 : first_magic - 1);
  if (first_magic == 0 || slash == std::string_view::npos) slash = std::string_view::npos;
  size_t after = slash == std::string_view::npos ? first_magic + 1 : slash + 1;
  if (slash != std::string_view::npos) root_ = std::string(stripped.substr(0, slash + 1));
  if (stripped.find("**") == std::string_view::npos) {
    std::string_view rest = stripped.substr(std::min(after, stripped.size()));
    max_depth_ = static_cast<size_t>(std::count(rest.begin(), rest.end(), '/')) + 1;
  }
  if (ends_with_sep) {
    matches_nothing_ = true;  // only folders end with '/'
    return;
  }
  for (size_t p = 0; p < parts.size() && valid_; ++p) compile_part(parts[p], p + 1 == parts.size());
  required_literal_ = longest_literal_run();
  if (valid_ && states_.size() < 64) build_bit_tables();
}

bool Glob::matches(std::string_view path) {
  if (!valid_) return false;
  if (!has_magic_) return path == literal_path_;
  if (matches_nothing_ || path.substr(0, root_.size()) != root_) return false;
  if (max_depth_) {
    std::string_view below = path.substr(root_.size());
    if (static_cast<size_t>(std::count(below.begin(), below.end(), '/')) + 1 > *max_depth_) {
      return false;
    }
  }
  if (!required_literal_.empty() && path.find(required_literal_) == std::string_view::npos) {
    return false;
  }
  return bit_parallel_ ? run_bits(path) : run(path);
}

// glob_translate's handling of one part, then fnmatch's _translate of an ordinary part.
void Glob::compile_part(std::string_view part, bool last) {
  if (part == "*") {
    states_.push_back({Op::kNotSlash});
    states_.push_back({Op::kStarNotSlash});
    if (!last) states_.push_back({Op::kLiteral, U'/'});
    return;
  }
  if (part == "**") {
    if (last) {
      states_.push_back({Op::kStarAny});
    } else {
      states_.push_back({Op::kGroupStart});
      states_.push_back({Op::kGroupInside});
    }
    return;
  }
  std::u32string pat = decode(part);
  size_t i = 0;
  while (i < pat.size()) {
    char32_t c = pat[i++];
    if (c == U'*') {
      states_.push_back({Op::kStarNotSlash});
    } else if (c == U'?') {
      states_.push_back({Op::kNotSlash});
    } else if (c == U'[') {
      size_t j = i;
      if (j < pat.size() && pat[j] == U'!') ++j;
      if (j < pat.size() && pat[j] == U']') ++j;
      while (j < pat.size() && pat[j] != U']') ++j;
      if (j >= pat.size()) {
        states_.push_back({Op::kLiteral, U'['});  // unclosed: a literal '['
        continue;
      }
      CharClass cls;
      if (!build_class(pat, i, j, cls)) {
        valid_ = false;
        return;
      }
      classes_.push_back(std::move(cls));
      states_.push_back({Op::kClass, 0, static_cast<uint32_t>(classes_.size() - 1)});
      i = j + 1;
    } else {
      states_.push_back({Op::kLiteral, c});
    }
  }
  if (!last) states_.push_back({Op::kLiteral, U'/'});
}

// The longest run of literal states: every match contains it, so a path without it is
// rejected by a substring search before the NFA runs.
std::string Glob::longest_literal_run() const {
  size_t best_start = 0, best_length = 0;
  for (size_t s = 0; s < states_.size();) {
    if (states_[s].op != Op::kLiteral) {
      ++s;
      continue;
    }
    size_t t = s;
    while (t < states_.size() && states_[t].op == Op::kLiteral) ++t;
    if (t - s > best_length) {
      best_start = s;
      best_length = t - s;
    }
    s = t;
  }
  std::string run;
  for (size_t s = best_start; s < best_start + best_length; ++s) encode(states_[s].literal, run);
  return run;
}

// Adds `state` and what it reaches without consuming (a star or an optional group may be
// skipped); each state has at most one such successor, so a loop suffices.
void Glob::add(std::vector<uint32_t>& set, uint32_t state) {
  while (true) {
    if (mark_[state] == generation_) return;
    mark_[state] = generation_;
    set.push_back(state);
    if (state == states_.size()) return;
    Op op = states_[state].op;
    if (op == Op::kStarNotSlash || op == Op::kStarAny) {
      state += 1;
    } else if (op == Op::kGroupStart) {
      state += 2;
    } else {
      return;
    }
  }
}

// run() in one word for fewer than 64 states (state s is bit s, the accepting state bit
// states_.size()): per code point, the states that consume it and advance, those that consume
// it and stay, then the moves that consume nothing.
Glob::Moves Glob::moves_for(char32_t c) const {
  Moves m;
  for (size_t s = 0; s < states_.size(); ++s) {
    const State& st = states_[s];
    uint64_t bit = uint64_t{1} << s;
    switch (st.op) {
      case Op::kLiteral:
        if (c == st.literal) m.advance |= bit;
        break;
      case Op::kClass:
        if (classes_[st.class_index].contains(c)) m.advance |= bit;
        break;
      case Op::kNotSlash:
        if (c != U'/') m.advance |= bit;
        break;
      case Op::kStarNotSlash:
        if (c != U'/') m.stay |= bit;
        break;
      case Op::kStarAny:
        m.stay |= bit;
        break;
      case Op::kGroupStart:
        m.advance |= bit;
        break;
      case Op::kGroupInside:
        m.stay |= bit;
        if (c == U'/') m.advance |= bit;
        break;
    }
  }
  return m;
}

void Glob::build_bit_tables() {
  bit_parallel_ = true;
  for (size_t s = 0; s < states_.size(); ++s) {
    if (states_[s].op == Op::kStarNotSlash || states_[s].op == Op::kStarAny) {
      skip_one_ |= uint64_t{1} << s;
    }
    if (states_[s].op == Op::kGroupStart) skip_two_ |= uint64_t{1} << s;
  }
  for (char32_t c = 0; c < ascii_moves_.size(); ++c) ascii_moves_[c] = moves_for(c);
}

uint64_t Glob::closure(uint64_t set) const {
  while (true) {
    uint64_t grown = set | ((set & skip_one_) << 1) | ((set & skip_two_) << 2);
    if (grown == set) return set;
    set = grown;
  }
}

bool Glob::run_bits(std::string_view path) const {
  uint64_t set = closure(1);
  for (size_t i = 0; i < path.size() && set != 0;) {
    char32_t c = next_code_point(path, i);
    Moves m = c < ascii_moves_.size() ? ascii_moves_[c] : moves_for(c);
    set = closure(((set & m.advance) << 1) | (set & m.stay));
  }
  return (set >> states_.size()) & 1;
}

// The NFA as a list of current states, for patterns of 64 states or more.
bool Glob::run(std::string_view path) {
  const auto accept = static_cast<uint32_t>(states_.size());
  mark_.assign(states_.size() + 1, 0);
  generation_ = 1;
  current_.clear();
  add(current_, 0);
  for (size_t i = 0; i < path.size() && !current_.empty();) {
    char32_t c = next_code_point(path, i);
    ++generation_;
    next_.clear();
    for (uint32_t s : current_) {
      if (s == accept) continue;
      const State& st = states_[s];
      switch (st.op) {
        case Op::kLiteral:
          if (c == st.literal) add(next_, s + 1);
          break;
        case Op::kClass:
          if (classes_[st.class_index].contains(c)) add(next_, s + 1);
          break;
        case Op::kNotSlash:
          if (c != U'/') add(next_, s + 1);
          break;
        case Op::kStarNotSlash:
          if (c != U'/') add(next_, s);
          break;
        case Op::kStarAny:
          add(next_, s);
          break;
        case Op::kGroupStart:
          add(next_, s + 1);
          break;
        case Op::kGroupInside:
          add(next_, s);
          if (c == U'/') add(next_, s + 1);  // the '/' closing `.+/`
          break;
      }
    }
    std::swap(current_, next_);
  }
  return std::find(current_.begin(), current_.end(), accept) != current_.end();
}

}  // namespace vitrine::datasets::fsspec
