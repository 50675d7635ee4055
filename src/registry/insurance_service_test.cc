// The insurance rules through InsuranceService (issue 12, items 1-4) on the
// SQLite store, residents and cards made through RegistryService with the
// CA and chip replaced by recorders. Expected result codes come from the
// national code list as documented (insurance.md §2.4, OQSCD006), the
// expected links from the rule (§4.3), worked out by hand per case.
#include "openmyna/registry/insurance_service.h"

#include "insurance_service_fixture.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono;
using testing::At;
using testing::InsuranceServiceTest;
using testing::kClerk;
using testing::kClinic;
using testing::kKenpo;
using testing::kKyosai;
using testing::kNamesakeAddress;
using testing::kSystem;
using testing::kTaroAddress;

TEST_F(InsuranceServiceTest, EnrolmentWithTheNumberLinksAndVerifies) {
  Resident taro = Register("123456789018", kTaroAddress);
  EnrolmentOutcome out = Enrol(kKenpo, Form(), "123456789018");
  EXPECT_EQ(out.membership.resident_id, taro.id);
  EXPECT_EQ(out.membership.link_state, LinkState::kVerified);
  EXPECT_EQ(out.membership.link_method, LinkMethod::kIndividualNumber);
  EXPECT_EQ(Count(Audit(taro.id), "insurance.enrol"), 1);
  // Stored without the number anywhere in the record.
  EXPECT_EQ(nlohmann::json(out.membership).dump().find("123456789018"),
            std::string::npos);
  EXPECT_EQ(ByData("01040013", "5678", "00"), Validity::kValid);
}

TEST_F(InsuranceServiceTest, EnrolmentValidatesTheInsurerNumberAndFields) {
  Membership wrong_check = Form("01040014");  // check digit is 3
  auto refused = insurance_->Enrol(kSystem, {wrong_check, ""});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(RegistryErrc::kInvalidInput));
  EXPECT_NE(refused.error().message().find("check digit"), std::string::npos);
  Membership bad_branch = Form();
  bad_branch.branch = "1";
  EXPECT_FALSE(insurance_->Enrol(kSystem, {bad_branch, ""}));
  auto bad_number = insurance_->Enrol(kKenpo, {Form(), "123456789010"});
  ASSERT_FALSE(bad_number);
  EXPECT_TRUE(bad_number.error().Is(RegistryErrc::kBadIndividualNumber));
  // An insurer enrols only into its own number.
  auto other = insurance_->Enrol(kKyosai, {Form("01040013"), ""});
  ASSERT_FALSE(other);
  EXPECT_TRUE(other.error().Is(RegistryErrc::kRefused));
}

// The 2023 failure class (insurance.md §4.2): the form lacks the number, the
// person the insurer means is not the one in the registry with that name,
// birth date and sex. 2023's partial-match registration would have linked
// the near-namesake; the five-item rule leaves the record unlinked.
TEST_F(InsuranceServiceTest, NearNamesakeWithoutTheNumberIsNotLinked) {
  Resident namesake = Register("614106526000", kNamesakeAddress);
  IssueCard(namesake);
  ASSERT_TRUE(insurance_->RegisterCard({namesake.id, Role::kResident, ""},
                                       namesake.id,
                                       RegistrationChannel::kPortal));
  EnrolmentOutcome out = Enrol(kKenpo, Form());  // Taro's address, no number
  EXPECT_EQ(out.membership.link_state, LinkState::kUnlinked);
  EXPECT_TRUE(out.membership.resident_id.empty());
  EXPECT_EQ(out.exact_candidates, 0);
  EXPECT_EQ(out.partial_candidates, 1);  // the namesake: 4 items of 5
  EXPECT_NE(out.membership.link_note.find("individual number is required"),
            std::string::npos);
  // Nothing of it reaches the namesake: no audit entry, no membership, and
  // their registered card answers 4 at the clinic.
  EXPECT_EQ(Count(Audit(namesake.id), "insurance.enrol"), 0);
  auto theirs = insurance_->MembershipsOf(kSystem, namesake.id);
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->empty());
  auto at_clinic =
      insurance_->CheckByCertificate(kClinic, AuthSerial(namesake.id));
  ASSERT_TRUE(at_clinic) << at_clinic.error();
  EXPECT_EQ(at_clinic->validity, Validity::kNoQualification);
  EXPECT_TRUE(at_clinic->memberships.empty());

  // Once the real Taro is in the registry, the same form links to him and
  // to him only (exactly one candidate).
  Resident taro = Register("123456789018", kTaroAddress);
  EnrolmentOutcome again = Enrol(kKenpo, Form("01040013", "5679"));
  EXPECT_EQ(again.exact_candidates, 1);
  EXPECT_EQ(again.partial_candidates, 1);
  EXPECT_EQ(again.membership.resident_id, taro.id);
  EXPECT_EQ(again.membership.link_method, LinkMethod::kFiveItems);
  EXPECT_EQ(again.membership.link_state, LinkState::kVerified);
}

