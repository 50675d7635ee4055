// Life events through RegistryService (issue 5, item 2) on the SQLite store,
// with the CA and the chip replaced by recorders. Expected dates are worked
// out by hand from domain.md §5 (noted beside each), fees from §6.
#include "openmyna/registry/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "openmyna/base/log.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/errors.h"
#include "testing/registry_fixture.h"
#include "testing/service_fixture.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono;
using testing::RecordingCa;
using testing::RecordingCard;

// 2025-06-01 10:00 JST.
TimePoint At(int y, unsigned m, unsigned d, int hour_jst = 10) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hour_jst - 9};
}

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};
const Actor kHotline{"op-7", Role::kHotlineOperator, "caller reported loss"};
const Actor kKiosk{"kiosk-3", Role::kKiosk, "certificate issuance"};
const Actor kSystem{"batch", Role::kSystem, "nightly batch"};

class ServiceTest : public testing::RegistryServiceFixture {
 protected:
  ServiceTest() : RegistryServiceFixture(At(2025, 6, 1), 42) {}

  Resident Register(std::string number, std::string dob,
                    std::string representative = "", bool ward = false) {
    Resident r;
    r.individual_number = std::move(number);
    r.name = "番号 花子";
    r.date_of_birth = std::move(dob);
    r.sex = Sex::kFemale;
    r.address = "長野県千曲市杭瀬下84";
    r.municipality_code = "20218";
    r.legal_representative_id = std::move(representative);
    r.adult_ward = ward;
    auto registered = registry_->RegisterResident(kClerk, r);
    EXPECT_TRUE(registered) << registered.error();
    return registered.value_or(Resident{});
  }

  // Apply, produce and deliver a standard card with both certificates.
  Card IssueCard(const Resident& r, Passwords p = AdultPasswords()) {
    auto delivered =
        testing::IssueCard(*registry_, r, CardKind::kStandard, p, kClerk);
    EXPECT_TRUE(delivered) << delivered.error();
    return delivered.value_or(Card{});
  }

  static Passwords AdultPasswords() { return testing::AdultPasswords(); }

  std::vector<Certificate> Certificates(const std::string& resident_id) {
    auto file = registry_->GetResident(kSystem, resident_id);
    EXPECT_TRUE(file);
    return file ? file->certificates : std::vector<Certificate>{};
  }
};

TEST_F(ServiceTest, AdultIssueGivesTenYearCardAndBothCertificates) {
  Resident r = Register("123456789018", "1990-04-01");
  Card card = IssueCard(r);
  EXPECT_EQ(card.state, CardState::kActive);
  EXPECT_EQ(card.issued_on, "2025-06-01");
  // 35 at issue: the 10th birthday after 2025-06-01 is 2035-04-01.
  EXPECT_EQ(card.expires_on, "2035-04-01");
  ASSERT_EQ(ca_.issued.size(), 2u);
  for (const auto& call : ca_.issued) {
    EXPECT_EQ(call.last_day, "2030-04-01");  // the 5th birthday
    EXPECT_EQ(call.municipality_code, "20218");
  }
  // Keys made on this card, certificates written back into it.
  EXPECT_THAT(card_.keys,
              ::testing::UnorderedElementsAre(card.id + ":authentication",
                                              card.id + ":signature"));
  EXPECT_EQ(card_.installed.size(), 2u);
  EXPECT_EQ(card_.passwords[card.id].signature, "ABC123");
}

TEST_F(ServiceTest, RejectsMalformedResidentInput) {
  Resident r;
  r.individual_number = "123456789010";  // wrong check digit (jpki.md §5.1)
  r.name = "x";
  r.address = "y";
  r.date_of_birth = "1990-01-01";
  r.municipality_code = "20218";
  auto bad_number = registry_->RegisterResident(kClerk, r);
  ASSERT_FALSE(bad_number);
  EXPECT_TRUE(bad_number.error().Is(RegistryErrc::kBadIndividualNumber));
  r.individual_number = "123456789018";
  r.date_of_birth = "1990-02-30";
  auto bad_date = registry_->RegisterResident(kClerk, r);
  ASSERT_FALSE(bad_date);
  EXPECT_TRUE(bad_date.error().Is(RegistryErrc::kInvalidInput));
  r.date_of_birth = "1990-01-01";
  r.municipality_code = "99999";
  auto unknown = registry_->RegisterResident(kClerk, r);
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().Is(RegistryErrc::kNotFound));
}

