// The vpcd client against a stand-in for vpcd in the same process: a TCP
// listener that speaks the documented protocol (card-apdu.md §12) the way
// Debian 12's vpcd does (length and payload in two writes).
#include "openmyna/card/transport/vpcd_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "openmyna/card/transport/errors.h"
#include "openmyna/card/transport/realism.h"

namespace openmyna::card::transport {
namespace {

using namespace std::chrono_literals;

// Records everything the transport does to the card.
class RecordingCard final : public CardEndpoint {
 public:
  Bytes Atr() const override {
    return Bytes(kContactAtr.begin(), kContactAtr.end());
  }
  void PowerOn() override { Record("on"); }
  void PowerOff() override { Record("off"); }
  void Reset() override { Record("reset"); }
  // Answers with the command's INS and P1 as data, then 90 00.
  Bytes Transmit(ByteView apdu) override {
    Record("apdu " + ToHex(apdu));
    return {apdu[1], apdu[2], 0x90, 0x00};
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  void Record(std::string event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
};

// A listening socket on 127.0.0.1 that plays vpcd.
class FakeVpcd {
 public:
  explicit FakeVpcd(std::uint16_t port = 0) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr),
              0);
    EXPECT_EQ(listen(listen_fd_, 4), 0);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeVpcd() {
    CloseConnection();
    close(listen_fd_);
  }
  std::uint16_t port() const { return port_; }

  bool Accept(std::chrono::milliseconds timeout = 5s) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) return false;
    conn_fd_ = accept(listen_fd_, nullptr, nullptr);
    return conn_fd_ >= 0;
  }
  void CloseConnection() {
    if (conn_fd_ >= 0) close(conn_fd_);
    conn_fd_ = -1;
  }
  // As Debian 12's vpcd: the length, then the payload, in two writes.
  void SendSplit(const Bytes& payload) {
    Bytes length;
    AppendU16(length, static_cast<std::uint16_t>(payload.size()));
    ASSERT_EQ(write(conn_fd_, length.data(), 2), 2);
    ASSERT_EQ(write(conn_fd_, payload.data(), payload.size()),
              static_cast<ssize_t>(payload.size()));
  }
  void SendRaw(const Bytes& bytes) {
    ASSERT_EQ(write(conn_fd_, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads exactly n bytes or fails after the timeout; empty on EOF.
  Bytes ReadExactly(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    Bytes out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd pfd{conn_fd_, POLLIN, 0};
      if (left.count() <= 0 ||
          poll(&pfd, 1, static_cast<int>(left.count())) != 1) {
        ADD_FAILURE() << "timed out reading from the card";
        return out;
      }
      std::uint8_t buffer[4096];
      const ssize_t got =
          read(conn_fd_, buffer, std::min(n - out.size(), sizeof buffer));
      if (got <= 0) return {};
      out.insert(out.end(), buffer, buffer + got);
    }
    return out;
  }
  Bytes ReadFrame() {
    const Bytes length = ReadExactly(2);
    if (length.size() != 2) return {};
    return ReadExactly(ReadU16(length, 0));
  }
  // True when the card closed its side (read returns 0).
  bool PeerClosed(std::chrono::milliseconds timeout = 5s) {
    pollfd pfd{conn_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) return false;
    std::uint8_t byte;
    return read(conn_fd_, &byte, 1) == 0;
  }
  int conn_fd() const { return conn_fd_; }

 private:
  int listen_fd_ = -1;
  int conn_fd_ = -1;
  std::uint16_t port_ = 0;
};

class ClientThread {
 public:
  ClientThread(VpcdOptions options, CardEndpoint& card)
      : client_(std::move(options)), stop_(std::move(*StopSignal::Create())) {
    thread_ =
        std::thread([this, &card] { status_ = client_.Run(card, *stop_); });
  }
  ~ClientThread() { (void)Stop(); }
  Status Stop() {
    stop_->RequestStop();
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  const VpcdStats& stats() const { return client_.stats(); }

 private:
  VpcdClient client_;
  std::unique_ptr<StopSignal> stop_;
  Status status_;
  std::thread thread_;
};

VpcdOptions OptionsFor(std::uint16_t port) {
  VpcdOptions options;
  options.address = {"127.0.0.1", port};
  options.retry_interval = 50ms;
  return options;
}

TEST(VpcdClient, AnswersAtrAndApdusAndForwardsPowerControls) {
  FakeVpcd vpcd;
  RecordingCard card;
  ClientThread client(OptionsFor(vpcd.port()), card);
  ASSERT_TRUE(vpcd.Accept());

  vpcd.SendSplit({0x04});
  EXPECT_EQ(vpcd.ReadFrame(), Bytes(kContactAtr.begin(), kContactAtr.end()));

  vpcd.SendSplit({0x01});  // power on: no reply
  vpcd.SendSplit({0x00, 0xA4, 0x04, 0x0C});
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0xA4, 0x04, 0x90, 0x00}));
  vpcd.SendSplit({0x02});  // reset
  vpcd.SendSplit({0x00});  // power off
  // Several frames in one write, answered in order.
  vpcd.SendRaw({0x00, 0x04, 0x00, 0xB0, 0x81, 0x00, 0x00, 0x01, 0x04, 0x00,
                0x04, 0x00, 0x20, 0x00, 0x80});
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0xB0, 0x81, 0x90, 0x00}));
  EXPECT_EQ(vpcd.ReadFrame(), Bytes(kContactAtr.begin(), kContactAtr.end()));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x20, 0x00, 0x90, 0x00}));

  ASSERT_TRUE(client.Stop());
  const std::vector<std::string> expected = {
      "on", "apdu 00a4040c", "reset", "off", "apdu 00b08100", "apdu 00200080",
      "off"};  // the final power off: the card left the reader on stop
  EXPECT_EQ(card.events(), expected);
  EXPECT_EQ(client.stats().apdus.load(), 3u);
  EXPECT_EQ(client.stats().atr_requests.load(), 2u);
}

