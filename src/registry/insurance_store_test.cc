// The insurance records on both storage back ends (issue 12, item 1): the
// same TEST_P suite over SQLite and PostgreSQL (the PostgreSQL half needs
// OPENMYNA_TEST_PG_URL, see testing_backend.h).
#include "openmyna/registry/insurance_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "insurance_statements.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/insurance_service.h"
#include "testing/registry_fixture.h"
#include "testing_backend.h"
#include "testing_recording_connection.h"

namespace openmyna::registry {
namespace {

const FixedClock kClock(TimePoint(std::chrono::seconds(1764000000)));

class InsuranceStore : public testing::StoreOnBackend {
 protected:
  void SetUp() override {
    if (!OpenStore(kClock)) return;
    ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Chikuma()));
      Resident a;
      a.id = "r-a";
      a.individual_number = "123456789018";
      a.name = "千曲 太郎";
      a.name_kana = "チクマ タロウ";
      a.date_of_birth = "1980-05-05";
      a.sex = Sex::kMale;
      a.address = "長野県千曲市大字杭瀬下84番地";
      a.municipality_code = "20218";
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(a));
      Resident b = a;
      b.id = "r-b";
      b.individual_number = "614106526000";
      b.date_of_birth = "1980-05-06";
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(b));
      InsuranceTx ins(tx);
      OPENMYNA_RETURN_IF_ERROR(
          ins.PutInsurer({"01040013", "協会けんぽ 宮城支部", "協会けんぽ"}));
      return ins.PutInsurer({"33120015", "警察共済 千葉", "共済組合"});
    }));
  }

  static Membership Sample(std::string id, std::string number,
                           std::string branch) {
    Membership m;
    m.id = std::move(id);
    m.insurer_number = "01040013";
    m.symbol = "1234";
    m.number = std::move(number);
    m.branch = std::move(branch);
    m.name = "千曲 太郎";
    m.date_of_birth = "1980-05-05";
    m.sex = Sex::kMale;
    m.acquired_on = "2020-04-01";
    m.elderly = ElderlyRecipient{"2026-01-01", "2026-01-01", "2027-07-31", 20};
    m.limit = LimitCertificate{"01",         "A03",        "2026-04-01",
                               "2026-04-01", "2027-07-31", true};
    m.specific_diseases = {{1, "2021-01-01", "", 20000}};
    return m;
  }

  Status Tx(const std::function<Status(InsuranceTx&, RegistryTx&)>& fn) {
    return store_->Transact([&](RegistryTx& tx) {
      InsuranceTx ins(tx);
      return fn(ins, tx);
    });
  }

  // The clinic 2012345678, and r-a's card c-a with its certificate 1a2b
  // valid a year from kClock.
  static Status PutClinicAndCardOfA(InsuranceTx& ins, RegistryTx& tx) {
    OPENMYNA_RETURN_IF_ERROR(ins.PutInstitution(
        {"2012345678", "サンドボックス診療所", InstitutionKind::kClinic}));
    Card card;
    card.id = "c-a";
    card.resident_id = "r-a";
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    Certificate cert;
    cert.serial = "1a2b";
    cert.card_id = "c-a";
    cert.resident_id = "r-a";
    cert.not_before = kClock.Now();
    cert.not_after = kClock.Now() + std::chrono::hours(24 * 365);
    return tx.PutCertificate(cert);
  }

  // r-a's registration (linkage code lk-1) through `channel`.
  static InsuranceRegistration RegistrationOfA(RegistrationChannel channel,
                                               std::string serial) {
    InsuranceRegistration reg;
    reg.resident_id = "r-a";
    reg.linkage_code = "lk-1";
    reg.channel = channel;
    reg.registered_at = kClock.Now();
    reg.certificate_serials = {std::move(serial)};
    return reg;
  }
};

TEST_P(InsuranceStore, InsurersRoundTripInNumberOrder) {
  ASSERT_TRUE(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto list, ins.ListInsurers());
    EXPECT_EQ(list.size(), 2u);
    EXPECT_EQ(list.at(0).number, "01040013");
    EXPECT_EQ(list.at(1).name, "警察共済 千葉");
    OPENMYNA_RETURN_IF_ERROR(
        ins.PutInsurer({"01040013", "renamed", "協会けんぽ"}));
    OPENMYNA_ASSIGN_OR_RETURN(auto one, ins.GetInsurer("01040013"));
    EXPECT_EQ(one->name, "renamed");
    OPENMYNA_ASSIGN_OR_RETURN(auto none, ins.GetInsurer("99999999"));
    EXPECT_FALSE(none);
    return Ok();
  }));
}

