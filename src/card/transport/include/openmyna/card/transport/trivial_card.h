// A card that does nothing: the contact ATR of the My Number Card
// (card-apdu.md §1.1) and `90 00` to every command. It is the ceiling of
// what a transport can deliver, measured beside the real card in bench/card.
// It is NOT a usable My Number Card: OpenSC's muscle driver claims it
// (pitfall P10), which the interop test relies on to see that the answer
// really came from this card.
#pragma once

#include <atomic>
#include <cstdint>

#include "openmyna/card/card_endpoint.h"

namespace openmyna::card::transport {

class TrivialCard final : public CardEndpoint {
 public:
  Bytes Atr() const override;
  void PowerOn() override { ++power_events_; }
  void PowerOff() override { ++power_events_; }
  void Reset() override { ++power_events_; }
  Bytes Transmit(ByteView command_apdu) override;

  std::uint64_t commands() const { return commands_.load(); }
  std::uint64_t power_events() const { return power_events_.load(); }

 private:
  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> power_events_{0};
};

}  // namespace openmyna::card::transport
