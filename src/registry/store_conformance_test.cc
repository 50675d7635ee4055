// One conformance suite for both storage back ends (issue 5, item 3). Every
// test runs on SQLite and on PostgreSQL; the PostgreSQL half needs a server
// named by OPENMYNA_TEST_PG_URL (tests/pg/with-postgres.sh provides one) and
// is skipped without it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/konbini_mapping.h"
#include "openmyna/registry/migrations.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/platform_registrations.h"
#include "openmyna/registry/store.h"
#include "resident_file.h"
#include "testing/registry_fixture.h"
#include "testing_backend.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono_literals;
using testing::Chikuma;
using testing::UniqueName;

const FixedClock kClock(TimePoint(std::chrono::seconds(1764000000)));

// A write call that stays inside its callback, after inserting `r`, until
// Release(): its group is open and it holds the lead (what is queued
// meanwhile waits for the next group). The constructor returns once it is
// inside; Release() lets it commit and waits for its result.
class HeldWrite {
 public:
  HeldWrite(RegistryStore& store, Resident r) {
    writer_ = std::thread([this, &store, r = std::move(r)] {
      Status status = store.Transact([&](RegistryTx& tx) -> Status {
        OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
        std::unique_lock lock(m_);
        inside_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
        return Ok();
      });
      EXPECT_TRUE(status) << status.error();
    });
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return inside_; });
  }
  ~HeldWrite() { Release(); }
  HeldWrite(const HeldWrite&) = delete;
  HeldWrite& operator=(const HeldWrite&) = delete;

  void Release() {
    {
      std::lock_guard lock(m_);
      released_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool inside_ = false, released_ = false;
  std::thread writer_;
};

// Reads on up to 4 reader connections to the same database (Read()).
constexpr std::size_t kReaderConnections = 4;

class StoreConformance : public testing::StoreOnBackend {
 protected:
  void SetUp() override { OpenStore(kClock, kReaderConnections); }

  // The same database on new connections (as after a restart).
  std::unique_ptr<RegistryStore> Reopen() {
    auto store = backend_->OpenMigratedStore(kClock, kReaderConnections);
    EXPECT_TRUE(store) << store.error();
    return store ? std::move(*store) : nullptr;
  }

  static Resident Hanako(std::string id = "r-0001",
                         std::string number = "123456789018") {
    Resident r;
    r.id = std::move(id);
    r.individual_number = std::move(number);
    r.name = "番号 花子";
    r.former_surname = "旧姓";
    r.date_of_birth = "1990-04-01";
    r.sex = Sex::kFemale;
    r.address = "長野県千曲市大字杭瀬下84番地";
    r.registered_domicile = "長野県千曲市";
    r.municipality_code = "20218";
    return r;
  }

  Status Seed() {
    return store_->Transact([](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(Chikuma()));
      return tx.InsertResident(Hanako());
    });
  }
};

TEST_P(StoreConformance, MigrationsAreRecordedAndAppliedOnce) {
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  auto applied = AppliedMigrations(**db);
  ASSERT_TRUE(applied);
  ASSERT_EQ(applied->size(), BuiltInMigrations().size());
  EXPECT_EQ(applied->front(), "0001_initial.sql");
  auto again = Migrate(**db, kClock);
  ASSERT_TRUE(again) << again.error();
  EXPECT_TRUE(again->empty());
}

TEST_P(StoreConformance, FailedMigrationLeavesNothingBehind) {
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  const std::vector<Migration> broken = {
      {"9001_half.sql",
       "CREATE TABLE half_done (x TEXT); SELECT * FROM nope;"}};
  auto result = Migrate(**db, kClock, broken);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().Is(RegistryErrc::kMigration));
  auto applied = AppliedMigrations(**db);
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->size(), BuiltInMigrations().size());
  // The table created before the failing statement was rolled back.
  EXPECT_FALSE((*db)->Query("SELECT COUNT(*) FROM half_done"));
}

TEST_P(StoreConformance, ResidentRoundTripsEveryField) {
  ASSERT_TRUE(Seed());
  Resident foreign = Hanako("r-0002", "000000000019");
  foreign.name = "SMITH JOHN";
  foreign.registered_domicile = "";
  foreign.foreign = ForeignResidence{"技術・人文知識・国際業務",
                                     domain::ResidenceStatus::kMidToLongTerm,
                                     "2027-03-31", ""};
  foreign.adult_ward = true;
  foreign.legal_representative_id = "r-0001";
  foreign.delivery_address = "居所 1-2-3";
  ASSERT_TRUE(store_->Transact(
      [&](RegistryTx& tx) { return tx.InsertResident(foreign); }));
  std::optional<Resident> read;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(read, tx.GetResident("r-0002"));
    return Ok();
  }));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->individual_number, "000000000019");
  EXPECT_EQ(read->name, "SMITH JOHN");
  EXPECT_EQ(read->former_surname, "旧姓");
  EXPECT_EQ(read->date_of_birth, "1990-04-01");
  EXPECT_EQ(read->sex, Sex::kFemale);
  EXPECT_EQ(read->address, "長野県千曲市大字杭瀬下84番地");
  ASSERT_TRUE(read->foreign.has_value());
  EXPECT_EQ(read->foreign->status_of_residence, "技術・人文知識・国際業務");
  EXPECT_EQ(read->foreign->category, domain::ResidenceStatus::kMidToLongTerm);
  EXPECT_EQ(read->foreign->period_of_stay_ends, "2027-03-31");
  EXPECT_TRUE(read->adult_ward);
  EXPECT_EQ(read->legal_representative_id, "r-0001");
  EXPECT_EQ(read->delivery_address, "居所 1-2-3");
}

TEST_P(StoreConformance, FindsResidentByIndividualNumberOnly) {
  ASSERT_TRUE(Seed());
  std::optional<Resident> hit, miss;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(hit, tx.FindResidentByNumber("123456789018"));
    OPENMYNA_ASSIGN_OR_RETURN(miss, tx.FindResidentByNumber("123456789019"));
    return Ok();
  }));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, "r-0001");
  EXPECT_FALSE(miss);
}

TEST_P(StoreConformance, DuplicateIndividualNumberIsAConflict) {
  ASSERT_TRUE(Seed());
  Status status = store_->Transact([](RegistryTx& tx) {
    return tx.InsertResident(Hanako("r-0009", "123456789018"));
  });
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().Is(RegistryErrc::kConflict)) << status.error();
}

TEST_P(StoreConformance, FailedTransactionWritesNothing) {
  ASSERT_TRUE(Seed());
  Status status = store_->Transact([](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        tx.InsertResident(Hanako("r-0003", "111111111118")));
    return Fail(RegistryErrc::kRefused, "rule says no");
  });
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().Is(RegistryErrc::kRefused));
  std::int64_t count = -1;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(count, tx.CountResidents());
    return Ok();
  }));
  EXPECT_EQ(count, 1);
}

// PostgreSQL: each statement is parsed once per connection and then only
// bound and executed (server-side prepared statements, as the SQLite back
// end caches its own), also after a call the server refused (a unique
// violation aborts the transaction). Read from the server's own view
// pg_prepared_statements (PostgreSQL docs, "pg_prepared_statements").
TEST_P(StoreConformance, ServerPreparesEachStatementOnceAndReusesIt) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only";
  ASSERT_TRUE(Seed());
  Status refused = store_->Transact([](RegistryTx& tx) {
    return tx.InsertResident(Hanako("r-0009", "123456789018"));
  });
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(RegistryErrc::kConflict)) << refused.error();
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) {
    return tx.InsertResident(Hanako("r-0002", "111111111118"));
  }));
  std::vector<SqlRow> rows;
  ASSERT_TRUE(store_->WithConnection([&](SqlConnection& db) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        rows, db.Query("SELECT COUNT(*), SUM(generic_plans + custom_plans) "
                       "FROM pg_prepared_statements "
                       "WHERE statement LIKE 'INSERT INTO residents %'"));
    return Ok();
  }));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at(0).value_or(""), "1");  // prepared once
  EXPECT_EQ(rows[0].at(1).value_or(""), "3");  // and executed three times
}

// PostgreSQL: BEGIN, SAVEPOINT and RELEASE SAVEPOINT travel with the next
// statement (one round trip). A failure of one is reported by that
// statement, and the connection goes on working; the server still sees the
// statements in order (the row written after the savepoint is rolled back
// to it, the one before is kept).
TEST_P(StoreConformance, TransactionControlRidesWithTheNextStatement) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only";
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  SqlConnection& c = **db;
  // Outside a transaction block the server refuses a SAVEPOINT.
  ASSERT_TRUE(c.ExecuteScript("SAVEPOINT lonely"));
  auto refused = c.Query("SELECT 1");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("SAVEPOINT"), std::string::npos)
      << refused.error();
  auto fine = c.Query("SELECT 2");
  ASSERT_TRUE(fine) << fine.error();
  EXPECT_EQ(fine->at(0).at(0), "2");
  ASSERT_TRUE(c.ExecuteScript("CREATE TEMP TABLE t (k INTEGER)"));
  ASSERT_TRUE(c.ExecuteScript("BEGIN"));
  ASSERT_TRUE(c.Query("INSERT INTO t VALUES (1)"));
  ASSERT_TRUE(c.ExecuteScript("SAVEPOINT s"));
  ASSERT_TRUE(c.Query("INSERT INTO t VALUES (2)"));
  ASSERT_TRUE(c.ExecuteScript("ROLLBACK TO SAVEPOINT s"));
  ASSERT_TRUE(c.ExecuteScript("RELEASE SAVEPOINT s"));
  ASSERT_TRUE(c.ExecuteScript("COMMIT"));
  auto rows = c.Query("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).at(0), "1");
}

