// The streamed CRL, judged by OpenSSL: `openssl crl` must parse and verify
// it, `openssl verify -crl_check` must accept a good and reject a revoked
// certificate with it.
#include "openmyna/pki/revocation/crl_writer.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <regex>

#include "openmyna/pki/revocation/errors.h"
#include "testing/test_pki.h"

namespace openmyna::pki::revocation {
namespace {

using namespace std::chrono_literals;
using test_support::Shell;

TimePoint At(int y, unsigned m, unsigned d, int h = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} +
         std::chrono::hours(h);
}

GeneralNamesPtr PartitionNames(const std::string& url) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  X509_NAME* dn = X509_NAME_new();
  X509_NAME_add_entry_by_txt(dn, "C", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("JP"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(
      dn, "OU", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("CRL Distribution Points"), -1, -1,
      0);
  X509_NAME_add_entry_by_txt(
      dn, "CN", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("Kiyose-shi CRLDP"), -1, -1, 0);
  GENERAL_NAME* dir = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(dir, GEN_DIRNAME, dn);
  sk_GENERAL_NAME_push(names.get(), dir);
  GENERAL_NAME* uri = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  ASN1_STRING_set(text, url.data(), static_cast<int>(url.size()));
  GENERAL_NAME_set0_value(uri, GEN_URI, text);
  sk_GENERAL_NAME_push(names.get(), uri);
  return names;
}

class CrlWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = std::chrono::floor<std::chrono::seconds>(
        std::chrono::system_clock::now());
    ca_ = test_support::MakeCa("CRL test CA", now_);
    dir_ = test_support::TempDir("crl");
    test_support::WriteFile(dir_ / "ca.pem", test_support::Pem(ca_.cert.get()));
    names_ = PartitionNames(kUrl);
    params_.issuer = ca_.cert.get();
    params_.issuer_key_identifier = ca_.key_id;
    params_.signing_key = ca_.key.get();
    params_.crl_number = 7;
    params_.this_update = now_;
    params_.next_update = now_ + 26h;
    params_.distribution_point = names_.get();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static RevokedEntrySource FromVector(std::vector<RevokedEntry> entries) {
    return [entries = std::move(entries)](
               const std::function<bool(const RevokedEntry&)>& visit) {
      for (const auto& e : entries) {
        if (!visit(e)) break;
      }
      return Ok();
    };
  }

  std::string CrlText(const std::filesystem::path& crl) {
    int status = -1;
    std::string out = Shell(
        "openssl crl -inform DER -noout -text -in " + crl.string(), &status);
    EXPECT_EQ(status, 0) << out;
    return out;
  }

  static constexpr const char* kUrl =
      "http://127.0.0.1:8390/crl/sign/g1/13221.crl";
  TimePoint now_;
  test_support::TestCa ca_;
  std::filesystem::path dir_;
  GeneralNamesPtr names_;
  CrlParameters params_;
};

TEST_F(CrlWriterTest, OpensslParsesAndVerifiesEveryField) {
  std::vector<RevokedEntry> entries = {
      {test_support::SerialOf("0a"), now_ - 3h,
       RevocationReason::kKeyCompromise},
      {test_support::SerialOf("0b"), now_ - 2h, RevocationReason::kUnspecified},
      {test_support::SerialOf("80ff"), now_ - 1h,
       RevocationReason::kCertificateHold},
      {test_support::SerialOf("0123456789abcdef0123456789abcdef"), now_ - 1h,
       RevocationReason::kAffiliationChanged},
  };
  const auto path = dir_ / "p.crl";
  auto summary = WriteCrlFile(params_, FromVector(entries), path);
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->entries, 4u);
  EXPECT_EQ(summary->der_bytes, std::filesystem::file_size(path));

