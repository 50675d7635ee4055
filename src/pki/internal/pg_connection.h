// Private helpers of the pki library around libpq (not installed, not part
// of the contract): statement parameters, results and one connection, as
// the PostgreSQL certificate store uses them (PostgreSQL docs, "libpq - C
// Library").
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::pki::internal {

// Parameters of one statement: text values, NULLs, binary BYTEA.
class PgParams {
 public:
  PgParams& Text(std::string value);
  PgParams& Int(std::int64_t value) { return Text(std::to_string(value)); }
  PgParams& Null();
  PgParams& Binary(ByteView bytes);
  int size() const { return static_cast<int>(storage_.size()); }
  // Pointers into storage_ (stable once every value is added).
  const char* const* values();
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void Push(int length, int format);
  std::vector<std::string> storage_;
  std::vector<std::size_t> nulls_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One PGresult, cleared when it goes.
struct PgResult {
  PGresult* r = nullptr;
  PgResult() = default;
  explicit PgResult(PGresult* result) : r(result) {}
  PgResult(PgResult&& o) noexcept : r(std::exchange(o.r, nullptr)) {}
  PgResult& operator=(PgResult&& o) noexcept {
    std::swap(r, o.r);
    return *this;
  }
  ~PgResult() { PQclear(r); }
  int rows() const { return PQntuples(r); }
  bool null(int row, int col) const { return PQgetisnull(r, row, col); }
  const char* text(int row, int col) const { return PQgetvalue(r, row, col); }
  std::int64_t integer(int row, int col) const;
  Bytes bytea(int row, int col) const;
};

// One libpq connection; callers serialise access. Errors are kStore, a
// unique_violation (SQLSTATE 23505) kDuplicateSerial.
class PgConnection {
 public:
  PgConnection() = default;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() { PQfinish(conn_); }
  Status Open(const std::string& url);
  // A connection lost (server restart) is re-established once, outside a
  // transaction only.
  void Heal();
  Result<PgResult> Run(const char* what, const std::string& sql,
                       PgParams params = {});
  // A statement or script without parameters (PQexec: several commands).
  Status Exec(const char* what, const std::string& sql);
  // Streams the rows of one query (libpq single-row mode: one row in memory
  // at a time). `visit` returns false to stop; the rest is drained.
  Status Stream(const char* what, const std::string& sql, PgParams params,
                const std::function<bool(const PgResult&)>& visit);
  Status Rollback() { return Exec("rollback", "ROLLBACK"); }

 private:
  std::string Message() const;
  PGconn* conn_ = nullptr;
};

}  // namespace openmyna::pki::internal
