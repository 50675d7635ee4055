// PostgreSQL back end of SqlConnection (sql.h), through libpq.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

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
    std::vector<std::string> texts;
    const std::vector<const char*> values = Values(params, texts);
    OPENMYNA_RETURN_IF_ERROR(Settle());
    OPENMYNA_ASSIGN_OR_RETURN(const std::string* name,
                              Prepared(sql, static_cast<int>(params.size())));
    const int count = static_cast<int>(params.size());
    const std::string text = name != nullptr ? std::string() : std::string(sql);
    OPENMYNA_ASSIGN_OR_RETURN(
        PGresult * result, Run([&] {
          return name != nullptr
                     ? PQsendQueryPrepared(conn_, name->c_str(), count,
                                           values.data(), nullptr, nullptr, 0)
                     : PQsendQueryParams(conn_, text.c_str(), count, nullptr,
                                         values.data(), nullptr, nullptr, 0);
        }));
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{result};
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
    if (Deferrable(sql)) {
      deferred_.push_back({std::string(sql), {}, nullptr});
      return Ok();
    }
    if (sql.find(';') == std::string_view::npos) {
      // One statement: with the deferred ones, in one round trip.
      const std::string text(sql);
      OPENMYNA_ASSIGN_OR_RETURN(PGresult * result, Run([&] {
                                  return PQsendQueryParams(conn_, text.c_str(),
                                                           0, nullptr, nullptr,
                                                           nullptr, nullptr, 0);
                                }));
      PQclear(result);
      return Ok();
    }
    // A script of several statements needs the simple query protocol,
    // which a pipeline cannot carry: the deferred statements go first.
    OPENMYNA_RETURN_IF_ERROR(Settle());
    OPENMYNA_RETURN_IF_ERROR(SendDeferred());
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

  // A statement whose rows are not needed joins the deferred ones (see
  // Deferrable): it is sent, prepared, in the pipeline of the next
  // statement waited for, or by Flush, which report its error.
  Status Send(std::string_view sql,
              const std::vector<SqlParam>& params) override {
    OPENMYNA_RETURN_IF_ERROR(Settle());
    OPENMYNA_ASSIGN_OR_RETURN(const std::string* name,
                              Prepared(sql, static_cast<int>(params.size())));
    deferred_.push_back({std::string(sql), params, name});
    ++deferred_writes_;
    return Ok();
  }

  Status Flush() override {
    if (deferred_writes_ == 0) return Ok();
    return SendDeferred();
  }

  // The COMMIT or ROLLBACK of a read-only transaction, with the deferred
  // BEGIN if the transaction ran nothing, in one pipeline that is sent but
  // not waited for (libpq "Pipeline Mode": the results are read later, by
  // Settle before the connection's next use). A reader then waits for one
  // round trip per read instead of two; the server still ends the
  // transaction as soon as it reads it, so no snapshot is held while the
  // connection is idle.
  Status EndReadOnly(std::string_view sql) override {
    if (sql.find(';') != std::string_view::npos) return ExecuteScript(sql);
    OPENMYNA_RETURN_IF_ERROR(Settle());
    std::vector<Deferred> statements = TakeDeferred();
    statements.push_back({std::string(sql), {}, nullptr});
    if (PQenterPipelineMode(conn_) != 1) return Failure(nullptr);
    if (!SendAll(statements) || PQpipelineSync(conn_) != 1) {
      return Unexpected(Collect(false, 0, false).error());
    }
    unsettled_ = statements.size();
    return Ok();
  }

  std::int64_t ChangedRows() const override { return changed_; }

  Result<std::uint64_t> CopyRows(std::string_view table,
                                 const std::vector<std::string>& columns,
                                 const RowSource& next) override {
    OPENMYNA_RETURN_IF_ERROR(Settle());
    OPENMYNA_RETURN_IF_ERROR(SendDeferred());
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
  // A deferred statement: its text, and for Send()'s its parameters and
  // prepared statement.
  struct Deferred {
    std::string sql;
    std::vector<SqlParam> params;
    const std::string* prepared;  // Prepared()'s name, or nullptr
  };

  // BEGIN, SAVEPOINT and RELEASE SAVEPOINT (one statement each) are not sent
  // alone: they wait for the next statement and travel with it in one
  // pipeline (PostgreSQL docs, libpq "Pipeline Mode"), which saves a round
  // trip each — the writer of a commit group is one connection that runs
  // every call's statements in turn, so its round trips bound the groups.
  // They cannot fail on a healthy connection in a valid state; if one does,
  // the statement it travelled with reports the error (and the transaction
  // is aborted, as it would be after the error itself). Send() queues the
  // statements whose rows are not needed in the same way (sql.h).
  static bool Deferrable(std::string_view sql) {
    if (sql.find(';') != std::string_view::npos) return false;
    return sql.starts_with("BEGIN") || sql.starts_with("SAVEPOINT ") ||
           sql.starts_with("RELEASE SAVEPOINT ");
  }

  // Sends the deferred statements, then the one `send` queues (a
  // PQsendQuery* call), in one pipeline with one sync, and returns that
  // statement's result (the caller clears it); without deferred
  // statements, the statement alone. The first error wins: the server skips
  // what follows a failed statement of a pipeline.
  template <typename SendFn>
  Result<PGresult*> Run(const SendFn& send) {
    OPENMYNA_RETURN_IF_ERROR(Settle());
    if (deferred_.empty()) {
      if (send() != 1) return Failure(nullptr);
      return TakeResult();
    }
    std::vector<Deferred> deferred = TakeDeferred();
    if (PQenterPipelineMode(conn_) != 1) return Failure(nullptr);
    const bool sent =
        SendAll(deferred) && send() == 1 && PQpipelineSync(conn_) == 1;
    return Collect(sent, deferred.size() + 1, true);
  }

  std::vector<Deferred> TakeDeferred() {
    std::vector<Deferred> taken = std::move(deferred_);
    deferred_.clear();
    deferred_writes_ = 0;
    return taken;
  }

  // libpq's text values of `params` (NULL: nullptr); integers are written
  // to `texts`, which must outlive the values' use.
  static std::vector<const char*> Values(const std::vector<SqlParam>& params,
                                         std::vector<std::string>& texts) {
    texts.assign(params.size(), std::string());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    return values;
  }

  // Queues each statement in the pipeline (libpq copies the values).
  bool SendAll(const std::vector<Deferred>& statements) {
    bool sent = true;
    for (const Deferred& d : statements) {
      std::vector<std::string> texts;
      const std::vector<const char*> values = Values(d.params, texts);
      const int n = static_cast<int>(values.size());
      sent = sent &&
             (d.prepared != nullptr
                  ? PQsendQueryPrepared(conn_, d.prepared->c_str(), n,
                                        values.data(), nullptr, nullptr, 0)
                  : PQsendQueryParams(conn_, d.sql.c_str(), n, nullptr,
                                      values.data(), nullptr, nullptr, 0)) == 1;
    }
    return sent;
  }

  // Reads the results of the `count` statements of a pipeline and its sync,
  // then leaves pipeline mode; returns the last statement's result when
  // `keep_last` (the caller clears it), else nullptr. `sent`: whether the
  // statements and the sync were all sent.
  Result<PGresult*> Collect(bool sent, std::size_t count, bool keep_last) {
    std::optional<Unexpected<Error>> failed;
    if (!sent) failed = Failure(nullptr);
    PGresult* last = nullptr;
    // Each statement's result, then libpq's NULL after it; then the sync.
    for (std::size_t i = 0; sent && i < count; ++i) {
      PGresult* result = PQgetResult(conn_);
      const ExecStatusType status = PQresultStatus(result);
      if (!failed && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        failed = Failure(result);
      }
      if (keep_last && i + 1 == count && !failed) {
        last = result;
      } else {
        PQclear(result);
      }
      while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    }
    while (sent) {
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) {
        if (PQstatus(conn_) == CONNECTION_BAD) break;
        continue;
      }
      const bool sync = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
      PQclear(result);
      if (sync) break;
    }
    (void)PQexitPipelineMode(conn_);
    if (failed) {
      PQclear(last);
      return *failed;
    }
    return last;
  }

  // Reads the answers EndReadOnly did not wait for (see there).
  Status Settle() {
    if (unsettled_ == 0) return Ok();
    const std::size_t count = unsettled_;
    unsettled_ = 0;
    OPENMYNA_RETURN_IF_ERROR(Collect(true, count, false));
    return Ok();
  }

  // The result of the one statement just sent (outside a pipeline).
  Result<PGresult*> TakeResult() {
    PGresult* result = PQgetResult(conn_);
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      auto failure = Failure(result);
      PQclear(result);
      return failure;
    }
    return result;
  }

  // The deferred statements alone, in one pipeline waited for (before what
  // cannot join a pipeline, or by Flush): their first error.
  Status SendDeferred() {
    OPENMYNA_RETURN_IF_ERROR(Settle());
    if (deferred_.empty()) return Ok();
    std::vector<Deferred> deferred = TakeDeferred();
    if (PQenterPipelineMode(conn_) != 1) return Failure(nullptr);
    const bool sent = SendAll(deferred) && PQpipelineSync(conn_) == 1;
    OPENMYNA_RETURN_IF_ERROR(Collect(sent, deferred.size(), false));
    return Ok();
  }

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
  std::vector<Deferred> deferred_;   // see Deferrable()
  std::size_t deferred_writes_ = 0;  // of them sent by Send()
  std::size_t unsettled_ = 0;        // statements sent by EndReadOnly, unread
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
