// The holder look-up and the successor link (certificate_holder.h) through
// RegistryService on the SQLite store, the CA and chip replaced by
// recorders: the expected holder and successor are the records the life
// events wrote, read back through GetResident (another path).
#include "openmyna/registry/certificate_holder.h"

#include <gtest/gtest.h>

#include <chrono>

#include "openmyna/registry/errors.h"
#include "openmyna/registry/service.h"
#include "testing/registry_fixture.h"
#include "testing/service_fixture.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono;

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};
const Actor kPlatform{"platform-1", Role::kPlatform, "bank login"};
const Actor kHotline{"op-7", Role::kHotlineOperator, "caller"};

class HolderTest : public testing::RegistryServiceFixture {
 protected:
  HolderTest()
      : RegistryServiceFixture(sys_days{year{2026} / 1 / 5} + hours{1}, 7) {}
  void SetUp() override {
    RegistryServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    auto registered = registry_->RegisterResident(
        kClerk, testing::DraftResident("123456789018", "千曲 太郎",
                                       "長野県千曲市大字杭瀬下84番地"));
    ASSERT_TRUE(registered) << registered.error();
    resident_ = *registered;
    auto card = testing::IssueCard(*registry_, resident_);
    ASSERT_TRUE(card) << card.error();
    card_id_ = card->id;
  }

  // Produces and delivers the card of a (reissue) application.
  std::string Issue(const std::string& application_id) {
    auto card = registry_->Produce(kClerk, application_id);
    EXPECT_TRUE(card) << card.error();
    auto delivered = registry_->Deliver(kClerk, card->id, resident_.id,
                                        testing::AdultPasswords());
    EXPECT_TRUE(delivered) << delivered.error();
    return delivered ? delivered->id : "";
  }

  // The good certificate of `type` as GetResident lists it.
  std::optional<Certificate> Good(CertificateType type) {
    return testing::GoodCertificate(*registry_, resident_.id, type);
  }

  size_t AuditCount(std::string_view action) {
    auto trail = registry_->AuditTrail(kClerk, resident_.id);
    EXPECT_TRUE(trail);
    size_t n = 0;
    for (const AuditEntry& e : *trail) n += e.action == action;
    return n;
  }

  Resident resident_;
  std::string card_id_;
};

TEST_F(HolderTest, FindsTheHolderOfAGoodCertificateAndAuditsTheCaller) {
  auto auth = Good(CertificateType::kAuthentication);
  ASSERT_TRUE(auth);
  const size_t before = AuditCount("certificate.holder");
  // Upper case and colons, as openssl prints serials.
  std::string printed;
  for (char c : auth->serial) printed += static_cast<char>(std::toupper(c));
  auto holder = registry_->CertificateHolderOf(kPlatform, "0" + printed);
  ASSERT_TRUE(holder) << holder.error();
  EXPECT_EQ(holder->resident.id, resident_.id);
  EXPECT_EQ(holder->card.id, card_id_);
  EXPECT_EQ(holder->certificate.serial, auth->serial);
  EXPECT_EQ(holder->standing, CertificateStanding::kGood);
  EXPECT_FALSE(holder->successor);
  EXPECT_EQ(AuditCount("certificate.holder"), before + 1);
  auto trail = registry_->AuditTrail(kClerk, resident_.id);
  ASSERT_TRUE(trail);
  EXPECT_EQ(trail->back().actor_id, "platform-1");
  EXPECT_EQ(trail->back().reason, "bank login");
}

TEST_F(HolderTest, RefusesUnknownMalformedAndUnauthorised) {
  auto unknown = registry_->CertificateHolderOf(kPlatform, "abcdef0123");
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().Is(RegistryErrc::kNotFound));
  auto malformed = registry_->CertificateHolderOf(kPlatform, "not-hex");
  ASSERT_FALSE(malformed);
  EXPECT_TRUE(malformed.error().Is(RegistryErrc::kInvalidInput));
  const size_t before = AuditCount("certificate.holder");
  auto hotline = registry_->CertificateHolderOf(
      kHotline, Good(CertificateType::kSignature)->serial);
  ASSERT_FALSE(hotline);
  EXPECT_TRUE(hotline.error().Is(RegistryErrc::kRefused));
  EXPECT_EQ(AuditCount("certificate.holder"), before);
  // A clinic reading the card at reception may.
  const Actor clinic{"clinic-1", Role::kClinic, "reception"};
  auto at_clinic = registry_->CertificateHolderOf(
      clinic, Good(CertificateType::kAuthentication)->serial);
  ASSERT_TRUE(at_clinic) << at_clinic.error();
  EXPECT_EQ(at_clinic->resident.id, resident_.id);
  EXPECT_EQ(AuditCount("certificate.holder"), before + 1);
}

