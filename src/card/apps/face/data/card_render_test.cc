// The printed card face: PNG dimensions read by an independent decoder, the
// back's QR code decoded by zbarimg (ZBar), clean failures on bad input.
#include "openmyna/card/faces/card_render.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "openmyna/card/faces/errors.h"
#include "testing/test_support.h"
#include "testing_paths.h"

namespace openmyna::card::faces {
namespace {

using namespace std::chrono_literals;
using test_support::PngInfoCommand;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;

CardFaceView View() {
  CardFaceView v;
  v.number = "123456789018";
  v.info = {.name = "番号 花子",
            .address = "長野県千曲市杭瀬下８４",
            .birth = 1990y / 5 / 10,
            .sex = Sex::kFemale};
  v.card_expiry = 2035y / 5 / 10;
  v.security_code = "2285";
  v.notes = {"2026年11月25日 転入 長野県千曲市杭瀬下８４"};
  return v;
}

TEST(CardRenderTest, BothSidesAreId1At300Dpi) {
  TempDir dir;
  for (CardSide side : {CardSide::kFront, CardSide::kBack}) {
    Bytes png = RenderCardSidePng(View(), side).value();
    WriteFile(dir / "side.png", png);
    // OPENMYNA_CARD_PNG_DIR=… keeps the pictures (for docs/card.md).
    if (const char* keep = std::getenv("OPENMYNA_CARD_PNG_DIR")) {
      WriteFile(std::string(keep) +
                    (side == CardSide::kFront ? "/front.png" : "/back.png"),
                png);
    }
    auto r = RunTool(PngInfoCommand(dir / "side.png"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output.substr(0, r.output.find('\n')), "1011 638 8 2");
    EXPECT_EQ(RunTool("pngcheck -q " + (dir / "side.png")).status, 0);
  }
}

TEST(CardRenderTest, TheBacksQrCodeDecodesToTheNumber) {
  TempDir dir;
  WriteFile(dir / "back.png",
            RenderCardSidePng(View(), CardSide::kBack).value());
  auto r =
      RunTool("(zbarimg --quiet --raw " + (dir / "back.png") + " 2>/dev/null)");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "123456789018\n");
  // The front carries no QR code.
  WriteFile(dir / "front.png",
            RenderCardSidePng(View(), CardSide::kFront).value());
  EXPECT_NE(
      RunTool("(zbarimg --quiet --raw " + (dir / "front.png") + " 2>/dev/null)")
          .status,
      0);
}

TEST(CardRenderTest, BadInputFailsCleanly) {
  CardFaceView v = View();
  v.number = "12345678901";
  EXPECT_TRUE(RenderCardSidePng(v, CardSide::kBack)
                  .error()
                  .Is(FacesErrc::kInvalidNumber));
  v = View();
  v.info.name = "";
  EXPECT_TRUE(RenderCardSidePng(v, CardSide::kFront)
                  .error()
                  .Is(FacesErrc::kInvalidName));
  v = View();
  v.card_expiry = 2035y / 2 / 30;
  EXPECT_TRUE(RenderCardSidePng(v, CardSide::kFront)
                  .error()
                  .Is(FacesErrc::kInvalidDate));
  v = View();
  v.photo_png = ToBytes("\x89PNG but broken");
  EXPECT_TRUE(RenderCardSidePng(v, CardSide::kFront)
                  .error()
                  .Is(FacesErrc::kInvalidImage));
  v = View();
  v.notes = {"\xC0\x80"};
  EXPECT_FALSE(RenderCardSidePng(v, CardSide::kFront));
}

}  // namespace
}  // namespace openmyna::card::faces