TEST_F(ServiceTest, UnderFifteenNeedsTheRepresentativeAndGetsNoSignature) {
  Resident parent = Register("123456789018", "1985-01-15");
  Resident child = Register("614106526000", "2015-08-10", parent.id);
  auto by_child = registry_->Apply(kClerk, {child.id, child.id});
  ASSERT_FALSE(by_child);
  EXPECT_TRUE(by_child.error().Is(RegistryErrc::kRefused));
  auto with_signature = registry_->Apply(kClerk, {child.id, parent.id});
  ASSERT_FALSE(with_signature);
  EXPECT_THAT(with_signature.error().message(),
              ::testing::HasSubstr("no signature certificate under 15"));
  ApplicationRequest req{child.id, parent.id};
  req.signature_certificate = false;
  auto app = registry_->Apply(kClerk, req);
  ASSERT_TRUE(app) << app.error();
  auto card = registry_->Produce(kClerk, app->id);
  ASSERT_TRUE(card);
  // 9 at issue: birthdays after 2025-06-01 are 2025-08-10 (1st) ...
  // 2029-08-10 (5th).
  EXPECT_EQ(card->expires_on, "2029-08-10");
  // A signature password cannot be set on this card.
  auto bad = registry_->Deliver(kClerk, card->id, parent.id,
                                {"ABC123", "1234", "5678", "9012"});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(RegistryErrc::kInvalidInput));
  auto to_child = registry_->Deliver(kClerk, card->id, child.id,
                                     {"", "1234", "5678", "9012"});
  ASSERT_FALSE(to_child);
  EXPECT_TRUE(to_child.error().Is(RegistryErrc::kRefused));
  auto delivered = registry_->Deliver(kClerk, card->id, parent.id,
                                      {"", "1234", "5678", "9012"});
  ASSERT_TRUE(delivered) << delivered.error();
  ASSERT_EQ(ca_.issued.size(), 1u);
  EXPECT_EQ(ca_.issued[0].type, CertificateType::kAuthentication);
}

TEST_F(ServiceTest, FaceAuthCardHasNoPasswordsAndNoSignature) {
  Resident r = Register("123456789018", "1950-03-03");
  ApplicationRequest req{r.id, r.id, CardKind::kFaceAuth};
  ASSERT_FALSE(registry_->Apply(kClerk, req));
  req.signature_certificate = false;
  auto app = registry_->Apply(kClerk, req);
  ASSERT_TRUE(app) << app.error();
  auto card = registry_->Produce(kClerk, app->id);
  ASSERT_TRUE(card);
  ASSERT_FALSE(
      registry_->Deliver(kClerk, card->id, r.id, {"", "1234", "", ""}));
  auto delivered = registry_->Deliver(kClerk, card->id, r.id, {});
  ASSERT_TRUE(delivered) << delivered.error();
  EXPECT_EQ(delivered->kind, CardKind::kFaceAuth);
  for (const auto& call : ca_.issued) {
    EXPECT_NE(call.type, CertificateType::kSignature);
  }
}

