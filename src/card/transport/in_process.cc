#include "openmyna/card/transport/in_process.h"

#include "openmyna/base/log.h"

namespace openmyna::card::transport {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = log::Get("card.transport");
  return logger;
}

}  // namespace

InProcessTransport::InProcessTransport(CardEndpoint& card, bool log_apdus)
    : card_(card), log_apdus_(log_apdus) {
  card_.PowerOn();
}

void InProcessTransport::PowerOn() {
  formatter_.PowerEvent();
  card_.PowerOn();
}

void InProcessTransport::PowerOff() {
  formatter_.PowerEvent();
  card_.PowerOff();
}

void InProcessTransport::Reset() {
  formatter_.PowerEvent();
  card_.Reset();
}

Bytes InProcessTransport::Transmit(ByteView command_apdu) {
  ++apdu_count_;
  if (log_apdus_) Logger()->info("{}", formatter_.Command(command_apdu));
  Bytes response = card_.Transmit(command_apdu);
  if (log_apdus_) {
    Logger()->info("{}", formatter_.Response(command_apdu, response));
  }
  return response;
}

Result<Bytes> InProcessTransport::TransmitHex(std::string_view hex) {
  OPENMYNA_ASSIGN_OR_RETURN(const Bytes command, FromHex(hex));
  return Transmit(command);
}

}  // namespace openmyna::card::transport
