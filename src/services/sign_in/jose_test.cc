// JOSE against RFC 7515 A.3's published ES256 JWS, and refusals (alg none,
// HS256). Thumbprints (kid) are compared with authlib's in tests/sign_in.
#include "openmyna/sign_in/jose.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;

TEST(Jose, Rfc7515A3Es256Verifies) {
  const json jwk = {{"kty", "EC"},
                    {"crv", "P-256"},
                    {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                    {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}};
  const std::string jws =
      "eyJhbGciOiJFUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
      "bS9pc19yb290Ijp0cnVlfQ."
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKT"
      "UJqPP3-Kg6NU1Q";
  auto verified = VerifyJws(jws, {jwk});
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->payload["iss"], "joe");
  // One changed byte of the payload: refused.
  std::string tampered = jws;
  tampered[30] = tampered[30] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyJws(tampered, {jwk}));
  // The same with the key made beforehand (a registered client's).
  auto made = KeyFromJwk(jwk);
  ASSERT_TRUE(made);
  auto ready = JwsKey::Make(std::move(*made));
  ASSERT_TRUE(ready);
  const std::vector<std::shared_ptr<const JwsKey>> keys = {*ready};
  EXPECT_TRUE(VerifyJws(jws, {jwk}, keys));
  EXPECT_FALSE(VerifyJws(tampered, {jwk}, keys));
}

TEST(Jose, SignsAndRefusesNoneAndHmac) {
  pki::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  auto jwk = PublicJwk(key.get(), "k1", "ES256");
  ASSERT_TRUE(jwk);
  auto jws = SignEs256({{"a", 1}}, key.get(), "k1");
  ASSERT_TRUE(jws);
  EXPECT_TRUE(VerifyJws(*jws, {*jwk}));
  // alg none with an empty signature, and HS256: refused whatever the key.
  const std::string none = Base64UrlEncode(std::string(R"({"alg":"none"})")) +
                           "." + Base64UrlEncode(std::string(R"({"a":1})")) +
                           ".";
  EXPECT_FALSE(VerifyJws(none, {*jwk}));
  const std::string hs = Base64UrlEncode(std::string(R"({"alg":"HS256"})")) +
                         "." + Base64UrlEncode(std::string(R"({"a":1})")) +
                         ".AAAA";
  EXPECT_FALSE(VerifyJws(hs, {*jwk}));
  // A private JWK round-trips to a key that signs what the public verifies.
  auto private_jwk = PrivateJwk(key.get(), "k1", "ES256");
  ASSERT_TRUE(private_jwk);
  auto again = KeyFromJwk(*private_jwk);
  ASSERT_TRUE(again);
  auto jws2 = SignEs256({{"b", 2}}, again->get(), "k1");
  ASSERT_TRUE(jws2);
  EXPECT_TRUE(VerifyJws(*jws2, {*jwk}));
  // Signed with the key made ready once (the provider's ID tokens): the
  // same header, and it verifies.
  auto ready = JwsKey::Make(std::move(*again));
  ASSERT_TRUE(ready);
  auto jws3 = SignEs256({{"b", 2}}, **ready, "k1");
  ASSERT_TRUE(jws3);
  EXPECT_EQ(jws3->substr(0, jws3->find('.')), jws2->substr(0, jws2->find('.')));
  EXPECT_TRUE(VerifyJws(*jws3, {*jwk}));
  auto decoded = DecodeJws(*jws3);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->payload, json({{"b", 2}}));
  EXPECT_TRUE(VerifyJwsSignature(*jws3, *decoded, {*jwk}, {}));
  // Another payload under jws3's header and signature decodes, and its
  // signature check fails (the signing input is what is verified).
  const std::string forged = jws3->substr(0, jws3->find('.') + 1) +
                             Base64UrlEncode(std::string(R"({"b":3})")) +
                             jws3->substr(jws3->rfind('.'));
  auto forged_decoded = DecodeJws(forged);
  ASSERT_TRUE(forged_decoded);
  EXPECT_FALSE(VerifyJwsSignature(forged, *forged_decoded, {*jwk}, {}));
}

// RFC 4648 §10's vectors (without padding, §3.2), and every byte that is
// not in the base64url alphabet (§5) refused wherever it stands.
TEST(Jose, Base64UrlDecodesRfc4648VectorsAndRefusesOtherBytes) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    const auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), plain);
  }
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    std::string text = "Zm9vYmFy";
    text[3] = ch;
    EXPECT_EQ(Base64UrlDecode(text).has_value(),
              alphabet.find(ch) != std::string::npos)
        << c;
  }
}

TEST(Jose, Base64UrlRefusesNonCanonical) {
  EXPECT_EQ(Base64UrlEncode(std::string("hello")), "aGVsbG8");
  EXPECT_FALSE(Base64UrlDecode("aGVsbG8="));
  EXPECT_FALSE(Base64UrlDecode("aGVsbG9"));  // leftover bits not zero
  EXPECT_TRUE(Base64UrlDecode("aGVsbG8"));
}

}  // namespace
}  // namespace openmyna::sign_in