// SqlConnection::Send (both back ends): a statement sent without waiting is
// run in order before the next one, and its error comes back from the Send
// itself or from the next statement waited for (Query, Flush), never later;
// the connection goes on working. PostgreSQL: it reaches the server only
// with that next statement (another connection sees the row after Flush).
TEST_P(StoreConformance, SentStatementIsAnsweredByTheNextWaitedOne) {
  auto db = backend_->Connect();
  auto other = backend_->Connect();
  ASSERT_TRUE(db && other);
  SqlConnection& c = **db;
  ASSERT_TRUE(c.ExecuteScript("CREATE TABLE sent (k INTEGER PRIMARY KEY)"));
  auto count = [&] {
    auto rows = (*other)->Query("SELECT COUNT(*) FROM sent");
    EXPECT_TRUE(rows) << rows.error();
    return rows ? rows->at(0).at(0).value_or("") : "";
  };
  ASSERT_TRUE(c.Send("INSERT INTO sent (k) VALUES ($1)", {std::int64_t{1}}));
  if (GetParam() == Dialect::kPostgres) {
    EXPECT_EQ(count(), "0");
  }
  ASSERT_TRUE(c.Flush());
  EXPECT_EQ(count(), "1");
  // In a transaction: sent rows are seen by the next statement; a conflict
  // is answered by the Send or by the Query after it.
  ASSERT_TRUE(c.ExecuteScript("BEGIN"));
  ASSERT_TRUE(c.Send("INSERT INTO sent (k) VALUES ($1)", {std::int64_t{2}}));
  auto seen = c.Query("SELECT COUNT(*) FROM sent");
  ASSERT_TRUE(seen) << seen.error();
  EXPECT_EQ(seen->at(0).at(0), "2");
  Status twice = c.Send("INSERT INTO sent (k) VALUES ($1)", {std::int64_t{2}});
  if (twice) twice = c.Query("SELECT 1").transform([](auto) {});
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(RegistryErrc::kConflict)) << twice.error();
  ASSERT_TRUE(c.ExecuteScript("ROLLBACK"));
  // Flush answers for what was sent, and nothing is left for later.
  Status again = c.Send("INSERT INTO sent (k) VALUES ($1)", {std::int64_t{1}});
  if (again) again = c.Flush();
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().Is(RegistryErrc::kConflict)) << again.error();
  EXPECT_TRUE(c.Flush());
  auto rows = c.Query("SELECT k FROM sent ORDER BY k");
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).at(0), "1");
}

// A registration's insert is sent without waiting (RegistryTx::
// InsertResident): in a commit group its conflict is still the error of
// its own call, which the store answers before the call ends; the other
// calls of the group are committed.
TEST_P(StoreConformance, ASentInsertsConflictIsItsOwnCallsInAGroup) {
  ASSERT_TRUE(Seed());
  const auto before = store_->group_stats();
  Status taken = Ok(), fresh = Ok();
  {
    HeldWrite lead(*store_, Hanako("r-0002", "987654321010"));
    std::thread a([&] {  // r-0001's individual number again
      taken = store_->Transact([](RegistryTx& tx) {
        return tx.InsertResident(Hanako("r-0003", "123456789018"));
      });
    });
    std::thread b([&] {
      fresh = store_->Transact([](RegistryTx& tx) {
        return tx.InsertResident(Hanako("r-0004", "111111111118"));
      });
    });
    // Both queue behind the held group (the next group, most likely
    // together; the outcome asserted below holds either way).
    std::this_thread::sleep_for(300ms);
    lead.Release();
    a.join();
    b.join();
  }
  ASSERT_FALSE(taken);
  EXPECT_TRUE(taken.error().Is(RegistryErrc::kConflict)) << taken.error();
  EXPECT_TRUE(fresh) << fresh.error();
  std::printf("3 calls in %llu commits\n",
              static_cast<unsigned long long>(store_->group_stats().commits -
                                              before.commits));
  std::vector<SqlRow> rows;
  ASSERT_TRUE(backend_->Connect().and_then([&](auto other) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        rows, other->Query("SELECT id FROM residents ORDER BY id"));
    return Ok();
  }));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at(0), "r-0001");
  EXPECT_EQ(rows[1].at(0), "r-0002");
  EXPECT_EQ(rows[2].at(0), "r-0004");
}

// PostgreSQL: EndReadOnly sends the end of a read-only transaction without
// waiting for the answer; the next use of the connection reads it first and
// reports its error, and the connection goes on working. (COMMIT AND CHAIN
// outside a transaction block is an error, PostgreSQL docs "COMMIT".)
TEST_P(StoreConformance, EndOfAReadIsAnsweredAtTheConnectionsNextUse) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only";
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  SqlConnection& c = **db;
  ASSERT_TRUE(c.EndReadOnly("COMMIT AND CHAIN"));  // not waited for
  auto refused = c.Query("SELECT 1");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(RegistryErrc::kStorage)) << refused.error();
  EXPECT_NE(refused.error().message().find("AND CHAIN"), std::string::npos)
      << refused.error();
  auto fine = c.Query("SELECT 2");
  ASSERT_TRUE(fine) << fine.error();
  EXPECT_EQ(fine->at(0).at(0), "2");
  // A read-only transaction ended so, then a script and a write on the same
  // connection: each sees the state before it.
  ASSERT_TRUE(c.ExecuteScript("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  ASSERT_TRUE(c.Query("SELECT 3"));
  ASSERT_TRUE(c.EndReadOnly("COMMIT"));
  ASSERT_TRUE(
      c.ExecuteScript("CREATE TEMP TABLE t (k INTEGER); "
                      "INSERT INTO t VALUES (1);"));
  ASSERT_TRUE(c.EndReadOnly("ROLLBACK"));  // outside a block: a warning only
  auto rows = c.Query("SELECT k FROM t");
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).at(0), "1");
}

// PostgreSQL: a store on a new writer connection with one reader, whose
// backend's pid the factory writes to `*pid` (for pg_stat_activity).
std::unique_ptr<RegistryStore> StoreWithOneReader(testing::Backend& backend,
                                                  std::string* pid) {
  auto writer = backend.Connect();
  EXPECT_TRUE(writer) << writer.error();
  if (!writer) return nullptr;
  return std::make_unique<RegistryStore>(
      std::move(*writer),
      [&backend, pid]() -> Result<std::unique_ptr<SqlConnection>> {
        OPENMYNA_ASSIGN_OR_RETURN(auto c, backend.Connect());
        OPENMYNA_ASSIGN_OR_RETURN(auto rows,
                                  c->Query("SELECT pg_backend_pid()"));
        *pid = rows.at(0).at(0).value_or("");
        return c;
      },
      1);
}

// PostgreSQL: "state|backend_xmin|query" of backend `pid` as another
// connection sees it in pg_stat_activity, once the state is "idle" (polled
// for up to 5 s: the statistics are reported by the backend itself).
std::string IdleActivity(testing::Backend& backend, const std::string& pid) {
  auto monitor = backend.Connect();
  EXPECT_TRUE(monitor) << monitor.error();
  if (!monitor || pid.empty()) return "";
  std::string seen;
  for (int i = 0; i < 100 && !seen.starts_with("idle|"); ++i) {
    if (i > 0) std::this_thread::sleep_for(50ms);
    auto rows = (*monitor)->Query(
        "SELECT state || '|' || COALESCE(backend_xmin::text, '') || '|' || "
        "query FROM pg_stat_activity WHERE pid = $1",
        {std::int64_t{std::stoll(pid)}});
    EXPECT_TRUE(rows) << rows.error();
    if (!rows || rows->size() != 1) return "";
    seen = rows->at(0).at(0).value_or("");
  }
  return seen;
}

// PostgreSQL: once Read returns, its reader's transaction ends without a
// further use of the connection (no snapshot is held by an idle reader:
// pg_stat_activity, seen from another connection, shows it "idle" with no
// backend_xmin), and the next read on it sees what was written since. A
// one-statement read sends its statement alone, with no transaction control
// around it: the last statement the backend ran is the read's SELECT.
TEST_P(StoreConformance, AReaderHoldsNoSnapshotOnceTheReadReturned) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only";
  ASSERT_TRUE(Seed());
  std::string reader_pid;
  auto store = StoreWithOneReader(*backend_, &reader_pid);
  ASSERT_NE(store, nullptr);
  std::optional<Resident> seen;
  ASSERT_TRUE(store->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(seen, tx.GetResident("r-0001"));
    return Ok();
  }));
  ASSERT_TRUE(seen.has_value());
  ASSERT_FALSE(reader_pid.empty());
  EXPECT_TRUE(IdleActivity(*backend_, reader_pid).starts_with("idle||"));
  ASSERT_TRUE(store->Transact([](RegistryTx& tx) {
    return tx.InsertResident(Hanako("r-0002", "111111111118"));
  }));
  ASSERT_TRUE(store->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(seen, tx.GetResident("r-0002"));
    return Ok();
  }));
  EXPECT_TRUE(seen.has_value());
  seen.reset();
  ASSERT_TRUE(store->ReadOneStatement([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(seen, tx.GetResident("r-0001"));
    return Ok();
  }));
  EXPECT_TRUE(seen.has_value());
  EXPECT_EQ(IdleActivity(*backend_, reader_pid),
            "idle||SELECT doc FROM residents WHERE id = $1");
}

