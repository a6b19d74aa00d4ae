// `vitrine token create|list|revoke`: a user's access tokens (the secret is printed once).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/access/auth_service.hpp"
#include "util/time.hpp"

namespace vitrine::cli {

Commands add_token_command(CLI::App& app, Globals& g) {
  struct Options {
    std::string user, role = "read", name = "cli", expires_in;
    std::vector<std::string> scopes;
    int64_t id = 0;
  };
  auto o = std::make_shared<Options>();
  auto* token = app.add_subcommand("token", "Manage access tokens");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Create a token and print it");
  create->add_option("--user", o->user, "Owner of the token")->required();
  create->add_option("--role", o->role, "read, write, or fineGrained (with --scope)")
      ->check(CLI::IsMember(wire_names(domain::kTokenRoles)));
  create->add_option("--scope", o->scopes,
                     "fineGrained scope, repeatable: namespace:NS=read,write,manage | "
                     "model:NS/NAME=... | dataset:NS/NAME=...");
  create->add_option("--expires-in", o->expires_in, "Lifetime, e.g. 3600, 12h, 30d");
  create->add_option("--name", o->name, "A name to recognise the token by");
  create->add_option("--data", g.data, "Data folder");
  auto* list = token->add_subcommand("list", "List a user's tokens (never the secrets)");
  list->add_option("--user", o->user, "Owner of the tokens")->required();
  list->add_option("--data", g.data, "Data folder");
  auto* revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  revoke->add_option("id", o->id, "Token id, as `token list` shows it")->required();
  revoke->add_option("--user", o->user, "Owner of the token")->required();
  revoke->add_option("--data", g.data, "Data folder");

  auto run_create = [o, &g] {
    auto role = domain::token_role_from_wire(o->role);
    if (!role) return fail(bad_request("role must be read, write or fineGrained"));
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    std::vector<service::TokenScope> scopes;
    for (const auto& spec : o->scopes) {
      auto scope = service::parse_token_scope(spec);
      if (!scope) return fail(scope.status());
      scopes.push_back(*scope);
    }
    int64_t lifetime = 0;
    if (!o->expires_in.empty()) {
      auto seconds = service::parse_duration_seconds(o->expires_in);
      if (!seconds) return fail(seconds.status());
      lifetime = *seconds;
    }
    auto created =
        service::AuthService(**hub).create_token(o->user, *role, o->name, lifetime, scopes);
    if (!created) return fail(created.status());
    std::cout << *created << std::endl;
    return 0;
  };
  auto run_list = [o, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    auto tokens = service::AuthService(**hub).list_tokens(o->user);
    if (!tokens) return fail(tokens.status());
    for (const auto& t : *tokens) {
      std::cout << t.id << "\t" << t.name << "\t" << domain::to_wire(t.role) << "\t"
                << (t.revoked ? "revoked" : "active") << "\tlast used "
                << (t.last_used_at ? util::iso8601_utc(t.last_used_at) : std::string("never"))
                << "\n";
    }
    return 0;
  };
  auto run_revoke = [o, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    if (auto st = service::AuthService(**hub).revoke_token(o->user, o->id); !st) return fail(st);
    return 0;
  };
  return {{create, run_create}, {list, run_list}, {revoke, run_revoke}};
}

}  // namespace vitrine::cli
