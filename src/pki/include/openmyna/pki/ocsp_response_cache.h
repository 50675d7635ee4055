// The OCSP responses a relying party has verified, kept by their exact DER
// bytes, so that the same response is decoded and its signature checked once.
//
// A responder may hand out one pre-signed response about a certificate to
// every request until nextUpdate (RFC 5019 §2.2; the sandbox responder does:
// ocsp_responder.h). CheckOcsp given a cache decodes such a response and
// verifies its signature and responder certificate (OCSP_basic_verify,
// RFC 6960 §4.2.2.2) once per (bytes, issuer); an identical answer later
// reuses the decoded response and that verdict. What is judged per request
// does not change: the nonce, the status of the certificate asked about and
// the currency (thisUpdate/nextUpdate) at the request's time. A change of
// status (a revocation) is a response with other bytes, verified afresh: a
// revoked certificate is refused as soon as the responder says so.
//
// The delegated responder's certificate (§4.2.2.2 case 3), the same in every
// response until the CA replaces it, is parsed once by its bytes and chained
// to the issuer once (id-kp-OCSPSigning, validity) per (certificate, issuer);
// each response's own signature is still verified with its key, and the
// response must answer only for certificates of that issuer.
//
// Kept: only responses that verified, are successful and carry no nonce (an
// echoed nonce makes every response unique). A verdict is reused only at
// times within the validity of every certificate it relied on (the issuer
// and those the response carries); outside, the response is verified again.
// At `capacity` entries the cache starts afresh. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace openmyna::pki {

class OcspResponseCache {
 public:
  explicit OcspResponseCache(std::size_t capacity = 4096);
  ~OcspResponseCache();
  OcspResponseCache(const OcspResponseCache&) = delete;
  OcspResponseCache& operator=(const OcspResponseCache&) = delete;

  struct Stats {
    std::uint64_t hits = 0;    // answers that reused a verdict
    std::uint64_t misses = 0;  // answers decoded and verified
    std::size_t entries = 0;
  };
  Stats stats() const;

  // Used by CheckOcsp (internal/ocsp_response_cache.h).
  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::pki
