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
// A session's SERVER TIME is the sum over its four requests (Begin,
// Authenticate, Request, Finish) of the time from the centre receiving the
// request to its answer: what a server would log from request read to
// response written (this in-process transport adds nothing). It includes
// every wait inside the server (the issuer's thread, the registry's group
// commit and fsync, the CPU queue); it leaves out the kiosk's and the
// card's own work between the requests (reading the card, its RSA
// signature, the kiosk's check of the signed document: another machine in
// reality). Those still run on this machine's cores here, so the server
// time is measured with that competition in it; the kiosk side's CPU per
// session is printed (each kiosk thread's CPU clock outside the requests).
// The session's whole wall time is printed beside it.
//
// Three loads, each printing documents per second, server time and session
// time p50/p99, CPU per session (all threads, getrusage) and the kiosk
// side's part of it:
//   - one session at a time (50);
//   - CLOSED LOOP (default 50 kiosks): each kiosk runs sessions back to
//     back, the kiosks starting a little apart (as kiosks overlap, not
//     start in the same millisecond); the sessions begun while kiosks were
//     still starting are not counted, SESSIONS are, and the kiosks keep
//     running until the counted ones end, so each counted session ran
//     beside CONCURRENT kiosks. The issue's goal ("p99 of a kiosk session's
//     server time under 200 ms at 50 concurrent sessions") is judged on
//     this one: 50 sessions in progress at every instant;
//   - BURST: waves of CONCURRENT sessions started in the same instant (a
//     barrier), SESSIONS in all: the worst case (every kiosk of a region
//     retrying at once), printed for comparison.
// Baseline in the same run: the same document's PDF rendered alone. Never
// fails on a time.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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

// CPU milliseconds of the calling thread.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 +
         static_cast<double>(t.tv_nsec) / 1e6;
}

// CPU milliseconds of the whole process (user + system, every thread).
double ProcessCpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 +
           static_cast<double>(t.tv_usec) / 1e3;
  };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

struct Sample {
  double server_ms = 0;     // the four requests, received to answered
  double session_ms = 0;    // the whole session, wall clock
  double kiosk_cpu_ms = 0;  // the kiosk thread's CPU outside the requests
};

