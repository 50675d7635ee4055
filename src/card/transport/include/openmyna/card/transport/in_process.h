// The in-process transport: a thin reader that hands APDUs straight to a
// CardEndpoint, for tests and benchmarks that need no pcscd. It keeps the
// same APDU log (masked, apdu_log.h) as the vpcd client.
#pragma once

#include <cstdint>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/card/card_endpoint.h"
#include "openmyna/card/transport/apdu_log.h"

namespace openmyna::card::transport {

class InProcessTransport {
 public:
  // `card` is not owned and must outlive the transport. The card is
  // powered on here, as a reader does on insertion.
  explicit InProcessTransport(CardEndpoint& card, bool log_apdus = false);

  Bytes Atr() const { return card_.Atr(); }
  void PowerOn();
  void PowerOff();
  void Reset();

  // One command APDU in, the response APDU (data ‖ SW1 SW2) out.
  Bytes Transmit(ByteView command_apdu);
  // The same with hex text ("00 a4 04 0c ..."); kInvalidArgument (base) on
  // bad hex.
  Result<Bytes> TransmitHex(std::string_view hex);

  std::uint64_t apdu_count() const { return apdu_count_; }

 private:
  CardEndpoint& card_;
  bool log_apdus_;
  ApduLogFormatter formatter_;
  std::uint64_t apdu_count_ = 0;
};

}  // namespace openmyna::card::transport
