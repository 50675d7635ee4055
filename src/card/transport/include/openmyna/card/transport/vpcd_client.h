// The card side of vsmartcard's vpcd: connects out to pcscd's vpcd reader
// driver and serves a CardEndpoint, so that pcscd, OpenSC and any PC/SC
// application see the card in reader "Virtual PCD 00 00"
// (pcsc-testing.md §1, §3, §5; card-apdu.md §12).
//
// Socket rules (pcsc-testing.md §5.2, measured: 20 → ~8,000 APDU/s):
// TCP_NODELAY once after connect, TCP_QUICKACK re-armed before every wait
// and every recv() (Linux clears it after use), one send() per frame.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/card/card_endpoint.h"
#include "openmyna/card/transport/stop_signal.h"

namespace openmyna::card::transport {

// vpcd's default port: DEVICENAME /dev/null:0x8C7B in Debian's
// /etc/reader.conf.d/vpcd; slot n listens on 35963 + n.
inline constexpr std::uint16_t kVpcdDefaultPort = 35963;

struct VpcdAddress {
  std::string host = "localhost";
  std::uint16_t port = kVpcdDefaultPort;
  std::string ToString() const;
};

// Parses "HOST:PORT", "HOST" (default port), ":PORT" (default host) or
// "[IPv6]:PORT". Fails with kBadAddress naming what is wrong.
Result<VpcdAddress> ParseVpcdAddress(std::string_view text);

struct VpcdOptions {
  VpcdAddress address;
  // Pause between connection attempts while vpcd is not listening (pcscd
  // not started yet, or restarting).
  std::chrono::milliseconds retry_interval{500};
  // After vpcd closes the connection (pcscd stopped), connect again rather
  // than return from Run().
  bool reconnect = true;
  // Log every command and response APDU (masked, see apdu_log.h) at level
  // info on logger "card.transport".
  bool log_apdus = false;
  // Realism knob "tag loss": when > 0, the N-th APDU of a connection gets no
  // answer: the client drops the connection (pcscd reports the card
  // removed), powers the card off, and comes back after retry_interval, as
  // when a contactless card leaves the field.
  std::uint64_t tag_loss_after_apdus = 0;
};

// Counters, readable from another thread while Run() works.
struct VpcdStats {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> apdus{0};
  std::atomic<std::uint64_t> atr_requests{0};
  std::atomic<std::uint64_t> power_ons{0};
  std::atomic<std::uint64_t> power_offs{0};
  std::atomic<std::uint64_t> resets{0};
  std::atomic<std::uint64_t> tag_losses{0};
};

class VpcdClient {
 public:
  explicit VpcdClient(VpcdOptions options) : options_(std::move(options)) {}

  // Serves `card` until `stop` is raised (returns Ok), or, with
  // reconnect=false, until vpcd closes the connection (returns Ok). Control
  // 04 is answered with card.Atr() at once; 00/01/02 call PowerOff, PowerOn
  // and Reset (no reply, as vpcd expects); any longer message is a command
  // APDU answered with card.Transmit(). When the connection ends the card
  // is powered off (it left the reader). Fails with kBadAddress when the
  // host name does not resolve; connection refusals are retried forever.
  // `card` is used from the calling thread only.
  Status Run(CardEndpoint& card, const StopSignal& stop);

  const VpcdStats& stats() const { return stats_; }

 private:
  enum class SessionEnd { kStopped, kClosed, kTagLoss };
  SessionEnd Serve(int fd, CardEndpoint& card, const StopSignal& stop);

  VpcdOptions options_;
  VpcdStats stats_;
};

}  // namespace openmyna::card::transport
