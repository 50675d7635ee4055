// The one storage interface of the registry: a SQL connection with two back
// ends, SQLite (embedded default) and PostgreSQL (a real server through
// libpq). Everything above it (migrations, RegistryStore) is written once in
// the common subset of both dialects; the differences are listed in
// docs/registry.md ("Dialects").
//
// Placeholders are written `$1`, `$2`, ... in both dialects (PostgreSQL's
// form; the SQLite back end rewrites them to `?1`, `?2`).
// Every value travels as text or a 64-bit integer; NULL is std::nullopt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "openmyna/base/result.h"

namespace openmyna::registry {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter: NULL, an integer or text.
using SqlParam = std::variant<std::nullptr_t, std::int64_t, std::string>;
// A result cell as text (integers in decimal), NULL as std::nullopt.
using SqlCell = std::optional<std::string>;
using SqlRow = std::vector<SqlCell>;

// One connection. Not thread-safe by itself: RegistryStore serialises access.
// Errors are RegistryErrc::kStorage (kConflict for a unique-key violation).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement and returns its rows (empty for INSERT/UPDATE).
  virtual Result<std::vector<SqlRow>> Query(
      std::string_view sql, const std::vector<SqlParam>& params = {}) = 0;
  // Runs a script of several statements without parameters (a migration).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Runs a statement whose rows are not needed (an INSERT, an UPDATE whose
  // ChangedRows() is not asked) without waiting for it where the back end
  // has a round trip to save: PostgreSQL sends it in one libpq pipeline
  // with the next statement this connection waits for (Query, a one-line
  // ExecuteScript, or Flush), which then returns the first error among them
  // (the server skips what follows a failed statement of a pipeline, docs
  // "Pipeline Mode"). Its error is returned by this call or by that next
  // one, never later; ChangedRows() does not count it. Default: Query.
  virtual Status Send(std::string_view sql,
                      const std::vector<SqlParam>& params = {}) {
    auto rows = Query(sql, params);
    if (!rows) return Unexpected(std::move(rows).error());
    return Ok();
  }
  // Waits for what Send left unanswered: its first error. Default: Ok.
  virtual Status Flush() { return Ok(); }
  // Ends a read-only transaction (`sql`: COMMIT or ROLLBACK) without waiting
  // for the server's answer where the back end has one to wait for: the
  // statement is sent at once, so the snapshot is released as soon as the
  // server reads it, and the next use of the connection reads the answer
  // first, failing with its error if it was one. Default: ExecuteScript.
  virtual Status EndReadOnly(std::string_view sql) {
    return ExecuteScript(sql);
  }
  // Number of rows changed by the last INSERT/UPDATE/DELETE.
  virtual std::int64_t ChangedRows() const = 0;

  // Bulk import: appends every row that `next` fills (one text value per
  // column of `columns`, in order; it returns false when there are no more)
  // to `table`, inside the caller's transaction, as fast as the back end
  // allows: SQLite, one prepared INSERT stepped per row with the values
  // bound in place (no copies); PostgreSQL, COPY table (columns) FROM STDIN
  // in text format, sent in ~1 MiB PQputCopyData chunks. Returns the rows
  // written. kConflict on a duplicate key (the whole COPY fails on
  // PostgreSQL; on SQLite the rows before it stay in the transaction).
  // `table` and `columns` are trusted identifiers, never user input.
  using RowSource = std::function<bool(std::vector<std::string>& row)>;
  virtual Result<std::uint64_t> CopyRows(
      std::string_view table, const std::vector<std::string>& columns,
      const RowSource& next) = 0;
};

// Opens (creating when absent) the SQLite database at `path`, mode 0600, in
// WAL mode with synchronous=FULL so that a commit that returned is on disk
// (https://sqlite.org/pragma.html#pragma_synchronous), foreign keys on and a
// busy timeout of 5 s and a 32 MiB page cache.
Result<std::unique_ptr<SqlConnection>> OpenSqlite(
    const std::filesystem::path& path);

// Connects to PostgreSQL with a libpq connection string or URL
// ("postgresql://user@host:port/db", "host=/tmp/x port=5432 dbname=y").
// Commits are durable with the server's default synchronous_commit=on.
Result<std::unique_ptr<SqlConnection>> OpenPostgres(std::string_view url);

// Opens either back end: a `postgres://` or `postgresql://` URL or a libpq
// key=value string selects PostgreSQL; anything else is a SQLite file path.
Result<std::unique_ptr<SqlConnection>> OpenDatabase(std::string_view target);

// The registry database of a sandbox data folder, as every command finds
// it: `flag` (--postgres URL) when given, else $OPENMYNA_REGISTRY_DB when
// set, else the SQLite file DIR/registry.db (the folder created 0700).
// Errors: the folder cannot be created.
Result<std::string> RegistryDatabaseTarget(
    std::string_view flag, const std::filesystem::path& data_dir);

// Rewrites `$1`..`$N` outside quotes into SQLite's `?1`..`?N`.
std::string RewritePlaceholdersForSqlite(std::string_view sql);

}  // namespace openmyna::registry
