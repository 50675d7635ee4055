#include "openmyna/registry/store.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <tuple>

#include "openmyna/base/log.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/migrations.h"
#include "openmyna/registry/model_json.h"
#include "record_rows.h"

namespace openmyna::registry {
namespace {

using internal::All;
using internal::Doc;
using internal::Done;
using internal::One;
using internal::Parse;

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::string Name(const auto& enum_value) {
  return nlohmann::json(enum_value).get<std::string>();
}

}  // namespace

Status RegistryTx::PutMunicipality(const Municipality& m) {
  return Done(
      db_.Query("INSERT INTO municipalities (code, doc) VALUES ($1, $2) "
                "ON CONFLICT (code) DO UPDATE SET doc = excluded.doc",
                {m.code, Doc(m)}));
}

Result<std::optional<Municipality>> RegistryTx::GetMunicipality(
    std::string_view code) {
  return One<Municipality>(db_.Query(
      "SELECT doc FROM municipalities WHERE code = $1", {std::string(code)}));
}

Result<std::vector<Municipality>> RegistryTx::ListMunicipalities() {
  return All<Municipality>(
      db_.Query("SELECT doc FROM municipalities ORDER BY code"));
}

Status RegistryTx::InsertResident(const Resident& r) {
  return db_.Send(
      "INSERT INTO residents (id, individual_number, municipality_code, "
      "status, doc) VALUES ($1, $2, $3, $4, $5)",
      {r.id, r.individual_number, r.municipality_code, Name(r.status), Doc(r)});
}

Status RegistryTx::UpdateResident(const Resident& r) {
  OPENMYNA_RETURN_IF_ERROR(db_.Query(
      "UPDATE residents SET individual_number = $2, municipality_code = $3, "
      "status = $4, doc = $5 WHERE id = $1",
      {r.id, r.individual_number, r.municipality_code, Name(r.status),
       Doc(r)}));
  if (db_.ChangedRows() != 1) {
    return Fail(RegistryErrc::kNotFound, "no resident " + r.id);
  }
  return Ok();
}

Result<std::optional<Resident>> RegistryTx::GetResident(std::string_view id) {
  return One<Resident>(
      db_.Query("SELECT doc FROM residents WHERE id = $1", {std::string(id)}));
}

Result<std::optional<Resident>> RegistryTx::FindResidentByNumber(
    std::string_view individual_number) {
  return One<Resident>(
      db_.Query("SELECT doc FROM residents WHERE individual_number = $1",
                {std::string(individual_number)}));
}

Result<std::int64_t> RegistryTx::CountResidents() {
  OPENMYNA_ASSIGN_OR_RETURN(auto rows,
                            db_.Query("SELECT COUNT(*) FROM residents"));
  return std::stoll(rows.at(0).at(0).value_or("0"));
}

Result<std::vector<Resident>> RegistryTx::ListResidents(
    std::string_view after_id, int limit) {
  return All<Resident>(
      db_.Query("SELECT doc FROM residents WHERE id > $1 ORDER BY id LIMIT $2",
                {std::string(after_id), std::int64_t{limit}}));
}

Status RegistryTx::PutApplication(const Application& a) {
  return Done(
      db_.Query("INSERT INTO applications (id, resident_id, state, doc) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET "
                "state = excluded.state, doc = excluded.doc",
                {a.id, a.resident_id, Name(a.state), Doc(a)}));
}

Result<std::optional<Application>> RegistryTx::GetApplication(
    std::string_view id) {
  return One<Application>(db_.Query(
      "SELECT doc FROM applications WHERE id = $1", {std::string(id)}));
}

Result<std::vector<Application>> RegistryTx::ListApplications(
    std::string_view resident_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto list, All<Application>(db_.Query(
                     "SELECT doc FROM applications WHERE resident_id = $1",
                     {std::string(resident_id)})));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.received_at, a.id) < std::tie(b.received_at, b.id);
  });
  return list;
}

