// Text AP (券面事項入力補助AP) file contents. Expected bytes come from
// card-apdu.md (§8.2 My Number EF, §8.3 worked example, §5 sizes), the
// UTF-8 of the sample strings from Python, hashes and signatures from the
// openssl command line, and TLV offsets from `openssl asn1parse`.
#include "openmyna/card/faces/text_ap_data.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "openmyna/card/faces/errors.h"
#include "openmyna/card/faces/tlv.h"
#include "testing/test_support.h"

namespace openmyna::card::faces {
namespace {

using test_support::Hex;
using test_support::Slice;

using namespace std::chrono_literals;
using test_support::NewRsaKey;
using test_support::OpensslSha256;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;
using test_support::WritePublicKeyPem;

// card-apdu.md §8.3, "Worked example (fictional data, 95 bytes)"; the UTF-8
// of 山田　太郎 and of the address as printed by Python's str.encode().
constexpr std::string_view kWorkedExample =
    "FF 20 5C"
    " DF 21 08 00 0E 00 20 00 50 00 5B"
    " DF 22 0F e5 b1 b1 e7 94 b0 e3 80 80 e5 a4 aa e9 83 8e"
    " DF 23 2D e6 9d b1 e4 ba ac e9 83 bd e5 8d 83 e4 bb a3 e7 94 b0 e5 8c ba"
    " e9 9c 9e e3 81 8c e9 96 a2 ef bc 92 ef bc 8d ef bc 91 ef bc 8d ef bc 92"
    " DF 24 08 31 39 38 30 30 34 30 31"
    " DF 25 01 31";
constexpr std::string_view kName = "山田　太郎";
constexpr std::string_view kAddress = "東京都千代田区霞が関２－１－２";

BasicInfo WorkedExampleInfo() {
  return BasicInfo{.name = std::string(kName),
                   .address = std::string(kAddress),
                   .birth = 1980y / 4 / 1,
                   .sex = Sex::kMale};
}

TEST(TextApDataTest, MyNumberEfIsTheDocumentedSeventeenBytes) {
  // card-apdu.md §8.2.
  EXPECT_EQ(EncodeMyNumberEf("123456789018").value(),
            Hex("FF 10 0C 31 32 33 34 35 36 37 38 39 30 31 38 FF FF"));
}

TEST(TextApDataTest, MyNumberEfRefusesInvalidNumbers) {
  for (std::string_view bad :
       {"123456789011", "12345678901", "12345678901a", "1234567890188", ""}) {
    auto r = EncodeMyNumberEf(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(r.error().Is(FacesErrc::kInvalidNumber));
  }
}

TEST(TextApDataTest, ReproducesTheWorkedExampleByteForByte) {
  Bytes ef = EncodeBasicInfoEf(WorkedExampleInfo()).value();
  EXPECT_EQ(ef.size(), 95u);
  EXPECT_EQ(ToHex(ef, ' '), ToHex(Hex(kWorkedExample), ' '));
}

TEST(TextApDataTest, NameWithAnAsciiSpaceGetsTheIdeographicSpace) {
  BasicInfo info = WorkedExampleInfo();
  info.name = "山田 太郎";
  EXPECT_EQ(EncodeBasicInfoEf(info).value(), Hex(kWorkedExample));
  info.name = " 山田  　太郎 ";
  EXPECT_EQ(EncodeBasicInfoEf(info).value(), Hex(kWorkedExample));
  EXPECT_EQ(CardName("MARIA SILVA COSTA").value(),
            "MARIA\xE3\x80\x80SILVA COSTA");
}

// A name or an address that is not UTF-8 (RFC 3629; the check is base's,
// tested against Python's decoder) is refused, not written to the card.
TEST(TextApDataTest, TextThatIsNotUtf8IsRefused) {
  for (const char* bad :
       {"\xC1\xBF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE5\xB1", "\x80"}) {
    auto name = CardName(std::string("山田") + bad);
    ASSERT_FALSE(name) << "case " << std::string_view(bad).size();
    EXPECT_TRUE(name.error().Is(FacesErrc::kInvalidName));
    BasicInfo info = WorkedExampleInfo();
    info.address = std::string("東京都") + bad;
    EXPECT_FALSE(EncodeBasicInfoEf(info)) << std::string_view(bad).size();
  }
}

TEST(TextApDataTest, SexDigitsFollowJisX0303) {
  BasicInfo info = WorkedExampleInfo();
  const std::pair<Sex, std::uint8_t> cases[] = {{Sex::kMale, '1'},
                                                {Sex::kFemale, '2'},
                                                {Sex::kNotApplicable, '9'},
                                                {Sex::kUnknown, '0'}};
  for (auto [sex, digit] : cases) {
    info.sex = sex;
    Bytes ef = EncodeBasicInfoEf(info).value();
    EXPECT_EQ(ef.back(), digit);
  }
  EXPECT_EQ(ParseSex("female").value(), Sex::kFemale);
  EXPECT_EQ(ParseSex("other").value(), Sex::kNotApplicable);
  EXPECT_FALSE(ParseSex("3"));
}

TEST(TextApDataTest, LongValueUsesThe82FormAndShiftsEveryOffset) {
  // Address twice (90 bytes): value = 11 + 18 + 93 + 11 + 4 = 137 = 0x89 ≥
  // 128, so the header is FF 20 82 00 89 and the fields start 2 bytes later:
  // DF22 at 5 + 11 = 0x10, DF23 at 0x10 + 18 = 0x22, DF24 at 0x22 + 93 =
  // 0x7F, DF25 at 0x7F + 11 = 0x8A (worked out by hand from §8.1/§8.3).
  BasicInfo info = WorkedExampleInfo();
  info.address = std::string(kAddress) + std::string(kAddress);
  Bytes ef = EncodeBasicInfoEf(info).value();
  ASSERT_EQ(ef.size(), 142u);
  EXPECT_EQ(Slice(ef, 0, 16),
            Hex("FF 20 82 00 89 DF 21 08 00 10 00 22 00 7F 00 8A"));
  EXPECT_EQ(Slice(ef, 0x10, 0x12), Hex("DF 22"));
  EXPECT_EQ(Slice(ef, 0x22, 0x25), Hex("DF 23 5A"));
  EXPECT_EQ(Slice(ef, 0x7F, 0x81), Hex("DF 24"));
  EXPECT_EQ(Slice(ef, 0x8A, 0x8C), Hex("DF 25"));
}

TEST(TextApDataTest, ValueOf127StaysShortAnd128Switches) {
  // Value = 11 + 18 + (3 + a) + 11 + 4 = 47 + a: a = 80 gives 127, 81 gives
  // 128. ASCII addresses make the sizes exact.
  BasicInfo info = WorkedExampleInfo();
  info.address = std::string(80, 'A');
  Bytes ef = EncodeBasicInfoEf(info).value();
  EXPECT_EQ(Slice(ef, 0, 3), Hex("FF 20 7F"));
  EXPECT_EQ(ef.size(), 130u);
  info.address = std::string(81, 'A');
  ef = EncodeBasicInfoEf(info).value();
  EXPECT_EQ(Slice(ef, 0, 5), Hex("FF 20 82 00 80"));
  EXPECT_EQ(ef.size(), 133u);
}

TEST(TextApDataTest, OffsetsAgreeWithOpensslAsn1parse) {
  // openssl parses the private-class tags (FF 20 = [PRIVATE 32], DF 22 =
  // [PRIVATE 34]) and prints each object's offset: they must be the DF21
  // entries, for the short and the 82 length form.
  for (std::size_t repeat : {1, 3}) {
    BasicInfo info = WorkedExampleInfo();
    info.address.clear();
    for (std::size_t i = 0; i < repeat; ++i) info.address += kAddress;
    Bytes ef = EncodeBasicInfoEf(info).value();
    TempDir dir;
    WriteFile(dir / "ef0002", ef);
    auto r = RunTool("openssl asn1parse -inform DER -in " + (dir / "ef0002"));
    ASSERT_EQ(r.status, 0) << r.output;
    std::vector<unsigned> offsets;
    std::istringstream lines(r.output);
    std::regex depth1(R"(^\s*(\d+):d=1 )");
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_search(line, m, depth1))
        offsets.push_back(std::stoul(m[1]));
    }
    ASSERT_EQ(offsets.size(), 5u) << r.output;  // DF21 + 4 fields
    auto table = ParseTlv(ef, offsets[0]).value();
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(ReadU16(ef, table.offset + table.header_size + 2 * i),
                offsets[i + 1])
          << "field " << i << " repeat " << repeat;
    }
  }
}

