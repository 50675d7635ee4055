// SQLite back end of SqlConnection (sql.h).
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "openmyna/base/file_io.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/sql.h"

namespace openmyna::registry {
namespace {

// One transaction-control statement with no other statement after it
// (sqlite.org/lang_transaction.html, lang_savepoint.html).
bool IsTransactionControl(std::string_view sql) {
  if (sql.find(';') != std::string_view::npos) return false;
  for (std::string_view verb :
       {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}) {
    if (sql.substr(0, verb.size()) == verb &&
        (sql.size() == verb.size() || sql[verb.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [text, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<SqlRow>> Query(
      std::string_view sql, const std::vector<SqlParam>& params) override {
    // Prepared statements are cached by their text (the registry uses a
    // small fixed set) and reset after each use.
    sqlite3_stmt* stmt = nullptr;
    auto cached = statements_.find(sql);  // no copy: std::less<>
    if (cached != statements_.end()) {
      stmt = cached->second;
    } else {
      const std::string text = RewritePlaceholdersForSqlite(sql);
      if (sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt,
                             nullptr) != SQLITE_OK) {
        return Failure("prepare");
      }
      statements_.emplace(std::string(sql), stmt);
    }
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, index, *v);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(stmt, index, s->data(),
                               static_cast<int>(s->size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return Failure("bind");
    }
    std::vector<SqlRow> rows;
    const int columns = sqlite3_column_count(stmt);
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Failure("step");
      SqlRow row;
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* data =
              reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(data, sqlite3_column_bytes(stmt, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    changed_ = sqlite3_changes64(db_);
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override {
    // Transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE, ROLLBACK: a
    // few per transaction of the store) is one statement prepared once and
    // cached like Query's, instead of parsed again by sqlite3_exec each time
    // (≈ 5 % of an eligibility check's CPU, docs/insurance.md).
    if (IsTransactionControl(sql)) {
      auto done = Query(sql, {});
      if (!done) {
        return Fail(RegistryErrc::kStorage,
                    "sqlite: " + done.error().message());
      }
      return Ok();
    }
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) !=
        SQLITE_OK) {
      std::string why = message ? message : "unknown";
      sqlite3_free(message);
      return Fail(RegistryErrc::kStorage, "sqlite: " + why);
    }
    return Ok();
  }

  std::int64_t ChangedRows() const override { return changed_; }

  Result<std::uint64_t> CopyRows(std::string_view table,
                                 const std::vector<std::string>& columns,
                                 const RowSource& next) override {
    std::string sql = "INSERT INTO " + std::string(table) + " (";
    std::string values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
      values += (i ? ", ?" : "?") + std::to_string(i + 1);
    }
    sql += ") VALUES (" + values + ")";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()),
                           &stmt, nullptr) != SQLITE_OK) {
      return Failure("prepare");
    }
    struct Finalizer {
      sqlite3_stmt* s;
      ~Finalizer() { sqlite3_finalize(s); }
    } finalizer{stmt};
    std::vector<std::string> row(columns.size());
    std::uint64_t written = 0;
    while (next(row)) {
      for (std::size_t i = 0; i < columns.size(); ++i) {
        // SQLITE_STATIC: `row` outlives the step below.
        if (sqlite3_bind_text(stmt, static_cast<int>(i) + 1, row[i].data(),
                              static_cast<int>(row[i].size()),
                              SQLITE_STATIC) != SQLITE_OK) {
          return Failure("bind");
        }
      }
      if (sqlite3_step(stmt) != SQLITE_DONE) return Failure("step");
      sqlite3_reset(stmt);
      ++written;
    }
    changed_ = static_cast<std::int64_t>(written);
    return written;
  }

 private:
  Unexpected<Error> Failure(std::string_view what) const {
    const int code = sqlite3_extended_errcode(db_);
    const bool unique = code == SQLITE_CONSTRAINT_UNIQUE ||
                        code == SQLITE_CONSTRAINT_PRIMARYKEY;
    return Fail(unique ? RegistryErrc::kConflict : RegistryErrc::kStorage,
                "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  std::int64_t changed_ = 0;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqlite(
    const std::filesystem::path& path) {
  // Create the file 0600 before SQLite does, so that personal data is never
  // world-readable (the -wal and -shm files inherit these permissions).
  // Only when it does not exist yet (O_EXCL): closing any descriptor of a
  // file drops every POSIX lock this process holds on it, so an open/close
  // of a database another connection of this process has open would
  // silently release that connection's locks. Another process then believes
  // it is the last one, checkpoints and deletes the -wal file, and this
  // process's later commits go to the unlinked file, invisible to everyone
  // else until it exits (sqlite.org/howtocorrupt.html §2.2; the konbini
  // engineer's report with every service in one `openmyna serve`).
  if (path != ":memory:") {
    const int fd =
        ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      return Fail(RegistryErrc::kStorage,
                  "cannot open " + path.string() + ": " + std::strerror(errno));
    }
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Fail(RegistryErrc::kStorage,
                "sqlite open " + path.string() + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  auto connection = std::make_unique<SqliteConnection>(db);
  // temp_store=MEMORY keeps statement journals in memory
  // (sqlite.org/tempfiles.html §2.5, §5): a commit group's SAVEPOINTs
  // otherwise spill the pages they change (personal data) past 64 KiB into
  // a temporary file, created, written and deleted in every group.
  // mmap_size: pages come from the page cache by memory mapping instead of
  // a pread each (sqlite.org/mmap.html). Writes still go through the WAL
  // and its fsync. The store's reader connections turn it off again
  // (RegistryStore::TakeReader, store.cc: beside a writer SQLite unmaps a
  // WAL reader's map at every read after a commit).
  OPENMYNA_RETURN_IF_ERROR(connection->ExecuteScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; "
      "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;"));
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

std::string RewritePlaceholdersForSqlite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' &&
               sql[i + 1] <= '9') {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::unique_ptr<SqlConnection>> OpenDatabase(std::string_view target) {
  if (target.starts_with("postgres://") ||
      target.starts_with("postgresql://") ||
      target.find('=') != std::string_view::npos) {
    return OpenPostgres(target);
  }
  return OpenSqlite(std::filesystem::path(target));
}

Result<std::string> RegistryDatabaseTarget(
    std::string_view flag, const std::filesystem::path& data_dir) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("OPENMYNA_REGISTRY_DB"); env && *env) {
    return std::string(env);
  }
  if (auto made = EnsurePrivateDirectory(data_dir); !made) {
    return Fail(RegistryErrc::kStorage, made.error().message());
  }
  return (data_dir / "registry.db").string();
}

}  // namespace openmyna::registry
