// Sign transactions with certificates of the real sandbox CA (pki fixture)
// and the RSA keys they were issued for, signing as the card does (RSA
// PKCS#1 v1.5 over the DigestInfo). The DigestInfo is checked against
// OpenSSL's own (EVP_PKEY_sign with SHA-256 builds it). The states: signed
// only by the certificate's key over this DigestInfo, the result only to
// the creating client, only once released, once; expiry by the clock. (The
// JWE is tested in sign_in/jwe_test.cc, the whole flow in tests/app_sign.)
#include "openmyna/services/sign_transactions.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <fstream>

#include "openmyna/base/file_io.h"
#include "openmyna/http/router.h"
#include "openmyna/pki/certificate_authority.h"
#include "testing/pki_fixture.h"

namespace openmyna::services {
namespace {

using nlohmann::json;

// What the card does: RSA PKCS#1 v1.5 padding of the DigestInfo, signed.
Bytes RawSign(EVP_PKEY* key, const Bytes& digest_info) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  EVP_PKEY_sign_init(ctx);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
  std::size_t size = 0;
  EVP_PKEY_sign(ctx, nullptr, &size, digest_info.data(), digest_info.size());
  Bytes sig(size);
  EVP_PKEY_sign(ctx, sig.data(), &size, digest_info.data(), digest_info.size());
  EVP_PKEY_CTX_free(ctx);
  sig.resize(size);
  return sig;
}

// OpenSSL's own PKCS#1 v1.5 signature of a SHA-256 hash (it builds the
// DigestInfo itself).
Bytes OpenSslSignHash(EVP_PKEY* key, const Bytes& hash) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  EVP_PKEY_sign_init(ctx);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  std::size_t size = 0;
  EVP_PKEY_sign(ctx, nullptr, &size, hash.data(), hash.size());
  Bytes sig(size);
  EVP_PKEY_sign(ctx, sig.data(), &size, hash.data(), hash.size());
  EVP_PKEY_CTX_free(ctx);
  sig.resize(size);
  return sig;
}

class SignTransactionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki::Sandbox& sandbox = pki::testing::SharedSandbox();
    auto store = sandbox.OpenStore().value();
    DeterministicRng rng(77);
    pki::CertificateAuthority ca(sandbox, *store, rng);
    sign_ = new pki::IssuedCertificate(
        ca.Issue(pki::testing::SignatureRequest(1)).value());
    other_ = new pki::IssuedCertificate(
        ca.Issue(pki::testing::SignatureRequest(2)).value());
  }

  static Bytes Hash(std::string_view text) {
    Bytes out(32);
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(),
               nullptr);
    return out;
  }

  // The result as is (the JWE is sign_in's).
  static Result<std::string> Plain(const json& result) { return result.dump(); }

  SignTransaction Signed(std::string_view client, std::string_view text) {
    auto t = transactions_.Create(client, Hash(text));
    EXPECT_TRUE(t);
    EXPECT_TRUE(transactions_.Complete(
        t->id, sign_->der,
        RawSign(pki::testing::SubjectKey(1), t->digest_info)));
    return *t;
  }

  inline static pki::IssuedCertificate* sign_;
  inline static pki::IssuedCertificate* other_;
  FixedClock clock_{pki::testing::FixtureNow() + std::chrono::hours(24)};
  DeterministicRng rng_{5};
  SignTransactions transactions_{clock_, rng_};
};

TEST_F(SignTransactionsTest, TheDigestInfoIsOpenSslsOwn) {
  const Bytes hash = Hash("契約書 contract v1");
  auto t = transactions_.Create("RP1", hash);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->id.size(), 36u);
  EXPECT_EQ(t->id[14], '4');  // UUID v4
  EXPECT_EQ(RawSign(pki::testing::SubjectKey(1), t->digest_info),
            OpenSslSignHash(pki::testing::SubjectKey(1), hash));
  // A DigestInfo is taken as is; anything else is refused.
  auto again = transactions_.Create("RP1", t->digest_info);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->digest_info, t->digest_info);
  for (std::size_t size : {0u, 20u, 31u, 33u, 48u, 64u}) {
    auto bad = transactions_.Create("RP1", Bytes(size, 1));
    ASSERT_FALSE(bad) << size;
    EXPECT_TRUE(bad.error().Is(SignTransactionErrc::kInvalid));
  }
  Bytes sha1_like = t->digest_info;
  sha1_like[14] = 0x02;  // another hash OID (SHA-384's arc)
  EXPECT_FALSE(transactions_.Create("RP1", sha1_like));
}

