// The PDF building blocks read back by independent tools: poppler's
// pdftotext, pdfinfo, pdffonts and pdfsig, zbarimg on a pdftoppm rendering,
// and `openssl cms` making and verifying the signature.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "openmyna/base/file_io.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/pdf/document.h"
#include "openmyna/pdf/draw.h"
#include "openmyna/pdf/errors.h"
#include "openmyna/pdf/signature.h"
#include "openmyna/pdf/underlay.h"

namespace openmyna::pdf {
namespace {

namespace fs = std::filesystem;

// The command's standard output, or nullopt when it fails.
std::optional<std::string> Shell(const std::string& command) {
  auto run = testing_tools::RunShell(command);
  if (run.status != 0) return std::nullopt;
  return std::move(run.output);
}

void Write(const fs::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class PdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pdf_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Two pages: a title, a wrapped paragraph, a table, a QR code.
  Result<std::string> Sample() {
    const Metadata meta{.title = "資格情報のお知らせ テスト",
                        .subject = "pdf_test",
                        .keywords = "key-123.abc_DEF",
                        .creator = "OpenMyna pdf_test"};
    return Render(kA4, meta, 2, [&](cairo_t* cr, int index) -> Status {
      SandboxBanner(cr, "SANDBOX — TEST", "見本");
      if (index == 0) {
        Text(cr, "資格情報のお知らせ", 20, 20, 18);
        Text(cr, "𠮷野家 髙橋 はしご高の氏名も文字のまま抽出できること。", 20,
             35, 10.5, {.width_mm = 60});
        Table(cr,
              {{"保険者番号", "06139999"},
               {"記号・番号", "あいう・1234"},
               {"負担割合", "3割"}},
              {40, 80}, 20, 60, {.shaded_columns = 1});
        return QrCode(cr, "OPENMYNA PDF TEST 0123456789", 20, 120, 40);
      }
      Text(cr, "2/2 ページ目", 20, 20, 10, {.family = kGothic, .bold = true});
      return Ok();
    });
  }

  fs::path dir_;
};

TEST_F(PdfTest, TextTableAndQrAreReadByPopplerAndZbar) {
  auto pdf = Sample();
  ASSERT_TRUE(pdf) << pdf.error();
  const fs::path file = dir_ / "sample.pdf";
  Write(file, *pdf);

  auto text = Shell("pdftotext -enc UTF-8 -layout " + file.string() + " -");
  ASSERT_TRUE(text) << "pdftotext failed";
  for (const char* expected :
       {"資格情報のお知らせ", "𠮷野家", "髙橋", "保険者番号", "06139999",
        "あいう・1234", "3割", "2/2 ページ目"}) {
    EXPECT_NE(text->find(expected), std::string::npos) << expected << "\n"
                                                       << *text;
  }
  // The banner is outlines: not in the text.
  EXPECT_EQ(text->find("SANDBOX"), std::string::npos) << *text;

  auto info = Shell("pdfinfo " + file.string());
  ASSERT_TRUE(info);
  EXPECT_NE(info->find("資格情報のお知らせ テスト"), std::string::npos)
      << *info;
  EXPECT_NE(info->find("OpenMyna pdf_test"), std::string::npos) << *info;
  EXPECT_TRUE(std::regex_search(*info, std::regex("Pages: +2\n"))) << *info;
  EXPECT_NE(info->find("(A4)"), std::string::npos) << *info;

  // Every font embedded (the "emb" column), none of them Type 3.
  auto fonts = Shell("pdffonts " + file.string());
  ASSERT_TRUE(fonts);
  std::istringstream lines(*fonts);
  std::string line;
  int rows = 0;
  for (int n = 0; std::getline(lines, line); ++n) {
    if (n < 2) continue;  // the header and its rule
    ++rows;
    EXPECT_NE(line.find(" yes "), std::string::npos) << line;
    EXPECT_EQ(line.find("Type 3"), std::string::npos) << line;
  }
  EXPECT_GE(rows, 2) << *fonts;

  ASSERT_TRUE(Shell("pdftoppm -r 200 -png -f 1 -l 1 " + file.string() + " " +
                    (dir_ / "page").string()));
  auto code = Shell("zbarimg --raw -q " + (dir_ / "page-1.png").string());
  ASSERT_TRUE(code) << "zbarimg found no code";
  EXPECT_EQ(*code, "OPENMYNA PDF TEST 0123456789\n");
}

TEST_F(PdfTest, SignatureMadeByOpensslIsValidatedByPdfsigAndOpenssl) {
  auto pdf = Sample();
  ASSERT_TRUE(pdf) << pdf.error();
  const std::string key = (dir_ / "key.pem").string();
  const std::string cert = (dir_ / "cert.pem").string();
  ASSERT_TRUE(
      Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
            "'/CN=pdf_test signer' -keyout " +
            key + " -out " + cert + " 2>/dev/null"));
  const CmsSigner sign = [&](ByteView bytes) -> Result<Bytes> {
    Write(dir_ / "signed", std::string(bytes.begin(), bytes.end()));
    if (!Shell("openssl cms -sign -binary -md sha256 -outform DER -signer " +
               cert + " -inkey " + key + " -in " + (dir_ / "signed").string() +
               " -out " + (dir_ / "cms.der").string())) {
      return Fail(PdfErrc::kInternal, "openssl cms -sign failed");
    }
    return ToBytes(Read(dir_ / "cms.der"));
  };
  auto signed_pdf =
      Sign(*pdf, {.name = "Insurer", .reason = "pdf (test)"}, sign);
  ASSERT_TRUE(signed_pdf) << signed_pdf.error();
  const fs::path file = dir_ / "signed.pdf";
  Write(file, *signed_pdf);

