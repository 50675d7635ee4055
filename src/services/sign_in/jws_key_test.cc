// JwsKey against the openssl command line: signatures openssl made verify
// (RS256's PKCS#1 v1.5 and ES256's ECDSA, SHA-256), again and again from the
// one set-up, and a changed byte does not; signatures JwsKey makes, also
// from two threads at once, verify with `openssl dgst -verify`.
#include "openmyna/sign_in/jws_key.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {
namespace {

namespace fs = std::filesystem;
using testing_tools::RunShell;

class JwsKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jws_key_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
    Write("input", input_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }
  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(Path(name), std::ios::binary) << bytes;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(Path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  // openssl makes a key pair (`algorithm` options of genpkey), its public
  // half and its signature over input_.
  void OpensslKey(const std::string& name, const std::string& algorithm) {
    ASSERT_EQ(
        RunShell("openssl genpkey " + algorithm + " -out " +
                 Path(name + ".key") + " 2>/dev/null && openssl pkey -in " +
                 Path(name + ".key") + " -pubout -out " + Path(name + ".pub") +
                 " && openssl dgst -sha256 -sign " + Path(name + ".key") +
                 " -out " + Path(name + ".sig") + " " + Path("input"))
            .status,
        0);
  }
  std::shared_ptr<const JwsKey> Load(const std::string& file, bool priv) {
    const std::string pem = Read(file);
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key =
        priv ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
             : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    auto made = JwsKey::Make(pki::EvpPkeyPtr(key));
    EXPECT_TRUE(made);
    return made ? *made : nullptr;
  }
  static ByteView View(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }
  bool OpensslVerifies(const std::string& pub, const Bytes& signature,
                       const std::string& name) {
    Write(name, std::string(signature.begin(), signature.end()));
    return RunShell("openssl dgst -sha256 -verify " + Path(pub) +
                    " -signature " + Path(name) + " " + Path("input"))
               .output == "Verified OK\n";
  }

  fs::path dir_;
  const std::string input_ = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UifQ";
};

TEST_F(JwsKeyTest, VerifiesOpensslSignaturesEveryTime) {
  for (const std::string algorithm :
       {"-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
        "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"}) {
    SCOPED_TRACE(algorithm);
    OpensslKey("k", algorithm);
    auto key = Load("k.pub", false);
    ASSERT_TRUE(key);
    EXPECT_FALSE(key->can_sign());
    const std::string signature = Read("k.sig");
    std::string changed = signature;
    changed[changed.size() / 2] ^= 0x01;
    std::string other_input = input_;
    other_input.back() ^= 0x01;
    for (int i = 0; i < 3; ++i) {  // the set-up is copied, never used up
      EXPECT_TRUE(key->Verify(input_, View(signature)));
      EXPECT_FALSE(key->Verify(input_, View(changed)));
      EXPECT_FALSE(key->Verify(other_input, View(signature)));
    }
  }
}

TEST_F(JwsKeyTest, Es256SignaturesVerifyWithOpenssl) {
  OpensslKey("ec", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256");
  auto key = Load("ec.key", true);
  ASSERT_TRUE(key);
  ASSERT_TRUE(key->can_sign());
  std::vector<Bytes> signatures(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 8; i += 2) {
        signatures[i] = key->Sign(input_).value_or(Bytes{});
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    EXPECT_TRUE(OpensslVerifies("ec.pub", signatures[i],
                                "made" + std::to_string(i) + ".sig"))
        << i;
  }
  // ECDSA draws a fresh k each time (FIPS 186-4 §6.3).
  EXPECT_NE(signatures[0], signatures[1]);
  // An RSA key verifies only: it never signs ES256.
  OpensslKey("rsa", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048");
  auto rsa = Load("rsa.key", true);
  ASSERT_TRUE(rsa);
  EXPECT_FALSE(rsa->can_sign());
  EXPECT_FALSE(rsa->Sign(input_));
}

// A JWS over claims written as text (the provider's ID token: jose.h
// SignEs256Json): its header is the bytes of nlohmann's dump of
// {"alg","kid","typ"}, its payload the text as given, and its signature
// (R || S, RFC 7518 §3.4) verifies with `openssl dgst -verify` once openssl
// itself has written it as the DER ECDSA-Sig-Value (asn1parse -genconf).
TEST_F(JwsKeyTest, JwsOverTextVerifiesWithOpenssl) {
  OpensslKey("ec", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256");
  auto key = Load("ec.key", true);
  ASSERT_TRUE(key);
  const std::string claims =
      R"({"acr":"aal3 ocsp","amr":["jpki_auth"],"nonce":"\"n\u0001"})";
  for (const std::string typ : {"JWT", ""}) {
    auto jws = SignEs256Json(claims, *key, "kid-1", typ);
    ASSERT_TRUE(jws);
    const auto first = jws->find('.');
    const auto last = jws->rfind('.');
    const auto header = Base64UrlDecode(jws->substr(0, first));
    const auto payload =
        Base64UrlDecode(jws->substr(first + 1, last - first - 1));
    const auto signature = Base64UrlDecode(jws->substr(last + 1));
    ASSERT_TRUE(header && payload && signature);
    nlohmann::json expected = {{"alg", "ES256"}, {"kid", "kid-1"}};
    if (!typ.empty()) expected["typ"] = typ;
    EXPECT_EQ(std::string(header->begin(), header->end()), expected.dump());
    EXPECT_EQ(std::string(payload->begin(), payload->end()), claims);
    ASSERT_EQ(signature->size(), 64u);
    Write("jws-input", jws->substr(0, last));
    Write("sig.conf", "asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x" +
                          ToHex(ByteView(*signature).first(32)) +
                          "\ns=INTEGER:0x" +
                          ToHex(ByteView(*signature).subspan(32)) + "\n");
    EXPECT_EQ(RunShell("openssl asn1parse -genconf " + Path("sig.conf") +
                       " -out " + Path("sig.der") +
                       " >/dev/null && openssl dgst -sha256 -verify " +
                       Path("ec.pub") + " -signature " + Path("sig.der") + " " +
                       Path("jws-input"))
                  .output,
              "Verified OK\n");
  }
}

}  // namespace
}  // namespace openmyna::sign_in
