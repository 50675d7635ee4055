// Schema migrations: the plain SQL files of src/registry/migrations/, built
// into the library, applied in file-name order, each in its own transaction
// together with its row in `schema_migrations` (version, applied_at).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/registry/sql.h"

namespace openmyna::registry {

struct Migration {
  std::string_view version;  // file name, e.g. "0001_initial.sql"
  std::string_view sql;
};

// The built-in migrations, sorted by version.
const std::vector<Migration>& BuiltInMigrations();

// Applies every migration of `migrations` not yet recorded, in order; returns
// the versions it applied now (empty when the schema was current). On error
// the failing migration is rolled back (kMigration) and later ones are not
// tried. Safe to run again.
Result<std::vector<std::string>> Migrate(
    SqlConnection& db, const Clock& clock,
    const std::vector<Migration>& migrations = BuiltInMigrations());

// The versions recorded in `schema_migrations`, in order.
Result<std::vector<std::string>> AppliedMigrations(SqlConnection& db);

}  // namespace openmyna::registry
