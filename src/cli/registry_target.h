// The registry database a command works on, for commands that need one
// made before (`openmyna init` or `db migrate` makes it). A mistyped
// --data, or the default folder while the sandbox is elsewhere, used to
// get a new, empty, migrated DIR/registry.db: `db status` listed every
// migration as pending, `insurance recheck` collated 0 memberships.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::cli {

// registry::RegistryDatabaseTarget(flag, data_dir) (sql.h: --postgres,
// else $OPENMYNA_REGISTRY_DB, else DIR/registry.db), except that when the
// target would be DIR/registry.db and that file is not there it is
// BaseErrc::kNotFound (exit 2) naming the folder, and nothing is created.
Result<std::string> ExistingRegistryTarget(
    std::string_view flag, const std::filesystem::path& data_dir);

}  // namespace openmyna::cli