TEST_F(InsuranceServiceTest, FormWithoutAddressOrKanaNeverLinks) {
  Register("123456789018", kTaroAddress);
  Membership no_address = Form();
  no_address.address.clear();
  EnrolmentOutcome a = Enrol(kKenpo, no_address);
  EXPECT_EQ(a.membership.link_state, LinkState::kUnlinked);
  Membership no_kana = Form("01040013", "5679");
  no_kana.name_kana.clear();
  EXPECT_EQ(Enrol(kKenpo, no_kana).membership.link_state, LinkState::kUnlinked);
}

TEST_F(InsuranceServiceTest, SeveralExactCandidatesNeedTheNumber) {
  Register("123456789018", kTaroAddress);
  Register("614106526000", kTaroAddress);  // same five items (homonym)
  EnrolmentOutcome out = Enrol(kKenpo, Form());
  EXPECT_EQ(out.exact_candidates, 2);
  EXPECT_EQ(out.membership.link_state, LinkState::kUnlinked);
  // With the number it links to the one meant.
  auto corrected = insurance_->Correct(
      kKenpo, out.membership.id,
      {"千曲 太郎", "チクマ タロウ", "1980-05-05", 1, kTaroAddress},
      "614106526000");
  ASSERT_TRUE(corrected) << corrected.error();
  EXPECT_EQ(corrected->membership.link_state, LinkState::kVerified);
  EXPECT_EQ(corrected->membership.link_method, LinkMethod::kIndividualNumber);
}

TEST_F(InsuranceServiceTest, NumberWithDifferentItemsIsLinkedButBlocked) {
  Resident taro = Register("123456789018", kTaroAddress);
  Membership typo = Form();
  typo.name_kana = "チクマ タロ";  // input error on the form
  EnrolmentOutcome out = Enrol(kKenpo, typo, "123456789018");
  EXPECT_EQ(out.membership.resident_id, taro.id);
  EXPECT_EQ(out.membership.link_state, LinkState::kMismatch);
  EXPECT_NE(out.membership.link_note.find("name_kana"), std::string::npos);
  // Blocked: the clinic does not see it.
  EXPECT_EQ(ByData("01040013", "5678", "00"), Validity::kNoQualification);
  auto corrected = insurance_->Correct(
      kKenpo, out.membership.id,
      {"千曲 太郎", "チクマ タロウ", "1980-05-05", 1, kTaroAddress});
  ASSERT_TRUE(corrected) << corrected.error();
  EXPECT_EQ(corrected->membership.link_state, LinkState::kVerified);
  EXPECT_EQ(ByData("01040013", "5678", "00"), Validity::kValid);
}

