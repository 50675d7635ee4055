// A stored enum value the model does not know (a corrupt row, or one a newer
// version wrote) is refused with the column and the value named, on both
// back ends — not read as the enum's first value ("produced", "resident",
// "registered", "unlinked") or as "unspecified" (json_enum.h). The rows are
// changed by the back end's own command-line client (sqlite3, psql), as an
// operator or another program would; the refused row is left as it was and
// the rows beside it still read.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_store.h"
#include "openmyna/registry/sign_in_holder.h"
#include "openmyna/registry/store.h"
#include "testing/registry_fixture.h"
#include "testing_backend.h"

namespace openmyna::registry {
namespace {

const FixedClock kClock(TimePoint(std::chrono::seconds(1764000000)));

class StoredEnumTest : public testing::StoreOnBackend {
 protected:
  void SetUp() override {
    if (!OpenStore(kClock)) return;
    ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Chikuma()));
      Resident r;
      r.id = "r-a";
      r.individual_number = "123456789018";
      r.name = "千曲 太郎";
      r.date_of_birth = "1980-05-05";
      r.municipality_code = "20218";
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
      for (const char* id : {"c-1", "c-2"}) {
        Card card;
        card.id = id;
        card.resident_id = "r-a";
        card.state = CardState::kActive;
        card.expires_on = "2035-05-05";
        OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
      }
      Certificate cert;
      cert.serial = "5e01";
      cert.card_id = "c-1";
      cert.resident_id = "r-a";
      cert.type = CertificateType::kAuthentication;
      cert.revoked = true;
      cert.reason = RevocationReason::kKeyCompromise;
      OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(cert));
      AuditEntry entry;
      entry.id = "a-1";
      entry.resident_id = "r-a";
      entry.actor_id = "clerk-1";
      entry.role = Role::kCounterClerk;
      entry.action = "resident.read";
      OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(entry));
      SealRegistration seal;
      seal.number = "20218-000001";
      seal.resident_id = "r-a";
      seal.municipality_code = "20218";
      seal.state = SealState::kRegistered;
      OPENMYNA_RETURN_IF_ERROR(CivilTx(tx).PutSeal(seal));
      InsuranceTx ins(tx);
      OPENMYNA_RETURN_IF_ERROR(
          ins.PutInsurer({"01040013", "協会けんぽ 宮城支部", "協会けんぽ"}));
      Membership m;
      m.id = "ms-1";
      m.insurer_number = "01040013";
      m.symbol = "1234";
      m.number = "5678";
      m.branch = "00";
      m.resident_id = "r-a";
      m.link_state = LinkState::kVerified;
      return ins.InsertMembership(m);
    }));
  }

  // Runs `sql` with the back end's command-line client; what it printed.
  std::string Cli(const std::string& sql) {
    const std::string client =
        GetParam() == Dialect::kSqlite
            ? "sqlite3 -bail '" + backend_->Target() + "'"
            : "psql -X -q -A -t -v ON_ERROR_STOP=1 '" + backend_->Target() +
                  "' -c";
    auto run = testing_tools::RunShell(client + " \"" + sql + "\"",
                                       testing_tools::Stderr::kCapture);
    EXPECT_EQ(run.status, 0) << sql << "\n" << run.output;
    return run.output;
  }

  // `fn` in a transaction: refused as kStorage naming every part of `named`.
  void ExpectRefused(const std::function<Status(RegistryTx&)>& fn,
                     std::initializer_list<std::string> named) {
    Status status = store_->Transact(fn);
    ASSERT_FALSE(status) << "read as if nothing were wrong";
    EXPECT_TRUE(status.error().Is(RegistryErrc::kStorage)) << status.error();
    for (const std::string& part : named) {
      EXPECT_NE(status.error().message().find(part), std::string::npos)
          << part << " not in: " << status.error();
    }
  }

  // The other card reads as written: the refusal changed nothing else.
  void ExpectTheOtherCardReads() {
    ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard("c-2"));
      EXPECT_TRUE(card && card->state == CardState::kActive);
      return Ok();
    }));
  }
};

