// Git pattern matching: wildmatch, .gitattributes and .gitignore (see git_patterns.hpp).
// wildmatch follows git's wildmatch.c step by step (including its abort codes, which keep the
// `*` backtracking linear per star instead of exponential).
#include "formats/git/git_patterns.hpp"

#include <cctype>

namespace vitrine::service {
namespace {

enum WildResult { kMatch = 0, kNoMatch = 1, kAbortAll = -1, kAbortToStarStar = -2 };

// Treats the end of a string_view like C's terminating NUL, as wildmatch.c expects.
inline unsigned char at(std::string_view s, size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : '\0';
}

bool is_glob_special(unsigned char c) {
  return c == '*' || c == '?' || c == '[' || c == '\\';
}

// Matches a POSIX class name (the text between "[:" and ":]") against c. Returns -1 for an
// unknown class name.
int match_class(std::string_view name, unsigned char c) {
  if (name == "alnum") return std::isalnum(c) != 0;
  if (name == "alpha") return std::isalpha(c) != 0;
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return std::iscntrl(c) != 0;
  if (name == "digit") return std::isdigit(c) != 0;
  if (name == "graph") return std::isgraph(c) != 0;
  if (name == "lower") return std::islower(c) != 0;
  if (name == "print") return std::isprint(c) != 0;
  if (name == "punct") return std::ispunct(c) != 0;
  if (name == "space") return std::isspace(c) != 0;
  if (name == "upper") return std::isupper(c) != 0;
  if (name == "xdigit") return std::isxdigit(c) != 0;
  return -1;
}

int dowild(std::string_view pat, size_t p, std::string_view text, size_t t, bool pathname) {
  for (; at(pat, p) != '\0'; ++t, ++p) {
    unsigned char p_ch = at(pat, p);
    unsigned char t_ch = at(text, t);
    if (t_ch == '\0' && p_ch != '*') return kAbortAll;
    switch (p_ch) {
      case '\\':
        // Literal match with the next character; a trailing '\' fails below on '\0'.
        ++p;
        p_ch = at(pat, p);
        [[fallthrough]];
      default:
        if (t_ch != p_ch) return kNoMatch;
        continue;
      case '?':
        if (pathname && t_ch == '/') return kNoMatch;
        continue;
      case '*': {
        bool match_slash;
        if (at(pat, ++p) == '*') {
          // prev is the character before the first '*', or none at the pattern start.
          bool at_component_start = p < 2 || at(pat, p - 2) == '/';
          while (at(pat, ++p) == '*') {
          }
          if (!pathname) {
            match_slash = true;
          } else if (at_component_start && (at(pat, p) == '\0' || at(pat, p) == '/' ||
                                            (at(pat, p) == '\\' && at(pat, p + 1) == '/'))) {
            // "**/" may match zero directories: try the rest right here first, so that
            // "a/**/b" matches "a/b".
            if (at(pat, p) == '/' && dowild(pat, p + 1, text, t, pathname) == kMatch) {
              return kMatch;
            }
            match_slash = true;
          } else {
            match_slash = false;  // "**" inside a component acts like "*"
          }
        } else {
          match_slash = !pathname;
        }
        if (at(pat, p) == '\0') {
          // A trailing "**" matches everything; a trailing "*" only if no '/' is left.
          if (!match_slash && text.find('/', t) != std::string_view::npos) return kNoMatch;
          return kMatch;
        }
        if (!match_slash && at(pat, p) == '/') {
          // A single '*' followed by '/' matches up to the next '/' of text.
          size_t slash = text.find('/', t);
          if (slash == std::string_view::npos) return kNoMatch;
          t = slash;
          // The loop increment consumes the '/' in both pattern and text.
          break;
        }
        while (true) {
          if (t_ch == '\0') break;
          // When the star is followed by a literal, skip ahead to its next occurrence.
          if (!is_glob_special(at(pat, p))) {
            p_ch = at(pat, p);
            while ((t_ch = at(text, t)) != '\0' && (match_slash || t_ch != '/')) {
              if (t_ch == p_ch) break;
              ++t;
            }
            if (t_ch != p_ch) return kNoMatch;
          }
          int matched = dowild(pat, p, text, t, pathname);
          if (matched != kNoMatch) {
            if (!match_slash || matched != kAbortToStarStar) return matched;
          } else if (!match_slash && t_ch == '/') {
            return kAbortToStarStar;
          }
          t_ch = at(text, ++t);
        }
        return kAbortAll;
      }
      case '[': {
        p_ch = at(pat, ++p);
        if (p_ch == '^') p_ch = '!';
        bool negated = p_ch == '!';
        if (negated) p_ch = at(pat, ++p);
        unsigned char prev_ch = 0;
        bool matched = false;
        do {
          if (p_ch == '\0') return kAbortAll;
          if (p_ch == '\\') {
            p_ch = at(pat, ++p);
            if (p_ch == '\0') return kAbortAll;
            if (t_ch == p_ch) matched = true;
          } else if (p_ch == '-' && prev_ch != 0 && at(pat, p + 1) != '\0' &&
                     at(pat, p + 1) != ']') {
            p_ch = at(pat, ++p);
            if (p_ch == '\\') {
              p_ch = at(pat, ++p);
              if (p_ch == '\0') return kAbortAll;
            }
            if (t_ch <= p_ch && t_ch >= prev_ch) matched = true;
            p_ch = 0;  // a range cannot start another range
          } else if (p_ch == '[' && at(pat, p + 1) == ':') {
            size_t s = p + 2;
            for (p = s; (p_ch = at(pat, p)) != '\0' && p_ch != ']'; ++p) {
            }
            if (p_ch == '\0') return kAbortAll;
            if (p < s + 1 || at(pat, p - 1) != ':') {
              // No ":]": treat the '[' as an ordinary member of the set.
              p = s - 2;
              p_ch = '[';
              if (t_ch == p_ch) matched = true;
              continue;
            }
            int r = match_class(pat.substr(s, p - 1 - s), t_ch);
            if (r < 0) return kAbortAll;  // malformed [:class:]
            if (r > 0) matched = true;
            p_ch = 0;
          } else if (t_ch == p_ch) {
            matched = true;
          }
        } while (prev_ch = p_ch, (p_ch = at(pat, ++p)) != ']');
        if (matched == negated || (pathname && t_ch == '/')) return kNoMatch;
        continue;
      }
    }
  }
  return t < text.size() ? kNoMatch : kMatch;
}

// Splits text into lines, dropping '\r' before '\n'.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  return lines;
}

bool is_attr_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool wildmatch(std::string_view pattern, std::string_view text, bool pathname) {
  return dowild(pattern, 0, text, 0, pathname) == kMatch;
}

GitAttributes GitAttributes::parse(std::string_view text) {
  GitAttributes attrs;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && is_attr_space(line[i])) ++i;
      size_t start = i;
      while (i < line.size() && !is_attr_space(line[i])) ++i;
      if (i > start) fields.push_back(line.substr(start, i - start));
    }
    if (fields.empty() || fields[0].front() == '#') continue;
    if (fields[0].starts_with("[attr]")) continue;  // macro definitions do not touch filter
    std::string_view pattern = fields[0];
    if (pattern.front() == '!') continue;  // git rejects negative patterns in attributes
    // Among several mentions of filter on one line, the last one counts.
    bool mentions_filter = false;
    FilterState state = FilterState::kOther;
    for (size_t k = 1; k < fields.size(); ++k) {
      std::string_view attr = fields[k];
      if (attr == "filter=lfs") {
        mentions_filter = true;
        state = FilterState::kLfs;
      } else if (attr == "filter" || attr == "-filter" || attr == "!filter" ||
                 attr.starts_with("filter=")) {
        mentions_filter = true;
        state = FilterState::kOther;
      }
    }
    if (!mentions_filter) continue;
    if (pattern.back() == '/') {
      // Directory patterns never apply to files in attributes; keep nothing.
      continue;
    }
    bool basename_only = pattern.find('/') == std::string_view::npos;
    if (pattern.front() == '/') pattern.remove_prefix(1);
    attrs.rules_.push_back(Rule{std::string(pattern), basename_only, state});
  }
  return attrs;
}

