// The routes the hub serves, as data: one row per method and path pattern, with the access a
// caller needs. The router answers only requests that match a row (find_route): a branch
// added to the hand-written dispatch without a row here is unreachable, so the table is the
// list of endpoints by construction; tests and `vitrine routes` read it. The client test
// tests/client/access/authz_matrix_test.py probes every row against a running server and fails when
// a row reaches the router's "not found" fallback or when a row has no authorization expectation,
// so the table cannot drift silently.
#pragma once

#include <string>
#include <vector>

namespace vitrine::api {

// Pattern placeholders: {type}s = models|datasets, {prefix} = "" or "datasets/" in web URLs,
// {repo} = namespace/name, {rev}, {path*} = the rest of the path, {page} = exactly one segment,
// other {names} = one segment (the last one of a pattern absorbs the rest).
struct RouteInfo {
  const char* method;   // GET, POST, PUT, DELETE (GET also answers HEAD)
  const char* pattern;  // e.g. "/api/{type}s/{repo}/tree/{rev}/{path*}"
  // public: anyone; user: any authenticated user; account: the user's password session or
  // write token (read and fine-grained tokens are refused); read/write/manage: that access to
  // {repo}; files: read access plus the gate on file contents; admin: hub admin; signed: a
  // signature in the query string, no credentials; none: 501 for everyone; xet / xet-write: a Xet
  // access token (read or write) from the xet-*-token routes.
  const char* access;
};

// Every route, in a fixed order. Thread-safe (immutable).
const std::vector<RouteInfo>& routes();

// The row a request matches, or null. `segments` are the decoded path segments; HEAD
// matches GET rows; a `?name=value` in a pattern must appear in `query`.
const RouteInfo* find_route(const std::string& method, const std::vector<std::string>& segments,
                            const std::string& query);

// The table as a JSON array of {"method","pattern","access"} objects.
std::string routes_json();

}  // namespace vitrine::api