// The centre, timing each request of the calling thread's session.
class TimedCentre final : public CentrePort {
 public:
  explicit TimedCentre(CentrePort& inner) : inner_(inner) {}
  template <typename F>
  auto Timed(F f) {
    const double cpu = ThreadCpuMs();
    const auto start = Steady::now();
    auto out = f();
    server_ms += Ms(Steady::now() - start);
    server_thread_cpu_ms += ThreadCpuMs() - cpu;
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
  Status Finish(std::string_view id) override {
    return Timed([&] { return inner_.Finish(id); });
  }
  double server_ms = 0;
  double server_thread_cpu_ms = 0;

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

  // One session of holder `holder` (0: the whole household's 住民票, else
  // the 印鑑登録証明書); nullopt when it failed.
  std::optional<Sample> Session(CentrePort& centre, int holder) {
    TimedCentre timed(centre);
    KioskChoice choice =
        Choice("20218", holder == 0 ? domain::KonbiniCertificate::kJuminhyo
                                    : domain::KonbiniCertificate::kInkan);
    choice.request.juminhyo.whole_household = holder == 0;
    const double cpu = ThreadCpuMs();
    const auto start = Steady::now();
    auto printed = Run(timed, holder, choice);
    const double session_ms = Ms(Steady::now() - start);
    const double thread_cpu_ms = ThreadCpuMs() - cpu;
    if (!printed) {
      std::fprintf(stderr, "session failed: %s\n",
                   printed.error().ToString().c_str());
      return std::nullopt;
    }
    std::lock_guard lock(last_mutex_);
    last_ = std::move(*printed);
    return Sample{timed.server_ms, session_ms,
                  thread_cpu_ms - timed.server_thread_cpu_ms};
  }

  Printout last_;

 private:
  std::mutex last_mutex_;
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto at =
      static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[at];
}

// What one load measured.
struct Load {
  std::vector<Sample> counted;
  double seconds = 0;    // from the first counted session's start to the
                         // last one's end
  double cpu_ms = 0;     // process CPU over the whole load
  int sessions_run = 0;  // counted or not
  int failed = 0;
  double wall_s = 0;  // the whole load, wall clock
};

void Print(const char* name, const Load& load, double baseline_rate) {
  if (load.counted.empty()) {
    std::printf("%s: no session succeeded\n", name);
    return;
  }
  std::vector<double> server, session;
  double kiosk_cpu = 0;
  for (const Sample& s : load.counted) {
    server.push_back(s.server_ms);
    session.push_back(s.session_ms);
    kiosk_cpu += s.kiosk_cpu_ms;
  }
  const double n = static_cast<double>(load.counted.size());
  const double rate = n / load.seconds;
  const double cpu_per_session = load.cpu_ms / load.sessions_run;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf(
      "%s: %.1f docs/s (ratio to the baseline %.2f; %zu counted, %d failed)\n",
      name, rate, rate / baseline_rate, load.counted.size(), load.failed);
  std::printf(
      "  server time  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n"
      "  session time p50 %7.1f ms  p99 %7.1f ms  (wall, kiosk and card "
      "included)\n",
      Percentile(server, 0.5), Percentile(server, 0.99),
      Percentile(server, 1.0), Percentile(session, 0.5),
      Percentile(session, 0.99));
  std::printf(
      "  CPU per session %.2f ms (kiosk and card side %.2f ms of it); "
      "cores busy %.2f of %u\n",
      cpu_per_session, kiosk_cpu / n, load.cpu_ms / 1e3 / load.wall_s, cores);
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
  if (!bench.Session(*centre, 0)) return 1;  // warm: fonts, keys

  // Baseline: the same document's PDF rendered alone.
  const Printout sample = bench.last_;
  const PdfContent content{&sample.document, sample.page_codes, sample.jws, ""};
  auto start = Steady::now();
  const int renders = std::min(sessions, 50);
  for (int i = 0; i < renders; ++i) {
    if (!RenderDocumentPdf(content)) return 1;
  }
  const double render_rate =
      renders / std::chrono::duration<double>(Steady::now() - start).count();
  std::printf("baseline: the document's PDF rendered alone: %.1f docs/s\n",
              render_rate);

  // One session at a time.
  {
    Load load;
    const double cpu = ProcessCpuMs();
    start = Steady::now();
    for (int i = 0; i < std::min(sessions, 50); ++i) {
      auto s = bench.Session(*centre, holders[i % 2]);
      if (!s) return 1;
      load.counted.push_back(*s);
    }
    load.wall_s = load.seconds =
        std::chrono::duration<double>(Steady::now() - start).count();
    load.cpu_ms = ProcessCpuMs() - cpu;
    load.sessions_run = static_cast<int>(load.counted.size());
    Print("one session at a time", load, render_rate);
  }

  int failed = 0;
  // Closed loop: CONCURRENT kiosks, sessions back to back.
  {
    Load load;
    std::mutex mutex;
    std::atomic<int> started_kiosks{0};
    std::atomic<int> tickets{0};  // counted sessions handed out
    std::atomic<int> done{0};     // counted sessions ended
    std::atomic<int> run{0};
    std::atomic<int> bad{0};
    Steady::time_point first{Steady::time_point::max()}, last{};
    // The kiosks start 2 ms apart (50 over 0.1 s), not in one instant.
    const auto gap = std::chrono::milliseconds(2);
    const double cpu = ProcessCpuMs();
    const auto begin = Steady::now();
    std::vector<std::thread> kiosks;
    for (int k = 0; k < concurrent; ++k) {
      kiosks.emplace_back([&, k] {
        std::this_thread::sleep_until(begin + k * gap);
        started_kiosks.fetch_add(1);
        while (done.load() < sessions) {
          // Counted once every kiosk is running, SESSIONS of them.
          const bool counted = started_kiosks.load() == concurrent &&
                               tickets.fetch_add(1) < sessions;
          const auto at = Steady::now();
          auto s = bench.Session(*centre, holders[k % 2]);
          ++run;
          if (!s) ++bad;
          if (!counted) continue;
          std::lock_guard lock(mutex);
          if (s) load.counted.push_back(*s);
          first = std::min(first, at);
          last = std::max(last, Steady::now());
          ++done;
        }
      });
    }
    for (auto& k : kiosks) k.join();
    load.wall_s = std::chrono::duration<double>(Steady::now() - begin).count();
    load.seconds = std::chrono::duration<double>(last - first).count();
    load.cpu_ms = ProcessCpuMs() - cpu;
    load.sessions_run = run.load();
    load.failed = bad.load();
    failed += load.failed;
    char name[96];
    std::snprintf(name, sizeof name,
                  "closed loop, %d kiosks back to back (the goal's load)",
                  concurrent);
    Print(name, load, render_rate);
  }

  // Bursts: waves of CONCURRENT sessions begun in the same instant.
  {
    Load load;
    std::mutex mutex;
    std::atomic<int> bad{0};
    const int waves = (sessions + concurrent - 1) / concurrent;
    std::barrier sync(concurrent);
    const double cpu = ProcessCpuMs();
    const auto begin = Steady::now();
    std::vector<std::thread> kiosks;
    for (int k = 0; k < concurrent; ++k) {
      kiosks.emplace_back([&, k] {
        for (int w = 0; w < waves; ++w) {
          sync.arrive_and_wait();
          auto s = bench.Session(*centre, holders[k % 2]);
          std::lock_guard lock(mutex);
          if (s) {
            load.counted.push_back(*s);
          } else {
            ++bad;
          }
        }
      });
    }
    for (auto& k : kiosks) k.join();
    load.wall_s = load.seconds =
        std::chrono::duration<double>(Steady::now() - begin).count();
    load.cpu_ms = ProcessCpuMs() - cpu;
    load.sessions_run = waves * concurrent;
    load.failed = bad.load();
    failed += load.failed;
    char name[96];
    std::snprintf(name, sizeof name,
                  "bursts, %d waves of %d sessions begun together", waves,
                  concurrent);
    Print(name, load, render_rate);
  }
  std::printf("goal: closed loop server time p99 < 200 ms at 50 kiosks\n");
  return failed == 0 ? 0 : 1;
}