Status RegistryTx::PutCard(const Card& c) {
  SqlParam present_by = nullptr;
  if (!c.present_by.empty()) present_by = c.present_by;
  return Done(db_.Query(
      "INSERT INTO cards (id, resident_id, state, expires_on, present_by, doc) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET "
      "state = excluded.state, expires_on = excluded.expires_on, "
      "present_by = excluded.present_by, doc = excluded.doc",
      {c.id, c.resident_id, std::string(ToString(c.state)), c.expires_on,
       present_by, Doc(c)}));
}

Result<std::optional<Card>> RegistryTx::GetCard(std::string_view id) {
  return One<Card>(
      db_.Query("SELECT doc FROM cards WHERE id = $1", {std::string(id)}));
}

Result<std::vector<Card>> RegistryTx::ListCards(std::string_view resident_id) {
  return All<Card>(
      db_.Query("SELECT doc FROM cards WHERE resident_id = $1 ORDER BY id",
                {std::string(resident_id)}));
}

Result<std::vector<Card>> RegistryTx::ListCardsExpiringBy(
    CardState state, std::string_view date) {
  return All<Card>(
      db_.Query("SELECT doc FROM cards WHERE state = $1 AND expires_on <= $2 "
                "ORDER BY expires_on, id",
                {std::string(ToString(state)), std::string(date)}));
}

Result<std::vector<Card>> RegistryTx::ListCardsPresentBy(
    std::string_view date) {
  return All<Card>(db_.Query(
      "SELECT doc FROM cards WHERE present_by IS NOT NULL AND present_by <= $1 "
      "ORDER BY present_by, id",
      {std::string(date)}));
}

Status RegistryTx::PutCertificate(const Certificate& c) {
  return Done(db_.Query(
      "INSERT INTO certificates (serial, card_id, resident_id, revoked, doc) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (serial) DO UPDATE SET "
      "revoked = excluded.revoked, doc = excluded.doc",
      {c.serial, c.card_id, c.resident_id, std::int64_t{c.revoked ? 1 : 0},
       Doc(c)}));
}

Result<std::optional<Certificate>> RegistryTx::GetCertificate(
    std::string_view serial) {
  return One<Certificate>(db_.Query(
      "SELECT doc FROM certificates WHERE serial = $1", {std::string(serial)}));
}

Result<std::vector<Certificate>> RegistryTx::ListCertificates(
    std::string_view card_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto list, All<Certificate>(db_.Query(
                     "SELECT doc FROM certificates WHERE card_id = $1",
                     {std::string(card_id)})));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.not_before, a.serial) < std::tie(b.not_before, b.serial);
  });
  return list;
}

Status RegistryTx::InsertFee(const Fee& f) {
  return Done(
      db_.Query("INSERT INTO fees (id, resident_id, doc) VALUES ($1, $2, $3)",
                {f.id, f.resident_id, Doc(f)}));
}

Result<std::vector<Fee>> RegistryTx::ListFees(std::string_view resident_id) {
  return All<Fee>(
      db_.Query("SELECT doc FROM fees WHERE resident_id = $1 ORDER BY id",
                {std::string(resident_id)}));
}

Status RegistryTx::InsertNotice(const Notice& n) {
  return Done(
      db_.Query("INSERT INTO notices (id, resident_id, card_id, kind, doc) "
                "VALUES ($1, $2, $3, $4, $5)",
                {n.id, n.resident_id, n.card_id, Name(n.kind), Doc(n)}));
}

Result<std::vector<Notice>> RegistryTx::ListNotices(
    std::string_view resident_id) {
  return All<Notice>(
      db_.Query("SELECT doc FROM notices WHERE resident_id = $1 ORDER BY id",
                {std::string(resident_id)}));
}

Result<bool> RegistryTx::HasNotice(std::string_view card_id, NoticeKind kind) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      db_.Query("SELECT COUNT(*) FROM notices WHERE card_id = $1 AND kind = $2",
                {std::string(card_id), Name(kind)}));
  return rows.at(0).at(0).value_or("0") != "0";
}

