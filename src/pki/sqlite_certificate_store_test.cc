// The certificate store on both back ends (TEST_P; the PostgreSQL half is
// skipped without OPENMYNA_TEST_PG_URL and run by pki_store_pg_test under
// tests/pg/with-postgres.sh): status values, hold semantics (jpki.md §4.3),
// streaming revoked entries in numeric serial order for CRLs, the change
// counter in commit order, and the shared CRL state of several publishers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <set>
#include <thread>

#include "openmyna/base/testing/shell.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/errors.h"
#include "testing/pki_fixture.h"

namespace openmyna::pki {
namespace {

using namespace std::chrono;

Serial S(std::string_view hex) { return Serial::FromHex(hex).value(); }

CertificateRecord Record(std::string_view hex, CaKind ca = CaKind::kSignature,
                         std::string code = "13221") {
  CertificateRecord r;
  r.serial = S(hex);
  r.partition = {ca, 1, code, "Tokyo-to", "Kiyose-shi"};
  r.subject_cn = "CN" + std::string(hex) + std::to_string(static_cast<int>(ca));
  r.not_before = sys_days(year(2026) / 1 / 1);
  r.not_after = sys_days(year(2030) / 1 / 1);
  r.der = {0x30, 0x00};
  return r;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      const char* url = std::getenv("OPENMYNA_TEST_PG_URL");
      if (url == nullptr || *url == '\0') {
        GTEST_SKIP() << "OPENMYNA_TEST_PG_URL not set (pki_store_pg_test)";
      }
      target_ = url;
      // A clean schema per test, dropped with psql (not our code).
      ASSERT_EQ(std::system(("psql '" + target_ +
                             "' -qc 'DROP TABLE IF EXISTS pki_certificates, "
                             "pki_revocation_counter, pki_crl_state' "
                             "2>/dev/null")
                                .c_str()),
                0);
    } else {
      target_ = (testing::TempDir("store") / "c.sqlite").string();
    }
    store_ = Reopen();
    ASSERT_NE(store_, nullptr);
  }
  // Another store object (its own connection) on the same database.
  std::unique_ptr<CertificateStore> Reopen() {
    auto store = OpenCertificateStore(target_);
    EXPECT_TRUE(store) << store.error();
    return store ? std::move(*store) : nullptr;
  }
  std::string target_;
  std::unique_ptr<CertificateStore> store_;
  TimePoint t1_ = sys_days(year(2027) / 3 / 1);
  TimePoint t2_ = sys_days(year(2027) / 4 / 1);
};

TEST_P(StoreTest, StatusIsGoodRevokedOrUnknown) {
  ASSERT_TRUE(store_->Put(Record("0a01")));
  EXPECT_EQ(store_->StatusOf(CaKind::kSignature, S("a01"))->kind,
            CertificateStatus::Kind::kGood);
  EXPECT_EQ(store_->StatusOf(CaKind::kSignature, S("a02"))->kind,
            CertificateStatus::Kind::kUnknown);
  // Another CA's serial is unknown to this CA.
  EXPECT_EQ(store_->StatusOf(CaKind::kAuthentication, S("a01"))->kind,
            CertificateStatus::Kind::kUnknown);
  ASSERT_TRUE(store_->Revoke(S("a01"), RevocationReason::kKeyCompromise, t1_));
  auto status = store_->StatusOf(CaKind::kSignature, S("a01"));
  EXPECT_EQ(status->kind, CertificateStatus::Kind::kRevoked);
  EXPECT_EQ(status->reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ(status->revocation_time, t1_);
}

TEST_P(StoreTest, DuplicateSerialIsRefused) {
  ASSERT_TRUE(store_->Put(Record("77")));
  CertificateRecord again = Record("77");
  again.subject_cn = "other";
  auto s = store_->Put(again);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().Is(PkiErrc::kDuplicateSerial));
  EXPECT_TRUE(*store_->Contains(S("77")));
  EXPECT_FALSE(*store_->Contains(S("78")));
}