// A one-statement read (both back ends) does not wait for an open write
// group and sees only what is committed; its audit entry is durable when it
// returns; a second statement in it is refused, with its audit entry.
TEST_P(StoreConformance, AOneStatementReadIsAuditedAndRefusesASecond) {
  ASSERT_TRUE(Seed());
  std::optional<Resident> uncommitted;
  {
    HeldWrite writer(*store_, Hanako("r-0002", "987654321010"));
    ASSERT_TRUE(store_->ReadOneStatement([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(uncommitted, tx.GetResident("r-0002"));
      return Ok();
    }));
    EXPECT_FALSE(uncommitted.has_value());
  }
  auto audited = [&](std::string id) {
    AuditEntry e;
    e.id = std::move(id);
    e.resident_id = "r-0001";
    e.actor_id = "clerk-1";
    e.action = "resident.read";
    e.at = kClock.Now();
    return e;
  };
  ASSERT_TRUE(store_->ReadOneStatement([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(uncommitted, tx.GetResident("r-0002"));
    return tx.AppendAudit(audited("au-one"));
  }));
  EXPECT_TRUE(uncommitted.has_value());  // acknowledged: seen now
  Status twice = store_->ReadOneStatement([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(audited("au-two")));
    OPENMYNA_RETURN_IF_ERROR(tx.GetResident("r-0001").transform([](auto) {}));
    return tx.CountResidents().transform([](auto) {});
  });
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(RegistryErrc::kStorage)) << twice.error();
  // What another connection sees: the first read's entry only.
  std::vector<SqlRow> rows;
  ASSERT_TRUE(backend_->Connect().and_then([&](auto other) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        rows, other->Query("SELECT id FROM audit_log ORDER BY seq"));
    return Ok();
  }));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at(0), "au-one");
}

TEST_P(StoreConformance, UpdatingAnUnknownResidentIsNotFound) {
  ASSERT_TRUE(Seed());
  Status status = store_->Transact(
      [](RegistryTx& tx) { return tx.UpdateResident(Hanako("r-nope")); });
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().Is(RegistryErrc::kNotFound));
}

TEST_P(StoreConformance, ResidentNeedsAKnownMunicipality) {
  Resident r = Hanako();
  r.municipality_code = "99999";
  Status status =
      store_->Transact([&](RegistryTx& tx) { return tx.InsertResident(r); });
  EXPECT_FALSE(status);
}

TEST_P(StoreConformance, CardsAndCertificatesKeepTheirState) {
  ASSERT_TRUE(Seed());
  Card card;
  card.id = "c-1";
  card.resident_id = "r-0001";
  card.state = CardState::kActive;
  card.issued_on = "2025-11-24";
  card.expires_on = "2035-04-01";
  card.notes = {{"2026-01-05", "住所 長野県千曲市杭瀬下1"}};
  card.delivered_at = kClock.Now();
  Card old_card = card;
  old_card.id = "c-0";
  old_card.expires_on = "2026-02-01";
  Certificate cert;
  cert.serial = "0A1B";
  cert.card_id = "c-1";
  cert.resident_id = "r-0001";
  cert.type = CertificateType::kSignature;
  cert.not_before = kClock.Now();
  cert.not_after = kClock.Now() + 24h * 365 * 5;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(old_card));
    return tx.PutCertificate(cert);
  }));
  cert.revoked = true;
  cert.reason = RevocationReason::kCertificateHold;
  cert.revoked_at = kClock.Now() + 1h;
  card.state = CardState::kSuspended;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    return tx.PutCertificate(cert);
  }));

  std::vector<Certificate> certs;
  std::optional<Card> read;
  std::vector<Card> expiring, cards;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(certs, tx.ListCertificates("c-1"));
    OPENMYNA_ASSIGN_OR_RETURN(read, tx.GetCard("c-1"));
    OPENMYNA_ASSIGN_OR_RETURN(cards, tx.ListCards("r-0001"));
    OPENMYNA_ASSIGN_OR_RETURN(
        expiring, tx.ListCardsExpiringBy(CardState::kActive, "2026-02-01"));
    return Ok();
  }));
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_TRUE(certs[0].revoked);
  EXPECT_EQ(certs[0].reason, RevocationReason::kCertificateHold);
  EXPECT_EQ(certs[0].revoked_at, kClock.Now() + 1h);
  EXPECT_EQ(certs[0].not_after, cert.not_after);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->state, CardState::kSuspended);
  ASSERT_EQ(read->notes.size(), 1u);
  EXPECT_EQ(read->notes[0].text, "住所 長野県千曲市杭瀬下1");
  EXPECT_EQ(read->delivered_at, kClock.Now());
  EXPECT_EQ(cards.size(), 2u);
  // Only the active card expiring on or before the day is listed.
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(expiring[0].id, "c-0");
}

// Migration 0015: a resident's certificates across all their cards (the
// holder look-up and successor link, certificate_holder.h), oldest first;
// another resident's are not listed.
TEST_P(StoreConformance, ListsAResidentsCertificatesAcrossCards) {
  ASSERT_TRUE(Seed());
  Card first, second, other;
  first.id = "c-1";
  second.id = "c-2";
  other.id = "c-9";
  first.resident_id = second.resident_id = "r-0001";
  other.resident_id = "r-0002";
  first.expires_on = second.expires_on = other.expires_on = "2035-04-01";
  auto make = [](std::string serial, std::string card, std::string resident,
                 TimePoint at, CertificateType type) {
    Certificate c;
    c.serial = std::move(serial);
    c.card_id = std::move(card);
    c.resident_id = std::move(resident);
    c.type = type;
    c.not_before = at;
    c.not_after = at + 24h * 365 * 5;
    return c;
  };
  const TimePoint t = kClock.Now();
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        tx.InsertResident(Hanako("r-0002", "614106526000")));
    for (const Card& c : {first, second, other}) {
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(c));
    }
    OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(
        make("0c", "c-2", "r-0001", t + 48h, CertificateType::kSignature)));
    OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(
        make("0a", "c-1", "r-0001", t, CertificateType::kSignature)));
    OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(make(
        "0b", "c-1", "r-0001", t + 24h, CertificateType::kAuthentication)));
    return tx.PutCertificate(
        make("0f", "c-9", "r-0002", t + 1h, CertificateType::kSignature));
  }));
  std::vector<Certificate> mine, none;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(mine, tx.ListCertificatesOfResident("r-0001"));
    OPENMYNA_ASSIGN_OR_RETURN(none, tx.ListCertificatesOfResident("r-none"));
    return Ok();
  }));
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_EQ(mine[0].serial, "0a");
  EXPECT_EQ(mine[1].serial, "0b");
  EXPECT_EQ(mine[2].serial, "0c");
  EXPECT_EQ(mine[2].card_id, "c-2");
  EXPECT_EQ(mine[1].type, CertificateType::kAuthentication);
  EXPECT_TRUE(none.empty());
}

// Migration 0016: platform registrations, one per relying party and
// resident, found by resident and by the signature serial on file.
// The audited read's one statement gives what the List* calls give one by
// one: cards, fees and notices by id, applications by received_at,
// certificates card by card (each card's by not_before), none of another
// resident's; kNotFound for no resident.
TEST_P(StoreConformance, ResidentFileInOneStatementIsTheListsInTheirOrder) {
  ASSERT_TRUE(Seed());
  const TimePoint t = kClock.Now();
  auto card = [](std::string id, std::string resident) {
    Card c;
    c.id = std::move(id);
    c.resident_id = std::move(resident);
    c.expires_on = "2035-04-01";
    return c;
  };
  auto cert = [&](std::string serial, std::string card_id, TimePoint at) {
    Certificate c;
    c.serial = std::move(serial);
    c.card_id = std::move(card_id);
    c.resident_id = c.card_id == "c-9" ? "r-0002" : "r-0001";
    c.not_before = at;
    c.not_after = at + 24h * 365 * 5;
    return c;
  };
  auto application = [&](std::string id, std::string resident, TimePoint at) {
    Application a;
    a.id = std::move(id);
    a.resident_id = std::move(resident);
    a.received_at = at;
    return a;
  };
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        tx.InsertResident(Hanako("r-0002", "614106526000")));
    for (const Card& c : {card("c-2", "r-0001"), card("c-1", "r-0001"),
                          card("c-9", "r-0002")}) {
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(c));
    }
    for (const Certificate& c :
         {cert("0d", "c-2", t), cert("0b", "c-1", t + 48h),
          cert("0a", "c-1", t + 24h), cert("0e", "c-9", t)}) {
      OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(c));
    }
    for (const Application& a :
         {application("a-1", "r-0001", t + 1h), application("a-2", "r-0001", t),
          application("a-9", "r-0002", t)}) {
      OPENMYNA_RETURN_IF_ERROR(tx.PutApplication(a));
    }
    for (const char* id : {"f-2", "f-1"}) {
      OPENMYNA_RETURN_IF_ERROR(
          tx.InsertFee({id, "r-0001", "a-1", 1000, "reissue", t}));
    }
    OPENMYNA_RETURN_IF_ERROR(
        tx.InsertFee({"f-9", "r-0002", "a-9", 1000, "reissue", t}));
    for (const char* id : {"n-2", "n-1"}) {
      OPENMYNA_RETURN_IF_ERROR(tx.InsertNotice(
          {id, "r-0001", "c-1", NoticeKind::kRenewal, "renew", t}));
    }
    return tx.InsertNotice(
        {"n-9", "r-0002", "c-9", NoticeKind::kRenewal, "renew", t});
  }));
  ResidentFile file;
  std::vector<Certificate> listed;
  std::vector<Application> applications;
  Status missing = Ok();
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(file, internal::ReadResidentFile(tx, "r-0001"));
    for (const char* c : {"c-1", "c-2"}) {
      OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(c));
      listed.insert(listed.end(), certs.begin(), certs.end());
    }
    OPENMYNA_ASSIGN_OR_RETURN(applications, tx.ListApplications("r-0001"));
    missing = internal::ReadResidentFile(tx, "r-none").transform([](auto&&) {});
    return Ok();
  }));
  EXPECT_EQ(file.resident.individual_number, "123456789018");
  auto ids = [](const auto& list) {
    std::vector<std::string> out;
    for (const auto& x : list) {
      if constexpr (requires { x.serial; }) {
        out.push_back(x.serial);
      } else {
        out.push_back(x.id);
      }
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(file.cards), (V{"c-1", "c-2"}));
  EXPECT_EQ(ids(file.certificates), (V{"0a", "0b", "0d"}));
  EXPECT_EQ(ids(file.certificates), ids(listed));
  EXPECT_EQ(ids(file.applications), (V{"a-2", "a-1"}));
  EXPECT_EQ(ids(file.applications), ids(applications));
  EXPECT_EQ(ids(file.fees), (V{"f-1", "f-2"}));
  EXPECT_EQ(ids(file.notices), (V{"n-1", "n-2"}));
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().Is(RegistryErrc::kNotFound));
}