TEST_F(ServiceTest, DeclinedCertificatesAreAddedLater) {
  Resident r = Register("123456789018", "1990-04-01");
  ApplicationRequest req{r.id, r.id};
  req.signature_certificate = false;
  req.authentication_certificate = false;
  auto app = registry_->Apply(kClerk, req);
  ASSERT_TRUE(app);
  auto card = registry_->Produce(kClerk, app->id);
  ASSERT_TRUE(card);
  ASSERT_TRUE(
      registry_->Deliver(kClerk, card->id, r.id, {"", "", "5678", "9012"}));
  EXPECT_TRUE(ca_.issued.empty());
  clock_.Set(At(2026, 6, 1));
  auto added = registry_->AddCertificates(kClerk, card->id, true, true,
                                          {"XYZ789", "4321", "", ""});
  ASSERT_TRUE(added) << added.error();
  ASSERT_EQ(ca_.issued.size(), 2u);
  // Issued 2026-06-01: 2027-04-01 is the 1st birthday, 2031-04-01 the 5th.
  EXPECT_EQ(ca_.issued[0].last_day, "2031-04-01");
  // Asking again while they are good is refused.
  EXPECT_FALSE(registry_->AddCertificates(kClerk, card->id, true, false,
                                          {"XYZ789", "", "", ""}));
}

TEST_F(ServiceTest, HotlineSuspensionHoldsBothCertificatesAtAnyHour) {
  Resident r = Register("123456789018", "1990-04-01");
  Card card = IssueCard(r);
  clock_.Set(At(2025, 7, 4, 3));  // 03:00 JST on a Friday night
  EXPECT_FALSE(registry_->Suspend(kKiosk, card.id));
  auto suspended = registry_->Suspend(kHotline, card.id);
  ASSERT_TRUE(suspended) << suspended.error();
  EXPECT_EQ(suspended->state, CardState::kSuspended);
  ASSERT_EQ(ca_.revoked.size(), 2u);
  for (const auto& call : ca_.revoked) {
    EXPECT_EQ(call.reason, RevocationReason::kCertificateHold);
  }
  // The counter lifts it (the hotline cannot): new certificates, the held
  // ones stay revoked (jpki.md §13 row 14).
  EXPECT_FALSE(registry_->LiftSuspension(kHotline, card.id));
  auto lifted = registry_->LiftSuspension(kClerk, card.id);
  ASSERT_TRUE(lifted) << lifted.error();
  EXPECT_EQ(lifted->state, CardState::kActive);
  EXPECT_EQ(ca_.issued.size(), 4u);
  int held = 0, good = 0;
  for (const Certificate& c : Certificates(r.id)) {
    if (c.revoked) {
      EXPECT_EQ(c.reason, RevocationReason::kCertificateHold);
      ++held;
    } else {
      ++good;
    }
  }
  EXPECT_EQ(held, 2);
  EXPECT_EQ(good, 2);
}

TEST_F(ServiceTest, LossNeedsPoliceReportAndReissueCostsByCertificates) {
  Resident a = Register("123456789018", "1990-04-01");
  Resident b = Register("614106526000", "1980-12-24");
  Card card_a = IssueCard(a);
  Card card_b = IssueCard(b);
  EXPECT_FALSE(registry_->ApplyForReissue(kClerk, a.id, ReissueReason::kLoss,
                                          true));  // not reported yet
  auto no_report =
      registry_->ReportLossOrTheft(kClerk, card_a.id, ReissueReason::kLoss, "");
  ASSERT_FALSE(no_report);
  EXPECT_TRUE(no_report.error().Is(RegistryErrc::kInvalidInput));
  auto lost = registry_->ReportLossOrTheft(
      kClerk, card_a.id, ReissueReason::kLoss, "長野-2025-123");
  ASSERT_TRUE(lost) << lost.error();
  EXPECT_EQ(lost->state, CardState::kVoid);
  EXPECT_EQ(lost->void_reason, VoidReason::kLost);
  ASSERT_TRUE(registry_->ReportLossOrTheft(kHotline, card_b.id,
                                           ReissueReason::kTheft, "東京-77"));
  auto with =
      registry_->ApplyForReissue(kClerk, a.id, ReissueReason::kLoss, true);
  auto without =
      registry_->ApplyForReissue(kClerk, b.id, ReissueReason::kTheft, false);
  ASSERT_TRUE(with) << with.error();
  ASSERT_TRUE(without) << without.error();
  EXPECT_EQ(with->fee_yen, 1000);
  EXPECT_EQ(without->fee_yen, 800);
  auto file = registry_->GetResident(kClerk, a.id);
  ASSERT_TRUE(file);
  ASSERT_EQ(file->fees.size(), 1u);
  EXPECT_EQ(file->fees[0].amount_yen, 1000);
  // The reissued card is made and delivered like a first one.
  auto card = registry_->Produce(kClerk, with->id);
  ASSERT_TRUE(card);
  ASSERT_TRUE(registry_->Deliver(kClerk, card->id, a.id, AdultPasswords()));
}

