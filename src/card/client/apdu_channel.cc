#include "openmyna/card/client/apdu_channel.h"

#include <fmt/format.h>

#include "openmyna/card/client/errors.h"

namespace openmyna::card::client {
namespace {

constexpr std::size_t kMaxShortData = 255;
constexpr std::size_t kMaxShortLe = 256;
constexpr std::size_t kMaxExtendedData = 65535;
constexpr std::size_t kMaxExtendedLe = 65536;
constexpr int kMaxGetResponseRounds = 256;
constexpr std::uint8_t kInsGetResponse = 0xC0;

Result<Response> Split(Bytes raw) {
  if (raw.size() < 2) {
    return Fail(ClientErrc::kBadResponse,
                fmt::format("response of {} byte(s), need SW1 SW2 at least",
                            raw.size()));
  }
  Response response;
  response.sw = ReadU16(raw, raw.size() - 2);
  raw.resize(raw.size() - 2);
  response.data = std::move(raw);
  return response;
}

}  // namespace

Result<Bytes> Command::Encode() const {
  if (data.size() > kMaxExtendedData) {
    return Fail(ClientErrc::kInvalidArgument,
                fmt::format("command data of {} bytes is too long (65,535 at "
                            "most)",
                            data.size()));
  }
  if (le && (*le == 0 || *le > kMaxExtendedLe)) {
    return Fail(ClientErrc::kInvalidArgument,
                fmt::format("Le {} is outside 1-65,536", *le));
  }
  Bytes out{cla, ins, p1, p2};
  const bool extended =
      data.size() > kMaxShortData || (le && *le > kMaxShortLe);
  if (!extended) {
    if (!data.empty()) {
      out.push_back(static_cast<std::uint8_t>(data.size()));
      Append(out, data);
    }
    if (le) out.push_back(static_cast<std::uint8_t>(*le & 0xFF));  // 256 → 00
    return out;
  }
  // Extended: one 00 byte, then Lc and/or Le on two bytes each; Le alone
  // (case 2E) keeps the leading 00 (ISO/IEC 7816-4 §5.2).
  out.push_back(0x00);
  if (!data.empty()) {
    AppendU16(out, static_cast<std::uint16_t>(data.size()));
    Append(out, data);
  }
  if (le)
    AppendU16(out, static_cast<std::uint16_t>(*le & 0xFFFF));  // 65,536 → 00 00
  return out;
}

Result<Response> Exchange(ApduChannel& channel, const Command& command) {
  Command current = command;
  OPENMYNA_ASSIGN_OR_RETURN(Bytes encoded, current.Encode());
  OPENMYNA_ASSIGN_OR_RETURN(Bytes raw, channel.Transmit(encoded));
  OPENMYNA_ASSIGN_OR_RETURN(Response response, Split(std::move(raw)));
  if (response.sw1() == 0x6C) {
    // Wrong Le; SW2 is the exact length available (00 = 256).
    current.le = response.sw2() == 0 ? 256 : response.sw2();
    OPENMYNA_ASSIGN_OR_RETURN(encoded, current.Encode());
    OPENMYNA_ASSIGN_OR_RETURN(raw, channel.Transmit(encoded));
    OPENMYNA_ASSIGN_OR_RETURN(response, Split(std::move(raw)));
  }
  for (int round = 0; response.sw1() == 0x61; ++round) {
    if (round == kMaxGetResponseRounds) {
      return Fail(ClientErrc::kBadResponse,
                  "the card kept answering 61 XX (more data) after 256 "
                  "GET RESPONSE commands");
    }
    Command get{.cla = 0x00,
                .ins = kInsGetResponse,
                .le = response.sw2() == 0 ? 256 : response.sw2()};
    OPENMYNA_ASSIGN_OR_RETURN(encoded, get.Encode());
    OPENMYNA_ASSIGN_OR_RETURN(raw, channel.Transmit(encoded));
    OPENMYNA_ASSIGN_OR_RETURN(Response more, Split(std::move(raw)));
    Append(response.data, more.data);
    response.sw = more.sw;
  }
  return response;
}

}  // namespace openmyna::card::client
