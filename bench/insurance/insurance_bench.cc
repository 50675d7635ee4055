// Eligibility benchmark (issue 12, "How it is shown"): eligibility checks
// per second and p99 by card (the card's signature over a nonce verified in
// process: chain, validity, signature — OCSP off — then the registry's
// check by certificate and the XmlMsg) and by insurance-card data (the
// registry's check by 保険者番号/番号/枝番/birth date and the XmlMsg), at
// --memberships memberships (one per generated resident of the bulk
// loader), each beside its floor measured in the same run on the same
// database: a raw indexed look-up of the same rows (the SELECTs of the rows
// the check reads, by their keys and indexes, in a read snapshot, no JSON,
// no audit). The card path is also shown beside that floor plus one RSA
// signature verification by plain OpenSSL on a pre-parsed key. Rounds
// alternate check and floor so that load from other processes hits both.
// Goal: >= 0.3x the floor, p99 < 20 ms. Every check waits for the COMMIT of
// its audit entry: the checks' lines say how many audit calls one COMMIT
// carried. A second baseline, printed beside (never instead of) the floor:
// the floor plus one durable audit insert per look-up set, group-committed
// by a plain raw writer (raw_audit_writer.h) — what the audit rule alone
// costs on this disk. Each line also gives the CPU time per operation of
// this process (every thread; on PostgreSQL the server's processes are not
// in it), the figure that load from other processes changes least.
//
//   insurance_bench TARGET [--memberships N] [--cards K]
//                          [--threads T[,T2...]] [--seconds S] [--rounds R]
//                          [--readers N]
// (1 thread, then each T: default 8. --readers: the store's reader
// connections, RegistryStore::Open's `readers`; default the back end's.)
// INSURANCE_BENCH_PERF=FILE: a call-graph profile of the checks alone,
// `perf record -e cpu-clock --call-graph dwarf` of this process during an
// extra, uncounted round of each check phase at the last thread count:
// FILE.data and FILE.card (read with `perf report -i FILE.data
// --no-children`).
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../../src/registry/testing_ports.h"
#include "floor_readers.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/insurer_number.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/insurance_store.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/service.h"
#include "openmyna/services/insurance_api.h"
#include "raw_audit_writer.h"

using namespace openmyna;
using namespace openmyna::registry;
using Seconds = std::chrono::duration<double>;

