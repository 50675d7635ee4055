// The eligibility benchmark's second baseline (issue 12): "floor + one
// durable audit insert per check". Beside the issue's floor (raw look-ups
// that write nothing) it shows what the audit rule alone costs on this
// disk: each look-up set hands one audit-sized row to this writer and waits
// until the COMMIT carrying it has returned. The group commit is the
// simplest plain one: one writer thread on its own connection (opened as
// the registry opens its databases: SQLite WAL + synchronous=FULL,
// PostgreSQL synchronous_commit on) takes every row queued so far, INSERTs
// them one by one in one transaction, COMMITs once and wakes each waiter.
// Its table has audit_log's columns and indexes (migrations 0001, 0003,
// 0050: the primary key and the (resident_id, seq) index),
// each row a random id and its resident's next sequence number.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "openmyna/registry/sql.h"

namespace openmyna::bench {

class RawAuditWriter {
 public:
  // `doc`: the text every row carries (an audit entry's size).
  static Result<std::unique_ptr<RawAuditWriter>> Open(const std::string& target,
                                                      std::string doc) {
    OPENMYNA_ASSIGN_OR_RETURN(auto db, registry::OpenDatabase(target));
    OPENMYNA_RETURN_IF_ERROR(db->ExecuteScript(
        "CREATE TABLE IF NOT EXISTS bench_audit (id TEXT PRIMARY KEY, "
        "resident_id TEXT NOT NULL, at BIGINT NOT NULL, seq BIGINT, doc TEXT "
        "NOT NULL); CREATE UNIQUE INDEX IF NOT EXISTS "
        "bench_audit_by_resident_seq ON bench_audit (resident_id, seq)"));
    return std::unique_ptr<RawAuditWriter>(
        new RawAuditWriter(std::move(db), std::move(doc)));
  }
  ~RawAuditWriter() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    queued_.notify_one();
    thread_.join();
  }

  // Writes one row for `resident_id`; returns once it is durable (false
  // when its transaction failed).
  bool Write(std::string resident_id) {
    Waiter me;
    me.resident_id = std::move(resident_id);
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(&me);
    }
    queued_.notify_one();
    std::unique_lock lock(me.m);
    me.cv.wait(lock, [&] { return me.done; });
    return me.ok;
  }

  // Rows and COMMITs so far.
  std::pair<std::uint64_t, std::uint64_t> counts() {
    std::lock_guard lock(mutex_);
    return {rows_, commits_};
  }

 private:
  struct Waiter {
    std::string resident_id;
    std::mutex m;
    std::condition_variable cv;
    bool done = false, ok = false;
  };

  RawAuditWriter(std::unique_ptr<registry::SqlConnection> db, std::string doc)
      : db_(std::move(db)), doc_(std::move(doc)), thread_([this] { Loop(); }) {}

  // An id of the registry's form (registry/audit_id.h: 12 hex digits of
  // Unix milliseconds, then 16 random ones), so that the baseline's entries
  // append to the primary key's B-tree as the audit log's do.
  std::string NewId() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    char id[32];
    std::snprintf(id, sizeof id, "ba-%012llx%016llx",
                  static_cast<unsigned long long>(ms) & 0xffffffffffffULL,
                  static_cast<unsigned long long>(random_()));
    return id;
  }

  void Loop() {
    const bool sqlite = db_->dialect() == registry::Dialect::kSqlite;
    std::vector<Waiter*> batch;
    while (true) {
      {
        std::unique_lock lock(mutex_);
        queued_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping
        batch.swap(queue_);
      }
      bool ok = static_cast<bool>(
          db_->ExecuteScript(sqlite ? "BEGIN IMMEDIATE" : "BEGIN"));
      for (std::size_t i = 0; ok && i < batch.size(); ++i) {
        ok = static_cast<bool>(db_->Query(
            "INSERT INTO bench_audit (id, resident_id, at, seq, doc) SELECT "
            "$1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4 FROM bench_audit WHERE "
            "resident_id = $2",
            {NewId(), batch[i]->resident_id, std::int64_t{1764000000}, doc_}));
      }
      ok = ok && static_cast<bool>(db_->ExecuteScript("COMMIT"));
      if (!ok) (void)db_->ExecuteScript("ROLLBACK");
      {
        std::lock_guard lock(mutex_);
        rows_ += batch.size();
        ++commits_;
      }
      for (Waiter* w : batch) {
        std::lock_guard lock(w->m);  // `w` may go as soon as it sees done
        w->ok = ok;
        w->done = true;
        w->cv.notify_one();
      }
      batch.clear();
    }
  }

  std::unique_ptr<registry::SqlConnection> db_;
  const std::string doc_;
  std::mt19937_64 random_{std::random_device{}()};  // the writer thread's
  std::mutex mutex_;
  std::condition_variable queued_;
  std::vector<Waiter*> queue_;
  bool stop_ = false;
  std::uint64_t rows_ = 0, commits_ = 0;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace openmyna::bench