TEST_P(StoreTest, HoldIsNeverLiftedButCanBecomePermanent) {
  ASSERT_TRUE(store_->Put(Record("10")));
  ASSERT_TRUE(store_->Revoke(S("10"), RevocationReason::kCertificateHold, t1_));
  auto lift = store_->Revoke(S("10"), RevocationReason::kRemoveFromCrl, t2_);
  ASSERT_FALSE(lift);
  EXPECT_TRUE(lift.error().Is(PkiErrc::kInvalidReason));
  auto hold_again =
      store_->Revoke(S("10"), RevocationReason::kCertificateHold, t2_);
  EXPECT_TRUE(hold_again.error().Is(PkiErrc::kAlreadyRevoked));
  EXPECT_EQ(store_->StatusOf(CaKind::kSignature, S("10"))->reason,
            RevocationReason::kCertificateHold);
  // Card invalidated later: permanent, original time kept.
  ASSERT_TRUE(
      store_->Revoke(S("10"), RevocationReason::kCessationOfOperation, t2_));
  auto status = store_->StatusOf(CaKind::kSignature, S("10"));
  EXPECT_EQ(status->reason, RevocationReason::kCessationOfOperation);
  EXPECT_EQ(status->revocation_time, t1_);
  // Permanent revocations are final.
  auto again = store_->Revoke(S("10"), RevocationReason::kKeyCompromise, t2_);
  EXPECT_TRUE(again.error().Is(PkiErrc::kAlreadyRevoked));
  EXPECT_TRUE(store_->Revoke(S("99"), RevocationReason::kKeyCompromise, t2_)
                  .error()
                  .Is(PkiErrc::kNotFound));
}

TEST_P(StoreTest, RevokedEntriesStreamPerPartitionInNumericSerialOrder) {
  // 0xff < 0x0100 < 0x01ff numerically, though "ff" > "0100" as text.
  for (auto hex : {"01ff", "ff", "0100", "05"}) {
    ASSERT_TRUE(store_->Put(Record(hex)));
  }
  ASSERT_TRUE(store_->Put(Record("06", CaKind::kSignature, "01106")));
  ASSERT_TRUE(store_->Put(Record("07", CaKind::kAuthentication)));
  for (auto hex : {"01ff", "ff", "0100", "06", "07"}) {
    ASSERT_TRUE(store_->Revoke(S(hex), RevocationReason::kSuperseded, t1_));
  }
  CrlPartition kiyose{CaKind::kSignature, 1, "13221", "Tokyo-to", "Kiyose-shi"};
  std::vector<std::string> seen;
  ASSERT_TRUE(store_->ForEachRevoked(kiyose, [&](const RevokedEntry& e) {
    seen.push_back(e.serial.Hex());
    EXPECT_EQ(e.reason, RevocationReason::kSuperseded);
    EXPECT_EQ(e.revocation_time, t1_);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"ff", "100", "1ff"}));
  int visits = 0;
  ASSERT_TRUE(store_->ForEachRevoked(
      kiyose, [&](const RevokedEntry&) { return ++visits < 2; }));
  EXPECT_EQ(visits, 2);  // stopped early

  auto partitions = store_->Partitions(CaKind::kSignature);
  ASSERT_TRUE(partitions);
  ASSERT_EQ(partitions->size(), 2u);
  EXPECT_EQ((*partitions)[0].municipality_code, "01106");
  EXPECT_EQ((*partitions)[1].municipality_code, "13221");
  EXPECT_EQ((*partitions)[1].municipality, "Kiyose-shi");

  auto revoked = store_->List({CaKind::kSignature, true, 0});
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->size(), 4u);
  auto all = store_->List({});
  EXPECT_EQ(all->size(), 6u);
}

