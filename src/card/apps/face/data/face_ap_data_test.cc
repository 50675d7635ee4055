// Card-face AP (券面AP) file contents. Layouts from card-apdu.md §6 and
// §8.1; object boundaries from `openssl asn1parse`; hashes and signatures
// from the openssl command line; images from pngcheck, Python's zlib and
// opj_decompress.
#include "openmyna/card/faces/face_ap_data.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>

#include "openmyna/card/faces/errors.h"
#include "testing/test_support.h"
#include "testing_paths.h"

namespace openmyna::card::faces {
namespace {

using test_support::Hex;
using test_support::Slice;

using namespace std::chrono_literals;
using test_support::NewRsaKey;
using test_support::OpensslSha256;
using test_support::PngInfoCommand;
using test_support::ReadFile;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;
using test_support::WritePublicKeyPem;

// A depth-1 object as openssl asn1parse reports it.
struct Object {
  std::size_t offset, header, length;
  std::size_t end() const { return offset + header + length; }
};

std::vector<Object> Asn1Children(const TempDir& dir, const Bytes& der) {
  WriteFile(dir / "obj.der", der);
  auto r = RunTool("openssl asn1parse -inform DER -in " + (dir / "obj.der"));
  EXPECT_EQ(r.status, 0) << r.output;
  std::vector<Object> out;
  std::regex line_re(R"(^\s*(\d+):d=1\s+hl=\s*(\d+)\s+l=\s*(\d+))");
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, line_re)) {
      out.push_back({std::stoul(m[1]), std::stoul(m[2]), std::stoul(m[3])});
    }
  }
  return out;
}

bool OpensslVerifies(const TempDir& dir, const Bytes& data, const Bytes& sig) {
  WriteFile(dir / "data", data);
  WriteFile(dir / "sig", sig);
  return RunTool("openssl dgst -sha256 -verify " + (dir / "issuer.pem") +
                 " -signature " + (dir / "sig") + " " + (dir / "data"))
             .status == 0;
}

class FaceApDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    issuer_key_ = NewRsaKey().release();
    card_key_ = NewRsaKey().release();
    FaceApInput input = Input();
    files_ = new FaceApFiles(BuildFaceApFiles(input).value());
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(issuer_key_);
    EVP_PKEY_free(card_key_);
    delete files_;
  }
  static FaceApInput Input() {
    FaceApInput in;
    in.number = "123456789018";
    in.info = {.name = "山田 太郎",
               .address = "東京都千代田区霞が関２－１－２",
               .birth = 1980y / 4 / 1,
               .sex = Sex::kMale};
    in.card_expiry = 2035y / 4 / 1;
    in.security_code = "2285";
    in.municipality_code = "13101";
    in.card_key = card_key_;
    in.issuer = {issuer_key_, MakeKeyId("9000023", "001").value()};
    return in;
  }
  void SetUp() override { WritePublicKeyPem(issuer_key_, dir_ / "issuer.pem"); }

  static EVP_PKEY* issuer_key_;
  static EVP_PKEY* card_key_;
  static FaceApFiles* files_;
  TempDir dir_;
};
EVP_PKEY* FaceApDataTest::issuer_key_ = nullptr;
EVP_PKEY* FaceApDataTest::card_key_ = nullptr;
FaceApFiles* FaceApDataTest::files_ = nullptr;

TEST_F(FaceApDataTest, AgeRecordLayoutAndSignature) {
  const Bytes& ef = files_->ef0001;
  // FF 10 82 02 1E { DF11 08 ; DF12 82 01 09 ; DF13 82 01 00 } (§6, §8.1).
  ASSERT_EQ(ef.size(), 5u + 0x21E);
  EXPECT_EQ(Slice(ef, 0, 16),
            Concat({Hex("FF 10 82 02 1E DF 11 08"), ToBytes("19800401")}));
  EXPECT_EQ(Slice(ef, 16, 21), Hex("DF 12 82 01 09"));
  EXPECT_EQ(Slice(ef, 21, 286), EncodeRsaPublicKey(card_key_).value());
  EXPECT_EQ(Slice(ef, 286, 291), Hex("DF 13 82 01 00"));
  EXPECT_TRUE(OpensslVerifies(dir_, Slice(ef, 5, 286), Slice(ef, 291, 547)));
}