TEST_P(InsuranceStore, MembershipsRoundTripAndAreFoundByCardAndResident) {
  Membership m = Sample("ms-1", "5678", "00");
  m.resident_id = "r-a";
  m.link_state = LinkState::kVerified;
  m.link_method = LinkMethod::kIndividualNumber;
  m.checked_at = kClock.Now();
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_RETURN_IF_ERROR(ins.InsertMembership(m));
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertMembership(Sample("ms-2", "5678", "01")));  // unlinked
    return ins.InsertMembership(Sample("ms-3", "9999", "00"));
  }));
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto got, ins.GetMembership("ms-1"));
    EXPECT_TRUE(got);
    EXPECT_EQ(nlohmann::json(*got), nlohmann::json(m));  // every field back
    OPENMYNA_ASSIGN_OR_RETURN(auto by_card,
                              ins.FindMembershipsByCard("01040013", "5678"));
    EXPECT_EQ(by_card.size(), 2u);
    EXPECT_EQ(by_card.at(0).id, "ms-1");
    EXPECT_EQ(by_card.at(1).id, "ms-2");
    OPENMYNA_ASSIGN_OR_RETURN(auto of_a, ins.ListMembershipsOfResident("r-a"));
    EXPECT_EQ(of_a.size(), 1u);
    OPENMYNA_ASSIGN_OR_RETURN(auto linked, ins.ListLinkedMemberships("", 10));
    EXPECT_EQ(linked.size(), 1u);
    OPENMYNA_ASSIGN_OR_RETURN(auto count, ins.CountMemberships());
    EXPECT_EQ(count, 3);
    OPENMYNA_ASSIGN_OR_RETURN(auto of_insurer,
                              ins.ListMembershipsOfInsurer("01040013"));
    EXPECT_EQ(of_insurer.size(), 3u);
    return Ok();
  }));
}

// The eligibility check's one statement gives what the three look-ups by
// key give: the institution, the card's memberships by id, their insurer
// once; an unknown institution or card number is simply absent.
TEST_P(InsuranceStore, CardDataRowsAreTheThreeLookUpsInOne) {
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertMembership(Sample("ms-2", "5678", "01")));
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertMembership(Sample("ms-1", "5678", "00")));
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertMembership(Sample("ms-3", "9999", "00")));
    return ins.PutInstitution(
        {"2012345678", "サンドボックス診療所", InstitutionKind::kClinic});
  }));
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto rows, ins.FindCardDataRows("2012345678", "01040013", "5678"));
    EXPECT_EQ(rows.institution->name, "サンドボックス診療所");
    EXPECT_EQ(rows.memberships.size(), 2u);
    EXPECT_EQ(rows.memberships.at(0).id, "ms-1");
    EXPECT_EQ(rows.memberships.at(1).id, "ms-2");
    EXPECT_EQ(nlohmann::json(rows.memberships.at(0)),
              nlohmann::json(Sample("ms-1", "5678", "00")));
    EXPECT_EQ(rows.insurers.size(), 1u);
    EXPECT_EQ(rows.insurers.at(0).name, "協会けんぽ 宮城支部");
    OPENMYNA_ASSIGN_OR_RETURN(
        auto no_card, ins.FindCardDataRows("2012345678", "01040013", "1111"));
    EXPECT_EQ(no_card.institution->code, "2012345678");
    EXPECT_TRUE(no_card.memberships.empty());
    EXPECT_TRUE(no_card.insurers.empty());
    OPENMYNA_ASSIGN_OR_RETURN(
        auto no_inst, ins.FindCardDataRows("2099999999", "01040013", "9999"));
    EXPECT_FALSE(no_inst.institution);
    EXPECT_EQ(no_inst.memberships.size(), 1u);
    return Ok();
  }));
}