TEST_P(StoreConformance, PlatformRegistrationsAreOnePerRelyingParty) {
  ASSERT_TRUE(Seed());
  PlatformRegistration bank{"u-1", "platform-bank", "r-0001",
                            "0a",  kClock.Now(),    kClock.Now()};
  PlatformRegistration shop = bank;
  shop.id = "u-2";
  shop.relying_party = "platform-shop";
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(InsertPlatformRegistration(tx, bank));
    return InsertPlatformRegistration(tx, shop);
  }));
  PlatformRegistration twice = bank;
  twice.id = "u-3";
  auto again = store_->Transact([&](RegistryTx& tx) -> Status {
    return InsertPlatformRegistration(tx, twice);
  });
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().Is(RegistryErrc::kConflict));
  bank.signature_serial = "0c";
  bank.updated_at = kClock.Now() + 1h;
  std::optional<PlatformRegistration> by_resident, by_old, by_new, other;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(UpdatePlatformRegistration(tx, bank));
    OPENMYNA_ASSIGN_OR_RETURN(
        by_resident, FindPlatformRegistration(tx, "platform-bank", "r-0001"));
    OPENMYNA_ASSIGN_OR_RETURN(
        by_old, FindPlatformRegistrationBySerial(tx, "platform-bank", "0a"));
    OPENMYNA_ASSIGN_OR_RETURN(
        by_new, FindPlatformRegistrationBySerial(tx, "platform-bank", "0c"));
    OPENMYNA_ASSIGN_OR_RETURN(
        other, FindPlatformRegistrationBySerial(tx, "platform-shop", "0a"));
    return Ok();
  }));
  ASSERT_TRUE(by_resident);
  EXPECT_EQ(by_resident->id, "u-1");
  EXPECT_EQ(by_resident->signature_serial, "0c");
  EXPECT_EQ(by_resident->registered_at, kClock.Now());
  EXPECT_EQ(by_resident->updated_at, kClock.Now() + 1h);
  EXPECT_FALSE(by_old);
  ASSERT_TRUE(by_new);
  EXPECT_EQ(by_new->id, "u-1");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->id, "u-2");
  PlatformRegistration ghost = bank;
  ghost.id = "u-none";
  auto missing = store_->Transact([&](RegistryTx& tx) -> Status {
    return UpdatePlatformRegistration(tx, ghost);
  });
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().Is(RegistryErrc::kNotFound));
}

TEST_P(StoreConformance, AuditTrailIsPerResidentInTheOrderWritten) {
  ASSERT_TRUE(Seed());
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) {
    return tx.InsertResident(Hanako("r-0002", "000000000019"));
  }));
  // Same second, ids that sort the other way round: the order written wins.
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
    const TimePoint t = kClock.Now();
    OPENMYNA_RETURN_IF_ERROR(
        tx.AppendAudit({"a-9", "r-0001", "op-7", Role::kHotlineOperator,
                        "card.suspend", "lost", t}));
    return tx.AppendAudit({"a-2", "r-0002", "clerk-1", Role::kCounterClerk,
                           "resident.read", "check", t});
  }));
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) {
    return tx.AppendAudit({"a-1", "r-0001", "clerk-1", Role::kCounterClerk,
                           "card.lift_suspension", "found", kClock.Now()});
  }));
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(entries, tx.ListAudit("r-0001"));
    return Ok();
  }));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "card.suspend");
  EXPECT_EQ(entries[0].role, Role::kHotlineOperator);
  EXPECT_EQ(entries[0].reason, "lost");
  EXPECT_EQ(entries[0].at, kClock.Now());
  EXPECT_EQ(entries[1].action, "card.lift_suspension");
  EXPECT_EQ(entries[1].actor_id, "clerk-1");
}

// Every audit entry is written to audit_log and to each of its indexes; the
// trail's queries (a resident's entries in seq order, MAX(seq) for the next
// entry) need only (resident_id, seq), so that and the primary key are the
// only indexes left (0050).
TEST_P(StoreConformance, AuditLogKeepsOnlyItsKeyAndTheSequenceIndex) {
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  const bool sqlite = GetParam() == Dialect::kSqlite;
  auto names = (*db)->Query(
      sqlite ? "SELECT name FROM sqlite_master WHERE type = 'index' AND "
               "tbl_name = 'audit_log' ORDER BY name"
             : "SELECT indexname FROM pg_indexes WHERE schemaname = "
               "current_schema() AND tablename = 'audit_log' ORDER BY 1");
  ASSERT_TRUE(names) << names.error();
  std::vector<std::string> got;
  for (const SqlRow& row : *names) got.push_back(row.at(0).value_or(""));
  EXPECT_EQ(got,
            (sqlite ? std::vector<std::string>{"audit_log_by_resident_seq",
                                               "sqlite_autoindex_audit_log_1"}
                    : std::vector<std::string>{"audit_log_by_resident_seq",
                                               "audit_log_pkey"}));
  if (!sqlite) return;
  // sqlite.org/eqp.html: the trail is a search of that index, no sort.
  auto plan = (*db)->Query(
      "EXPLAIN QUERY PLAN SELECT doc FROM audit_log WHERE resident_id = $1 "
      "ORDER BY seq",
      {std::string("r-0001")});
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ(plan->at(0).at(3),
            "SEARCH audit_log USING INDEX audit_log_by_resident_seq "
            "(resident_id=?)");
}

TEST_P(StoreConformance, CommittedDataSurvivesReconnection) {
  ASSERT_TRUE(Seed());
  store_.reset();
  auto reopened = Reopen();
  ASSERT_NE(reopened, nullptr);
  std::optional<Resident> read;
  std::vector<Municipality> municipalities;
  ASSERT_TRUE(reopened->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(read, tx.GetResident("r-0001"));
    OPENMYNA_ASSIGN_OR_RETURN(municipalities, tx.ListMunicipalities());
    return Ok();
  }));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->name, "番号 花子");
  ASSERT_EQ(municipalities.size(), 1u);
  EXPECT_EQ(municipalities[0].name, "千曲市");
  EXPECT_EQ(municipalities[0].reissue_fee_with_certificates_yen, 1000);
}

TEST_P(StoreConformance, ListsResidentsInPages) {
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(Chikuma()));
    for (int i = 0; i < 5; ++i) {
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(
          Hanako("r-" + std::to_string(i), "00000000000" + std::to_string(i))));
    }
    return Ok();
  }));
  std::vector<Resident> first, second;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(first, tx.ListResidents("", 3));
    OPENMYNA_ASSIGN_OR_RETURN(second, tx.ListResidents(first.back().id, 3));
    return Ok();
  }));
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(first[0].id, "r-0");
  EXPECT_EQ(second[1].id, "r-4");
}

TEST_P(StoreConformance, NoticesAreFoundByCardAndKind) {
  ASSERT_TRUE(Seed());
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) {
    return tx.InsertNotice(
        {"n-1", "r-0001", "c-1", NoticeKind::kRenewal, "renew", kClock.Now()});
  }));
  bool renewal = false, void_notice = true;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(renewal,
                              tx.HasNotice("c-1", NoticeKind::kRenewal));
    OPENMYNA_ASSIGN_OR_RETURN(void_notice,
                              tx.HasNotice("c-1", NoticeKind::kCardVoid));
    return Ok();
  }));
  EXPECT_TRUE(renewal);
  EXPECT_FALSE(void_notice);
}

TEST_P(StoreConformance, CredentialsAreStoredHashedAndVerified) {
  DeterministicRng rng(7);
  auto created = CreateCredential(*store_, Role::kHotlineOperator, rng, kClock,
                                  /*iterations=*/1000);
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(created->secret.size(), 32u);
  auto good = VerifyCredential(*store_, created->id, created->secret);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, std::optional<Role>(Role::kHotlineOperator));
  std::string wrong = created->secret;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto bad = VerifyCredential(*store_, created->id, wrong);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->has_value());
  auto unknown = VerifyCredential(*store_, "clerk-nobody", created->secret);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
  {
    // While a write group is open, a check and a count still answer: they
    // read on a reader, not in the writer's queue (ReadOneStatement). Not
    // answered within 60 s of a held writer is taken as waiting for it.
    ASSERT_TRUE(Seed());
    HeldWrite writer(*store_, Hanako("r-0002", "987654321010"));
    auto check = std::async(std::launch::async, [&] {
      return std::pair(VerifyCredential(*store_, created->id, created->secret),
                       CountCredentials(*store_));
    });
    const bool answered = check.wait_for(60s) == std::future_status::ready;
    writer.Release();
    EXPECT_TRUE(answered) << "the credential check waited for the writer";
    auto [role, count] = check.get();
    ASSERT_TRUE(role) << role.error();
    EXPECT_EQ(*role, std::optional<Role>(Role::kHotlineOperator));
    EXPECT_EQ(count.value_or(-1), 1);
  }
  // The secret itself is nowhere in the table.
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  auto rows = (*db)->Query("SELECT doc FROM credentials");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).at(0)->find(created->secret), std::string::npos);
  EXPECT_FALSE(CreateCredential(*store_, Role::kResident, rng, kClock, 1000));
}