TEST_F(HolderTest, AChangeOfAddressLinksTheOldSignatureToTheNewOne) {
  const Certificate old_sign = *Good(CertificateType::kSignature);
  const Certificate auth = *Good(CertificateType::kAuthentication);
  clock_.Advance(hours{24 * 30});
  ASSERT_TRUE(registry_->ChangeAddress(kClerk, resident_.id,
                                       "長野県千曲市大字屋代1番地"));
  const Certificate new_sign = *Good(CertificateType::kSignature);
  ASSERT_NE(new_sign.serial, old_sign.serial);
  auto holder = registry_->CertificateHolderOf(kPlatform, old_sign.serial);
  ASSERT_TRUE(holder) << holder.error();
  EXPECT_EQ(holder->standing, CertificateStanding::kRevoked);
  EXPECT_EQ(holder->certificate.reason, RevocationReason::kAffiliationChanged);
  ASSERT_TRUE(holder->successor);
  EXPECT_EQ(holder->successor->serial, new_sign.serial);
  EXPECT_EQ(holder->resident.address, "長野県千曲市大字屋代1番地");
  // The authentication certificate is untouched and has no successor.
  auto by_auth = registry_->CertificateHolderOf(kPlatform, auth.serial);
  ASSERT_TRUE(by_auth);
  EXPECT_EQ(by_auth->standing, CertificateStanding::kGood);
  EXPECT_FALSE(by_auth->successor);
  // A second move: the first certificate now leads to the newest.
  clock_.Advance(hours{24 * 30});
  ASSERT_TRUE(registry_->ChangeAddress(kClerk, resident_.id,
                                       "長野県千曲市大字屋代2番地"));
  const Certificate newest = *Good(CertificateType::kSignature);
  auto again = registry_->CertificateHolderOf(kPlatform, old_sign.serial);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->successor);
  EXPECT_EQ(again->successor->serial, newest.serial);
}

TEST_F(HolderTest, ALossHasNoSuccessorUntilTheReissuedCardIsDelivered) {
  const Certificate old_sign = *Good(CertificateType::kSignature);
  const Certificate old_auth = *Good(CertificateType::kAuthentication);
  clock_.Advance(hours{24});
  ASSERT_TRUE(registry_->ReportLossOrTheft(kClerk, card_id_,
                                           ReissueReason::kLoss, "長野-1"));
  auto lost = registry_->CertificateHolderOf(kPlatform, old_sign.serial);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->standing, CertificateStanding::kRevoked);
  EXPECT_EQ(lost->card.state, CardState::kVoid);
  EXPECT_FALSE(lost->successor);
  auto app = registry_->ApplyForReissue(kClerk, resident_.id,
                                        ReissueReason::kLoss, true);
  ASSERT_TRUE(app) << app.error();
  clock_.Advance(hours{24 * 30});
  const std::string new_card = Issue(app->id);
  for (const auto& [old, type] :
       {std::pair{old_sign, CertificateType::kSignature},
        std::pair{old_auth, CertificateType::kAuthentication}}) {
    auto holder = registry_->CertificateHolderOf(kPlatform, old.serial);
    ASSERT_TRUE(holder);
    ASSERT_TRUE(holder->successor);
    EXPECT_EQ(holder->successor->serial, Good(type)->serial);
    EXPECT_EQ(holder->successor->card_id, new_card);
    EXPECT_EQ(holder->card.id, card_id_);  // the old card, as issued
  }
}

// After an OCSP "revoked", the service asks where the card stands: a card
// reported lost (or stolen) vs. one replaced by a reissue, each from the life
// event that made it so, and the card record read back through GetResident.
TEST_F(HolderTest, TellsALostCardFromOneNoLongerValid) {
  const Certificate first_auth = *Good(CertificateType::kAuthentication);
  auto in_use = FindCardOfCertificate(*store_, first_auth.serial);
  ASSERT_TRUE(in_use) << in_use.error();
  ASSERT_TRUE(*in_use);
  EXPECT_EQ((*in_use)->card.id, card_id_);
  EXPECT_EQ((*in_use)->standing, CardStanding::kInUse);

  ASSERT_TRUE(registry_->Suspend(kHotline, card_id_));
  EXPECT_EQ((*FindCardOfCertificate(*store_, first_auth.serial))->standing,
            CardStanding::kSuspended);
  ASSERT_TRUE(registry_->ReportLossOrTheft(kClerk, card_id_,
                                           ReissueReason::kLoss, "長野-1"));
  auto lost = FindCardOfCertificate(*store_, first_auth.serial);
  ASSERT_TRUE(lost && *lost);
  EXPECT_EQ((*lost)->standing, CardStanding::kReportedLost);
  auto holder = registry_->CertificateHolderOf(kPlatform, first_auth.serial);
  ASSERT_TRUE(holder) << holder.error();
  EXPECT_EQ(holder->card_standing, CardStanding::kReportedLost);

  // The reissued card, then damaged and replaced: no longer valid.
  auto app = registry_->ApplyForReissue(kClerk, resident_.id,
                                        ReissueReason::kLoss, true);
  ASSERT_TRUE(app) << app.error();
  const std::string second = Issue(app->id);
  const Certificate second_auth = *Good(CertificateType::kAuthentication);
  ASSERT_TRUE(registry_->ApplyForReissue(kClerk, resident_.id,
                                         ReissueReason::kDamage, true));
  auto file = registry_->GetResident(kClerk, resident_.id);
  ASSERT_TRUE(file);
  for (const Card& c : file->cards) {
    if (c.id == second) {
      EXPECT_EQ(c.void_reason, VoidReason::kDamaged);
    }
  }
  auto replaced = FindCardOfCertificate(*store_, second_auth.serial);
  ASSERT_TRUE(replaced && *replaced);
  EXPECT_EQ((*replaced)->card.id, second);
  EXPECT_EQ((*replaced)->standing, CardStanding::kNoLongerValid);

  auto unknown = FindCardOfCertificate(*store_, "abcdef0123");
  ASSERT_TRUE(unknown) << unknown.error();
  EXPECT_FALSE(*unknown);
  EXPECT_FALSE(FindCardOfCertificate(*store_, "not-hex"));
}

}  // namespace
}  // namespace openmyna::registry