TEST_F(ServiceTest, DamagedCardIsVoidedAtReissue) {
  Resident r = Register("123456789018", "1990-04-01");
  Card card = IssueCard(r);
  auto app =
      registry_->ApplyForReissue(kClerk, r.id, ReissueReason::kDamage, true);
  ASSERT_TRUE(app) << app.error();
  EXPECT_EQ(app->fee_yen, 1000);
  for (const Certificate& c : Certificates(r.id)) {
    EXPECT_TRUE(c.revoked);
    EXPECT_EQ(c.reason, RevocationReason::kCessationOfOperation);
  }
}

TEST_F(ServiceTest, RenewalOpensThreeMonthsBeforeExpiryAndIsFree) {
  // 16 at issue: card and certificates end on the 5th birthday, 2030-04-01.
  Resident parent = Register("614106526000", "1980-01-01");
  Resident r = Register("123456789018", "2009-04-01", parent.id);
  Card card = IssueCard(r);
  ASSERT_EQ(card.expires_on, "2030-04-01");
  clock_.Set(At(2029, 12, 31));
  auto early = registry_->ApplyForRenewal(kClerk, r.id);
  ASSERT_FALSE(early);
  EXPECT_THAT(early.error().message(), ::testing::HasSubstr("2030-01-01"));
  auto none = registry_->GenerateRenewalNotices(kSystem);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  clock_.Set(At(2030, 1, 1));
  auto notices = registry_->GenerateRenewalNotices(kSystem);
  ASSERT_TRUE(notices);
  EXPECT_EQ(*notices, 1);
  auto again = registry_->GenerateRenewalNotices(kSystem);
  EXPECT_EQ(again.value_or(-1), 0);  // one notice per card
  auto app = registry_->ApplyForRenewal(kClerk, r.id);
  ASSERT_TRUE(app) << app.error();
  EXPECT_EQ(app->fee_yen, 0);
  auto fresh = registry_->Produce(kClerk, app->id);
  ASSERT_TRUE(fresh);
  ASSERT_TRUE(registry_->Deliver(kClerk, fresh->id, r.id, AdultPasswords()));
  auto file = registry_->GetResident(kClerk, r.id);
  ASSERT_TRUE(file);
  for (const Card& c : file->cards) {
    if (c.id == card.id) {
      EXPECT_EQ(c.void_reason, VoidReason::kReplaced);
    }
  }
  int superseded = 0;
  for (const auto& call : ca_.revoked) {
    superseded += call.reason == RevocationReason::kSuperseded;
  }
  EXPECT_EQ(superseded, 2);
  ASSERT_EQ(file->notices.size(), 1u);
  EXPECT_TRUE(file->fees.empty());
}

TEST_F(ServiceTest, AddressChangeRewritesChipAndReplacesOnlySignature) {
  Resident r = Register("123456789018", "1990-04-01");
  Card card = IssueCard(r);
  clock_.Set(At(2026, 2, 1));
  auto changed =
      registry_->ChangeAddress(kClerk, r.id, "長野県千曲市大字屋代1-1");
  ASSERT_TRUE(changed) << changed.error();
  ASSERT_TRUE(changed->card);
  ASSERT_EQ(changed->card->notes.size(), 1u);
  EXPECT_EQ(changed->card->notes[0].text, "住所 長野県千曲市大字屋代1-1");
  EXPECT_EQ(changed->card->notes[0].written_on, "2026-02-01");
  ASSERT_EQ(card_.rewritten.size(), 1u);
  EXPECT_EQ(card_.rewritten[0].second, "番号 花子|長野県千曲市大字屋代1-1");
  ASSERT_EQ(ca_.revoked.size(), 1u);
  EXPECT_EQ(ca_.revoked[0].reason, RevocationReason::kAffiliationChanged);
  std::map<CertificateType, std::pair<int, int>> counts;  // good, revoked
  for (const Certificate& c : Certificates(r.id)) {
    (c.revoked ? counts[c.type].second : counts[c.type].first)++;
  }
  EXPECT_EQ(counts[CertificateType::kAuthentication], std::make_pair(1, 0));
  EXPECT_EQ(counts[CertificateType::kSignature], std::make_pair(1, 1));
  EXPECT_EQ(ca_.issued.back().last_day, "2030-04-01");  // capped by auth
}