// Each case: the row changed by the client, the read refused naming the
// value, and the row still holding the value (nothing wrote over it).
TEST_P(StoredEnumTest, ACardStateInTheDocument) {
  Cli("UPDATE cards SET doc = replace(doc, '\\\"state\\\":\\\"active\\\"', "
      "'\\\"state\\\":\\\"lost\\\"') WHERE id = 'c-1'");
  ExpectRefused(
      [](RegistryTx& tx) { return tx.GetCard("c-1").transform([](auto&&) {}); },
      {"unknown card state \"lost\""});
  EXPECT_EQ(Cli("SELECT count(*) FROM cards WHERE doc LIKE '%\\\"lost\\\"%'"),
            "1\n");
  ExpectTheOtherCardReads();
}

TEST_P(StoredEnumTest, ACardStateInItsColumnAsTheSignInReadsIt) {
  Cli("UPDATE cards SET state = 'lost' WHERE id = 'c-1'");
  ExpectRefused(
      [](RegistryTx& tx) {
        return ReadSignInHolder(tx, "5e01").transform([](auto&&) {});
      },
      {"cards.state", "unknown card state \"lost\""});
  EXPECT_EQ(Cli("SELECT state FROM cards WHERE id = 'c-1'"), "lost\n");
  ExpectTheOtherCardReads();
}

TEST_P(StoredEnumTest, ARevocationReason) {
  Cli("UPDATE certificates SET doc = replace(doc, "
      "'\\\"keyCompromise\\\"', '\\\"stolenKey\\\"')");
  ExpectRefused(
      [](RegistryTx& tx) {
        return tx.GetCertificate("5e01").transform([](auto&&) {});
      },
      {"unknown revocation reason \"stolenKey\""});
  EXPECT_EQ(
      Cli("SELECT count(*) FROM certificates WHERE doc LIKE '%stolenKey%'"),
      "1\n");
  ExpectTheOtherCardReads();
}

TEST_P(StoredEnumTest, AnAuditEntrysRole) {
  Cli("UPDATE audit_log SET doc = replace(doc, '\\\"counter_clerk\\\"', "
      "'\\\"auditor\\\"')");
  ExpectRefused(
      [](RegistryTx& tx) {
        return tx.ListAudit("r-a").transform([](auto&&) {});
      },
      {"unknown role \"auditor\""});
  EXPECT_EQ(Cli("SELECT count(*) FROM audit_log WHERE doc LIKE '%auditor%'"),
            "1\n");
  ExpectTheOtherCardReads();
}

TEST_P(StoredEnumTest, ASealState) {
  Cli("UPDATE seals SET doc = replace(doc, '\\\"registered\\\"', "
      "'\\\"withdrawn\\\"')");
  ExpectRefused(
      [](RegistryTx& tx) {
        return CivilTx(tx).GetSeal("20218-000001").transform([](auto&&) {});
      },
      {"unknown seal state \"withdrawn\""});
  EXPECT_EQ(Cli("SELECT count(*) FROM seals WHERE doc LIKE '%withdrawn%'"),
            "1\n");
  ExpectTheOtherCardReads();
}

TEST_P(StoredEnumTest, AMembershipsLinkState) {
  Cli("UPDATE memberships SET doc = replace(doc, '\\\"verified\\\"', "
      "'\\\"pending\\\"')");
  ExpectRefused(
      [](RegistryTx& tx) {
        return InsuranceTx(tx).GetMembership("ms-1").transform([](auto&&) {});
      },
      {"unknown link state \"pending\""});
  EXPECT_EQ(Cli("SELECT count(*) FROM memberships WHERE doc LIKE '%pending%'"),
            "1\n");
  ExpectTheOtherCardReads();
}

INSTANTIATE_TEST_SUITE_P(Backends, StoredEnumTest, testing::BothBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