TEST_F(SignTransactionsTest, OnlyAGoodSignatureOfTheTransactionIsKept) {
  auto t = transactions_.Create("RP1", Hash("doc"));
  ASSERT_TRUE(t);
  EVP_PKEY* key = pki::testing::SubjectKey(1);
  // Over other data.
  auto other = transactions_.Create("RP1", Hash("other doc"));
  auto wrong = transactions_.Complete(t->id, sign_->der,
                                      RawSign(key, other->digest_info));
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().Is(SignTransactionErrc::kRefused));
  EXPECT_NE(wrong.error().message().find("signature_invalid"),
            std::string::npos);
  // By another key than the certificate's.
  EXPECT_FALSE(
      transactions_.Complete(t->id, other_->der, RawSign(key, t->digest_info)));
  // Not a certificate.
  auto junk = transactions_.Complete(t->id, Bytes(40, 0x30),
                                     RawSign(key, t->digest_info));
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message().find("certificate_invalid"),
            std::string::npos);
  EXPECT_FALSE(transactions_.Find(t->id)->is_signed);
  ASSERT_TRUE(
      transactions_.Complete(t->id, sign_->der, RawSign(key, t->digest_info)));
  EXPECT_TRUE(transactions_.Find(t->id)->is_signed);
  auto twice =
      transactions_.Complete(t->id, sign_->der, RawSign(key, t->digest_info));
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().Is(SignTransactionErrc::kRefused));
  EXPECT_FALSE(transactions_.Complete("no-such-id", sign_->der,
                                      RawSign(key, t->digest_info)));
}

TEST_F(SignTransactionsTest, TheResultGoesOnceToItsClientAfterRelease) {
  auto fresh = transactions_.Create("RP1", Hash("unsigned"));
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(transactions_.Release(fresh->id));
  auto unsigned_result = transactions_.TakeResult(fresh->id, "RP1", Plain);
  ASSERT_FALSE(unsigned_result);
  EXPECT_TRUE(unsigned_result.error().Is(SignTransactionErrc::kNotReady));

  const SignTransaction t = Signed("RP1", "doc");
  auto early = transactions_.TakeResult(t.id, "RP1", Plain);
  ASSERT_FALSE(early);
  EXPECT_TRUE(early.error().Is(SignTransactionErrc::kNotReady));
  ASSERT_TRUE(transactions_.Release(t.id));
  auto stranger = transactions_.TakeResult(t.id, "RP2", Plain);
  ASSERT_FALSE(stranger);
  EXPECT_TRUE(stranger.error().Is(SignTransactionErrc::kNotFound));
  // A seal that fails does not use the result up.
  auto failed = transactions_.TakeResult(
      t.id, "RP1", [](const json&) -> Result<std::string> {
        return Fail(SignTransactionErrc::kInvalid, "no key");
      });
  EXPECT_FALSE(failed);
  auto result = transactions_.TakeResult(t.id, "RP1", Plain);
  ASSERT_TRUE(result) << result.error();
  const json doc = json::parse(*result);
  EXPECT_EQ(doc["sign_transaction_id"], t.id);
  const Bytes signature = RawSign(pki::testing::SubjectKey(1), t.digest_info);
  std::string sig_b64(4 * ((signature.size() + 2) / 3) + 1, '\0');
  sig_b64.resize(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(sig_b64.data()),
                      signature.data(), static_cast<int>(signature.size())));
  EXPECT_EQ(doc["signature"], sig_b64);
  auto second = transactions_.TakeResult(t.id, "RP1", Plain);
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error().Is(SignTransactionErrc::kGone));
}

TEST_F(SignTransactionsTest, EverythingEndsWhenTheTransactionExpires) {
  auto late = transactions_.Create("RP1", Hash("late"));
  ASSERT_TRUE(late);
  const SignTransaction released = Signed("RP1", "released late");
  ASSERT_TRUE(transactions_.Release(released.id));
  clock_.Advance(SignTransactions::kDefaultLifetime - std::chrono::seconds(1));
  EXPECT_TRUE(transactions_.Find(late->id));
  clock_.Advance(std::chrono::seconds(1));
  auto gone = transactions_.Find(late->id);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(gone.error().Is(SignTransactionErrc::kGone));
  auto sign_late = transactions_.Complete(
      late->id, sign_->der,
      RawSign(pki::testing::SubjectKey(1), late->digest_info));
  ASSERT_FALSE(sign_late);
  EXPECT_TRUE(sign_late.error().Is(SignTransactionErrc::kGone));
  auto result = transactions_.TakeResult(released.id, "RP1", Plain);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().Is(SignTransactionErrc::kGone));
}

}  // namespace
}  // namespace openmyna::services

