#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "internal/ocsp_der.h"
#include "internal/ocsp_response_cache.h"
#include "internal/openssl_util.h"
#include "internal/trust_store.h"
#include "openmyna/pki/errors.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::pki {
namespace {

struct OcspDeleter {
  void operator()(OCSP_REQUEST* p) const { OCSP_REQUEST_free(p); }
  void operator()(OCSP_RESPONSE* p) const { OCSP_RESPONSE_free(p); }
  void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); }
  void operator()(OCSP_CERTID* p) const { OCSP_CERTID_free(p); }
};

CertificateVerdict Unknown(std::string why) {
  CertificateVerdict v;
  v.rule = VerifyRule::kRevocationUnknown;
  v.detail = "OCSP: " + std::move(why);
  return v;
}

// RFC 6960 §4.2.2.1 / RFC 5019 §4: thisUpdate not after `at` and
// nextUpdate not before it, with 5 minutes leeway (as OpenSSL's
// OCSP_check_validity(…, 300, -1), which reads the system clock: used when
// no time is given).
bool Current(ASN1_GENERALIZEDTIME* this_update,
             ASN1_GENERALIZEDTIME* next_update, std::optional<TimePoint> at) {
  constexpr auto kLeeway = std::chrono::seconds(300);
  if (!at) return OCSP_check_validity(this_update, next_update, 300, -1) == 1;
  auto from = internal::FromAsn1Time(this_update);
  if (!from || *from > *at + kLeeway) return false;
  if (next_update == nullptr) return true;
  auto until = internal::FromAsn1Time(next_update);
  return until && *until >= *at - kLeeway && *until >= *from;
}

using BasicPtr = std::unique_ptr<OCSP_BASICRESP, OcspDeleter>;

// The BasicOCSPResponse of a DER OCSPResponse, or why not (a text that ends
// where the responder's URL is appended). Its certificates are parsed by
// their bytes through the cache's responder certificates when a cache is
// given, and added back to the decoded response (ocsp_der.h): it is then
// the response as OpenSSL would have decoded it as a whole, which it still
// does for a response of another shape.
Expected<BasicPtr, std::string> Decode(ByteView der, OcspResponseCache* cache) {
  const auto split = internal::SplitOcsp(der);
  if (!split) {
    const unsigned char* p = der.data();
    std::unique_ptr<OCSP_RESPONSE, OcspDeleter> response(
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!response) {
      ERR_clear_error();
      return Unexpected<std::string>("no response from ");
    }
    const int status = OCSP_response_status(response.get());
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
      return Unexpected<std::string>(std::string("responder said ") +
                                     OCSP_response_status_str(status) + ": ");
    }
    BasicPtr basic(OCSP_response_get1_basic(response.get()));
    if (!basic) return Unexpected<std::string>("no BasicOCSPResponse from ");
    return basic;
  }
  if (split->status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return Unexpected<std::string>(std::string("responder said ") +
                                   OCSP_response_status_str(split->status) +
                                   ": ");
  }
  const Bytes& stripped = split->basic_without_certs;
  const unsigned char* p = stripped.data();
  BasicPtr basic(
      d2i_OCSP_BASICRESP(nullptr, &p, static_cast<long>(stripped.size())));
  if (!basic || p != stripped.data() + stripped.size()) {
    ERR_clear_error();
    return Unexpected<std::string>("no BasicOCSPResponse from ");
  }
  for (ByteView cert_der : split->certs) {
    auto cert = cache ? cache->impl().responder_certs.Parse(cert_der)
                      : ParseCertificate(cert_der);
    if (!cert || OCSP_basic_add1_cert(basic.get(), cert->get()) != 1) {
      ERR_clear_error();
      return Unexpected<std::string>(
          "a certificate in the response is "
          "unreadable, from ");
    }
  }
  return basic;
}

