// `vitrine user create|delete|set-password|list`: accounts, administered on the data folder.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "service/access/account_service.hpp"
#include "service/access/auth_service.hpp"

namespace vitrine::cli {

Commands add_user_command(CLI::App& app, Globals& g) {
  struct Options {
    std::string name, fullname, email, avatar_url;
    bool admin = false;
  };
  auto o = std::make_shared<Options>();
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);

  auto* create = user->add_subcommand("create", "Create a user");
  create->add_option("name", o->name, "User name")->required();
  create->add_flag("--admin", o->admin, "Administrator of the hub");
  create->add_option("--fullname", o->fullname, "Full name");
  create->add_option("--email", o->email, "E-mail address");
  create->add_option("--avatar-url", o->avatar_url, "Avatar image URL");
  create->add_option("--data", g.data, "Data folder");
  auto* remove = user->add_subcommand("delete", "Delete a user, their tokens and memberships");
  remove->add_option("name", o->name, "User name")->required();
  remove->add_option("--data", g.data, "Data folder");
  auto* password =
      user->add_subcommand("set-password", "Set a user's web password (read from stdin)");
  password->add_option("name", o->name, "User name")->required();
  password->add_option("--data", g.data, "Data folder");
  auto* list = user->add_subcommand("list", "List users");
  list->add_option("--data", g.data, "Data folder");

  auto run_create = [o, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    service::AuthService auth(**hub);
    auto created = auth.create_user(o->name, o->admin, o->fullname, o->email);
    if (!created) return fail(created.status());
    if (!o->avatar_url.empty()) {
      if (auto st = service::AccountService(**hub).set_avatar_url(created->id, o->avatar_url); !st)
        return fail(st);
    }
    std::cerr << "created user " << created->name << (o->admin ? " (admin)" : "") << "\n";
    return 0;
  };
  auto run_delete = [o, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    if (auto st = service::AuthService(**hub).delete_user(o->name); !st) return fail(st);
    return 0;
  };
  auto run_password = [o, &g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    std::string secret;
    std::getline(std::cin, secret);
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (auto st = service::AuthService(**hub).set_password(o->name, secret); !st) return fail(st);
    std::cerr << "password set for " << o->name << "\n";
    return 0;
  };
  auto run_list = [&g] {
    auto hub = open_hub(g.data);
    if (!hub) return fail(hub.status());
    for (const auto& u : service::AccountService(**hub).users()) {
      std::cout << u.name << (u.is_admin ? "\tadmin" : "\tuser") << "\t" << u.fullname << "\n";
    }
    return 0;
  };
  return {{create, run_create}, {remove, run_delete}, {password, run_password}, {list, run_list}};
}

}  // namespace vitrine::cli
