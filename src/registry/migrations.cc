#include "openmyna/registry/migrations.h"

#include <algorithm>
#include <chrono>

#include "openmyna/registry/errors.h"

namespace openmyna::registry {
namespace {

constexpr std::string_view kCreateLedger =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";

}  // namespace

const std::vector<Migration>& BuiltInMigrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> list = {
#include "migrations.inc"
    };
    std::sort(list.begin(), list.end(),
              [](const Migration& a, const Migration& b) {
                return a.version < b.version;
              });
    return list;
  }();
  return migrations;
}

Result<std::vector<std::string>> AppliedMigrations(SqlConnection& db) {
  OPENMYNA_RETURN_IF_ERROR(db.Query(kCreateLedger));
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT version FROM schema_migrations ORDER BY version"));
  std::vector<std::string> versions;
  for (const SqlRow& row : rows) versions.push_back(row[0].value_or(""));
  return versions;
}

Result<std::vector<std::string>> Migrate(
    SqlConnection& db, const Clock& clock,
    const std::vector<Migration>& migrations) {
  OPENMYNA_ASSIGN_OR_RETURN(auto applied, AppliedMigrations(db));
  std::vector<std::string> now_applied;
  for (const Migration& migration : migrations) {
    if (std::find(applied.begin(), applied.end(), migration.version) !=
        applied.end()) {
      continue;
    }
    const std::int64_t at = std::chrono::duration_cast<std::chrono::seconds>(
                                clock.Now().time_since_epoch())
                                .count();
    Status status = db.ExecuteScript("BEGIN");
    if (status) status = db.ExecuteScript(migration.sql);
    if (status) {
      status = db.Query(
                     "INSERT INTO schema_migrations (version, applied_at) "
                     "VALUES ($1, $2)",
                     {std::string(migration.version), at})
                   .transform([](auto&&) {});
    }
    if (status) status = db.ExecuteScript("COMMIT");
    if (!status) {
      (void)db.ExecuteScript("ROLLBACK");
      return Fail(
          RegistryErrc::kMigration,
          std::string(migration.version) + ": " + status.error().message());
    }
    now_applied.emplace_back(migration.version);
  }
  return now_applied;
}

}  // namespace openmyna::registry
