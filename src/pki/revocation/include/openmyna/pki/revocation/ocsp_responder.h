// The OCSP responder (RFC 6960) of the sandbox CAs.
//
// Answers: good / revoked (revocationTime + revocationReason) / unknown per
// certificate, in a BasicOCSPResponse signed by the CA generation's
// delegated responder certificate (RFC 6960 §4.2.2.2: id-kp-OCSPSigning,
// issued by the CA), which is included in the response; ResponderID byKey
// (§4.2.2.3); sha256WithRSAEncryption.
//
// Speed (anchors.md §1 takeaways 3-4): responses are PRE-SIGNED and cached
// per (issuer, CertID hash algorithm, serial). A request for one
// certificate without a nonce is answered from the cache (a request of the
// simple shape — one CertID, no extensions — is recognised without
// OpenSSL's ASN.1 decoder: a hit is a parse, a hash lookup and a shared
// pointer copy); the cache is
// filled by Warm() (all certificates of the store, in the background) and
// on a miss by live signing; Refresh() re-signs entries that come within
// `refresh_before` of their nextUpdate; Invalidate()/SyncRevocations()
// drop or re-sign entries whose status changed.
//
// Nonces (RFC 6960 §4.4.1, RFC 8954): policy kIgnore (default) answers from
// the cache and does not echo the nonce, as the lightweight profile allows
// (RFC 5019 §2.2.1) — `openssl ocsp` then prints "WARNING: no nonce in
// response" and still verifies; kEcho signs live for every request that
// carries a nonce and echoes it.
//
// Errors are OCSP response statuses, not HTTP errors (RFC 6960 §2.3):
// malformedRequest for anything that is not exactly one DER OCSPRequest
// with at least one certificate; unauthorized when a CertID names an issuer
// this responder does not serve; internalError when signing or the store
// fails.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/signer.h"

namespace openmyna::pki::revocation {

// One CA generation the responder answers for.
struct OcspIssuer {
  CaKind ca = CaKind::kSignature;
  int generation = 1;
  X509* ca_certificate = nullptr;  // the generation's root; borrowed
  Signer* responder = nullptr;     // its delegated OCSP signer; borrowed
};

enum class NoncePolicy { kIgnore, kEcho };

struct OcspOptions {
  // nextUpdate - thisUpdate of every response.
  std::chrono::seconds validity = std::chrono::hours(24);
  // Cached responses are re-signed when less than this is left.
  std::chrono::seconds refresh_before = std::chrono::hours(6);
  NoncePolicy nonce = NoncePolicy::kIgnore;
};

struct OcspStats {
  std::uint64_t requests = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t live_signatures = 0;  // signed on the request path
  std::uint64_t presigned = 0;        // signed by Warm/Refresh/Sync
  std::uint64_t malformed = 0;
  std::uint64_t unauthorized = 0;
  std::uint64_t cached_entries = 0;
};

// The DER of an OCSPResponse, shared with the cache (never modified).
using OcspResponseDer = std::shared_ptr<const std::string>;

// A response and what a cache in front needs to know of it (the HTTP side,
// services/revocation, turns this into Cache-Control, Expires,
// Last-Modified and ETag: RFC 5019 §6.2).
struct OcspAnswer {
  OcspResponseDer der;
  // A successful response about one known certificate, no nonce echoed:
  // the same request gets the same bytes until nextUpdate or a change of
  // status, so a shared cache may keep it. False for errors, unknown
  // serials, several certificates and echoed nonces.
  bool cacheable = false;
  TimePoint this_update{};  // = producedAt (signed once, for every single)
  TimePoint next_update{};
  std::uint64_t fingerprint = 0;  // of `der` (FNV-1a 64), for an ETag
};

class OcspResponder {
 public:
  // `issuers`, `store` and `clock` are borrowed and must outlive the
  // responder. Thread-safe after construction.
  OcspResponder(std::vector<OcspIssuer> issuers, CertificateStore& store,
                const Clock& clock, OcspOptions options = {});
  ~OcspResponder();
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  // Answers one request (the body of a POST, or the decoded GET path).
  // Always returns an OCSPResponse DER; never fails.
  OcspResponseDer Respond(ByteView request_der);
  // The same answer with its validity.
  OcspAnswer Answer(ByteView request_der);
  // The answer to a request that is not one DER OCSPRequest (an
  // undecodable GET path): malformedRequest.
  OcspAnswer Malformed();

  // Pre-signs SHA-1 CertID responses (the CertID hash `openssl ocsp` and
  // most clients use) for every certificate of every served issuer in the
  // store, on `threads` threads (0: one per core; the calling thread is
  // one of them). Reads serials and statuses only
  // (CertificateStore::ForEachStatus); skips entries already cached (a
  // miss signed live meanwhile). Returns how many were signed. `stop` may
  // be set by another thread to end early. Requests are answered (live
  // on a miss) while this runs.
  Result<std::uint64_t> Warm(const std::atomic<bool>* stop = nullptr,
                             int threads = 0);
  // Re-signs cached responses that are within refresh_before of their
  // nextUpdate (or past it). Returns how many.
  std::uint64_t Refresh();
  // Reads the store's revocation change counter and, when it moved,
  // signs the revoked response of every certificate revoked since the last
  // call (CertificateStore::ForEachRevocationSince: the changes only, not
  // every revoked entry), for the SHA-1 CertID and every other hash that is
  // cached. A revocation made by another process on the same store thus
  // reaches the answers within one call. Returns how many responses were
  // signed.
  Result<std::uint64_t> SyncRevocations();
  // Drops the cached responses of one serial (call after a revocation).
  void Invalidate(const Serial& serial);

  OcspStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Decodes the path segment of an RFC 6960 Appendix A.1 GET request:
// percent-decoding, then strict base64 (RFC 4648 §4, padding required,
// no whitespace). Returns nullopt when either step fails.
std::optional<Bytes> DecodeOcspGetPath(std::string_view segment);

// The path segment of an RFC 6960 Appendix A.1 GET request for `der` (an
// OCSPRequest): base64 (RFC 4648 §4), then '+', '/' and '=' percent-encoded
// (RFC 3986 §2.1), as RFC 5019 §5 asks and DecodeOcspGetPath accepts.
std::string EncodeOcspGetPath(ByteView der);

}  // namespace openmyna::pki::revocation
