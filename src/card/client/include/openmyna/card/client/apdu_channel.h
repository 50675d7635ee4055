// The host side of ISO/IEC 7816-4 command-response pairs, as a relying party
// writes it for any card: command APDUs in short or extended form
// (ISO/IEC 7816-4 §5.1 / §5.2, cases 1–4), and the transport-level status
// words a card may answer with even though the My Number Card is not known
// to use them (card-apdu.md §3.1, §16 #12):
//   61 XX  response bytes still available: fetched with GET RESPONSE
//          (00 C0 00 00 XX, XX = 00 meaning 256), repeated until the card
//          answers anything but 61 XX;
//   6C XX  wrong Le: the same command is sent once more with Le = XX.
// An ApduChannel is one connected card (PC/SC, pcsc_reader.h, or anything a
// test provides); Exchange() adds the rules above on top of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::card::client {

// One command APDU before encoding.
struct Command {
  std::uint8_t cla = 0x00;
  std::uint8_t ins = 0x00;
  std::uint8_t p1 = 0x00;
  std::uint8_t p2 = 0x00;
  Bytes data;                     // Lc = data.size(); empty: no Lc field
  std::optional<std::size_t> le;  // expected length 1–65,536; none: no Le

  // The short form when data ≤ 255 bytes and Le ≤ 256 (Le 256 → 00), else
  // the extended form (Lc 00 HH LL, Le HH LL or 00 HH LL; Le 65,536 →
  // 00 00) of ISO/IEC 7816-4 §5.2. Data over 65,535 bytes or Le over 65,536
  // cannot be encoded: kInvalidArgument.
  Result<Bytes> Encode() const;
};

// A response APDU split into its data and status word (SW1 SW2).
struct Response {
  Bytes data;
  std::uint16_t sw = 0;
  std::uint8_t sw1() const { return static_cast<std::uint8_t>(sw >> 8); }
  std::uint8_t sw2() const { return static_cast<std::uint8_t>(sw & 0xFF); }
};

// One connected card. Transmit sends one encoded command APDU and returns
// the raw response (data ‖ SW1 SW2) exactly as the card sent it. Errors are
// the transport's (kPcsc for PC/SC). Not thread-safe.
class ApduChannel {
 public:
  virtual ~ApduChannel() = default;
  virtual Result<Bytes> Transmit(ByteView command_apdu) = 0;
};

// Sends `command` through `channel` and returns the complete response,
// after following 61 XX (GET RESPONSE, at most 256 rounds, data
// concatenated) and one 6C XX (re-send with Le = XX). Errors: the channel's,
// kBadResponse when a response has fewer than 2 bytes or 61 XX never ends,
// kInvalidArgument when the command cannot be encoded.
Result<Response> Exchange(ApduChannel& channel, const Command& command);

}  // namespace openmyna::card::client
