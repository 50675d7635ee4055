// The card's TLV length rule (card-apdu.md §8.1): short form below 128,
// 82 HH LL from 128 up, never 81 LL. Expected bytes are written from that
// rule, not produced by the encoder.
#include "openmyna/card/faces/tlv.h"

#include <gtest/gtest.h>

#include "openmyna/card/faces/errors.h"
#include "testing/test_support.h"

namespace openmyna::card::faces {
namespace {

using test_support::Hex;

TEST(TlvTest, LengthFormsFollowTheCardRule) {
  EXPECT_EQ(EncodeLength(0).value(), Hex("00"));
  EXPECT_EQ(EncodeLength(127).value(), Hex("7f"));
  EXPECT_EQ(EncodeLength(128).value(), Hex("82 00 80"));  // never 81 80
  EXPECT_EQ(EncodeLength(255).value(), Hex("82 00 ff"));
  EXPECT_EQ(EncodeLength(0x14B).value(), Hex("82 01 4b"));
  EXPECT_EQ(EncodeLength(65535).value(), Hex("82 ff ff"));
}

TEST(TlvTest, TooLongValueIsRefused) {
  auto r = EncodeLength(65536);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(FacesErrc::kInvalidLength));
  Bytes big(65536);
  EXPECT_FALSE(Tlv(0xDF27, big));
}

TEST(TlvTest, TwoByteAndOneByteTags) {
  EXPECT_EQ(Tlv(0xDF25, Hex("31")).value(), Hex("df 25 01 31"));
  EXPECT_EQ(Tlv(0x90, Hex("01 00 01")).value(), Hex("90 03 01 00 01"));
  Bytes value(0x109, 0xAB);
  Bytes tlv = Tlv(0xDF51, value).value();
  EXPECT_EQ(Bytes(tlv.begin(), tlv.begin() + 5), Hex("df 51 82 01 09"));
  EXPECT_EQ(tlv.size(), 5u + 0x109);
}

TEST(TlvTest, ParsesTheDocumentedHeaders) {
  // FF 30 82 01 4B: 336-byte text EF 0003 (card-apdu.md §5).
  Bytes ef(336, 0);
  ef[0] = 0xFF, ef[1] = 0x30, ef[2] = 0x82, ef[3] = 0x01, ef[4] = 0x4B;
  auto item = ParseTlv(ef);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->tag, 0xFF30);
  EXPECT_EQ(item->header_size, 5u);
  EXPECT_EQ(item->value_size, 0x14Bu);
  EXPECT_EQ(item->size(), 336u);
  // One byte missing: not a complete object.
  ef.pop_back();
  EXPECT_FALSE(ParseTlv(ef));
}

TEST(TlvTest, SequenceStopsAtFiller) {
  Bytes data = Hex("df 24 02 31 32 df 25 01 31 ff ff");
  auto items = ParseTlvSequence(data, 0, data.size());
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1].offset, 5u);
  EXPECT_FALSE(ParseTlvSequence(Hex("df 24 05 31"), 0, 4));
}

TEST(TlvTest, NeverReadsOutsideTheBuffer) {
  // Every prefix of a valid object either parses as that object or not at
  // all (no crash, no out-of-range read under ASan).
  Bytes data = Hex("ff 20 82 00 03 df 25 00");
  for (std::size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(ParseTlv(ByteView(data).first(n))) << n;
  }
  EXPECT_TRUE(ParseTlv(data));
}

}  // namespace
}  // namespace openmyna::card::faces