TEST_P(StoreConformance, SetupCredentialsAreMadeOnceAndWork) {
  DeterministicRng rng(11);
  const auto file = std::filesystem::temp_directory_path() /
                    UniqueName("om-credentials-") / "credentials.txt";
  std::filesystem::create_directories(file.parent_path());
  auto made = EnsureStaffCredentials(*store_, file, rng, kClock, 1000);
  ASSERT_TRUE(made) << made.error();
  EXPECT_TRUE(made->created);
  ASSERT_EQ(made->credentials.size(), 4u);
  auto text = ReadFileText(file);
  ASSERT_TRUE(text) << text.error();
  EXPECT_EQ(
      std::filesystem::status(file).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::set<Role> roles;
  for (const NewCredential& c : made->credentials) {
    roles.insert(c.role);
    // Each one shown in the file, and each verifies with its own role.
    EXPECT_NE(text->find(c.id + ":" + c.secret), std::string::npos) << c.id;
    auto role = VerifyCredential(*store_, c.id, c.secret);
    ASSERT_TRUE(role) << role.error();
    EXPECT_EQ(*role, std::optional<Role>(c.role));
  }
  EXPECT_EQ(roles, (std::set<Role>{Role::kCounterClerk, Role::kHotlineOperator,
                                   Role::kKiosk, Role::kPlatform}));
  // Again: nothing created, the file untouched.
  auto again = EnsureStaffCredentials(*store_, file, rng, kClock, 1000);
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(again->credentials.empty());
  EXPECT_EQ(ReadFileText(file).value_or(""), *text);
  EXPECT_EQ(CountCredentials(*store_).value_or(-1), 4);
  std::filesystem::remove_all(file.parent_path());
}

// The check digit of an individual number by the published formula
// (domain.md §2: weights 2..7, 2..6 from the right, 11 - sum mod 11, 0 when
// the remainder is 0 or 1), written here independently of domain/.
bool ValidNumber(const std::string& n) {
  if (n.size() != 12) return false;
  int sum = 0;
  for (int k = 1; k <= 11; ++k) {
    sum += (n[11 - k] - '0') * (k <= 6 ? k + 1 : k - 5);
  }
  const int check = sum % 11 <= 1 ? 0 : 11 - sum % 11;
  return n[11] - '0' == check;
}

TEST_P(StoreConformance, BulkLoadMakesFindableResidentsAndContinues) {
  ASSERT_TRUE(Seed());  // Hanako is not a generated resident: she stays
  std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
  BulkLoadOptions options;
  options.residents = 2'500;
  options.batch = 1'000;
  options.progress = [&](std::uint64_t done, std::uint64_t total,
                         std::uint64_t first) {
    EXPECT_EQ(first, 0u);
    progress.emplace_back(done, total);
  };
  auto first = BulkLoadResidents(*store_, options);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->existing, 0u);
  EXPECT_EQ(first->loaded, 2'500u);
  EXPECT_EQ(progress, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{
                          {1'000, 2'500}, {2'000, 2'500}, {2'500, 2'500}}));
  // More, then the same again: only the missing ones, then nothing.
  options.residents = 3'000;
  options.progress = nullptr;
  auto second = BulkLoadResidents(*store_, options);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->existing, 2'500u);
  EXPECT_EQ(second->loaded, 500u);
  auto third = BulkLoadResidents(*store_, options);
  ASSERT_TRUE(third) << third.error();
  EXPECT_EQ(third->loaded, 0u);

  std::set<std::string> numbers, names;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(std::int64_t count, tx.CountResidents());
    EXPECT_EQ(count, 3'001);
    for (std::uint64_t i : {0ull, 999ull, 1'000ull, 2'999ull}) {
      const std::string number = BulkResidentNumber(i);
      EXPECT_TRUE(ValidNumber(number)) << number;
      OPENMYNA_ASSIGN_OR_RETURN(auto found, tx.FindResidentByNumber(number));
      EXPECT_TRUE(found.has_value()) << i;
      if (!found) continue;
      EXPECT_EQ(found->id, BulkResidentId(i));
      EXPECT_EQ(found->municipality_code, "20218");
      EXPECT_TRUE(found->address.starts_with("長野県千曲市")) << found->address;
      EXPECT_EQ(found->date_of_birth.size(), 10u);
      OPENMYNA_ASSIGN_OR_RETURN(auto by_id, tx.GetResident(BulkResidentId(i)));
      EXPECT_TRUE(by_id.has_value());
      // The stored document is exactly the model's own JSON of the record.
      OPENMYNA_ASSIGN_OR_RETURN(
          auto doc,
          tx.connection().Query("SELECT doc FROM residents WHERE id = $1",
                                {BulkResidentId(i)}));
      EXPECT_EQ(doc.at(0).at(0).value_or(""), nlohmann::json(*found).dump());
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto all, tx.ListResidents("", 3'001));
    for (const Resident& r : all) {
      numbers.insert(r.individual_number);
      names.insert(r.name);
      EXPECT_TRUE(ValidNumber(r.individual_number)) << r.id;
    }
    return Ok();
  }));
  EXPECT_EQ(numbers.size(), 3'001u);  // all distinct
  EXPECT_GT(names.size(), 20u);       // varied
  // The secondary index is back after the load.
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  auto index = (*db)->Query(
      GetParam() == Dialect::kSqlite
          ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name = "
            "'residents_by_municipality'"
          : "SELECT indexname FROM pg_indexes WHERE indexname = "
            "'residents_by_municipality'");
  ASSERT_TRUE(index) << index.error();
  EXPECT_EQ(index->size(), 1u);
}

TEST_P(StoreConformance, BulkLoadRefusesAnUnknownMunicipality) {
  BulkLoadOptions options;
  options.residents = 10;
  options.municipality_code = "99999";
  auto loaded = BulkLoadResidents(*store_, options);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(loaded.error().Is(RegistryErrc::kNotFound)) << loaded.error();
}

// Group commit (issue 13 item 1): 16 threads x 25 calls at once, every third
// call refused after it wrote. The outcome is that of running them serially:
// every accepted resident is there after a reconnect, no refused one is, and
// no call got anything but its own result.
TEST_P(StoreConformance, ConcurrentCallsCommitInGroupsWithTheSerialOutcome) {
  ASSERT_TRUE(Seed());
  constexpr int kThreads = 16;
  constexpr int kCalls = 25;
  std::atomic<int> accepted{0}, refused{0}, other{0};
  auto number_of = [](int k) {
    char number[16];
    std::snprintf(number, sizeof number, "9%011d", k);
    return std::string(number);
  };
  const auto before = store_->group_stats();
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const int k = t * kCalls + i;
        Status status = store_->Transact([&](RegistryTx& tx) -> Status {
          OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(
              Hanako("c-" + std::to_string(k), number_of(k))));
          if (k % 3 == 0) return Fail(RegistryErrc::kRefused, "every third");
          return Ok();
        });
        if (status) {
          ++accepted;
        } else if (status.error().Is(RegistryErrc::kRefused)) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  constexpr int kTotal = kThreads * kCalls;
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(refused.load(), (kTotal + 2) / 3);
  EXPECT_EQ(accepted.load(), kTotal - refused.load());
  const auto after = store_->group_stats();
  EXPECT_EQ(after.calls - before.calls, static_cast<std::uint64_t>(kTotal));
  EXPECT_LE(after.commits - before.commits, after.calls - before.calls);
  std::printf("%d calls in %llu commits\n", kTotal,
              static_cast<unsigned long long>(after.commits - before.commits));
  store_.reset();
  auto again = Reopen();
  ASSERT_NE(again, nullptr);
  int present = 0, wrong = 0;
  ASSERT_TRUE(again->Transact([&](RegistryTx& tx) -> Status {
    for (int k = 0; k < kTotal; ++k) {
      OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.FindResidentByNumber(number_of(k)));
      if (r) ++present;
      if (r.has_value() == (k % 3 == 0)) ++wrong;
    }
    return Ok();
  }));
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(present, accepted.load());
}

