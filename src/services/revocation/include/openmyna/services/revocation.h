// The revocation service: OCSP and CRLs over HTTP for one sandbox
// (architecture.md §5: pki hands out the bytes and their validity, this
// service owns the routes and the caching headers). Service names "ocsp"
// and "crl" in `openmyna serve`.
//
// Routes (at the paths the certificates name, pki/names.h):
//   POST /ocsp/<sign|auth>              DER OCSPRequest (RFC 6960 App. A.1)
//   GET  /ocsp/<sign|auth>/<base64>     the same, url-encoded base64
//   GET  /crl/<sign|auth>/g<N>/<code>.crl
// Caching (RFC 5019 §6.2, RFC 9111): a GET of a cacheable OCSP answer and
// every CRL carry Cache-Control "max-age=M, public, no-transform,
// must-revalidate" with M = min(cache_max_age, nextUpdate - now), Expires =
// Date + M, Last-Modified (producedAt / thisUpdate) and a strong ETag;
// If-None-Match / If-Modified-Since are answered 304. POST answers and
// errors carry no freshness (POST is not cached; errors get no-store).
//
// Freshness of the answers themselves: opens the sandbox's store and keys
// and keeps both fresh in a background thread:
//   - at Start(): publishes every missing or due CRL (synchronously), then
//     pre-signs OCSP responses for every certificate (in the background);
//   - every `sync_interval` (250 ms): reads the store's revocation change
//     counter; when it moved, signs the revoked OCSP answers of the
//     certificates revoked since and republishes the CRLs of their
//     partitions (the changes only: no walk of every revoked entry);
//   - every `refresh_interval`: re-signs OCSP responses near nextUpdate and
//     republishes CRLs older than 24 h.
// The documented bound (docs/revocation.md): a revocation is in the origin's
// OCSP answers within one sync interval plus one signature, in its CRL within
// one sync interval plus one publication, and hidden by a compliant cache for
// at most cache_max_age more.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/pki/revocation/crl_publisher.h"
#include "openmyna/pki/revocation/ocsp_responder.h"

namespace openmyna::services {

struct RevocationServiceOptions {
  bool ocsp = true;
  bool crl = true;
  pki::revocation::OcspOptions ocsp_options;
  bool warm_ocsp = true;  // pre-sign every certificate at Start()
  std::chrono::milliseconds sync_interval{250};
  std::chrono::milliseconds refresh_interval{60'000};
  std::chrono::seconds crl_validity = std::chrono::hours(26);
  std::size_t max_ocsp_request_bytes = 8 * 1024;
  // The longest a shared cache may keep an OCSP answer or a CRL.
  std::chrono::seconds cache_max_age{60};
};

class RevocationService {
 public:
  // Opens DIR (kBadSandbox from pki when it is not a sandbox). CRL files go
  // to DIR/crl/. `clock` is borrowed.
  static Result<std::unique_ptr<RevocationService>> Open(
      const std::filesystem::path& data_dir, const Clock& clock,
      RevocationServiceOptions options = {});
  ~RevocationService();

  Status AddRoutes(http::Router& router);
  Status Start();
  void Stop();  // idempotent; joins the background thread

  // Runs one sync round now (what the background thread does every
  // sync_interval); for tests and for callers that just revoked.
  Status SyncNow();

  pki::revocation::OcspResponder* ocsp();      // null when options.ocsp false
  pki::revocation::CrlPublisher* publisher();  // null when options.crl false

  struct Impl;

 private:
  explicit RevocationService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::services
