// The /filter grammar and its evaluation (row_filter.hpp): a tokenizer, a recursive-descent
// parser bounded in depth and size, and a plan of nodes evaluated over JSON cells.
#include "formats/datasets/row_filter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>

namespace vitrine::datasets {

namespace {

using Json = nlohmann::json;

Status filter_error(const std::string& what) {
  return bad_request("Parameter 'where' contains errors or invalid symbols: " + what);
}

enum class Tok { kEnd, kIdent, kWord, kString, kNumber, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // an identifier's name, a word (lowercased), a string, a number, a symbol
};

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    if (c == '"' || c == '\'') {
      // "identifier" or 'string'; a doubled quote stands for itself.
      t.kind = c == '"' ? Tok::kIdent : Tok::kString;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {
            t.text.push_back(c);
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        t.text.push_back(s[i++]);
      }
      if (!closed) return filter_error("an unclosed quote");
    } else if ((c >= '0' && c <= '9') || c == '.' || c == '-') {
      if (c == '.' && (i + 1 >= s.size() || s[i + 1] < '0' || s[i + 1] > '9')) {
        t.kind = Tok::kSymbol;
        t.text = ".";
        ++i;
      } else {
        t.kind = Tok::kNumber;
        size_t start = i++;
        while (i < s.size() &&
               ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
                ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
          ++i;
        }
        t.text = std::string(s.substr(start, i - start));
        char* end = nullptr;
        std::strtod(t.text.c_str(), &end);
        if (t.text == "-" || end != t.text.c_str() + t.text.size()) {
          return filter_error("a malformed number");
        }
      }
    } else if (is_word_char(c)) {
      t.kind = Tok::kWord;
      while (i < s.size() && is_word_char(s[i])) {
        t.text.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i++]))));
      }
    } else {
      t.kind = Tok::kSymbol;
      static const char* two[] = {"<=", ">=", "!=", "<>", "=="};
      t.text = std::string(1, c);
      for (const char* op : two) {
        if (s.substr(i, 2) == op) t.text = op;
      }
      if (t.text.size() == 1 && std::string_view("=<>(),.").find(c) == std::string_view::npos) {
        return filter_error(std::string("the symbol ") + c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  out.push_back(Token{});
  return out;
}

bool is_number(const Json& v) {
  return v.is_number();
}

// SQL LIKE: % any run, _ one character (byte-wise for ASCII, one UTF-8 character otherwise).
bool like(std::string_view text, std::string_view pattern, bool fold) {
  auto lower = [&](char c) {
    return fold ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  };
  auto char_len = [](std::string_view s, size_t at) {
    auto b = static_cast<unsigned char>(s[at]);
    size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return std::min(n, s.size() - at);
  };
  // Iterative matching with one backtrack point (the last %): linear in practice, never
  // exponential.
  size_t t = 0, p = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star = ++p;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == '_') {
      t += char_len(text, t);
      ++p;
    } else if (p < pattern.size() && lower(pattern[p]) == lower(text[t])) {
      ++t;
      ++p;
    } else if (star != std::string_view::npos) {
      p = star;
      mark += char_len(text, mark);
      t = mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

// Whether `s` is valid UTF-8 (no stray continuation byte, no sequence cut short).
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// A LIKE pattern ready to match: without `_`, its parts between `%`s are found in order with
// a substring search (the first at the start, the last at the end), as the backtracking match
// would find them; with `_`, the backtracking match. ILIKE folds ASCII letters of both.
struct LikePattern {
  std::string pattern;  // folded for ILIKE
  bool fold = false;
  bool plain = false;              // no `_`
  bool valid_text = false;         // the pattern is valid UTF-8
  std::vector<std::string> parts;  // split at `%` (plain patterns)

  static LikePattern of(std::string p, bool fold) {
    LikePattern out;
    if (fold) {
      for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out.fold = fold;
    out.plain = p.find('_') == std::string::npos;
    if (out.plain) {
      size_t at = 0;
      for (;;) {
        size_t pct = p.find('%', at);
        out.parts.push_back(p.substr(at, pct == std::string::npos ? pct : pct - at));
        if (pct == std::string::npos) break;
        at = pct + 1;
      }
    }
    out.valid_text = valid_utf8(p);
    out.pattern = std::move(p);
    return out;
  }

  bool matches(std::string_view text) const {
    // Substring search agrees with the character-wise match on valid UTF-8 only.
    if (!plain || !valid_text || !valid_utf8(text)) return like(text, pattern, fold);
    std::string folded;
    if (fold) {
      folded.assign(text);
      for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      text = folded;
    }
    if (parts.size() == 1) return text == parts[0];
    const std::string& first = parts.front();
    const std::string& last = parts.back();
    if (text.size() < first.size() + last.size() || !text.starts_with(first) ||
        !text.ends_with(last)) {
      return false;
    }
    std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
    for (size_t i = 1; i + 1 < parts.size(); ++i) {
      if (parts[i].empty()) continue;
      size_t at = middle.find(parts[i]);
      if (at == std::string_view::npos) return false;
      middle.remove_prefix(at + parts[i].size());
    }
    return true;
  }
};

// -1, 0, 1, or 2 when the two cannot be compared (a type mismatch, a null).
int compare(const Json& a, const Json& b) {
  if (a.is_null() || b.is_null()) return 2;
  if (is_number(a) && is_number(b)) {
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (is_number(a) && b.is_string()) {
    char* end = nullptr;
    const std::string& s = b.get_ref<const std::string&>();
    double y = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return 2;
    return compare(a, Json(y));
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_boolean() && b.is_boolean()) {
    return a.get<bool>() == b.get<bool>() ? 0 : a.get<bool>() ? 1 : -1;
  }
  return 2;
}

}  // namespace

struct RowFilter::Node {
  enum class Kind { kAnd, kOr, kCompare, kIsNull, kIsNotNull } kind = Kind::kCompare;
  std::vector<size_t> children;
  FilterColumn column;
  std::string op;  // = != < <= > >= like notlike ilike notilike
  Json value;
  std::optional<LikePattern> like;  // LIKE and ILIKE, negated or not
};

const Json* FilterColumn::locate(const Json& cell) const {
  const Json* v = &cell;
  for (size_t i = 1; i < path.size(); ++i) {
    if (!v->is_object()) return nullptr;
    auto it = v->find(path[i]);
    if (it == v->end()) return nullptr;
    v = &*it;
  }
  return v;
}

Json FilterColumn::value(const Json& cell) const {
  const Json* v = locate(cell);
  if (!v) return nullptr;
  if (function.empty()) return *v;
  if (v->is_null()) return nullptr;
  if (function == "length") {
    if (v->is_array()) return v->size();
    if (!v->is_string()) return nullptr;
    const auto& s = v->get_ref<const std::string&>();
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
  }
  if (!v->is_string()) return nullptr;
  std::string s = v->get<std::string>();
  if (function == "lower" || function == "upper") {
    for (char& c : s) {
      c = static_cast<char>(function == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                                : std::toupper(static_cast<unsigned char>(c)));
    }
  } else if (function == "trim") {
    size_t a = s.find_first_not_of(' ');
    size_t b = s.find_last_not_of(' ');
    s = a == std::string::npos ? "" : s.substr(a, b - a + 1);
  } else if (function == "replace" && args.size() == 2 && !args[0].empty()) {
    std::string out;
    size_t at = 0;
    for (size_t f; (f = s.find(args[0], at)) != std::string::npos; at = f + args[0].size()) {
      out += s.substr(at, f - at) + args[1];
    }
    s = out + s.substr(at);
  }
  return s;
}

namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<FilterColumn> column() {
    FilterColumn c;
    bool parenthesized = accept_symbol("(");
    if (peek().kind != Tok::kIdent) return filter_error("a column name in double quotes expected");
    c.path.push_back(next().text);
    if (auto s = suffixes(c); !s) return s;
    if (parenthesized) {
      if (!accept_symbol(")")) return filter_error(") expected");
      if (c.function.empty()) {
        if (auto s = suffixes(c); !s) return s;
      }
    }
    return c;
  }

  // ."field"… and at most one .method(args), last.
  Status suffixes(FilterColumn& c) {
    while (c.function.empty() && peek().kind == Tok::kSymbol && peek().text == ".") {
      next();
      if (peek().kind == Tok::kIdent) {
        c.path.push_back(next().text);
        continue;
      }
      if (peek().kind != Tok::kWord) return filter_error("a field or a method expected after .");
      c.function = next().text;
      static const std::vector<std::string> kFunctions = {"lower", "upper", "length", "trim",
                                                          "replace"};
      if (std::find(kFunctions.begin(), kFunctions.end(), c.function) == kFunctions.end()) {
        return filter_error("the method " + c.function + " is not supported");
      }
      if (!accept_symbol("(")) return filter_error("( expected after " + c.function);
      while (!accept_symbol(")")) {
        if (peek().kind != Tok::kString) return filter_error("string arguments expected");
        c.args.push_back(next().text);
        if (c.args.size() > 2) return filter_error("too many arguments");
        accept_symbol(",");
      }
      if ((c.function == "replace") != (c.args.size() == 2) ||
          (c.function != "replace" && !c.args.empty())) {
        return filter_error("wrong arguments to " + c.function);
      }
    }
    return Status::ok();
  }

  Result<Json> value() {
    Token t = next();
    if (t.kind == Tok::kString) return Json(t.text);
    if (t.kind == Tok::kNumber) {
      if (t.text.find_first_of(".eE") == std::string::npos && t.text.size() < 19) {
        return Json(std::stoll(t.text));
      }
      return Json(std::strtod(t.text.c_str(), nullptr));
    }
    if (t.kind == Tok::kWord && t.text == "true") return Json(true);
    if (t.kind == Tok::kWord && t.text == "false") return Json(false);
    if (t.kind == Tok::kWord && t.text == "null") return Json(nullptr);
    return filter_error("a value expected (a number, 'string', true, false or null)");
  }

  Result<size_t> parse_or(size_t depth) {
    if (depth > kMaxFilterDepth) return filter_error("nested too deep");
    auto first = parse_and(depth);
    if (!first) return first;
    if (!(peek().kind == Tok::kWord && peek().text == "or")) return first;
    RowFilter::Node node;
    node.kind = RowFilter::Node::Kind::kOr;
    node.children.push_back(*first);
    while (peek().kind == Tok::kWord && peek().text == "or") {
      next();
      auto more = parse_and(depth);
      if (!more) return more;
      node.children.push_back(*more);
    }
    return add(std::move(node));
  }

  Result<size_t> parse_and(size_t depth) {
    auto first = parse_term(depth);
    if (!first) return first;
    if (!(peek().kind == Tok::kWord && peek().text == "and")) return first;
    RowFilter::Node node;
    node.kind = RowFilter::Node::Kind::kAnd;
    node.children.push_back(*first);
    while (peek().kind == Tok::kWord && peek().text == "and") {
      next();
      auto more = parse_term(depth);
      if (!more) return more;
      node.children.push_back(*more);
    }
    return add(std::move(node));
  }

  Result<size_t> parse_term(size_t depth) {
    // "(" opens a group, or a parenthesized column ("col").upper() = 'A': the group is tried
    // first, and on failure the text is read again as a comparison.
    if (peek().kind == Tok::kSymbol && peek().text == "(") {
      size_t mark = at_, nodes = nodes_.size(), terms = terms_;
      next();
      auto inner = parse_or(depth + 1);
      if (inner && accept_symbol(")")) return inner;
      if (t_[mark + 1].kind != Tok::kIdent) return inner ? filter_error(") expected") : inner;
      at_ = mark;
      nodes_.resize(nodes);
      terms_ = terms;
    }
    if (++terms_ > kMaxFilterTerms) {
      return filter_error("more than " + std::to_string(kMaxFilterTerms) + " comparisons");
    }
    auto col = column();
    if (!col) return col.status();
    RowFilter::Node node;
    node.column = std::move(*col);
    Token op = next();
    if (op.kind == Tok::kWord && op.text == "is") {
      bool negated = peek().kind == Tok::kWord && peek().text == "not";
      if (negated) next();
      Token n = next();
      if (!(n.kind == Tok::kWord && n.text == "null")) return filter_error("IS [NOT] NULL only");
      node.kind = negated ? RowFilter::Node::Kind::kIsNotNull : RowFilter::Node::Kind::kIsNull;
      return add(std::move(node));
    }
    if (op.kind == Tok::kWord) {
      bool negated = op.text == "not";
      if (negated) op = next();
      if (op.kind != Tok::kWord || (op.text != "like" && op.text != "ilike")) {
        return filter_error("an operator expected (=, !=, <, <=, >, >=, LIKE, ILIKE, IS NULL)");
      }
      node.op = (negated ? "not" : "") + op.text;
    } else if (op.kind == Tok::kSymbol &&
               (op.text == "=" || op.text == "==" || op.text == "!=" || op.text == "<>" ||
                op.text == "<" || op.text == "<=" || op.text == ">" || op.text == ">=")) {
      node.op = op.text == "==" ? "=" : op.text == "<>" ? "!=" : op.text;
    } else {
      return filter_error("an operator expected (=, !=, <, <=, >, >=, LIKE, ILIKE, IS NULL)");
    }
    auto v = value();
    if (!v) return v.status();
    node.value = std::move(*v);
    if (node.op.find("like") != std::string::npos) {
      if (!node.value.is_string()) return filter_error("LIKE takes a 'string'");
      node.like = LikePattern::of(node.value.get<std::string>(),
                                  node.op.find("ilike") != std::string::npos);
    }
    return add(std::move(node));
  }

  bool at_end() const { return t_[at_].kind == Tok::kEnd; }
  std::vector<RowFilter::Node> take() { return std::move(nodes_); }

 private:
  const Token& peek() const { return t_[at_]; }
  Token next() { return t_[at_].kind == Tok::kEnd ? t_[at_] : t_[at_++]; }
  bool accept_symbol(const char* s) {
    if (peek().kind == Tok::kSymbol && peek().text == s) {
      ++at_;
      return true;
    }
    return false;
  }
  size_t add(RowFilter::Node node) {
    nodes_.push_back(std::move(node));
    return nodes_.size() - 1;
  }

  std::vector<Token> t_;
  size_t at_ = 0;
  size_t terms_ = 0;
  std::vector<RowFilter::Node> nodes_;
};

}  // namespace

Status check_filter_parameter(std::string_view text) {
  for (const char* bad : {";", "--", "/*", "*/"}) {
    if (text.find(bad) != std::string_view::npos) {
      return bad_request("Parameter 'where' contains errors or invalid symbols");
    }
  }
  if (text.size() > kMaxFilterBytes) {
    return bad_request("A query parameter is longer than " + std::to_string(kMaxFilterBytes) +
                       " bytes");
  }
  return Status::ok();
}

RowFilter::~RowFilter() = default;

Result<RowFilter> RowFilter::parse(std::string_view where) {
  if (auto s = check_filter_parameter(where); !s) return s;
  auto tokens = tokenize(where);
  if (!tokens) return tokens.status();
  Parser parser(std::move(*tokens));
  auto root = parser.parse_or(0);
  if (!root) return root.status();
  if (!parser.at_end()) return filter_error("unexpected text after the condition");
  auto nodes = parser.take();
  // The root first: evaluation starts at node 0.
  std::vector<Node> ordered;
  std::vector<size_t> index(nodes.size(), 0);
  std::function<size_t(size_t)> copy = [&](size_t i) -> size_t {
    size_t at = ordered.size();
    ordered.push_back(nodes[i]);
    std::vector<size_t> children;
    for (size_t c : nodes[i].children) children.push_back(copy(c));
    ordered[at].children = std::move(children);
    return at;
  };
  copy(*root);
  RowFilter out;
  out.nodes_ = std::make_shared<const std::vector<Node>>(std::move(ordered));
  return out;
}

std::vector<std::string> RowFilter::columns() const {
  std::vector<std::string> out;
  for (const auto& n : *nodes_) {
    if (n.kind == Node::Kind::kAnd || n.kind == Node::Kind::kOr) continue;
    if (std::find(out.begin(), out.end(), n.column.path[0]) == out.end()) {
      out.push_back(n.column.path[0]);
    }
  }
  return out;
}

bool RowFilter::eval(
    size_t i, const std::function<const nlohmann::json*(const std::string&)>& cell_of) const {
  const Node& n = (*nodes_)[i];
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (size_t c : n.children) {
        if (!eval(c, cell_of)) return false;
      }
      return true;
    case Node::Kind::kOr:
      for (size_t c : n.children) {
        if (eval(c, cell_of)) return true;
      }
      return false;
    default:
      break;
  }
  // The column's value, found in the cell (not copied) unless a function computes it.
  const Json* cell = cell_of(n.column.path[0]);
  const Json* found = nullptr;
  Json computed;
  if (cell && n.column.function.empty()) {
    found = n.column.locate(*cell);
  } else if (cell) {
    computed = n.column.value(*cell);
    found = &computed;
  }
  bool null = !found || found->is_null();
  if (n.kind == Node::Kind::kIsNull) return null;
  if (n.kind == Node::Kind::kIsNotNull) return !null;
  if (null || n.value.is_null()) return false;
  const Json& v = *found;
  if (n.like) {
    if (!v.is_string()) return false;
    bool m = n.like->matches(v.get_ref<const std::string&>());
    return n.op.starts_with("not") ? !m : m;
  }
  int c = compare(v, n.value);
  if (c == 2) return false;
  if (n.op == "=") return c == 0;
  if (n.op == "!=") return c != 0;
  if (n.op == "<") return c < 0;
  if (n.op == "<=") return c <= 0;
  if (n.op == ">") return c > 0;
  return c >= 0;  // >=
}

Result<RowOrder> RowOrder::parse(std::string_view orderby) {
  auto refused = [] {
    return bad_request("Parameter 'orderby' contains errors or invalid symbols");
  };
  if (!check_filter_parameter(orderby)) return refused();
  auto tokens = tokenize(orderby);
  if (!tokens) return refused();
  RowOrder out;
  // The direction, if any, is the last word (before the end token).
  auto& t = *tokens;
  if (t.size() >= 2 && t[t.size() - 2].kind == Tok::kWord &&
      (t[t.size() - 2].text == "asc" || t[t.size() - 2].text == "desc")) {
    out.descending = t[t.size() - 2].text == "desc";
    t.erase(t.end() - 2);
  }
  Parser parser(std::move(t));
  auto col = parser.column();
  if (!col || !parser.at_end()) return refused();
  out.column = std::move(*col);
  return out;
}

bool RowOrder::before(const nlohmann::json& a, const nlohmann::json& b) const {
  if (a.is_null() || b.is_null()) return !a.is_null() && b.is_null();  // nulls last
  int c = compare(a, b);
  if (c == 2) {
    // Mixed kinds: numbers, then strings, then the rest, by JSON's own order.
    return a < b;
  }
  return descending ? c > 0 : c < 0;
}

}  // namespace vitrine::datasets
