// The JPKI platform verification API (issue 9, item 5; the platform operator
// of shared/docs/sign-in-portal.md §2.3–2.4, whose status codes relying
// parties already code against). Service "platform" of `openmyna serve`.
//
//   POST /verify/registration  {certificateForSign, applicantData, sign}
//   POST /verify/login         {certificateForUser, nonceData, nonceSign}
//   POST /verify/replacement   {certificateForSign, applicantData, sign,
//                               oldSerial}
//   GET  /verify/successor/{serial}
//
// Certificates travel as base64 DER (or PEM); `sign`/`nonceSign` is the
// card's RSA PKCS#1 v1.5 signature (base64 or base64url) over SHA-256 of the
// UTF-8 bytes of `applicantData`/`nonceData`. Each request is checked in
// this order:
//   400  malformed body or field, wrong certificate type for the call
//   401  unknown issuer, chain, validity, signature, or the CA's store says
//        revoked (pki), or the registry holds the certificate revoked
//   404  login: not registered; replacement: no registration with
//        oldSerial; successor: this party holds no such serial on file
//   409  registration: already registered
//   410  login: the signature certificate on file was revoked (change of
//        name or address, move, loss) or expired: read the signature
//        certificate again and call replacement; `successor` names the new
//        one when issued
//   503  the registry or the CA's store is unavailable
// Errors are RFC 9457 problem documents with `code` (c-3lab's names:
// invalid_request, unauthorized, not_found, conflict, gone,
// server_unavailable). Authentication: HTTP Basic with a `platform` role
// credential (`openmyna init`, `openmyna db credentials`); its id is the
// relying party the registrations belong to. Every call is in the
// resident's audit trail (registry).
#pragma once

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/store.h"

namespace openmyna::services {

// Borrowed; must outlive the router.
struct PlatformVerifyDeps {
  registry::RegistryStore& store;
  const pki::Sandbox& sandbox;
  pki::CertificateStore& ca_store;  // revocation as the CA records it
  const Clock& clock;
  Rng& rng;
};

Status AddPlatformVerifyApi(http::Router& router,
                            const PlatformVerifyDeps& deps);

}  // namespace openmyna::services