bool GitAttributes::is_lfs(std::string_view path) const {
  std::string_view base = basename_of(path);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    bool matches =
        it->basename_only ? wildmatch(it->pattern, base, true) : wildmatch(it->pattern, path, true);
    if (matches) return it->state == FilterState::kLfs;
  }
  return false;
}

GitIgnore GitIgnore::parse(std::string_view text) {
  GitIgnore ignore;
  for (std::string_view line : split_lines(text)) {
    if (line.empty() || line.front() == '#') continue;
    // Trailing spaces are dropped unless escaped with a backslash.
    size_t end = line.size();
    while (end > 0 && line[end - 1] == ' ') {
      size_t backslashes = 0;
      for (size_t k = end - 1; k > 0 && line[k - 1] == '\\'; --k) ++backslashes;
      if (backslashes % 2 == 1) break;
      --end;
    }
    line = line.substr(0, end);
    if (line.empty()) continue;
    Rule rule{std::string(), false, false, false};
    if (line.front() == '!') {
      rule.negated = true;
      line.remove_prefix(1);
    } else if (line.starts_with("\\!") || line.starts_with("\\#")) {
      line.remove_prefix(1);
    }
    if (line.empty()) continue;
    if (line.back() == '/') {
      rule.directory_only = true;
      line.remove_suffix(1);
      if (line.empty()) continue;  // "/" alone matches nothing
    }
    rule.basename_only = line.find('/') == std::string_view::npos;
    if (line.front() == '/') line.remove_prefix(1);
    if (line.empty()) continue;
    rule.pattern = std::string(line);
    ignore.rules_.push_back(std::move(rule));
  }
  return ignore;
}

