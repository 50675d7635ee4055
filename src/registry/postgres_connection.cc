// PostgreSQL back end of SqlConnection (sql.h), through libpq.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <string>

#include "openmyna/registry/errors.h"
#include "openmyna/registry/sql.h"

namespace openmyna::registry {
namespace {

// SQLSTATE 23505 unique_violation (PostgreSQL Appendix A, error codes).
constexpr std::string_view kUniqueViolation = "23505";

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<std::vector<SqlRow>> Query(
      std::string_view sql, const std::vector<SqlParam>& params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    OPENMYNA_ASSIGN_OR_RETURN(const std::string* name,
                              Prepared(sql, static_cast<int>(params.size())));
    PGresult* result =
        name != nullptr ? PQexecPrepared(conn_, name->c_str(),
                                         static_cast<int>(params.size()),
                                         values.data(), nullptr, nullptr, 0)
                        : PQexecParams(conn_, std::string(sql).c_str(),
                                       static_cast<int>(params.size()), nullptr,
                                       values.data(), nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{result};
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Failure(result);
    }
    const char* tuples = PQcmdTuples(result);
    changed_ = (tuples && *tuples) ? std::atoll(tuples) : 0;
    std::vector<SqlRow> rows;
    const int n = PQntuples(result);
    const int columns = PQnfields(result);
    rows.reserve(n);
    for (int r = 0; r < n; ++r) {
      SqlRow row;
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(
              std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override {
    const std::string text(sql);
    PGresult* result = PQexec(conn_, text.c_str());
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{result};
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Failure(result);
    }
    return Ok();
  }

  std::int64_t ChangedRows() const override { return changed_; }

  Result<std::uint64_t> CopyRows(std::string_view table,
                                 const std::vector<std::string>& columns,
                                 const RowSource& next) override {
    std::string sql = "COPY " + std::string(table) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
    }
    sql += ") FROM STDIN";
    {
      PGresult* started = PQexec(conn_, sql.c_str());
      const bool ok = PQresultStatus(started) == PGRES_COPY_IN;
      if (!ok) {
        auto failure = Failure(started);
        PQclear(started);
        return failure;
      }
      PQclear(started);
    }
    constexpr std::size_t kFlushAt = 1 << 20;
    std::string buffer;
    buffer.reserve(kFlushAt + 4096);
    std::vector<std::string> row(columns.size());
    std::uint64_t written = 0;
    bool sent = true;
    while (sent && next(row)) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) buffer.push_back('\t');
        AppendCopyText(buffer, row[i]);
      }
      buffer.push_back('\n');
      ++written;
      if (buffer.size() >= kFlushAt) {
        sent = PQputCopyData(conn_, buffer.data(),
                             static_cast<int>(buffer.size())) == 1;
        buffer.clear();
      }
    }
    if (sent && !buffer.empty()) {
      sent = PQputCopyData(conn_, buffer.data(),
                           static_cast<int>(buffer.size())) == 1;
    }
    PQputCopyEnd(conn_, sent ? nullptr : "client failed to send");
    // The COPY's own result, then libpq's terminating NULL.
    Status status = Ok();
    while (PGresult* result = PQgetResult(conn_)) {
      if (status && PQresultStatus(result) != PGRES_COMMAND_OK) {
        status = Failure(result);
      }
      PQclear(result);
    }
    if (!status) return Unexpected(std::move(status).error());
    changed_ = static_cast<std::int64_t>(written);
    return written;
  }

 private:
  // The name of a server-side prepared statement for `sql`, prepared on
  // first use (PostgreSQL docs, "Extended Query": Parse once, then Bind and
  // Execute), as the SQLite back end caches its statements: the registry
  // runs a small fixed set, and parsing and planning each one again was a
  // large part of the server's work per call. Only data statements: a
  // statement prepared before a schema change could fail with "cached plan
  // must not change result type". nullptr: run it unprepared.
  Result<const std::string*> Prepared(std::string_view sql, int params) {
    auto found = statements_.find(sql);
    if (found != statements_.end()) return &found->second;
    std::string_view head = sql.substr(0, sql.find_first_of(" \n("));
    static constexpr std::string_view kData[] = {"SELECT", "INSERT", "UPDATE",
                                                 "DELETE", "WITH"};
    if (std::find(std::begin(kData), std::end(kData), head) ==
        std::end(kData)) {
      return nullptr;
    }
    std::string name = "openmyna_" + std::to_string(statements_.size());
    PGresult* result = PQprepare(conn_, name.c_str(), std::string(sql).c_str(),
                                 params, nullptr);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      auto failure = Failure(result);  // not kept: the next call prepares
      PQclear(result);
      return failure;
    }
    PQclear(result);
    return &statements_.emplace(std::string(sql), std::move(name))
                .first->second;
  }

  // COPY text format (PostgreSQL docs, COPY "Text Format"): backslash,
  // tab, newline and carriage return escaped with a backslash.
  static void AppendCopyText(std::string& out, const std::string& value) {
    for (const char c : value) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out.push_back(c);
      }
    }
  }

  Unexpected<Error> Failure(PGresult* result) const {
    const char* state =
        result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const bool unique = state && kUniqueViolation == state;
    return Fail(unique ? RegistryErrc::kConflict : RegistryErrc::kStorage,
                std::string("postgres: ") + PQerrorMessage(conn_));
  }

  PGconn* conn_;
  std::int64_t changed_ = 0;
  std::map<std::string, std::string, std::less<>> statements_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgres(std::string_view url) {
  const std::string text(url);
  PGconn* conn = PQconnectdb(text.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string why = conn ? PQerrorMessage(conn) : "out of memory";
    PQfinish(conn);
    return Fail(RegistryErrc::kStorage, "postgres connect: " + why);
  }
  auto connection = std::make_unique<PostgresConnection>(conn);
  // Keep the server's notices (e.g. "relation already exists, skipping") off
  // stderr, and make durability explicit rather than a server default.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  OPENMYNA_RETURN_IF_ERROR(connection->ExecuteScript(
      "SET synchronous_commit = on; SET client_min_messages = warning;"));
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

}  // namespace openmyna::registry