  auto sig = Shell("pdfsig " + file.string() + " 2>&1");
  ASSERT_TRUE(sig);
  EXPECT_NE(sig->find("Signature is Valid"), std::string::npos) << *sig;
  EXPECT_NE(sig->find("pdf_test signer"), std::string::npos) << *sig;
  // The update keeps the document: poppler still reads it.
  auto text = Shell("pdftotext -enc UTF-8 " + file.string() + " -");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("06139999"), std::string::npos);

  auto extracted = ExtractSignature(*signed_pdf);
  ASSERT_TRUE(extracted) << extracted.error();
  Write(dir_ / "content", extracted->signed_bytes);
  Write(dir_ / "extracted.der", extracted->cms_der);
  EXPECT_TRUE(Shell("openssl cms -verify -binary -inform DER -noverify -in " +
                    (dir_ / "extracted.der").string() + " -content " +
                    (dir_ / "content").string() + " -out /dev/null 2>&1"));
  EXPECT_EQ(FindKeywords(*signed_pdf), "key-123.abc_DEF");

  // One byte changed inside the signed range: neither tool accepts it.
  std::string forged = *signed_pdf;
  const auto at = forged.find("/Creator");
  ASSERT_NE(at, std::string::npos);
  forged[at + 3] ^= 0x01;
  Write(dir_ / "forged.pdf", forged);
  auto forged_sig =
      Shell("pdfsig " + (dir_ / "forged.pdf").string() + " 2>&1; true");
  ASSERT_TRUE(forged_sig);
  EXPECT_EQ(forged_sig->find("Signature is Valid"), std::string::npos)
      << *forged_sig;
  auto forged_extract = ExtractSignature(forged);
  ASSERT_TRUE(forged_extract);
  Write(dir_ / "content", forged_extract->signed_bytes);
  EXPECT_FALSE(Shell("openssl cms -verify -binary -inform DER -noverify -in " +
                     (dir_ / "extracted.der").string() + " -content " +
                     (dir_ / "content").string() + " -out /dev/null 2>&1"));
}

// The colour of the pixel at (x_mm, y_mm) of a binary PPM (P6) that
// pdftoppm made at 25.4 dpi (one pixel a millimetre), as "r,g,b".
std::string PixelAt(const std::string& ppm, int x_mm, int y_mm) {
  std::istringstream in(ppm);
  std::string magic;
  int width = 0, height = 0, max = 0;
  in >> magic >> width >> height >> max;
  in.get();  // the one whitespace before the pixels
  const std::size_t at = static_cast<std::size_t>(in.tellg()) +
                         3 * static_cast<std::size_t>(y_mm * width + x_mm);
  if (magic != "P6" || at + 3 > ppm.size()) return "?";
  const auto c = [&](int i) {
    return std::to_string(static_cast<unsigned char>(ppm[at + i]));
  };
  return c(0) + "," + c(1) + "," + c(2);
}