// RFC 6960 §4.2.2.2: the response is signed by `issuer` or by a responder
// certificate `issuer` issued with id-kp-OCSPSigning, which must be valid
// at the response's time. OpenSSL's OCSP_basic_verify checks all of it;
// with a cache, a responder certificate found authorised for `issuer`
// before (same bytes, times within the validity it relied on) is not
// chained again: this response's own signature is verified with its key,
// and every certificate it answers for must be one of `issuer`'s (what
// OpenSSL's issuer check asks of the certificate IDs).
bool Verified(OCSP_BASICRESP* basic, X509* issuer, OCSP_CERTID* id,
              std::optional<TimePoint> current_at, TimePoint at,
              OcspResponseCache* cache) {
  X509* signer = nullptr;
  if (cache && OCSP_resp_get0_signer(basic, &signer, nullptr) == 1 &&
      cache->impl().Authorised(signer, issuer, at)) {
    for (int i = 0; i < OCSP_resp_count(basic); ++i) {
      const OCSP_CERTID* named =
          OCSP_SINGLERESP_get0_id(OCSP_resp_get0(basic, i));
      if (named == nullptr || OCSP_id_issuer_cmp(named, id) != 0) return false;
    }
    X509StorePtr store = internal::TrustStoreOf(issuer);
    return store &&
           OCSP_basic_verify(basic, nullptr, store.get(), OCSP_NOVERIFY) > 0;
  }
  // The time goes on this store, made for this verification: a store
  // shared between verifications is never changed (trust_store.h).
  X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), issuer) != 1) return false;
  if (current_at) {  // the responder certificate, at the same time
    X509_VERIFY_PARAM_set_time(
        X509_STORE_get0_param(store.get()),
        static_cast<time_t>(internal::ToUnix(*current_at)));
  }
  if (OCSP_basic_verify(basic, nullptr, store.get(), 0) <= 0) return false;
  if (cache && signer != nullptr) {
    cache->impl().RememberAuthorised(signer, issuer,
                                     OCSP_resp_get0_certs(basic));
  }
  return true;
}

}  // namespace