TEST_F(ServiceTest, FullNotesAreaLeadsToAFreeReissue) {
  Resident r = Register("123456789018", "1990-04-01");
  IssueCard(r);
  for (int i = 0; i < 4; ++i) {
    auto changed =
        registry_->ChangeAddress(kClerk, r.id, "千曲市 " + std::to_string(i));
    ASSERT_TRUE(changed);
    EXPECT_FALSE(changed->notes_full_reissue);
  }
  auto fifth = registry_->ChangeAddress(kClerk, r.id, "千曲市 5");
  ASSERT_TRUE(fifth) << fifth.error();
  ASSERT_TRUE(fifth->notes_full_reissue);
  EXPECT_EQ(fifth->notes_full_reissue->kind, ApplicationKind::kNotesFull);
  EXPECT_EQ(fifth->notes_full_reissue->fee_yen, 0);
  EXPECT_EQ(fifth->card->notes.size(), 4u);
  EXPECT_EQ(fifth->resident.address, "千曲市 5");
}

TEST_F(ServiceTest, CardNotPresentedWithinNinetyDaysIsVoid) {
  Resident a = Register("123456789018", "1990-04-01");
  Resident b = Register("614106526000", "1991-05-05");
  Card card_a = IssueCard(a);
  Card card_b = IssueCard(b);
  clock_.Set(At(2026, 3, 1));
  ASSERT_TRUE(registry_->MoveIn(kClerk, a.id, "13221", "東京都清瀬市中里5",
                                "2026-03-01"));
  ASSERT_TRUE(registry_->MoveIn(kClerk, b.id, "13221", "東京都清瀬市元町1",
                                "2026-03-01"));
  // Last day: 2026-03-01 + 90 days = 2026-05-30.
  clock_.Set(At(2026, 5, 30));
  auto in_time = registry_->PresentAfterMoveIn(kClerk, card_a.id);
  ASSERT_TRUE(in_time) << in_time.error();
  EXPECT_EQ(in_time->presented_in, "13221");
  EXPECT_EQ(in_time->notes.back().text, "住所 東京都清瀬市中里5");
  clock_.Set(At(2026, 5, 31));
  auto late = registry_->PresentAfterMoveIn(kClerk, card_b.id);
  ASSERT_FALSE(late);
  EXPECT_THAT(late.error().message(), ::testing::HasSubstr("2026-05-30"));
  auto file = registry_->GetResident(kClerk, b.id);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->cards[0].state, CardState::kVoid);
  EXPECT_EQ(file->cards[0].void_reason, VoidReason::kNotPresentedInTime);
}

TEST_F(ServiceTest, ExpirySweepVoidsLateAndExpiredCards) {
  Resident a = Register("123456789018", "1990-04-01");
  Resident b = Register("614106526000", "1991-05-05");
  IssueCard(a);
  IssueCard(b);
  clock_.Set(At(2026, 3, 1));
  ASSERT_TRUE(registry_->MoveIn(kClerk, b.id, "13221", "清瀬市", "2026-03-01"));
  clock_.Set(At(2026, 5, 31));
  auto swept = registry_->ExpireCards(kSystem);
  ASSERT_TRUE(swept) << swept.error();
  EXPECT_EQ(*swept, 1);        // b only
  clock_.Set(At(2035, 4, 2));  // a's card expired on 2035-04-01
  swept = registry_->ExpireCards(kSystem);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
  EXPECT_FALSE(registry_->ExpireCards(kClerk));  // a batch job only
}