TEST_F(InsuranceServiceTest, BatchRecheckBlocksOnMismatchUntilCorrected) {
  Resident taro = Register("123456789018", kTaroAddress);
  Resident hanako = Register("614106526000", kTaroAddress, "2017-07-07",
                             "千曲 花子", "チクマ ハナコ", taro.id);
  EnrolmentOutcome t = Enrol(kKenpo, Form(), "123456789018");
  Membership child = Form("01040013", "5678", "01");
  child.relationship = Relationship::kDependent;
  child.name = hanako.name;
  child.name_kana = hanako.name_kana;
  child.date_of_birth = hanako.date_of_birth;
  child.sex = Sex::kFemale;  // the registry says male: the form differs
  EnrolmentOutcome h = Enrol(kKenpo, child, "614106526000");
  EXPECT_EQ(h.membership.link_state, LinkState::kMismatch);

  auto first = insurance_->RecheckLinks(kSystem);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->checked, 2);
  EXPECT_EQ(first->verified, 1);
  EXPECT_EQ(first->mismatched, 1);

  // Taro moves within the city; the registry changes, the insurer's copy
  // does not: the next collation blocks his record.
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident(taro.id));
    r->address = "長野県千曲市大字屋代1番地";
    return tx.UpdateResident(*r);
  }));
  auto second = insurance_->RecheckLinks(kSystem);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->mismatched, 2);
  EXPECT_EQ(Count(Audit(taro.id), "insurance.collate"), 1);
  EXPECT_EQ(ByData("01040013", "5678", "00"), Validity::kNoQualification);

  // The insurer confirms Taro's with a reason; corrects Hanako's.
  EXPECT_FALSE(insurance_->Override(kKenpo, t.membership.id, ""));
  auto confirmed =
      insurance_->Override(kKenpo, t.membership.id, "転居届の反映待ち");
  ASSERT_TRUE(confirmed) << confirmed.error();
  EXPECT_EQ(confirmed->link_state, LinkState::kOverridden);
  EXPECT_EQ(ByData("01040013", "5678", "00"), Validity::kValid);
  EXPECT_FALSE(insurance_->Override(kKyosai, h.membership.id, "x"));
  auto fixed = insurance_->Correct(
      kKenpo, h.membership.id,
      {hanako.name, hanako.name_kana, hanako.date_of_birth, 1, kTaroAddress});
  ASSERT_TRUE(fixed) << fixed.error();
  EXPECT_EQ(fixed->membership.link_state, LinkState::kVerified);
  auto third = insurance_->RecheckLinks(kSystem);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->overridden, 1);
  EXPECT_EQ(third->verified, 1);
  EXPECT_EQ(third->mismatched, 0);
  // Only the system runs the batch.
  EXPECT_FALSE(insurance_->RecheckLinks(kKenpo));
}

// Job change: insured at the 共済 until 2026-03-31 (資格喪失 2026-04-01,
// reason 03), then at 協会けんぽ. Answers on 2026-12-01 (OQSCD006).
TEST_F(InsuranceServiceTest, EligibilityCodesByCardData) {
  Register("123456789018", kTaroAddress);
  Membership old = Form("33120015", "880", "00");
  old.acquired_on = "2003-04-01";
  EnrolmentOutcome o = Enrol(kKyosai, old, "123456789018");
  ASSERT_TRUE(insurance_->Lose(kKyosai, o.membership.id, "2026-04-01", "03"));
  Membership now = Form("01040013", "5678", "00");
  now.acquired_on = "2026-04-01";
  Enrol(kKenpo, now, "123456789018");
  EXPECT_EQ(ByData("01040013", "5678", "00"), Validity::kValid);
  EXPECT_EQ(ByData("33120015", "880", "00"), Validity::kInvalidNewerExists);
  EXPECT_EQ(ByData("  01040013", "5678", "", "1980-05-05", "1234"),
            Validity::kValid);
  EXPECT_EQ(ByData("01040013", "5678", "00", "1980-05-06"),
            Validity::kNoQualification);  // birth date differs
  EXPECT_EQ(ByData("01040013", "9999", "00"), Validity::kNoQualification);
  EXPECT_EQ(ByData("01040013", "5678", "00", "1980-05-05", "9999"),
            Validity::kNoQualification);  // 記号 differs

  // Lapsed without a newer one: 2. Twins as dependents, 枝番 omitted: 5.
  Membership lapsed = Form("01040013", "7000", "00");
  lapsed.name = "無関係 一郎";  // not in the registry: stays unlinked
  lapsed.acquired_on = "2010-01-01";
  lapsed.lost_on = "2025-01-01";
  Enrol(kKenpo, lapsed);
  EXPECT_EQ(ByData("01040013", "7000", "00"), Validity::kInvalid);
  for (const char* branch : {"02", "03"}) {
    Membership twin = Form("01040013", "5678", branch);
    twin.relationship = Relationship::kDependent;
    twin.name = std::string("双子 ") + branch;
    twin.date_of_birth = "2020-02-02";
    Enrol(kKenpo, twin);
  }
  EXPECT_EQ(ByData("01040013", "5678", "", "2020-02-02"), Validity::kMultiple);
  EXPECT_EQ(ByData("01040013", "5678", "03", "2020-02-02"), Validity::kValid);

  auto answer = insurance_->CheckByCardData(
      kClinic, {"01040013", "", "5678", "00", "1980-05-05"});
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->insurers.size(), 1u);
  EXPECT_EQ(answer->insurers[0].name, "協会けんぽ 宮城支部");
  EXPECT_EQ(answer->reference_classification, 2);
  EXPECT_EQ(answer->confirmation_date, "2026-12-01");

  // Malformed queries and unknown clinics are refused, not answered.
  EXPECT_FALSE(insurance_->CheckByCardData(
      kClinic, {"01040019", "", "5678", "00", "1980-05-05"}));
  auto unknown_clinic =
      insurance_->CheckByCardData({"9999999999", Role::kClinic, ""},
                                  {"01040013", "", "5678", "00", "1980-05-05"});
  ASSERT_FALSE(unknown_clinic);
  EXPECT_TRUE(unknown_clinic.error().Is(RegistryErrc::kRefused));
  EXPECT_NE(unknown_clinic.error().message().find("9999999999"),
            std::string::npos);
  EXPECT_FALSE(insurance_->CheckByCardData(
      kKenpo, {"01040013", "", "5678", "00", "1980-05-05"}));
}

