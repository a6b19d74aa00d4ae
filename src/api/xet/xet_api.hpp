// The Xet side of the hub (xet_api.cpp): the token endpoints, the CAS API this same server
// answers (casUrl is the hub's public URL), the signed xorb-range URLs of reconstructions, and
// the headers that tell Xet-aware clients a file is stored in Xet form.
//   GET  /api/{type}s/{repo}/xet-read-token/{rev}, /xet-write-token/{rev}
//   GET  /v1/reconstructions/{file}, /v2/reconstructions/{file}   (Range: bytes=a-b)
//   POST /v1/reconstructions                                       (batch, no ranges)
//   GET  /v1/chunks/{default|default-merkledb}/{chunk}             (global dedup)
//   POST /v1/xorbs/default/{xorb}, POST /v1/shards, POST /v2/shards (NDJSON frames)
//   GET  /api/vitrine/xet/xorbs/{xorb}?range=&expires=&signature=  (signed; Range must match)
#pragma once

#include <string>
#include <vector>

#include "api/api.hpp"

namespace vitrine::api {

// GET /api/{type}s/{repo}/xet-read-token/{rev} and /xet-write-token/{rev}.
http::Response handle_xet_read_token(Context& ctx, Call& call);
http::Response handle_xet_write_token(Context& ctx, Call& call);
// The CAS API under /v1/ and /v2/: authenticated by a Xet token (the router verifies it into
// Call::xet), not by a hub token.
http::Response handle_cas_reconstruction(Context& ctx, Call& call);     // GET /v1/reconstructions
http::Response handle_cas_reconstruction_v2(Context& ctx, Call& call);  // GET /v2/reconstructions
http::Response handle_cas_reconstructions(Context& ctx, Call& call);    // POST, a batch
http::Response handle_cas_chunk(Context& ctx, Call& call);
http::Response handle_cas_xorb(Context& ctx, Call& call);
http::Response handle_cas_shard(Context& ctx, Call& call);
http::Response handle_cas_shard_v2(Context& ctx, Call& call);
http::Response handle_cas_file_chunk_hashes(Context& ctx, Call& call);  // 501
// GET /api/vitrine/xet/xorbs/{xorb}: a signed byte range of a stored xorb.
http::Response handle_xorb_data(Context& ctx, Call& call);

// Where Xet-aware clients get a file stored in Xet form: its id, the read-token route of the
// revision it was found at, and its reconstruction.
struct XetFileLinks {
  std::string hash;
  std::string refresh_url;
  std::string reconstruction_url;
};
XetFileLinks xet_file_links(Context& ctx, domain::RepoKind type, const std::string& repo_id,
                            const std::string& commit, const std::string& xet_hash);
// Adds X-Xet-Hash, X-Xet-Refresh-Route and the Link header (xet-auth,
// xet-reconstruction-info) to a download of such a file.
void add_xet_headers(http::Response& r, const XetFileLinks& links);
// The connection headers (X-Xet-Cas-Url, X-Xet-Access-Token, X-Xet-Token-Expiration) and JSON
// of a fresh token for `repo_uid`.
struct XetToken {
  std::string token;
  int64_t expires = 0;
  std::string cas_url;
};
XetToken issue_xet_token(Context& ctx, const service::Caller& caller, const std::string& repo_uid,
                         bool write, const std::string& revision);

}  // namespace vitrine::api
