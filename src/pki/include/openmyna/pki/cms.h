// CMS SignedData (RFC 5652) over a file, detached: what `openmyna sign`
// makes and `openmyna verify cms` checks. `openssl cms -verify` accepts
// what SignDetached makes; VerifyDetached accepts `openssl cms -sign`
// output made with a sandbox key.
#pragma once

#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::pki {

// Detached SignedData, DER: SHA-256, signed attributes (content type,
// message digest, signing time from `clock`), the signer certificate
// included. `key` and `signer_cert` are borrowed. kCrypto on failure.
Result<Bytes> SignDetached(ByteView content, EVP_PKEY* key, X509* signer_cert,
                           const Clock& clock);

struct CmsVerdict {
  bool good = false;
  std::string detail;
  // The signer certificate's verdict (chain, validity at options.at, or at
  // the signingTime attribute when options.at is the epoch, CRLs), when
  // the signature itself verified.
  CertificateVerdict signer;
  X509Ptr signer_certificate;
};

// Verifies a detached SignedData (DER or PEM) over `content`: the signature
// over the signed attributes and the content digest, then the signer
// certificate with VerifyCertificate against `roots`. kBadCertificate when
// `cms` does not parse.
Result<CmsVerdict> VerifyDetached(ByteView cms, ByteView content,
                                  const std::vector<X509*>& roots,
                                  const VerifyOptions& options);

}  // namespace openmyna::pki