TEST_F(InsuranceServiceTest, CardRegistrationAndCheckByCertificate) {
  Resident taro = Register("123456789018", kTaroAddress);
  Card card = IssueCard(taro);
  Enrol(kKenpo, Form(), "123456789018");
  const std::string serial = AuthSerial(taro.id);
  ASSERT_FALSE(serial.empty());

  // Not registered yet: 4.
  auto before = insurance_->CheckByCertificate(kClinic, serial);
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(before->validity, Validity::kNoQualification);

  const Actor self{taro.id, Role::kResident, ""};
  auto reg = insurance_->RegisterCard(self, taro.id,
                                      RegistrationChannel::kPortal, serial);
  ASSERT_TRUE(reg) << reg.error();
  EXPECT_EQ(reg->certificate_serials, std::vector<std::string>{serial});
  EXPECT_FALSE(reg->linkage_code.empty());
  EXPECT_FALSE(insurance_->RegisterCard({"someone", Role::kResident, ""},
                                        taro.id, RegistrationChannel::kPortal));

  auto answer = insurance_->CheckByCertificate(kClinic, serial);
  ASSERT_TRUE(answer) << answer.error();
  EXPECT_EQ(answer->validity, Validity::kValid);
  EXPECT_EQ(answer->reference_classification, 1);
  ASSERT_EQ(answer->memberships.size(), 1u);
  EXPECT_EQ(answer->memberships[0].number, "5678");
  EXPECT_EQ(answer->memberships[0].contribution_percent, 30);
  EXPECT_EQ(answer->linkage_code, reg->linkage_code);
  // The clinic's check is in the resident's trail with the clinic's name.
  bool named = false;
  for (const AuditEntry& e : Audit(taro.id)) {
    if (e.action == "insurance.eligibility" && e.actor_id == kClinic.id &&
        e.reason.find("サンドボックス診療所") != std::string::npos) {
      named = true;
    }
  }
  EXPECT_TRUE(named);

  // Suspended: the certificate is on hold, the check refused. Lifted: the
  // successor certificate answers 1 and joins the registration.
  ASSERT_TRUE(registry_->Suspend(kClerk, card.id));
  auto held = insurance_->CheckByCertificate(kClinic, serial);
  ASSERT_FALSE(held);
  EXPECT_TRUE(held.error().Is(RegistryErrc::kRefused));
  ASSERT_TRUE(registry_->LiftSuspension(kClerk, card.id));
  const std::string successor = AuthSerial(taro.id);
  ASSERT_NE(successor, serial);
  auto after = insurance_->CheckByCertificate(kClinic, successor);
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(after->validity, Validity::kValid);
  auto stored = store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto r, InsuranceTx(tx).GetRegistration(taro.id));
    EXPECT_EQ(r->certificate_serials,
              (std::vector<std::string>{serial, successor}));
    return Ok();
  });
  EXPECT_TRUE(stored);

  // Cancelled: 4 again.
  ASSERT_TRUE(insurance_->CancelRegistration(self, taro.id));
  auto cancelled = insurance_->CheckByCertificate(kClinic, successor);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->validity, Validity::kNoQualification);
}

