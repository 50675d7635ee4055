#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "openmyna/base/file_io.h"
#include "openmyna/base/log.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/services/http_caching.h"
#include "openmyna/services/revocation.h"

namespace openmyna::services {

using pki::CaGeneration;
using pki::CaKind;
using pki::CertificateStore;
using pki::Sandbox;
using pki::Signer;
using pki::revocation::CrlIssuer;
using pki::revocation::CrlPublisher;
using pki::revocation::CrlPublisherOptions;
using pki::revocation::OcspAnswer;
using pki::revocation::OcspIssuer;
using pki::revocation::OcspResponder;
using pki::revocation::OcspStats;

struct RevocationService::Impl {
  Impl(Sandbox s, const Clock& c, RevocationServiceOptions o)
      : sandbox(std::move(s)), clock(c), options(o) {}

  void Loop();
  Status AddOcspRoutes(http::Router& router, const std::string& path);
  http::Response OcspReply(const http::Request& request,
                           const OcspAnswer& answer, bool get);
  http::Response CrlReply(const http::Request& request);

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
  std::shared_ptr<spdlog::logger> log = log::Get("services.revocation");

  // The bytes of the CRL last read per URL path (one copy in memory per
  // partition, replaced when the CRL number changes).
  struct CrlBytes {
    std::uint64_t crl_number = 0;
    std::shared_ptr<const std::string> der;
  };
  std::mutex crl_mutex;
  std::map<std::string, CrlBytes> crl_bytes;
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

http::Response RevocationService::Impl::OcspReply(const http::Request& request,
                                                  const OcspAnswer& answer,
                                                  bool get) {
  if (get && answer.cacheable) {
    const CacheValidity validity{answer.this_update, answer.next_update,
                                 EntityTag(answer.fingerprint)};
    const TimePoint now = clock.Now();
    if (NotModified(request, validity)) {
      return NotModifiedResponse(validity, now, options.cache_max_age);
    }
    http::Response response;
    response.content_type = "application/ocsp-response";
    response.body = *answer.der;
    AddCachingHeaders(response, validity, now, options.cache_max_age);
    return response;
  }
  http::Response response;
  response.content_type = "application/ocsp-response";
  response.body = *answer.der;
  if (get) AddNoStore(response);
  return response;
}

Status RevocationService::Impl::AddOcspRoutes(http::Router& router,
                                              const std::string& path) {
  const std::size_t max_bytes = options.max_ocsp_request_bytes;
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("POST", path, [this, max_bytes](const http::Request& request) {
        if (request.body.size() > max_bytes) {
          return http::Problem(413, "Content Too Large",
                               "an OCSP request is at most " +
                                   std::to_string(max_bytes) + " bytes");
        }
        const auto* data =
            reinterpret_cast<const std::uint8_t*>(request.body.data());
        return OcspReply(
            request, ocsp->Answer(ByteView(data, request.body.size())), false);
      }));
  const std::size_t prefix = path.size() + 1;
  return router.Add("GET", path + "/*",
                    [this, prefix, max_bytes](const http::Request& request) {
                      // base64 grows by 4/3, percent-encoding by up to 3.
                      if (request.path.size() - prefix > max_bytes * 4) {
                        return http::Problem(
                            414, "URI Too Long",
                            "the encoded OCSP request is too long");
                      }
                      const auto der = pki::revocation::DecodeOcspGetPath(
                          std::string_view(request.path).substr(prefix));
                      if (!der)
                        return OcspReply(request, ocsp->Malformed(), true);
                      return OcspReply(request, ocsp->Answer(*der), true);
                    });
}

http::Response RevocationService::Impl::CrlReply(const http::Request& request) {
  const auto current = publisher->Current(request.path);
  if (!current) {
    return http::Problem(404, "Not Found",
                         "no CRL is published at " + request.path);
  }
  // The CRL number increases with every publication of a partition
  // (RFC 5280 §5.2.3); with thisUpdate it names these bytes.
  const CacheValidity validity{
      current->this_update, current->next_update,
      "\"" + std::to_string(current->crl_number) + "-" +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                             current->this_update.time_since_epoch())
                             .count()) +
          "\""};
  const TimePoint now = clock.Now();
  if (NotModified(request, validity)) {
    return NotModifiedResponse(validity, now, options.cache_max_age);
  }
  std::shared_ptr<const std::string> der;
  {
    std::lock_guard lock(crl_mutex);
    auto found = crl_bytes.find(request.path);
    if (found != crl_bytes.end() &&
        found->second.crl_number == current->crl_number) {
      der = found->second.der;
    }
  }
  if (!der) {
    auto text = ReadFileText(current->path);
    if (!text) {
      return http::Problem(503, "Service Unavailable",
                           "the CRL cannot be read now");
    }
    der = std::make_shared<const std::string>(std::move(*text));
    // The file may already hold a newer CRL than `current` named: only a
    // CRL whose number we know is kept.
    auto again = publisher->Current(request.path);
    if (again && again->crl_number == current->crl_number) {
      std::lock_guard lock(crl_mutex);
      crl_bytes[request.path] = {current->crl_number, der};
    } else {
      return CrlReply(request);  // published meanwhile: answer the new one
    }
  }
  http::Response response;
  response.content_type = "application/pkix-crl";  // RFC 2585 §4.2
  response.body = *der;
  AddCachingHeaders(response, validity, now, options.cache_max_age);
  return response;
}

Status RevocationService::AddRoutes(http::Router& router) {
  Impl& s = *impl_;
  if (s.ocsp) {
    for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
      OPENMYNA_RETURN_IF_ERROR(s.AddOcspRoutes(router, pki::OcspPath(kind)));
    }
  }
  if (s.publisher) {
    OPENMYNA_RETURN_IF_ERROR(router.Add(
        "GET", "/crl/*",
        [&s](const http::Request& request) { return s.CrlReply(request); }));
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

}  // namespace openmyna::services