// ForEachStatus (what the OCSP responder pre-signs from) agrees with
// StatusOf for every certificate of one CA, and sees no other CA's.
TEST_P(StoreTest, ForEachStatusMatchesStatusOf) {
  ASSERT_TRUE(store_->Put(Record("01")));
  ASSERT_TRUE(store_->Put(Record("ff00")));  // high bit: still positive
  ASSERT_TRUE(store_->Put(Record("0123456789abcdef0123456789abcdef01234567")));
  ASSERT_TRUE(store_->Put(Record("02", CaKind::kAuthentication)));
  ASSERT_TRUE(
      store_->Revoke(S("ff00"), RevocationReason::kCertificateHold, t1_));
  std::vector<CertificateStatusEntry> entries;
  ASSERT_TRUE(store_->ForEachStatus(
      CaKind::kSignature, [&](const CertificateStatusEntry& e) {
        entries.push_back(e);  // no call back into the store from here
        return true;
      }));
  std::vector<std::string> seen;
  for (const CertificateStatusEntry& e : entries) {
    seen.push_back(e.serial.Hex());
    auto expected = store_->StatusOf(CaKind::kSignature, e.serial);
    ASSERT_TRUE(expected) << e.serial.Hex();
    EXPECT_EQ(e.generation, 1);
    EXPECT_EQ(e.status.kind, expected->kind) << e.serial.Hex();
    EXPECT_EQ(e.status.reason, expected->reason);
    EXPECT_EQ(e.status.revocation_time, expected->revocation_time);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "1", "123456789abcdef0123456789abcdef01234567", "ff00"}));
}

TEST_P(StoreTest, PutManyIsAllOrNothingAndKeepsImportedRevocations) {
  std::vector<CertificateRecord> batch = {Record("20"), Record("21")};
  batch[1].revocation_reason = RevocationReason::kAffiliationChanged;
  batch[1].revocation_time = t1_;
  ASSERT_TRUE(store_->PutMany(batch));
  EXPECT_EQ(store_->StatusOf(CaKind::kSignature, S("21"))->reason,
            RevocationReason::kAffiliationChanged);
  std::vector<CertificateRecord> bad = {Record("22"), Record("20")};
  EXPECT_FALSE(store_->PutMany(bad));
  EXPECT_FALSE(*store_->Contains(S("22")));
}

std::vector<RevocationChange> Since(CertificateStore& store,
                                    std::uint64_t after) {
  std::vector<RevocationChange> out;
  EXPECT_TRUE(store.ForEachRevocationSince(after, [&](const auto& change) {
    out.push_back(change);
    return true;
  }));
  return out;
}