  const std::string text = CrlText(path);
  EXPECT_NE(text.find("Version 2 (0x1)"), std::string::npos) << text;
  EXPECT_NE(text.find("Signature Algorithm: sha256WithRSAEncryption"),
            std::string::npos);
  EXPECT_TRUE(std::regex_search(text, std::regex("X509v3 CRL Number: *\n *7")))
      << text;
  EXPECT_NE(text.find("X509v3 Issuing Distribution Point: critical"),
            std::string::npos);
  EXPECT_NE(text.find("Only User Certificates"), std::string::npos);
  EXPECT_NE(text.find(std::string("URI:") + kUrl), std::string::npos);
  EXPECT_NE(text.find("CN = Kiyose-shi CRLDP"), std::string::npos);
  EXPECT_NE(text.find("X509v3 Authority Key Identifier: \n                " +
                      ToHex(ca_.key_id, ':', true)),
            std::string::npos)
      << text;
  // The entries with their reasons; the unspecified one carries none.
  EXPECT_TRUE(std::regex_search(
      text, std::regex("Serial Number: 0A\n[^\n]*\n *CRL entry extensions:\n "
                       "*X509v3 CRL Reason Code: *\n *Key Compromise")))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex("Serial Number: 0B\n *Revocation Date: [^\n]*\n *"
                       "Serial Number: 80FF")))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex("Serial Number: 80FF\n(.*\n){3} *Certificate Hold")))
      << text;
  EXPECT_NE(text.find("Serial Number: 0123456789ABCDEF0123456789ABCDEF"),
            std::string::npos);
  EXPECT_NE(text.find("Affiliation Changed"), std::string::npos);

  int status = -1;
  const std::string verify =
      Shell("openssl crl -inform DER -noout -in " + path.string() +
                " -CAfile " + (dir_ / "ca.pem").string(),
            &status);
  EXPECT_EQ(status, 0) << verify;
  EXPECT_NE(verify.find("verify OK"), std::string::npos) << verify;
}

TEST_F(CrlWriterTest, OpensslVerifyCrlCheckAcceptsGoodRejectsRevoked) {
  // The leaves name the partition as their CRL distribution point, so that
  // OpenSSL accepts the CRL's scope (RFC 5280 §6.3.3 (b)).
  X509Ptr good = test_support::IssueLeaf(ca_, "1001", now_, names_.get());
  X509Ptr revoked = test_support::IssueLeaf(ca_, "1002", now_, names_.get());
  test_support::WriteFile(dir_ / "good.pem", test_support::Pem(good.get()));
  test_support::WriteFile(dir_ / "revoked.pem",
                          test_support::Pem(revoked.get()));
  auto summary =
      WriteCrlFile(params_,
                   FromVector({{test_support::SerialOf("1002"), now_ - 1h,
                                RevocationReason::kKeyCompromise}}),
                   dir_ / "p.crl");
  ASSERT_TRUE(summary) << summary.error();
  Shell("openssl crl -inform DER -in " + (dir_ / "p.crl").string() + " -out " +
        (dir_ / "p.crl.pem").string());
  const std::string base = "openssl verify -crl_check -CAfile " +
                           (dir_ / "ca.pem").string() + " -CRLfile " +
                           (dir_ / "p.crl.pem").string() + " ";
  int status = -1;
  std::string out = Shell(base + (dir_ / "good.pem").string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find(": OK"), std::string::npos);
  out = Shell(base + (dir_ / "revoked.pem").string(), &status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("certificate revoked"), std::string::npos) << out;
}

TEST_F(CrlWriterTest, EmptyPartitionOmitsTheRevokedList) {
  auto summary = WriteCrlFile(params_, FromVector({}), dir_ / "e.crl");
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->entries, 0u);
  EXPECT_NE(CrlText(dir_ / "e.crl").find("No Revoked Certificates."),
            std::string::npos);
}

TEST_F(CrlWriterTest, TimesAfter2049AreGeneralizedTime) {
  params_.this_update = At(2049, 12, 31, 12);
  params_.next_update = At(2050, 1, 1, 14);
  auto summary = WriteCrlFile(
      params_,
      FromVector({{test_support::SerialOf("05"), At(2049, 12, 31, 1),
                   RevocationReason::kSuperseded}}),
      dir_ / "y.crl");
  ASSERT_TRUE(summary) << summary.error();
  const std::string text = CrlText(dir_ / "y.crl");
  EXPECT_NE(text.find("Last Update: Dec 31 12:00:00 2049 GMT"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Next Update: Jan  1 14:00:00 2050 GMT"),
            std::string::npos);
  const std::string parse =
      Shell("openssl asn1parse -inform DER -in " + (dir_ / "y.crl").string());
  EXPECT_NE(parse.find("UTCTIME           :491231120000Z"), std::string::npos)
      << parse;
  EXPECT_NE(parse.find("GENERALIZEDTIME   :20500101140000Z"),
            std::string::npos);
}

TEST_F(CrlWriterTest, EntriesRevokedAfterThisUpdateWaitForTheNextCrl) {
  auto summary =
      WriteCrlFile(params_,
                   FromVector({{test_support::SerialOf("01"), now_ - 1s,
                                RevocationReason::kKeyCompromise},
                               {test_support::SerialOf("02"), now_ + 1s,
                                RevocationReason::kKeyCompromise}}),
                   dir_ / "t.crl");
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->entries, 1u);
  EXPECT_EQ(CrlText(dir_ / "t.crl").find("Serial Number: 02"),
            std::string::npos);
}

