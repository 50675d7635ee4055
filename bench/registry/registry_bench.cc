// Registry benchmarks (issue 5): lifecycle operations per second and p99,
// bulk load with a progress bar (extrapolated to 10M against the goal of
// 10 minutes), look-ups by number and by id at that size.
// Every figure is printed beside a baseline measured in the same run on the
// same database: raw single-table SQL doing the same I/O without the
// registry (model, JSON documents, indexes, audit), so that the ratio shows
// what the registry costs.
//
// With --concurrent T (issue 13 item 1): T threads at once, each a loop of a
// change (RegisterResident) and an audited read (FindResident by number,
// which writes its audit entry): operations/s, p99 and the ratio to the
// raw single durable commit measured just before (goal >= 6x, which only
// group commit reaches: one fsync per group).
//
//   registry_bench TARGET [--residents N] [--lifecycle N] [--concurrent T]
//                         [--concurrent-seconds S]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../src/registry/testing_ports.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/service.h"

using namespace openmyna;
using namespace openmyna::registry;
using Seconds = std::chrono::duration<double>;

namespace {

std::string NumberFor(std::uint64_t i) {
  char base[16];
  std::snprintf(base, sizeof base, "%011llu",
                static_cast<unsigned long long>(i));
  return std::string(base) +
         std::to_string(domain::IndividualNumberCheckDigit(base));
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

void Progress(std::uint64_t done, std::uint64_t total, double elapsed) {
  const int width = 40;
  const int filled =
      static_cast<int>(width * done / std::max<std::uint64_t>(total, 1));
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  std::fprintf(stderr, "\r  [%.*s%*s] %llu/%llu %.0f/s ETA %.0f s ", filled,
               "########################################", width - filled, "",
               static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total), rate,
               rate > 0 ? (total - done) / rate : 0.0);
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  // TARGET first; an option there ("--help") is not a database to create.
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr,
                 "usage: %s TARGET [--residents N] [--lifecycle N] "
                 "[--concurrent T] [--concurrent-seconds S]\n"
                 "  TARGET: a SQLite file (created) or a PostgreSQL URL\n",
                 argv[0]);
    return 2;
  }
  const std::string target = argv[1];
  std::uint64_t residents = 1'000'000;
  int lifecycle = 200;
  int concurrent = 0;
  double concurrent_seconds = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--residents"))
      residents = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--lifecycle"))
      lifecycle = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--concurrent"))
      concurrent = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--concurrent-seconds"))
      concurrent_seconds = std::stod(argv[i + 1]);
  }
  SystemClock clock;
  DeterministicRng rng(2026);
  auto store = RegistryStore::Open(target, clock);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  const char* backend =
      (*store)->dialect() == Dialect::kSqlite ? "sqlite" : "postgres";
  testing::RecordingCa ca;
  testing::RecordingCard card;
  RegistryService service(**store, clock, rng, ca, card);
  const Actor clerk{"bench", Role::kCounterClerk, "benchmark"};
  const Actor hotline{"bench", Role::kHotlineOperator, "benchmark"};
  if (!service.PutMunicipality(
          clerk, {"20218", "千曲市", "長野県", "Chikuma-shi", "Nagano-ken",
                  1000, 800})) {
    return 1;
  }

  // 1. Lifecycle: register, apply, produce, deliver, suspend, lift, each one
  // transaction; baseline: one raw INSERT transaction per operation.
  std::vector<double> latencies;
  const auto life_start = std::chrono::steady_clock::now();
  for (int i = 0; i < lifecycle; ++i) {
    Resident r;
    r.individual_number = NumberFor(50'000'000'000ULL + i);
    r.name = "性能 試験";
    r.date_of_birth = "1985-06-15";
    r.address = "長野県千曲市杭瀬下84";
    r.municipality_code = "20218";
    auto timed = [&](auto&& op) {
      const auto t0 = std::chrono::steady_clock::now();
      auto ok = op();
      latencies.push_back(
          Seconds(std::chrono::steady_clock::now() - t0).count());
      if (!ok) {
        std::fprintf(stderr, "lifecycle op failed: %s\n",
                     ok.error().ToString().c_str());
        std::exit(1);
      }
      return ok;
    };
    auto created = timed([&] { return service.RegisterResident(clerk, r); });
    auto app = timed([&] {
      return service.Apply(clerk, {created->id, created->id});
    });
    auto made = timed([&] { return service.Produce(clerk, app->id); });
    (void)timed([&] {
      return service.Deliver(clerk, made->id, created->id,
                             {"ABC123", "1234", "5678", "9012"});
    });
    (void)timed([&] { return service.Suspend(hotline, made->id); });
    (void)timed([&] { return service.LiftSuspension(clerk, made->id); });
  }
  const double life_s =
      Seconds(std::chrono::steady_clock::now() - life_start).count();
  (void)(*store)->Transact([](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.connection().Query(
        "CREATE TABLE IF NOT EXISTS bench_baseline (k TEXT PRIMARY KEY, v "
        "TEXT)"));
    OPENMYNA_RETURN_IF_ERROR(
        tx.connection().Query("DELETE FROM bench_baseline"));
    return Ok();
  });
  std::vector<double> base_latencies;
  const int base_ops = static_cast<int>(latencies.size());
  const auto base_start = std::chrono::steady_clock::now();
  for (int i = 0; i < base_ops; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)(*store)->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.connection().Query(
          "INSERT INTO bench_baseline (k, v) VALUES ($1, $2)",
          {std::to_string(i), std::string(200, 'x')}));
      return Ok();
    });
    base_latencies.push_back(
        Seconds(std::chrono::steady_clock::now() - t0).count());
  }
  const double base_s =
      Seconds(std::chrono::steady_clock::now() - base_start).count();
  const double ops_s = latencies.size() / life_s;
  const double base_ops_s = base_ops / base_s;
  std::printf(
      "[%s] lifecycle: %zu ops, %.0f ops/s, p50 %.2f ms, p99 %.2f ms"
      " | baseline raw commit: %.0f ops/s, p99 %.2f ms | ratio %.2f\n",
      backend, latencies.size(), ops_s, 1e3 * Percentile(latencies, 0.5),
      1e3 * Percentile(latencies, 0.99), base_ops_s,
      1e3 * Percentile(base_latencies, 0.99), ops_s / base_ops_s);

  // 1b. Concurrency (group commit): `concurrent` threads, each a loop of
  // one change and one audited read, for `concurrent_seconds`.
  if (concurrent > 0) {
    // The deterministic generator above is not thread-safe: the threads
    // share OpenSSL's (as `openmyna serve` does).
    OpenSslRng shared_rng;
    RegistryService shared(**store, clock, shared_rng, ca, card);
    const auto groups_before = (*store)->group_stats();
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> changes{0}, reads{0}, failures{0};
    std::mutex merge;
    std::vector<double> all;
    std::vector<std::thread> pool;
    const auto c_start = std::chrono::steady_clock::now();
    for (int t = 0; t < concurrent; ++t) {
      pool.emplace_back([&, t] {
        std::vector<double> mine;
        for (std::uint64_t i = 0; !stop; ++i) {
          Resident r;
          r.individual_number =
              NumberFor(60'000'000'000ULL +
                        static_cast<std::uint64_t>(t) * 100'000'000ULL + i);
          r.name = "並行 試験";
          r.date_of_birth = "1985-06-15";
          r.address = "長野県千曲市杭瀬下84";
          r.municipality_code = "20218";
          auto t0 = std::chrono::steady_clock::now();
          auto created = shared.RegisterResident(clerk, r);
          mine.push_back(
              Seconds(std::chrono::steady_clock::now() - t0).count());
          if (!created) {
            if (++failures <= 3) {
              std::fprintf(stderr, "change failed: %s\n",
                           created.error().ToString().c_str());
            }
            continue;
          }
          ++changes;
          t0 = std::chrono::steady_clock::now();
          auto found = shared.FindResident(hotline, r.individual_number);
          mine.push_back(
              Seconds(std::chrono::steady_clock::now() - t0).count());
          if (found) {
            ++reads;
          } else if (++failures <= 3) {
            std::fprintf(stderr, "read failed: %s\n",
                         found.error().ToString().c_str());
          }
        }
        std::lock_guard lock(merge);
        all.insert(all.end(), mine.begin(), mine.end());
      });
    }
    std::this_thread::sleep_for(
        std::chrono::duration<double>(concurrent_seconds));
    stop = true;
    for (auto& thread : pool) thread.join();
    const double c_s =
        Seconds(std::chrono::steady_clock::now() - c_start).count();
    const auto groups_after = (*store)->group_stats();
    const double total = static_cast<double>(changes + reads) / c_s;
    std::printf(
        "[%s] concurrent %d threads: %.0f changes/s + %.0f audited reads/s "
        "= %.0f ops/s, p50 %.2f ms, p99 %.2f ms, %llu failures; %llu calls "
        "in %llu commits (%.1f per commit) | baseline raw single durable "
        "commit: %.0f ops/s | ratio %.2f (goal >= 6)\n",
        backend, concurrent, changes / c_s, reads / c_s, total,
        1e3 * Percentile(all, 0.5), 1e3 * Percentile(all, 0.99),
        static_cast<unsigned long long>(failures.load()),
        static_cast<unsigned long long>(groups_after.calls -
                                        groups_before.calls),
        static_cast<unsigned long long>(groups_after.commits -
                                        groups_before.commits),
        static_cast<double>(groups_after.calls - groups_before.calls) /
            std::max<double>(1, static_cast<double>(groups_after.commits -
                                                    groups_before.commits)),
        base_ops_s, total / base_ops_s);
    std::fflush(stdout);
  }

  // 2. Bulk load (BulkLoadResidents, the path of `openmyna db seed
  // --residents N`), in kRounds slices, each followed by the baseline: the
  // same number of raw rows (key + 200 bytes, one primary key, no JSON, no
  // secondary index) through the same CopyRows fast path. Interleaved so
  // that load from other processes hits both alike.
  constexpr int kRounds = 5;
  std::fprintf(stderr, "[%s] bulk load of %llu residents in %d rounds\n",
               backend, static_cast<unsigned long long>(residents), kRounds);
  (void)(*store)->Transact([](RegistryTx& tx) -> Status {
    return tx.connection()
        .Query("DELETE FROM bench_baseline")
        .transform([](auto) {});
  });
  std::vector<double> rates, base_rates;
  double load_s = 0;
  std::uint64_t base_next = 0;
  for (int round = 1; round <= kRounds; ++round) {
    BulkLoadOptions bulk;
    bulk.residents = residents * round / kRounds;
    auto t0 = std::chrono::steady_clock::now();
    // Rate and ETA of the registry's load only (baseline time excluded).
    bulk.progress = [&](std::uint64_t done, std::uint64_t, std::uint64_t) {
      Progress(done, residents,
               load_s + Seconds(std::chrono::steady_clock::now() - t0).count());
    };
    auto loaded = BulkLoadResidents(**store, bulk);
    const double s = Seconds(std::chrono::steady_clock::now() - t0).count();
    if (!loaded) {
      std::fprintf(stderr, "\nbulk load failed: %s\n",
                   loaded.error().ToString().c_str());
      return 1;
    }
    load_s += s;
    rates.push_back(loaded->loaded / s);
    const std::uint64_t base_rows = loaded->loaded;
    t0 = std::chrono::steady_clock::now();
    for (std::uint64_t done = 0; done < base_rows;) {
      const std::uint64_t n =
          std::min<std::uint64_t>(100'000, base_rows - done);
      auto ok = (*store)->Transact([&](RegistryTx& tx) -> Status {
        std::uint64_t i = 0;
        return tx.connection()
            .CopyRows("bench_baseline", {"k", "v"},
                      [&](std::vector<std::string>& row) {
                        if (i == n) return false;
                        row[0] = "b" + std::to_string(base_next + i++);
                        row[1].assign(200, 'x');
                        return true;
                      })
            .transform([](std::uint64_t) {});
      });
      if (!ok) {
        std::fprintf(stderr, "baseline failed: %s\n",
                     ok.error().ToString().c_str());
        return 1;
      }
      base_next += n;
      done += n;
    }
    base_rates.push_back(
        base_rows / Seconds(std::chrono::steady_clock::now() - t0).count());
  }
  const double rate = Percentile(rates, 0.5);
  const double best = *std::max_element(rates.begin(), rates.end());
  const double extrapolated_min = 10'000'000 / rate / 60;
  std::printf(
      "[%s] bulk load: %llu residents in %.1f s; per round median %.0f/s, "
      "best %.0f/s | baseline raw rows: median %.0f/s, best %.0f/s | ratio "
      "%.2f\n",
      backend, static_cast<unsigned long long>(residents), load_s, rate, best,
      Percentile(base_rates, 0.5),
      *std::max_element(base_rates.begin(), base_rates.end()),
      rate / Percentile(base_rates, 0.5));
  std::printf(
      "[%s] 10M residents extrapolated at the median rate: %.1f min (at the "
      "best: %.1f min); goal < 10 min: %s\n",
      backend, extrapolated_min, 10'000'000 / best / 60,
      extrapolated_min < 10 ? "MET" : "NOT MET");

  // 3. Look-ups at that size, by individual number and by id, each beside
  // a raw key read of the baseline table.
  std::vector<double> by_number, by_id, base_lookups;
  for (int i = 0; i < 3000; ++i) {
    const std::uint64_t k = rng.UniformBelow(residents);
    const std::string number = BulkResidentNumber(k);
    const std::string id = BulkResidentId(k);
    bool found = false;
    auto t0 = std::chrono::steady_clock::now();
    (void)(*store)->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.FindResidentByNumber(number));
      found = r.has_value() && r->id == id;
      return Ok();
    });
    by_number.push_back(Seconds(std::chrono::steady_clock::now() - t0).count());
    t0 = std::chrono::steady_clock::now();
    (void)(*store)->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto r, tx.GetResident(id));
      found = found && r.has_value();
      return Ok();
    });
    by_id.push_back(Seconds(std::chrono::steady_clock::now() - t0).count());
    if (!found) {
      std::fprintf(stderr, "look-up missed generated resident %llu\n",
                   static_cast<unsigned long long>(k));
      return 1;
    }
    t0 = std::chrono::steady_clock::now();
    (void)(*store)->Transact([&](RegistryTx& tx) -> Status {
      return tx.connection()
          .Query(
              "SELECT v FROM bench_baseline WHERE k = $1",
              {"b" + std::to_string(k % std::max<std::uint64_t>(base_next, 1))})
          .transform([](auto) {});
    });
    base_lookups.push_back(
        Seconds(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf(
      "[%s] look-up among %llu: by number p50 %.3f ms, p99 %.3f ms; by id "
      "p50 %.3f ms, p99 %.3f ms | baseline raw key: p50 %.3f ms, p99 %.3f ms "
      "| ratio (number, p50) %.2f\n",
      backend, static_cast<unsigned long long>(residents),
      1e3 * Percentile(by_number, 0.5), 1e3 * Percentile(by_number, 0.99),
      1e3 * Percentile(by_id, 0.5), 1e3 * Percentile(by_id, 0.99),
      1e3 * Percentile(base_lookups, 0.5), 1e3 * Percentile(base_lookups, 0.99),
      Percentile(by_number, 0.5) / Percentile(base_lookups, 0.5));
  return 0;
}
