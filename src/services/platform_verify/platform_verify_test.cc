// The platform verification API through the router, with the real sandbox
// CA (pki fixture), the registry on SQLite, and real RSA signatures made with
// OpenSSL by the keys the certificates were issued for (the chip is replaced
// by a stand-in that hands out the fixture's keys; tests/platform signs with
// the card itself through pcscd). Every status of the taxonomy is shown; the
// expected serials come from the registry's resident file (another path)
// and the certificates from the CA's store.
#include "openmyna/services/platform_verify.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <map>
#include <nlohmann/json.hpp>

#include "openmyna/base/bytes.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/pki_ca_port.h"
#include "openmyna/registry/service.h"
#include "testing/ca_registry.h"
#include "testing/pki_fixture.h"
#include "testing/registry_fixture.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::CertificateType;

// A CA store that cannot answer (the 503 case).
class DownStore final : public pki::CertificateStore {
 public:
  Status Put(const pki::CertificateRecord&) override { return Down(); }
  Result<bool> Contains(const pki::Serial&) override { return Down(); }
  Status Revoke(const pki::Serial&, pki::RevocationReason, TimePoint) override {
    return Down();
  }
  Result<pki::CertificateStatus> StatusOf(pki::CaKind,
                                          const pki::Serial&) override {
    return Down();
  }
  Result<std::optional<pki::CertificateRecord>> Find(
      const pki::Serial&) override {
    return Down();
  }
  Result<std::vector<pki::CertificateRecord>> List(
      const pki::ListFilter&) override {
    return Down();
  }
  Result<std::vector<pki::CrlPartition>> Partitions(pki::CaKind) override {
    return Down();
  }
  Status ForEachRevoked(
      const pki::CrlPartition&,
      const std::function<bool(const pki::RevokedEntry&)>&) override {
    return Down();
  }
  Result<std::uint64_t> RevocationSequence() override { return Down(); }
  Status ForEachRevocationSince(
      std::uint64_t,
      const std::function<bool(const pki::RevocationChange&)>&) override {
    return Down();
  }

 private:
  static Unexpected<Error> Down() {
    return Fail(registry::RegistryErrc::kStorage, "database is locked");
  }
};

std::string B64(ByteView bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             bytes.data(), static_cast<int>(bytes.size())));
  return out;
}

class PlatformVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = registry::testing::CaRegistry::Open(
        pki::testing::TempDir("platform"), clock_, rng_);
    ASSERT_TRUE(registry) << registry.error();
    registry_ = std::move(*registry);
    ASSERT_TRUE(registry::testing::PutSampleMunicipalities(*registry_->service,
                                                           kClerk));
    for (auto [role, slot] :
         {std::pair{registry::Role::kPlatform, &bank_},
          std::pair{registry::Role::kPlatform, &shop_},
          std::pair{registry::Role::kCounterClerk, &clerk_}}) {
      auto made = registry::CreateCredential(*registry_->store, role, rng_,
                                             clock_, 1000);
      ASSERT_TRUE(made) << made.error();
      *slot = "Basic " + B64(AsBytes(made->id + ":" + made->secret));
    }
    ASSERT_TRUE(AddPlatformVerifyApi(
        router_,
        {*registry_->store, sandbox_, *registry_->ca_store, clock_, rng_}));
    taro_ = Issue("123456789018", "東京都清瀬市中里五丁目842番地");
    jiro_ = Issue("362473502703", "東京都清瀬市中里一丁目1番地");
  }

  static Bytes AsBytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
  }

  std::string Issue(const std::string& number, const std::string& address) {
    auto r = registry_->service->RegisterResident(
        kClerk, registry::testing::DraftResident(number, "清瀬 太郎", address));
    EXPECT_TRUE(r) << r.error();
    auto card = registry::testing::IssueCard(
        *registry_->service, *r, registry::CardKind::kStandard,
        registry::testing::AdultPasswords(), kClerk);
    EXPECT_TRUE(card) << card.error();
    return r->id;
  }

  // The resident's good certificate of `type`, from the registry's file.
  registry::Certificate Good(const std::string& resident,
                             CertificateType type) {
    auto good = registry::testing::GoodCertificate(*registry_->service,
                                                   resident, type, kClerk);
    if (!good) ADD_FAILURE() << "no good certificate";
    return good.value_or(registry::Certificate{});
  }

  Bytes Der(const std::string& serial) {
    auto found = registry_->ca_store->Find(*pki::Serial::FromHex(serial));
    EXPECT_TRUE(found && *found);
    return (*found)->der;
  }

  // RSA PKCS#1 v1.5 over SHA-256 of `data` with the key the certificate
  // was issued for (found by comparing public keys with OpenSSL).
  Bytes SignWith(const Bytes& der, const std::string& data) {
    EVP_PKEY* key = registry::testing::FixtureKeyOf(der);
    EXPECT_NE(key, nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t size = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &size,
                   reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    Bytes sig(size);
    EVP_DigestSign(ctx, sig.data(), &size,
                   reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(size);
    return sig;
  }

  json SignedBody(const std::string& mode, const std::string& serial,
                  const std::string& data = "nonce-1") {
    const Bytes der = Der(serial);
    const std::string sig = B64(SignWith(der, data));
    if (mode == "login") {
      return {{"certificateForUser", B64(der)},
              {"nonceData", data},
              {"nonceSign", sig}};
    }
    return {{"certificateForSign", B64(der)},
            {"applicantData", data},
            {"sign", sig}};
  }

  http::Response Post(const std::string& mode, const json& body,
                      const std::string& auth = "") {
    http::Request request;
    request.method = "POST";
    request.path = request.target = "/verify/" + mode;
    request.headers = {{"Content-Type", "application/json"},
                       {"Authorization", auth.empty() ? bank_ : auth}};
    request.body = body.dump();
    return router_.Dispatch(request);
  }

  http::Response Get(const std::string& path) {
    http::Request request;
    request.method = "GET";
    request.path = request.target = path;
    request.headers = {{"Authorization", bank_}};
    return router_.Dispatch(request);
  }

  static json Body(const http::Response& r) { return json::parse(r.body); }

  const registry::Actor kClerk{"clerk", registry::Role::kCounterClerk, "t"};
  pki::Sandbox& sandbox_ = pki::testing::SharedSandbox();
  FixedClock clock_{pki::testing::FixtureNow()};
  DeterministicRng rng_{11};
  std::unique_ptr<registry::testing::CaRegistry> registry_;
  http::Router router_;
  std::string bank_, shop_, clerk_;
  std::string taro_, jiro_;
};

TEST_F(PlatformVerifyTest, RegistrationLoginAndConflict) {
  const auto sign = Good(taro_, CertificateType::kSignature);
  auto registered =
      Post("registration", SignedBody("registration", sign.serial));
  ASSERT_EQ(registered.status, 200) << registered.body;
  const json reg = Body(registered);
  EXPECT_EQ(reg["status"], "SUCCESS");
  EXPECT_EQ(reg["certificate"]["serial"], sign.serial);
  EXPECT_EQ(reg["identityInfo"]["address"], "東京都清瀬市中里五丁目842番地");
  const std::string user = reg["userId"];

  auto again = Post("registration", SignedBody("registration", sign.serial));
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(Body(again)["code"], "conflict");
  EXPECT_EQ(again.content_type, "application/problem+json");

  // Another relying party registers the same person on its own.
  EXPECT_EQ(Post("registration", SignedBody("registration", sign.serial), shop_)
                .status,
            200);

  const auto auth = Good(taro_, CertificateType::kAuthentication);
  auto login = Post("login", SignedBody("login", auth.serial, "n-2"));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(Body(login)["userId"], user);

  // Jiro's card is good but he never registered here.
  auto stranger =
      Post("login",
           SignedBody("login",
                      Good(jiro_, CertificateType::kAuthentication).serial));
  EXPECT_EQ(stranger.status, 404) << stranger.body;
  EXPECT_EQ(Body(stranger)["code"], "not_found");

  // The audit trail names the relying party's credential for each call.
  auto trail = registry_->service->AuditTrail(kClerk, taro_);
  ASSERT_TRUE(trail);
  int platform_calls = 0;
  for (const auto& e : *trail) {
    platform_calls += e.role == registry::Role::kPlatform;
  }
  EXPECT_EQ(platform_calls, 4);
}

TEST_F(PlatformVerifyTest, MalformedWrongTypeBadSignatureAndCredentials) {
  const auto sign = Good(taro_, CertificateType::kSignature);
  const auto auth = Good(taro_, CertificateType::kAuthentication);
  http::Request bad;
  bad.method = "POST";
  bad.path = bad.target = "/verify/login";
  bad.headers = {{"Content-Type", "application/json"},
                 {"Authorization", bank_}};
  bad.body = "{not json";
  EXPECT_EQ(router_.Dispatch(bad).status, 400);
  EXPECT_EQ(Post("login", json{{"nonceData", "x"}}).status, 400);
  json no_old = SignedBody("replacement", sign.serial);
  EXPECT_EQ(Post("replacement", no_old).status, 400);
  // Login with the signature certificate, registration with the
  // authentication certificate: the wrong certificate for the call.
  json swapped = SignedBody("registration", sign.serial);
  json as_login = {{"certificateForUser", swapped["certificateForSign"]},
                   {"nonceData", swapped["applicantData"]},
                   {"nonceSign", swapped["sign"]}};
  EXPECT_EQ(Post("login", as_login).status, 400);
  json auth_body = SignedBody("login", auth.serial);
  json as_registration = {
      {"certificateForSign", auth_body["certificateForUser"]},
      {"applicantData", auth_body["nonceData"]},
      {"sign", auth_body["nonceSign"]}};
  EXPECT_EQ(Post("registration", as_registration).status, 400);
  // A signature over other data: 401.
  json wrong = SignedBody("registration", sign.serial, "what was signed");
  wrong["applicantData"] = "what the platform was told";
  auto forged = Post("registration", wrong);
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(Body(forged)["code"], "unauthorized");
  // Not a certificate at all (a public key): 400.
  EXPECT_EQ(Post("registration",
                 {{"certificateForSign", B64(pki::testing::SubjectSpki(0))},
                  {"applicantData", "x"},
                  {"sign", "AAAA"}})
                .status,
            400);
  // Credentials: none, wrong secret, and a clerk's.
  auto none = Post("registration", SignedBody("registration", sign.serial),
                   "Basic eDp5");
  EXPECT_EQ(none.status, 401);
  EXPECT_FALSE(std::string(none.body).empty());
  EXPECT_EQ(
      Post("registration", SignedBody("registration", sign.serial), clerk_)
          .status,
      403);
}

TEST_F(PlatformVerifyTest, MoveThenGoneSuccessorAndReplacement) {
  const auto old_sign = Good(taro_, CertificateType::kSignature);
  ASSERT_EQ(
      Post("registration", SignedBody("registration", old_sign.serial)).status,
      200);
  // Replacement naming a serial nobody registered: 404.
  EXPECT_EQ(Post("replacement",
                 [&] {
                   json b = SignedBody("replacement", old_sign.serial);
                   b["oldSerial"] = "7fff0001";
                   return b;
                 }())
                .status,
            404);

  clock_.Advance(std::chrono::hours(24));
  ASSERT_TRUE(registry_->service->ChangeAddress(
      kClerk, taro_, "東京都清瀬市元町一丁目2番3号"));
  const auto new_sign = Good(taro_, CertificateType::kSignature);
  ASSERT_NE(new_sign.serial, old_sign.serial);

  // The old signature certificate is now revoked at the CA: registering
  // with it is refused (401); a login says the one on file is gone (410)
  // and names the successor.
  auto stale =
      Post("registration", SignedBody("registration", old_sign.serial));
  EXPECT_EQ(stale.status, 401) << stale.body;
  const auto auth = Good(taro_, CertificateType::kAuthentication);
  auto gone = Post("login", SignedBody("login", auth.serial, "n-3"));
  ASSERT_EQ(gone.status, 410) << gone.body;
  const json g = Body(gone);
  EXPECT_EQ(g["code"], "gone");
  EXPECT_EQ(g["onFile"]["serial"], old_sign.serial);
  EXPECT_EQ(g["successor"]["serial"], new_sign.serial);

  // The successor link: the new certificate as the CA issued it.
  auto link = Get("/verify/successor/" + old_sign.serial);
  ASSERT_EQ(link.status, 200) << link.body;
  const json l = Body(link);
  EXPECT_EQ(l["onFile"]["reason"], "affiliationChanged");
  EXPECT_EQ(l["successor"]["serial"], new_sign.serial);
  const std::string cert_b64 = l["successor"]["certificate"];
  EXPECT_EQ(cert_b64, B64(Der(new_sign.serial)));
  EXPECT_EQ(Get("/verify/successor/7fff0001").status, 404);

  // Replacement with the new signature certificate, then login works and
  // tells the new address.
  json replace = SignedBody("replacement", new_sign.serial, "n-4");
  replace["oldSerial"] = old_sign.serial;
  auto replaced = Post("replacement", replace);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Body(replaced)["identityInfo"]["address"],
            "東京都清瀬市元町一丁目2番3号");
  auto login = Post("login", SignedBody("login", auth.serial, "n-5"));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(Body(login)["userId"], Body(replaced)["userId"]);
  // Someone else's new certificate cannot replace Taro's.
  json other = SignedBody("replacement",
                          Good(jiro_, CertificateType::kSignature).serial);
  other["oldSerial"] = new_sign.serial;
  EXPECT_EQ(Post("replacement", other).status, 401);
}

