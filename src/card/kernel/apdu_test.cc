// ISO/IEC 7816-4 §5.1 cases 1–4, short and extended. Expected decodings are
// worked out by hand from the standard's length-field rules.
#include "openmyna/card/apdu.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace openmyna::card {
namespace {

CommandApdu MustParse(std::string_view hex) {
  auto bytes = FromHex(hex);
  EXPECT_TRUE(bytes.has_value());
  auto c = ParseCommandApdu(*bytes);
  EXPECT_TRUE(c.has_value()) << hex;
  return c.value_or(CommandApdu{});
}

TEST(ApduTest, Case1HasNoDataAndNoLe) {
  auto c = MustParse("00 20 00 80");
  EXPECT_EQ(c.ins, 0x20);
  EXPECT_EQ(c.p2, 0x80);
  EXPECT_TRUE(c.data.empty());
  EXPECT_FALSE(c.le.has_value());
}

TEST(ApduTest, Case2ShortLeZeroMeans256) {
  EXPECT_EQ(MustParse("00 B0 00 00 00").le, 256u);
  EXPECT_EQ(MustParse("00 B0 00 00 04").le, 4u);
}

TEST(ApduTest, Case3Short) {
  auto c = MustParse("00 A4 02 0C 02 00 18");
  EXPECT_EQ(c.data, (Bytes{0x00, 0x18}));
  EXPECT_FALSE(c.le.has_value());
}

TEST(ApduTest, Case4ShortAsTheCacProbes) {
  // §1.3 probe 9: a SELECT with P2=0C and a trailing Le.
  auto c = MustParse("00 A4 04 0C 07 A0 00 00 01 16 DB 00 00");
  EXPECT_EQ(c.data.size(), 7u);
  EXPECT_EQ(c.le, 256u);
  EXPECT_FALSE(c.extended);
}

TEST(ApduTest, Case2ExtendedWholeFile) {
  // `00 B0 8A 00 00 00 00` = 65,536 (card-apdu.md §3.2).
  auto c = MustParse("00 B0 8A 00 00 00 00");
  EXPECT_TRUE(c.extended);
  EXPECT_EQ(c.le, 65536u);
  EXPECT_EQ(MustParse("00 B0 8A 04 00 01 2C").le, 300u);
}

TEST(ApduTest, Case3And4Extended) {
  auto c3 = MustParse("80 D6 00 00 00 00 02 AA BB");
  EXPECT_TRUE(c3.extended);
  EXPECT_EQ(c3.data, (Bytes{0xAA, 0xBB}));
  EXPECT_FALSE(c3.le.has_value());
  auto c4 = MustParse("80 2A 00 80 00 00 01 FF 01 00");
  EXPECT_EQ(c4.data, (Bytes{0xFF}));
  EXPECT_EQ(c4.le, 256u);
}

TEST(ApduTest, MalformedAreRefused) {
  for (const char* hex :
       {"", "00", "00 A4 04", "00 A4 04 0C 0A D3 92", "00 A4 04 0C 02 00",
        "00 A4 04 0C 02 00 18 00 00", "00 B0 00 00 00 00",
        "00 B0 00 00 00 00 00 00", "00 D6 00 00 00 00 02 AA"}) {
    auto bytes = FromHex(hex);
    ASSERT_TRUE(bytes.has_value());
    EXPECT_FALSE(ParseCommandApdu(*bytes).has_value()) << hex;
  }
}

RC_GTEST_PROP(ApduProperty, EncodeThenParseIsIdentity,
              (std::uint8_t ins, std::vector<std::uint8_t> data, bool has_le,
               std::uint16_t le_raw, bool force_extended)) {
  RC_PRE(data.size() <= 65535);
  CommandApdu c{0x00, ins, 0x01, 0x02, data, std::nullopt, false};
  const bool extended = force_extended || data.size() > 255;
  if (has_le) {
    c.le = extended ? (le_raw == 0 ? 65536u : le_raw)
                    : static_cast<std::uint32_t>(le_raw % 256 + 1);
  }
  const Bytes encoded = EncodeCommandApdu(c, force_extended);
  auto back = ParseCommandApdu(encoded);
  RC_ASSERT(back.has_value());
  RC_ASSERT(back->data == c.data);
  RC_ASSERT(back->le == c.le);
}

}  // namespace
}  // namespace openmyna::card
