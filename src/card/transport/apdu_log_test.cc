// The APDU log never shows passwords or the individual number: the byte
// strings here are the documented APDUs of card-apdu.md §3, §5, §8.2 and §9.
#include "openmyna/card/transport/apdu_log.h"

#include <gtest/gtest.h>

namespace openmyna::card::transport {
namespace {

Bytes Hex(std::string_view text) { return FromHex(text).value(); }

const Bytes kOk = {0x90, 0x00};
// FF 10 0C "123456789018" FF FF (card-apdu.md §8.2), then 90 00.
const std::string kNumberEfHex = "ff100c313233343536373839303138ffff";
// The same digits as they would appear in a hex dump, without spaces.
const std::string kNumberDigitsHex = "313233343536373839303138";

std::string Strip(std::string text) {
  std::erase(text, ' ');
  return text;
}

TEST(ApduLog, HidesPasswordsInVerifyAndChange) {
  ApduLogFormatter log;
  const std::string verify =
      log.Command(Hex("00 20 00 80 04 31 32 33 34"));  // PIN "1234"
  EXPECT_EQ(verify, "> 00 20 00 80 04 <4 bytes hidden>");
  const std::string verify_sfi =
      log.Command(Hex("00 20 00 9B 06 41 42 43 31 32 33"));  // "ABC123"
  EXPECT_EQ(verify_sfi.find("41 42 43"), std::string::npos) << verify_sfi;
  const std::string change = log.Command(Hex("00 24 01 80 04 35 36 37 38"));
  EXPECT_EQ(change, "> 00 24 01 80 04 <4 bytes hidden>");
  // 照合番号A is the individual number itself (card-apdu.md §9.1).
  const std::string collation =
      log.Command(Hex("00 20 00 94 0C 31 32 33 34 35 36 37 38 39 30 31 38"));
  EXPECT_EQ(Strip(collation).find(kNumberDigitsHex), std::string::npos);
  // The empty query carries no secret and is shown whole.
  EXPECT_EQ(log.Command(Hex("00 20 00 80")), "> 00 20 00 80");
}

TEST(ApduLog, HidesTheNumberEfReadByCurrentEf) {
  ApduLogFormatter log;
  const Bytes select_ap = Hex("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08");
  log.Response(select_ap, kOk);
  const Bytes select_ef = Hex("00 A4 02 0C 02 00 01");
  log.Response(select_ef, kOk);
  const Bytes read = Hex("00 B0 00 00 11");
  const std::string line = log.Response(read, Hex(kNumberEfHex + "9000"));
  EXPECT_EQ(line, "< <17 bytes hidden> 90 00");
  // The four basic data EF is personal data too.
  log.Response(Hex("00 A4 02 0C 02 00 02"), kOk);
  EXPECT_EQ(log.Response(Hex("00 B0 00 00 00"), Hex("ff2003aabbcc9000")),
            "< <6 bytes hidden> 90 00");
}

TEST(ApduLog, HidesTheNumberEfReadByShortEfId) {
  ApduLogFormatter log;
  log.Response(Hex("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"), kOk);
  // BEXT's read of 12 digits at offset 3 of SFI 1 (card-apdu.md §3.2).
  const std::string line =
      log.Response(Hex("00 B0 81 03 0C"), Hex(kNumberDigitsHex + "9000"));
  EXPECT_EQ(Strip(line).find(kNumberDigitsHex), std::string::npos) << line;
  EXPECT_EQ(line, "< <12 bytes hidden> 90 00");
}

TEST(ApduLog, ShowsJpkiCertificatesAndStatusWords) {
  ApduLogFormatter log;
  log.Response(Hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"), kOk);
  log.Response(Hex("00 A4 02 0C 02 00 0A"), kOk);
  EXPECT_EQ(log.Response(Hex("00 B0 00 00 04"), Hex("30 82 06 2b 90 00")),
            "< 30 82 06 2b 90 00");
  // EF 0001 of the JPKI AP is the signature certificate, not the number.
  log.Response(Hex("00 A4 02 0C 02 00 01"), kOk);
  EXPECT_EQ(log.Response(Hex("00 B0 00 00 04"), Hex("30 82 06 2b 90 00")),
            "< 30 82 06 2b 90 00");
}

TEST(ApduLog, ForgetsTheApplicationOnPowerEventsAndOtherSelects) {
  ApduLogFormatter log;
  log.Response(Hex("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"), kOk);
  log.Response(Hex("00 A4 02 0C 02 00 01"), kOk);
  // A refused SELECT of another AP leaves the text AP current.
  log.Response(Hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
               Hex("6a 82"));
  EXPECT_EQ(log.Response(Hex("00 B0 00 00 11"), Hex(kNumberEfHex + "9000")),
            "< <17 bytes hidden> 90 00");
  log.PowerEvent();
  EXPECT_EQ(log.Response(Hex("00 B0 00 00 02"), Hex("aa bb 90 00")),
            "< aa bb 90 00");
}

TEST(ApduLog, ErrorsAreShownEvenForHiddenEfs) {
  ApduLogFormatter log;
  log.Response(Hex("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"), kOk);
  log.Response(Hex("00 A4 02 0C 02 00 01"), kOk);
  EXPECT_EQ(log.Response(Hex("00 B0 00 00 11"), Hex("69 82")), "< 69 82");
}

}  // namespace
}  // namespace openmyna::card::transport
