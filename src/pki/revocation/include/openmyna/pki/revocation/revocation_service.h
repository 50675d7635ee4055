// CRLs and OCSP of one sandbox, wired together for `openmyna serve`: opens
// the sandbox (pki/sandbox.h), its store and the keys of every CA
// generation, registers the routes at the paths the certificates name
// (pki/names.h: /ocsp/<kind>, /crl/<kind>/g<N>/<code>.crl) and keeps both
// fresh in a background thread:
//   - at Start(): publishes every missing or due CRL (synchronously), then
//     pre-signs OCSP responses for every certificate (in the background);
//   - every `sync_interval`: re-signs OCSP responses whose status changed in
//     the store (revocations by another process, e.g. `openmyna ca revoke`)
//     and republishes the CRLs of partitions whose entries changed — so a
//     revocation reaches both within about one interval (the debounce);
//   - every `refresh_interval`: re-signs OCSP responses near nextUpdate and
//     republishes CRLs older than 24 h.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/pki/revocation/crl_publisher.h"
#include "openmyna/pki/revocation/ocsp_responder.h"

namespace openmyna::pki::revocation {

struct RevocationServiceOptions {
  bool ocsp = true;
  bool crl = true;
  OcspOptions ocsp_options;
  bool warm_ocsp = true;  // pre-sign every certificate at Start()
  std::chrono::milliseconds sync_interval{2000};
  std::chrono::milliseconds refresh_interval{60'000};
  std::chrono::seconds crl_validity = std::chrono::hours(26);
  std::size_t max_ocsp_request_bytes = 8 * 1024;
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

  OcspResponder* ocsp();      // null when options.ocsp is false
  CrlPublisher* publisher();  // null when options.crl is false

  struct Impl;

 private:
  explicit RevocationService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::pki::revocation
