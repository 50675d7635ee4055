// The vpcd framing against the protocol as documented by vsmartcard
// (doc/api.txt; card-apdu.md §12): 2-byte big-endian length, payload.
#include "openmyna/card/transport/vpcd_frame.h"

#include <gtest/gtest.h>

#include "openmyna/card/transport/errors.h"

namespace openmyna::card::transport {
namespace {

TEST(VpcdFrame, LengthIsTwoBytesBigEndian) {
  const Bytes atr = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
  auto frame = EncodeVpcdFrame(atr);
  ASSERT_TRUE(frame);
  const Bytes expected = {0x00, 0x09, 0x3B, 0xE0, 0x00, 0xFF,
                          0x81, 0x31, 0xFE, 0x45, 0x14};
  EXPECT_EQ(*frame, expected);

  Bytes big(0x0102, 0xAA);
  auto big_frame = EncodeVpcdFrame(big);
  ASSERT_TRUE(big_frame);
  EXPECT_EQ((*big_frame)[0], 0x01);
  EXPECT_EQ((*big_frame)[1], 0x02);
  EXPECT_EQ(big_frame->size(), 0x0104u);
}

TEST(VpcdFrame, RefusesPayloadsThatDoNotFitTheLengthField) {
  Bytes too_big(0x10000, 0);
  auto frame = EncodeVpcdFrame(too_big);
  ASSERT_FALSE(frame);
  EXPECT_TRUE(frame.error().Is(TransportErrc::kProtocol));
  EXPECT_TRUE(EncodeVpcdFrame(Bytes(0xFFFF, 0)));
}

TEST(VpcdFrame, OneByteMessagesAreTheFourControls) {
  const std::pair<std::uint8_t, VpcdControl> controls[] = {
      {0x00, VpcdControl::kPowerOff},
      {0x01, VpcdControl::kPowerOn},
      {0x02, VpcdControl::kReset},
      {0x04, VpcdControl::kGetAtr}};
  for (const auto& [byte, control] : controls) {
    const Bytes payload = {byte};
    auto message = DecodeVpcdPayload(payload);
    ASSERT_TRUE(message);
    const auto* decoded = std::get_if<VpcdControlMessage>(&*message);
    ASSERT_NE(decoded, nullptr) << int{byte};
    EXPECT_EQ(decoded->control, control);
  }
  for (const std::uint8_t unknown : {0x03, 0x05, 0xFF}) {
    const Bytes payload = {unknown};
    EXPECT_FALSE(DecodeVpcdPayload(payload)) << int{unknown};
  }
  EXPECT_FALSE(DecodeVpcdPayload(Bytes{}));
}

TEST(VpcdFrame, LongerMessagesAreCommandApdusPassedUnchanged) {
  // Two bytes is already an APDU to vpcd (only length 1 is control).
  const Bytes select = {0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0,
                        0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
  auto message = DecodeVpcdPayload(select);
  ASSERT_TRUE(message);
  const auto* apdu = std::get_if<VpcdApduMessage>(&*message);
  ASSERT_NE(apdu, nullptr);
  EXPECT_EQ(apdu->command_apdu, select);
}

TEST(VpcdFrameReader, ReassemblesSplitAndMergedFrames) {
  // Debian 12's vpcd writes "00 01" then "04" with two send()s.
  VpcdFrameReader reader;
  reader.Feed(Bytes{0x00});
  EXPECT_FALSE(reader.Next());
  reader.Feed(Bytes{0x01});
  EXPECT_FALSE(reader.Next());
  reader.Feed(Bytes{0x04});
  auto first = reader.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, Bytes{0x04});
  EXPECT_FALSE(reader.Next());

  // Two frames and half a third in one read.
  reader.Feed(Bytes{0x00, 0x01, 0x01, 0x00, 0x04, 0x00, 0xB0, 0x00, 0x00, 0x00,
                    0x02, 0x00});
  auto power_on = reader.Next();
  ASSERT_TRUE(power_on);
  EXPECT_EQ(*power_on, Bytes{0x01});
  auto read = reader.Next();
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, (Bytes{0x00, 0xB0, 0x00, 0x00}));
  EXPECT_FALSE(reader.Next());
  EXPECT_EQ(reader.buffered(), 3u);
  reader.Feed(Bytes{0xA4});
  auto last = reader.Next();
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, (Bytes{0x00, 0xA4}));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(VpcdFrameReader, ZeroLengthFrameIsDeliveredAsEmptyPayload) {
  VpcdFrameReader reader;
  reader.Feed(Bytes{0x00, 0x00});
  auto empty = reader.Next();
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace openmyna::card::transport
