// openmyna_card_bench: measures APDU and signature rates for bench/card/run.sh.
//
//   inprocess-rounds [--rounds R] [--count N] [--apdu HEX]
//       the kernel card and the trivial card through the in-process
//       transport, interleaved A B B A A B … (R rounds of N APDUs each)
//   plug --card trivial|kernel [--vpcd HOST:PORT]
//       serves the card on vpcd until SIGTERM, exactly as `openmyna card
//       plug` does (VpcdClient over a RealismEndpoint with no knob set; the
//       kernel card is opened from a sealed image file). On exit prints the
//       time spent inside the card per instruction (see TimedCard).
//   pcsc-rounds --labels X,Y [--rounds R] [--count N] [--apdu HEX]
//       card X is in reader 0, card Y in reader 1 ("trivial,kernel" or
//       "kernel,trivial"); N APDUs to the trivial card then to the kernel
//       card, alternating A B B A … for R rounds, through libpcsclite
//       (pcscd + vpcd); ratios are kernel/trivial
//   inprocess-sign [--count N] [--pin PIN]
//       N signatures through the in-process transport
//   pcsc-sign [--count N] [--pin PIN] [--reader I]
//       N COMPUTE DIGITAL SIGNATURE (SHA-256 DigestInfo, auth key 0017,
//       card-apdu.md §3.4, §11.2) to reader I after one VERIFY
//
// Every answer must be 90 00 (a rate of errors would mean nothing): exit 1
// otherwise. Rates are wall clock (steady_clock).
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/transport/in_process.h"
#include "openmyna/card/transport/realism.h"
#include "openmyna/card/transport/stop_signal.h"
#include "openmyna/card/transport/trivial_card.h"
#include "openmyna/card/transport/vpcd_client.h"
#if OPENMYNA_BENCH_HAS_KERNEL
#include "openmyna/card/card.h"
#include "openmyna/card/image.h"
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
  std::string labels = "trivial,kernel";
  long count = 2000;
  long rounds = 10;
  int reader = 0;
};

bool Ok(ByteView response) {
  return response.size() >= 2 && response[response.size() - 2] == 0x90 &&
         response[response.size() - 1] == 0x00;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// q in [0, 1], nearest rank.
double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i =
      static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Card-side timing: wraps the card and measures each Transmit() with the
// monotonic clock, from the command handed to the card to the response
// ready (nothing of the socket, pcscd or the client is inside).
class TimedCard final : public card::CardEndpoint {
 public:
  explicit TimedCard(card::CardEndpoint& inner) : inner_(inner) {}
  Bytes Atr() const override { return inner_.Atr(); }
  void PowerOn() override { inner_.PowerOn(); }
  void PowerOff() override { inner_.PowerOff(); }
  void Reset() override { inner_.Reset(); }
  Bytes Transmit(ByteView command) override {
    const double cpu_start = ThreadCpuMicros();
    const auto start = Clock::now();
    Bytes response = inner_.Transmit(command);
    const auto end = Clock::now();
    const double cpu_end = ThreadCpuMicros();
    if (command.size() >= 2) {
      per_ins_[command[1]].push_back(
          std::chrono::duration<double, std::micro>(end - start).count());
      cpu_per_ins_[command[1]] += cpu_end - cpu_start;
    }
    return response;
  }
  // One line per instruction seen: "card-side INS=2A n=… mean_us=…
  // median_us=… p10_us=… p90_us=… min_us=… cpu_mean_us=…" (wall-clock
  // mean = total / n, the measure `openssl speed -elapsed` reports as a
  // rate; cpu_mean_us the same in thread CPU time).
  void Print() const {
    for (std::size_t ins = 0; ins < per_ins_.size(); ++ins) {
      const auto& v = per_ins_[ins];
      if (v.empty()) continue;
      double sum = 0;
      for (double x : v) sum += x;
      std::printf(
          "card-side INS=%02zX n=%zu mean_us=%.2f median_us=%.2f p10_us=%.2f "
          "p90_us=%.2f min_us=%.2f cpu_mean_us=%.2f\n",
          ins, v.size(), sum / static_cast<double>(v.size()), Median(v),
          Quantile(v, 0.1), Quantile(v, 0.9),
          *std::min_element(v.begin(), v.end()),
          cpu_per_ins_[ins] / static_cast<double>(v.size()));
    }
    // The whole card process since the card was ready (vpcd client + card,
    // user + system time, ATR polls included): what it costs the machine
    // per APDU, robust to other load.
    std::size_t n = 0;
    for (const auto& v : per_ins_) n += v.size();
    const double cpu_us = ProcessCpuMicros() - process_cpu_at_start_;
    if (n > 0) {
      std::printf("card-process cpu_us_per_apdu=%.2f apdus=%zu\n",
                  cpu_us / static_cast<double>(n), n);
    }
    std::fflush(stdout);
  }

 private:
  static double ProcessCpuMicros() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) *
               1e6 +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  }
  // CPU time of this thread (CLOCK_THREAD_CPUTIME_ID): what the card itself
  // consumed, whatever else the machine runs (compare `openssl speed`
  // without -elapsed, which divides by its CPU time).
  static double ThreadCpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 +
           static_cast<double>(ts.tv_nsec) / 1e3;
  }

  card::CardEndpoint& inner_;
  std::array<std::vector<double>, 256> per_ins_;
  std::array<double, 256> cpu_per_ins_{};
  // Set once the card is ready, so the figure excludes the set-up (key
  // generation of the test image, sealing).
  double process_cpu_at_start_ = ProcessCpuMicros();
};

