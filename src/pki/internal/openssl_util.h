// Private helpers of the pki library around OpenSSL 3 (not installed, not
// part of the contract).
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/errors.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki::internal {

struct BioDeleter {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// kCrypto with `what` and OpenSSL's error queue (which is then cleared).
Error CryptoError(std::string_view what);

// Whole seconds since the epoch and back; ASN1_TIME (UTCTime before 2050,
// GeneralizedTime after: RFC 5280 §4.1.2.5).
std::int64_t ToUnix(TimePoint t);
TimePoint FromUnix(std::int64_t seconds);
bool SetAsn1Time(ASN1_TIME* target, TimePoint t);
Result<TimePoint> FromAsn1Time(const ASN1_TIME* t);

// 14:59:59Z of a date = 23:59:59 JST (jpki.md §2.2).
TimePoint EndOfDayJst(std::chrono::year_month_day date);
// The JST calendar date of an instant.
std::chrono::year_month_day JstDate(TimePoint t);

// Appends an RDN with the given string type (V_ASN1_PRINTABLESTRING or
// V_ASN1_UTF8STRING).
bool AddRdn(X509_NAME* name, int nid, int asn1_type, std::string_view value);

// SHA-1 of the subjectPublicKey BIT STRING contents (the DER RSAPublicKey):
// RFC 5280 §4.2.1.2 method 1.
Result<Bytes> KeyIdentifier(EVP_PKEY* key);
Result<Bytes> KeyIdentifierOfCert(X509* cert);

// The subjectKeyIdentifier / AKI keyIdentifier of a certificate, or empty.
Bytes SubjectKeyId(X509* cert);
Bytes AuthorityKeyId(X509* cert);

// Serial of a certificate as Bytes (magnitude).
Bytes SerialBytes(const ASN1_INTEGER* serial);
ASN1_INTEGER* NewAsn1Integer(ByteView magnitude);

// The DER of an OpenSSL object through its i2d_ function (X.690), e.g.
// `DerOf(crl, i2d_X509_CRL, "CRL")`; `what` names it in the error.
template <typename T>
Result<Bytes> DerOf(const T* object, int (*i2d)(const T*, unsigned char**),
                    std::string_view what) {
  unsigned char* der = nullptr;
  const int length = i2d(object, &der);
  if (length <= 0) {
    return Unexpected(
        CryptoError(std::string("encoding ") + std::string(what)));
  }
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// DER and PEM of certificates and keys.
Result<Bytes> CertToDer(X509* cert);
Result<std::string> CertToPem(X509* cert);
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);
Result<X509Ptr> CertFromPemOrDer(ByteView data);

// Number of Unicode code points of valid UTF-8 text; -1 if not UTF-8.
long Utf8Length(std::string_view text);

// DER length octets (X.690 §8.1.3) and a TLV.
void AppendDerLength(Bytes& out, std::size_t length);
Bytes DerTlv(std::uint8_t tag, ByteView contents);

}  // namespace openmyna::pki::internal