// The eligibility check by card reads its rows in one statement: the
// institution, the certificate, whether its card and resident exist, the
// registration, the resident's memberships by acquisition date (not id) with
// their insurers once each, the latest consent at that institution only; an
// unknown serial gives the institution alone.
TEST_P(InsuranceStore, CardCheckRowsAreTheLookUpsByCertificateInOne) {
  const TimePoint t0 = kClock.Now();
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(PutClinicAndCardOfA(ins, tx));
    OPENMYNA_RETURN_IF_ERROR(ins.PutInstitution(
        {"2087654321", "別の薬局", InstitutionKind::kPharmacy}));
    InsuranceRegistration reg;
    reg.resident_id = "r-a";
    reg.linkage_code = "lk-a";
    reg.channel = RegistrationChannel::kPortal;
    reg.registered_at = t0;
    reg.certificate_serials = {"1a2b"};
    OPENMYNA_RETURN_IF_ERROR(ins.PutRegistration(reg));
    Membership later = Sample("ms-1", "5678", "00");  // id first, acquired 2nd
    later.resident_id = "r-a";
    later.acquired_on = "2024-04-01";
    Membership earlier = Sample("ms-2", "1111", "00");
    earlier.resident_id = "r-a";
    earlier.insurer_number = "33120015";
    earlier.acquired_on = "2019-04-01";
    earlier.lost_on = "2024-04-01";
    Membership same_insurer = Sample("ms-3", "2222", "00");
    same_insurer.resident_id = "r-a";
    same_insurer.acquired_on = "2023-04-01";
    Membership other = Sample("ms-4", "3333", "00");
    other.resident_id = "r-b";
    for (const Membership* m : {&later, &earlier, &same_insurer, &other}) {
      OPENMYNA_RETURN_IF_ERROR(ins.InsertMembership(*m));
    }
    for (const auto& [id, code, hours] :
         {std::tuple{"cs-old", "2012345678", 1},
          std::tuple{"cs-new", "2012345678", 24},
          std::tuple{"cs-pharmacy", "2087654321", 48}}) {
      Consent c;
      c.id = id;
      c.resident_id = "r-a";
      c.institution_code = code;
      c.items = {"drug"};
      c.method = "face";
      c.given_at = t0;
      c.valid_until = t0 + std::chrono::hours(hours);
      OPENMYNA_RETURN_IF_ERROR(ins.InsertConsent(c));
    }
    return Ok();
  }));
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    InsuranceTx ins(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto rows,
                              ins.FindCardCheckRows("2012345678", "1a2b"));
    EXPECT_EQ(rows.institution->name, "サンドボックス診療所");
    EXPECT_EQ(rows.certificate->card_id, "c-a");
    EXPECT_EQ(rows.certificate->not_after, t0 + std::chrono::hours(24 * 365));
    EXPECT_TRUE(rows.card_exists);
    EXPECT_TRUE(rows.resident_exists);
    EXPECT_EQ(rows.registration->linkage_code, "lk-a");
    EXPECT_EQ(rows.registration->certificate_serials,
              std::vector<std::string>{"1a2b"});
    std::vector<std::string> ids;
    for (const Membership& m : rows.memberships) ids.push_back(m.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"ms-2", "ms-3", "ms-1"}));
    EXPECT_EQ(nlohmann::json(rows.memberships.at(0)).at("lost_on"),
              "2024-04-01");
    std::vector<std::string> insurers;
    for (const Insurer& i : rows.insurers) insurers.push_back(i.number);
    std::sort(insurers.begin(), insurers.end());
    EXPECT_EQ(insurers, (std::vector<std::string>{"01040013", "33120015"}));
    EXPECT_EQ(rows.consent->id, "cs-new");

    OPENMYNA_ASSIGN_OR_RETURN(auto pharmacy,
                              ins.FindCardCheckRows("2087654321", "1a2b"));
    EXPECT_EQ(pharmacy.consent->id, "cs-pharmacy");
    OPENMYNA_ASSIGN_OR_RETURN(auto unknown_inst,
                              ins.FindCardCheckRows("2099999999", "1a2b"));
    EXPECT_FALSE(unknown_inst.institution);
    EXPECT_EQ(unknown_inst.memberships.size(), 3u);
    EXPECT_FALSE(unknown_inst.consent);

    OPENMYNA_ASSIGN_OR_RETURN(auto no_cert,
                              ins.FindCardCheckRows("2012345678", "ffff"));
    EXPECT_EQ(no_cert.institution->code, "2012345678");
    EXPECT_FALSE(no_cert.certificate);
    EXPECT_FALSE(no_cert.registration);
    EXPECT_TRUE(no_cert.memberships.empty());
    EXPECT_FALSE(no_cert.consent);
    return Ok();
  }));
}

