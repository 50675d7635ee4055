// What a reader sees of a card: an ATR, power and reset, and APDUs in and
// out. The vpcd transport (pcscd) and the in-process transport drive a card
// only through this interface.
//
// Power semantics (card-apdu.md §12, pcsc-testing.md §3.3): PowerOff,
// PowerOn and Reset clear the volatile state (current DF, security status,
// secure-messaging session); retry counters and everything else in the card
// image persist.
#pragma once

#include "openmyna/base/bytes.h"
#include "openmyna/card/conformance.h"

namespace openmyna::card {

class CardEndpoint {
 public:
  virtual ~CardEndpoint() = default;

  // The answer to reset, without delay (vpcd asks for it on every presence
  // poll, about every 0.43 s).
  virtual Bytes Atr() const = 0;

  virtual void PowerOn() = 0;
  virtual void PowerOff() = 0;
  virtual void Reset() = 0;

  // One command APDU (ISO/IEC 7816-4 short or extended) in, one response
  // APDU out: response data followed by SW1 SW2. Never throws; malformed
  // commands get a status word (e.g. 67 00).
  virtual Bytes Transmit(ByteView command_apdu) = 0;

  // Where the card reports client conformance findings (conformance.h);
  // nullptr stops reporting. Cards that detect nothing ignore it;
  // decorators forward it to the card they wrap.
  virtual void SetFindingSink(FindingSink sink) { (void)sink; }
};

}  // namespace openmyna::card
