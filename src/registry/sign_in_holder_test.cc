// ReadSignInHolder (sign_in_holder.h) on both back ends against the old
// path of the sign-in provider, GetCertificate → GetResident → GetCard:
// for every certificate in the registry after the life events that change
// what a sign-in is told — a renewal (old card void "replaced"), a loss and
// reissue ("lost"), a move-in (signature certificate replaced), a
// suspension and a face-authentication card. A refactor: the expected
// values are the registry's own documents read the old way, not an outside
// source.
#include "openmyna/registry/sign_in_holder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "openmyna/registry/model_json.h"
#include "testing_service_backend.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono;

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};

class SignInHolderTest : public testing::ServiceOnBackend {
 protected:
  void SetUp() override {
    clock_.Set(sys_days{year{2026} / January / 5} + hours{1});
    OpenService(2);  // reads on 2 reader connections
  }

  Resident Register(const std::string& number, const std::string& address) {
    auto r = service_->RegisterResident(
        kClerk, testing::DraftResident(number, "署名 太郎", address));
    EXPECT_TRUE(r) << r.error();
    return r.value_or(Resident{});
  }
  std::string Card(const Resident& r, CardKind kind = CardKind::kStandard) {
    auto card = testing::IssueCard(
        *service_, r, kind,
        kind == CardKind::kStandard ? testing::AdultPasswords() : Passwords{});
    EXPECT_TRUE(card) << card.error();
    return card ? card->id : "";
  }
  // Produces and delivers the card of `application`.
  void Deliver(const Result<Application>& application, const Resident& r) {
    ASSERT_TRUE(application) << application.error();
    auto card = service_->Produce(kClerk, application->id);
    ASSERT_TRUE(card) << card.error();
    ASSERT_TRUE(
        service_->Deliver(kClerk, card->id, r.id, testing::AdultPasswords()));
  }
};

TEST_P(SignInHolderTest, EveryCertificateReadsAsTheDocumentsDo) {
  const Resident renewing =
      Register("123456789018", "長野県千曲市大字杭瀬下84番地");
  const std::string first_card = Card(renewing);
  const Resident losing = Register("614106526000", "長野県千曲市屋代1番地");
  const std::string lost_card = Card(losing);
  ASSERT_TRUE(service_->ReportLossOrTheft(kClerk, lost_card,
                                          ReissueReason::kLoss, "police-1"));
  Deliver(
      service_->ApplyForReissue(kClerk, losing.id, ReissueReason::kLoss, true),
      losing);
  const Resident moving = Register("987654321000", "長野県千曲市粟佐2番地");
  const std::string moving_card = Card(moving);
  ASSERT_TRUE(service_->MoveIn(kClerk, moving.id, "13221",
                               "東京都清瀬市中里5丁目842番地", "2026-01-05"));
  ASSERT_TRUE(service_->PresentAfterMoveIn(kClerk, moving_card));
  const Resident suspended = Register("111111111118", "長野県千曲市桜堂3番地");
  ASSERT_TRUE(service_->Suspend(kClerk, Card(suspended)));
  const Resident face = Register("222222222225", "長野県千曲市新山4番地");
  Card(face, CardKind::kFaceAuth);
  // The renewal window opens three months before the card's expiry.
  auto file = service_->GetResident(kClerk, renewing.id);
  ASSERT_TRUE(file) << file.error();
  int y = 0, m = 0, d = 0;
  ASSERT_EQ(
      std::sscanf(file->cards.at(0).expires_on.c_str(), "%d-%d-%d", &y, &m, &d),
      3);
  const sys_days last_day = year{y} / m / d;
  clock_.Set(last_day - days{60} + hours{1});
  Deliver(service_->ApplyForRenewal(kClerk, renewing.id), renewing);

  std::set<std::pair<std::string, std::string>> seen;  // state, void_reason
  std::set<std::string> kinds;
  int compared = 0;
  ASSERT_TRUE(store_->Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto serials, tx.connection().Query("SELECT serial FROM certificates"));
    for (const SqlRow& row : serials) {
      const std::string serial = row.at(0).value_or("");
      SCOPED_TRACE(serial);
      OPENMYNA_ASSIGN_OR_RETURN(auto certificate, tx.GetCertificate(serial));
      OPENMYNA_ASSIGN_OR_RETURN(auto resident,
                                tx.GetResident(certificate->resident_id));
      OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard(certificate->card_id));
      OPENMYNA_ASSIGN_OR_RETURN(auto holder, ReadSignInHolder(tx, serial));
      EXPECT_TRUE(holder.has_value());
      if (!holder || !resident || !card) continue;
      EXPECT_EQ(holder->type, certificate->type);
      EXPECT_EQ(holder->resident_id, resident->id);
      EXPECT_EQ(holder->individual_number, resident->individual_number);
      EXPECT_EQ(holder->card_state, card->state);
      EXPECT_EQ(holder->card_kind, card->kind);
      EXPECT_EQ(holder->void_reason, card->void_reason);
      seen.emplace(ToString(card->state), ToString(card->void_reason));
      kinds.insert(nlohmann::json(card->kind).get<std::string>());
      ++compared;
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto unknown, ReadSignInHolder(tx, "ffff01"));
    EXPECT_FALSE(unknown.has_value());
    return Ok();
  }));
  // The events above really left these standings behind.
  EXPECT_GE(compared, 10);
  for (const auto& standing :
       {std::pair<std::string, std::string>{"active", "none"},
        {"void", "replaced"},
        {"void", "lost"},
        {"suspended", "none"}}) {
    EXPECT_TRUE(seen.contains(standing))
        << standing.first << " " << standing.second;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"standard", "face_auth"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, SignInHolderTest, testing::BothBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
