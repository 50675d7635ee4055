// The centre's check of the card (konbini.md §1.3, step 3 of §1.2): the
// signature over the challenge with the certificate's key, the chain to the
// sandbox authentication roots by key identifier, validity at the instant,
// and revocation through OCSP when a responder URL is given (the registry's
// own revocation flag is checked again at the mapping).
//
// The certificate as parsed is kept by its DER bytes (a card comes back
// session after session; parsing was most of this check's CPU, perf): the
// parse is all that is kept. The signature over the new challenge, the
// chain at the instant and OCSP are judged afresh every time, so a card
// revoked since its last session is refused.
#pragma once

#include <string>
#include <vector>

#include "openmyna/pki/certificate_cache.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/services/konbini/centre.h"

namespace openmyna::konbini {

class PkiCardVerifier final : public CardVerifier {
 public:
  // `roots`: the authentication CA generations (pki::Sandbox::Roots).
  PkiCardVerifier(std::vector<pki::X509Ptr> roots, std::string ocsp_url = {});
  Result<std::string> Verify(ByteView certificate_der, ByteView challenge,
                             ByteView signature, TimePoint at) override;

 private:
  std::vector<pki::X509Ptr> roots_;
  std::string ocsp_url_;
  pki::CertificateCache certificates_;  // DER → parsed, bounded
};

}  // namespace openmyna::konbini
