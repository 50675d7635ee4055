// Keys, DigestInfos, signatures and CV certificates of the card-face APs,
// checked with the openssl command line (an independent implementation)
// and against the byte values of card-apdu.md §3.4, §5, §8.1, §8.4.
#include "openmyna/card/faces/signing.h"

#include <gtest/gtest.h>

#include <cctype>

#include "openmyna/card/faces/errors.h"
#include "testing/test_support.h"

namespace openmyna::card::faces {
namespace {

using test_support::Hex;
using test_support::Slice;

using test_support::NewRsaKey;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;
using test_support::WritePublicKeyPem;

TEST(SigningTest, KeyIdLayout) {
  // "NNNNNNN" 08 05 "GGG" 00 00 00 00 (card-apdu.md §8.4).
  KeyId id = MakeKeyId("9000033", "001").value();
  EXPECT_EQ(Bytes(id.begin(), id.end()),
            Hex("39 30 30 30 30 33 33 08 05 30 30 31 00 00 00 00"));
  EXPECT_FALSE(MakeKeyId("900003", "001"));
  EXPECT_FALSE(MakeKeyId("90000a3", "001"));
  EXPECT_FALSE(MakeKeyId("9000033", "01"));
}

TEST(SigningTest, PublicKeyTlvCarriesTheModulusOpensslPrints) {
  auto key = NewRsaKey();
  Bytes encoded = EncodeRsaPublicKey(key.get()).value();
  // 90 03 01 00 01 + 91 82 01 00 + 256 = 265 bytes (card-apdu.md §8.1).
  ASSERT_EQ(encoded.size(), 265u);
  EXPECT_EQ(Slice(encoded, 0, 9), Hex("90 03 01 00 01 91 82 01 00"));
  TempDir dir;
  WritePublicKeyPem(key.get(), dir / "pub.pem");
  auto r = RunTool("openssl rsa -pubin -in " + (dir / "pub.pem") +
                   " -noout -modulus");
  ASSERT_EQ(r.status, 0) << r.output;
  std::string modulus = r.output.substr(r.output.find('=') + 1, 512);
  EXPECT_EQ(ToHex(Slice(encoded, 9, 265), '\0', true), modulus);
}

TEST(SigningTest, PublicKeyRoundTrip) {
  auto key = NewRsaKey();
  Bytes encoded = EncodeRsaPublicKey(key.get()).value();
  EVP_PKEY* decoded = DecodeRsaPublicKey(encoded).value();
  EXPECT_EQ(EVP_PKEY_eq(decoded, key.get()), 1);
  EVP_PKEY_free(decoded);
  EXPECT_FALSE(DecodeRsaPublicKey(Hex("91 01 00")));
}

TEST(SigningTest, RefusesKeysThatAreNotRsa2048) {
  test_support::PkeyPtr small(EVP_RSA_gen(1024));
  auto r = EncodeRsaPublicKey(small.get());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(FacesErrc::kInvalidKey));
  EXPECT_FALSE(EncodeRsaPublicKey(nullptr));
  EXPECT_FALSE(SignSha256(small.get(), Hex("00")));
}

TEST(SigningTest, DigestInfoPrefixes) {
  // SHA256-RSA-PKCS as OpenSC sends it (card-apdu.md §3.4).
  Bytes digest(32, 0x11);
  Bytes info = Sha256DigestInfo(digest);
  EXPECT_EQ(Slice(info, 0, 19),
            Hex("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20"));
  EXPECT_EQ(info.size(), 51u);
  // Three hashes in one DigestInfo: 30 71 … 04 60 (card-apdu.md §6, DF28).
  Bytes three = Sha256DigestInfo(Bytes(96, 0x22));
  EXPECT_EQ(three.size(), 115u);
  EXPECT_EQ(Slice(three, 0, 2), Hex("30 71"));
  EXPECT_EQ(Slice(three, 17, 19), Hex("04 60"));
}

TEST(SigningTest, Sha256SignatureVerifiesWithOpenssl) {
  auto key = NewRsaKey();
  Bytes message = ToBytes("DF31 and DF32 TLVs, or any other record");
  Bytes signature = SignSha256(key.get(), message).value();
  ASSERT_EQ(signature.size(), 256u);
  TempDir dir;
  WritePublicKeyPem(key.get(), dir / "pub.pem");
  WriteFile(dir / "msg", message);
  WriteFile(dir / "sig", signature);
  auto ok = RunTool("openssl dgst -sha256 -verify " + (dir / "pub.pem") +
                    " -signature " + (dir / "sig") + " " + (dir / "msg"));
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("Verified OK"), std::string::npos);
  message.back() ^= 1;
  WriteFile(dir / "msg", message);
  auto bad = RunTool("openssl dgst -sha256 -verify " + (dir / "pub.pem") +
                     " -signature " + (dir / "sig") + " " + (dir / "msg"));
  EXPECT_NE(bad.status, 0);
}

