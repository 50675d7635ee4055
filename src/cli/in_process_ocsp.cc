#include "cli/in_process_ocsp.h"

#include <atomic>

namespace openmyna::cli {
namespace {
std::atomic<pki::revocation::OcspResponder*> g_responder{nullptr};
}  // namespace

void SetInProcessOcsp(pki::revocation::OcspResponder* responder) {
  g_responder.store(responder);
}

pki::OcspTransport InProcessOrHttpOcsp() {
  return [](std::string_view url, ByteView request) -> std::optional<Bytes> {
    if (auto* responder = g_responder.load()) {
      const pki::revocation::OcspResponseDer der = responder->Respond(request);
      return Bytes(der->begin(), der->end());
    }
    return pki::PostOcspRequest(url, request);
  };
}

}  // namespace openmyna::cli
