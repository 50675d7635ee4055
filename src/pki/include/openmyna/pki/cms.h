// CMS SignedData (RFC 5652) over a file, detached: what `openmyna sign`
// makes and `openmyna verify cms` checks. `openssl cms -verify` accepts
// what SignDetached makes; VerifyDetached accepts `openssl cms -sign`
// output made with a sandbox key.
#pragma once

#include <functional>
#include <optional>
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

// An external RSA signer, e.g. a smart card (JPKI COMPUTE DIGITAL
// SIGNATURE, card-apdu.md §3.4): receives the DER DigestInfo (RFC 8017
// §9.2, SHA-256: 51 bytes) of the signed attributes and returns the raw
// RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.1), i.e. it pads and applies
// the private key, without hashing again. Its errors are passed through
// unchanged.
using DigestInfoSigner = std::function<Result<Bytes>(ByteView digest_info)>;

// The same detached SignedData as SignDetached, made when the private key
// is not in this process: signed attributes contentType (id-data),
// messageDigest (SHA-256 of `content`) and signingTime (from `clock`)
// (RFC 5652 §5.3, §11); no SMIMECapabilities. The SignedAttributes DER
// (RFC 5652 §5.4, re-tagged as a SET) is hashed here and `sign` is called
// exactly once with its DigestInfo. The signature is checked against
// `signer_cert`'s public key before anything is returned, so a signer that
// used another key fails with kCrypto. `signer_cert` (RSA) is borrowed and
// included in the result. Errors: kBadCertificate (no RSA key in
// `signer_cert`), kCrypto, or whatever `sign` returned.
Result<Bytes> SignDetachedExternal(ByteView content, X509* signer_cert,
                                   const DigestInfoSigner& sign,
                                   const Clock& clock);

// SignDetachedExternal in two halves, for a signer that answers later (the
// signing API's round trip through the card holder's app): the DigestInfo
// of the signed attributes for `content` signed at `signing_time` (whole
// seconds), which depends on neither key nor certificate, and then the
// SignedData with the signature over it made by `signer_cert`'s key — the
// same bytes SignDetachedExternal makes with a clock at `signing_time`.
// Errors as SignDetachedExternal's.
Result<Bytes> DetachedDigestInfo(ByteView content, TimePoint signing_time);
Result<Bytes> AssembleDetached(ByteView content, X509* signer_cert,
                               TimePoint signing_time, ByteView signature);

struct CmsVerdict {
  bool good = false;
  std::string detail;
  // The signer certificate's verdict (chain, validity at options.at, or at
  // the signingTime attribute when options.at is the epoch, CRLs), when
  // the signature itself verified.
  CertificateVerdict signer;
  X509Ptr signer_certificate;
  // The signingTime signed attribute (RFC 5652 §11.3), when present.
  std::optional<TimePoint> signing_time;
};

// Verifies a detached SignedData (DER or PEM) over `content`: the signature
// over the signed attributes and the content digest, then the signer
// certificate with VerifyCertificate against `roots`. kBadCertificate when
// `cms` does not parse.
Result<CmsVerdict> VerifyDetached(ByteView cms, ByteView content,
                                  const std::vector<X509*>& roots,
                                  const VerifyOptions& options);

}  // namespace openmyna::pki
