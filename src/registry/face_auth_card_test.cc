// What a face-authentication card (顔認証マイナンバーカード,
// 暗証番号を設定しない 個人番号カード) carries, on both storage back ends. The
// rule: no passwords (the guidebook's 「パスワードについて」 table: the 住基
// and 券面事項入力補助 PINs exist 「顔認証マイナンバーカードを除いて」;
// domain.md §3, §8.4), no signature certificate (jpki.md §6.2), but the user
// authentication certificate, which a clinic's face-recognition reader reads
// and may use only with face matching or 目視 (insurance.md §1 item 6; the
// reader refuses a card without one). The certificates are counted in the
// certificates table through a separate connection, not through the service.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "openmyna/registry/errors.h"
#include "testing_service_backend.h"

namespace openmyna::registry {
namespace {

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};

class FaceAuthCard : public testing::ServiceOnBackend {
 protected:
  void SetUp() override {
    if (!OpenService()) return;
    auto registered = service_->RegisterResident(
        kClerk, testing::DraftResident("123456789018", "顔認 ハナ",
                                       "長野県千曲市杭瀬下84", "1948-02-03"));
    ASSERT_TRUE(registered) << registered.error();
    resident_ = *registered;
  }

  ApplicationRequest FaceAuthRequest() const {
    ApplicationRequest req{resident_.id, resident_.id, CardKind::kFaceAuth};
    req.signature_certificate = false;
    return req;
  }

  // Types of the rows of the certificates table, read through another
  // connection.
  std::vector<std::string> CertificateTypes() {
    auto db = backend_->Connect();
    EXPECT_TRUE(db) << db.error();
    if (!db) return {};
    auto rows = (*db)->Query("SELECT doc FROM certificates");
    EXPECT_TRUE(rows) << rows.error();
    std::vector<std::string> types;
    if (rows) {
      for (const auto& row : *rows) {
        const auto doc = nlohmann::json::parse(row.at(0).value_or("{}"));
        types.push_back(doc.value("type", "?"));
      }
    }
    return types;
  }

  Resident resident_;
};

TEST_P(FaceAuthCard, CarriesTheAuthenticationCertificateWithoutAnyPassword) {
  auto app = service_->Apply(kClerk, FaceAuthRequest());
  ASSERT_TRUE(app) << app.error();
  EXPECT_TRUE(app->with_authentication_certificate);
  EXPECT_FALSE(app->with_signature_certificate);
  auto card = service_->Produce(kClerk, app->id);
  ASSERT_TRUE(card) << card.error();
  // Any password is refused: none exists on this card.
  for (const Passwords& p :
       {Passwords{"", "1234", "", ""}, Passwords{"", "", "5678", ""},
        Passwords{"", "", "", "9012"}}) {
    auto refused = service_->Deliver(kClerk, card->id, resident_.id, p);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().Is(RegistryErrc::kInvalidInput))
        << refused.error();
  }
  auto delivered = service_->Deliver(kClerk, card->id, resident_.id, {});
  ASSERT_TRUE(delivered) << delivered.error();
  EXPECT_EQ(delivered->kind, CardKind::kFaceAuth);
  EXPECT_EQ(CertificateTypes(), std::vector<std::string>{"authentication"});
  ASSERT_EQ(ca_.issued.size(), 1u);
  EXPECT_EQ(ca_.issued[0].type, CertificateType::kAuthentication);
  // The chip got no password either.
  EXPECT_EQ(card_.passwords[card->id].authentication, "");
}

TEST_P(FaceAuthCard, NoSignatureCertificateNowOrLater) {
  ApplicationRequest req = FaceAuthRequest();
  req.signature_certificate = true;
  auto refused = service_->Apply(kClerk, req);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(RegistryErrc::kRefused)) << refused.error();
  auto file = service_->GetResident(kClerk, resident_.id);
  ASSERT_TRUE(file) << file.error();
  EXPECT_TRUE(file->applications.empty());

  auto card = testing::IssueCard(*service_, resident_, CardKind::kFaceAuth);
  ASSERT_TRUE(card) << card.error();
  auto added = service_->AddCertificates(kClerk, card->id, true, false,
                                         {"ABC123", "", "", ""});
  ASSERT_FALSE(added);
  EXPECT_TRUE(added.error().Is(RegistryErrc::kRefused)) << added.error();
  EXPECT_EQ(CertificateTypes(), std::vector<std::string>{"authentication"});
}

INSTANTIATE_TEST_SUITE_P(Backends, FaceAuthCard, testing::BothBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