namespace {

constexpr const char* kClinicCode = "2010991001";
// The sample data's insurer bases (insurance_seed.cc) with their check
// digits (保険者番号設定要領), made in main().
std::vector<std::string> kInsurers;

std::string Number(std::uint64_t i) {
  char b[24];  // 20 digits at most
  std::snprintf(b, sizeof b, "%010llu", static_cast<unsigned long long>(i));
  return b;
}
std::string BirthDate(std::uint64_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "%04llu-%02llu-%02llu",
                static_cast<unsigned long long>(1930 + i % 90),
                static_cast<unsigned long long>(1 + i % 12),
                static_cast<unsigned long long>(1 + i % 28));
  return b;
}
std::string InsurerOf(std::uint64_t i) {
  return kInsurers[i % kInsurers.size()];
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

void Die(const char* what, const Error& e) {
  std::fprintf(stderr, "%s: %s\n", what, e.ToString().c_str());
  std::exit(1);
}

struct Phase {
  std::uint64_t ops = 0, failures = 0;
  std::uint64_t calls = 0, commits = 0;  // the store's group commit
  double seconds = 0;
  double cpu_seconds = 0;  // the whole process's, user + system
  std::vector<double> latencies;
  double rate() const { return seconds > 0 ? ops / seconds : 0; }
  // Microseconds of CPU per successful operation (every thread of the
  // process, the store's writer included): the load-independent figure.
  double cpu_us() const { return ops > 0 ? 1e6 * cpu_seconds / ops : 0; }
};

double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// `threads` threads call op(thread, i) for `seconds`; op returns success.
void Run(Phase& phase, int threads, double seconds,
         const std::function<bool(int, std::uint64_t)>& op) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ops{0}, failures{0};
  std::mutex merge;
  std::vector<std::thread> pool;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ProcessCpuSeconds();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<double> mine;
      for (std::uint64_t i = 0; !stop; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const bool ok = op(t, i);
        mine.push_back(Seconds(std::chrono::steady_clock::now() - t0).count());
        if (ok) {
          ++ops;
        } else {
          ++failures;
        }
      }
      std::lock_guard lock(merge);
      phase.latencies.insert(phase.latencies.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(Seconds(seconds));
  stop = true;
  for (auto& thread : pool) thread.join();
  phase.seconds += Seconds(std::chrono::steady_clock::now() - start).count();
  phase.cpu_seconds += ProcessCpuSeconds() - cpu_start;
  phase.ops += ops;
  phase.failures += failures;
}

// Plain OpenSSL, independent of the service's verification.
Bytes Sign(EVP_PKEY* key, const Bytes& data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &size, data.data(), data.size());
  Bytes sig(size);
  EVP_DigestSign(ctx, sig.data(), &size, data.data(), data.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(size);
  return sig;
}
bool Verifies(EVP_PKEY* key, const Bytes& data, const Bytes& sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, sig.data(), sig.size(), data.data(), data.size()) ==
          1;
  EVP_MD_CTX_free(ctx);
  return ok;
}
Bytes Spki(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

// perf attached to this process until StopPerf (INSURANCE_BENCH_PERF).
pid_t StartPerf(const std::string& file) {
  const std::string self = std::to_string(::getpid());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("perf", "perf", "record", "-q", "-e", "cpu-clock", "-F", "499",
             "--call-graph", "dwarf,16384", "-p", self.c_str(), "-o",
             file.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // attached
  return pid;
}
void StopPerf(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

struct BenchCard {
  std::string resident_id;
  std::string card_id;
  std::string insurer;  // of the resident's membership
  std::string serial;
  services::CardProof proof;
  EVP_PKEY* key = nullptr;  // the public key, parsed once (floor only)
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s TARGET [--memberships N] [--cards K] "
                 "[--threads T[,T2...]] [--seconds S] [--rounds R] "
                 "[--readers N]\n",
                 argv[0]);
    return 2;
  }
  const std::string target = argv[1];
  std::uint64_t memberships = 1'000'000;
  int cards = 200, rounds = 3;
  std::vector<int> thread_counts{1, 8};  // 1, then --threads T[,T2...]
  double seconds = 3;
  std::size_t readers = 0;  // the back end's default
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--memberships"))
      memberships = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--cards")) cards = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) {
      thread_counts = {1};
      for (std::string list = argv[i + 1]; !list.empty();) {
        const auto comma = list.find(',');
        thread_counts.push_back(std::stoi(list.substr(0, comma)));
        list = comma == std::string::npos ? "" : list.substr(comma + 1);
      }
    }
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::stod(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--readers")) readers = std::stoul(argv[i + 1]);
  }
  for (const char* base : {"0620991", "0120991", "13991", "3920991"}) {
    auto digit = domain::InsurerNumber::CheckDigitOf(base);
    if (!digit) Die("insurer number", digit.error());
    kInsurers.push_back(std::string(base) + *digit);
  }
  SystemClock clock;
  OpenSslRng rng;  // shared by the threads, as in `openmyna serve`
  auto opened = RegistryStore::Open(target, clock, readers);
  if (!opened) Die("open", opened.error());
  RegistryStore& store = **opened;
  const char* backend =
      store.dialect() == Dialect::kSqlite ? "sqlite" : "postgres";
  testing::RecordingCa ca_port;
  testing::RecordingCard card_port;
  RegistryService registry(store, clock, rng, ca_port, card_port);
  InsuranceService insurance(store, clock, rng);
  const Actor clerk{"bench", Role::kCounterClerk, "benchmark"};
  const Actor system{"bench", Role::kSystem, "benchmark"};
  const Actor clinic{kClinicCode, Role::kClinic, "受付"};
  if (auto ok = registry.PutMunicipality(
          clerk, {"20218", "千曲市", "長野県", "Chikuma-shi", "Nagano-ken",
                  1000, 800});
      !ok) {
    Die("municipality", ok.error());
  }

  // 1. Data: residents (bulk loader), insurers, one membership each
  // (CopyRows, the loader's fast path), the clinic.
  const auto load_start = std::chrono::steady_clock::now();
  BulkLoadOptions bulk;
  bulk.residents = memberships;
  if (auto loaded = BulkLoadResidents(store, bulk); !loaded) {
    Die("bulk load", loaded.error());
  }
  for (const std::string& number : kInsurers) {
    if (auto ok = insurance.PutInsurer(
            system, {number, "ベンチ保険者 " + number, "健康保険組合"});
        !ok) {
      Die("insurer", ok.error());
    }
  }
  MedicalInstitution inst{kClinicCode, "ベンチ診療所", InstitutionKind::kClinic,
                          "長野県千曲市"};
  if (auto ok = insurance.PutInstitution(system, inst); !ok) {
    Die("institution", ok.error());
  }
  std::int64_t have = 0;
  (void)store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(have, InsuranceTx(tx).CountMemberships());
    return Ok();
  });
  for (std::uint64_t done = static_cast<std::uint64_t>(have);
       done < memberships;) {
    const std::uint64_t n =
        std::min<std::uint64_t>(100'000, memberships - done);
    auto ok = store.Transact([&](RegistryTx& tx) -> Status {
      std::uint64_t k = 0;
      return tx.connection()
          .CopyRows("memberships",
                    {"id", "insurer_number", "symbol", "number", "branch",
                     "resident_id", "link_state", "doc"},
                    [&](std::vector<std::string>& row) {
                      if (k == n) return false;
                      const std::uint64_t i = done + k++;
                      Membership m;
                      m.id = "ms-bench-" + Number(i);
                      m.insurer_number = InsurerOf(i);
                      m.symbol = "B" + std::to_string(i % 1000);
                      m.number = Number(i);
                      m.branch = "00";
                      m.insured_name = "ベンチ 被保険者";
                      m.name = m.insured_name;
                      m.date_of_birth = BirthDate(i);
                      m.acquired_on = "2020-04-01";
                      m.contribution_percent = 30;
                      m.resident_id = BulkResidentId(i);
                      m.link_state = LinkState::kVerified;
                      m.link_method = LinkMethod::kIndividualNumber;
                      row = {m.id,
                             m.insurer_number,
                             m.symbol,
                             m.number,
                             m.branch,
                             m.resident_id,
                             std::string(ToString(m.link_state)),
                             nlohmann::json(m).dump()};
                      return true;
                    })
          .transform([](std::uint64_t) {});
    });
    if (!ok) Die("memberships", ok.error());
    done += n;
    std::fprintf(stderr, "\r  memberships %llu/%llu ",
                 static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(memberships));
  }
  std::fprintf(stderr, "\n");
  std::printf(
      "[%s] %llu residents and memberships loaded in %.0f s; the store's "
      "reader connections: %zu%s\n",
      backend, static_cast<unsigned long long>(memberships),
      Seconds(std::chrono::steady_clock::now() - load_start).count(),
      readers ? readers : RegistryStore::DefaultReaders(store.dialect()),
      readers ? "" : " (default)");

  // 2. Cards: a throw-away sandbox CA issues `cards` authentication
  // certificates (4 RSA-2048 keys, as key generation is slow); each is the
  // registry's certificate on a card of a generated resident registered as
  // insurance card, with a signature over a nonce made by its key.
  const auto sandbox_dir = std::filesystem::temp_directory_path() /
                           ("insurance-bench-" + std::to_string(::getpid()));
  auto init = pki::Sandbox::Init(sandbox_dir, {}, clock, rng);
  if (!init) Die("sandbox", init.error());
  pki::Sandbox& sandbox = init->sandbox;
  auto pki_store = sandbox.OpenStore();
  if (!pki_store) Die("pki store", pki_store.error());
  pki::CertificateAuthority ca(sandbox, **pki_store, rng);
  std::vector<EVP_PKEY*> keys;
  for (int k = 0; k < 4; ++k) keys.push_back(EVP_RSA_gen(2048));
  auto options = std::make_shared<services::InsuranceApiOptions>();
  options->clock = &clock;
  options->rng = &rng;
  auto roots = sandbox.Roots(pki::CaKind::kAuthentication);
  if (!roots) Die("roots", roots.error());
  options->auth_roots = std::move(*roots);
  std::vector<BenchCard> bench_cards;
  for (int c = 0; c < cards; ++c) {
    pki::IssueRequest request;
    request.kind = pki::CertificateKind::kAuthentication;
    request.subject_public_key_info = Spki(keys[c % 4]);
    request.municipality = {"20218", "Nagano-ken", "Chikuma-shi"};
    request.not_before = clock.Now();
    request.not_after_date = std::chrono::floor<std::chrono::days>(
                                 clock.Now() + std::chrono::years(5)) +
                             std::chrono::days(0);
    auto issued = ca.Issue(request);
    if (!issued) Die("issue", issued.error());
    BenchCard card;
    card.resident_id =
        BulkResidentId(static_cast<std::uint64_t>(c) * (memberships / cards));
    card.card_id = "c-bench-" + std::to_string(c);
    card.insurer =
        InsurerOf(static_cast<std::uint64_t>(c) * (memberships / cards));
    card.serial = issued->serial.Hex();
    card.proof.certificate_der = issued->der;
    card.proof.nonce = rng.Bytes(32);
    card.proof.signature = Sign(keys[c % 4], card.proof.nonce);
    card.key = keys[c % 4];
    auto ok = store.Transact([&](RegistryTx& tx) -> Status {
      Card record;
      record.id = card.card_id;
      record.resident_id = card.resident_id;
      record.state = CardState::kActive;
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(record));
      Certificate cert;
      cert.serial = card.serial;
      cert.card_id = record.id;
      cert.resident_id = card.resident_id;
      cert.type = CertificateType::kAuthentication;
      cert.not_before = issued->not_before;
      cert.not_after = issued->not_after;
      OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(cert));
      InsuranceRegistration reg;
      reg.resident_id = card.resident_id;
      reg.linkage_code = "lk-bench-" + std::to_string(c);
      reg.channel = RegistrationChannel::kSandboxSeed;
      reg.registered_at = clock.Now();
      reg.certificate_serials = {card.serial};
      return InsuranceTx(tx).PutRegistration(reg);
    });
    if (!ok) Die("card records", ok.error());
    bench_cards.push_back(std::move(card));
  }
  std::filesystem::remove_all(sandbox_dir);

  // The second baseline's writer; its rows are as large as the checks'
  // audit entries.
  AuditEntry sample_entry{"au-0123456789abcdef",
                          BulkResidentId(0),
                          clinic.id,
                          clinic.role,
                          "insurance.eligibility",
                          "資格確認 ベンチ診療所 (受付)",
                          clock.Now()};
  auto audit_writer =
      bench::RawAuditWriter::Open(target, nlohmann::json(sample_entry).dump());
  if (!audit_writer) Die("raw audit writer", audit_writer.error());

  // 3. The operations.
  auto by_data = [&](int t, std::uint64_t i) {
    const std::uint64_t k =
        (i * 2654435761ULL + static_cast<std::uint64_t>(t) * 40503ULL) %
        memberships;
    auto answer = insurance.CheckByCardData(
        clinic, {InsurerOf(k), "", Number(k), "00", BirthDate(k)});
    if (!answer || answer->validity != Validity::kValid) return false;
    const std::string body =
        services::EligibilityMessage(*answer, kClinicCode, clock.Now()).dump();
    return !body.empty();
  };
  // The floor's read snapshots: on SQLite on connections of its own that
  // keep the memory map (floor_readers.h), on PostgreSQL the store's
  // readers. The floor + audit line reads through the store's readers
  // (`store_read`): a writer runs beside it, as beside the checks.
  using ReadFn =
      std::function<Status(const std::function<Status(SqlConnection&)>&)>;
  std::unique_ptr<bench::FloorReaders> floor_readers;
  if (store.dialect() == Dialect::kSqlite) {
    floor_readers = std::make_unique<bench::FloorReaders>(
        target,
        readers ? readers : RegistryStore::DefaultReaders(Dialect::kSqlite));
  }
  const ReadFn store_read = [&](const auto& fn) {
    return store.Read([&](RegistryTx& tx) { return fn(tx.connection()); });
  };
  const ReadFn floor_read = [&](const auto& fn) {
    return floor_readers ? floor_readers->Read(fn) : store_read(fn);
  };
  auto data_rows = [&](const ReadFn& read, int t, std::uint64_t i) {
    const std::uint64_t k =
        (i * 2654435761ULL + static_cast<std::uint64_t>(t) * 40503ULL) %
        memberships;
    bool found = false;
    auto ok = read([&](SqlConnection& db) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(
          auto i_rows,
          db.Query("SELECT doc FROM medical_institutions WHERE code = $1",
                   {std::string(kClinicCode)}));
      OPENMYNA_ASSIGN_OR_RETURN(auto m_rows,
                                db.Query("SELECT doc FROM memberships WHERE "
                                         "insurer_number = $1 AND number = $2",
                                         {InsurerOf(k), Number(k)}));
      OPENMYNA_ASSIGN_OR_RETURN(
          auto n_rows, db.Query("SELECT doc FROM insurers WHERE number = $1",
                                {InsurerOf(k)}));
      found = i_rows.size() == 1 && m_rows.size() == 1 && n_rows.size() == 1;
      return Ok();
    });
    return ok && found;
  };
  auto data_floor = [&](int t, std::uint64_t i) {
    return data_rows(floor_read, t, i);
  };
  auto by_card = [&](int t, std::uint64_t i) {
    const BenchCard& card =
        bench_cards[(i + static_cast<std::uint64_t>(t) * 7) %
                    bench_cards.size()];
    const services::CardProofCheck check =
        services::CheckCardProof(card.proof, *options, clock.Now());
    if (!check.refusal.empty()) return false;
    auto answer = insurance.CheckByCertificate(clinic, check.serial);
    if (!answer || answer->validity != Validity::kValid) return false;
    const std::string body =
        services::EligibilityMessage(*answer, kClinicCode, clock.Now()).dump();
    return !body.empty();
  };
  auto card_rows = [&](const ReadFn& read, const BenchCard& card) {
    bool found = false;
    auto ok = read([&](SqlConnection& db) -> Status {
      auto one = [&](const char* sql, std::string key) -> Result<bool> {
        OPENMYNA_ASSIGN_OR_RETURN(auto rows, db.Query(sql, {std::move(key)}));
        return !rows.empty();
      };
      bool all = true;
      for (const auto& [sql, key] :
           std::vector<std::pair<const char*, std::string>>{
               {"SELECT doc FROM medical_institutions WHERE code = $1",
                kClinicCode},
               {"SELECT doc FROM certificates WHERE serial = $1", card.serial},
               {"SELECT doc FROM cards WHERE id = $1", card.card_id},
               {"SELECT doc FROM residents WHERE id = $1", card.resident_id},
               {"SELECT doc FROM insurance_registrations WHERE resident_id = "
                "$1",
                card.resident_id},
               {"SELECT doc FROM memberships WHERE resident_id = $1",
                card.resident_id},
               {"SELECT doc FROM insurers WHERE number = $1", card.insurer}}) {
        OPENMYNA_ASSIGN_OR_RETURN(bool hit, one(sql, key));
        all = all && hit;
      }
      OPENMYNA_RETURN_IF_ERROR(
          db.Query("SELECT doc FROM insurance_consents WHERE resident_id = $1 "
                   "AND institution_code = $2 ORDER BY valid_until DESC, id "
                   "DESC LIMIT 1",
                   {card.resident_id, std::string(kClinicCode)}));
      found = all;
      return Ok();
    });
    return ok && found;
  };
  auto card_floor = [&](int t, std::uint64_t i) {
    return card_rows(floor_read,
                     bench_cards[(i + static_cast<std::uint64_t>(t) * 7) %
                                 bench_cards.size()]);
  };
  auto card_floor_rsa = [&](int t, std::uint64_t i) {
    const BenchCard& card =
        bench_cards[(i + static_cast<std::uint64_t>(t) * 7) %
                    bench_cards.size()];
    return Verifies(card.key, card.proof.nonce, card.proof.signature) &&
           card_rows(floor_read, card);
  };

  auto data_floor_audit = [&](int t, std::uint64_t i) {
    const std::uint64_t k =
        (i * 2654435761ULL + static_cast<std::uint64_t>(t) * 40503ULL) %
        memberships;
    return data_rows(store_read, t, i) &&
           (*audit_writer)->Write(BulkResidentId(k));
  };
  auto card_floor_audit = [&](int t, std::uint64_t i) {
    const BenchCard& card =
        bench_cards[(i + static_cast<std::uint64_t>(t) * 7) %
                    bench_cards.size()];
    return card_rows(store_read, card) &&
           (*audit_writer)->Write(card.resident_id);
  };

  // Sanity: each path answers once before timing.
  if (!by_data(0, 1) || !data_floor(0, 1) || !by_card(0, 1) ||
      !card_floor(0, 1) || !card_floor_rsa(0, 1) || !data_floor_audit(0, 1) ||
      !card_floor_audit(0, 1)) {
    std::fprintf(stderr, "a check or a floor look-up failed before timing\n");
    return 1;
  }

  for (int t : thread_counts) {
    Phase data, dfloor, dfloor_audit, card, cfloor, cfloor_rsa, cfloor_audit;
    // A phase with the store's commits it caused (audit entries: the
    // checks' calls per COMMIT).
    auto timed = [&](Phase& phase, const auto& op) {
      const auto before = store.group_stats();
      Run(phase, t, seconds, op);
      const auto after = store.group_stats();
      phase.calls += after.calls - before.calls;
      phase.commits += after.commits - before.commits;
    };
    const char* perf_file = std::getenv("INSURANCE_BENCH_PERF");
    const bool profile =
        perf_file != nullptr && *perf_file != '\0' && t == thread_counts.back();
    // The check phase; when asked, an extra round first, under perf and
    // not counted (DWARF unwinding costs CPU the figures must not carry).
    auto checks = [&](int round, Phase& phase, const auto& op,
                      const char* suffix) {
      if (profile && round == 0) {
        Phase profiled;
        const pid_t perf = StartPerf(std::string(perf_file) + suffix);
        Run(profiled, t, seconds, op);
        StopPerf(perf);
      }
      timed(phase, op);
    };
    // The floor with its audit rows and how many one COMMIT carried.
    auto audited_floor = [&](Phase& phase, const auto& op) {
      const auto before = (*audit_writer)->counts();
      Run(phase, t, seconds, op);
      const auto after = (*audit_writer)->counts();
      phase.calls += after.first - before.first;
      phase.commits += after.second - before.second;
    };
    for (int r = 0; r < rounds; ++r) {
      checks(r, data, by_data, ".data");
      Run(dfloor, t, seconds, data_floor);
      audited_floor(dfloor_audit, data_floor_audit);
      checks(r, card, by_card, ".card");
      Run(cfloor, t, seconds, card_floor);
      Run(cfloor_rsa, t, seconds, card_floor_rsa);
      audited_floor(cfloor_audit, card_floor_audit);
    }
    auto line = [&](const char* what, const Phase& p, const Phase& floor,
                    const Phase* floor2, const Phase& floor_audit) {
      const double p99 = 1e3 * Percentile(p.latencies, 0.99);
      const double ratio = p.rate() / std::max(floor.rate(), 1e-9);
      std::printf(
          "[%s] %s, %d thread%s, %llu memberships: %.0f checks/s, p50 %.2f "
          "ms, p99 %.2f ms, %llu failed, CPU %.0f us/check | floor (raw "
          "indexed look-up of the same rows): %.0f/s, p99 %.2f ms, CPU %.0f "
          "us | ratio %.2f (goal >= 0.3: %s; p99 < 20 ms: %s)",
          backend, what, t, t == 1 ? "" : "s",
          static_cast<unsigned long long>(memberships), p.rate(),
          1e3 * Percentile(p.latencies, 0.5), p99,
          static_cast<unsigned long long>(p.failures), p.cpu_us(), floor.rate(),
          1e3 * Percentile(floor.latencies, 0.99), floor.cpu_us(), ratio,
          ratio >= 0.3 ? "MET" : "NOT MET", p99 < 20 ? "MET" : "NOT MET");
      if (p.commits > 0) {
        std::printf(
            " | %.1f audit calls per COMMIT",
            static_cast<double>(p.calls) / static_cast<double>(p.commits));
      }
      if (floor2 != nullptr) {
        std::printf(" | floor + one RSA verification: %.0f/s | ratio %.2f",
                    floor2->rate(), p.rate() / std::max(floor2->rate(), 1e-9));
      }
      // Beside the goal's floor, not instead of it.
      std::printf(
          " | floor + one durable audit insert per check: %.0f/s, p99 %.2f "
          "ms, CPU %.0f us, %.1f rows per COMMIT, %llu failed | ratio %.2f",
          floor_audit.rate(), 1e3 * Percentile(floor_audit.latencies, 0.99),
          floor_audit.cpu_us(),
          static_cast<double>(floor_audit.calls) /
              static_cast<double>(
                  std::max<std::uint64_t>(floor_audit.commits, 1)),
          static_cast<unsigned long long>(floor_audit.failures),
          p.rate() / std::max(floor_audit.rate(), 1e-9));
      std::printf("\n");
      std::fflush(stdout);
    };
    line("by insurance-card data", data, dfloor, nullptr, dfloor_audit);
    line("by card (signature in process)", card, cfloor, &cfloor_rsa,
         cfloor_audit);
  }
  const auto groups = store.group_stats();
  std::printf("[%s] group commit: %llu calls in %llu commits, %llu reads\n",
              backend, static_cast<unsigned long long>(groups.calls),
              static_cast<unsigned long long>(groups.commits),
              static_cast<unsigned long long>(groups.reads));
  for (EVP_PKEY* key : keys) EVP_PKEY_free(key);
  return 0;
}