namespace openmyna::services {
namespace {

http::Request Call(std::string method, std::string path, std::string token,
                   std::string body = {},
                   std::string type = "application/json") {
  http::Request r;
  r.method = std::move(method);
  r.target = r.path = std::move(path);
  if (!token.empty()) r.headers.push_back({"Authorization", "Bearer " + token});
  if (!body.empty()) r.headers.push_back({"Content-Type", std::move(type)});
  r.body = std::move(body);
  return r;
}

std::string B64(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             data.data(), static_cast<int>(data.size())));
  return out;
}

std::string Detail(const http::Response& r) {
  return json::parse(r.body).value("detail", "");
}

// The routes through http::Router: problems (RFC 9457) for every refusal,
// the result sealed for its client once.
TEST_F(SignTransactionsTest, RoutesAnswerWithProblemsAndTheSealedResult) {
  http::Router router;
  ASSERT_TRUE(AddSignTransactionRoutes(
      router, transactions_,
      [](std::string_view token) -> std::optional<std::string> {
        if (token == "tok-A") return "RP-A";
        if (token == "tok-B") return "RP-B";
        return std::nullopt;
      },
      [](std::string_view client,
         std::string_view plaintext) -> Result<std::string> {
        return "sealed-for-" + std::string(client) + ":" +
               std::string(plaintext);
      }));
  const Bytes hash = Hash("routes");
  const std::string good = json{{"hash", B64(hash)}}.dump();
  auto r = router.Dispatch(Call("POST", "/api/sign-transactions", "", good));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(
      router.Dispatch(Call("POST", "/api/sign-transactions", "nope", good))
          .status,
      401);
  EXPECT_EQ(router
                .Dispatch(Call("POST", "/api/sign-transactions", "tok-A", good,
                               "text/plain"))
                .status,
            415);
  for (const auto& [body, word] :
       std::vector<std::pair<std::string, std::string>>{
           {"[]", "JSON object"},
           {"{}", "exactly one"},
           {json{{"hash", B64(Bytes(31, 1))}}.dump(), "32 bytes"},
           {json{{"hash", 7}}.dump(), "base64"},
           {json{{"digest_info", B64(Bytes(51, 0x30))}}.dump(), "DigestInfo"},
           {json{{"hash", B64(hash)}, {"digest_info", B64(hash)}}.dump(),
            "exactly one"}}) {
    auto bad =
        router.Dispatch(Call("POST", "/api/sign-transactions", "tok-A", body));
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_EQ(bad.content_type, "application/problem+json");
    EXPECT_NE(Detail(bad).find(word), std::string::npos) << Detail(bad);
  }
  r = router.Dispatch(Call("POST", "/api/sign-transactions", "tok-A", good));
  ASSERT_EQ(r.status, 201) << r.body;
  const json created = json::parse(r.body);
  const std::string id = created["sign_transaction_id"];
  // RFC 8017 §9.2 note 1: the SHA-256 DigestInfo prefix, then the hash.
  Bytes want = FromHex("3031300d060960864801650304020105000420").value();
  want.insert(want.end(), hash.begin(), hash.end());
  EXPECT_EQ(created["digest_info"], B64(want));
  const std::string result = "/api/sign-transactions/" + id + "/result";
  EXPECT_EQ(router.Dispatch(Call("GET", result, "tok-A")).status, 409);
  ASSERT_TRUE(transactions_.Complete(
      id, sign_->der, RawSign(pki::testing::SubjectKey(1), want)));
  EXPECT_EQ(router.Dispatch(Call("GET", result, "tok-A")).status, 409);
  ASSERT_TRUE(transactions_.Release(id));
  EXPECT_EQ(router.Dispatch(Call("GET", result, "tok-B")).status, 404);
  EXPECT_EQ(router.Dispatch(Call("GET", result, "")).status, 401);
  EXPECT_EQ(
      router
          .Dispatch(Call("GET", "/api/sign-transactions/nope/result", "tok-A"))
          .status,
      404);
  r = router.Dispatch(Call("GET", result, "tok-A"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/jose");
  EXPECT_EQ(r.body.rfind("sealed-for-RP-A:{", 0), 0u) << r.body;
  r = router.Dispatch(Call("GET", result, "tok-A"));
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.content_type, "application/problem+json");
}

}  // namespace
}  // namespace openmyna::services
