// ATR profiles checked against independent sources: the ISO/IEC 7816-3
// check byte, and pcsc-tools' list of known ATRs on this machine
// (/usr/share/pcsc/smartcard_list.txt, Debian package pcsc-tools).
#include "openmyna/card/transport/realism.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "openmyna/card/transport/errors.h"
#include "openmyna/card/transport/trivial_card.h"

namespace openmyna::card::transport {
namespace {

using namespace std::chrono_literals;

// ISO/IEC 7816-3 §8.2.5: TCK makes the XOR of T0..TCK zero; it is present
// unless only T=0 is indicated. All our profiles indicate T=1.
TEST(AtrProfiles, CheckByteHolds) {
  for (const AtrProfile& profile : AtrProfiles()) {
    auto atr = AtrForProfile(profile.name);
    ASSERT_TRUE(atr) << profile.name;
    ASSERT_GE(atr->size(), 3u);
    EXPECT_EQ((*atr)[0], 0x3B) << profile.name << ": direct convention TS";
    std::uint8_t x = 0;
    for (std::size_t i = 1; i < atr->size(); ++i) x ^= (*atr)[i];
    EXPECT_EQ(x, 0) << profile.name;
  }
}

TEST(AtrProfiles, KnownOnesAreInPcscToolsListAndUnknownIsNot) {
  std::ifstream in("/usr/share/pcsc/smartcard_list.txt");
  if (!in) GTEST_SKIP() << "pcsc-tools is not installed";
  std::stringstream text;
  text << in.rdbuf();
  const std::string list = "\n" + text.str();
  for (const AtrProfile& profile : AtrProfiles()) {
    const std::string line = "\n" + std::string(profile.hex) + "\n";
    if (profile.name == "unknown") {
      EXPECT_EQ(list.find(line), std::string::npos);
    } else {
      EXPECT_NE(list.find(line), std::string::npos) << profile.name;
    }
  }
  EXPECT_NE(list.find("\n3B E0 00 FF 81 31 FE 45 14\n"), std::string::npos);
}

TEST(AtrProfiles, ContactIsTheDefaultAndUnknownNamesAreRefused) {
  auto contact = AtrForProfile("contact");
  ASSERT_TRUE(contact);
  EXPECT_EQ(ToHex(*contact), "3be000ff8131fe4514");
  TrivialCard card;
  EXPECT_EQ(card.Atr(), *contact);
  auto bad = AtrForProfile("felica");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(TransportErrc::kBadAtrProfile));
  EXPECT_NE(bad.error().message().find("contactless"), std::string::npos);
}

TEST(LatencySpec, ParsesItemsAndPreset) {
  auto table = ParseLatencySpec("2A=300, b0=30");
  ASSERT_TRUE(table);
  EXPECT_EQ((*table)[0x2A], 300ms);
  EXPECT_EQ((*table)[0xB0], 30ms);
  EXPECT_EQ((*table)[0xA4], 0ms);
  auto realistic = ParseLatencySpec("realistic");
  ASSERT_TRUE(realistic);
  EXPECT_EQ((*realistic)[0x2A], 300ms);
  auto none = ParseLatencySpec("");
  ASSERT_TRUE(none);
  for (auto d : *none) EXPECT_EQ(d, 0ms);
}

TEST(LatencySpec, RefusesMalformedItemsNamingThem) {
  for (const char* bad : {"2A", "2A=", "2AB=3", "ZZ=3", "2A=-1", "2A=3.5",
                          "2A=60001", "2A=300,,B0=1"}) {
    auto table = ParseLatencySpec(bad);
    ASSERT_FALSE(table) << bad;
    EXPECT_TRUE(table.error().Is(TransportErrc::kBadLatencySpec)) << bad;
  }
}

TEST(RealismEndpoint, OverridesAtrAndDelaysOnlyTheNamedInstruction) {
  TrivialCard card;
  RealismOptions options;
  options.atr = AtrForProfile("2024").value();
  options.latency = ParseLatencySpec("2A=300").value();
  std::vector<std::chrono::milliseconds> slept;
  RealismEndpoint endpoint(
      card, options, [&](std::chrono::milliseconds d) { slept.push_back(d); });
  EXPECT_EQ(endpoint.Atr(), *options.atr);
  EXPECT_EQ(endpoint.Transmit(FromHex("00 A4 02 0C 02 00 17").value()),
            (Bytes{0x90, 0x00}));
  EXPECT_TRUE(slept.empty());
  EXPECT_EQ(endpoint.Transmit(FromHex("80 2A 00 80 01 00 00").value()),
            (Bytes{0x90, 0x00}));
  EXPECT_EQ(slept, std::vector<std::chrono::milliseconds>{300ms});
  EXPECT_EQ(card.commands(), 2u);
}

}  // namespace
}  // namespace openmyna::card::transport