// Underlays drawn once lie under the pages they are placed on: poppler
// paints them under the page's own drawing, reads the pages' text, finds
// no syntax error, and pdfsig validates a signature made after them.
TEST_F(PdfTest, UnderlaysLieUnderThePagesTheyArePlacedOn) {
  auto square = [](double r, double g, double b, double x, double y) {
    return [=](cairo_t* cr) {
      cairo_set_source_rgb(cr, r, g, b);
      cairo_rectangle(cr, x * kMm, y * kMm, 40 * kMm, 40 * kMm);
      cairo_fill(cr);
    };
  };
  auto blue = Underlay::Draw(kA4, square(0, 0, 1, 150, 150));
  ASSERT_TRUE(blue) << blue.error();
  auto green = Underlay::Draw(kA4, square(0, 1, 0, 150, 210));
  ASSERT_TRUE(green) << green.error();
  auto pages = Render(
      kA4, {.keywords = "underlay-test"}, 2,
      [](cairo_t* cr, int index) -> Status {
        Text(cr, index == 0 ? "一枚目の本文" : "二枚目の本文", 20, 20, 12);
        cairo_set_source_rgb(cr, 1, 0, 0);
        cairo_rectangle(cr, 160 * kMm, 160 * kMm, 20 * kMm, 20 * kMm);
        cairo_fill(cr);
        return Ok();
      });
  ASSERT_TRUE(pages) << pages.error();
  auto placed = blue->PlaceUnder(*pages);  // every page
  ASSERT_TRUE(placed) << placed.error();
  placed = green->PlaceUnder(*placed, 2);  // the second alone
  ASSERT_TRUE(placed) << placed.error();
  EXPECT_FALSE(green->PlaceUnder(*placed, 3));
  const fs::path file = dir_ / "under.pdf";
  Write(file, *placed);

  auto info = Shell("pdfinfo " + file.string() + " 2>&1");
  ASSERT_TRUE(info);
  EXPECT_TRUE(std::regex_search(*info, std::regex("Pages: +2\n"))) << *info;
  EXPECT_EQ(info->find("rror"), std::string::npos) << *info;
  auto text = Shell("pdftotext -enc UTF-8 " + file.string() + " - 2>&1");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("一枚目の本文"), std::string::npos) << *text;
  EXPECT_NE(text->find("二枚目の本文"), std::string::npos) << *text;
  EXPECT_EQ(text->find("rror"), std::string::npos) << *text;
  ASSERT_TRUE(Shell("pdftoppm -r 25.4 " + file.string() + " " +
                    (dir_ / "under").string() + " 2>&1"));
  const std::string one = Read(dir_ / "under-1.ppm");
  const std::string two = Read(dir_ / "under-2.ppm");
  for (const std::string* page : {&one, &two}) {
    EXPECT_EQ(PixelAt(*page, 155, 155), "0,0,255");  // the underlay
    EXPECT_EQ(PixelAt(*page, 170, 170), "255,0,0");  // the page over it
    EXPECT_EQ(PixelAt(*page, 100, 270), "255,255,255");
  }
  EXPECT_EQ(PixelAt(one, 170, 230), "255,255,255");  // green: page 2 only
  EXPECT_EQ(PixelAt(two, 170, 230), "0,255,0");

  // Signed after: the whole file, underlays included, is covered.
  const CmsSigner sign = [&](ByteView bytes) -> Result<Bytes> {
    Write(dir_ / "signed", std::string(bytes.begin(), bytes.end()));
    if (!Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
               "'/CN=pdf_test signer' -keyout " +
               (dir_ / "key.pem").string() + " -out " +
               (dir_ / "cert.pem").string() + " 2>/dev/null") ||
        !Shell("openssl cms -sign -binary -md sha256 -outform DER -signer " +
               (dir_ / "cert.pem").string() + " -inkey " +
               (dir_ / "key.pem").string() + " -in " +
               (dir_ / "signed").string() + " -out " +
               (dir_ / "cms.der").string())) {
      return Fail(PdfErrc::kInternal, "openssl failed");
    }
    return ToBytes(Read(dir_ / "cms.der"));
  };
  auto signed_pdf = Sign(*placed, {.reason = "underlay (test)"}, sign);
  ASSERT_TRUE(signed_pdf) << signed_pdf.error();
  Write(dir_ / "signed.pdf", *signed_pdf);
  auto sig = Shell("pdfsig " + (dir_ / "signed.pdf").string() + " 2>&1");
  ASSERT_TRUE(sig);
  EXPECT_NE(sig->find("Signature is Valid"), std::string::npos) << *sig;
  EXPECT_EQ(FindKeywords(*signed_pdf), "underlay-test");
}

