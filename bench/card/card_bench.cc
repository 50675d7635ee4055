// openmyna_card_bench: measures APDU and signature rates for bench/card/run.sh.
//
//   inprocess --card trivial|kernel [--count N] [--apdu HEX]
//       N APDUs through the in-process transport
//   plug --card trivial|kernel [--vpcd HOST:PORT]
//       serves the card on vpcd until SIGTERM (the far side of `pcsc`)
//   pcsc [--count N] [--apdu HEX]
//       N APDUs to reader 0 through libpcsclite (pcscd + vpcd)
//   inprocess-sign --card kernel [--count N] [--pin PIN]
//       the same signatures through the in-process transport (the card's
//       own cost, without pcscd)
//   pcsc-sign [--count N] [--pin PIN]
//       N COMPUTE DIGITAL SIGNATURE (SHA-256 DigestInfo, auth key 0017,
//       card-apdu.md §3.4, §11.2) to reader 0 after one VERIFY
//
// Prints one line "<mode> <count> <seconds> <rate>/s" on stdout; exits 1 if
// any answer's status word is not 90 00 (the rate would be meaningless).
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/transport/in_process.h"
#include "openmyna/card/transport/stop_signal.h"
#include "openmyna/card/transport/trivial_card.h"
#include "openmyna/card/transport/vpcd_client.h"
#if OPENMYNA_BENCH_HAS_KERNEL
#include "openmyna/card/card.h"
#include "testing/test_card.h"
#endif

namespace {

using namespace openmyna;
using namespace openmyna::card::transport;
using Clock = std::chrono::steady_clock;

// SELECT the JPKI-AP by DF name (pcsc-testing.md §5.3 measured this one).
constexpr char kDefaultApdu[] = "00A4040C0AD392F000260100000001";

struct Args {
  std::string mode;
  std::string card = "trivial";
  std::string apdu = kDefaultApdu;
  std::string pin = "1234";
  std::string vpcd = "127.0.0.1:35963";
  long count = 2000;
};

bool Ok(ByteView response) {
  return response.size() >= 2 && response[response.size() - 2] == 0x90 &&
         response[response.size() - 1] == 0x00;
}

void Report(const Args& args, long count, Clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::printf("%s %ld %.6f %.1f/s\n", args.mode.c_str(), count, seconds,
              count / seconds);
}

std::unique_ptr<card::CardEndpoint> MakeCard(const std::string& name,
                                             Rng& rng) {
  if (name == "trivial") return std::make_unique<TrivialCard>();
#if OPENMYNA_BENCH_HAS_KERNEL
  if (name == "kernel") {
    return card::Card::FromImage(card::testing::PersonalizedImage(), rng);
  }
#else
  (void)rng;
#endif
  std::fprintf(stderr, "unknown or unavailable card '%s'\n", name.c_str());
  return nullptr;
}

int InProcess(const Args& args) {
  OpenSslRng rng;
  auto card = MakeCard(args.card, rng);
  if (!card) return 2;
  InProcessTransport transport(*card);
  const Bytes apdu = FromHex(args.apdu).value();
  // Warm up, and check that the APDU is answered 90 00.
  if (!Ok(transport.Transmit(apdu))) {
    std::fprintf(stderr, "the card does not answer 90 00 to %s\n",
                 args.apdu.c_str());
    return 1;
  }
  const auto start = Clock::now();
  for (long i = 0; i < args.count; ++i) {
    if (!Ok(transport.Transmit(apdu))) return 1;
  }
  Report(args, args.count, Clock::now() - start);
  return 0;
}

int Plug(const Args& args) {
  OpenSslRng rng;
  auto card = MakeCard(args.card, rng);
  if (!card) return 2;
  auto address = ParseVpcdAddress(args.vpcd);
  if (!address) return 2;
  VpcdOptions options;
  options.address = *address;
  auto stop = StopSignal::Create();
  if (!stop) return 3;
  StopOnSignals(**stop);
  VpcdClient client(options);
  const Status status = client.Run(*card, **stop);
  RestoreDefaultStopSignals();
  return status ? 0 : 3;
}

class PcscReader {
 public:
  ~PcscReader() {
    if (card_) SCardDisconnect(card_, SCARD_LEAVE_CARD);
    if (context_) SCardReleaseContext(context_);
  }
  bool Connect() {
    if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr,
                              &context_) != SCARD_S_SUCCESS) {
      return false;
    }
    DWORD size = 0;
    if (SCardListReaders(context_, nullptr, nullptr, &size) !=
        SCARD_S_SUCCESS) {
      return false;
    }
    std::vector<char> names(size);
    SCardListReaders(context_, nullptr, names.data(), &size);
    // Reader 0: the first name of the multi-string ("Virtual PCD 00 00").
    DWORD protocol = 0;
    return SCardConnect(context_, names.data(), SCARD_SHARE_SHARED,
                        SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &card_,
                        &protocol) == SCARD_S_SUCCESS &&
           (protocol_ = protocol, true);
  }
  Bytes Transmit(ByteView apdu) {
    std::uint8_t buffer[65538];
    DWORD length = sizeof buffer;
    const SCARD_IO_REQUEST* pci =
        protocol_ == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
    if (SCardTransmit(card_, pci, apdu.data(), apdu.size(), nullptr, buffer,
                      &length) != SCARD_S_SUCCESS) {
      return {};
    }
    return Bytes(buffer, buffer + length);
  }

 private:
  SCARDCONTEXT context_ = 0;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
};

