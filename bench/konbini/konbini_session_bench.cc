// openmyna_konbini_session_bench [SESSIONS] [CONCURRENT]
//
// Kiosk sessions end to end in process (issue 11 "bench"): the registry
// with the sample data (SQLite in a temp folder), cards whose certificates
// come from the sandbox CA, the card's signature made in process
// (SoftwareCard), the centre checking chain and signature and mapping the
// certificate, the municipal issuer reading the registry, rendering and
// signing the PDF and writing its ledger row, the kiosk checking the
// signed document before it "prints".
//
// Prints documents per second one session at a time and with CONCURRENT
// sessions at once (default 50), the p50/p99 of a session's server time
// (the time spent in the centre's Begin + Authenticate + Request: what the
// goal "p99 under 200 ms at 50 concurrent sessions" is about), and, as the
// baseline in the same run, the same documents' PDF rendered alone: the
// ratio says what the rest of the session costs beside the renderer. Never
// fails on a time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "openmyna/services/konbini/document_keys.h"
#include "openmyna/services/konbini/pdf.h"
#include "testing/konbini_sandbox.h"

namespace openmyna::konbini {
namespace {

using Steady = std::chrono::steady_clock;

double Ms(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The centre with the time each session spends in it, per thread.
class TimedCentre final : public CentrePort {
 public:
  explicit TimedCentre(CentrePort& inner) : inner_(inner) {}
  template <typename F>
  auto Timed(F f) {
    const auto start = Steady::now();
    auto out = f();
    spent_ms += Ms(Steady::now() - start);
    return out;
  }
  Result<SessionStart> Begin() override {
    return Timed([&] { return inner_.Begin(); });
  }
  Result<Authenticated> Authenticate(std::string_view id, ByteView der,
                                     ByteView signature) override {
    return Timed([&] { return inner_.Authenticate(id, der, signature); });
  }
  Result<SignedDocument> Request(std::string_view id, const std::string& code,
                                 const IssueRequest& choice) override {
    return Timed([&] { return inner_.Request(id, code, choice); });
  }
  Status Finish(std::string_view id) override { return inner_.Finish(id); }
  static inline thread_local double spent_ms = 0;

 private:
  CentrePort& inner_;
};

class Bench : public testing::KonbiniSandbox {
 public:
  void Prepare() {
    const Status opened = Open();
    if (!opened) {
      std::fprintf(stderr, "sandbox: %s\n", opened.error().ToString().c_str());
      std::exit(1);
    }
  }

  std::unique_ptr<Centre> PdfCentre() {
    auto cert = LoadOrCreateDocumentCertificate(dir_, "20218",
                                                *signers_["20218"], clock_);
    if (!cert) std::abort();
    IssuerPolicy policy;
    policy.pdf_certificate = std::shared_ptr<X509>(cert->release(), X509_free);
    return MakeCentre(3, {}, 0, policy);
  }

  // One session of holder `holder`: the server time, or < 0 when it failed.
  double Session(CentrePort& centre, int holder) {
    TimedCentre timed(centre);
    KioskChoice choice =
        Choice("20218", holder == 0 ? domain::KonbiniCertificate::kJuminhyo
                                    : domain::KonbiniCertificate::kInkan);
    choice.request.juminhyo.whole_household = holder == 0;
    TimedCentre::spent_ms = 0;
    auto printed = Run(timed, holder, choice);
    if (!printed) {
      std::fprintf(stderr, "session failed: %s\n",
                   printed.error().ToString().c_str());
      return -1;
    }
    last_ = std::move(*printed);
    return TimedCentre::spent_ms;
  }

  Printout last_;
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto at =
      static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[at];
}

}  // namespace
}  // namespace openmyna::konbini

int main(int argc, char** argv) {
  using namespace openmyna::konbini;
  const int sessions = argc > 1 ? std::atoi(argv[1]) : 200;
  const int concurrent = argc > 2 ? std::atoi(argv[2]) : 50;
  if (sessions <= 0 || concurrent <= 0) {
    std::fprintf(stderr, "usage: %s [SESSIONS > 0] [CONCURRENT > 0]\n",
                 argv[0]);
    return 2;
  }
  Bench bench;
  bench.Prepare();
  auto centre = bench.PdfCentre();
  const int holders[] = {0, 3};
  if (bench.Session(*centre, 0) < 0) return 1;  // warm: fonts, keys

  // Baseline: the same document's PDF rendered alone.
  const Printout& sample = bench.last_;
  const PdfContent content{&sample.document, sample.page_codes, sample.jws, ""};
  auto start = Steady::now();
  const int renders = std::min(sessions, 50);
  for (int i = 0; i < renders; ++i) {
    if (!RenderDocumentPdf(content)) return 1;
  }
  const double render_s =
      std::chrono::duration<double>(Steady::now() - start).count();

  // One session at a time.
  start = Steady::now();
  const int serial = std::min(sessions, 50);
  for (int i = 0; i < serial; ++i) {
    if (bench.Session(*centre, holders[i % 2]) < 0) return 1;
  }
  const double serial_s =
      std::chrono::duration<double>(Steady::now() - start).count();

  // CONCURRENT sessions at once, SESSIONS in all.
  std::vector<double> server_ms;
  std::mutex mutex;
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  start = Steady::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrent; ++t) {
    threads.emplace_back([&, t] {
      while (next.fetch_add(1) < sessions) {
        const double ms = bench.Session(*centre, holders[t % 2]);
        if (ms < 0) {
          ++failed;
          continue;
        }
        std::lock_guard lock(mutex);
        server_ms.push_back(ms);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double parallel_s =
      std::chrono::duration<double>(Steady::now() - start).count();
  if (server_ms.empty()) return 1;

  const double render_rate = renders / render_s;
  const double serial_rate = serial / serial_s;
  const double parallel_rate =
      static_cast<double>(server_ms.size()) / parallel_s;
  std::printf("baseline: the document's PDF rendered alone: %8.1f docs/s\n",
              render_rate);
  std::printf(
      "end to end, one session at a time:           %8.1f docs/s "
      "(ratio to the baseline %.2f)\n",
      serial_rate, serial_rate / render_rate);
  std::printf(
      "end to end, %d concurrent sessions:          %8.1f docs/s "
      "(ratio to the baseline %.2f; %zu printed, %d failed)\n",
      concurrent, parallel_rate, parallel_rate / render_rate, server_ms.size(),
      failed.load());
  std::printf(
      "server time of a session at %d concurrent: p50 %.1f ms, "
      "p99 %.1f ms (goal p99 < 200 ms)\n",
      concurrent, Percentile(server_ms, 0.5), Percentile(server_ms, 0.99));
  return failed.load() == 0 ? 0 : 1;
}