Status RegistryTx::AppendAudit(const AuditEntry& e) {
  if (deferred_audit_ != nullptr) {
    deferred_audit_->push_back(e);
    return Ok();
  }
  return Done(db_.Query(
      "INSERT INTO audit_log (id, resident_id, at, seq, doc) "
      "SELECT $1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4 FROM audit_log "
      "WHERE resident_id = $2",
      {e.id, e.resident_id, Seconds(e.at), Doc(e)}));
}

Result<std::vector<AuditEntry>> RegistryTx::ListAudit(
    std::string_view resident_id) {
  return All<AuditEntry>(
      db_.Query("SELECT doc FROM audit_log WHERE resident_id = $1 ORDER BY seq",
                {std::string(resident_id)}));
}

RegistryStore::RegistryStore(std::unique_ptr<SqlConnection> db,
                             ConnectionFactory readers, std::size_t max_readers)
    : db_(std::move(db)),
      open_reader_(std::move(readers)),
      max_readers_(std::max<std::size_t>(max_readers, 1)) {}

RegistryStore::~RegistryStore() {
  // What group commit did over the store's life (benchmarks read it).
  const GroupStats stats = group_stats();
  if (stats.calls > 0 || stats.reads > 0) {
    log::Get("registry")
        ->info(
            "group commit: {} calls in {} commits ({:.1f} per commit), {} "
            "reads on reader connections",
            stats.calls, stats.commits,
            static_cast<double>(stats.calls) /
                static_cast<double>(std::max<std::uint64_t>(stats.commits, 1)),
            stats.reads);
  }
}

// SQLite: reads run in this process and are CPU-bound, so a few connections
// keep the cores busy. PostgreSQL: a read holds its connection through its
// round trips while a backend works (session 10's quiet slot: 4 readers
// served 2,926 reads/s, ≈ 1.4 ms each if all were busy), so more are
// needed for the same cores; but each is a server process (max_connections,
// default 100, is shared by every store of every node) and more backends
// cost PostgreSQL CPU (docs/scale.md §2: 16 readers did not beat 4 on the
// loaded 2 cores). Readers are opened only as concurrent reads need them.
std::size_t RegistryStore::DefaultReaders(Dialect dialect) {
  return dialect == Dialect::kPostgres ? 8 : kDefaultReaders;
}

Result<std::unique_ptr<RegistryStore>> RegistryStore::Open(
    std::string_view target, const Clock& clock, std::size_t readers) {
  OPENMYNA_ASSIGN_OR_RETURN(auto db, OpenDatabase(target));
  ConnectionFactory open_reader;
  if (target != ":memory:") {
    open_reader = [t = std::string(target)] { return OpenDatabase(t); };
  }
  if (readers == 0) readers = DefaultReaders(db->dialect());
  auto store = std::make_unique<RegistryStore>(std::move(db),
                                               std::move(open_reader), readers);
  OPENMYNA_RETURN_IF_ERROR(store->Migrate(clock));
  return store;
}

Result<std::vector<std::string>> RegistryStore::Migrate(const Clock& clock) {
  std::lock_guard lock(mutex_);
  return registry::Migrate(*db_, clock);
}

// One call waiting in the group-commit queue: a Transact() callback, or
// the audit entries of a Read(). Each waiting call has its own mutex and
// condition variable, so the leader wakes exactly the calls of its group and
// the next leader, one wake-up each. (One shared condition variable and
// notify_all woke every waiting thread after each group, ~64 for a group of
// ~27, most of them only to sleep again: 22 % of the server's samples were
// in scheduling, docs/scale.md §2.) Pending, a member of RegistryStore, also
// holds the steps that need the store's private state.
struct RegistryStore::Pending {
  const std::function<Status(RegistryTx&)>* fn = nullptr;
  const std::vector<AuditEntry>* audit = nullptr;  // a read's entries
  bool counts_read = false;  // adds to GroupStats::reads when queued
  // Written by the leader alone while it runs the group; the caller reads
  // it only once it saw `done` under `m`, which orders the two (a result
  // read without that order raced the leader: ThreadSanitizer, session 6).
  Status outcome = Ok();
  std::mutex m;
  std::condition_variable cv;
  bool done = false;  // under m: `outcome` is final
  bool lead = false;  // under m: this caller leads the next group