// The documents' codes use mask pattern 000 instead of the standard's
// penalty choice (qr_code.h). Printed and scanned or photographed, a code is
// read from a skewed, blurred, compressed picture: poppler renders the page
// at 300 dpi, netpbm turns it 2°, blurs it (3×3 mean) and scales it to 80 %
// (240 dpi), and writes a JPEG at quality 25; zbarimg must read every code,
// at the sizes the konbini and insurance documents print them, as it reads
// the same codes with the standard's mask. (At 70 % the 2,400-byte code with
// mask 000 is lost and the standard's is read; at 60 % the reverse: at that
// edge neither mask reads better, session 9.)
TEST_F(PdfTest, DocumentCodesReadFromABlurredCompressedScan) {
  struct Case {
    std::size_t bytes;
    double side_mm;
  };
  // ~ a konbini page's signed code (62 mm), an insurance notice's (32 mm).
  for (const Case c : {Case{1200, 62}, Case{2400, 62}, Case{300, 32}}) {
    std::string data;
    for (std::size_t i = 0; data.size() < c.bytes; ++i) {
      data += "eyJhbGciOiJFUzI1NiJ9." + std::to_string(i * 7919) + ".";
    }
    data.resize(c.bytes);
    for (qr::Mask mask : {qr::Mask::kPattern000, qr::Mask::kLowestPenalty}) {
      auto page = Render(kA4, {}, 1, [&](cairo_t* cr, int) {
        return QrCode(cr, data, 20, 20, c.side_mm, mask);
      });
      ASSERT_TRUE(page) << page.error();
      const fs::path file = dir_ / "code.pdf";
      Write(file, *page);
      const std::string scan = (dir_ / "scan.jpg").string();
      ASSERT_TRUE(Shell("pdftoppm -r 300 -gray -singlefile " + file.string() +
                        " | pnmrotate 2 | pnmsmooth -width 3 -height 3 "
                        "| pamscale 0.8 | pnmtojpeg -quality 25 > " +
                        scan + " 2>/dev/null"));
      auto read = Shell("zbarimg --raw -q -Sbinary " + scan + " 2>/dev/null");
      ASSERT_TRUE(read) << c.bytes << " bytes, " << c.side_mm << " mm, mask "
                        << static_cast<int>(mask) << ": zbarimg read nothing";
      // -Sbinary: the bytes as they were, no newline added.
      EXPECT_TRUE(*read == data)
          << c.bytes << " bytes, mask " << static_cast<int>(mask)
          << ": zbarimg read " << read->size() << " other bytes";
    }
  }
}

