// The OCSP responder of this `openmyna serve` process, for the other
// services of the same serve: the sign-in provider asks it directly (the
// pki::revocation API) instead of POSTing to its own HTTP port, which would
// hold one worker thread while another answers. Set by the "ocsp" service
// between its Start() and Stop() (the server accepts requests only in
// between); nullptr otherwise.
#pragma once

#include "openmyna/pki/revocation/ocsp_responder.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::cli {

void SetInProcessOcsp(pki::revocation::OcspResponder* responder);

// An OCSP transport for pki::VerifyOptions: the in-process responder when
// one is set, else HTTP POST to the URL (a responder elsewhere).
pki::OcspTransport InProcessOrHttpOcsp();

}  // namespace openmyna::cli
