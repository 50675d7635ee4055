// An OCSPResponse taken apart at the DER level (private to the pki library),
// so that the certificates a BasicOCSPResponse carries can be parsed by
// their exact bytes through a cache. RFC 6960 §4.2.1: the responder signs
// tbsResponseData only; `certs` (which help find and check the responder
// certificate) lie outside the signature, so a response whose certificates
// are added back after decoding verifies exactly as the original. OpenSSL
// 3.0 parses each certificate with a public-key decoder set up per call,
// the largest cost of reading a card's first OCSP answer (docs/sign-in.md
// "Benchmark", session 10).
#pragma once

#include <optional>
#include <vector>

#include "openmyna/base/bytes.h"

namespace openmyna::pki::internal {

struct SplitOcspResponse {
  int status = -1;  // OCSPResponseStatus (RFC 6960 §4.2.1)
  // The BasicOCSPResponse re-encoded without its certs field (DER); empty
  // when the response has no responseBytes of type id-pkix-ocsp-basic.
  Bytes basic_without_certs;
  std::vector<ByteView> certs;  // each Certificate's DER, in order
};

// Nullopt when `der` is not a DER OCSPResponse of that shape (the caller
// then lets OpenSSL decode it as a whole).
std::optional<SplitOcspResponse> SplitOcsp(ByteView der);

}  // namespace openmyna::pki::internal