// The change counter (issue 13 item 3): every revocation takes the next
// number; "since N" yields exactly the later ones, with their partition; a
// hold made permanent appears once, with its new number and reason.
TEST_P(StoreTest, RevocationCounterNumbersEveryChangeInOrder) {
  EXPECT_EQ(*store_->RevocationSequence(), 0u);
  ASSERT_TRUE(store_->Put(Record("a1")));
  ASSERT_TRUE(store_->Put(Record("a2", CaKind::kAuthentication, "01106")));
  ASSERT_TRUE(store_->Put(Record("a3")));
  EXPECT_EQ(*store_->RevocationSequence(), 0u);  // issuance is not a change
  ASSERT_TRUE(store_->Revoke(S("a3"), RevocationReason::kCertificateHold, t1_));
  ASSERT_TRUE(store_->Revoke(S("a2"), RevocationReason::kKeyCompromise, t2_));
  EXPECT_EQ(*store_->RevocationSequence(), 2u);
  auto all = Since(*store_, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].sequence, 1u);
  EXPECT_EQ(all[0].entry.serial, S("a3"));
  EXPECT_EQ(all[0].partition.ca, CaKind::kSignature);
  EXPECT_EQ(all[0].partition.municipality_code, "13221");
  EXPECT_EQ(all[1].entry.serial, S("a2"));
  EXPECT_EQ(all[1].partition.ca, CaKind::kAuthentication);
  EXPECT_EQ(all[1].partition.municipality_code, "01106");
  EXPECT_EQ(all[1].entry.revocation_time, t2_);
  EXPECT_TRUE(Since(*store_, 2).empty());
  // A refused revocation changes nothing.
  EXPECT_FALSE(store_->Revoke(S("a2"), RevocationReason::kSuperseded, t2_));
  EXPECT_EQ(*store_->RevocationSequence(), 2u);
  // The hold made permanent: number 3, the original time kept.
  ASSERT_TRUE(store_->Revoke(S("a3"), RevocationReason::kKeyCompromise, t2_));
  auto later = Since(*store_, 2);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].sequence, 3u);
  EXPECT_EQ(later[0].entry.reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ(later[0].entry.revocation_time, t1_);
  EXPECT_EQ(Since(*store_, 0).size(), 2u);  // one entry per certificate
  // An imported revoked record is a change too.
  CertificateRecord imported = Record("a4");
  imported.revocation_reason = RevocationReason::kSuperseded;
  imported.revocation_time = t1_;
  ASSERT_TRUE(store_->Put(imported));
  EXPECT_EQ(*store_->RevocationSequence(), 4u);
  // Another connection sees the same counter.
  auto other = Reopen();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(*other->RevocationSequence(), 4u);
}

// The counter follows commit order (what lets a responder or publisher
// read "counter N" and then "everything since its last N"): revokers on
// their own connections run while a reader checks, each round, that once
// it saw counter N every number 1..N is there. A number taken by a
// transaction that commits after a later number would show as a gap.
TEST_P(StoreTest, ConcurrentRevokersNeverLeaveAGapBelowTheCounter) {
  constexpr int kThreads = 4;
  constexpr int kEach = 15;
  std::vector<CertificateRecord> records;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%02x%02x", t + 1, i + 1);
      records.push_back(Record(hex));
    }
  }
  ASSERT_TRUE(store_->PutMany(records));
  std::atomic<int> running{kThreads};
  std::atomic<int> failures{0};
  std::vector<std::thread> revokers;
  for (int t = 0; t < kThreads; ++t) {
    revokers.emplace_back([&, t] {
      auto own = Reopen();
      if (!own) ++failures;
      for (int i = 0; own && i < kEach; ++i) {
        const auto& serial = records[static_cast<std::size_t>(t * kEach + i)];
        if (!own->Revoke(serial.serial, RevocationReason::kSuperseded, t1_)) {
          ++failures;
        }
      }
      --running;
    });
  }
  auto reader = Reopen();
  ASSERT_NE(reader, nullptr);
  int rounds = 0;
  bool last = false;
  while (!last) {
    last = running.load() == 0;  // one more round after the revokers end
    auto counter = reader->RevocationSequence();
    ASSERT_TRUE(counter) << counter.error();
    std::set<std::uint64_t> seen;
    for (const RevocationChange& change : Since(*reader, 0)) {
      seen.insert(change.sequence);
    }
    for (std::uint64_t n = 1; n <= *counter; ++n) {
      ASSERT_TRUE(seen.contains(n))
          << "counter " << *counter << " but change " << n << " not visible";
    }
    ++rounds;
  }
  for (auto& thread : revokers) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*reader->RevocationSequence(),
            static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_GT(rounds, 0);
}