// A classic PDF written by hand from its objects' texts (object i+1 is
// objects[i]; catalog 1, page tree 2), with its xref table (ISO 32000-1
// §7.5.4) — the layouts cairo does not write.
std::string HandWrittenPdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.5\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) +
         "\n0000000000 65535 f \n";
  for (const std::size_t offset : offsets) {
    const std::string digits = std::to_string(offset);
    pdf += std::string(10 - digits.size(), '0') + digits + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// A page whose resources name their XObjects through another object
// (`/XObject 5 0 R`, legal, not cairo's way): the underlay joins that
// dictionary, and the page's own form still draws (review finding 19: the
// entry went into the next inline dictionary, /Font, and the underlay
// silently vanished). A /Length that refers to itself is refused.
TEST_F(PdfTest, UnderlaysJoinAnXObjectDictionaryOfItsOwn) {
  auto blue = Underlay::Draw(kA4, [](cairo_t* cr) {
    cairo_set_source_rgb(cr, 0, 0, 1);
    cairo_rectangle(cr, 150 * kMm, 150 * kMm, 40 * kMm, 40 * kMm);
    cairo_fill(cr);
  });
  ASSERT_TRUE(blue) << blue.error();
  // The page draws form /Sq, a red 20 mm square at (160, 160) mm from the
  // top left: 453.54 pt right, 297 - 180 = 117 mm = 331.65 pt up.
  const std::string square = "1 0 0 rg 0 0 1 1 re f";
  const std::string content = "q 56.693 0 0 56.693 453.543 331.654 cm /Sq Do Q";
  auto stream = [](const std::string& dict, const std::string& bytes) {
    return "<< " + dict + " /Length " + std::to_string(bytes.size()) +
           " >>\nstream\n" + bytes + "\nendstream";
  };
  const std::string pdf = HandWrittenPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 595.276 841.89 ] "
      "/Resources 4 0 R /Contents 7 0 R >>",
      "<< /XObject 5 0 R /Font << >> >>",
      "<< /Sq 6 0 R >>",
      stream("/Type /XObject /Subtype /Form /BBox [ 0 0 1 1 ]", square),
      stream("", content),
  });
  auto placed = blue->PlaceUnder(pdf);
  ASSERT_TRUE(placed) << placed.error();
  const fs::path file = dir_ / "indirect.pdf";
  Write(file, *placed);
  auto info = Shell("pdfinfo " + file.string() + " 2>&1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->find("rror"), std::string::npos) << *info;
  ASSERT_TRUE(Shell("pdftoppm -r 25.4 " + file.string() + " " +
                    (dir_ / "indirect").string() + " 2>&1"));
  const std::string page = Read(dir_ / "indirect-1.ppm");
  EXPECT_EQ(PixelAt(page, 155, 155), "0,0,255");  // the underlay
  EXPECT_EQ(PixelAt(page, 170, 170), "255,0,0");  // the page's form over it
  EXPECT_EQ(PixelAt(page, 100, 270), "255,255,255");

  // The resources (object 4) as a stream whose /Length is object 4 itself.
  const std::string looping = HandWrittenPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 595.276 841.89 ] "
      "/Resources 4 0 R /Contents 5 0 R >>",
      "<< /XObject << >> /Length 4 0 R >>\nstream\n4\nendstream",
      stream("", content),
  });
  auto refused = blue->PlaceUnder(looping);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(PdfErrc::kMalformed)) << refused.error();
}

TEST_F(PdfTest, RefusalsAreErrorsNotPages) {
  // More than version 40-L holds (2,953 bytes): no QR code.
  auto too_long = Render(kA4, {}, 1, [](cairo_t* cr, int) {
    return QrCode(cr, std::string(3000, 'x'), 10, 10, 50);
  });
  ASSERT_FALSE(too_long);
  EXPECT_TRUE(too_long.error().Is(PdfErrc::kInvalidInput)) << too_long.error();
  auto not_png = Render(kA4, {}, 1, [](cairo_t* cr, int) {
    return PngImage(cr, "not a png", 10, 10, 20, 20);
  });
  ASSERT_FALSE(not_png);
  EXPECT_TRUE(not_png.error().Is(PdfErrc::kInvalidInput));
  EXPECT_FALSE(Render(kA4, {}, 0, [](cairo_t*, int) { return Ok(); }));
  EXPECT_FALSE(ExtractSignature("%PDF-1.5\nno signature\n"));
  EXPECT_FALSE(Sign("%PDF-1.5\nno trailer\n", {},
                    [](ByteView) -> Result<Bytes> { return Bytes{}; }));
  auto under = Underlay::Draw(kA4, [](cairo_t*) {});
  ASSERT_TRUE(under) << under.error();
  auto malformed = under->PlaceUnder("%PDF-1.5\nno trailer\n");
  ASSERT_FALSE(malformed);
  EXPECT_TRUE(malformed.error().Is(PdfErrc::kMalformed)) << malformed.error();
}

}  // namespace
}  // namespace openmyna::pdf
