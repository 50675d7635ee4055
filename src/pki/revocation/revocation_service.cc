#include "openmyna/pki/revocation/revocation_service.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "openmyna/base/log.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::pki::revocation {

struct RevocationService::Impl {
  Impl(Sandbox s, const Clock& c, RevocationServiceOptions o)
      : sandbox(std::move(s)), clock(c), options(o) {}

  void Loop();

  Sandbox sandbox;
  const Clock& clock;
  RevocationServiceOptions options;
  std::unique_ptr<CertificateStore> store;
  std::vector<std::unique_ptr<Signer>> signers;  // owned keys
  std::unique_ptr<OcspResponder> ocsp;
  std::unique_ptr<CrlPublisher> publisher;

  std::thread worker;
  std::thread warmer;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<bool> stopping{false};
  bool started = false;
  std::shared_ptr<spdlog::logger> log = log::Get("pki.revocation");
};

RevocationService::RevocationService(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

RevocationService::~RevocationService() { Stop(); }

Result<std::unique_ptr<RevocationService>> RevocationService::Open(
    const std::filesystem::path& data_dir, const Clock& clock,
    RevocationServiceOptions options) {
  OPENMYNA_ASSIGN_OR_RETURN(Sandbox sandbox, Sandbox::Open(data_dir));
  auto impl = std::make_unique<Impl>(std::move(sandbox), clock, options);
  OPENMYNA_ASSIGN_OR_RETURN(impl->store, impl->sandbox.OpenStore());
  std::vector<OcspIssuer> ocsp_issuers;
  std::vector<CrlIssuer> crl_issuers;
  for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
    for (const CaGeneration& generation : impl->sandbox.generations(kind)) {
      OPENMYNA_ASSIGN_OR_RETURN(
          auto ca, impl->sandbox.CaSigner(kind, generation.number));
      if (options.ocsp) {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto responder, impl->sandbox.OcspSigner(kind, generation.number));
        ocsp_issuers.push_back(
            {kind, generation.number, ca->certificate(), responder.get()});
        impl->signers.push_back(std::move(responder));
      }
      crl_issuers.push_back({kind, generation.number, ca.get()});
      impl->signers.push_back(std::move(ca));
    }
  }
  if (options.ocsp) {
    impl->ocsp = std::make_unique<OcspResponder>(
        std::move(ocsp_issuers), *impl->store, clock, options.ocsp_options);
  }
  if (options.crl) {
    CrlPublisherOptions crl_options;
    crl_options.directory = data_dir / "crl";
    crl_options.base_url = impl->sandbox.base_url();
    crl_options.validity = options.crl_validity;
    impl->publisher = std::make_unique<CrlPublisher>(
        std::move(crl_issuers), *impl->store, clock, crl_options);
  }
  return std::unique_ptr<RevocationService>(
      new RevocationService(std::move(impl)));
}

Status RevocationService::AddRoutes(http::Router& router) {
  Impl& s = *impl_;
  if (s.ocsp) {
    for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
      OPENMYNA_RETURN_IF_ERROR(s.ocsp->AddRoutes(
          router, OcspPath(kind), s.options.max_ocsp_request_bytes));
    }
  }
  if (s.publisher) {
    OPENMYNA_RETURN_IF_ERROR(s.publisher->AddRoutes(router));
  }
  return Ok();
}

Status RevocationService::SyncNow() {
  Impl& s = *impl_;
  if (s.ocsp) {
    auto changed = s.ocsp->SyncRevocations();
    if (!changed) return Unexpected(changed.error());
  }
  if (s.publisher) {
    auto published = s.publisher->PublishDue();
    if (!published) return Unexpected(published.error());
  }
  return Ok();
}

void RevocationService::Impl::Loop() {
  auto last_refresh = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex);
  while (!stopping) {
    wake.wait_for(lock, options.sync_interval,
                  [this] { return stopping.load(); });
    if (stopping) break;
    lock.unlock();
    if (ocsp) {
      if (auto r = ocsp->SyncRevocations(); !r) {
        log->warn("OCSP sync: {}", r.error().ToString());
      }
    }
    if (publisher) {
      if (auto r = publisher->PublishDue(); !r) {
        log->error("CRL publication: {}", r.error().ToString());
      }
    }
    if (ocsp && std::chrono::steady_clock::now() - last_refresh >=
                    options.refresh_interval) {
      last_refresh = std::chrono::steady_clock::now();
      const auto refreshed = ocsp->Refresh();
      if (refreshed > 0) log->info("re-signed {} OCSP responses", refreshed);
    }
    lock.lock();
  }
}

Status RevocationService::Start() {
  Impl& s = *impl_;
  if (s.started) return Ok();
  s.started = true;
  if (s.publisher) {
    auto published = s.publisher->PublishDue();
    if (!published) return Unexpected(published.error());
  }
  if (s.ocsp && s.options.warm_ocsp) {
    s.warmer = std::thread([&s] {
      const auto start = std::chrono::steady_clock::now();
      auto warmed = s.ocsp->Warm(&s.stopping);
      if (!warmed) {
        s.log->warn("OCSP pre-signing: {}", warmed.error().ToString());
        return;
      }
      s.log->info("pre-signed {} OCSP responses in {} ms ({} threads)", *warmed,
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count(),
                  std::max(1u, std::thread::hardware_concurrency()));
    });
  }
  s.worker = std::thread([&s] { s.Loop(); });
  return Ok();
}

void RevocationService::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
  }
  s.wake.notify_all();
  if (s.worker.joinable()) s.worker.join();
  if (s.warmer.joinable()) s.warmer.join();
  if (s.ocsp && s.started) {
    const OcspStats st = s.ocsp->stats();
    s.log->info(
        "OCSP: {} requests, {} answered from the pre-signed cache, {} signed "
        "live, {} pre-signed, {} cached",
        st.requests, st.cache_hits, st.live_signatures, st.presigned,
        st.cached_entries);
    s.started = false;
  }
}

OcspResponder* RevocationService::ocsp() { return impl_->ocsp.get(); }
CrlPublisher* RevocationService::publisher() { return impl_->publisher.get(); }

}  // namespace openmyna::pki::revocation
