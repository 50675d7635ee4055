#include "openmyna/card/transport/vpcd_client.h"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "openmyna/base/log.h"
#include "openmyna/card/transport/apdu_log.h"
#include "openmyna/card/transport/errors.h"
#include "openmyna/card/transport/vpcd_frame.h"

namespace openmyna::card::transport {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = log::Get("card.transport");
  return logger;
}

// Linux clears TCP_QUICKACK after it takes effect; re-arm before every wait
// and read so that vpcd's split length/payload writes are ACKed at once
// (pcsc-testing.md §5.1, pitfall P2).
void ArmQuickAck(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// One connection attempt to every address of the host; the first accepted
// socket, -1 when none accepts, or an error when the name does not resolve.
Result<int> ConnectOnce(const VpcdAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(address.port);
  const int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &list);
  if (rc == EAI_NONAME || rc == EAI_FAIL) {
    return Fail(TransportErrc::kBadAddress,
                fmt::format("--vpcd: cannot resolve host '{}': {}",
                            address.host, gai_strerror(rc)));
  }
  if (rc != 0) return -1;  // transient (EAI_AGAIN, ...): retry later
  int connected = -1;
  for (addrinfo* ai = list; ai != nullptr && connected < 0; ai = ai->ai_next) {
    const int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      connected = fd;
    } else {
      close(fd);
    }
  }
  freeaddrinfo(list);
  if (connected >= 0) {
    const int one = 1;
    setsockopt(connected, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return connected;
}

// Sends one frame with one send() (pcsc-testing.md §5.2); loops only if the
// kernel accepted part of it.
bool SendFrame(int fd, ByteView payload) {
  auto frame = EncodeVpcdFrame(payload);
  if (!frame) {
    Logger()->error("{}", frame.error().message());
    return false;
  }
  std::size_t sent = 0;
  while (sent < frame->size()) {
    const ssize_t n =
        send(fd, frame->data() + sent, frame->size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string VpcdAddress::ToString() const {
  if (host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", host, port);
  }
  return fmt::format("{}:{}", host, port);
}

Result<VpcdAddress> ParseVpcdAddress(std::string_view text) {
  VpcdAddress address;
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Fail(
          TransportErrc::kBadAddress,
          fmt::format("'{}': missing ']' after the IPv6 address", text));
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        return Fail(TransportErrc::kBadAddress,
                    fmt::format("'{}': expected ':PORT' after ']'", text));
      }
      port = rest.substr(1);
      if (port.empty()) {
        return Fail(TransportErrc::kBadAddress,
                    fmt::format("'{}': empty port", text));
      }
    }
  } else if (const auto colon = text.rfind(':');
             colon != std::string_view::npos) {
    if (text.find(':') != colon) {
      return Fail(
          TransportErrc::kBadAddress,
          fmt::format("'{}': write an IPv6 address as [ADDR]:PORT", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) {
      return Fail(TransportErrc::kBadAddress,
                  fmt::format("'{}': empty port", text));
    }
  }
  if (!host.empty()) address.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return Fail(
          TransportErrc::kBadAddress,
          fmt::format("'{}': port must be a number from 1 to 65535", text));
    }
    address.port = static_cast<std::uint16_t>(value);
  }
  return address;
}

Status VpcdClient::Run(CardEndpoint& card, const StopSignal& stop) {
  bool waiting_logged = false;
  while (!stop.stop_requested()) {
    OPENMYNA_ASSIGN_OR_RETURN(const int fd, ConnectOnce(options_.address));
    if (fd < 0) {
      if (!waiting_logged) {
        Logger()->info("waiting for vpcd at {}", options_.address.ToString());
        waiting_logged = true;
      }
      stop.WaitFor(static_cast<int>(options_.retry_interval.count()));
      continue;
    }
    waiting_logged = false;
    SessionEnd end;
    {
      ScopedFd socket(fd);
      ++stats_.connections;
      Logger()->info("connected to vpcd at {}", options_.address.ToString());
      end = Serve(socket.get(), card, stop);
    }  // closed now: vpcd sees the card leave at once, not after the pause
    // The card has left the reader: its volatile state goes
    // (card-apdu.md §12).
    card.PowerOff();
    switch (end) {
      case SessionEnd::kStopped:
        Logger()->info("stopped ({} APDUs, {} ATR requests)",
                       stats_.apdus.load(), stats_.atr_requests.load());
        return Ok();
      case SessionEnd::kTagLoss:
        ++stats_.tag_losses;
        Logger()->info("tag loss after {} APDUs: card removed",
                       options_.tag_loss_after_apdus);
        break;
      case SessionEnd::kClosed:
        Logger()->info("vpcd closed the connection");
        if (!options_.reconnect) return Ok();
        break;
    }
    stop.WaitFor(static_cast<int>(options_.retry_interval.count()));
  }
  return Ok();
}

VpcdClient::SessionEnd VpcdClient::Serve(int fd, CardEndpoint& card,
                                         const StopSignal& stop) {
  VpcdFrameReader reader;
  ApduLogFormatter formatter;
  std::array<std::uint8_t, 64 * 1024> buffer;
  std::uint64_t session_apdus = 0;
  for (;;) {
    while (std::optional<Bytes> payload = reader.Next()) {
      auto message = DecodeVpcdPayload(*payload);
      if (!message) {
        Logger()->warn("ignored: {}", message.error().message());
        continue;
      }
      if (const auto* control = std::get_if<VpcdControlMessage>(&*message)) {
        switch (control->control) {
          case VpcdControl::kGetAtr:
            ++stats_.atr_requests;
            if (!SendFrame(fd, card.Atr())) return SessionEnd::kClosed;
            break;
          case VpcdControl::kPowerOn:
            ++stats_.power_ons;
            Logger()->debug("power on");
            formatter.PowerEvent();
            card.PowerOn();
            break;
          case VpcdControl::kPowerOff:
            ++stats_.power_offs;
            Logger()->debug("power off");
            formatter.PowerEvent();
            card.PowerOff();
            break;
          case VpcdControl::kReset:
            ++stats_.resets;
            Logger()->debug("reset");
            formatter.PowerEvent();
            card.Reset();
            break;
        }
        continue;
      }
      const Bytes& command = std::get<VpcdApduMessage>(*message).command_apdu;
      ++session_apdus;
      if (options_.tag_loss_after_apdus != 0 &&
          session_apdus >= options_.tag_loss_after_apdus) {
        return SessionEnd::kTagLoss;
      }
      ++stats_.apdus;
      if (options_.log_apdus) Logger()->info("{}", formatter.Command(command));
      const Bytes response = card.Transmit(command);
      if (options_.log_apdus) {
        Logger()->info("{}", formatter.Response(command, response));
      }
      if (!SendFrame(fd, response)) return SessionEnd::kClosed;
    }

    ArmQuickAck(fd);
    std::array<pollfd, 2> fds{pollfd{fd, POLLIN, 0},
                              pollfd{stop.fd(), POLLIN, 0}};
    const int rc = poll(fds.data(), fds.size(), -1);
    if (stop.stop_requested()) return SessionEnd::kStopped;
    if (rc < 0) {
      if (errno == EINTR) continue;
      Logger()->error("poll: {}", std::strerror(errno));
      return SessionEnd::kClosed;
    }
    ArmQuickAck(fd);
    const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (n == 0) return SessionEnd::kClosed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      Logger()->warn("recv: {}", std::strerror(errno));
      return SessionEnd::kClosed;
    }
    reader.Feed(ByteView(buffer.data(), static_cast<std::size_t>(n)));
  }
}

}  // namespace openmyna::card::transport