// Several publishers of one shared store (PostgreSQL): each publication
// runs under the partition's lock and sees the one before it, so two
// threads on their own connections publishing 10 times each make numbers
// 1..20, each seen once; another partition is independent.
TEST_P(StoreTest, SharedCrlsAreNumberedUnderOneLockAcrossPublishers) {
  if (!store_->SharesCrls()) {
    GTEST_SKIP() << "one publisher per SQLite store (docs/scale.md)";
  }
  const std::string url = "/crl/sign/g1/13221.crl";
  std::mutex mutex;
  std::vector<std::uint64_t> seen;
  auto publisher = [&] {
    auto own = Reopen();
    for (int i = 0; own && i < 10; ++i) {
      auto stored = own->PublishShared(
          url,
          [&](const std::optional<SharedCrl>& current)
              -> Result<std::optional<SharedCrl>> {
            const std::uint64_t number = current ? current->crl_number : 0;
            {
              std::lock_guard lock(mutex);
              seen.push_back(number);
            }
            std::this_thread::yield();  // widen the window of a race
            SharedCrl next{number + 1, number, t1_,
                           Bytes{0x30, static_cast<std::uint8_t>(number)}};
            return std::optional<SharedCrl>(next);
          });
      EXPECT_TRUE(stored) << stored.error();
    }
  };
  std::thread a(publisher);
  std::thread b(publisher);
  a.join();
  b.join();
  std::sort(seen.begin(), seen.end());
  std::vector<std::uint64_t> expected(20);
  for (std::uint64_t i = 0; i < 20; ++i) expected[i] = i;
  EXPECT_EQ(seen, expected);
  // Keeping the stored one (nullopt) returns it, bytes included.
  auto kept = store_->PublishShared(
      url,
      [](const std::optional<SharedCrl>&) -> Result<std::optional<SharedCrl>> {
        return std::nullopt;
      });
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->crl_number, 20u);
  EXPECT_EQ((*kept)->der, (Bytes{0x30, 19}));
  EXPECT_EQ((*kept)->this_update, t1_);
  // A number not above the stored one is refused; nothing changes.
  auto stale = store_->PublishShared(
      url,
      [&](const std::optional<SharedCrl>&) -> Result<std::optional<SharedCrl>> {
        return std::optional<SharedCrl>(SharedCrl{20, 0, t1_, Bytes{0x30}});
      });
  EXPECT_FALSE(stale);
  auto other = store_->PublishShared("/crl/auth/g1/13221.crl",
                                     [](const std::optional<SharedCrl>& current)
                                         -> Result<std::optional<SharedCrl>> {
                                       EXPECT_FALSE(current.has_value());
                                       return std::optional<SharedCrl>();
                                     });
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
}

// A `reason` or `ca` value neither store writes (a corrupt row, or one a
// newer version wrote), set by the database's own command-line client
// (sqlite3, psql), is refused as kStore naming the column and the value by
// every read of the row, not read as "unspecified" (which a CRL and the
// OCSP answers would then carry) or as the CA kind left as it was; the row
// stays as it was written.
TEST_P(StoreTest, AStoredValueNeitherStoreWritesIsRefused) {
  ASSERT_TRUE(store_->Put(Record("0b01")));
  ASSERT_TRUE(store_->Revoke(S("b01"), RevocationReason::kKeyCompromise, t1_));
  const std::string client =
      GetParam() == "sqlite"
          ? "sqlite3 -bail '" + target_ + "' "
          : "psql -X -q -A -t -v ON_ERROR_STOP=1 '" + target_ + "' -c ";
  const auto cli = [&](const std::string& sql) {
    auto run = testing_tools::RunShell(client + "\"" + sql + "\"",
                                       testing_tools::Stderr::kCapture);
    EXPECT_EQ(run.status, 0) << sql << "\n" << run.output;
    return run.output;
  };
  const auto refused = [](const Status& status, const std::string& named) {
    ASSERT_FALSE(status) << "read as if nothing were wrong";
    EXPECT_TRUE(status.error().Is(PkiErrc::kStore)) << status.error();
    EXPECT_NE(status.error().message().find(named), std::string::npos)
        << named << " not in: " << status.error();
  };
  const auto every_read = [&](const std::string& named) {
    refused(store_->Find(S("b01")).transform([](auto&&) {}), named);
    refused(store_->List({}).transform([](auto&&) {}), named);
    refused(store_->ForEachRevocationSince(0, [](auto&) { return true; }),
            named);
  };
  // 7 is the one value RFC 5280 §5.3.1 leaves unused.
  cli("UPDATE pki_certificates SET reason = 7");
  const std::string reason =
      "pki_certificates.reason: unknown revocation "
      "reason 7";
  every_read(reason);
  refused(
      store_->StatusOf(CaKind::kSignature, S("b01")).transform([](auto&&) {}),
      reason);
  refused(store_->ForEachStatus(CaKind::kSignature, [](auto&) { return true; }),
          reason);
  refused(store_->ForEachRevoked({CaKind::kSignature, 1, "13221", "", ""},
                                 [](auto&) { return true; }),
          reason);
  EXPECT_EQ(cli("SELECT reason FROM pki_certificates"), "7\n");
  cli("UPDATE pki_certificates SET reason = 1, ca = 'both'");
  every_read("pki_certificates.ca: unknown CA kind \"both\"");
  EXPECT_EQ(cli("SELECT ca FROM pki_certificates"), "both\n");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& backend) {
                           return backend.param == "sqlite" ? "Sqlite"
                                                            : "Postgres";
                         });