TEST(VpcdClient, SetsNoDelayOnItsSocket) {
  FakeVpcd vpcd;
  RecordingCard card;
  ClientThread client(OptionsFor(vpcd.port()), card);
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendSplit({0x04});  // once answered, the client is past its setup
  ASSERT_EQ(vpcd.ReadFrame().size(), kContactAtr.size());
  // Find the client's socket through /proc: the fd of this process whose
  // peer is the fake vpcd's accepted socket.
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  ASSERT_EQ(
      getpeername(vpcd.conn_fd(), reinterpret_cast<sockaddr*>(&peer), &len), 0);
  bool found = false;
  for (int fd = 3; fd < 1024 && !found; ++fd) {
    sockaddr_in local{};
    socklen_t local_len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        local.sin_family != AF_INET || local.sin_port != peer.sin_port ||
        fd == vpcd.conn_fd()) {
      continue;
    }
    int nodelay = 0;
    socklen_t opt_len = sizeof nodelay;
    ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &opt_len), 0);
    EXPECT_NE(nodelay, 0) << "TCP_NODELAY not set (pcsc-testing.md §5.2)";
    found = true;
  }
  EXPECT_TRUE(found);
}

TEST(VpcdClient, RetriesUntilVpcdListensAndReconnectsWhenItGoesAway) {
  std::uint16_t port;
  {
    FakeVpcd probe;  // find a free port, then release it
    port = probe.port();
  }
  RecordingCard card;
  ClientThread client(OptionsFor(port), card);
  std::this_thread::sleep_for(200ms);  // a few refused attempts
  {
    FakeVpcd vpcd(port);
    ASSERT_TRUE(vpcd.Accept());
    vpcd.SendSplit({0x04});
    EXPECT_EQ(vpcd.ReadFrame().size(), kContactAtr.size());
  }  // pcscd stopped: listener and connection close
  FakeVpcd restarted(port);
  ASSERT_TRUE(restarted.Accept());
  restarted.SendSplit({0x00, 0xCA, 0x01, 0x00});
  EXPECT_EQ(restarted.ReadFrame(), (Bytes{0xCA, 0x01, 0x90, 0x00}));
  ASSERT_TRUE(client.Stop());
  EXPECT_EQ(client.stats().connections.load(), 2u);
  // Losing the connection powered the card off before the new session.
  const auto events = card.events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], "off");
}