// More memberships than one statement reads (internal::kMembershipsInOne)
// for one resident and one card number: every one of them comes back, by
// card and by card data, their insurers once — at the edge of the
// statements' LIMIT (exactly kMembershipsInOne, one and two more, by card
// and by card data: a LIMIT of kMembershipsInOne would lose the 21st
// silently) and far beyond it.
TEST_P(InsuranceStore, EveryMembershipComesBackBeyondTheOneStatementsLimit) {
  constexpr int kIn = internal::kMembershipsInOne;
  // Alternating insurers: by card all `want`, by card data every other one.
  for (int have = 0; int want : {kIn, kIn + 1, kIn + 2, 2 * kIn, 2 * kIn + 1,
                                 2 * kIn + 2, 230}) {
    ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx& tx) -> Status {
      if (have == 0) OPENMYNA_RETURN_IF_ERROR(PutClinicAndCardOfA(ins, tx));
      for (; have < want; ++have) {
        Membership m = Sample("ms-" + std::to_string(1000 + have), "5678",
                              std::to_string(10 + have));
        m.resident_id = "r-a";
        if (have % 2) m.insurer_number = "33120015";
        OPENMYNA_RETURN_IF_ERROR(ins.InsertMembership(m));
      }
      return Ok();
    }));
    SCOPED_TRACE(want);
    ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
      InsuranceTx ins(tx);
      OPENMYNA_ASSIGN_OR_RETURN(auto card,
                                ins.FindCardCheckRows("2012345678", "1a2b"));
      EXPECT_EQ(card.memberships.size(), std::size_t(want));
      EXPECT_EQ(card.insurers.size(), 2u);
      OPENMYNA_ASSIGN_OR_RETURN(
          auto data, ins.FindCardDataRows("2012345678", "01040013", "5678"));
      EXPECT_EQ(data.memberships.size(), std::size_t((want + 1) / 2));
      EXPECT_EQ(data.memberships.front().id, "ms-1000");
      EXPECT_EQ(data.memberships.back().id,
                "ms-" + std::to_string(1000 + (want - 1) / 2 * 2));
      EXPECT_EQ(data.insurers.size(), 1u);
      return Ok();
    }));
  }
}

TEST_P(InsuranceStore, MembershipUpdateMovesTheQueryColumns) {
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    return ins.InsertMembership(Sample("ms-1", "5678", "00"));
  }));
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto m, ins.GetMembership("ms-1"));
    m->resident_id = "r-b";
    m->link_state = LinkState::kMismatch;
    m->number = "7777";
    OPENMYNA_RETURN_IF_ERROR(ins.UpdateMembership(*m));
    OPENMYNA_ASSIGN_OR_RETURN(auto old_card,
                              ins.FindMembershipsByCard("01040013", "5678"));
    EXPECT_TRUE(old_card.empty());
    OPENMYNA_ASSIGN_OR_RETURN(auto of_b, ins.ListMembershipsOfResident("r-b"));
    EXPECT_EQ(of_b.size(), 1u);
    EXPECT_EQ(of_b.at(0).link_state, LinkState::kMismatch);
    return Ok();
  }));
  Membership ghost = Sample("ms-none", "1", "00");
  auto missing = Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.UpdateMembership(ghost);
  });
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().Is(RegistryErrc::kNotFound));
}

