// Test helper: a real connection that writes down every statement it is
// given (Query, Send, ExecuteScript, EndReadOnly), in order, into a log the
// test reads: what a store sends to one of its readers; a store whose one
// reader is such a connection, and the audit entries another connection
// sees.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "testing_backend.h"

namespace openmyna::registry::testing {

class StatementLog {
 public:
  void Add(std::string_view sql) {
    std::lock_guard lock(mutex_);
    statements_.emplace_back(sql);
  }
  // The statements written down since the last Take(), and forgets them.
  std::vector<std::string> Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(statements_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> statements_;
};

class RecordingConnection final : public SqlConnection {
 public:
  RecordingConnection(std::unique_ptr<SqlConnection> db,
                      std::shared_ptr<StatementLog> log)
      : db_(std::move(db)), log_(std::move(log)) {}
  Dialect dialect() const override { return db_->dialect(); }
  Result<std::vector<SqlRow>> Query(
      std::string_view sql, const std::vector<SqlParam>& params) override {
    log_->Add(sql);
    return db_->Query(sql, params);
  }
  Status ExecuteScript(std::string_view sql) override {
    log_->Add(sql);
    return db_->ExecuteScript(sql);
  }
  Status Send(std::string_view sql,
              const std::vector<SqlParam>& params) override {
    log_->Add(sql);
    return db_->Send(sql, params);
  }
  Status Flush() override { return db_->Flush(); }
  Status EndReadOnly(std::string_view sql) override {
    log_->Add(sql);
    return db_->EndReadOnly(sql);
  }
  std::int64_t ChangedRows() const override { return db_->ChangedRows(); }
  Result<std::uint64_t> CopyRows(std::string_view table,
                                 const std::vector<std::string>& columns,
                                 const RowSource& next) override {
    log_->Add("COPY");
    return db_->CopyRows(table, columns, next);
  }

 private:
  std::unique_ptr<SqlConnection> db_;
  std::shared_ptr<StatementLog> log_;
};

// A store on a new connection to `backend` (the writer) with one reader
// that writes its statements down in `log`; the reader is opened (its
// set-up statements taken out of the log) before it is returned. The
// Backend must outlive the store.
inline std::unique_ptr<RegistryStore> StoreWithRecordingReader(
    Backend& backend, std::shared_ptr<StatementLog> log) {
  auto writer = backend.Connect();
  EXPECT_TRUE(writer) << writer.error();
  if (!writer) return nullptr;
  auto store = std::make_unique<RegistryStore>(
      std::move(*writer),
      [&backend, log]() -> Result<std::unique_ptr<SqlConnection>> {
        OPENMYNA_ASSIGN_OR_RETURN(auto c, backend.Connect());
        return std::make_unique<RecordingConnection>(std::move(c), log);
      },
      1);
  EXPECT_TRUE(store->Read([](RegistryTx&) { return Ok(); }));
  log->Take();
  return store;
}

// True when `sent` is one statement and no transaction control.
inline bool OneStatementSent(const std::vector<std::string>& sent) {
  EXPECT_EQ(sent.size(), 1u) << ::testing::PrintToString(sent);
  return sent.size() == 1 && !sent[0].starts_with("BEGIN");
}

// The audit entries whose document names `action` that a new connection
// to `backend` sees, -1 when it cannot look.
inline int AuditEntriesSeen(Backend& backend, std::string_view action) {
  auto other = backend.Connect();
  EXPECT_TRUE(other) << other.error();
  if (!other) return -1;
  auto rows = (*other)->Query("SELECT doc FROM audit_log");
  EXPECT_TRUE(rows) << rows.error();
  if (!rows) return -1;
  const std::string quoted = "\"" + std::string(action) + "\"";
  return static_cast<int>(
      std::count_if(rows->begin(), rows->end(), [&](const SqlRow& row) {
        return row.at(0).value_or("").find(quoted) != std::string::npos;
      }));
}

}  // namespace openmyna::registry::testing