// 保険証利用登録 follows the card's successors (item 3) through the
// registry's holder look-up: after a reissue and after a renewal the new
// card's certificate answers and joins the registration, the old one is
// refused; an expired certificate answers for 3 months only. Serials and
// dates are the registry's records read through GetResident.
TEST_F(InsuranceServiceTest, SuccessorsAfterReissueAndRenewal) {
  Resident taro = Register("123456789018", kTaroAddress);
  Card first = IssueCard(taro);
  Enrol(kKenpo, Form(), "123456789018");
  const std::string serial1 = AuthSerial(taro.id);
  const Actor self{taro.id, Role::kResident, ""};
  ASSERT_TRUE(insurance_->RegisterCard(self, taro.id,
                                       RegistrationChannel::kPortal, serial1));
  auto Serials = [&] {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto r,
                                InsuranceTx(tx).GetRegistration(taro.id));
      if (r) out = r->certificate_serials;
      return Ok();
    }));
    return out;
  };
  auto Refused = [&](const std::string& serial) {
    auto answer = insurance_->CheckByCertificate(kClinic, serial);
    return !answer && answer.error().Is(RegistryErrc::kRefused);
  };
  auto Valid = [&](const std::string& serial) {
    auto answer = insurance_->CheckByCertificate(kClinic, serial);
    EXPECT_TRUE(answer) << answer.error();
    return answer && answer->validity == Validity::kValid;
  };

  // Reissue after a loss.
  ASSERT_TRUE(registry_->ReportLossOrTheft(kClerk, first.id,
                                           ReissueReason::kLoss, "長野-7"));
  EXPECT_TRUE(Refused(serial1));
  auto reissue =
      registry_->ApplyForReissue(kClerk, taro.id, ReissueReason::kLoss, true);
  ASSERT_TRUE(reissue) << reissue.error();
  clock_.Advance(hours(24 * 14));
  auto second = registry_->Produce(kClerk, reissue->id);
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE(registry_->Deliver(kClerk, second->id, taro.id,
                                 {"ABC123", "1234", "5678", "9012"}));
  const std::string serial2 = AuthSerial(taro.id);
  ASSERT_NE(serial2, serial1);
  EXPECT_TRUE(Valid(serial2));
  EXPECT_TRUE(Refused(serial1));
  EXPECT_EQ(Serials(), (std::vector<std::string>{serial1, serial2}));

  // The 3-month grace of an expired certificate without successor.
  TimePoint not_after{};
  auto file = registry_->GetResident(kSystem, taro.id);
  ASSERT_TRUE(file);
  for (const Certificate& c : file->certificates) {
    if (c.serial == serial2) not_after = c.not_after;
  }
  clock_.Set(not_after + hours(24 * 20));
  EXPECT_TRUE(Valid(serial2));
  clock_.Set(not_after + hours(24 * 100));
  EXPECT_TRUE(Refused(serial2));

  // Renewal of the card (its window opens 3 months before its expiry).
  auto domain_expiry = domain::ParseDate(second->expires_on);
  ASSERT_TRUE(domain_expiry) << second->expires_on;
  clock_.Set(At(static_cast<int>(domain_expiry->year()),
                static_cast<unsigned>(domain_expiry->month()), 1) -
             hours(24 * 20));
  auto renewal = registry_->ApplyForRenewal(kClerk, taro.id);
  ASSERT_TRUE(renewal) << renewal.error();
  auto third = registry_->Produce(kClerk, renewal->id);
  ASSERT_TRUE(third) << third.error();
  ASSERT_TRUE(registry_->Deliver(kClerk, third->id, taro.id,
                                 {"ABC123", "1234", "5678", "9012"}));
  // The renewed card's: the expired one of the second card stays
  // unrevoked in the record (it simply expired).
  std::string serial3;
  file = registry_->GetResident(kSystem, taro.id);
  ASSERT_TRUE(file);
  for (const Certificate& c : file->certificates) {
    if (c.card_id == third->id && c.type == CertificateType::kAuthentication) {
      serial3 = c.serial;
    }
  }
  ASSERT_FALSE(serial3.empty());
  ASSERT_NE(serial3, serial2);
  EXPECT_TRUE(Valid(serial3));
  EXPECT_TRUE(Refused(serial2));
  EXPECT_TRUE(Refused(serial1));
  EXPECT_EQ(Serials(), (std::vector<std::string>{serial1, serial2, serial3}));
}