// The card under test. The kernel card is opened from a sealed image file
// in a private temp folder, as `openmyna card plug` opens its image (so
// any image write on the measured path would be paid here too).
struct BenchCard {
  std::unique_ptr<card::CardEndpoint> card;
  std::filesystem::path folder;
  ~BenchCard() {
    std::error_code ec;
    if (!folder.empty()) std::filesystem::remove_all(folder, ec);
  }
};

bool MakeCard(const std::string& name, Rng& rng, BenchCard& out) {
  if (name == "trivial") {
    out.card = std::make_unique<TrivialCard>();
    return true;
  }
#if OPENMYNA_BENCH_HAS_KERNEL
  if (name == "kernel") {
    out.folder = std::filesystem::temp_directory_path() /
                 ("openmyna-card-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(out.folder);
    const auto path = out.folder / "bench.card";
    auto key = card::StorageKey::FromBytes(rng.Bytes(32));
    if (!key ||
        !card::SaveImage(path, card::testing::PersonalizedImage(), *key, rng)) {
      std::fprintf(stderr, "cannot write the bench card image\n");
      return false;
    }
    auto chip = card::Card::Open(path, *key, rng);
    if (!chip) {
      std::fprintf(stderr, "%s\n", chip.error().message().c_str());
      return false;
    }
    out.card = std::move(*chip);
    return true;
  }
#else
  (void)rng;
#endif
  std::fprintf(stderr, "unknown or unavailable card '%s'\n", name.c_str());
  return false;
}

// Runs `rounds` rounds alternating A and B in the order A B B A A B B A …
// (each adjacent pair shares its moment of machine load), prints one line
// per round and the summary lines run.sh reads.
template <typename RunA, typename RunB>
int Rounds(const char* where, const std::string& label_a,
           const std::string& label_b, long rounds, long count, RunA run_a,
           RunB run_b) {
  std::vector<double> rate_a, rate_b, ratio;
  for (long r = 0; r < rounds; ++r) {
    double a = 0, b = 0;
    if (r % 2 == 0) {
      a = run_a();
      b = run_b();
    } else {
      b = run_b();
      a = run_a();
    }
    if (a <= 0 || b <= 0) return 1;
    rate_a.push_back(a);
    rate_b.push_back(b);
    ratio.push_back(b / a);
    std::printf("%s round %ld: %s %.0f APDU/s, %s %.0f APDU/s, %s/%s %.3f\n",
                where, r + 1, label_a.c_str(), a, label_b.c_str(), b,
                label_b.c_str(), label_a.c_str(), b / a);
    std::fflush(stdout);
  }
  std::printf("%s median %s %.0f APDU/s, median %s %.0f APDU/s\n", where,
              label_a.c_str(), Median(rate_a), label_b.c_str(), Median(rate_b));
  std::printf("%s best %s %.0f APDU/s, best %s %.0f APDU/s\n", where,
              label_a.c_str(), *std::max_element(rate_a.begin(), rate_a.end()),
              label_b.c_str(), *std::max_element(rate_b.begin(), rate_b.end()));
  std::printf(
      "%s ratio %s/%s per round: median %.3f, p10 %.3f, p90 %.3f, min %.3f, "
      "max %.3f (%zu rounds of %ld APDUs)\n",
      where, label_b.c_str(), label_a.c_str(), Median(ratio),
      Quantile(ratio, 0.1), Quantile(ratio, 0.9),
      *std::min_element(ratio.begin(), ratio.end()),
      *std::max_element(ratio.begin(), ratio.end()), ratio.size(), count);
  return 0;
}

// N transmissions of `apdu`; the rate, or 0 when an answer is not 90 00.
template <typename TransmitFn>
double TimedLoop(long count, const Bytes& apdu, TransmitFn transmit) {
  const auto start = Clock::now();
  for (long i = 0; i < count; ++i) {
    if (!Ok(transmit(apdu))) {
      std::fprintf(stderr, "no 90 00 for %s\n", ToHex(apdu).c_str());
      return 0;
    }
  }
  return static_cast<double>(count) / Seconds(Clock::now() - start);
}

int InProcessRounds(const Args& args) {
  OpenSslRng rng;
  BenchCard trivial, kernel;
  if (!MakeCard("trivial", rng, trivial) || !MakeCard("kernel", rng, kernel)) {
    return 2;
  }
  InProcessTransport a(*trivial.card), b(*kernel.card);
  const Bytes apdu = FromHex(args.apdu).value();
  return Rounds(
      "inprocess", "trivial", "kernel", args.rounds, args.count,
      [&] {
        return TimedLoop(args.count, apdu,
                         [&](ByteView x) { return a.Transmit(x); });
      },
      [&] {
        return TimedLoop(args.count, apdu,
                         [&](ByteView x) { return b.Transmit(x); });
      });
}

int Plug(const Args& args) {
  OpenSslRng rng;
  BenchCard bench_card;
  if (!MakeCard(args.card, rng, bench_card)) return 2;
  auto address = ParseVpcdAddress(args.vpcd);
  if (!address) return 2;
  TimedCard timed(*bench_card.card);
  RealismEndpoint endpoint(timed, RealismOptions{});  // as `card plug`
  VpcdOptions options;
  options.address = *address;
  auto stop = StopSignal::Create();
  if (!stop) return 3;
  StopOnSignals(**stop);
  VpcdClient client(options);
  const Status status = client.Run(endpoint, **stop);
  RestoreDefaultStopSignals();
  timed.Print();
  return status ? 0 : 3;
}

class PcscReader {
 public:
  ~PcscReader() {
    if (card_) SCardDisconnect(card_, SCARD_LEAVE_CARD);
    if (context_) SCardReleaseContext(context_);
  }
  // Connects to the index-th reader of SCardListReaders ("Virtual PCD 00
  // 00" is 0, "Virtual PCD 00 01" is 1).
  bool Connect(int index) {
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
    const char* name = names.data();
    for (int i = 0; i < index && *name != '\0'; ++i) {
      name += std::strlen(name) + 1;
    }
    if (*name == '\0') return false;
    DWORD protocol = 0;
    if (SCardConnect(context_, name, SCARD_SHARE_SHARED,
                     SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &card_,
                     &protocol) != SCARD_S_SUCCESS) {
      return false;
    }
    protocol_ = protocol;
    return true;
  }
  Bytes Transmit(ByteView apdu) {
    DWORD length = buffer_.size();
    const SCARD_IO_REQUEST* pci =
        protocol_ == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
    if (SCardTransmit(card_, pci, apdu.data(), apdu.size(), nullptr,
                      buffer_.data(), &length) != SCARD_S_SUCCESS) {
      return {};
    }
    return Bytes(buffer_.begin(), buffer_.begin() + length);
  }

 private:
  SCARDCONTEXT context_ = 0;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
  std::array<std::uint8_t, 65538> buffer_{};
};

int PcscRounds(const Args& args) {
  const auto comma = args.labels.find(',');
  if (comma == std::string::npos) return 2;
  const std::string label_a = args.labels.substr(0, comma);
  const std::string label_b = args.labels.substr(comma + 1);
  PcscReader reader0, reader1;
  if (!reader0.Connect(0) || !reader1.Connect(1)) {
    std::fprintf(stderr, "cannot connect to readers 0 and 1\n");
    return 1;
  }
  // A is the trivial card, B the kernel card, whichever reader they are in.
  const bool swap = label_a == "kernel";
  PcscReader& a = swap ? reader1 : reader0;
  PcscReader& b = swap ? reader0 : reader1;
  const Bytes apdu = FromHex(args.apdu).value();
  // Warm up both (first APDU after connect).
  if (!Ok(a.Transmit(apdu)) || !Ok(b.Transmit(apdu))) {
    std::fprintf(stderr, "no 90 00 for %s\n", args.apdu.c_str());
    return 1;
  }
  return Rounds(
      "pcsc", swap ? label_b : label_a, swap ? label_a : label_b, args.rounds,
      args.count,
      [&] {
        return TimedLoop(args.count, apdu,
                         [&](ByteView x) { return a.Transmit(x); });
      },
      [&] {
        return TimedLoop(args.count, apdu,
                         [&](ByteView x) { return b.Transmit(x); });
      });
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
  const double seconds = Seconds(Clock::now() - start);
  std::printf("%s %ld %.6f %.1f/s\n", args.mode.c_str(), args.count, seconds,
              static_cast<double>(args.count) / seconds);
  return 0;
}

int InProcessSign(const Args& args) {
  OpenSslRng rng;
  BenchCard bench_card;
  if (!MakeCard("kernel", rng, bench_card)) return 2;
  InProcessTransport transport(*bench_card.card);
  return SignLoop(args,
                  [&](ByteView apdu) { return transport.Transmit(apdu); });
}

int PcscSign(const Args& args) {
  PcscReader reader;
  if (!reader.Connect(args.reader)) return 1;
  return SignLoop(args, [&](ByteView apdu) { return reader.Transmit(apdu); });
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
    } else if (key == "--rounds") {
      args.rounds = std::stol(value);
    } else if (key == "--card") {
      args.card = value;
    } else if (key == "--apdu") {
      args.apdu = value;
    } else if (key == "--pin") {
      args.pin = value;
    } else if (key == "--vpcd") {
      args.vpcd = value;
    } else if (key == "--labels") {
      args.labels = value;
    } else if (key == "--reader") {
      args.reader = std::stoi(value);
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (args.count <= 0 || args.rounds <= 0) return 2;
  if (args.mode == "inprocess-rounds") return InProcessRounds(args);
  if (args.mode == "plug") return Plug(args);
  if (args.mode == "pcsc-rounds") return PcscRounds(args);
  if (args.mode == "pcsc-sign") return PcscSign(args);
  if (args.mode == "inprocess-sign") return InProcessSign(args);
  std::fprintf(stderr, "unknown mode %s\n", args.mode.c_str());
  return 2;
}
