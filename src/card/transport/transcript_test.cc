#include "openmyna/card/transport/transcript.h"

#include <gtest/gtest.h>

#include "openmyna/card/transport/errors.h"
#include "openmyna/card/transport/trivial_card.h"

namespace openmyna::card::transport {
namespace {

// A card whose answers depend on the command and the power state, so that
// replay mismatches and reader events can be seen.
class EchoCard final : public CardEndpoint {
 public:
  Bytes Atr() const override { return {0x3B, 0x00}; }
  void PowerOn() override { powered_ = true; }
  void PowerOff() override { powered_ = false; }
  void Reset() override { ++resets_; }
  Bytes Transmit(ByteView apdu) override {
    if (!powered_) return {0x6F, 0x00};
    return {apdu[2], apdu[3], static_cast<std::uint8_t>(resets_), 0x90, 0x00};
  }

 private:
  bool powered_ = false;
  int resets_ = 0;
};

TEST(Transcript, ReplaysCommandsEventsAndPatterns) {
  const char* text = R"(# a comment
> 00 B0 01 02        # P1 P2 echoed
< 01 02 00 90 00
> 00B00304
< * 90 00
> 00 B0 05 06
< 05 .. 00 90 00
! reset
> 00 B0 07 08
< 07 08 01 90 00
> 00 B0 09 0A
! power-off
> 00 B0 00 00
< 6F 00
! power-on
)";
  auto steps = ParseTranscript(text);
  ASSERT_TRUE(steps) << steps.error();
  ASSERT_EQ(steps->size(), 9u);
  EXPECT_EQ((*steps)[0].line, 2);
  EchoCard card;
  InProcessTransport transport(card);
  EXPECT_EQ(Replay(transport, *steps), std::nullopt);
  EXPECT_EQ(transport.apdu_count(), 6u);
}

TEST(Transcript, ReportsTheFirstMismatchWithItsLine) {
  auto steps =
      ParseTranscript("> 00 A4 04 0C 01 AA\n< 6A 82\n> 00 B0 00 00\n< 90 00\n");
  ASSERT_TRUE(steps);
  TrivialCard card;  // says 90 00 to everything: the first step fails
  InProcessTransport transport(card);
  auto mismatch = Replay(transport, *steps);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->line, 1);
  EXPECT_EQ(mismatch->expected, "6a 82");
  EXPECT_EQ(mismatch->actual, (Bytes{0x90, 0x00}));
  EXPECT_NE(mismatch->ToString().find("line 1"), std::string::npos);
}

TEST(Transcript, PatternNeedsExactLengthUnlessStar) {
  ResponsePattern exact =
      ParseTranscript("> 00 00 00 00\n< .. 90 00").value()[0].expected.value();
  EXPECT_TRUE(exact.Matches(Bytes{0x01, 0x90, 0x00}));
  EXPECT_FALSE(exact.Matches(Bytes{0x90, 0x00}));
  EXPECT_FALSE(exact.Matches(Bytes{0x01, 0x02, 0x90, 0x00}));
  EXPECT_FALSE(exact.Matches(Bytes{0x01, 0x6A, 0x82}));
  ResponsePattern star =
      ParseTranscript("> 00 00 00 00\n< * 90 00").value()[0].expected.value();
  EXPECT_TRUE(star.Matches(Bytes{0x90, 0x00}));
  Bytes long_response(300, 0xAB);
  long_response.push_back(0x90);
  long_response.push_back(0x00);
  EXPECT_TRUE(star.Matches(long_response));
  EXPECT_FALSE(star.Matches(Bytes{0xAB, 0x6A, 0x82}));
  EXPECT_FALSE(star.Matches(Bytes{0x90}));
}

TEST(Transcript, MalformedFilesNameTheLine) {
  for (const char* bad : {"< 90 00\n", "> 00 A4\n", "> 00 a4 04 0c\n< 9\n",
                          "> 00 a4 04 0c\n< 90\n", "! eject\n", "? 00\n",
                          "> 00 a4 04 0c\n< 90 00\n< 90 00\n"}) {
    auto steps = ParseTranscript(bad);
    ASSERT_FALSE(steps) << bad;
    EXPECT_TRUE(steps.error().Is(TransportErrc::kBadTranscript)) << bad;
    EXPECT_NE(steps.error().message().find("line "), std::string::npos);
  }
}

}  // namespace
}  // namespace openmyna::card::transport
