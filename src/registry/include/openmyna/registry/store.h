// RegistryStore: the registry's records on either back end of sql.h.
//
// All access goes through Transact(): the callback receives a RegistryTx that
// reads and writes inside one database transaction, committed when the
// callback returns success and rolled back otherwise (so a refused life event
// writes nothing). A committed transaction is durable (WAL + synchronous=FULL
// on SQLite, synchronous_commit=on on PostgreSQL) before Transact returns.
//
// Group commit (issue 13 item 1): concurrent Transact calls (the HTTP
// server's threads) are committed in groups. One caller at a time is the
// leader: it takes the calls queued so far (at most kMaxGroup), runs each in
// its own SAVEPOINT inside one transaction (a refusal rolls back to it),
// COMMITs once — one fsync on SQLite, one WAL flush on PostgreSQL — then
// wakes each caller of the group alone with its result and hands the lead
// to the first call queued meanwhile. The calls run one after the other in
// queue order, each seeing the writes of those before it (the outcome of
// running them serially); reads' audit entries go last, in one batch sent
// with the COMMIT (on PostgreSQL one round trip for both). If
// the COMMIT fails, every call of the group that had succeeded gets
// kStorage (nothing of the group is durable, nothing was acknowledged).
//
// Reads beside writes (issue 13 item 1): Read() runs a read-only callback on
// a reader connection of a small pool, in its own snapshot (SQLite WAL: a
// read transaction on another connection, which never takes the write lock;
// PostgreSQL: REPEATABLE READ READ ONLY), so a read never waits for a group
// being written or committed. It sees every call acknowledged before it
// started and nothing uncommitted. The audit entries a read appends are
// kept aside and queued after the snapshot ends: they join the next commit
// group, and Read() returns only once they are durable
// (an access is never answered unaudited).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/sql.h"

namespace openmyna::registry {

// Reads and writes inside one transaction. Put* insert or replace the whole
// record by its key; Insert* fail with kConflict when the key exists. Get*
// return std::nullopt when absent. Lists are ordered as stated.
class RegistryTx {
 public:
  explicit RegistryTx(SqlConnection& db) : db_(db) {}
  // A read transaction (RegistryStore::Read): AppendAudit adds the entry to
  // `deferred_audit` instead of writing it.
  RegistryTx(SqlConnection& db, std::vector<AuditEntry>* deferred_audit)
      : db_(db), deferred_audit_(deferred_audit) {}

  Status PutMunicipality(const Municipality& m);
  Result<std::optional<Municipality>> GetMunicipality(std::string_view code);
  Result<std::vector<Municipality>> ListMunicipalities();  // by code

  // kConflict when the id or the individual number is already registered.
  // Sent without waiting (SqlConnection::Send): on PostgreSQL the error may
  // come from the transaction's next statement instead (one round trip for
  // both); RegistryStore waits for it before a call ends, so it stays the
  // error of the call that inserted.
  Status InsertResident(const Resident& r);
  // kNotFound when absent.
  Status UpdateResident(const Resident& r);
  Result<std::optional<Resident>> GetResident(std::string_view id);
  Result<std::optional<Resident>> FindResidentByNumber(
      std::string_view individual_number);
  Result<std::int64_t> CountResidents();
  // Page through residents ordered by id, after `after_id` ("" = start).
  Result<std::vector<Resident>> ListResidents(std::string_view after_id,
                                              int limit);

  Status PutApplication(const Application& a);
  Result<std::optional<Application>> GetApplication(std::string_view id);
  Result<std::vector<Application>> ListApplications(
      std::string_view resident_id);  // by received_at, id

  Status PutCard(const Card& c);
  Result<std::optional<Card>> GetCard(std::string_view id);
  Result<std::vector<Card>> ListCards(std::string_view resident_id);  // by id
  // Cards in `state` whose expires_on <= `date` (ISO text compares as dates).
  Result<std::vector<Card>> ListCardsExpiringBy(CardState state,
                                                std::string_view date);

  // Cards with a pending presentation after a move whose last day
  // (present_by) is on or before `date`.
  Result<std::vector<Card>> ListCardsPresentBy(std::string_view date);

  Status PutCertificate(const Certificate& c);
  Result<std::optional<Certificate>> GetCertificate(std::string_view serial);
  Result<std::vector<Certificate>> ListCertificates(
      std::string_view card_id);  // by not_before, serial
  // Every certificate of a resident, on all their cards (by not_before,
  // serial; certificate_holder.cc).
  Result<std::vector<Certificate>> ListCertificatesOfResident(
      std::string_view resident_id);

  Status InsertFee(const Fee& f);
  Result<std::vector<Fee>> ListFees(std::string_view resident_id);

  Status InsertNotice(const Notice& n);
  Result<std::vector<Notice>> ListNotices(std::string_view resident_id);
  Result<bool> HasNotice(std::string_view card_id, NoticeKind kind);

  // Append-only audit trail (never updated or deleted). In a read
  // transaction the entry is written after the snapshot (see Read()).
  Status AppendAudit(const AuditEntry& e);
  Result<std::vector<AuditEntry>> ListAudit(
      std::string_view resident_id);  // in the order written