TEST_P(InsuranceStore, MembershipRefusesUnknownInsurerDuplicateIdAndResident) {
  Membership m = Sample("ms-1", "5678", "00");
  m.insurer_number = "06200017";
  auto unknown = Tx(
      [&](InsuranceTx& ins, RegistryTx&) { return ins.InsertMembership(m); });
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().Is(RegistryErrc::kNotFound)) << unknown.error();
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.InsertMembership(Sample("ms-1", "5678", "00"));
  }));
  auto twice = Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.InsertMembership(Sample("ms-1", "5678", "00"));
  });
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(RegistryErrc::kConflict)) << twice.error();
  Membership dangling = Sample("ms-2", "5678", "00");
  dangling.resident_id = "r-nobody";  // foreign key to residents
  EXPECT_FALSE(Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.InsertMembership(dangling);
  }));
}

TEST_P(InsuranceStore, MedicalRecordsAreListedByDateWithinARange) {
  ASSERT_TRUE(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
    for (const char* day : {"2026-03-01", "2025-12-24", "2026-01-10"}) {
      MedicationRecord r;
      r.id = std::string("rx-") + day;
      r.resident_id = "r-a";
      r.dispensed_on = day;
      r.drug_name = "sample";
      r.quantity = 14;
      OPENMYNA_RETURN_IF_ERROR(ins.InsertMedication(r));
    }
    CheckupRecord c;
    c.id = "hc-1";
    c.resident_id = "r-a";
    c.examined_on = "2026-06-01";
    c.items = {{"hba1c", "HbA1c", "5.6", "%"}};
    OPENMYNA_RETURN_IF_ERROR(ins.InsertCheckup(c));
    MedicalExpense e{"mx-1",     "r-a", "2026-02", "2042100011",
                     "01040013", 2,     8420,      2530};
    OPENMYNA_RETURN_IF_ERROR(ins.InsertExpense(e));
    return Ok();
  }));
  ASSERT_TRUE(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto all, ins.ListMedication("r-a"));
    EXPECT_EQ(all.size(), 3u);
    EXPECT_EQ(all.at(0).dispensed_on, "2025-12-24");
    EXPECT_EQ(all.at(2).dispensed_on, "2026-03-01");
    OPENMYNA_ASSIGN_OR_RETURN(
        auto window, ins.ListMedication("r-a", "2026-01-01", "2026-02-28"));
    EXPECT_EQ(window.size(), 1u);
    OPENMYNA_ASSIGN_OR_RETURN(auto checkups, ins.ListCheckups("r-a"));
    EXPECT_EQ(checkups.at(0).items.at(0).value, "5.6");
    OPENMYNA_ASSIGN_OR_RETURN(auto expenses, ins.ListExpenses("r-a"));
    EXPECT_EQ(expenses.at(0).paid_yen, 2530);
    OPENMYNA_ASSIGN_OR_RETURN(auto none, ins.ListMedication("r-b"));
    EXPECT_TRUE(none.empty());
    return Ok();
  }));
}

TEST_P(InsuranceStore, RegistrationsAndInstitutions) {
  const InsuranceRegistration reg =
      RegistrationOfA(RegistrationChannel::kPortal, "5e01");
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_RETURN_IF_ERROR(ins.PutRegistration(reg));
    return ins.PutInstitution({"2012345678",
                               "サンドボックス診療所",
                               InstitutionKind::kClinic,
                               "千曲市",
                               {"drug"}});
  }));
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto got, ins.GetRegistration("r-a"));
    EXPECT_EQ(nlohmann::json(*got), nlohmann::json(reg));
    OPENMYNA_ASSIGN_OR_RETURN(auto by_code,
                              ins.FindRegistrationByLinkageCode("lk-1"));
    EXPECT_EQ(by_code->resident_id, "r-a");
    OPENMYNA_ASSIGN_OR_RETURN(auto inst, ins.GetInstitution("2012345678"));
    EXPECT_EQ(inst->consent_items, std::vector<std::string>{"drug"});
    return Ok();
  }));
  // The linkage code is unique.
  InsuranceRegistration other = reg;
  other.resident_id = "r-b";
  auto clash = Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.PutRegistration(other);
  });
  ASSERT_FALSE(clash);
  EXPECT_TRUE(clash.error().Is(RegistryErrc::kConflict)) << clash.error();
}

TEST_P(InsuranceStore, ResidentsBornOnADay) {
  ASSERT_TRUE(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto born, ins.FindResidentsBornOn("1980-05-05"));
    EXPECT_EQ(born.size(), 1u);
    EXPECT_EQ(born.at(0).id, "r-a");
    EXPECT_EQ(born.at(0).name_kana, "チクマ タロウ");
    OPENMYNA_ASSIGN_OR_RETURN(auto none, ins.FindResidentsBornOn("1980-05-0"));
    EXPECT_TRUE(none.empty());
    return Ok();
  }));
}

