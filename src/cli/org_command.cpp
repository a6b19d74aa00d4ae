// `vitrine org create|add-member`: organizations and their members' roles.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/access/auth_service.hpp"

namespace vitrine::cli {

Commands add_org_command(CLI::App& app, Globals& g) {
  struct Options {
    std::string org, owner, fullname, user, role = "read";
  };
  auto o = std::make_shared<Options>();
  auto* org = app.add_subcommand("org", "Manage organizations");
  org->require_subcommand(1);
  auto* create = org->add_subcommand("create", "Create an organization");
  create->add_option("name", o->org, "Organization name")->required();
  create->add_option("--owner", o->owner, "First member, with the admin role")->required();
  create->add_option("--fullname", o->fullname, "Full name");
  create->add_option("--data", g.data, "Data folder");
  auto* add = org->add_subcommand("add-member", "Add a member or change their role");
  add->add_option("org", o->org, "Organization")->required();
  add->add_option("user", o->user, "User")->required();
  add->add_option("--role", o->role, "read, write or admin")
      ->check(CLI::IsMember(wire_names(domain::kMemberRoles)));
  add->add_option("--data", g.data, "Data folder");

  auto run_create = [o, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    auto created = service::AuthService(**hub).create_org(o->org, o->owner, o->fullname);
    if (!created) return fail(created.status());
    std::cerr << "created organization " << created->name << " (admin: " << o->owner << ")\n";
    return 0;
  };
  auto run_add = [o, &g] {
    auto role = domain::member_role_from_wire(o->role);
    if (!role) return fail(bad_request("role must be read, write or admin"));
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    if (auto st = service::AuthService(**hub).set_org_member(o->org, o->user, *role); !st) {
      return fail(st);
    }
    return 0;
  };
  return {{create, run_create}, {add, run_add}};
}

}  // namespace vitrine::cli
