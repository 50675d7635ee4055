// Personalization end to end with a real sandbox CA in a temporary folder.
// The checks use OpenSSL directly (certificate parsing, chain signature,
// RSA verification of a signature made by the chip), not our pki code.
#include "openmyna/card/perso/personalize.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/card/card.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/perso/errors.h"
#include "openmyna/card/transport/in_process.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::card::perso {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

X509Ptr ParseCert(ByteView der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

Bytes Spki(X509* cert) {
  unsigned char* out = nullptr;
  const int n = i2d_PUBKEY(X509_get0_pubkey(cert), &out);
  Bytes spki(out, out + n);
  OPENSSL_free(out);
  return spki;
}

const Bytes& EfData(const CardImage& image, std::string_view app, Fid fid) {
  const Application* a = image.FindApplication(app);
  EXPECT_NE(a, nullptr) << app;
  const ElementaryFile* ef = a->Find(fid);
  EXPECT_NE(ef, nullptr) << fid;
  return ef->data;
}

class PersonalizeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("openmyna-perso-test-" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    SystemClock clock;
    OpenSslRng rng;
    auto init = pki::Sandbox::Init(*dir_, {}, clock, rng);
    ASSERT_TRUE(init) << init.error();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static Json Adult() {
    return Json::parse(R"({
      "number": "123456789018", "name": "番号 花子",
      "address": "長野県千曲市杭瀬下１－２－３", "birth_date": "1990-05-10",
      "sex": "female", "kind": "standard",
      "passwords": {"signature": "ABC123", "authentication": "1234",
                    "juki": "5678", "input_assist": "4321"},
      "certificates": ["authentication", "signature"]})");
  }
  static Profile MakeProfile(const Json& json) {
    SystemClock clock;
    auto profile = ParseProfile(json.dump(), domain::JapanDateOf(clock.Now()));
    EXPECT_TRUE(profile) << profile.error();
    return *profile;
  }
  static fs::path* dir_;
};
fs::path* PersonalizeTest::dir_ = nullptr;

TEST_F(PersonalizeTest, AdultCardCarriesCertificatesForKeysMadeOnTheChip) {
  SystemClock clock;
  OpenSslRng rng;
  const fs::path out = *dir_ / "adult.card";
  auto result = PersonalizeToFile(MakeProfile(Adult()), *dir_, out, clock, rng);
  ASSERT_TRUE(result) << result.error();

  struct stat st {};
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  auto key = LoadStorageKey(*dir_);
  ASSERT_TRUE(key) << key.error();
  auto image = LoadImage(out, &*key);
  ASSERT_TRUE(image) << image.error();

  // Each certificate holds the public key of the chip's key, and is signed
  // by the sandbox root written into the CA EF beside it.
  const std::pair<Fid, std::pair<Fid, Fid>> pairs[] = {
      {0x0017, {0x000A, 0x000B}}, {0x001A, {0x0001, 0x0002}}};
  for (const auto& [key_fid, files] : pairs) {
    auto cert = ParseCert(EfData(*image, "jpki", files.first));
    ASSERT_TRUE(cert) << "EF " << files.first << " is not a certificate";
    auto spki = PublicKeyOf(*image, "jpki", key_fid);
    ASSERT_TRUE(spki);
    EXPECT_EQ(Spki(cert.get()), *spki);
    auto root = ParseCert(EfData(*image, "jpki", files.second));
    ASSERT_TRUE(root);
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(root.get())), 1);
    // OpenSC's size probe needs 30 82 HH LL (card-apdu.md §3.2, P15).
    const Bytes& der = EfData(*image, "jpki", files.first);
    EXPECT_EQ(der[0], 0x30);
    EXPECT_EQ(der[1], 0x82);
    EXPECT_EQ(der.size(), 4u + ReadU16(der, 2));
  }
  EXPECT_EQ(EfData(*image, "jpki", 0x0008), (Bytes{0x8F, 0x8F, 0x00}));

  // A signature made by the chip through APDUs verifies with the
  // certificate's key (card-apdu.md §3.4, §11.2).
  auto chip = Card::Open(out, *key, rng);
  ASSERT_TRUE(chip) << chip.error();
  transport::InProcessTransport reader(**chip);
  EXPECT_EQ(reader.TransmitHex("00A4040C0AD392F000260100000001").value(),
            (Bytes{0x90, 0x00}));
  EXPECT_EQ(reader.TransmitHex("0020009804 31323334").value(),
            (Bytes{0x90, 0x00}));
  EXPECT_EQ(reader.TransmitHex("00A4020C020017").value(), (Bytes{0x90, 0x00}));
  const Bytes message = ToBytes("sign me");
  unsigned char digest[32];
  unsigned int digest_len = 0;
  EVP_Digest(message.data(), message.size(), digest, &digest_len, EVP_sha256(),
             nullptr);
  Bytes apdu =
      FromHex("802A008033 3031300D060960864801650304020105000420").value();
  apdu.insert(apdu.end(), digest, digest + 32);
  apdu.push_back(0x00);
  const Bytes response = reader.Transmit(apdu);
  ASSERT_EQ(response.size(), 258u);
  auto cert = ParseCert(EfData(*image, "jpki", 0x000A));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr,
                                 X509_get0_pubkey(cert.get())),
            1);
  EXPECT_EQ(EVP_DigestVerify(ctx, response.data(), 256, message.data(),
                             message.size()),
            1);
  EVP_MD_CTX_free(ctx);
}

TEST_F(PersonalizeTest, TwelveYearOldGetsNoSignatureCertificate) {
  SystemClock clock;
  OpenSslRng rng;
  Json json = Adult();
  const auto today = domain::JapanDateOf(clock.Now());
  json["birth_date"] =
      fmt::format("{:04}-01-15", static_cast<int>(today.year()) - 12);
  json["certificates"] = {"authentication"};
  json["passwords"].erase("signature");
  auto result = Personalize(MakeProfile(json), *dir_, clock, rng);
  ASSERT_TRUE(result) << result.error();
  EXPECT_TRUE(result->sign_certificate_serial.empty());
  EXPECT_FALSE(result->auth_certificate_serial.empty());
  EXPECT_TRUE(EfData(result->image, "jpki", 0x0001).empty());
  EXPECT_EQ(EfData(result->image, "jpki", 0x0008), (Bytes{0x00, 0x8F, 0x00}));
  EXPECT_FALSE(PublicKeyOf(result->image, "jpki", 0x001A));
}

TEST_F(PersonalizeTest, MissingSandboxTellsTheUserToRunInit) {
  SystemClock clock;
  OpenSslRng rng;
  const fs::path empty = *dir_ / "no-sandbox";
  const fs::path out = *dir_ / "never.card";
  auto result = PersonalizeToFile(MakeProfile(Adult()), empty, out, clock, rng);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().Is(PersoErrc::kNoSandbox));
  EXPECT_NE(result.error().message().find("openmyna init"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace openmyna::card::perso