// The record of issued 資格確認書 / お知らせ (0042): every field back, the
// per-membership order, the last one, paging through all memberships, and
// the refusals (unknown membership, the same number twice).
TEST_P(InsuranceStore, IssuedQualificationDocumentsInOrderPerMembership) {
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertMembership(Sample("ms-1", "5678", "00")));
    return ins.InsertMembership(Sample("ms-2", "5679", "00"));
  }));
  using domain::QualificationDocumentKind;
  using domain::QualificationDocumentReason;
  IssuedQualificationDocument notice{
      "qd-1",
      "ms-1",
      0,
      QualificationDocumentKind::kNotice,
      QualificationDocumentReason::kRegisteredCard,
      "2026-04-01",
      "",
      DocumentChannel::kRequest,
      "01040013"};
  IssuedQualificationDocument certificate{
      "qd-2",
      "ms-1",
      0,
      QualificationDocumentKind::kCertificate,
      QualificationDocumentReason::kCardNotUsable,
      "2026-04-01",
      "2031-03-31",
      DocumentChannel::kExOfficio,
      "batch"};
  IssuedQualificationDocument other = notice;
  other.number = "qd-3";
  other.membership_id = "ms-2";
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_RETURN_IF_ERROR(ins.InsertIssuedQualificationDocument(notice));
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertIssuedQualificationDocument(certificate));
    return ins.InsertIssuedQualificationDocument(other);
  }));
  EXPECT_EQ(notice.seq, 1);
  EXPECT_EQ(certificate.seq, 2);
  EXPECT_EQ(other.seq, 1);
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx&) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto last,
                              ins.LatestIssuedQualificationDocument("ms-1"));
    EXPECT_TRUE(last);
    if (last) {
      EXPECT_EQ(nlohmann::json(*last), nlohmann::json(certificate));
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto all,
                              ins.ListIssuedQualificationDocuments("ms-1"));
    EXPECT_EQ(all.size(), 2u);
    if (all.size() == 2) {
      EXPECT_EQ(nlohmann::json(all[0]), nlohmann::json(notice));
      EXPECT_EQ(all[1].number, "qd-2");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto none,
                              ins.LatestIssuedQualificationDocument("ms-9"));
    EXPECT_FALSE(none);
    OPENMYNA_ASSIGN_OR_RETURN(auto first, ins.ListMemberships("", 1));
    EXPECT_EQ(first.size(), 1u);
    OPENMYNA_ASSIGN_OR_RETURN(auto rest, ins.ListMemberships("ms-1", 5));
    EXPECT_EQ(rest.size(), 1u);
    if (!rest.empty()) {
      EXPECT_EQ(rest[0].id, "ms-2");
    }
    return Ok();
  }));
  IssuedQualificationDocument unknown = notice;
  unknown.number = "qd-4";
  unknown.membership_id = "ms-9";
  auto missing = Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.InsertIssuedQualificationDocument(unknown);
  });
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().Is(RegistryErrc::kNotFound)) << missing.error();
  IssuedQualificationDocument again = notice;
  auto twice = Tx([&](InsuranceTx& ins, RegistryTx&) {
    return ins.InsertIssuedQualificationDocument(again);
  });
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(RegistryErrc::kConflict)) << twice.error();
}