// Reads beside writes (issue 13 item 1). Writers commit residents in pairs
// (one call, two rows; every fourth call writes one row and is refused) while
// readers count them in their snapshots: a reader never sees an odd count (a
// half call, a refused call), never sees the count go down, and always sees
// at least every pair acknowledged before its read began. At the end every
// acknowledged pair is there on a new connection.
TEST_P(StoreConformance, ReadsSeeOnlyCommittedStatesAndEveryAcknowledgedWrite) {
  ASSERT_TRUE(store_->Transact(
      [](RegistryTx& tx) { return tx.PutMunicipality(Chikuma()); }));
  constexpr int kWriters = 8;
  constexpr int kCalls = 30;
  constexpr int kReaders = 4;
  std::atomic<int> acknowledged{0}, writers_done{0};
  std::atomic<int> odd{0}, backwards{0}, missing{0}, failed{0}, reads{0};
  auto number_of = [](int k, int half) {
    char number[16];
    std::snprintf(number, sizeof number, "8%010d%d", k, half);
    return std::string(number);
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < kWriters; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const int k = t * kCalls + i;
        const bool refuse = k % 4 == 3;
        Status status = store_->Transact([&](RegistryTx& tx) -> Status {
          OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(
              Hanako("p-" + std::to_string(k) + "a", number_of(k, 0))));
          if (refuse) return Fail(RegistryErrc::kRefused, "refused");
          return tx.InsertResident(
              Hanako("p-" + std::to_string(k) + "b", number_of(k, 1)));
        });
        if (status) {
          ++acknowledged;
        } else if (!refuse) {
          ++failed;
        }
      }
      ++writers_done;
    });
  }
  for (int t = 0; t < kReaders; ++t) {
    pool.emplace_back([&] {
      std::int64_t last = 0;
      while (true) {
        const bool last_round = writers_done.load() == kWriters;
        const int acked_before = acknowledged.load();
        std::int64_t count = -1;
        Status status = store_->Read([&](RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(count, tx.CountResidents());
          return Ok();
        });
        if (!status) {
          ++failed;
          ADD_FAILURE() << status.error();
          return;
        }
        ++reads;
        if (count % 2 != 0) ++odd;
        if (count < last) ++backwards;
        if (count < 2 * acked_before) ++missing;
        last = count;
        if (last_round) return;
      }
    });
  }
  for (auto& thread : pool) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(odd.load(), 0);
  EXPECT_EQ(backwards.load(), 0);
  EXPECT_EQ(missing.load(), 0);
  EXPECT_GE(reads.load(), kReaders);
  EXPECT_EQ(acknowledged.load(), kWriters * kCalls - kWriters * kCalls / 4);
  EXPECT_GE(store_->group_stats().reads,
            static_cast<std::uint64_t>(reads.load()));
  store_.reset();
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  auto rows = (*db)->Query("SELECT COUNT(*) FROM residents");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->at(0).at(0), std::to_string(2 * acknowledged.load()));
}

// A read is answered while a write group is open (its transaction begun, a
// row written, not committed) and does not see that row. If reads waited
// for writes this test would never end (the writer waits for the read).
TEST_P(StoreConformance, ReadsDoNotWaitForAnOpenWriteGroup) {
  ASSERT_TRUE(Seed());
  HeldWrite writer(*store_, Hanako("r-0002", "987654321010"));
  std::int64_t count = -1;
  std::optional<Resident> uncommitted;
  Status read = store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(count, tx.CountResidents());
    OPENMYNA_ASSIGN_OR_RETURN(uncommitted, tx.GetResident("r-0002"));
    return Ok();
  });
  writer.Release();
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(count, 1);
  EXPECT_FALSE(uncommitted.has_value());
  // Once acknowledged, the next read sees it.
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(uncommitted, tx.GetResident("r-0002"));
    return Ok();
  }));
  EXPECT_TRUE(uncommitted.has_value());
}

// RegistryStore::Open gives reads as many reader connections as asked, and
// by default more on PostgreSQL (a read there waits on a backend) than on
// SQLite: `n` reads each stay in their snapshot until all `n` are in at
// once (or 300 ms passed); the most seen inside together is the count.
std::size_t ConcurrentReaders(RegistryStore& store, std::size_t n) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t inside = 0, most = 0;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      (void)store.Read([&](RegistryTx& tx) -> Status {
        OPENMYNA_RETURN_IF_ERROR(tx.CountResidents().transform([](auto) {}));
        std::unique_lock lock(m);
        most = std::max(most, ++inside);
        cv.notify_all();
        cv.wait_for(lock, std::chrono::milliseconds(300),
                    [&] { return inside == n; });
        // Held until every thread has seen the full count (if it came).
        cv.wait_for(lock, std::chrono::milliseconds(300),
                    [&] { return most == n; });
        --inside;
        return Ok();
      });
    });
  }
  for (auto& t : threads) t.join();
  return most;
}

TEST_P(StoreConformance, OpenGivesReadsTheReaderConnectionsAsked) {
  const std::string target = backend_->Target();
  auto two = RegistryStore::Open(target, kClock, 2);
  ASSERT_TRUE(two) << two.error();
  EXPECT_EQ(ConcurrentReaders(**two, 6), 2u);
  auto ten = RegistryStore::Open(target, kClock, 10);
  ASSERT_TRUE(ten) << ten.error();
  EXPECT_EQ(ConcurrentReaders(**ten, 10), 10u);
  auto by_default = RegistryStore::Open(target, kClock);
  ASSERT_TRUE(by_default) << by_default.error();
  const std::size_t expected = GetParam() == Dialect::kPostgres ? 8 : 4;
  EXPECT_EQ(ConcurrentReaders(**by_default, 20), expected);
}

// The audit entry of a read is written by a commit group after the snapshot
// and is durable when Read returns; a refused read leaves none; a read
// cannot write anything else.
TEST_P(StoreConformance, AuditOfAReadIsCommittedInAGroupAndWritesAreRefused) {
  ASSERT_TRUE(Seed());
  const auto before = store_->group_stats();
  auto entry_with = [](std::string id) {
    AuditEntry e;
    e.id = std::move(id);
    e.resident_id = "r-0001";
    e.actor_id = "clerk-1";
    e.action = "resident.read";
    e.reason = "counter";
    e.at = kClock.Now();
    return e;
  };
  const AuditEntry entry = entry_with("au-read-1");
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident("r-0001"));
    if (!r) return Fail(RegistryErrc::kNotFound, "seeded resident missing");
    return tx.AppendAudit(entry);
  }));
  Status refused = store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(entry_with("au-read-2")));
    return Fail(RegistryErrc::kRefused, "refused after reading");
  });
  EXPECT_TRUE(!refused && refused.error().Is(RegistryErrc::kRefused));
  Status write = store_->Read([](RegistryTx& tx) {
    return tx.InsertResident(Hanako("r-0003", "111111111118"));
  });
  EXPECT_TRUE(!write && write.error().Is(RegistryErrc::kStorage));
  const auto after = store_->group_stats();
  EXPECT_EQ(after.reads - before.reads, 3u);
  EXPECT_EQ(after.commits - before.commits, 1u);  // the one audit entry
  // Through another connection (not the store): exactly the one entry.
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  auto rows = (*db)->Query(
      "SELECT id FROM audit_log WHERE resident_id = 'r-0001' ORDER BY seq");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).at(0), "au-read-1");
  auto residents = (*db)->Query("SELECT COUNT(*) FROM residents");
  ASSERT_TRUE(residents);
  EXPECT_EQ(residents->at(0).at(0), "1");
}

// Many audited reads at once beside writers: every read is answered, each
// of its audit entries (written by a commit group after the snapshot) is
// there on a new connection with its own sequence number, every
// acknowledged write too, and no call took two commits.
TEST_P(StoreConformance, ConcurrentAuditedReadsAreAllDurable) {
  ASSERT_TRUE(Seed());
  constexpr int kReaders = 12, kReads = 20, kWriters = 2, kWrites = 10;
  std::atomic<int> failed{0};
  const auto before = store_->group_stats();
  std::vector<std::thread> pool;
  for (int t = 0; t < kReaders; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < kReads; ++i) {
        AuditEntry e;
        e.id = "au-c-" + std::to_string(t) + "-" + std::to_string(i);
        e.resident_id = "r-0001";
        e.actor_id = "clerk-1";
        e.action = "resident.read";
        e.reason = "concurrent";
        e.at = kClock.Now();
        Status read = store_->Read([&](RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident("r-0001"));
          if (!r) return Fail(RegistryErrc::kNotFound, "seeded resident gone");
          return tx.AppendAudit(e);
        });
        if (!read) ++failed;
      }
    });
  }
  for (int t = 0; t < kWriters; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        char number[16];
        std::snprintf(number, sizeof number, "8%011d", t * kWrites + i);
        Status write = store_->Transact([&](RegistryTx& tx) {
          return tx.InsertResident(Hanako(
              "w-" + std::to_string(t) + "-" + std::to_string(i), number));
        });
        if (!write) ++failed;
      }
    });
  }
  for (auto& thread : pool) thread.join();
  EXPECT_EQ(failed.load(), 0);
  const auto after = store_->group_stats();
  EXPECT_EQ(after.reads - before.reads,
            static_cast<std::uint64_t>(kReaders * kReads));
  EXPECT_EQ(after.calls - before.calls,
            static_cast<std::uint64_t>(kReaders * kReads + kWriters * kWrites));
  EXPECT_LE(after.commits - before.commits, after.calls - before.calls);
  std::printf("%llu calls in %llu commits\n",
              static_cast<unsigned long long>(after.calls - before.calls),
              static_cast<unsigned long long>(after.commits - before.commits));
  store_.reset();
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  auto audit = (*db)->Query(
      "SELECT COUNT(*), COUNT(DISTINCT seq) FROM audit_log WHERE "
      "resident_id = 'r-0001' AND id LIKE 'au-c-%'");
  ASSERT_TRUE(audit);
  EXPECT_EQ(audit->at(0).at(0), std::to_string(kReaders * kReads));
  EXPECT_EQ(audit->at(0).at(1), std::to_string(kReaders * kReads));
  // Numbered one after another, with no gap, though many were written by
  // one statement (a batch per group).
  auto seq = (*db)->Query(
      "SELECT COUNT(*), MIN(seq), MAX(seq) FROM audit_log WHERE "
      "resident_id = 'r-0001'");
  ASSERT_TRUE(seq);
  EXPECT_EQ(seq->at(0).at(1), "1");
  EXPECT_EQ(seq->at(0).at(2), seq->at(0).at(0));
  auto written =
      (*db)->Query("SELECT COUNT(*) FROM residents WHERE id LIKE 'w-%'");
  ASSERT_TRUE(written);
  EXPECT_EQ(written->at(0).at(0), std::to_string(kWriters * kWrites));
}

