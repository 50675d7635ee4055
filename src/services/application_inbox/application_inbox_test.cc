// The clerk's side of ぴったりサービス through the registry API's routes:
// Basic credentials, the inbox, opening (audited), rejecting without a
// reason, accepting, deciding twice; an application signed by `openssl cms`.
#include "openmyna/services/application_inbox.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <random>

#include "openmyna/base/base64.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/resident_notices.h"
#include "testing/signed_application.h"

namespace openmyna::services {
namespace {

using nlohmann::json;

std::string Basic(const registry::NewCredential& c) {
  const std::string plain = c.id + ":" + c.secret;
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()),
                      static_cast<int>(plain.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = pki::testing::TempDir("inbox-" + std::to_string(rd()));
    auto store =
        registry::RegistryStore::Open((dir_ / "r.db").string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Transact([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(
          {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to"}));
      registry::Resident r;
      r.id = "r-1";
      r.individual_number = "123456789018";
      r.name = "清瀬 花子";
      r.date_of_birth = "1990-01-02";
      r.address = "東京都清瀬市中里五丁目842番地";
      r.municipality_code = "13221";
      return tx.InsertResident(r);
    }));
    signer_.emplace(dir_);
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(signer_->Record(*store_, "r-1"));
    apps_.emplace(*store_, clock_, rng_, signer_->trust);
    clerk_ = *registry::CreateCredential(*store_, registry::Role::kCounterClerk,
                                         rng_, clock_, 1000);
    kiosk_ = *registry::CreateCredential(*store_, registry::Role::kKiosk, rng_,
                                         clock_, 1000);
    ASSERT_TRUE(AddApplicationInbox(router_, *store_, *apps_));
  }

  http::Response Call(std::string method, std::string path,
                      const registry::NewCredential* who, std::string body = {},
                      std::string query = {}) {
    http::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.body = std::move(body);
    if (who) r.headers.push_back({"Authorization", Basic(*who)});
    r.headers.push_back({"X-Purpose", "申請の審査"});
    if (!r.body.empty())
      r.headers.push_back({"Content-Type", "application/json"});
    return router_.Dispatch(r);
  }

  FixedClock clock_{std::chrono::floor<std::chrono::seconds>(
                        std::chrono::system_clock::now()) +
                    std::chrono::minutes(1)};
  DeterministicRng rng_{4};
  std::filesystem::path dir_;
  std::unique_ptr<registry::RegistryStore> store_;
  std::optional<registry::testing::OpensslSigner> signer_;
  std::optional<registry::OnlineApplications> apps_;
  registry::NewCredential clerk_, kiosk_;
  http::Router router_;
};

TEST_F(InboxTest, ClerkListsOpensRejectsAndAccepts) {
  registry::OnlineApplicationDraft draft{
      "r-1",
      registry::OnlineApplicationKind::kDeliveryAddress,
      {{"delivery_address", "東京都清瀬市竹丘一丁目1番地"},
       {"reason", "DV等支援措置"}}};
  const std::string content = registry::OnlineApplicationContent(
      draft.kind, "r-1", "13221", draft.fields);
  const registry::Actor hanako{"r-1", registry::Role::kResident, ""};
  const Bytes cms = signer_->Sign(content);
  auto submitted = apps_->Submit(hanako, draft, cms);
  ASSERT_TRUE(submitted) << submitted.error();

  EXPECT_EQ(Call("GET", "/v1/inbox/13221", nullptr).status, 401);
  EXPECT_EQ(Call("GET", "/v1/inbox/13221", &kiosk_).status, 403);
  auto inbox = Call("GET", "/v1/inbox/13221", &clerk_, "", "state=submitted");
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  const json list = json::parse(inbox.body);
  ASSERT_EQ(list["applications"].size(), 1u);
  EXPECT_EQ(list["applications"][0]["kind"], "delivery_address");
  EXPECT_FALSE(list["applications"][0].contains("fields"));
  EXPECT_EQ(Call("GET", "/v1/inbox/13221", &clerk_, "", "state=x").status, 400);

  const std::string path = "/v1/online-applications/" + submitted->id;
  auto opened = Call("GET", path, &clerk_);
  ASSERT_EQ(opened.status, 200);
  const json one = json::parse(opened.body);
  EXPECT_EQ(one["fields"]["reason"], "DV等支援措置");
  EXPECT_EQ(one["signed_content"], content);
  EXPECT_EQ(one["channel"], "portal");
  EXPECT_EQ(one["signer_serial"], signer_->serial);
  // The CMS as `openssl cms -sign` made it, for the clerk's own check.
  EXPECT_EQ(Base64Decode(one["signature"].get<std::string>()), cms);

  auto no_reason = Call("POST", path + "/reject", &clerk_, "{}");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(no_reason.content_type, "application/problem+json");
  auto accepted = Call("POST", path + "/accept", &clerk_, "{}");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["state"], "accepted");
  EXPECT_EQ(Call("POST", path + "/reject", &clerk_, R"({"reason":"x"})").status,
            409);
  EXPECT_EQ(Call("GET", "/v1/online-applications/oa-none", &clerk_).status,
            404);

  // The clerk's reading and decision are in the resident's history, and the
  // result is the resident's notice.
  ASSERT_TRUE(store_->Transact([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto history, registry::ListDisclosures(tx, "r-1", clock_.Now(), {}));
    EXPECT_EQ(history.size(), 2u);
    for (const auto& record : history) {
      EXPECT_EQ(record.requester_id, clerk_.id);
      EXPECT_EQ(record.purpose, "申請の審査");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto notices,
                              registry::ListResidentNotices(tx, "r-1"));
    EXPECT_EQ(notices.size(), 1u);
    return Ok();
  }));
}

// A 利用登録申請 made at a kiosk has no CMS: the clerk sees where it came
// from and the authentication certificate the centre checked, not an
// empty signature to verify.
TEST_F(InboxTest, AKioskApplicationSaysSoAndCarriesNoSignature) {
  ASSERT_TRUE(store_->Transact([&](registry::RegistryTx& tx) -> Status {
    registry::Certificate auth;
    auth.serial = "0c0ffee1";
    auth.card_id = "c-sig-r-1";
    auth.resident_id = "r-1";
    auth.type = registry::CertificateType::kAuthentication;
    auth.not_before = clock_.Now() - std::chrono::hours(24);
    auth.not_after = clock_.Now() + std::chrono::hours(24 * 365);
    return tx.PutCertificate(auth);
  }));
  const registry::Actor kiosk{"kiosk-1", registry::Role::kKiosk, ""};
  auto made = apps_->SubmitAtKiosk(
      kiosk,
      {"r-1",
       registry::OnlineApplicationKind::kKonbiniRegistration,
       {{"domicile_municipality", "13221"},
        {"domicile", "東京都清瀬市中里五丁目842番地"},
        {"head_of_family", "清瀬 花子"}}},
      "0c0ffee1");
  ASSERT_TRUE(made) << made.error();
  auto opened = Call("GET", "/v1/online-applications/" + made->id, &clerk_);
  ASSERT_EQ(opened.status, 200) << opened.body;
  const json one = json::parse(opened.body);
  EXPECT_EQ(one["channel"], "kiosk");
  EXPECT_EQ(one["authentication_serial"], "0c0ffee1");
  EXPECT_FALSE(one.contains("signature"));
  EXPECT_FALSE(one.contains("signer_serial"));
  EXPECT_FALSE(one.contains("signed_at"));
  auto accepted = Call(
      "POST", "/v1/online-applications/" + made->id + "/accept", &clerk_, "{}");
  EXPECT_EQ(accepted.status, 200) << accepted.body;
}

}  // namespace
}  // namespace openmyna::services