TEST_F(ServiceTest, PasswordResetAtTheCounter) {
  Resident r = Register("123456789018", "1990-04-01");
  Card card = IssueCard(r);
  auto weak = registry_->ResetPassword(kClerk, card.id,
                                       domain::PasswordKind::kSignature, "abc");
  ASSERT_FALSE(weak);
  EXPECT_TRUE(weak.error().Is(RegistryErrc::kInvalidInput));
  EXPECT_FALSE(registry_->ResetPassword(
      kKiosk, card.id, domain::PasswordKind::kAuthentication, "1111"));
  ASSERT_TRUE(registry_->ResetPassword(
      kClerk, card.id, domain::PasswordKind::kAuthentication, "1111"));
  ASSERT_EQ(card_.resets.size(), 1u);
  EXPECT_EQ(card_.resets[0].kind, domain::PasswordKind::kAuthentication);
}

TEST_F(ServiceTest, ForeignResidentCardFollowsThePeriodOfStay) {
  Resident r;
  r.individual_number = "510136263801";
  r.name = "SMITH JOHN";
  r.date_of_birth = "1990-04-01";
  r.address = "長野県千曲市";
  r.municipality_code = "20218";
  r.foreign = ForeignResidence{"技術・人文知識・国際業務",
                               domain::ResidenceStatus::kMidToLongTerm,
                               "2027-03-31", ""};
  auto registered = registry_->RegisterResident(kClerk, r);
  ASSERT_TRUE(registered) << registered.error();
  Card card = IssueCard(*registered);
  EXPECT_EQ(card.expires_on, "2027-03-31");  // the end of the stay
  auto moved =
      registry_->ChangePeriodOfStay(kClerk, registered->id, "2030-03-31");
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_EQ(moved->expires_on, "2030-03-31");
  // Never beyond a Japanese national's 2035-04-01.
  moved = registry_->ChangePeriodOfStay(kClerk, registered->id, "2040-01-01");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->expires_on, "2035-04-01");
}

TEST_F(ServiceTest, DeathVoidsTheCardAndRevokesBoth) {
  Resident r = Register("123456789018", "1940-04-01");
  IssueCard(r);
  ASSERT_FALSE(registry_->RecordDeath(kClerk, r.id, "2099-01-01"));
  auto dead = registry_->RecordDeath(kClerk, r.id, "2025-06-01");
  ASSERT_TRUE(dead) << dead.error();
  ASSERT_EQ(ca_.revoked.size(), 2u);
  for (const auto& call : ca_.revoked) {
    EXPECT_EQ(call.reason, RevocationReason::kCessationOfOperation);
  }
  EXPECT_FALSE(registry_->Apply(kClerk, {r.id, r.id}));
}

TEST_F(ServiceTest, RefusedEventWritesNothing) {
  Resident r = Register("123456789018", "1990-04-01");
  auto app = registry_->Apply(kClerk, {r.id, r.id});
  ASSERT_TRUE(app);
  auto card = registry_->Produce(kClerk, app->id);
  ASSERT_TRUE(card);
  auto before = registry_->AuditTrail(kSystem, r.id);
  ASSERT_TRUE(before);
  // A bad signature password: refused after nothing was issued or stored.
  ASSERT_FALSE(registry_->Deliver(kClerk, card->id, r.id,
                                  {"abcdef", "1234", "5678", "9012"}));
  auto file = registry_->GetResident(kSystem, r.id);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->cards[0].state, CardState::kProduced);
  EXPECT_TRUE(file->certificates.empty());
  auto after = registry_->AuditTrail(kSystem, r.id);
  ASSERT_TRUE(after);
  // Only the system's own read was added.
  EXPECT_EQ(after->size(), before->size() + 1);
  EXPECT_EQ(after->back().action, "resident.read");
}