// A store made before the counter existed (the old schema, written by the
// sqlite3 command-line tool) gets the column and numbers its revoked rows.
TEST(StoreMigrationTest, OldStoreGetsTheCounter) {
  const auto path = testing::TempDir("store-old") / "old.sqlite";
  const std::string sql =
      "CREATE TABLE pki_certificates (serial TEXT NOT NULL UNIQUE, ca TEXT NOT "
      "NULL, generation INTEGER NOT NULL, municipality_code TEXT NOT NULL, "
      "prefecture TEXT NOT NULL, municipality TEXT NOT NULL, subject_cn TEXT "
      "NOT NULL UNIQUE, not_before INTEGER NOT NULL, not_after INTEGER NOT "
      "NULL, der BLOB NOT NULL, reason INTEGER, revoked_at INTEGER); INSERT "
      "INTO pki_certificates VALUES ('" +
      std::string(36, '0') +
      "0b01', 'sign', 1, '13221', 'Tokyo-to', 'Kiyose-shi', 'cn1', 0, 1, "
      "x'3000', NULL, NULL), ('" +
      std::string(36, '0') +
      "0b02', 'sign', 1, '13221', 'Tokyo-to', 'Kiyose-shi', 'cn2', 0, 1, "
      "x'3000', 1, 1800000000);";
  ASSERT_EQ(
      std::system(("sqlite3 " + path.string() + " \"" + sql + "\"").c_str()),
      0);
  auto store = SqliteCertificateStore::Open(path);
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ(*(*store)->RevocationSequence(), 2u);  // its rowid
  auto changes = Since(**store, 0);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].entry.serial, S("b02"));
  ASSERT_TRUE((*store)->Revoke(S("b01"), RevocationReason::kSuperseded,
                               TimePoint(seconds(1800000001))));
  EXPECT_EQ(*(*store)->RevocationSequence(), 3u);
  store->reset();
  // Opening again does not renumber.
  auto again = SqliteCertificateStore::Open(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(Since(**again, 0).size(), 2u);
  EXPECT_EQ(*(*again)->RevocationSequence(), 3u);
}

TEST(SerialTest, ParsesHexAndRejectsNonPositive) {
  EXPECT_EQ(S("00:0A:ff").bytes, (Bytes{0x0a, 0xff}));
  EXPECT_EQ(S("abc").Hex(), "abc");
  EXPECT_FALSE(Serial::FromHex("0"));
  EXPECT_FALSE(Serial::FromHex("xyz"));
  EXPECT_FALSE(Serial::FromHex(std::string(42, 'f')));
}

}  // namespace
}  // namespace openmyna::pki