TEST(TextApDataTest, RefusesBadInput) {
  BasicInfo info = WorkedExampleInfo();
  info.name = " \xE3\x80\x80 ";
  EXPECT_TRUE(EncodeBasicInfoEf(info).error().Is(FacesErrc::kInvalidName));
  info.name = "\xC3\x28";  // not UTF-8
  EXPECT_TRUE(EncodeBasicInfoEf(info).error().Is(FacesErrc::kInvalidName));
  info = WorkedExampleInfo();
  info.address = "\xED\xA0\x80";  // a UTF-16 surrogate: not UTF-8
  EXPECT_TRUE(EncodeBasicInfoEf(info).error().Is(FacesErrc::kInvalidAddress));
  info = WorkedExampleInfo();
  info.birth = 2023y / 2 / 29;
  EXPECT_TRUE(EncodeBasicInfoEf(info).error().Is(FacesErrc::kInvalidDate));
  info = WorkedExampleInfo();
  info.address = std::string(70000, 'A');
  EXPECT_TRUE(EncodeBasicInfoEf(info).error().Is(FacesErrc::kInvalidLength));
}

TEST(TextApDataTest, HashSourceIsByte14ToTheEndOfTheWorkedExample) {
  Bytes example = Hex(kWorkedExample);
  example.insert(example.end(), {0xFF, 0xFF});  // filler is not hashed
  EXPECT_EQ(BasicInfoHashSource(example).value(), Slice(example, 14, 95));
  EXPECT_FALSE(BasicInfoHashSource(Hex("FF 10 01 31")));
}

class TextApFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    issuer_key_ = NewRsaKey();
    signing_key_ = NewRsaKey();
    session_key_ = NewRsaKey();
    input_.number = "123456789018";
    input_.info = WorkedExampleInfo();
    input_.signing_key = signing_key_.get();
    input_.session_key = session_key_.get();
    input_.issuer = {issuer_key_.get(), MakeKeyId("9000033", "001").value()};
  }
  test_support::PkeyPtr issuer_key_, signing_key_, session_key_;
  TextApInput input_;
};

TEST_F(TextApFilesTest, SizesAndHeadersOfCardApduSection5) {
  TextApFiles f = BuildTextApFiles(input_).value();
  EXPECT_EQ(f.ef0001.size(), 17u);
  EXPECT_EQ(f.ef0002, Hex(kWorkedExample));
  EXPECT_EQ(f.ef0003.size(), 336u);
  EXPECT_EQ(Slice(f.ef0003, 0, 5), Hex("FF 30 82 01 4B"));
  EXPECT_EQ(Slice(f.ef0003, 5, 8), Hex("DF 31 20"));
  EXPECT_EQ(Slice(f.ef0003, 40, 43), Hex("DF 32 20"));
  EXPECT_EQ(Slice(f.ef0003, 75, 80), Hex("DF 33 82 01 00"));
  EXPECT_EQ(f.ef0004.size(), 568u);
  EXPECT_EQ(Slice(f.ef0004, 0, 5), Hex("7F 21 82 02 33"));
  ASSERT_EQ(f.ef0005.size(), 256u);
  EXPECT_EQ(Slice(f.ef0005, 0, 12), Hex("FF 40 82 00 9F DF 41 04 01 03 0E 01"));
  EXPECT_EQ(Slice(f.ef0005, 12, 15), Hex("DF 42 10"));
  EXPECT_EQ(Slice(f.ef0005, 15, 31),
            Bytes(input_.issuer.key_id.begin(), input_.issuer.key_id.end()));
  EXPECT_EQ(Slice(f.ef0005, 31, 36), Hex("DF 43 82 00 80"));
  EXPECT_EQ(Slice(f.ef0005, 68, 256), Bytes(188, 0xFF));  // 96 FF + filler
  EXPECT_EQ(Slice(f.ef0006, 0, 4), Hex("A1 82 01 09"));
  EXPECT_EQ(f.ef0006.size(), 4u + 265u);
  EXPECT_EQ(Slice(f.ef0007, 0, 10), Hex("FF 50 82 02 13 DF 51 82 01 09"));
  EXPECT_EQ(f.ef0007.size(), 536u);
  EXPECT_EQ(f.ef0008, Bytes(16, 0xFF));
}

