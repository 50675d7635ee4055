// The vpcd wire protocol, as pure functions (card-apdu.md §12,
// pcsc-testing.md §3.3; frankmorgner/vsmartcard vpcd.c and doc/api.txt):
//
//   every message, in both directions = 2-byte big-endian length ‖ payload
//   vpcd → card, length 1  = control: 00 power off, 01 power on, 02 reset,
//                            04 get ATR (the only control that is answered)
//   vpcd → card, length ≥ 2 = a command APDU; the card answers with exactly
//                            one framed response APDU
//
// Kept free of sockets so that the parser can be fuzzed and unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::card::transport {

// Largest payload one frame can carry (the length field is 16 bits).
inline constexpr std::size_t kMaxVpcdPayload = 0xFFFF;

enum class VpcdControl : std::uint8_t {
  kPowerOff = 0x00,
  kPowerOn = 0x01,
  kReset = 0x02,
  kGetAtr = 0x04,
};

// One message from vpcd, decoded.
struct VpcdControlMessage {
  VpcdControl control;
};
struct VpcdApduMessage {
  Bytes command_apdu;
};
using VpcdMessage = std::variant<VpcdControlMessage, VpcdApduMessage>;

// Length-prefixes `payload`. Fails with kProtocol if it is longer than
// kMaxVpcdPayload. The result is sent with one write (pcsc-testing.md §5.2).
Result<Bytes> EncodeVpcdFrame(ByteView payload);

// Classifies a received payload. Fails with kProtocol for an empty payload
// or an unknown one-byte control (vpcd.h defines only 00, 01, 02, 04).
Result<VpcdMessage> DecodeVpcdPayload(ByteView payload);

// Reassembles frames from a byte stream that arrives in arbitrary pieces
// (Debian 12's vpcd writes the length and the payload with two send()s).
class VpcdFrameReader {
 public:
  // Appends received bytes.
  void Feed(ByteView bytes);
  // The next complete payload, if one has fully arrived; removes it.
  std::optional<Bytes> Next();
  // Bytes received but not yet returned by Next().
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  Bytes buffer_;
  std::size_t consumed_ = 0;
};

}  // namespace openmyna::card::transport