TEST(VpcdClient, TagLossDropsTheConnectionAtTheNthApduAndComesBack) {
  FakeVpcd vpcd;
  RecordingCard card;
  VpcdOptions options = OptionsFor(vpcd.port());
  options.tag_loss_after_apdus = 2;
  ClientThread client(options, card);
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendSplit({0x00, 0xB0, 0x00, 0x00});
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0xB0, 0x00, 0x90, 0x00}));
  vpcd.SendSplit({0x00, 0xB0, 0x01, 0x00});
  EXPECT_TRUE(vpcd.PeerClosed());  // no answer to the 2nd APDU
  vpcd.CloseConnection();
  ASSERT_TRUE(vpcd.Accept());  // the tag is back
  vpcd.SendSplit({0x00, 0xB0, 0x02, 0x00});
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0xB0, 0x02, 0x90, 0x00}));
  ASSERT_TRUE(client.Stop());
  EXPECT_EQ(client.stats().tag_losses.load(), 1u);
  for (const std::string& event : card.events()) {
    EXPECT_NE(event, "apdu 00b00100") << "the lost APDU reached the card";
  }
}

// The card leaves the field at the lost APDU: vpcd sees the connection end
// at once (not after the pause), and the card stays away for the whole
// retry interval. A card that kept its socket open through the pause and
// came back the moment it closed left pcscd a window in which its client
// threads and its presence polling disagreed about the card
// (pcsc_card_plug_realism, docs/transport.md "Tag loss").
TEST(VpcdClient, TagLossLeavesAtOnceAndStaysAwayForTheRetryInterval) {
  FakeVpcd vpcd;
  RecordingCard card;
  VpcdOptions options = OptionsFor(vpcd.port());
  options.tag_loss_after_apdus = 1;
  options.retry_interval = std::chrono::hours(1);
  ClientThread client(options, card);
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendSplit({0x00, 0xB0, 0x00, 0x00});
  EXPECT_TRUE(vpcd.PeerClosed(60s)) << "the lost tag kept its connection";
  vpcd.CloseConnection();
  EXPECT_FALSE(vpcd.Accept(300ms)) << "the tag came back before the interval";
  ASSERT_TRUE(client.Stop());  // while away: stops without coming back
  EXPECT_EQ(client.stats().tag_losses.load(), 1u);
  EXPECT_EQ(client.stats().connections.load(), 1u);
  EXPECT_EQ(card.events(), std::vector<std::string>{"off"});
}

TEST(VpcdClient, StopsPromptlyWhileWaitingForVpcd) {
  std::uint16_t port;
  {
    FakeVpcd probe;
    port = probe.port();
  }
  RecordingCard card;
  VpcdOptions options = OptionsFor(port);
  options.retry_interval = 10s;
  ClientThread client(options, card);
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Stop());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(VpcdClient, UnresolvableHostIsAnInputError) {
  RecordingCard card;
  VpcdOptions options;
  options.address = {"no-such-host.invalid", 35963};
  auto stop = StopSignal::Create();
  ASSERT_TRUE(stop);
  VpcdClient client(options);
  const Status status = client.Run(card, **stop);
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().Is(TransportErrc::kBadAddress));
}

TEST(VpcdAddress, ParsesTheForms) {
  auto full = ParseVpcdAddress("127.0.0.1:40059");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->host, "127.0.0.1");
  EXPECT_EQ(full->port, 40059);
  auto host_only = ParseVpcdAddress("cardhost");
  ASSERT_TRUE(host_only);
  EXPECT_EQ(host_only->host, "cardhost");
  EXPECT_EQ(host_only->port, 35963);
  auto port_only = ParseVpcdAddress(":35964");
  ASSERT_TRUE(port_only);
  EXPECT_EQ(port_only->host, "localhost");
  EXPECT_EQ(port_only->port, 35964);
  auto v6 = ParseVpcdAddress("[::1]:35963");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:35963");
  for (const char* bad : {"host:", "host:0", "host:65536", "host:12x",
                          "::1:35963", "[::1", "[::1]x"}) {
    auto parsed = ParseVpcdAddress(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_TRUE(parsed.error().Is(TransportErrc::kBadAddress)) << bad;
  }
}

}  // namespace
}  // namespace openmyna::card::transport