TEST_F(TextApFilesTest, HashesAndSignatureVerifyWithOpenssl) {
  TextApFiles f = BuildTextApFiles(input_).value();
  TempDir dir;
  WriteFile(dir / "ef0001", f.ef0001);
  WriteFile(dir / "df22_to_end", Slice(f.ef0002, 14, 95));
  EXPECT_EQ(ToHex(Slice(f.ef0003, 8, 40)), OpensslSha256(dir / "ef0001"));
  EXPECT_EQ(ToHex(Slice(f.ef0003, 43, 75)), OpensslSha256(dir / "df22_to_end"));
  WritePublicKeyPem(issuer_key_.get(), dir / "issuer.pem");
  WriteFile(dir / "signed", Slice(f.ef0003, 5, 75));  // DF31 + DF32 TLVs
  WriteFile(dir / "sig", Slice(f.ef0003, 80, 336));
  auto r = RunTool("openssl dgst -sha256 -verify " + (dir / "issuer.pem") +
                   " -signature " + (dir / "sig") + " " + (dir / "signed"));
  EXPECT_EQ(r.status, 0) << r.output;
  // EF 0007: the issuer signed the DF51 TLV holding the AP's key.
  WriteFile(dir / "df51", Slice(f.ef0007, 5, 275));
  WriteFile(dir / "df52", Slice(f.ef0007, 280, 536));
  r = RunTool("openssl dgst -sha256 -verify " + (dir / "issuer.pem") +
              " -signature " + (dir / "df52") + " " + (dir / "df51"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(Slice(f.ef0007, 10, 275),
            EncodeRsaPublicKey(signing_key_.get()).value());
}

TEST_F(TextApFilesTest, ChangingTheAddressChangesOnlyDf32AndTheSignature) {
  TextApFiles before = BuildTextApFiles(input_).value();
  input_.info.address += "１";
  TextApFiles after = BuildTextApFiles(input_).value();
  EXPECT_EQ(Slice(before.ef0003, 0, 40), Slice(after.ef0003, 0, 40));
  EXPECT_NE(Slice(before.ef0003, 43, 75), Slice(after.ef0003, 43, 75));
}

TEST_F(TextApFilesTest, NeedsAnIssuerPrivateKey) {
  // A public-only issuer key cannot sign: a clean error, no files.
  Bytes pub = EncodeRsaPublicKey(issuer_key_.get()).value();
  EVP_PKEY* public_only = DecodeRsaPublicKey(pub).value();
  input_.issuer.key = public_only;
  auto r = BuildTextApFiles(input_);
  EVP_PKEY_free(public_only);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(FacesErrc::kInvalidKey));
}

TEST(CollationTest, NumberBFromTheDocumentedExample) {
  // card-apdu.md §9.1: born 1980-02-17 → 昭和55 → 550217 + 2035 + 2285.
  EXPECT_EQ(CollationNumberB(1980y / 2 / 17, 2035y / 2 / 17, "2285").value(),
            "55021720352285");
  EXPECT_EQ(BirthDateKey(1980y / 2 / 17).value(), "550217");
  // Era boundary (domain.md / era.h): 1989-01-07 is 昭和64, 01-08 平成元年.
  EXPECT_EQ(BirthDateKey(1989y / 1 / 7).value(), "640107");
  EXPECT_EQ(BirthDateKey(1989y / 1 / 8).value(), "010108");
  EXPECT_EQ(BirthDateKey(2019y / 5 / 1).value(), "010501");  // 令和元年
  EXPECT_TRUE(CollationNumberB(1980y / 2 / 17, 2035y / 2 / 17, "228")
                  .error()
                  .Is(FacesErrc::kInvalidSecurityCode));
  EXPECT_TRUE(CollationNumberB(1980y / 2 / 17, 2035y / 2 / 17, "22a5")
                  .error()
                  .Is(FacesErrc::kInvalidSecurityCode));
  EXPECT_EQ(CollationNumberA("123456789018").value(), "123456789018");
  EXPECT_FALSE(CollationNumberA("123456789019"));
}

}  // namespace
}  // namespace openmyna::card::faces
