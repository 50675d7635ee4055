// Fuzz target for internal::SplitOcsp (ocsp_der.h), the hand-written DER walk
// of an OCSPResponse as it comes from the network. Must never crash, read
// outside the input, leak or hang; and where OpenSSL decodes the same bytes
// as a whole (d2i_OCSP_RESPONSE), the split must agree with it: the same
// responseStatus, a BasicOCSPResponse without certs that OpenSSL decodes,
// and as many certificates as OpenSSL found (abort() otherwise, which
// libFuzzer reports).
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "internal/ocsp_der.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace openmyna;
  const ByteView input(data, size);
  const auto split = pki::internal::SplitOcsp(input);
  if (split) {
    for (ByteView cert : split->certs) {
      if (cert.data() < data || cert.data() + cert.size() > data + size) {
        std::abort();
      }
    }
  }
  const unsigned char* p = data;
  OCSP_RESPONSE* whole =
      d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(size));
  if (whole != nullptr && split) {
    if (OCSP_response_status(whole) != split->status) std::abort();
    OCSP_BASICRESP* basic = OCSP_response_get1_basic(whole);
    if (basic != nullptr) {
      const Bytes& stripped = split->basic_without_certs;
      const unsigned char* q = stripped.data();
      OCSP_BASICRESP* alone =
          d2i_OCSP_BASICRESP(nullptr, &q, static_cast<long>(stripped.size()));
      const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic);
      const std::size_t count =
          certs ? static_cast<std::size_t>(sk_X509_num(certs)) : 0;
      if (alone == nullptr || count != split->certs.size()) std::abort();
      OCSP_BASICRESP_free(alone);
      OCSP_BASICRESP_free(basic);
    }
  }
  OCSP_RESPONSE_free(whole);
  ERR_clear_error();
  return 0;
}