// POSTs `request` (DER) to `url` with OpenSSL's HTTP client; nullopt when
// the URL is not http:// or no DER answer came within the timeout.
std::optional<Bytes> PostOcspRequest(std::string_view url, ByteView request,
                                     int timeout_seconds) {
  char* host = nullptr;
  char* port = nullptr;
  char* path = nullptr;
  int ssl = 0;
  const std::string url_text(url);
  if (OCSP_parse_url(url_text.c_str(), &host, &port, &path, &ssl) != 1 || ssl) {
    ERR_clear_error();
    OPENSSL_free(host);
    OPENSSL_free(port);
    OPENSSL_free(path);
    return std::nullopt;
  }
  const std::string host_s(host), port_s(port), path_s(path);
  OPENSSL_free(host);
  OPENSSL_free(port);
  OPENSSL_free(path);
  internal::BioPtr request_der(
      BIO_new_mem_buf(request.data(), static_cast<int>(request.size())));
  constexpr std::size_t kMaxResponseBytes = 1 << 20;
  internal::BioPtr body(OSSL_HTTP_transfer(
      nullptr, host_s.c_str(), port_s.c_str(), path_s.c_str(), /*use_ssl=*/0,
      /*proxy=*/nullptr, /*no_proxy=*/nullptr, /*bio=*/nullptr,
      /*rbio=*/nullptr, /*bio_update_fn=*/nullptr, /*arg=*/nullptr,
      /*buf_size=*/0, /*headers=*/nullptr, "application/ocsp-request",
      request_der.get(), "application/ocsp-response", /*expect_asn1=*/1,
      kMaxResponseBytes, timeout_seconds, /*keep_alive=*/0));
  if (!body) {
    ERR_clear_error();
    return std::nullopt;
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(body.get(), &data);
  if (n <= 0) return std::nullopt;
  return Bytes(reinterpret_cast<unsigned char*>(data),
               reinterpret_cast<unsigned char*>(data) + n);
}

CertificateVerdict CheckOcsp(X509* cert, X509* issuer, std::string_view url,
                             int timeout_seconds,
                             std::optional<TimePoint> current_at,
                             OcspResponseCache* cache) {
  if (!std::string_view(url).starts_with("http://")) {
    return Unknown("not an http:// URL: " + std::string(url));
  }
  // RFC 6960 Appendix A.1: POST of the DER request, through OpenSSL's HTTP
  // client so that connecting and reading share one deadline.
  bool unanswered = false;
  CertificateVerdict verdict = CheckOcsp(
      cert, issuer, url,
      [timeout_seconds, &unanswered](std::string_view u,
                                     ByteView request) -> std::optional<Bytes> {
        std::optional<Bytes> answer =
            PostOcspRequest(u, request, timeout_seconds);
        unanswered = !answer;
        return answer;
      },
      current_at, cache);
  // Only this transport knows its deadline: say how long was waited.
  if (unanswered) {
    verdict.detail += " within " + std::to_string(timeout_seconds) + " s";
  }
  return verdict;
}

CertificateVerdict CheckOcsp(X509* cert, X509* issuer, std::string_view url,
                             const OcspTransport& transport,
                             std::optional<TimePoint> current_at,
                             OcspResponseCache* cache) {
  const std::string url_text(url);
  std::unique_ptr<OCSP_CERTID, OcspDeleter> id(
      OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  std::unique_ptr<OCSP_REQUEST, OcspDeleter> request(OCSP_REQUEST_new());
  if (!id || !request ||
      OCSP_request_add0_id(request.get(), OCSP_CERTID_dup(id.get())) ==
          nullptr ||
      OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1) {
    ERR_clear_error();
    return Unknown("cannot build the request");
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_OCSP_REQUEST(request.get(), &der);
  if (der_length <= 0) {
    ERR_clear_error();
    return Unknown("cannot build the request");
  }
  const Bytes request_der(der, der + der_length);
  OPENSSL_free(der);
  const std::optional<Bytes> answer = transport(url, request_der);
  if (!answer) return Unknown("no response from " + url_text);
  // The same bytes verified before against this issuer (cache given):
  // decoded and verified then; the nonce, status and currency below are
  // still read for this request (ocsp_response_cache.h).
  const TimePoint at = current_at.value_or(SystemClock().Now());
  std::shared_ptr<const OcspResponseCache::Impl::Entry> known =
      cache ? cache->impl().Find(*answer, issuer, at) : nullptr;
  std::unique_ptr<OCSP_BASICRESP, OcspDeleter> decoded;
  OCSP_BASICRESP* basic = known ? known->basic.get() : nullptr;
  if (!known) {
    auto read = Decode(*answer, cache);
    if (!read) return Unknown(read.error() + url_text);
    decoded = std::move(*read);
    basic = decoded.get();
  }
  if (OCSP_check_nonce(request.get(), basic) == 0) {
    return Unknown("the response answers another nonce");
  }
  if (!known) {
    if (!Verified(basic, issuer, id.get(), current_at, at, cache)) {
      ERR_clear_error();
      return Unknown("the response signature or responder is not trusted");
    }
    // Kept when it can be reused: no nonce echoed (then every answer is
    // unique).
    if (cache &&
        OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, -1) < 0) {
      known = cache->impl().Insert(
          *answer, issuer,
          std::unique_ptr<OCSP_BASICRESP,
                          OcspResponseCache::Impl::BasicDeleter>(
              decoded.release()));
      basic = known->basic.get();
    }
  }
  int cert_status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr,
                       *next_update = nullptr;
  if (OCSP_resp_find_status(basic, id.get(), &cert_status, &reason, &revoked_at,
                            &this_update, &next_update) != 1) {
    return Unknown("the response does not name this certificate");
  }
  if (!Current(this_update, next_update, current_at)) {
    ERR_clear_error();
    return Unknown("the response is not current");
  }
  CertificateVerdict verdict;
  switch (cert_status) {
    case V_OCSP_CERTSTATUS_GOOD:
      verdict.good = true;
      verdict.rule = VerifyRule::kOk;
      verdict.detail = "chain and validity good; OCSP good";
      return verdict;
    case V_OCSP_CERTSTATUS_REVOKED: {
      verdict.rule = VerifyRule::kRevoked;
      verdict.revocation_reason =
          reason >= 0 ? ReasonFromValue(reason)
                      : std::optional(RevocationReason::kUnspecified);
      if (auto when = internal::FromAsn1Time(revoked_at)) {
        verdict.revocation_time = *when;
      }
      verdict.detail =
          std::string("OCSP: revoked (") +
          std::string(ReasonName(verdict.revocation_reason.value_or(
              RevocationReason::kUnspecified))) +
          ")";
      return verdict;
    }
    default:
      return Unknown("status unknown");
  }
}

}  // namespace openmyna::pki

namespace openmyna::pki {

std::vector<std::string> CrlUrls(X509* cert) {
  std::vector<std::string> urls;
  auto* points = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  for (int i = 0; points && i < sk_DIST_POINT_num(points); ++i) {
    DIST_POINT* dp = sk_DIST_POINT_value(points, i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;
    GENERAL_NAMES* names = dp->distpoint->name.fullname;
    for (int k = 0; k < sk_GENERAL_NAME_num(names); ++k) {
      GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, k);
      if (gn->type != GEN_URI) continue;
      const ASN1_STRING* uri = gn->d.uniformResourceIdentifier;
      std::string text(
          reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
          static_cast<std::size_t>(ASN1_STRING_length(uri)));
      if (text.starts_with("http://")) urls.push_back(std::move(text));
    }
  }
  sk_DIST_POINT_pop_free(points, DIST_POINT_free);
  return urls;
}

Result<Bytes> FetchCrl(std::string_view url, int timeout_seconds) {
  const std::string text(url);
  if (!text.starts_with("http://")) {
    return Fail(PkiErrc::kIo, "CRL URL is not http://: " + text);
  }
  X509CrlPtr crl(
      X509_CRL_load_http(text.c_str(), nullptr, nullptr, timeout_seconds));
  if (!crl) {
    ERR_clear_error();
    return Fail(PkiErrc::kIo, "no CRL from " + text);
  }
  return internal::DerOf(crl.get(), i2d_X509_CRL, "CRL");
}

}  // namespace openmyna::pki
