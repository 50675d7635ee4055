// Client conformance findings (openmyna/card/conformance.h) through the
// in-process transport and the ConformanceRecorder, as a client developer's
// unit test would use them. Each step below deliberately relies on one
// behaviour card-apdu.md lists as varying; the expected findings are this
// list, and the status words (default and --strict) come from card-apdu.md
// (§3, §9, §10, §16) and ISO/IEC 7816-4 (62 82), not from the kernel.
#include "openmyna/card/conformance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kernel/test_util.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/transport/conformance.h"
#include "openmyna/card/transport/in_process.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

using transport::ConformanceRecorder;
using transport::InProcessTransport;

constexpr std::string_view kSelectText =
    "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
constexpr std::string_view kTextPin = "4321";

// Text EF 0002 with a 130-byte value: FF 20 82 00 82 { DF22 7F <127 'A'> }
// (card-apdu.md §8.1: from 128 up always 82 HH LL).
Bytes LongBasicData() {
  Bytes ef = {0xFF, 0x20, 0x82, 0x00, 0x82, 0xDF, 0x22, 0x7F};
  ef.insert(ef.end(), 127, 'A');
  return ef;
}

CardImage SloppyImage() {
  CardImage image = PersonalizedImage();
  EXPECT_TRUE(SetPin(image, "text", 0x0011, std::string(kTextPin)));
  EXPECT_TRUE(WriteBinary(image, "text", 0x0001,
                          *FromHex("FF 10 0C 31 32 33 34 35 36 37 38 39 30 "
                                   "31 38 FF FF")));
  EXPECT_TRUE(WriteBinary(image, "text", 0x0002, LongBasicData()));
  return image;
}

struct Step {
  std::string finding;  // "" = a setup command that must cause none
  std::string apdu;
  std::uint16_t sw;         // default card
  std::uint16_t strict_sw;  // --strict
};

// One step per kind, in FindingKind order where the sequence allows.
std::vector<Step> SloppySteps() {
  const std::string verify_text = "00 20 00 91 04 34 33 32 31";
  std::string di = "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20";
  for (int i = 0; i < 32; ++i) di += " 5A";
  return {
      {"", std::string(kSelectText), 0x9000, 0x9000},
      {"", verify_text, 0x9000, 0x9000},
      {"", std::string(kSelectText), 0x9000, 0x9000},
      {"", "00 A4 02 0C 02 00 02", 0x9000, 0x9000},
      {"reselect_kept_login", "00 B0 00 00 05", 0x9000, 0x6982},
      {"", verify_text, 0x9000, 0x9000},
      {"", "00 B0 82 02 01", 0x9000, 0x9000},  // the length byte: fine
      {"", "00 B0 82 03 02", 0x9000, 0x9000},  // HH LL: fine
      {"short_header_assumed", "00 B0 82 03 82", 0x9000, 0x6985},
      {"short_header_assumed", "00 B0 82 00 85", 0x9000, 0x6985},
      {"le_past_end", "00 B0 81 00 20", 0x9000, 0x6282},
      {"", "00 B0 81 00 00", 0x9000, 0x9000},  // Le 00: up to the end
      {"offset_past_end", "00 B0 00 11 01", 0x6B00, 0x6B00},
      {"extended_length", "00 B0 81 00 00 00 00", 0x9000, 0x6700},
      {"challenge_without_key", "00 84 00 00 10", 0x9000, 0x6985},
      {"pin_wrong_length", "00 20 00 91 05 31 32 33 34 35", 0x63C2, 0x6700},
      {"", verify_text, 0x9000, 0x9000},
      {"verify_blocked_pin", "00 20 00 92 04 31 32 33 34", 0x6984, 0x6984},
      {"select_fci_requested",
       "00 A4 04 00 0A D3 92 F0 00 26 01 00 00 00 01 00", 0x9000, 0x9000},
      {"", "00 20 00 98 04 31 32 33 34", 0x9000, 0x9000},
      {"query_after_verify", "00 20 00 98", 0x63C3, 0x9000},
      {"sign_key_not_selected", "80 2A 00 97 33 " + di + " 00", 0x9000, 0x6A86},
      {"", "00 A4 02 0C 02 00 17", 0x9000, 0x9000},
      {"", "80 2A 00 80 33 " + di + " 00", 0x9000, 0x9000},
      {"sign_input_length", "80 2A 02 80 05 01 02 03 04 05 00", 0x6700, 0x6700},
      {"get_data_in_ap", "00 CA 5F 51 00", 0x6A88, 0x6A88},
      {"aid_prefix", "00 A4 04 0C 07 D3 92 F0 00 26 01 00", 0x6A82, 0x6A82},
      {"", std::string(kSelectCommon), 0x9000, 0x9000},
      {"multi_record_read", "00 B2 01 05 00", 0x6A81, 0x6A81},
      {"", "00 A4 04 0C 07 A0 00 00 01 51 00 00", 0x9000, 0x9000},
      {"select_ef_without_ap", "00 A4 02 0C 02 00 01", 0x6A82, 0x6A82},
  };
}

