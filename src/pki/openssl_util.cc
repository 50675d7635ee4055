#include "internal/openssl_util.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

namespace openmyna::pki::internal {

Error CryptoError(std::string_view what) {
  std::string message(what);
  unsigned long code;
  char buffer[256];
  while ((code = ERR_get_error()) != 0) {
    ERR_error_string_n(code, buffer, sizeof(buffer));
    message += ": ";
    message += buffer;
  }
  return Error(PkiErrc::kCrypto, message);
}

std::int64_t ToUnix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

TimePoint FromUnix(std::int64_t seconds) {
  return TimePoint(std::chrono::seconds(seconds));
}

bool SetAsn1Time(ASN1_TIME* target, TimePoint t) {
  return ASN1_TIME_set(target, static_cast<time_t>(ToUnix(t))) != nullptr;
}

Result<TimePoint> FromAsn1Time(const ASN1_TIME* t) {
  struct tm parsed {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &parsed) != 1) {
    return Fail(PkiErrc::kBadCertificate, "unreadable ASN.1 time");
  }
  const auto days = std::chrono::sys_days(std::chrono::year_month_day(
      std::chrono::year(parsed.tm_year + 1900),
      std::chrono::month(static_cast<unsigned>(parsed.tm_mon + 1)),
      std::chrono::day(static_cast<unsigned>(parsed.tm_mday))));
  return TimePoint(days) + std::chrono::hours(parsed.tm_hour) +
         std::chrono::minutes(parsed.tm_min) +
         std::chrono::seconds(parsed.tm_sec);
}

TimePoint EndOfDayJst(std::chrono::year_month_day date) {
  return TimePoint(std::chrono::sys_days(date)) + std::chrono::hours(14) +
         std::chrono::minutes(59) + std::chrono::seconds(59);
}

std::chrono::year_month_day JstDate(TimePoint t) {
  return std::chrono::year_month_day(
      std::chrono::floor<std::chrono::days>(t + std::chrono::hours(9)));
}

bool AddRdn(X509_NAME* name, int nid, int asn1_type, std::string_view value) {
  return X509_NAME_add_entry_by_NID(
             name, nid, asn1_type,
             reinterpret_cast<const unsigned char*>(value.data()),
             static_cast<int>(value.size()), -1, 0) == 1;
}

Result<Bytes> KeyIdentifier(EVP_PKEY* key) {
  X509_PUBKEY* pub = nullptr;
  if (X509_PUBKEY_set(&pub, key) != 1) {
    return Unexpected(CryptoError("encoding public key"));
  }
  const unsigned char* data = nullptr;
  int length = 0;
  X509_PUBKEY_get0_param(nullptr, &data, &length, nullptr, pub);
  Bytes digest(SHA_DIGEST_LENGTH);
  SHA1(data, static_cast<size_t>(length), digest.data());
  X509_PUBKEY_free(pub);
  return digest;
}

Result<Bytes> KeyIdentifierOfCert(X509* cert) {
  // The subjectPublicKey BIT STRING as the certificate holds it: the same
  // bytes KeyIdentifier() encodes, without re-encoding the key.
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert);
  if (bits == nullptr || bits->length <= 0) {
    return Unexpected(CryptoError("certificate key"));
  }
  Bytes digest(SHA_DIGEST_LENGTH);
  SHA1(bits->data, static_cast<size_t>(bits->length), digest.data());
  return digest;
}

// Decoded from the extension itself, not from OpenSSL's per-certificate
// cache, which does not follow edits of an unsigned certificate.
Bytes SubjectKeyId(X509* cert) {
  auto* ski = static_cast<ASN1_OCTET_STRING*>(
      X509_get_ext_d2i(cert, NID_subject_key_identifier, nullptr, nullptr));
  if (ski == nullptr) return {};
  Bytes out(ski->data, ski->data + ski->length);
  ASN1_OCTET_STRING_free(ski);
  return out;
}

Bytes AuthorityKeyId(X509* cert) {
  auto* aki = static_cast<AUTHORITY_KEYID*>(
      X509_get_ext_d2i(cert, NID_authority_key_identifier, nullptr, nullptr));
  if (aki == nullptr) return {};
  Bytes out;
  if (aki->keyid != nullptr) {
    out.assign(aki->keyid->data, aki->keyid->data + aki->keyid->length);
  }
  AUTHORITY_KEYID_free(aki);
  return out;
}

Bytes SerialBytes(const ASN1_INTEGER* serial) {
  Bytes out(serial->data, serial->data + serial->length);
  std::size_t skip = 0;
  while (skip + 1 < out.size() && out[skip] == 0) ++skip;
  out.erase(out.begin(), out.begin() + static_cast<long>(skip));
  return out;
}

ASN1_INTEGER* NewAsn1Integer(ByteView magnitude) {
  BIGNUM* bn =
      BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), nullptr);
  if (bn == nullptr) return nullptr;
  ASN1_INTEGER* out = BN_to_ASN1_INTEGER(bn, nullptr);
  BN_free(bn);
  return out;
}

Result<Bytes> CertToDer(X509* cert) {
  return DerOf(cert, i2d_X509, "certificate");
}

namespace {
Result<std::string> DrainBio(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length < 0) return Unexpected(CryptoError("memory BIO"));
  return std::string(data, static_cast<std::size_t>(length));
}
}  // namespace

Result<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return Unexpected(CryptoError("writing certificate PEM"));
  }
  return DrainBio(bio.get());
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                       nullptr, nullptr) != 1) {
    return Unexpected(CryptoError("writing key PEM"));
  }
  return DrainBio(bio.get());
}

Result<X509Ptr> CertFromPemOrDer(ByteView data) {
  const unsigned char* p = data.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
  if (cert && p == data.data() + data.size()) return cert;
  cert.reset();
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return Fail(PkiErrc::kBadCertificate, "not a DER or PEM X.509 certificate");
  }
  return cert;
}

long Utf8Length(std::string_view text) {
  long count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return -1;
    }
    if (i + extra >= text.size()) return -1;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return -1;
    }
    i += extra + 1;
    ++count;
  }
  return count;
}

void AppendDerLength(Bytes& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  Bytes digits;
  while (length > 0) {
    digits.insert(digits.begin(), static_cast<std::uint8_t>(length & 0xFF));
    length >>= 8;
  }
  out.push_back(static_cast<std::uint8_t>(0x80 | digits.size()));
  Append(out, digits);
}

Bytes DerTlv(std::uint8_t tag, ByteView contents) {
  Bytes out;
  out.reserve(contents.size() + 6);
  out.push_back(tag);
  AppendDerLength(out, contents.size());
  Append(out, contents);
  return out;
}

}  // namespace openmyna::pki::internal