int GitIgnore::evaluate(std::string_view path, bool is_directory) const {
  std::string_view base = basename_of(path);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->directory_only && !is_directory) continue;
    bool matches =
        it->basename_only ? wildmatch(it->pattern, base, true) : wildmatch(it->pattern, path, true);
    if (matches) return it->negated ? -1 : 1;
  }
  return 0;
}

bool GitIgnore::is_ignored(std::string_view path) const {
  // Walk the parent directories from the top, as git does; an excluded one hides the rest.
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (evaluate(path.substr(0, slash), true) > 0) return true;
  }
  return evaluate(path, false) > 0;
}

std::string default_gitattributes(bool dataset) {
  static constexpr std::string_view kCommon[] = {"*.7z",          "*.arrow",
                                                 "*.bin",         "*.bz2",
                                                 "*.ckpt",        "*.ftz",
                                                 "*.gz",          "*.h5",
                                                 "*.joblib",      "*.lfs.*",
                                                 "*.mlmodel",     "*.model",
                                                 "*.msgpack",     "*.npy",
                                                 "*.npz",         "*.onnx",
                                                 "*.ot",          "*.parquet",
                                                 "*.pb",          "*.pickle",
                                                 "*.pkl",         "*.pt",
                                                 "*.pth",         "*.rar",
                                                 "*.safetensors", "saved_model/**/*",
                                                 "*.tar.*",       "*.tar",
                                                 "*.tflite",      "*.tgz",
                                                 "*.wasm",        "*.xz",
                                                 "*.zip",         "*.zst",
                                                 "*tfevents*"};
  // Lines of the dataset template that come after the common list; '#' lines are comments.
  static constexpr std::string_view kDatasetMedia[] = {"# Audio files - uncompressed",
                                                       "*.pcm",
                                                       "*.sam",
                                                       "*.raw",
                                                       "# Audio files - compressed",
                                                       "*.aac",
                                                       "*.flac",
                                                       "*.mp3",
                                                       "*.ogg",
                                                       "*.wav",
                                                       "# Image files - uncompressed",
                                                       "*.bmp",
                                                       "*.gif",
                                                       "*.png",
                                                       "*.tiff",
                                                       "# Image files - compressed",
                                                       "*.jpg",
                                                       "*.jpeg",
                                                       "*.webp",
                                                       "# Video files - compressed",
                                                       "*.mp4",
                                                       "*.webm"};
  constexpr std::string_view kSuffix = " filter=lfs diff=lfs merge=lfs -text\n";
  std::string out;
  auto add = [&](std::string_view line) {
    out += line;
    if (line.front() == '#') {
      out.push_back('\n');
    } else {
      out += kSuffix;
    }
  };
  for (std::string_view pattern : kCommon) {
    add(pattern);
    // The dataset template inserts these right after *.lfs.* (alphabetical order).
    if (dataset && pattern == "*.lfs.*") {
      add("*.lz4");
      add("*.mds");
    }
  }
  if (dataset) {
    for (std::string_view line : kDatasetMedia) add(line);
  }
  return out;
}

}  // namespace vitrine::service