  Status Run(RegistryTx& tx) const;
  Status RunInSavepoint(SqlConnection& db, RegistryTx& tx) const;
  void Wake(bool as_leader);
  static Status Submit(RegistryStore& store, Pending& mine);
  static Status SendAuditBatch(SqlConnection& db, RegistryTx& tx,
                               const std::vector<Pending*>& audits);
};

namespace {

// Appends `value` to a PostgreSQL array literal as one quoted element
// (PostgreSQL docs, "Array Value Input": inside double quotes a backslash
// escapes the next character).
void AppendArrayElement(std::string& out, std::string_view value) {
  out += out.size() > 1 ? ",\"" : "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

// The entries in one statement (PostgreSQL): one round trip instead of one
// per entry. Each gets its resident's next sequence number: the largest
// before the statement plus its rank among the entries of that resident
// here, in the order given (as AppendAudit one after another would).
Status InsertAuditRows(SqlConnection& db,
                       const std::vector<const AuditEntry*>& entries) {
  std::string ids = "{", residents = "{", ats = "{", docs = "{";
  for (const AuditEntry* e : entries) {
    AppendArrayElement(ids, e->id);
    AppendArrayElement(residents, e->resident_id);
    ats += (ats.size() > 1 ? "," : "") + std::to_string(Seconds(e->at));
    AppendArrayElement(docs, Doc(*e));
  }
  for (std::string* array : {&ids, &residents, &ats, &docs}) *array += '}';
  return db.Send(
      "INSERT INTO audit_log (id, resident_id, at, seq, doc) "
      "SELECT e.id, e.resident_id, e.at, "
      "COALESCE((SELECT MAX(a.seq) FROM audit_log a "
      "WHERE a.resident_id = e.resident_id), 0) + "
      "ROW_NUMBER() OVER (PARTITION BY e.resident_id ORDER BY e.n), e.doc "
      "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) "
      "WITH ORDINALITY AS e(id, resident_id, at, doc, n)",
      {ids, residents, ats, docs});
}

}  // namespace

Status RegistryStore::Pending::Run(RegistryTx& tx) const {
  if (audit != nullptr) {
    for (const AuditEntry& e : *audit) {
      OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(e));
    }
    return Ok();
  }
  try {
    Status status = (*fn)(tx);
    // What the call sent without waiting (SqlConnection::Send) is answered
    // before its outcome is known: its error is the call's, no other's.
    if (status) status = tx.connection().Flush();
    return status;
  } catch (const std::exception& e) {
    return Fail(RegistryErrc::kStorage,
                std::string("transaction threw: ") + e.what());
  }
}

// The call in its own savepoint: a refusal rolls back to it.
Status RegistryStore::Pending::RunInSavepoint(SqlConnection& db,
                                              RegistryTx& tx) const {
  if (Status sp = db.ExecuteScript("SAVEPOINT registry_call"); !sp) {
    return Fail(RegistryErrc::kStorage,
                "savepoint failed: " + sp.error().message());
  }
  Status status = Run(tx);
  if (!status) (void)db.ExecuteScript("ROLLBACK TO SAVEPOINT registry_call");
  (void)db.ExecuteScript("RELEASE SAVEPOINT registry_call");
  return status;
}

void RegistryStore::Pending::Wake(bool as_leader) {
  // Notified under `m`: the caller may return (and destroy this) as soon
  // as it sees the flag, so nothing here touches it after the unlock.
  std::lock_guard lock(m);
  (as_leader ? lead : done) = true;
  cv.notify_one();
}