// The audit entries of the reads of one group are written in one batch
// (text with quotes, backslashes, braces and commas comes back as written).
// If one of them cannot be written (here an entry id already taken), only
// that read is refused; the others' entries are durable, numbered in order.
// The reads are made to share one group: a write holds the lead until every
// read is queued (GroupStats::reads counts a read as it is queued).
TEST_P(StoreConformance, AReadWhoseAuditEntryFailsIsRefusedAloneInItsGroup) {
  ASSERT_TRUE(Seed());
  const std::string reason = R"(batch "quoted" \ {braced,} 日本)";
  constexpr int kReads = 6;
  // Runs one audited read per id, all in one group; their results.
  auto in_one_group = [&](const std::vector<std::string>& ids,
                          std::string writer_number) {
    const auto before = store_->group_stats();
    HeldWrite writer(*store_, Hanako("r-" + writer_number, writer_number));
    std::vector<Status> results(ids.size(), Ok());
    std::vector<std::thread> readers;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      readers.emplace_back([&, i] {
        AuditEntry e;
        e.id = ids[i];
        e.resident_id = "r-0001";
        e.actor_id = "clerk-1";
        e.action = "resident.read";
        e.reason = reason;
        e.at = kClock.Now();
        results[i] = store_->Read([&](RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident("r-0001"));
          if (!r) return Fail(RegistryErrc::kNotFound, "seeded resident gone");
          return tx.AppendAudit(e);
        });
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (store_->group_stats().reads < before.reads + ids.size() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(store_->group_stats().reads, before.reads + ids.size());
    writer.Release();
    for (auto& thread : readers) thread.join();
    const auto after = store_->group_stats();
    EXPECT_EQ(after.calls - before.calls, ids.size() + 1);
    EXPECT_EQ(after.commits - before.commits, 2u);  // the write, the reads
    return results;
  };
  std::vector<std::string> first, second;
  for (int i = 0; i < kReads; ++i) {
    first.push_back("au-a-" + std::to_string(i));
    second.push_back(i == 3 ? "au-a-3" : "au-b-" + std::to_string(i));
  }
  for (const Status& status : in_one_group(first, "987654321010")) {
    EXPECT_TRUE(status) << status.error();
  }
  const std::vector<Status> results = in_one_group(second, "111111111118");
  for (int i = 0; i < kReads; ++i) {
    if (i == 3) {
      EXPECT_TRUE(!results[i] && results[i].error().Is(RegistryErrc::kConflict))
          << (results[i] ? std::string("accepted")
                         : results[i].error().message());
    } else {
      EXPECT_TRUE(results[i]) << results[i].error();
    }
  }
  std::vector<AuditEntry> trail;
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(trail, tx.ListAudit("r-0001"));
    return Ok();
  }));
  ASSERT_EQ(trail.size(), 2u * kReads - 1);
  for (const AuditEntry& e : trail) EXPECT_EQ(e.reason, reason) << e.id;
  // What another process sees: each entry once, numbered 1, 2, … in the
  // order of the groups.
  std::vector<SqlRow> rows;
  ASSERT_TRUE(backend_->Connect().and_then([&](auto other) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        rows, other->Query("SELECT id, seq FROM audit_log WHERE "
                           "resident_id = 'r-0001' ORDER BY seq"));
    return Ok();
  }));
  ASSERT_EQ(rows.size(), 2u * kReads - 1);
  std::set<std::string> ids_first, ids_second;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    (i < kReads ? ids_first : ids_second).insert(rows[i].at(0).value_or(""));
    EXPECT_EQ(rows[i].at(1), std::to_string(i + 1));
  }
  EXPECT_EQ(ids_first, std::set<std::string>(first.begin(), first.end()));
  EXPECT_EQ(ids_second, (std::set<std::string>{"au-b-0", "au-b-1", "au-b-2",
                                               "au-b-4", "au-b-5"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, testing::BothBackends(),
                         testing::BackendName);

TEST(SqliteStorage, FilesArePrivateAndJournalIsWal) {
  const auto dir =
      std::filesystem::temp_directory_path() / UniqueName("om-perm-");
  std::filesystem::create_directories(dir);
  {
    auto db = OpenSqlite(dir / "r.db");
    ASSERT_TRUE(db);
    auto mode = (*db)->Query("PRAGMA journal_mode");
    ASSERT_TRUE(mode);
    EXPECT_EQ(mode->at(0).at(0), "wal");
    auto sync = (*db)->Query("PRAGMA synchronous");
    ASSERT_TRUE(sync);
    EXPECT_EQ(sync->at(0).at(0), "2");  // FULL (sqlite.org/pragma.html)
  }
  const auto perms = std::filesystem::status(dir / "r.db").permissions();
  EXPECT_EQ(
      perms & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

// A commit group runs each call in a SAVEPOINT, whose statement journal
// keeps the pages the call changes. SQLite spills it past 64 KiB into a
// temporary file (unlinked, held open) unless temp_store is MEMORY
// (sqlite.org/tempfiles.html §2.5): personal data must not go there, nor a
// file be made and deleted in every group.
TEST(SqliteStorage, SavepointJournalsStayInMemory) {
  const auto dir =
      std::filesystem::temp_directory_path() / UniqueName("om-tmp-");
  const auto tmp = dir / "tmp";
  std::filesystem::create_directories(tmp);
  ASSERT_EQ(::setenv("SQLITE_TMPDIR", tmp.c_str(), 1), 0);
  {
    auto db = OpenSqlite(dir / "r.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->ExecuteScript(
        "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); BEGIN"));
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE((*db)->Query("INSERT INTO t (v) VALUES ($1)",
                               {std::string(500, 'x')}));
    }
    ASSERT_TRUE((*db)->ExecuteScript("COMMIT; BEGIN IMMEDIATE; SAVEPOINT s"));
    // About 1 MB of pages changed inside the savepoint.
    ASSERT_TRUE((*db)->Query("UPDATE t SET v = $1", {std::string(500, 'y')}));
    int open_in_tmp = 0;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      const auto target = std::filesystem::read_symlink(fd.path(), ec);
      if (!ec && target.string().starts_with(tmp.string())) ++open_in_tmp;
    }
    EXPECT_EQ(open_in_tmp, 0);
    ASSERT_TRUE((*db)->ExecuteScript("RELEASE SAVEPOINT s; COMMIT"));
    auto count = (*db)->Query("SELECT COUNT(*) FROM t WHERE v = $1",
                              {std::string(500, 'y')});
    ASSERT_TRUE(count);
    EXPECT_EQ(count->at(0).at(0), "2000");
  }
  ::unsetenv("SQLITE_TMPDIR");
  std::filesystem::remove_all(dir);
}

// The store's SQLite reader connections run without a memory map, its
// writer with one (PRAGMA mmap_size reads the connection's limit in bytes,
// sqlite.org/pragma.html#pragma_mmap_size): beside a writer SQLite unmaps
// a WAL reader's map at every read after a commit (docs/registry.md).
TEST(SqliteStorage, ReadersRunWithoutAMemoryMapTheWriterWithOne) {
  const auto dir =
      std::filesystem::temp_directory_path() / UniqueName("om-mmap-");
  std::filesystem::create_directories(dir);
  {
    auto store = RegistryStore::Open((dir / "r.db").string(), kClock);
    ASSERT_TRUE(store) << store.error();
    auto limit = [](RegistryTx& tx, std::string& out) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto rows,
                                tx.connection().Query("PRAGMA mmap_size"));
      out = rows.at(0).at(0).value_or("");
      return Ok();
    };
    std::string reader, writer;
    ASSERT_TRUE(
        (*store)->Read([&](RegistryTx& tx) { return limit(tx, reader); }));
    ASSERT_TRUE(
        (*store)->Transact([&](RegistryTx& tx) { return limit(tx, writer); }));
    EXPECT_EQ(reader, "0");
    EXPECT_EQ(writer, "1073741824");
  }
  std::filesystem::remove_all(dir);
}

TEST(SqlPlaceholders, RewritesOnlyOutsideQuotes) {
  EXPECT_EQ(RewritePlaceholdersForSqlite("SELECT $1, '$2', \"$3\", $10"),
            "SELECT ?1, '$2', \"$3\", ?10");
}

// The konbini centre's dated mappings (konbini_mapping.h): added, read,
// replaced (ON CONFLICT ... DO UPDATE on both back ends), absent.
TEST_P(StoreConformance, KonbiniMappingIsAddedReplacedAndRead) {
  const KonbiniMapping first{"0a1b2c", "2026-01-04", "sample card"};
  const KonbiniMapping second{"0a1b2c", "2026-01-09", "held back"};
  for (const KonbiniMapping& m : {first, second}) {
    ASSERT_TRUE(store_->Transact(
        [&](RegistryTx& tx) -> Status { return PutKonbiniMapping(tx, m); }));
    std::optional<KonbiniMapping> read, absent;
    ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(read, GetKonbiniMapping(tx, "0a1b2c"));
      OPENMYNA_ASSIGN_OR_RETURN(absent, GetKonbiniMapping(tx, "ffff"));
      return Ok();
    }));
    ASSERT_TRUE(read);
    EXPECT_EQ(read->usable_from, m.usable_from);
    EXPECT_EQ(read->reason, m.reason);
    EXPECT_FALSE(absent);
  }
}