TEST_F(ServiceTest, AuditRecordsOthersButNotTheResidentAndHidesTheNumber) {
  const auto log_path = dir_ / "registry.log";
  log::SetFile(log_path.string());
  log::SetLevel("debug");
  Resident r = Register("123456789018", "1990-04-01");
  Card card = IssueCard(r);
  ASSERT_TRUE(registry_->Suspend(kHotline, card.id));
  ASSERT_TRUE(registry_->FindResident(kHotline, "123456789018"));
  const Actor self{r.id, Role::kResident, ""};
  ASSERT_TRUE(registry_->GetResident(self, r.id));
  const Actor other{"r-someone", Role::kResident, ""};
  EXPECT_FALSE(registry_->GetResident(other, r.id));
  auto trail = registry_->AuditTrail(self, r.id);
  ASSERT_TRUE(trail) << trail.error();
  std::vector<std::string> actions;
  for (const AuditEntry& e : *trail) {
    actions.push_back(e.action + "/" + std::string(ToString(e.role)));
    EXPECT_NE(e.role, Role::kResident);
  }
  EXPECT_THAT(
      actions,
      ::testing::ElementsAre(
          "resident.register/counter_clerk", "card.apply/counter_clerk",
          "card.produce/counter_clerk", "card.deliver/counter_clerk",
          "card.suspend/hotline_operator", "resident.lookup/hotline_operator"));
  EXPECT_EQ(trail->at(4).reason, "caller reported loss");
  log::Get("registry")->flush();
  log::SetFile("");
  std::ifstream in(log_path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), ::testing::HasSubstr("card.suspend"));
  EXPECT_THAT(text.str(), ::testing::Not(::testing::HasSubstr("123456789018")));
}

// RFC 9562 Appendix A.6: the UUIDv7 of 2022-02-22 14:22:22 -05:00 begins
// 017F22E2-79B0 (unix_ts_ms); an audit id of that instant carries the same
// 48 bits, then 16 random hex digits.
TEST(AuditIdTest, CarriesTheMillisecondsAsAUuidV7Does) {
  DeterministicRng rng{7};
  const TimePoint at =
      sys_days{year{2022} / 2 / 22} + hours{19} + minutes{22} + seconds{22};
  const std::string id = NewAuditId(at, rng);
  EXPECT_EQ(id.substr(0, 15), "au-017f22e279b0");
  ASSERT_EQ(id.size(), 31u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 3), std::string::npos);
}

// Entries written one after another get ids in the order they were
// written, as SQLite orders the primary key (so each lands at the end of
// its index), and entries of one millisecond still differ.
TEST_F(ServiceTest, AuditIdsFollowTheOrderOfTheEntries) {
  Resident r = Register("123456789018", "1990-04-01");
  for (int i = 0; i < 40; ++i) {
    clock_.Advance(i % 2 == 0 ? milliseconds{1} : seconds{1});
    ASSERT_TRUE(registry_->FindResident(kHotline, "123456789018"));
  }
  std::vector<std::string> by_seq, by_id;
  ASSERT_TRUE(store_->WithConnection([&](SqlConnection& db) -> Status {
    for (auto* list : {&by_seq, &by_id}) {
      OPENMYNA_ASSIGN_OR_RETURN(
          auto rows,
          db.Query(std::string("SELECT id FROM audit_log WHERE resident_id = "
                               "$1 AND seq > 1 ORDER BY ") +
                       (list == &by_seq ? "seq" : "id"),
                   {r.id}));
      for (auto& row : rows) list->push_back(row.at(0).value_or(""));
    }
    return Ok();
  }));
  ASSERT_EQ(by_seq.size(), 40u);
  EXPECT_EQ(by_id, by_seq);
  std::set<std::string> same_instant;
  for (int i = 0; i < 10'000; ++i) {
    same_instant.insert(NewAuditId(clock_.Now(), rng_));
  }
  EXPECT_EQ(same_instant.size(), 10'000u);
}

}  // namespace
}  // namespace openmyna::registry
