// OCSP responses made with plain OpenSSL calls, independent of the
// revocation library (testing only, in openmyna_pki_testing): what a test
// hands a relying party's OCSP check in place of the sandbox responder.
#pragma once

#include <openssl/x509.h>

#include <utility>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/pki/signer.h"

namespace openmyna::pki::testing {

// A successful BasicOCSPResponse (RFC 6960 §4.2.1) signed by `ca` itself
// (§4.2.2.2 case 1) with one SingleResponse about `cert` issued by
// `issuer` (CertID by SHA-1): good, or revoked (keyCompromise) at
// `this_update` when `revoked`; thisUpdate `this_update`, nextUpdate one
// day later; no nonce (a pre-signed response).
// `also`: further (certificate, issuer) pairs answered good in the same
// response, after the first.
Bytes OcspResponse(X509* cert, X509* issuer, Signer& ca, TimePoint this_update,
                   bool revoked = false,
                   const std::vector<std::pair<X509*, X509*>>& also = {});

}  // namespace openmyna::pki::testing
