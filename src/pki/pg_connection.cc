// libpq wrapper of the PostgreSQL certificate store (internal/pg_connection.h).
#include "internal/pg_connection.h"

#include <cstdlib>
#include <string_view>

#include "openmyna/pki/errors.h"

namespace openmyna::pki::internal {
namespace {

// SQLSTATE 23505 unique_violation (PostgreSQL Appendix A).
constexpr std::string_view kUniqueViolation = "23505";

}  // namespace

PgParams& PgParams::Text(std::string value) {
  storage_.push_back(std::move(value));
  Push(0, 0);
  return *this;
}

PgParams& PgParams::Null() {
  storage_.emplace_back();
  Push(0, 0);
  nulls_.push_back(storage_.size() - 1);
  return *this;
}

PgParams& PgParams::Binary(ByteView bytes) {
  storage_.emplace_back(reinterpret_cast<const char*>(bytes.data()),
                        bytes.size());
  Push(static_cast<int>(bytes.size()), 1);
  return *this;
}

const char* const* PgParams::values() {
  values_.assign(storage_.size(), nullptr);
  for (std::size_t i = 0; i < storage_.size(); ++i) {
    values_[i] = storage_[i].c_str();
  }
  for (std::size_t i : nulls_) values_[i] = nullptr;
  return values_.data();
}

void PgParams::Push(int length, int format) {
  lengths_.push_back(length);
  formats_.push_back(format);
}

std::int64_t PgResult::integer(int row, int col) const {
  return std::atoll(PQgetvalue(r, row, col));
}

Bytes PgResult::bytea(int row, int col) const {
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col)), &length);
  Bytes out(raw, raw + length);
  PQfreemem(raw);
  return out;
}

Status PgConnection::Open(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Fail(PkiErrc::kStore,
                "cannot connect to the certificate store's PostgreSQL "
                "server: " +
                    Message());
  }
  // No NOTICE on stderr ("relation ... already exists, skipping").
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  return Ok();
}

std::string PgConnection::Message() const {
  std::string text = PQerrorMessage(conn_);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

void PgConnection::Heal() {
  if (PQstatus(conn_) == CONNECTION_BAD) PQreset(conn_);
}

Result<PgResult> PgConnection::Run(const char* what, const std::string& sql,
                                   PgParams params) {
  PgResult result(PQexecParams(conn_, sql.c_str(), params.size(), nullptr,
                               params.values(), params.lengths(),
                               params.formats(), 0));
  const ExecStatusType status = PQresultStatus(result.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(result.r, PG_DIAG_SQLSTATE);
    if (state && state == kUniqueViolation) {
      return Fail(PkiErrc::kDuplicateSerial, Message());
    }
    return Fail(PkiErrc::kStore, std::string(what) + ": " + Message());
  }
  return result;
}

Status PgConnection::Exec(const char* what, const std::string& sql) {
  PgResult result(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(PkiErrc::kStore, std::string(what) + ": " + Message());
  }
  return Ok();
}

Status PgConnection::Stream(const char* what, const std::string& sql,
                            PgParams params,
                            const std::function<bool(const PgResult&)>& visit) {
  if (!PQsendQueryParams(conn_, sql.c_str(), params.size(), nullptr,
                         params.values(), params.lengths(), params.formats(),
                         0) ||
      !PQsetSingleRowMode(conn_)) {
    return Fail(PkiErrc::kStore, std::string(what) + ": " + Message());
  }
  bool more = true;
  std::string error;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult row(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_SINGLE_TUPLE) {
      if (more) more = visit(row);
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      error = Message();
    }
  }
  if (!error.empty()) {
    return Fail(PkiErrc::kStore, std::string(what) + ": " + error);
  }
  return Ok();
}

}  // namespace openmyna::pki::internal
