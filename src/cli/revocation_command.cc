// Registers the revocation services of `openmyna serve`: "ocsp" and "crl"
// (services/revocation.h). Settings (`serve --set NAME=VALUE`):
//   revocation.cache-max-age=SECONDS   the longest a shared cache may keep an
//                                      OCSP answer or a CRL (default 60)
//   revocation.sync-interval-ms=MS     how often the store's revocation
//                                      counter is read (default 250)
#include <memory>
#include <string>

#include "cli/in_process_ocsp.h"
#include "cli/service_settings.h"
#include "openmyna/http/service.h"
#include "openmyna/services/revocation.h"

namespace openmyna::cli {
namespace {

class RevocationHttpService final : public http::Service {
 public:
  explicit RevocationHttpService(std::unique_ptr<services::RevocationService> s)
      : service_(std::move(s)) {}
  Status Start() override {
    OPENMYNA_RETURN_IF_ERROR(service_->Start());
    // The sign-in provider of this serve asks it in process.
    if (service_->ocsp() != nullptr) SetInProcessOcsp(service_->ocsp());
    return Ok();
  }
  void Stop() override {
    if (service_->ocsp() != nullptr) SetInProcessOcsp(nullptr);
    service_->Stop();
  }

 private:
  std::unique_ptr<services::RevocationService> service_;
};

Result<std::unique_ptr<http::Service>> MakeRevocation(
    const http::ServiceContext& context, http::Router& router, bool ocsp) {
  services::RevocationServiceOptions options;
  options.ocsp = ocsp;
  options.crl = !ocsp;
  OPENMYNA_ASSIGN_OR_RETURN(
      long long max_age,
      WholeSetting(context, "revocation.cache-max-age", 60, 0, 86'400));
  OPENMYNA_ASSIGN_OR_RETURN(
      long long sync_ms,
      WholeSetting(context, "revocation.sync-interval-ms", 250, 10, 60'000));
  options.cache_max_age = std::chrono::seconds(max_age);
  options.sync_interval = std::chrono::milliseconds(sync_ms);
  OPENMYNA_ASSIGN_OR_RETURN(
      auto service, services::RevocationService::Open(context.data_dir,
                                                      *context.clock, options));
  OPENMYNA_RETURN_IF_ERROR(service->AddRoutes(router));
  return std::unique_ptr<http::Service>(
      std::make_unique<RevocationHttpService>(std::move(service)));
}

const http::ServiceRegistration kOcsp{
    "ocsp",
    "OCSP responder (RFC 6960) for both sandbox CAs at /ocsp/sign, /ocsp/auth",
    [](const http::ServiceContext& c, http::Router& r) {
      return MakeRevocation(c, r, true);
    }};
const http::ServiceRegistration kCrl{
    "crl", "partitioned CRLs (RFC 5280) at /crl/<kind>/g<N>/<municipality>.crl",
    [](const http::ServiceContext& c, http::Router& r) {
      return MakeRevocation(c, r, false);
    }};

}  // namespace
}  // namespace openmyna::cli