TEST_F(InsuranceServiceTest, FaceAuthCardRegistersOnlyAtAReader) {
  Resident haru = Register("060122228102", "長野県千曲市大字稲荷山100番地",
                           "1945-02-11", "更級 ハル", "サラシナ ハル");
  IssueCard(haru, CardKind::kFaceAuth);
  const Actor self{haru.id, Role::kResident, ""};
  auto portal =
      insurance_->RegisterCard(self, haru.id, RegistrationChannel::kPortal);
  // A face-auth card has no certificates at all in this registry yet, or
  // it is refused for the channel: either way not through the portal.
  ASSERT_FALSE(portal);
  EXPECT_TRUE(portal.error().Is(RegistryErrc::kRefused));
  EXPECT_FALSE(
      insurance_->RegisterCard(kClinic, haru.id, RegistrationChannel::kPortal));
}

// Consent (insurance.md §3.1): without it no medication data; with it the
// consented items; after 24 hours none again; each access in the trail.
TEST_F(InsuranceServiceTest, MedicalInformationOnlyWithinAValidConsent) {
  Resident taro = Register("123456789018", kTaroAddress);
  IssueCard(taro);
  Enrol(kKenpo, Form(), "123456789018");
  ASSERT_TRUE(
      insurance_->RegisterCard(kSystem, taro.id, RegistrationChannel::kPortal));
  MedicationRecord r;
  r.resident_id = taro.id;
  r.dispensed_on = "2026-11-01";
  r.drug_name = "サンプル錠";
  ASSERT_TRUE(insurance_->AddMedication(kSystem, r));
  CheckupRecord c;
  c.resident_id = taro.id;
  c.examined_on = "2026-06-01";
  ASSERT_TRUE(insurance_->AddCheckup(kSystem, c));
  // The card data the eligibility answer gave the clinic.
  const CardDataQuery code{"01040013", "1234", "5678", "00", "1980-05-05"};

  auto before = insurance_->MedicalInformationFor(kClinic, code);
  ASSERT_FALSE(before);
  EXPECT_TRUE(before.error().Is(RegistryErrc::kRefused));
  // Items the facility did not enable are refused ("care" is off here).
  EXPECT_FALSE(insurance_->RecordConsent(kClinic, AuthSerial(taro.id),
                                         {"drug", "care"}, "pin"));
  auto consent =
      insurance_->RecordConsent(kClinic, AuthSerial(taro.id), {"drug"}, "face");
  ASSERT_TRUE(consent) << consent.error();
  EXPECT_EQ(consent->valid_until - consent->given_at, hours(24));
  auto within = insurance_->MedicalInformationFor(kClinic, code);
  ASSERT_TRUE(within) << within.error();
  EXPECT_EQ(within->medication.size(), 1u);
  EXPECT_TRUE(within->checkups.empty());  // not consented
  // Another facility has no consent.
  ASSERT_TRUE(insurance_->PutInstitution(
      kSystem,
      {"2040000018", "別の薬局", InstitutionKind::kPharmacy, "清瀬市"}));
  EXPECT_FALSE(insurance_->MedicalInformationFor(
      {"2040000018", Role::kClinic, ""}, code));
  clock_.Advance(hours(24) + seconds(1));
  EXPECT_FALSE(insurance_->MedicalInformationFor(kClinic, code));
  const auto trail = Audit(taro.id);
  EXPECT_EQ(Count(trail, "insurance.consent"), 1);
  EXPECT_EQ(Count(trail, "insurance.medical_information"), 1);
}

TEST_F(InsuranceServiceTest, MedicalInformationIsTheResidentsOwn) {
  Resident taro = Register("123456789018", kTaroAddress);
  Resident other = Register("614106526000", kNamesakeAddress);
  MedicationRecord r;
  r.resident_id = taro.id;
  r.dispensed_on = "2026-11-01";
  r.drug_name = "サンプル錠";
  ASSERT_TRUE(insurance_->AddMedication(kSystem, r));
  EXPECT_FALSE(insurance_->AddMedication(kClinic, r));
  auto own = insurance_->MedicationOf({taro.id, Role::kResident, ""}, taro.id);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->size(), 1u);
  EXPECT_FALSE(
      insurance_->MedicationOf({other.id, Role::kResident, ""}, taro.id));
  EXPECT_FALSE(insurance_->MedicationOf(kClinic, taro.id));
}

}  // namespace
}  // namespace openmyna::registry
