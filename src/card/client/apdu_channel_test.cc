// Command encoding (ISO/IEC 7816-4 §5.2) against byte strings quoted in
// card-apdu.md, and the 61 XX / 6C XX rules of Exchange against a scripted
// card.
#include "openmyna/card/client/apdu_channel.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "openmyna/card/client/errors.h"

namespace openmyna::card::client {
namespace {

Bytes H(std::string_view hex) { return FromHex(hex).value(); }
std::string Hex(ByteView b) { return ToHex(b, ' ', true); }

std::string Encoded(const Command& c) {
  auto bytes = c.Encode();
  EXPECT_TRUE(bytes.has_value());
  return bytes ? Hex(*bytes) : "";
}

TEST(CommandTest, EncodesTheFormsQuotedInCardApdu) {
  // SELECT JPKI-AP, case 3 short (card-apdu.md §1.2).
  EXPECT_EQ(Encoded({.ins = 0xA4,
                     .p1 = 0x04,
                     .p2 = 0x0C,
                     .data = H("D3 92 F0 00 26 01 00 00 00 01")}),
            "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
  // Tries query, case 1 (§9.2).
  EXPECT_EQ(Encoded({.ins = 0x20, .p2 = 0x80}), "00 20 00 80");
  // READ BINARY size probe, case 2 short (§3.2).
  EXPECT_EQ(Encoded({.ins = 0xB0, .le = 4}), "00 B0 00 00 04");
  // 256-byte chunk: Le 256 is encoded 00 (§3.2, §11.1).
  EXPECT_EQ(Encoded({.ins = 0xB0, .p1 = 0x01, .le = 256}), "00 B0 01 00 00");
  // Whole file, extended Le 65,536 = 00 00 00 (§3.2).
  EXPECT_EQ(Encoded({.ins = 0xB0, .p1 = 0x8A, .le = 65536}),
            "00 B0 8A 00 00 00 00");
  // Extended Le HH LL after 00 (c-3lab form, §3.2).
  EXPECT_EQ(Encoded({.ins = 0xB0, .p1 = 0x00, .p2 = 0x04, .le = 0x062B}),
            "00 B0 00 04 00 06 2B");
  // COMPUTE DIGITAL SIGNATURE, case 4 short with Le 00 (§3.4, §11.3).
  Bytes digest_info =
      H("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20");
  digest_info.resize(51, 0xEE);
  const std::string sign = Encoded(
      {.cla = 0x80, .ins = 0x2A, .p2 = 0x80, .data = digest_info, .le = 256});
  EXPECT_EQ(sign.substr(0, 15 * 3 - 1),
            "80 2A 00 80 33 30 31 30 0D 06 09 60 86 48 01");
  EXPECT_EQ(sign.substr(sign.size() - 2), "00");
  EXPECT_EQ(sign.size(), (5 + 51 + 1) * 3 - 1);
}

TEST(CommandTest, ExtendedCase4HasOneLeadingZeroAndTwoByteLe) {
  Command c{.ins = 0xD6, .data = Bytes(300, 0x11), .le = 512};
  Bytes bytes = c.Encode().value();
  ASSERT_EQ(bytes.size(), 4 + 3 + 300 + 2u);
  EXPECT_EQ(Hex(ByteView(bytes).first(7)), "00 D6 00 00 00 01 2C");
  EXPECT_EQ(Hex(ByteView(bytes).last(2)), "02 00");
}

TEST(CommandTest, RefusesWhatCannotBeEncoded) {
  EXPECT_FALSE((Command{.le = 65537}.Encode()));
  EXPECT_FALSE((Command{.le = 0}.Encode()));
  EXPECT_FALSE((Command{.data = Bytes(65536)}.Encode()));
}

// A card that answers from a script and records what it was sent.
class ScriptedChannel : public ApduChannel {
 public:
  std::deque<Bytes> answers;
  std::vector<std::string> sent;
  Result<Bytes> Transmit(ByteView command) override {
    sent.push_back(Hex(command));
    if (answers.empty()) return Bytes{0x6F, 0x00};
    Bytes a = answers.front();
    answers.pop_front();
    return a;
  }
};

TEST(ExchangeTest, FollowsGetResponseUntilTheLastStatusWord) {
  ScriptedChannel card;
  Bytes first_part(256, 0xAB);
  Append(first_part, H("61 10"));  // 16 more bytes
  Bytes last_part(16, 0xCD);
  Append(last_part, H("90 00"));
  card.answers = {H("61 00"), first_part, last_part};
  auto r = Exchange(card, {.ins = 0xB0, .le = 256});
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->sw, 0x9000);
  ASSERT_EQ(r->data.size(), 272u);
  EXPECT_EQ(r->data[0], 0xAB);
  EXPECT_EQ(r->data[271], 0xCD);
  ASSERT_EQ(card.sent.size(), 3u);
  EXPECT_EQ(card.sent[1], "00 C0 00 00 00");  // 61 00: 256 bytes more
  EXPECT_EQ(card.sent[2], "00 C0 00 00 10");
}

TEST(ExchangeTest, RepeatsOnceWithTheLeThat6CNames) {
  ScriptedChannel card;
  Bytes data(0x3B, 0x42);
  data.insert(data.end(), {0x90, 0x00});
  card.answers = {H("6C 3B"), data};
  auto r = Exchange(card, {.ins = 0xB0, .p1 = 0x03, .le = 256});
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->sw, 0x9000);
  EXPECT_EQ(r->data, Bytes(0x3B, 0x42));
  ASSERT_EQ(card.sent.size(), 2u);
  EXPECT_EQ(card.sent[0], "00 B0 03 00 00");
  EXPECT_EQ(card.sent[1], "00 B0 03 00 3B");
}

TEST(ExchangeTest, ResponseWithoutStatusWordIsRefused) {
  ScriptedChannel card;
  card.answers = {H("90")};
  auto r = Exchange(card, {.ins = 0xB0, .le = 4});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().Is(ClientErrc::kBadResponse));
}

TEST(ExchangeTest, EndlessGetResponseIsRefused) {
  ScriptedChannel card;
  for (int i = 0; i < 300; ++i) card.answers.push_back(H("01 61 01"));
  auto r = Exchange(card, {.ins = 0xB0, .le = 1});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().Is(ClientErrc::kBadResponse));
}

}  // namespace
}  // namespace openmyna::card::client