TEST_F(CrlWriterTest, StreamsLargePartitionsInBoundedChunks) {
  constexpr int kCount = 100'000;
  // A generator, not a vector: nothing holds the entries.
  RevokedEntrySource source =
      [&](const std::function<bool(const RevokedEntry&)>& visit) {
        RevokedEntry e;
        e.reason = RevocationReason::kAffiliationChanged;
        e.revocation_time = now_ - 1h;
        for (int i = 1; i <= kCount; ++i) {
          e.serial.bytes = {0x40, static_cast<std::uint8_t>(i >> 16),
                            static_cast<std::uint8_t>(i >> 8),
                            static_cast<std::uint8_t>(i)};
          if (!visit(e)) break;
        }
        return Ok();
      };
  std::size_t largest = 0;
  Bytes all;
  auto summary = WriteCrl(params_, source, [&](ByteView chunk) -> Status {
    largest = std::max(largest, chunk.size());
    Append(all, chunk);
    return Ok();
  });
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->entries, static_cast<std::uint64_t>(kCount));
  EXPECT_LE(largest, 64u * 1024 + 1024);
  // OpenSSL (in process) parses it and the signature verifies.
  const unsigned char* p = all.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(all.size())));
  ASSERT_NE(crl, nullptr);
  EXPECT_EQ(p, all.data() + all.size());
  EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), kCount);
  EXPECT_EQ(X509_CRL_verify(crl.get(), ca_.key.get()), 1);
}

// One walk of the store: what the walk saw is what the CRL lists, even
// if the store would answer differently the next time (a revocation
// landing during the write waits for the next CRL).
TEST_F(CrlWriterTest, WalksTheStoreOnce) {
  int walks = 0;
  RevokedEntrySource source =
      [&](const std::function<bool(const RevokedEntry&)>& visit) {
        ++walks;
        visit({test_support::SerialOf("01"), now_ - 1h,
               RevocationReason::kKeyCompromise});
        if (walks >= 2) {
          visit({test_support::SerialOf("02"), now_ - 1h,
                 RevocationReason::kKeyCompromise});
        }
        return Ok();
      };
  auto written = WriteCrlFile(params_, source, dir_ / "r.crl");
  ASSERT_TRUE(written) << written.error();
  EXPECT_EQ(walks, 1);
  EXPECT_EQ(written->entries, 1u);
  const std::string text = CrlText(dir_ / "r.crl");
  EXPECT_NE(text.find("Serial Number: 01"), std::string::npos) << text;
  EXPECT_EQ(text.find("Serial Number: 02"), std::string::npos) << text;
  // No spill file is left in the CRL's folder.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& f :
       std::filesystem::directory_iterator(dir_)) {
    ++files;
  }
  EXPECT_EQ(files, 2u);  // ca.pem and r.crl
}

TEST_F(CrlWriterTest, RefusesUnorderedEntriesAndBadParameters) {
  auto result = WriteCrl(params_,
                         FromVector({{test_support::SerialOf("02"), now_ - 1h,
                                      RevocationReason::kKeyCompromise},
                                     {test_support::SerialOf("01"), now_ - 1h,
                                      RevocationReason::kKeyCompromise}}),
                         [](ByteView) { return Ok(); });
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().Is(RevocationErrc::kUnorderedEntries));
  params_.next_update = params_.this_update;
  result = WriteCrl(params_, FromVector({}), [](ByteView) { return Ok(); });
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().Is(RevocationErrc::kInvalidParameters));
}

}  // namespace
}  // namespace openmyna::pki::revocation
