// COMPUTE DIGITAL SIGNATURE and INTERNAL AUTHENTICATE. Signatures are
// checked by OpenSSL (EVP_DigestVerify / the `openssl` command line) with
// the public key the card published at key generation — never by the
// kernel's own code.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "kernel/test_util.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/issuance.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

EVP_PKEY* PublicKey(std::string_view app, Fid fid) {
  auto spki = PublicKeyOf(PersonalizedImage(), app, fid);
  EXPECT_TRUE(spki.has_value());
  const unsigned char* p = spki->data();
  return d2i_PUBKEY(nullptr, &p, static_cast<long>(spki->size()));
}

// sha256WithRSAEncryption verification (RFC 8017 §8.2.2) or PSS.
bool VerifySha256(EVP_PKEY* pub, ByteView message, ByteView sig,
                  bool pss = false) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok =
      EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, pub) == 1 &&
      (!pss ||
       (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1)) &&
      EVP_DigestVerify(ctx, sig.data(), sig.size(), message.data(),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

Bytes Sha256(ByteView m) {
  Bytes out(32);
  EVP_Digest(m.data(), m.size(), out.data(), nullptr, EVP_sha256(), nullptr);
  return out;
}

std::string Hex(ByteView b) { return ToHex(b, ' '); }

// The DigestInfo prefix OpenSC sends for SHA256-RSA-PKCS (§3.4 table).
constexpr std::string_view kSha256DigestInfoPrefix =
    "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20";

class SignTest : public ::testing::Test {
 protected:
  SignTest() : card_(Card::FromImage(PersonalizedImage(), rng_)) {}
  Bytes SignDigestInfo(std::string_view key_p2, ByteView message) {
    return Send(*card_, std::string("80 2A 00 ") + std::string(key_p2) +
                            " 33 " + std::string(kSha256DigestInfoPrefix) +
                            " " + Hex(Sha256(message)) + " 00");
  }
  DeterministicRng rng_{17};
  std::unique_ptr<Card> card_;
  const Bytes message_ = ToBytes("challenge from a relying party");
};

TEST_F(SignTest, AuthKeyAsPkcs11ToolDoes) {
  // §11.2: VERIFY, SELECT key, 80 2A 00 80 33 <DigestInfo> 00.
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 18"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 20 00 80 04 31 32 33 34"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 17"), 0x9000);
  Bytes r = SignDigestInfo("80", message_);
  ASSERT_EQ(SwOf(r), 0x9000);
  Bytes sig = DataOf(r);
  ASSERT_EQ(sig.size(), 256u);
  EVP_PKEY* pub = PublicKey("jpki", 0x0017);
  EXPECT_TRUE(VerifySha256(pub, message_, sig));
  EXPECT_FALSE(VerifySha256(pub, ToBytes("another message"), sig));
  // P2 naming the key by SFI gives the byte-identical signature (§3.4).
  Bytes r2 = SignDigestInfo("97", message_);
  EXPECT_EQ(DataOf(r2), sig);
  // The other key's public key does not verify it.
  EVP_PKEY* sign_pub = PublicKey("jpki", 0x001A);
  EXPECT_FALSE(VerifySha256(sign_pub, message_, sig));
  EVP_PKEY_free(pub);
  EVP_PKEY_free(sign_pub);
}

TEST_F(SignTest, NeedsTheMatchingPin) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SwOf(SignDigestInfo("97", message_)), 0x6982);
  EXPECT_EQ(SwOf(SignDigestInfo("9A", message_)), 0x6982);
  ASSERT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x9000);
  EXPECT_EQ(SwOf(SignDigestInfo("9A", message_)), 0x6982);  // other PIN
  EXPECT_EQ(SwOf(SignDigestInfo("97", message_)), 0x9000);
  // A non-key object and an unknown P1.
  EXPECT_EQ(SwOf(SignDigestInfo("8A", message_)), 0x6985);
  EXPECT_EQ(SendSw(*card_, "80 2A 06 97 01 00 00"), 0x6A86);
  // Input too long for P1 00 (> 245 bytes).
  EXPECT_EQ(SendSw(*card_,
                   "80 2A 00 97 00 00 F6 " + Hex(Bytes(246, 0x11)) + " 00 00"),
            0x6700);
}

TEST_F(SignTest, SignatureKeyVerifiedWithTheOpensslCommandLine) {
  // §11.3: the signature key after the signature password; the signature
  // is checked by `openssl pkeyutl -verify` on the published public key.
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 1B"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 20 00 80 06 41 42 43 31 32 33"), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 A4 02 0C 02 00 1A"), 0x9000);
  Bytes r = SignDigestInfo("80", message_);
  ASSERT_EQ(SwOf(r), 0x9000);
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("openmyna-sign-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const char* name, ByteView bytes) {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  };
  write("pub.der", *PublicKeyOf(PersonalizedImage(), "jpki", 0x001A));
  write("sig.bin", DataOf(r));
  write("msg.bin", message_);
  const std::string cmd =
      "cd " + dir.string() +
      " && openssl pkey -pubin -inform DER -in pub.der -out pub.pem "
      "&& openssl dgst -sha256 -verify pub.pem -signature sig.bin msg.bin "
      ">/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  fs::remove_all(dir);
}