  SqlConnection& connection() { return db_; }

 private:
  SqlConnection& db_;
  std::vector<AuditEntry>* deferred_audit_ = nullptr;
};

class RegistryStore {
 public:
  // Opens one more connection to the same database (a reader of Read()).
  using ConnectionFactory =
      std::function<Result<std::unique_ptr<SqlConnection>>()>;

  // Takes ownership of an open connection (the writer). Call Migrate()
  // before use (Open does). Without `readers`, Read() runs on the writer
  // through Transact(). With it, up to `max_readers` reader connections are
  // opened as reads need them; the store makes each read-only (SQLite
  // PRAGMA query_only, PostgreSQL default_transaction_read_only).
  explicit RegistryStore(std::unique_ptr<SqlConnection> db,
                         ConnectionFactory readers = {},
                         std::size_t max_readers = kDefaultReaders);
  ~RegistryStore();

  // Opens `target` (OpenDatabase rules: a PostgreSQL URL or a SQLite path)
  // and applies pending migrations. Reads get up to `readers` reader
  // connections to the same target, 0 meaning the back end's default
  // (DefaultReaders); none for SQLite's ":memory:", which is one database
  // per connection.
  static Result<std::unique_ptr<RegistryStore>> Open(std::string_view target,
                                                     const Clock& clock,
                                                     std::size_t readers = 0);

  Dialect dialect() const { return db_->dialect(); }
  Result<std::vector<std::string>> Migrate(const Clock& clock);

  // Runs `fn` in one transaction (see the file comment). Errors from `fn`
  // are returned unchanged after the rollback; a failed COMMIT is kStorage.
  Status Transact(const std::function<Status(RegistryTx&)>& fn);

  // Runs `fn` in a read-only snapshot beside the writer (see the file
  // comment). `fn` may call the Get/List/Find/Count methods and AppendAudit;
  // any other write fails (kStorage: the connection is read-only). Errors
  // from `fn` are returned unchanged and its audit entries dropped; a failed
  // reader connection is closed, not reused.
  Status Read(const std::function<Status(RegistryTx&)>& fn);

  // Read() for a callback that runs one statement (one Get/List/Find/Count
  // or one connection().Query, besides AppendAudit): no transaction is
  // opened around it, the statement is its own (PostgreSQL: an implicit
  // transaction of one statement, whose snapshot is the statement's, docs
  // "Transaction Isolation"; SQLite: autocommit, sqlite.org/lang_transaction).
  // What it sees is as for Read(); it saves a reader's BEGIN and COMMIT (on
  // PostgreSQL two statements a backend parses and runs, and a second
  // wake-up of it per read: issue 13). A second statement fails (kStorage)
  // instead of reading another snapshot; the read is then refused.
  Status ReadOneStatement(const std::function<Status(RegistryTx&)>& fn);

  // Runs `fn` on the connection outside any transaction, serialised with
  // Transact (connection settings for a bulk import: SQLite PRAGMAs,
  // index drop/rebuild). `fn` must leave no transaction open.
  Status WithConnection(const std::function<Status(SqlConnection&)>& fn);

  // The most calls committed by one COMMIT.
  static constexpr std::size_t kMaxGroup = 256;
  // Reader connections by default (the constructor's).
  static constexpr std::size_t kDefaultReaders = 4;
  // Open's default for a back end (store.cc says why each).
  static std::size_t DefaultReaders(Dialect dialect);

  struct GroupStats {
    std::uint64_t calls = 0;    // Transact calls committed or refused
    std::uint64_t commits = 0;  // COMMITs (groups)
    std::uint64_t reads = 0;    // Read calls run on a reader connection
  };
  GroupStats group_stats() const;

 private:
  struct Pending;
  void RunGroup(const std::vector<Pending*>& group);
  Status ReadOn(bool one_statement,
                const std::function<Status(RegistryTx&)>& fn);
  Result<std::unique_ptr<SqlConnection>> TakeReader();
  void GiveBackReader(std::unique_ptr<SqlConnection> reader);

  std::mutex mutex_;  // the connection
  std::unique_ptr<SqlConnection> db_;
  // The queue of calls waiting for a leader (group commit).
  // (Each waiting call has its own condition variable: store.cc, Pending.)
  mutable std::mutex queue_mutex_;
  std::vector<Pending*> queue_;
  bool leading_ = false;
  GroupStats stats_;
  // The reader pool: idle connections, and how many exist in all.
  ConnectionFactory open_reader_;
  std::size_t max_readers_;
  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_readers_;
  std::size_t readers_open_ = 0;
};

}  // namespace openmyna::registry

// OPENMYNA_RETURN_IF_ERROR for a Transact() call whose callback itself uses
// OPENMYNA_RETURN_IF_ERROR (a distinct variable name avoids -Wshadow).
#define OPENMYNA_REGISTRY_TRANSACT(expr)                                     \
  do {                                                                       \
    if (::openmyna::Status openmyna_tx_status_ = (expr);                     \
        !openmyna_tx_status_) {                                              \
      return ::openmyna::Unexpected(std::move(openmyna_tx_status_).error()); \
    }                                                                        \
  } while (false)
