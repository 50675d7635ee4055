// How subcommands join the one `openmyna` binary. Each command group lives in
// its own `*_command.cc` file beside this one and registers itself:
//
//   namespace { openmyna::cli::CommandGroup group{"number", 10, &AddNumber}; }
//
// `order` sorts `--help` output. The cli holds no business rules: commands
// parse arguments, call a library, and render its answer (architecture.md §1).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/context.h"

namespace openmyna::cli {

// Adds the group's subcommands to `app`. Callbacks run after parsing; they
// report their exit code through Context::SetExitCode.
using AddCommandsFn = void (*)(CLI::App& app, Context& context);

struct CommandGroup {
  CommandGroup(std::string name, int order, AddCommandsFn add);
};

struct RegisteredGroup {
  std::string name;
  int order;
  AddCommandsFn add;
};

// All groups linked into the binary, sorted by order.
std::vector<RegisteredGroup> RegisteredGroups();

}  // namespace openmyna::cli
