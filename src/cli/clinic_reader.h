// The reader's subcommands of `openmyna clinic` (clinic_reader_command.cc).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace openmyna::cli {

// Adds `reader`, `camera` and `face-data` to the `clinic` group.
void AddClinicReader(CLI::App& group, Context& context);

}  // namespace openmyna::cli
