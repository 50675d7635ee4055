// The APDU log of a transport: one line per command and per response, with
// personal data and secrets hidden before anything reaches a log sink.
//
// What is hidden (docs/transport.md, "APDU log"):
//  - the data field of VERIFY (INS 20), CHANGE REFERENCE DATA (INS 24) and
//    JICSAP CHANGE KEY (80 32): passwords, and 照合番号A, which IS the
//    individual number (card-apdu.md §9.1);
//  - READ BINARY response data of the input-assist AP's EF 0001 (the
//    individual number, card-apdu.md §5, §8.2) and EF 0002 (the four basic
//    data), and of the card-face AP's EF 0005 (the number as an image),
//    whichever READ BINARY form (current EF or short EF id) reaches them.
// The base log sinks additionally mask 12-digit runs (openmyna/base/log.h).
//
// The logger follows SELECT commands to know which application and EF are
// current, so it must see every command/response pair of one card, in order.
#pragma once

#include <cstdint>
#include <string>

#include "openmyna/base/bytes.h"

namespace openmyna::card::transport {

class ApduLogFormatter {
 public:
  // "> 00 a4 04 0c 0a d3 92 ..." with secret data fields replaced by
  // "<n bytes hidden>".
  std::string Command(ByteView command_apdu) const;
  // "< ... 90 00" for the response to `command_apdu`; updates the tracked
  // application/EF from SELECTs and short-EF-id reads that succeeded.
  std::string Response(ByteView command_apdu, ByteView response_apdu);
  // Power off, power on and reset leave no application selected
  // (card-apdu.md §12).
  void PowerEvent();

 private:
  enum class Application { kNone, kTextAp, kSurfaceAp, kOther };
  bool HidesResponseOf(ByteView command_apdu) const;

  Application application_ = Application::kNone;
  std::uint16_t current_ef_ = 0;  // 0 = none
};

}  // namespace openmyna::card::transport