TEST_F(FaceApDataTest, CardFaceOffsetsMatchOpensslAsn1parse) {
  const Bytes& ef = files_->ef0002;
  EXPECT_EQ(Slice(ef, 0, 3), Hex("FF 20 82"));
  EXPECT_EQ(std::size_t(ReadU16(ef, 3)) + 5, ef.size());
  EXPECT_EQ(Slice(ef, 5, 8), Hex("DF 21 12"));  // 9 offsets = 18 bytes
  auto objects = Asn1Children(dir_, ef);
  ASSERT_EQ(objects.size(), 10u);
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(ReadU16(ef, 8 + 2 * i), objects[i + 1].offset) << i;
    EXPECT_EQ(ef[objects[i + 1].offset], 0xDF);
    EXPECT_EQ(ef[objects[i + 1].offset + 1], 0x22 + i);
  }
  EXPECT_EQ(objects.back().end(), ef.size());
}

TEST_F(FaceApDataTest, CardFaceFieldsAndImages) {
  const Bytes& ef = files_->ef0002;
  auto o = Asn1Children(dir_, ef);
  ASSERT_EQ(o.size(), 10u);
  auto value = [&](std::size_t i) {
    return Slice(ef, o[i].offset + o[i].header, o[i].end());
  };
  EXPECT_EQ(value(1), ToBytes("19800401"));                    // DF22 birth
  EXPECT_EQ(value(2), ToBytes("1"));                           // DF23 sex
  EXPECT_EQ(value(3), EncodeRsaPublicKey(card_key_).value());  // DF24
  EXPECT_EQ(value(8), ToBytes("20350401"));                    // DF29 expiry
  const std::pair<std::size_t, std::string> pngs[] = {
      {4, "512 64 1 0"}, {5, "640 96 1 0"}, {9, "24 12 1 0"}};
  const char* keep = std::getenv("OPENMYNA_CARD_PNG_DIR");
  for (const auto& [i, header] : pngs) {
    WriteFile(dir_ / "i.png", value(i));
    if (keep) {
      WriteFile(std::string(keep) + "/df" +
                    ToHex(Bytes{static_cast<std::uint8_t>(0x21 + i)}) + ".png",
                value(i));
    }
    auto r = RunTool(PngInfoCommand(dir_ / "i.png"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output.substr(0, header.size()), header) << i;
    EXPECT_NE(r.output.find('#'), std::string::npos) << "no ink in " << i;
    EXPECT_EQ(RunTool("pngcheck -q " + (dir_ / "i.png")).status, 0);
  }
  WriteFile(dir_ / "photo.jp2", value(6));
  auto r = RunTool("opj_decompress -i " + (dir_ / "photo.jp2") + " -o " +
                   (dir_ / "photo.pgm"));
  ASSERT_EQ(r.status, 0) << r.output;
  GrayImage photo = test_support::ReadPgm(dir_ / "photo.pgm");
  EXPECT_EQ(photo.width, 180);
  EXPECT_EQ(photo.height, 240);
}

TEST_F(FaceApDataTest, Df28SignsThreeHashesInOneDigestInfo) {
  const Bytes& ef = files_->ef0002;
  auto o = Asn1Children(dir_, ef);
  ASSERT_EQ(o.size(), 10u);
  // The groups, as whole TLVs: DF22–DF24, DF25–DF26, DF27 (§6).
  WriteFile(dir_ / "g1", Slice(ef, o[1].offset, o[3].end()));
  WriteFile(dir_ / "g2", Slice(ef, o[4].offset, o[5].end()));
  WriteFile(dir_ / "g3", Slice(ef, o[6].offset, o[6].end()));
  std::string expected =
      "3071300d060960864801650304020105000460" + OpensslSha256(dir_ / "g1") +
      OpensslSha256(dir_ / "g2") + OpensslSha256(dir_ / "g3");
  Bytes signature = Slice(ef, o[7].offset + o[7].header, o[7].end());
  ASSERT_EQ(signature.size(), 256u);
  WriteFile(dir_ / "sig", signature);
  auto r = RunTool("openssl pkeyutl -verifyrecover -pubin -inkey " +
                   (dir_ / "issuer.pem") + " -in " + (dir_ / "sig") + " -out " +
                   (dir_ / "rec"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(ToHex(ReadFile(dir_ / "rec")), expected);
}

TEST_F(FaceApDataTest, ApDataAndNumberImage) {
  const Bytes& ef3 = files_->ef0003;
  // 7 + 19 + 4 + 8 + 277 = 315 = 0x13B.
  ASSERT_EQ(ef3.size(), 320u);
  EXPECT_EQ(Slice(ef3, 0, 12), Hex("FF 30 82 01 3B DF 31 04 06 03 0E 01"));
  EXPECT_EQ(Slice(ef3, 31, 43),
            Concat({Hex("DF 33 01 01 DF 34 05"), ToBytes("13101")}));
  EXPECT_EQ(Slice(ef3, 43, 48), Hex("DF 35 82 01 10"));
  EXPECT_EQ(files_->ef0004.size(), 568u);

  const Bytes& ef5 = files_->ef0005;
  auto o = Asn1Children(dir_, ef5);
  ASSERT_EQ(o.size(), 3u);
  WriteFile(dir_ / "n.png", Slice(ef5, o[0].offset + o[0].header, o[0].end()));
  auto r = RunTool(PngInfoCommand(dir_ / "n.png"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.substr(0, 10), "72 12 1 0\n");
  EXPECT_EQ(Slice(ef5, o[1].offset + o[1].header, o[1].end()),
            EncodeRsaPublicKey(card_key_).value());
  EXPECT_TRUE(
      OpensslVerifies(dir_, Slice(ef5, o[0].offset, o[1].end()),
                      Slice(ef5, o[2].offset + o[2].header, o[2].end())));
}

TEST_F(FaceApDataTest, ProfilePhotoReplacesTheSilhouette) {
  // A 2×2 PNG (black top, white bottom) written by Python's zlib.
  auto r = RunTool(
      "/usr/bin/python3 -c \"import zlib,struct,sys\n"
      "def c(t,b): return struct.pack('>I',len(b))+t+b+struct.pack('>I',"
      "zlib.crc32(t+b)&0xffffffff)\n"
      "raw=b'\\x00\\x00\\x00'+b'\\x00\\xff\\xff'\n"
      "sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n'+c(b'IHDR',"
      "struct.pack('>IIBBBBB',2,2,8,0,0,0,0))+c(b'IDAT',zlib.compress(raw))"
      "+c(b'IEND',b''))\" > " +
      (dir_ / "photo.png"));
  ASSERT_EQ(r.status, 0) << r.output;
  Bytes jp2 = FacePhotoJp2(ReadFile(dir_ / "photo.png")).value();
  WriteFile(dir_ / "p.jp2", jp2);
  r = RunTool("opj_decompress -i " + (dir_ / "p.jp2") + " -o " +
              (dir_ / "p.pgm"));
  ASSERT_EQ(r.status, 0) << r.output;
  GrayImage photo = test_support::ReadPgm(dir_ / "p.pgm");
  ASSERT_EQ(photo.width, kPhotoWidth);
  ASSERT_EQ(photo.height, kPhotoHeight);
  EXPECT_LT(photo.pixels[30 * kPhotoWidth + 90], 50);    // top: dark
  EXPECT_GT(photo.pixels[210 * kPhotoWidth + 90], 200);  // bottom: light
}

TEST_F(FaceApDataTest, RefusesBadInputWithTheFieldsError) {
  FaceApInput in = Input();
  in.municipality_code = "1310";
  EXPECT_TRUE(BuildFaceApFiles(in).error().Is(FacesErrc::kInvalidArgument));
  in = Input();
  in.security_code = "12345";
  EXPECT_TRUE(BuildFaceApFiles(in).error().Is(FacesErrc::kInvalidSecurityCode));
  in = Input();
  in.number = "123456789010";
  EXPECT_TRUE(BuildFaceApFiles(in).error().Is(FacesErrc::kInvalidNumber));
  in = Input();
  in.photo_png = ToBytes("GIF89a");
  EXPECT_TRUE(BuildFaceApFiles(in).error().Is(FacesErrc::kInvalidImage));
  in = Input();
  in.card_key = nullptr;
  EXPECT_TRUE(BuildFaceApFiles(in).error().Is(FacesErrc::kInvalidKey));
}

}  // namespace
}  // namespace openmyna::card::faces