// A channel string the model does not know (a corrupt row, or one written
// by a newer version) is refused with its value named, not read as the
// first enumerator ("portal", "request") as NLOHMANN_JSON_SERIALIZE_ENUM
// would. The rows are changed by SQL, as a corrupt or newer row would be.
TEST_P(InsuranceStore, AnUnknownStoredChannelIsRefusedNamingIt) {
  const InsuranceRegistration reg =
      RegistrationOfA(RegistrationChannel::kReader, "1a2b");
  IssuedQualificationDocument doc{
      "qd-1",
      "ms-1",
      0,
      domain::QualificationDocumentKind::kNotice,
      domain::QualificationDocumentReason::kRegisteredCard,
      "2026-04-01",
      "",
      DocumentChannel::kExOfficio,
      "01040013"};
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(PutClinicAndCardOfA(ins, tx));
    OPENMYNA_RETURN_IF_ERROR(ins.PutRegistration(reg));
    OPENMYNA_RETURN_IF_ERROR(
        ins.InsertMembership(Sample("ms-1", "5678", "00")));
    return ins.InsertIssuedQualificationDocument(doc);
  }));
  // Stored as the documented strings, and read back as written.
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto rows, tx.connection().Query(
                       "SELECT r.doc, d.doc FROM insurance_registrations r, "
                       "insurance_documents d WHERE d.number = 'qd-1'"));
    EXPECT_EQ(nlohmann::json::parse(*rows.at(0).at(0))["channel"], "reader");
    EXPECT_EQ(nlohmann::json::parse(*rows.at(0).at(1))["channel"],
              "ex_officio");
    OPENMYNA_ASSIGN_OR_RETURN(auto got, ins.GetRegistration("r-a"));
    EXPECT_EQ(got->channel, RegistrationChannel::kReader);
    OPENMYNA_ASSIGN_OR_RETURN(auto last,
                              ins.LatestIssuedQualificationDocument("ms-1"));
    EXPECT_EQ(last->channel, DocumentChannel::kExOfficio);
    return Ok();
  }));
  ASSERT_TRUE(Tx([](InsuranceTx&, RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.connection().Query(
        "UPDATE insurance_registrations SET doc = replace(doc, "
        "'\"reader\"', '\"kiosk\"')"));
    return tx.connection()
        .Query(
            "UPDATE insurance_documents SET doc = replace(doc, "
            "'\"ex_officio\"', '\"by_mail\"')")
        .transform([](auto&&) {});
  }));
  auto refused = [](const Status& status, const std::string& value) {
    ASSERT_FALSE(status);
    EXPECT_TRUE(status.error().Is(RegistryErrc::kStorage)) << status.error();
    EXPECT_NE(status.error().message().find(value), std::string::npos)
        << status.error();
  };
  refused(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
            return ins.GetRegistration("r-a").transform([](auto&&) {});
          }),
          "unknown registration channel \"kiosk\"");
  // The card check's one statement reads the registration too.
  refused(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
            return ins.FindCardCheckRows("2012345678", "1a2b")
                .transform([](auto&&) {});
          }),
          "unknown registration channel \"kiosk\"");
  refused(Tx([](InsuranceTx& ins, RegistryTx&) -> Status {
            return ins.LatestIssuedQualificationDocument("ms-1").transform(
                [](auto&&) {});
          }),
          "unknown document channel \"by_mail\"");
}