TEST_F(PlatformVerifyTest, SuspendedCardIsUnauthorised) {
  const auto sign = Good(jiro_, CertificateType::kSignature);
  ASSERT_EQ(
      Post("registration", SignedBody("registration", sign.serial)).status,
      200);
  const auto auth = Good(jiro_, CertificateType::kAuthentication);
  auto file = registry_->service->GetResident(kClerk, jiro_);
  ASSERT_TRUE(registry_->service->Suspend(kClerk, file->cards.at(0).id));
  auto held = Post("login", SignedBody("login", auth.serial));
  EXPECT_EQ(held.status, 401) << held.body;
  EXPECT_EQ(Body(held)["revocationReason"], "certificateHold");
}

TEST_F(PlatformVerifyTest, UnavailableStoreIs503) {
  DownStore down;
  http::Router router;
  ASSERT_TRUE(AddPlatformVerifyApi(
      router, {*registry_->store, sandbox_, down, clock_, rng_}));
  const auto sign = Good(taro_, CertificateType::kSignature);
  http::Request request;
  request.method = "POST";
  request.path = request.target = "/verify/registration";
  request.headers = {{"Content-Type", "application/json"},
                     {"Authorization", bank_}};
  request.body = SignedBody("registration", sign.serial).dump();
  auto response = router.Dispatch(request);
  EXPECT_EQ(response.status, 503) << response.body;
  EXPECT_EQ(Body(response)["code"], "server_unavailable");
}

}  // namespace
}  // namespace openmyna::services