// The konbini ledger's void mark (konbini_ledger.h, migration 0033): a row
// is voided once, only under its own request ids and municipality, for a
// known reason, and reads back void (doc and column) with its fee kept.
TEST_P(StoreConformance, KonbiniIssuanceIsVoidedOnceUnderItsOwnIds) {
  ASSERT_TRUE(Seed());
  const KonbiniIssuance row{"iss-1", "req-1",  "20218-1",
                            "20218", "r-0001", "juminhyo",
                            2,       500,      kClock.Now()};
  ASSERT_TRUE(store_->Transact(
      [&](RegistryTx& tx) { return RecordKonbiniIssuance(tx, row); }));
  const TimePoint later = kClock.Now() + 200s;
  const auto mark = [&](std::string code, std::string request,
                        std::string issuer, std::string reason) {
    return store_->Transact([&](RegistryTx& tx) -> Status {
      return VoidKonbiniIssuance(tx, code, request, issuer, reason, later);
    });
  };
  const struct {
    std::string code, request, issuer, reason;
    RegistryErrc want;
  } refused[] = {
      {"20218", "req-1", "iss-2", "cancelled", RegistryErrc::kNotFound},
      {"13221", "req-1", "iss-1", "cancelled", RegistryErrc::kNotFound},
      {"20218", "req-9", "iss-1", "cancelled", RegistryErrc::kNotFound},
      {"20218", "req-1", "iss-1", "printed", RegistryErrc::kInvalidInput},
  };
  for (const auto& r : refused) {
    Status s = mark(r.code, r.request, r.issuer, r.reason);
    ASSERT_FALSE(s) << r.request << " " << r.issuer << " " << r.reason;
    EXPECT_TRUE(s.error().Is(r.want)) << s.error();
  }
  ASSERT_TRUE(mark("20218", "req-1", "iss-1", "timed_out"));
  Status again = mark("20218", "req-1", "iss-1", "cancelled");
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().Is(RegistryErrc::kConflict)) << again.error();

  std::optional<KonbiniIssuance> found;
  std::vector<KonbiniIssuance> listed;
  std::vector<SqlRow> column;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(found, FindKonbiniIssuance(tx, "req-1"));
    OPENMYNA_ASSIGN_OR_RETURN(listed, ListKonbiniIssuances(tx, "20218"));
    OPENMYNA_ASSIGN_OR_RETURN(
        column, tx.connection().Query("SELECT voided_at FROM "
                                      "konbini_issuances WHERE request_id = $1",
                                      {std::string("req-1")}));
    return Ok();
  }));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->voided_at);
  EXPECT_EQ(*found->voided_at, later);
  EXPECT_EQ(found->void_reason, "timed_out");
  EXPECT_EQ(found->copies, 2);
  EXPECT_EQ(found->fee_yen, 500);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].voided_at, found->voided_at);
  ASSERT_EQ(column.size(), 1u);
  EXPECT_EQ(column[0][0],
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                               later.time_since_epoch())
                               .count()));
}

// The print confirmation and the sweep (konbini_ledger.h, migration 0034):
// a row confirmed printed stands through the sweep; a row neither printed
// nor void is voided (unconfirmed) only once its print_by has passed, and
// can then not be confirmed; the columns the sweep's index reads are set.
TEST_P(StoreConformance, KonbiniIssuanceIsConfirmedPrintedOrSweptVoid) {
  ASSERT_TRUE(Seed());
  const TimePoint at = kClock.Now();
  const TimePoint print_by = at + 180s;
  for (const char* id : {"1", "2", "3"}) {
    KonbiniIssuance row{std::string("iss-") + id,
                        std::string("req-") + id,
                        "20218-1",
                        "20218",
                        "r-0001",
                        "inkan",
                        1,
                        300,
                        at};
    row.print_by = print_by;
    row.residents = {"r-0001"};
    ASSERT_TRUE(store_->Transact(
        [&](RegistryTx& tx) { return RecordKonbiniIssuance(tx, row); }));
  }
  const auto printed = [&](std::string request, std::string issuer,
                           TimePoint when) {
    return store_->Transact([&](RegistryTx& tx) -> Status {
      return MarkKonbiniIssuancePrinted(tx, "20218", request, issuer, when);
    });
  };
  const auto sweep = [&](TimePoint when) {
    std::vector<KonbiniIssuance> voided;
    EXPECT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(
          voided, VoidUnprintedKonbiniIssuances(tx, "20218", when));
      return Ok();
    }));
    return voided;
  };
  ASSERT_TRUE(printed("req-1", "iss-1", at + 20s));
  ASSERT_TRUE(printed("req-1", "iss-1", at + 30s)) << "a repeat is Ok";
  Status wrong = printed("req-2", "iss-1", at + 20s);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().Is(RegistryErrc::kNotFound)) << wrong.error();
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    return VoidKonbiniIssuance(tx, "20218", "req-3", "iss-3", "cancelled",
                               at + 10s);
  }));
  EXPECT_TRUE(sweep(print_by).empty()) << "not before print_by has passed";
  auto voided = sweep(print_by + 1s);
  ASSERT_EQ(voided.size(), 1u);
  EXPECT_EQ(voided[0].request_id, "req-2");
  EXPECT_EQ(voided[0].void_reason, "unconfirmed");
  EXPECT_TRUE(sweep(print_by + 2s).empty()) << "once";
  Status late = printed("req-2", "iss-2", print_by + 3s);
  ASSERT_FALSE(late);
  EXPECT_TRUE(late.error().Is(RegistryErrc::kConflict)) << late.error();

  std::vector<KonbiniIssuance> listed;
  std::vector<SqlRow> columns;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(listed, ListKonbiniIssuances(tx, "20218"));
    OPENMYNA_ASSIGN_OR_RETURN(
        columns, tx.connection().Query(
                     "SELECT request_id, printed_at, voided_at, print_by FROM "
                     "konbini_issuances ORDER BY request_id"));
    return Ok();
  }));
  const auto seconds = [](TimePoint t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
            .count());
  };
  ASSERT_EQ(listed.size(), 3u);
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[0][1], seconds(at + 20s));  // req-1 printed, stands
  EXPECT_EQ(columns[0][2], std::nullopt);
  EXPECT_EQ(columns[1][1], std::nullopt);  // req-2 swept
  EXPECT_EQ(columns[1][2], seconds(print_by + 1s));
  EXPECT_EQ(columns[2][1], std::nullopt);  // req-3 cancelled
  EXPECT_EQ(columns[2][2], seconds(at + 10s));
  for (const SqlRow& row : columns) EXPECT_EQ(row[3], seconds(print_by));
  // The residents the document carried, kept with the row (migration 0035).
  std::vector<std::string> residents, none;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(residents, KonbiniIssuanceResidents(tx, "req-2"));
    OPENMYNA_ASSIGN_OR_RETURN(none, KonbiniIssuanceResidents(tx, "req-9"));
    return Ok();
  }));
  EXPECT_EQ(residents, std::vector<std::string>{"r-0001"});
  EXPECT_TRUE(none.empty());
  for (const KonbiniIssuance& row : listed) {
    EXPECT_EQ(row.printed_at.has_value(), row.request_id == "req-1");
    EXPECT_EQ(row.voided_at.has_value(), row.request_id != "req-1");
  }
}

// Migration 0035 fills konbini_issuance_residents for rows written before
// it from their konbini.issue audit entries: run again here (its own SQL,
// on a table dropped for the purpose), it finds the requester and the
// member whose trails name the row's request id, not a void entry's
// resident nor the entry of another request whose id starts the same.
TEST_P(StoreConformance, KonbiniResidentsOfOlderRowsComeFromTheirAuditEntries) {
  ASSERT_TRUE(Seed());
  ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        tx.InsertResident(Hanako("r-0002", "000000000019")));
    return tx.InsertResident(Hanako("r-0003", "111111111118"));
  }));
  int n = 0;
  const auto entry = [&](std::string resident, std::string action,
                         std::string reason) {
    AuditEntry e;
    e.id = "au-" + std::to_string(++n);
    e.resident_id = std::move(resident);
    e.actor_id = "20218-1";
    e.role = Role::kKiosk;
    e.action = std::move(action);
    e.reason = std::move(reason);
    e.at = kClock.Now();
    return e;
  };
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    for (const char* id : {"1", "10"}) {
      OPENMYNA_RETURN_IF_ERROR(RecordKonbiniIssuance(
          tx, {std::string("iss-") + id, std::string("req-") + id, "20218-1",
               "20218", "r-0001", "juminhyo", 1, 300, kClock.Now()}));
    }
    // The issue entries as the issuer words them (issue_audit.h).
    for (const char* who : {"r-0001", "r-0002"}) {
      OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(entry(
          who, "konbini.issue",
          "コンビニ交付 juminhyo (request req-1, issuer iss-1, 1 copies, 300 "
          "yen)")));
    }
    OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(
        entry("r-0003", "konbini.issue",
              "コンビニ交付 juminhyo (request req-10, issuer iss-10, 1 copies, "
              "300 yen)")));
    OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(
        entry("r-0003", "konbini.void",
              "コンビニ交付 取消（印刷されず手数料なし） (request req-1, "
              "issuer iss-1, cancelled)")));
    return tx.connection()
        .Query("DROP TABLE konbini_issuance_residents")
        .transform([](auto&&) {});
  }));
  std::string_view sql;
  for (const Migration& m : BuiltInMigrations()) {
    if (m.version == "0035_konbini_issuance_residents.sql") sql = m.sql;
  }
  ASSERT_FALSE(sql.empty());
  auto db = backend_->Connect();
  ASSERT_TRUE(db) << db.error();
  auto again = Migrate(**db, kClock, {{"9035_konbini_again.sql", sql}});
  ASSERT_TRUE(again) << again.error();
  std::vector<std::string> first, tenth;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(first, KonbiniIssuanceResidents(tx, "req-1"));
    OPENMYNA_ASSIGN_OR_RETURN(tenth, KonbiniIssuanceResidents(tx, "req-10"));
    return Ok();
  }));
  EXPECT_EQ(first, (std::vector<std::string>{"r-0001", "r-0002"}));
  EXPECT_EQ(tenth, std::vector<std::string>{"r-0003"});
}

}  // namespace
}  // namespace openmyna::registry
