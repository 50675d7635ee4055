#include "openmyna/base/bytes.h"

#include <gtest/gtest.h>

#include "openmyna/base/errors.h"

namespace openmyna {
namespace {

TEST(BytesTest, HexRoundTrip) {
  const Bytes atr = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
  EXPECT_EQ(ToHex(atr), "3be000ff8131fe4514");
  EXPECT_EQ(ToHex(atr, ':'), "3b:e0:00:ff:81:31:fe:45:14");
  EXPECT_EQ(ToHex(atr, ' ', true), "3B E0 00 FF 81 31 FE 45 14");
  EXPECT_EQ(*FromHex("3B E0 00 FF 81 31 FE 45 14"), atr);
  EXPECT_EQ(*FromHex("3b:e0:00:ff:81:31:fe:45:14"), atr);
  EXPECT_EQ(*FromHex(""), Bytes{});
}

TEST(BytesTest, HexRejectsBadInput) {
  auto odd = FromHex("abc");
  ASSERT_FALSE(odd);
  EXPECT_TRUE(odd.error().Is(BaseErrc::kInvalidArgument));
  auto letter = FromHex("0g");
  ASSERT_FALSE(letter);
  EXPECT_NE(letter.error().message().find("position 1"), std::string::npos);
  EXPECT_FALSE(FromHex("a b"));
}

TEST(BytesTest, BigEndian) {
  Bytes out;
  AppendU16(out, 0x8C7B);  // vpcd port 35963
  AppendU32(out, 0x0133C349);
  EXPECT_EQ(ToHex(out), "8c7b0133c349");
  EXPECT_EQ(ReadU16(out, 0), 35963);
  EXPECT_EQ(ReadU32(out, 2), 0x0133C349u);
}

TEST(BytesTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals(ToBytes("1234"), ToBytes("1234")));
  EXPECT_FALSE(ConstantTimeEquals(ToBytes("1234"), ToBytes("1235")));
  EXPECT_FALSE(ConstantTimeEquals(ToBytes("1234"), ToBytes("12345")));
}

TEST(BytesTest, SecureWipeClears) {
  std::string secret = "ABC123";
  SecureWipe(secret);
  EXPECT_TRUE(secret.empty());
  Bytes key = {1, 2, 3};
  SecureWipe(key);
  EXPECT_EQ(key, (Bytes{0, 0, 0}));
}

}  // namespace
}  // namespace openmyna