TEST(SigningTest, DigestInfoSignatureRecoversTheDigestInfo) {
  // What 80 2A 00 00 does on the card: PKCS#1 v1.5 type 1 of the input.
  auto key = NewRsaKey();
  Bytes info = Sha256DigestInfo(Sha256(ToBytes("challenge")));
  Bytes signature = SignDigestInfo(key.get(), info).value();
  TempDir dir;
  WritePublicKeyPem(key.get(), dir / "pub.pem");
  WriteFile(dir / "sig", signature);
  auto r = RunTool("openssl pkeyutl -verifyrecover -pubin -inkey " +
                   (dir / "pub.pem") + " -in " + (dir / "sig") + " -out " +
                   (dir / "rec"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(test_support::ReadFile(dir / "rec"), info);
  EXPECT_FALSE(SignDigestInfo(key.get(), Bytes(246, 1)));
  EXPECT_TRUE(SignDigestInfo(key.get(), Bytes(245, 1)));
  EXPECT_FALSE(SignDigestInfo(key.get(), Bytes{}));
}

TEST(SigningTest, CvCertificateLayoutAndSignature) {
  auto issuer_key = NewRsaKey();
  auto subject_key = NewRsaKey();
  KeyId issuer_id = MakeKeyId("9000033", "001").value();
  KeyId subject_id = MakeKeyId("9000034", "002").value();
  Bytes cert = EncodeCvCertificate(issuer_id, subject_id, subject_key.get(),
                                   issuer_key.get())
                   .value();
  // 7F 21 82 02 33 { 5F 4E 82 01 29 … ; 5F 37 82 01 00 … } = 568 bytes.
  ASSERT_EQ(cert.size(), 568u);
  EXPECT_EQ(Slice(cert, 0, 10), Hex("7F 21 82 02 33 5F 4E 82 01 29"));
  EXPECT_EQ(Slice(cert, 10, 26), Bytes(issuer_id.begin(), issuer_id.end()));
  EXPECT_EQ(Slice(cert, 26, 42), Bytes(subject_id.begin(), subject_id.end()));
  EXPECT_EQ(Slice(cert, 42, 307),
            EncodeRsaPublicKey(subject_key.get()).value());
  EXPECT_EQ(Slice(cert, 307, 312), Hex("5F 37 82 01 00"));
  TempDir dir;
  WritePublicKeyPem(issuer_key.get(), dir / "issuer.pem");
  WriteFile(dir / "body", Slice(cert, 10, 307));
  WriteFile(dir / "sig", Slice(cert, 312, 568));
  auto r = RunTool("openssl dgst -sha256 -verify " + (dir / "issuer.pem") +
                   " -signature " + (dir / "sig") + " " + (dir / "body"));
  EXPECT_EQ(r.status, 0) << r.output;
}

}  // namespace
}  // namespace openmyna::card::faces
