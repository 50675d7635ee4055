// Portal benchmark (issue 10): pages per second and p99 of あなたの情報 and
// やりとり履歴 for a resident with 10,000 history rows, each beside the
// registry API's own read of the same data (GET /v1/residents/{id} and
// GET /v1/residents/{id}/audit as a clerk), interleaved round by round in
// one process on one SQLite file. Goal: the page costs <= 2x the API read.
//
//   portal_bench DIR [--rows N] [--rounds N]
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../../src/registry/testing_ports.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/portal/portal.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/service.h"
#include "openmyna/services/registry_api.h"

using namespace openmyna;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

struct Figure {
  std::vector<double> ms;
  std::size_t bytes = 0;
  double PerSecond() const {
    double total = 0;
    for (double m : ms) total += m;
    return ms.size() * 1000.0 / total;
  }
};

void Time(Figure& figure, const std::function<http::Response()>& call) {
  const auto start = std::chrono::steady_clock::now();
  http::Response response = call();
  figure.ms.push_back(Ms(std::chrono::steady_clock::now() - start).count());
  figure.bytes = response.body.size();
  if (response.status != 200) {
    std::fprintf(stderr, "status %d: %.200s\n", response.status,
                 response.body.c_str());
    std::exit(1);
  }
}

void Print(const char* what, const Figure& page, const Figure& api) {
  std::printf(
      "%-26s page %8.1f/s p99 %7.2f ms (%7zu B) | API %8.1f/s p99 %7.2f ms "
      "(%7zu B) | page/API cost %.2fx (goal <= 2x)\n",
      what, page.PerSecond(), Percentile(page.ms, 0.99), page.bytes,
      api.PerSecond(), Percentile(api.ms, 0.99), api.bytes,
      api.PerSecond() / page.PerSecond());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: portal_bench DIR [--rows N] [--rounds N]\n");
    return 2;
  }
  const std::string dir = argv[1];
  int rows = 10000, rounds = 30;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  }
  SystemClock clock;
  OpenSslRng rng;
  auto store = registry::RegistryStore::Open(dir + "/registry.db", clock);
  if (!store)
    return std::fprintf(stderr, "%s\n", store.error().ToString().c_str()), 1;
  const TimePoint now = clock.Now();
  auto seeded = (*store)->Transact([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(
        {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to"}));
    registry::Resident r;
    r.id = "r-bench";
    r.individual_number = "123456789018";
    r.name = "清瀬 花子";
    r.date_of_birth = "1990-01-02";
    r.address = "東京都清瀬市中里五丁目842番地";
    r.municipality_code = "13221";
    OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
    registry::Card card;
    card.id = "c-bench";
    card.resident_id = r.id;
    card.state = registry::CardState::kActive;
    card.issued_on = "2026-01-05";
    card.expires_on = "2036-01-02";
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    for (auto type : {registry::CertificateType::kSignature,
                      registry::CertificateType::kAuthentication}) {
      registry::Certificate cert;
      cert.serial = type == registry::CertificateType::kSignature ? "51" : "a1";
      cert.card_id = card.id;
      cert.resident_id = r.id;
      cert.type = type;
      cert.not_before = now - std::chrono::hours(24);
      cert.not_after = now + std::chrono::hours(24 * 365 * 4);
      OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(cert));
    }
    const registry::Role roles[] = {registry::Role::kCounterClerk,
                                    registry::Role::kKiosk,
                                    registry::Role::kPlatform};
    for (int i = 0; i < rows; ++i) {
      registry::AuditEntry e;
      e.id = "au-" + std::to_string(i);
      e.resident_id = r.id;
      e.actor_id = "actor-" + std::to_string(i % 7);
      e.role = roles[i % 3];
      e.action = "resident.read";
      e.reason = "本人確認";
      e.at = now - std::chrono::minutes(rows - i);
      OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(e));
    }
    return Ok();
  });
  if (!seeded)
    return std::fprintf(stderr, "%s\n", seeded.error().ToString().c_str()), 1;

  // The registry API, as a clerk.
  registry::testing::RecordingCa ca;
  registry::testing::RecordingCard card;
  registry::RegistryService service(**store, clock, rng, ca, card);
  auto clerk = registry::CreateCredential(
      **store, registry::Role::kCounterClerk, rng, clock, 1000);
  http::Router api;
  if (!clerk || !services::AddRegistryApi(api, **store, service)) return 1;
  const std::string plain = clerk->id + ":" + clerk->secret;
  std::string b64(4 * ((plain.size() + 2) / 3) + 1, '\0');
  b64.resize(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()),
                      static_cast<int>(plain.size())));
  auto api_get = [&](std::string path) {
    http::Request request;
    request.method = "GET";
    request.path = request.target = std::move(path);
    request.headers.push_back({"Authorization", "Basic " + b64});
    request.headers.push_back({"X-Purpose", "bench"});
    return api.Dispatch(request);
  };

  // The portal, signed in as the resident.
  portal::PortalOptions options;
  options.secure_cookies = false;
  auto site = portal::Portal::Make(options, **store, clock, rng);
  http::Router pages;
  if (!site || !(*site)->AddRoutes(pages)) return 1;
  auto cookie = (*site)->CompleteLogin("r-bench");
  if (!cookie)
    return std::fprintf(stderr, "%s\n", cookie.error().ToString().c_str()), 1;
  const std::string session = cookie->substr(0, cookie->find(';'));
  auto page_get = [&](std::string path) {
    http::Request request;
    request.method = "GET";
    request.path = request.target = std::move(path);
    request.headers.push_back({"Cookie", session});
    return pages.Dispatch(request);
  };

  // Warm up (the first notice sweep reads every audit row once).
  page_get("/portal/notices");
  Figure me_page, me_api, history_page, history_api;
  for (int round = 0; round < rounds; ++round) {
    Time(me_page, [&] { return page_get("/portal/me"); });
    Time(me_api, [&] { return api_get("/v1/residents/r-bench"); });
    Time(history_page, [&] { return page_get("/portal/history"); });
    Time(history_api, [&] { return api_get("/v1/residents/r-bench/audit"); });
  }
  std::printf(
      "portal bench: %d history rows (+%d API reads audited meanwhile), "
      "%d rounds, SQLite, in process (no sockets)\n",
      rows, rounds, rounds);
  Print("あなたの情報 (/me)", me_page, me_api);
  Print("やりとり履歴 (/history)", history_page, history_api);
  return 0;
}