Status RegistryStore::Pending::Submit(RegistryStore& store, Pending& mine) {
  bool leading = false;
  {
    std::lock_guard lock(store.queue_mutex_);
    store.queue_.push_back(&mine);
    if (mine.counts_read) ++store.stats_.reads;
    if (!store.leading_) leading = store.leading_ = true;
  }
  if (!leading) {
    std::unique_lock lock(mine.m);
    mine.cv.wait(lock, [&] { return mine.done || mine.lead; });
    if (mine.done) return std::move(mine.outcome);
  }
  // Lead: run what is queued now as one group. A new leader's call is the
  // first in the queue, so it is in the first group; the loop is only a
  // guard.
  std::vector<Pending*> group;
  while (true) {
    {
      std::lock_guard lock(store.queue_mutex_);
      const auto n =
          static_cast<std::ptrdiff_t>(std::min(store.queue_.size(), kMaxGroup));
      group.assign(store.queue_.begin(), store.queue_.begin() + n);
      store.queue_.erase(store.queue_.begin(), store.queue_.begin() + n);
    }
    store.RunGroup(group);  // sets every outcome, after the COMMIT
    const bool mine_done =
        std::find(group.begin(), group.end(), &mine) != group.end();
    Pending* next = nullptr;
    {
      std::lock_guard lock(store.queue_mutex_);
      ++store.stats_.commits;
      store.stats_.calls += group.size();
      if (mine_done) {
        // Hand the lead to the first call queued meanwhile (it cannot be
        // taken by anyone else: leading_ stays true until it leads).
        if (!store.queue_.empty()) {
          next = store.queue_.front();
        } else {
          store.leading_ = false;
        }
      }
    }
    // The next leader first: it starts the next group on the connection
    // while the calls of this one are woken.
    if (next != nullptr) next->Wake(true);
    for (Pending* p : group) {
      if (p != &mine) p->Wake(false);
    }
    if (mine_done) return std::move(mine.outcome);
  }
}

// The reads' audit entries in one savepoint, sent without waiting
// (SqlConnection::Send): on PostgreSQL they travel with the group's COMMIT.
Status RegistryStore::Pending::SendAuditBatch(
    SqlConnection& db, RegistryTx& tx, const std::vector<Pending*>& audits) {
  OPENMYNA_RETURN_IF_ERROR(db.ExecuteScript("SAVEPOINT registry_audit"));
  if (db.dialect() == Dialect::kPostgres) {
    std::vector<const AuditEntry*> entries;
    for (const Pending* p : audits) {
      for (const AuditEntry& e : *p->audit) entries.push_back(&e);
    }
    OPENMYNA_RETURN_IF_ERROR(InsertAuditRows(db, entries));
  } else {
    // SQLite runs in this process: a statement per entry costs no round
    // trip, only the savepoints per call are saved.
    for (const Pending* p : audits) OPENMYNA_RETURN_IF_ERROR(p->Run(tx));
  }
  return db.ExecuteScript("RELEASE SAVEPOINT registry_audit");
}

Status RegistryStore::Transact(const std::function<Status(RegistryTx&)>& fn) {
  Pending mine;
  mine.fn = &fn;
  return Pending::Submit(*this, mine);
}