// The eligibility checks and the API's institution look-up read on a reader
// beside the writer: one statement with no BEGIN/COMMIT around it where the
// rows answer (store.h ReadOneStatement); where they do not, the check runs
// again in one read snapshot. The answers are the rules' (worked out by
// hand: insurance.md "Eligibility"), and every check's audit entry is in
// the database, seen from another connection, when the check returns.
TEST_P(InsuranceStore, ChecksReadOneStatementOrElseOneSnapshot) {
  ASSERT_TRUE(Tx([&](InsuranceTx& ins, RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(PutClinicAndCardOfA(ins, tx));
    MedicalInstitution api{"2012345679", "API の診療所",
                           InstitutionKind::kClinic};
    api.credential_id = "cred-clinic";
    OPENMYNA_RETURN_IF_ERROR(ins.PutInstitution(api));
    Certificate older;  // r-a's previous card's, the one registered
    older.serial = "9aa1";
    older.card_id = "c-a";
    older.resident_id = "r-a";
    older.not_before = kClock.Now() - std::chrono::hours(24 * 400);
    older.not_after = kClock.Now() - std::chrono::hours(24 * 30);
    OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(older));
    OPENMYNA_RETURN_IF_ERROR(ins.PutRegistration(
        RegistrationOfA(RegistrationChannel::kPortal, "9aa1")));
    Membership valid = Sample("ms-1", "5678", "00");
    valid.resident_id = "r-a";
    valid.link_state = LinkState::kVerified;
    Membership lapsed = Sample("ms-2", "9999", "00");
    lapsed.resident_id = "r-a";
    lapsed.link_state = LinkState::kVerified;
    lapsed.lost_on = "2024-04-01";
    OPENMYNA_RETURN_IF_ERROR(ins.InsertMembership(valid));
    return ins.InsertMembership(lapsed);
  }));
  // A store of its own whose one reader writes down what it is sent.
  auto log = std::make_shared<testing::StatementLog>();
  auto store = testing::StoreWithRecordingReader(*backend_, log);
  ASSERT_NE(store, nullptr);
  DeterministicRng rng(3);
  InsuranceService service(*store, kClock, rng);
  const Actor clinic{"2012345678", Role::kClinic, "受付"};
  // Each check's entries are on r-a, the only resident checked.
  auto audited = [&] {
    return testing::AuditEntriesSeen(*backend_, "insurance.eligibility");
  };
  auto one_statement = [&] { return testing::OneStatementSent(log->Take()); };
  // The first statement alone, then a snapshot: BEGIN, the same statement
  // again, the others, and `end` (ROLLBACK when the check is refused).
  auto statement_then_snapshot = [&](std::string_view end = "COMMIT") {
    auto sent = log->Take();
    EXPECT_GE(sent.size(), 4u) << ::testing::PrintToString(sent);
    return sent.size() >= 4 && sent[1].starts_with("BEGIN") &&
           sent[2] == sent[0] && sent.back() == end;
  };

  auto inst = service.InstitutionByCredential("cred-clinic");
  ASSERT_TRUE(inst) << inst.error();
  ASSERT_TRUE(inst->has_value());
  EXPECT_EQ((*inst)->code, "2012345679");
  EXPECT_TRUE(one_statement());

  CardDataQuery query{"01040013", "1234", "5678", "00", "1980-05-05"};
  auto by_data = service.CheckByCardData(clinic, query);
  ASSERT_TRUE(by_data) << by_data.error();
  EXPECT_EQ(by_data->validity, Validity::kValid);
  EXPECT_TRUE(one_statement());
  EXPECT_EQ(audited(), 1);
  // A lapsed membership: whether the person has a newer one is a second
  // statement (the resident's memberships), so the snapshot.
  query.number = "9999";
  auto lapsed = service.CheckByCardData(clinic, query);
  ASSERT_TRUE(lapsed) << lapsed.error();
  EXPECT_EQ(lapsed->validity, Validity::kInvalidNewerExists);
  EXPECT_TRUE(statement_then_snapshot());
  EXPECT_EQ(audited(), 2);

  // By card: 1a2b is not the registered certificate (9aa1, the previous
  // card's): the registered one is read in the snapshot; 1a2b is its
  // successor, so valid, and the registration lists it from now on ...
  auto by_card = service.CheckByCertificate(clinic, "1a2b");
  ASSERT_TRUE(by_card) << by_card.error();
  EXPECT_EQ(by_card->validity, Validity::kValid);
  ASSERT_EQ(by_card->memberships.size(), 1u);
  EXPECT_EQ(by_card->memberships[0].id, "ms-1");
  EXPECT_TRUE(statement_then_snapshot());
  EXPECT_EQ(audited(), 3);
  // ... so the next check by it is one statement.
  by_card = service.CheckByCertificate(clinic, "1a2b");
  ASSERT_TRUE(by_card) << by_card.error();
  EXPECT_EQ(by_card->validity, Validity::kValid);
  EXPECT_EQ(by_card->linkage_code, "lk-1");
  EXPECT_TRUE(one_statement());
  EXPECT_EQ(audited(), 4);
  // The expired 9aa1: its successor is looked up (a second statement), and
  // 1a2b refuses it ("a newer certificate of the holder answers").
  auto expired = service.CheckByCertificate(clinic, "9aa1");
  ASSERT_FALSE(expired);
  EXPECT_TRUE(expired.error().Is(RegistryErrc::kRefused)) << expired.error();
  EXPECT_NE(expired.error().message().find("newer certificate"),
            std::string::npos)
      << expired.error();
  EXPECT_TRUE(statement_then_snapshot("ROLLBACK"));
  EXPECT_EQ(audited(), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, InsuranceStore, testing::BothBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