TEST_F(SignTest, InputFormatsP1ToP5) {
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  ASSERT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x9000);
  EVP_PKEY* pub = PublicKey("jpki", 0x0017);
  const Bytes hash = Sha256(message_);
  // 02: a bare SHA-256 hash; the card wraps it in a DigestInfo.
  Bytes r = Send(*card_, "80 2A 02 97 20 " + Hex(hash) + " 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EXPECT_TRUE(VerifySha256(pub, message_, DataOf(r)));
  EXPECT_EQ(SendSw(*card_, "80 2A 02 97 1F " + Hex(Bytes(31, 1)) + " 00"),
            0x6700);
  // 03: the message itself.
  r = Send(*card_, "80 2A 03 97 " +
                       Hex(Bytes{static_cast<std::uint8_t>(message_.size())}) +
                       " " + Hex(message_) + " 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EXPECT_TRUE(VerifySha256(pub, message_, DataOf(r)));
  // 04 / 05: RSASSA-PSS.
  r = Send(*card_, "80 2A 04 97 20 " + Hex(hash) + " 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EXPECT_TRUE(VerifySha256(pub, message_, DataOf(r), /*pss=*/true));
  r = Send(*card_, "80 2A 05 97 " +
                       Hex(Bytes{static_cast<std::uint8_t>(message_.size())}) +
                       " " + Hex(message_) + " 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EXPECT_TRUE(VerifySha256(pub, message_, DataOf(r), /*pss=*/true));
  // 01: SHA-256 padded without DigestInfo: recover it with a raw public
  // decryption (PKCS#1 v1.5 type 1) and compare with the hash.
  r = Send(*card_, "80 2A 01 97 " +
                       Hex(Bytes{static_cast<std::uint8_t>(message_.size())}) +
                       " " + Hex(message_) + " 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pub, nullptr);
  ASSERT_EQ(EVP_PKEY_verify_recover_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
  Bytes recovered(256);
  std::size_t len = recovered.size();
  Bytes sig = DataOf(r);
  ASSERT_EQ(EVP_PKEY_verify_recover(ctx, recovered.data(), &len, sig.data(),
                                    sig.size()),
            1);
  recovered.resize(len);
  EXPECT_EQ(recovered, hash);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pub);
}

TEST_F(SignTest, InternalAuthenticateOnlyWithCommonKey0019) {
  ASSERT_EQ(SendSw(*card_, kSelectCommon), 0x9000);
  const Bytes challenge = rng_.Bytes(16);
  Bytes r = Send(*card_, "00 88 00 99 10 " + Hex(challenge) + " 00");
  ASSERT_EQ(SwOf(r), 0x9000);
  EVP_PKEY* pub = PublicKey("common", 0x0019);
  EXPECT_TRUE(VerifySha256(pub, challenge, DataOf(r)));
  EVP_PKEY_free(pub);
  // The common key does not do 80 2A; JPKI keys do not do 00 88.
  EXPECT_EQ(SendSw(*card_, "80 2A 00 99 03 01 02 03 00"), 0x6985);
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 88 00 97 10 " + Hex(challenge) + " 00"), 0x6982);
  ASSERT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 88 00 97 10 " + Hex(challenge) + " 00"), 0x6985);
}

// Card::ResetTo (the fuzzer's per-input reset): the whole chip comes back —
// an erased chip, spent tries, the login cleared — and a key the card had
// parsed before is not reused when the new image holds another key.
TEST_F(SignTest, ResetToRestoresTheChipAndFollowsItsKeys) {
  auto sign_with_auth_key = [&] {
    EXPECT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
    EXPECT_EQ(SendSw(*card_, "00 20 00 98 04 31 32 33 34"), 0x9000);
    Bytes r = SignDigestInfo("97", message_);
    EXPECT_EQ(SwOf(r), 0x9000);
    return DataOf(r);
  };
  auto public_key = [](const CardImage& image) {
    auto spki = PublicKeyOf(image, "jpki", 0x0017);
    EXPECT_TRUE(spki.has_value());
    const unsigned char* p = spki->data();
    return d2i_PUBKEY(nullptr, &p, static_cast<long>(spki->size()));
  };
  EVP_PKEY* original = public_key(PersonalizedImage());
  ASSERT_TRUE(VerifySha256(original, message_, sign_with_auth_key()));

  // A spent try, then the tamper trigger (forced read of the key): erased.
  EXPECT_EQ(SendSw(*card_, "00 20 00 98 04 30 30 30 30"), 0x63C2);
  EXPECT_EQ(SendSw(*card_, "80 B0 97 00 00"), 0x6F00);
  EXPECT_EQ(SendSw(*card_, kSelectJpki), 0x6F00);
  ASSERT_TRUE(card_->ResetTo(PersonalizedImage()));
  ASSERT_EQ(SendSw(*card_, kSelectJpki), 0x9000);
  EXPECT_EQ(SendSw(*card_, "00 20 00 98"), 0x63C3);
  EXPECT_EQ(SwOf(SignDigestInfo("97", message_)), 0x6982);  // not logged in
  EXPECT_TRUE(VerifySha256(original, message_, sign_with_auth_key()));

  // An image whose auth key was generated again: the card signs with it.
  CardImage rekeyed = PersonalizedImage();
  ASSERT_TRUE(GenerateKeyPair(rekeyed, "jpki", 0x0017));
  EVP_PKEY* fresh = public_key(rekeyed);
  ASSERT_TRUE(card_->ResetTo(rekeyed));
  const Bytes sig = sign_with_auth_key();
  EXPECT_TRUE(VerifySha256(fresh, message_, sig));
  EXPECT_FALSE(VerifySha256(original, message_, sig));
  ASSERT_TRUE(card_->ResetTo(PersonalizedImage()));
  EXPECT_TRUE(VerifySha256(original, message_, sign_with_auth_key()));
  EVP_PKEY_free(original);
  EVP_PKEY_free(fresh);
}

}  // namespace
}  // namespace openmyna::card::testing