int Pcsc(const Args& args) {
  PcscReader reader;
  if (!reader.Connect()) {
    std::fprintf(stderr, "cannot connect to reader 0\n");
    return 1;
  }
  const Bytes apdu = FromHex(args.apdu).value();
  if (!Ok(reader.Transmit(apdu))) {
    std::fprintf(stderr, "no 90 00 for %s\n", args.apdu.c_str());
    return 1;
  }
  const auto start = Clock::now();
  for (long i = 0; i < args.count; ++i) {
    if (!Ok(reader.Transmit(apdu))) return 1;
  }
  Report(args, args.count, Clock::now() - start);
  return 0;
}

template <typename TransmitFn>
int SignLoop(const Args& args, TransmitFn transmit);

int InProcessSign(const Args& args) {
  OpenSslRng rng;
  auto card = MakeCard(args.card, rng);
  if (!card) return 2;
  InProcessTransport transport(*card);
  return SignLoop(args,
                  [&](ByteView apdu) { return transport.Transmit(apdu); });
}

int PcscSign(const Args& args) {
  PcscReader reader;
  if (!reader.Connect()) return 1;
  return SignLoop(args, [&](ByteView apdu) { return reader.Transmit(apdu); });
}

template <typename TransmitFn>
int SignLoop(const Args& args, TransmitFn transmit) {
  // SELECT JPKI-AP, VERIFY the auth PIN (SFI form 98), SELECT key 0017.
  Bytes verify = FromHex("00200098").value();
  verify.push_back(static_cast<std::uint8_t>(args.pin.size()));
  Append(verify, ToBytes(args.pin));
  for (const Bytes& apdu : {FromHex("00A4040C0AD392F000260100000001").value(),
                            verify, FromHex("00A4020C020017").value()}) {
    if (!Ok(transmit(apdu))) {
      std::fprintf(stderr, "setup APDU failed: %s\n", ToHex(apdu).c_str());
      return 1;
    }
  }
  // 80 2A 00 80 33 <SHA-256 DigestInfo> 00 (card-apdu.md §3.4, §11.2).
  Bytes sign = FromHex(
                   "802A008033"
                   "3031300D060960864801650304020105000420")
                   .value();
  for (int i = 0; i < 32; ++i) sign.push_back(static_cast<std::uint8_t>(i));
  sign.push_back(0x00);
  const auto start = Clock::now();
  for (long i = 0; i < args.count; ++i) {
    sign[sign.size() - 2] = static_cast<std::uint8_t>(i);  // vary the digest
    const Bytes response = transmit(sign);
    if (!Ok(response) || response.size() != 258) {
      std::fprintf(stderr, "signature %ld failed (%s)\n", i,
                   ToHex(ByteView(response).last(
                             std::min<std::size_t>(2, response.size())))
                       .c_str());
      return 1;
    }
  }
  Report(args, args.count, Clock::now() - start);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: see the comment at the top of card_bench.cc\n");
    return 2;
  }
  args.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--count") {
      args.count = std::stol(value);
    } else if (key == "--card") {
      args.card = value;
    } else if (key == "--apdu") {
      args.apdu = value;
    } else if (key == "--pin") {
      args.pin = value;
    } else if (key == "--vpcd") {
      args.vpcd = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (args.mode == "inprocess") return InProcess(args);
  if (args.mode == "plug") return Plug(args);
  if (args.mode == "pcsc") return Pcsc(args);
  if (args.mode == "pcsc-sign") return PcscSign(args);
  if (args.mode == "inprocess-sign") return InProcessSign(args);
  std::fprintf(stderr, "unknown mode %s\n", args.mode.c_str());
  return 2;
}
