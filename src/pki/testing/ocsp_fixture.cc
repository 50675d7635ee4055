#include "testing/ocsp_fixture.h"

#include <openssl/ocsp.h>

#include <algorithm>
#include <chrono>

namespace openmyna::pki::testing {

Bytes OcspResponse(X509* cert, X509* issuer, Signer& ca, TimePoint this_update,
                   bool revoked,
                   const std::vector<std::pair<X509*, X509*>>& also) {
  using std::chrono::system_clock;
  OCSP_BASICRESP* basic = OCSP_BASICRESP_new();
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
  ASN1_TIME* from =
      ASN1_TIME_set(nullptr, system_clock::to_time_t(this_update));
  ASN1_TIME* until = ASN1_TIME_set(
      nullptr, system_clock::to_time_t(this_update + std::chrono::hours(24)));
  OCSP_basic_add1_status(
      basic, id, revoked ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD,
      revoked ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : 0, revoked ? from : nullptr,
      from, until);
  for (const auto& [other, other_issuer] : also) {
    OCSP_CERTID* other_id = OCSP_cert_to_id(EVP_sha1(), other, other_issuer);
    OCSP_basic_add1_status(basic, other_id, V_OCSP_CERTSTATUS_GOOD, 0, nullptr,
                           from, until);
    OCSP_CERTID_free(other_id);
  }
  OCSP_basic_sign(basic, ca.certificate(), ca.openssl_private_key(),
                  EVP_sha256(), nullptr, 0);
  OCSP_RESPONSE* response =
      OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
  unsigned char* der = nullptr;
  const int n = i2d_OCSP_RESPONSE(response, &der);
  Bytes out(der, der + std::max(n, 0));
  OPENSSL_free(der);
  OCSP_RESPONSE_free(response);
  OCSP_BASICRESP_free(basic);
  OCSP_CERTID_free(id);
  ASN1_TIME_free(from);
  ASN1_TIME_free(until);
  return out;
}

}  // namespace openmyna::pki::testing