class ConformanceTest : public ::testing::TestWithParam<bool> {};

TEST_P(ConformanceTest, SloppyClientGetsOneFindingPerStep) {
  const bool strict = GetParam();
  DeterministicRng rng(5);
  auto card = Card::FromImage(SloppyImage(), rng);
  card->SetOptions(CardOptions{.strict = strict});
  ConformanceRecorder recorder(*card);
  InProcessTransport reader(recorder);
  std::vector<std::string> expected;
  for (const Step& step : SloppySteps()) {
    const std::size_t before = recorder.FindingIds().size();
    const Bytes response = *reader.TransmitHex(step.apdu);
    EXPECT_EQ(SwOf(response), strict ? step.strict_sw : step.sw)
        << step.apdu << (strict ? " (strict)" : "");
    const auto ids = recorder.FindingIds();
    if (step.finding.empty()) {
      EXPECT_EQ(ids.size(), before) << "unexpected finding for " << step.apdu;
    } else {
      expected.push_back(step.finding);
      ASSERT_EQ(ids.size(), before + 1) << step.apdu;
      EXPECT_EQ(ids.back(), step.finding) << step.apdu;
    }
  }
  EXPECT_EQ(recorder.FindingIds(), expected);
  // Every kind of the table was exercised.
  for (const FindingInfo& info : kFindingTable) {
    EXPECT_NE(std::find(expected.begin(), expected.end(), info.id),
              expected.end())
        << info.id;
  }
  // The JSON: one session, the VERIFY value hidden, the answers' SWs.
  const auto json = nlohmann::json::parse(recorder.Json(strict));
  ASSERT_EQ(json["sessions"].size(), 1u);
  EXPECT_EQ(json["strict"], strict);
  const auto& findings = json["sessions"][0]["findings"];
  ASSERT_EQ(findings.size(), expected.size());
  for (const auto& f : findings) {
    if (f["finding"] == "pin_wrong_length") {
      EXPECT_EQ(f["apdu"], "00 20 00 91 05 <5 bytes hidden>");
      EXPECT_EQ(f["sw"], strict ? "67 00" : "63 c2");
      EXPECT_EQ(f["refused"], strict);
    }
    EXPECT_FALSE(f["source"].get<std::string>().empty());
    EXPECT_FALSE(f["real_cards"].get<std::string>().empty());
  }
  EXPECT_EQ(json["summary"]["short_header_assumed"], 2);
  // A power cycle starts a new session.
  reader.PowerOff();
  reader.PowerOn();
  ASSERT_EQ(SwOf(*reader.TransmitHex("00 CA 5F 51 00")), 0x9000);
  EXPECT_EQ(recorder.Sessions().size(), 2u);
  EXPECT_NE(recorder.Summary().find("reselect_kept_login"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(DefaultAndStrict, ConformanceTest,
                         ::testing::Values(false, true));

TEST(ConformanceClearKnob, ClearingCardReportsNoKeptLogin) {
  // With --reselect clear the client gets 69 82 and nothing is a finding.
  DeterministicRng rng(5);
  auto card = Card::FromImage(SloppyImage(), rng);
  card->SetOptions(CardOptions{.reselect = ReselectPolicy::kClear});
  ConformanceRecorder recorder(*card);
  InProcessTransport reader(recorder);
  for (std::string_view apdu :
       {kSelectText, std::string_view("00 20 00 91 04 34 33 32 31"),
        kSelectText, std::string_view("00 A4 02 0C 02 00 02")}) {
    ASSERT_EQ(SwOf(*reader.TransmitHex(apdu)), 0x9000) << apdu;
  }
  EXPECT_EQ(SwOf(*reader.TransmitHex("00 B0 00 00 05")), 0x6982);
  EXPECT_TRUE(recorder.FindingIds().empty());
}

// The careful client of this repository: short APDUs only, PIN queried
// before VERIFY, key EF selected before signing, logout by selecting
// another AP. It relies on nothing real cards vary on.
TEST(ConformanceJpkiClient, CarefulClientHasNoFindings) {
  DeterministicRng rng(5);
  auto card = Card::FromImage(PersonalizedImage(), rng);
  card->SetOptions(CardOptions{.strict = true});
  ConformanceRecorder recorder(*card);
  InProcessTransport reader(recorder);
  struct Channel : client::ApduChannel {
    explicit Channel(InProcessTransport& r) : reader(r) {}
    Result<Bytes> Transmit(ByteView c) override { return reader.Transmit(c); }
    InProcessTransport& reader;
  } channel(reader);
  client::JpkiClient jpki(channel, {.extended_length = false});
  ASSERT_TRUE(jpki.SelectAp());
  auto status = jpki.Login(client::JpkiKey::kSignature, kSignPassword);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(status->state, client::PinStatus::State::kVerified);
  auto cert = jpki.ReadCertificate(client::JpkiKey::kSignature);
  ASSERT_TRUE(cert.has_value()) << cert.error();
  EXPECT_EQ(cert->size(), 827u);
  Bytes di =
      *FromHex("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20");
  di.resize(di.size() + 32, 0x11);
  ASSERT_TRUE(jpki.Sign(client::JpkiKey::kSignature, di).has_value());
  ASSERT_TRUE(jpki.Logout());
  EXPECT_TRUE(recorder.FindingIds().empty()) << recorder.Json(/*strict=*/true);
}

// The same client with its default (extended READ BINARY first) is told
// so, and under --strict falls back to short reads and still works.
TEST(ConformanceJpkiClient, ExtendedReadIsReportedAndStrictForcesFallback) {
  DeterministicRng rng(5);
  for (bool strict : {false, true}) {
    auto card = Card::FromImage(PersonalizedImage(), rng);
    card->SetOptions(CardOptions{.strict = strict});
    ConformanceRecorder recorder(*card);
    InProcessTransport reader(recorder);
    struct Channel : client::ApduChannel {
      explicit Channel(InProcessTransport& r) : reader(r) {}
      Result<Bytes> Transmit(ByteView c) override { return reader.Transmit(c); }
      InProcessTransport& reader;
    } channel(reader);
    client::JpkiClient jpki(channel);
    ASSERT_TRUE(jpki.SelectAp());
    auto cert = jpki.ReadCertificate(client::JpkiKey::kAuthentication);
    ASSERT_TRUE(cert.has_value()) << cert.error();
    EXPECT_EQ(cert->size(), 750u);
    EXPECT_EQ(recorder.FindingIds(),
              std::vector<std::string>{"extended_length"});
    EXPECT_EQ(recorder.Sessions()[0].findings[0].refused, strict);
  }
}

}  // namespace
}  // namespace openmyna::card::testing
