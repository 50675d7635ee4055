// Test helper: a real connection that writes down every statement it is
// given (Query, Send, ExecuteScript, EndReadOnly), in order, into a log the
// test reads: what a store sends to one of its readers.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/registry/sql.h"

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

}  // namespace openmyna::registry::testing