void RegistryStore::RunGroup(const std::vector<Pending*>& group) {
  std::lock_guard lock(mutex_);
  // BEGIN IMMEDIATE takes SQLite's write lock up front, so two processes on
  // one file never deadlock upgrading a read lock
  // (sqlite.org/lang_transaction).
  if (Status begin = db_->ExecuteScript(
          db_->dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      !begin) {
    for (Pending* p : group) p->outcome = begin;
    return;
  }
  RegistryTx tx(*db_);
  std::vector<Pending*> succeeded, audits;
  if (group.size() == 1 && group[0]->audit == nullptr) {
    // Alone: no savepoint needed, a refusal rolls the transaction back.
    Status status = group[0]->Run(tx);
    if (!status) {
      (void)db_->ExecuteScript("ROLLBACK");
      group[0]->outcome = std::move(status);
      return;
    }
    succeeded.push_back(group[0]);
  } else {
    for (Pending* p : group) {
      if (p->audit != nullptr) {
        audits.push_back(p);
      } else if (Status status = p->RunInSavepoint(*db_, tx); !status) {
        p->outcome = std::move(status);
      } else {
        succeeded.push_back(p);
      }
    }
  }
  // The audit entries of reads cannot be refused: they go last, all in one
  // batch sent with the COMMIT (one savepoint; on PostgreSQL one statement,
  // and one round trip for both). The calls of a group are concurrent (none
  // was acknowledged before the others were queued), so this order is as
  // serial as queue order. A failed batch leaves its savepoint (the COMMIT
  // after it was skipped, or not sent): nothing of it stays, and each
  // read's entries are written alone, so that only the failing one is
  // refused. A failed COMMIT leaves none (the batch's was released).
  Status commit =
      audits.empty() ? Ok() : Pending::SendAuditBatch(*db_, tx, audits);
  if (commit) commit = db_->ExecuteScript("COMMIT");
  if (!commit && !audits.empty() &&
      db_->ExecuteScript("ROLLBACK TO SAVEPOINT registry_audit")) {
    (void)db_->ExecuteScript("RELEASE SAVEPOINT registry_audit");
    for (Pending* p : audits) {
      if (Status status = p->RunInSavepoint(*db_, tx); !status) {
        p->outcome = std::move(status);
      } else {
        succeeded.push_back(p);
      }
    }
    commit = db_->ExecuteScript("COMMIT");
  } else {
    succeeded.insert(succeeded.end(), audits.begin(), audits.end());
  }
  if (!commit) {
    (void)db_->ExecuteScript("ROLLBACK");
    for (Pending* p : succeeded) {
      p->outcome = Fail(RegistryErrc::kStorage,
                        "commit failed: " + commit.error().message());
    }
    return;
  }
  for (Pending* p : succeeded) p->outcome = Ok();
}

Result<std::unique_ptr<SqlConnection>> RegistryStore::TakeReader() {
  {
    std::unique_lock lock(readers_mutex_);
    readers_cv_.wait(lock, [&] {
      return !idle_readers_.empty() || readers_open_ < max_readers_;
    });
    if (!idle_readers_.empty()) {
      auto reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
    ++readers_open_;  // a slot for the connection opened below
  }
  auto opened = [&]() -> Result<std::unique_ptr<SqlConnection>> {
    OPENMYNA_ASSIGN_OR_RETURN(auto reader, open_reader_());
    // Read-only for good: a write through a reader fails instead of racing
    // the writer (sqlite.org/pragma.html#pragma_query_only; PostgreSQL
    // default_transaction_read_only). SQLite readers without a memory map:
    // a WAL reader whose snapshot is older than the last commit unmaps its
    // whole map at its next read (pagerBeginReadTransaction) and faults the
    // pages in again, i.e. at every read beside a writer that commits each
    // audit entry; the writer keeps its map (docs/registry.md, session 12).
    OPENMYNA_RETURN_IF_ERROR(reader->ExecuteScript(
        reader->dialect() == Dialect::kSqlite
            ? "PRAGMA query_only = ON; PRAGMA mmap_size = 0"
            : "SET default_transaction_read_only = on"));
    return reader;
  }();
  if (!opened) GiveBackReader(nullptr);
  return opened;
}

void RegistryStore::GiveBackReader(std::unique_ptr<SqlConnection> reader) {
  {
    std::lock_guard lock(readers_mutex_);
    if (reader) {
      idle_readers_.push_back(std::move(reader));
    } else {
      --readers_open_;  // closed (failed): its slot is free again
    }
  }
  readers_cv_.notify_one();
}

namespace {

// A reader connection through which a ReadOneStatement callback runs: the
// first statement goes through, any further one fails instead of reading
// in another snapshot.
class OneStatement final : public SqlConnection {
 public:
  explicit OneStatement(SqlConnection& db) : db_(db) {}
  Dialect dialect() const override { return db_.dialect(); }
  Result<std::vector<SqlRow>> Query(
      std::string_view sql, const std::vector<SqlParam>& params) override {
    OPENMYNA_RETURN_IF_ERROR(Once());
    return db_.Query(sql, params);
  }
  Status ExecuteScript(std::string_view sql) override {
    OPENMYNA_RETURN_IF_ERROR(Once());
    return db_.ExecuteScript(sql);
  }
  std::int64_t ChangedRows() const override { return db_.ChangedRows(); }
  Result<std::uint64_t> CopyRows(std::string_view,
                                 const std::vector<std::string>&,
                                 const RowSource&) override {
    return Fail(RegistryErrc::kStorage, "a read copies no rows");
  }

 private:
  Status Once() {
    if (used_) {
      return Fail(RegistryErrc::kStorage,
                  "a one-statement read ran a second statement");
    }
    used_ = true;
    return Ok();
  }
  SqlConnection& db_;
  bool used_ = false;
};

}  // namespace

Status RegistryStore::Read(const std::function<Status(RegistryTx&)>& fn) {
  return ReadOn(false, fn);
}

Status RegistryStore::ReadOneStatement(
    const std::function<Status(RegistryTx&)>& fn) {
  return ReadOn(true, fn);
}

Status RegistryStore::ReadOn(bool one_statement,
                             const std::function<Status(RegistryTx&)>& fn) {
  if (!open_reader_) return Transact(fn);
  auto taken = TakeReader();
  if (!taken) {
    // No reader (e.g. the server's connection limit): the writer still
    // answers, in its queue.
    log::Get("registry")
        ->warn("no reader connection ({}); reading through the writer",
               taken.error().message());
    return Transact(fn);
  }
  auto reader = std::move(*taken);
  // SQLite: a deferred transaction takes its snapshot at the first read and
  // never the write lock (sqlite.org/wal.html "Concurrency"); PostgreSQL:
  // one snapshot for the whole transaction (REPEATABLE READ, docs
  // "Transaction Isolation").
  // One statement: no transaction around it (see ReadOneStatement).
  const bool sqlite = reader->dialect() == Dialect::kSqlite;
  std::vector<AuditEntry> audit;
  Status status = one_statement
                      ? Ok()
                      : reader->ExecuteScript(
                            sqlite ? "BEGIN DEFERRED"
                                   : "BEGIN ISOLATION LEVEL REPEATABLE READ "
                                     "READ ONLY");
  if (status) {
    OneStatement once(*reader);
    RegistryTx tx(one_statement ? once : *reader, &audit);
    try {
      status = fn(tx);
      // A write sent (and refused: the reader is read-only) is this read's
      // error, not a later use's.
      if (status) status = reader->Flush();
    } catch (const std::exception& e) {
      status =
          Fail(RegistryErrc::kStorage, std::string("read threw: ") + e.what());
    }
    // A read-only transaction has nothing to keep: ending it either way
    // releases the snapshot. Not waited for where the back end allows
    // (sql.h EndReadOnly): its answer is read at the reader's next use.
    if (!one_statement) {
      if (Status end = reader->EndReadOnly(status ? "COMMIT" : "ROLLBACK");
          !end && status) {
        status = std::move(end);
      }
    }
  }
  const bool healthy = status || !status.error().Is(RegistryErrc::kStorage);
  GiveBackReader(healthy ? std::move(reader) : nullptr);
  if (!status || audit.empty()) {
    std::lock_guard lock(queue_mutex_);
    ++stats_.reads;
    return status;
  }
  Pending entries;
  entries.audit = &audit;
  entries.counts_read = true;
  return Pending::Submit(*this, entries);
}

RegistryStore::GroupStats RegistryStore::group_stats() const {
  std::lock_guard lock(queue_mutex_);
  return stats_;
}

Status RegistryStore::WithConnection(
    const std::function<Status(SqlConnection&)>& fn) {
  std::lock_guard lock(mutex_);
  return fn(*db_);
}

}  // namespace openmyna::registry
