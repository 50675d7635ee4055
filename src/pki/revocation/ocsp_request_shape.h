// The common shape of an OCSP request, recognised without OpenSSL's ASN.1
// decoder so that the responder's cache hit costs a few comparisons
// (internal to pki_revocation).
//
// RFC 6960 §4.1.1:
//   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest,
//                              optionalSignature [0] EXPLICIT OPTIONAL }
//   TBSRequest  ::= SEQUENCE { version [0] DEFAULT v1, requestorName [1]
//                              OPTIONAL, requestList SEQUENCE OF Request,
//                              requestExtensions [2] OPTIONAL }
//   Request     ::= SEQUENCE { reqCert CertID,
//                              singleRequestExtensions [0] OPTIONAL }
//   CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier,
//                              issuerNameHash OCTET STRING,
//                              issuerKeyHash OCTET STRING,
//                              serialNumber CertificateSerialNumber }
// "Simple" means: exactly those SEQUENCEs, one Request, no version, no
// requestorName, no extensions (so no nonce), no signature, DER lengths,
// nothing after the end. Everything else goes the slow, general way.
#pragma once

#include <optional>

#include "openmyna/base/bytes.h"

namespace openmyna::pki::revocation::internal {

struct SimpleOcspRequest {
  // hashAlgorithm, issuerNameHash and issuerKeyHash as they appear (their
  // DER TLVs, contiguous): compared byte for byte with the served issuers'.
  ByteView issuer_fields;
  // serialNumber contents without leading zero octets; empty when the
  // INTEGER is zero or negative.
  ByteView serial;
};

// Views into `der`; nullopt when the request is not of the simple shape.
std::optional<SimpleOcspRequest> ParseSimpleOcspRequest(ByteView der);

}  // namespace openmyna::pki::revocation::internal
