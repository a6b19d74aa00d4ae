// The routes the hub serves, as data, and the dispatcher's view of them: one row per method and
// path pattern, with the access a caller needs and the handler that answers. The router answers
// only requests that match a row, so the table is the list of endpoints by construction; tests
// and `vitrine routes` read it. The client test tests/client/access/authz_matrix_test.py probes
// every row against a running server and fails when a row has no authorization expectation.
//
// Before a handler runs, the router has resolved what the row's access names (Gitea's
// reqRepoReader middleware is the model): for a {repo} route, the repository and the caller's
// permission on it (Call::repo); for the Xet CAS routes, the Xet token (Call::xet). A handler
// reads its path parameters by name (Call::params), never by position.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace vitrine::api {

struct Context;
struct Call;

// What a caller needs to reach a route. Wire spelling (routes_json, docs/api.md) in comments.
enum class RouteAccess {
  kPublic,    // "public": anyone
  kUser,      // "user": any authenticated user
  kAccount,   // "account": the user's password session or write token (not read/fine-grained)
  kRead,      // "read": read access to {repo}
  kWrite,     // "write": write access to {repo}
  kManage,    // "manage": manage access to {repo} (settings, access requests, delete, move)
  kFiles,     // "files": read access to {repo} plus the gate on file contents
  kAdmin,     // "admin": a hub administrator
  kSigned,    // "signed": a signature in the query string, no credentials
  kNone,      // "none": 501 for everyone (the Hub has it; this hub does not yet)
  kXet,       // "xet": a Xet access token (read or write) from the xet-*-token routes
  kXetWrite,  // "xet-write": a Xet write token
};
std::string_view to_wire(RouteAccess access);
std::optional<RouteAccess> route_access_from_wire(std::string_view text);

// The named path parameters of a matched route. Pattern placeholders:
//   {type}s   models | datasets (named "type", the plural as in the URL)
//   {prefix}  "" or "datasets/" before a repository in web URLs (sets the type)
//   {repo}    namespace/name, two segments; `{repo}.git` also matches without `.git`
//   {path*}   the rest of the path, zero or more segments
//   {page}    exactly one segment
//   {name}    one segment; the last placeholder of a pattern takes the rest of the path
// Every value is percent-decoded segment by segment (a %2F stays inside its segment).
class RouteParams {
 public:
  // The segments joined with '/', or "" if the pattern has no such parameter.
  std::string get(std::string_view name) const;
  // The segments the parameter took.
  std::vector<std::string> segments(std::string_view name) const;
  // The parameter's segments and every segment after it: a revision followed by a path, where
  // the revision itself may span segments (a raw refs/pr/1) and only the repository can tell.
  std::vector<std::string> segments_from(std::string_view name) const;
  // The repository of a {repo} route: its namespace, name and type ("model" | "dataset").
  bool has_repo() const { return repo_at_ != kNone; }
  const std::string& repo_namespace() const { return segments_[repo_at_]; }
  const std::string& repo_name() const { return segments_[repo_at_ + 1]; }
  const std::string& repo_type() const { return repo_type_; }

 private:
  friend class RouteMatcher;
  static constexpr size_t kNone = static_cast<size_t>(-1);
  struct Span {
    std::string_view name;
    size_t begin, end;
  };
  const Span* find(std::string_view name) const;
  std::vector<std::string> segments_;
  std::vector<Span> spans_;
  size_t repo_at_ = kNone;
  std::string repo_type_;
};

using Handler = http::Response (*)(Context&, Call&);

// How the router words a refusal made before the handler runs: each protocol's error shape
// (the Hub's JSON, git-lfs's JSON, git's text, the Xet CAS API's).
enum class ErrorShape { kHub, kLfs, kGit, kXet };

struct Route {
  const char* method;   // GET, POST, PUT, DELETE (GET also answers HEAD)
  const char* pattern;  // e.g. "/api/{type}s/{repo}/tree/{rev}/{path*}"; `?k=v`: a query it needs
  RouteAccess access;
  Handler handler;
  ErrorShape errors = ErrorShape::kHub;
  // For the few routes whose need depends on the request (opening a pull request needs only
  // read access; an LFS batch says in its body whether it downloads or pushes): the router
  // resolves the repository with read access and the handler asks for more where it must.
  bool handler_raises_access = false;
};

struct RouteMatch {
  const Route* route = nullptr;
  RouteParams params;
};

// Every route, in a fixed order (the first row that matches wins). Thread-safe (immutable).
const std::vector<Route>& routes();

// The row a request matches with its parameters, or nullopt. `segments` are the decoded path
// segments; HEAD matches GET rows; a `?name=value` in a pattern must appear in `query`.
std::optional<RouteMatch> find_route(const std::string& method,
                                     const std::vector<std::string>& segments,
                                     const std::string& query);

// The literal segments that follow {repo} in the /api/{type}s/{repo}/... rows: after a single
// segment they mark a one-segment repository id, which this hub answers as a missing one.
const std::vector<std::string>& repo_subresources();

// The table as a JSON array of {"method","pattern","access"} objects.
std::string routes_json();

}  // namespace vitrine::api
