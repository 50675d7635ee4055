// The eligibility benchmark's floor (issue 12) on SQLite: its read
// snapshots run on connections of their own, opened as the registry opens
// its databases (registry::OpenDatabase: WAL, mmap_size 1 GiB), read-only,
// as many as the store's readers (RegistryStore::DefaultReaders), each
// taken for one snapshot as the store takes its readers. The store's own
// readers run without a memory map since session 12 (docs/registry.md):
// beside a writer SQLite unmaps a WAL reader's map at every read after a
// commit (pagerBeginReadTransaction), which costs the checks more than the
// map saves. The floor writes nothing and runs with no writer, where the
// map is what makes its look-ups fastest: it keeps it, so that the goal's
// floor is as strong as before the store's change.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "openmyna/registry/sql.h"

namespace openmyna::bench {

class FloorReaders {
 public:
  FloorReaders(std::string target, std::size_t count)
      : target_(std::move(target)), free_slots_(count) {}

  // fn(connection) in a read snapshot (BEGIN DEFERRED ... COMMIT).
  Status Read(const std::function<Status(registry::SqlConnection&)>& fn) {
    OPENMYNA_ASSIGN_OR_RETURN(auto db, Take());
    Status status = db->ExecuteScript("BEGIN DEFERRED");
    if (status) {
      status = fn(*db);
      if (Status end = db->ExecuteScript(status ? "COMMIT" : "ROLLBACK");
          !end && status) {
        status = std::move(end);
      }
    }
    Give(std::move(db));
    return status;
  }

 private:
  Result<std::unique_ptr<registry::SqlConnection>> Take() {
    {
      std::unique_lock lock(mutex_);
      freed_.wait(lock, [&] { return !idle_.empty() || free_slots_ > 0; });
      if (!idle_.empty()) {
        auto db = std::move(idle_.back());
        idle_.pop_back();
        return db;
      }
      --free_slots_;
    }
    auto db = registry::OpenDatabase(target_);
    if (db) {
      if (Status ro = (*db)->ExecuteScript("PRAGMA query_only = ON"); !ro) {
        db = Unexpected(ro.error());
      }
    }
    if (!db) Give(nullptr);
    return db;
  }
  void Give(std::unique_ptr<registry::SqlConnection> db) {
    {
      std::lock_guard lock(mutex_);
      if (db) {
        idle_.push_back(std::move(db));
      } else {
        ++free_slots_;
      }
    }
    freed_.notify_one();
  }

  const std::string target_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<registry::SqlConnection>> idle_;
  std::size_t free_slots_;
};

}  // namespace openmyna::bench
