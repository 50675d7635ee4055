#include "openmyna/pki/certificate_authority.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "internal/extensions.h"
#include "internal/openssl_util.h"
#include "internal/profiles.h"
#include "openmyna/pki/errors.h"
#include "openmyna/pki/linter.h"

namespace openmyna::pki {
namespace {

using internal::CryptoError;

constexpr int kMaxSerialAttempts = 8;
constexpr long kMaxNameLength = 100;     // jpki.md §13 row 10
constexpr long kMaxAddressLength = 200;  // jpki.md §13 row 10
constexpr std::string_view kCnAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

Error Invalid(std::string message) {
  return Error(PkiErrc::kInvalidRequest, std::move(message));
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

bool PrintableAscii(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Flags: '0'/'1' per character of `text` (jpki.md §3.3); empty → all '0'.
Result<std::string> Flags(std::string_view what, const std::string& text,
                          const std::string& flags, long max_length) {
  const long length = internal::Utf8Length(text);
  if (length <= 0)
    return Unexpected(Invalid(std::string(what) + " is empty or not UTF-8"));
  if (length > max_length) {
    return Unexpected(Invalid(std::string(what) + " longer than " +
                              std::to_string(max_length) + " characters"));
  }
  if (flags.empty()) return std::string(static_cast<std::size_t>(length), '0');
  if (static_cast<long>(flags.size()) != length ||
      flags.find_first_not_of("01") != std::string::npos) {
    return Unexpected(Invalid(std::string(what) +
                              " flags must be one '0'/'1' per character (" +
                              std::to_string(length) + ")"));
  }
  return flags;
}

// A certificate shell around the request's SubjectPublicKeyInfo DER,
// parsed by OpenSSL: the key is decoded once (the RSA-2048 / e=65537
// checks read it) and kept as received, never re-encoded —
// X509_set_pubkey would run OpenSSL 3's encoder and decoder again. Every
// other TBSCertificate field (RFC 5280 §4.1) is a placeholder that Issue
// overwrites: version, serial, signature, issuer, validity, subject.
Result<X509Ptr> CertificateWithSubjectKey(const Bytes& spki) {
  auto invalid = [] {
    ERR_clear_error();
    return Unexpected(
        Invalid("subject public key is not a DER SubjectPublicKeyInfo"));
  };
  // The SPKI must be exactly one SEQUENCE (nothing after it).
  if (spki.size() < 2 || spki[0] != 0x30) return invalid();
  std::size_t length = spki[1], header = 2;
  if (length & 0x80) {
    const std::size_t n = length & 0x7f;
    if (n == 0 || n > 3 || spki.size() < 2 + n) return invalid();
    length = 0;
    for (std::size_t i = 0; i < n; ++i) length = length << 8 | spki[2 + i];
    header += n;
  }
  if (header + length != spki.size()) return invalid();
  static const Bytes
      kBefore = {0xa0, 0x03, 0x02, 0x01, 0x02,  // [0] version v3
                 0x02, 0x01, 0x01,              // serialNumber (placeholder)
                 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,  // sha256WithRSAEncryption
                 0x30, 0x00,                          // issuer (placeholder)
                 0x30, 0x1e, 0x17, 0x0d, '7',  '0',  '0',  '1',  '0',
                 '1',  '0',  '0',  '0',  '0',  '0',  '0',  'Z',  0x17,
                 0x0d, '7',  '0',  '0',  '1',  '0',  '1',  '0',  '0',
                 '0',  '0',  '0',  '0',  'Z',  // validity (placeholder)
                 0x30, 0x00};                  // subject (placeholder)
  Bytes tbs = kBefore;
  Append(tbs, spki);
  Bytes body = internal::DerTlv(0x30, tbs);
  Append(body, ByteView(kBefore).subspan(8, 15));  // signatureAlgorithm
  Append(body, Bytes{0x03, 0x01, 0x00});           // empty signature
  const Bytes der = internal::DerTlv(0x30, body);
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) return invalid();
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) return invalid();
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA ||
      EVP_PKEY_get_bits(key) != 2048) {
    return Unexpected(Invalid("subject key must be RSA-2048 (jpki.md §1)"));
  }
  BIGNUM* e = nullptr;
  const bool e_ok =
      EVP_PKEY_get_bn_param(key, "e", &e) == 1 && BN_is_word(e, 65537);
  BN_free(e);
  if (!e_ok) return Unexpected(Invalid("subject key exponent must be 65537"));
  return cert;
}

Status ValidateMunicipality(const Municipality& m) {
  if (m.code.size() != 5 || !AllDigits(m.code)) {
    return Unexpected(
        Invalid("municipality code must be 5 digits without the check digit"));
  }
  if (!PrintableAscii(m.prefecture) || !PrintableAscii(m.name)) {
    return Unexpected(Invalid(
        "prefecture and municipality must be romanised (jpki.md §13 row 7)"));
  }
  return Ok();
}

Status ValidateDateOfBirth(const std::string& dob) {
  if (dob.size() != 9 || !AllDigits(dob) || dob[0] > '5') {
    return Unexpected(
        Invalid("date of birth must be EYYYYMMDD with era 0-5 "
                "(jpki.md §3.3)"));
  }
  return Ok();
}

std::string RandomCn(Rng& rng, const std::string& municipality_code) {
  // 14 random [0-9A-Z] + the municipality code + "003A" (jpki.md §13 row 13)
  std::string cn;
  for (int i = 0; i < 14; ++i) {
    cn.push_back(kCnAlphabet[rng.UniformBelow(kCnAlphabet.size())]);
  }
  return cn + municipality_code + "003A";
}

}  // namespace

Result<Signer*> CertificateAuthority::CurrentSigner(CaKind kind,
                                                    int generation) {
  const int i = kind == CaKind::kSignature ? 0 : 1;
  if (!signers_[i] || signer_generations_[i] != generation) {
    OPENMYNA_ASSIGN_OR_RETURN(signers_[i], sandbox_.CaSigner(kind, generation));
    signer_generations_[i] = generation;
  }
  return signers_[i].get();
}

Result<IssuedCertificate> CertificateAuthority::Issue(
    const IssueRequest& request) {
  const bool sign = request.kind == CertificateKind::kSignature;
  const CaKind ca_kind = sign ? CaKind::kSignature : CaKind::kAuthentication;
  OPENMYNA_ASSIGN_OR_RETURN(
      X509Ptr cert, CertificateWithSubjectKey(request.subject_public_key_info));
  OPENMYNA_RETURN_IF_ERROR(ValidateMunicipality(request.municipality));
  std::string name_flags, address_flags;
  if (sign) {
    OPENMYNA_ASSIGN_OR_RETURN(
        name_flags, Flags("name", request.personal.name,
                          request.personal.name_flags, kMaxNameLength));
    OPENMYNA_ASSIGN_OR_RETURN(
        address_flags,
        Flags("address", request.personal.address,
              request.personal.address_flags, kMaxAddressLength));
    OPENMYNA_RETURN_IF_ERROR(
        ValidateDateOfBirth(request.personal.date_of_birth));
    const char sex = static_cast<char>(request.personal.sex);
    if (sex < '1' || sex > '3') {
      return Unexpected(Invalid("sex must be 1, 2 or 3 (jpki.md §3.3)"));
    }
  }

  const CaGeneration& generation = sandbox_.current(ca_kind);
  OPENMYNA_ASSIGN_OR_RETURN(Signer * signer,
                            CurrentSigner(ca_kind, generation.number));
  X509* root = signer->certificate();
  const TimePoint not_before =
      std::chrono::floor<std::chrono::seconds>(request.not_before);
  TimePoint not_after = internal::EndOfDayJst(request.not_after_date);
  OPENMYNA_ASSIGN_OR_RETURN(TimePoint root_end,
                            internal::FromAsn1Time(X509_get0_notAfter(root)));
  OPENMYNA_ASSIGN_OR_RETURN(TimePoint root_start,
                            internal::FromAsn1Time(X509_get0_notBefore(root)));
  not_after = std::min(not_after, root_end);  // jpki.md §12: cap at the root
  if (not_after <= not_before) {
    return Unexpected(Invalid("notAfter is not after notBefore"));
  }
  if (not_before < root_start) {
    return Unexpected(Invalid("notBefore precedes the issuing root"));
  }

  Serial serial;
  for (int attempt = 0;; ++attempt) {
    if (attempt == kMaxSerialAttempts) {
      return Fail(PkiErrc::kSerialExhausted, "no unique serial");
    }
    serial = internal::RandomSerial(rng_);
    OPENMYNA_ASSIGN_OR_RETURN(bool taken, store_.Contains(serial));
    if (!taken) break;
  }
  const std::string cn = RandomCn(rng_, request.municipality.code);
  const CrlPartition partition{
      ca_kind, generation.number, request.municipality.code,
      request.municipality.prefecture, request.municipality.name};

  // --- TBSCertificate (RFC 5280 §4.1) ---
  X509NamePtr subject(X509_NAME_new());
  internal::AddRdn(subject.get(), NID_countryName, V_ASN1_PRINTABLESTRING,
                   "JP");
  if (sign) {  // jpki.md §3.2: C, L=<prefecture>, L=<municipality>, CN
    internal::AddRdn(subject.get(), NID_localityName, V_ASN1_UTF8STRING,
                     request.municipality.prefecture);
    internal::AddRdn(subject.get(), NID_localityName, V_ASN1_UTF8STRING,
                     request.municipality.name);
  }
  internal::AddRdn(subject.get(), NID_commonName, V_ASN1_UTF8STRING, cn);
  ASN1_INTEGER* asn1_serial = internal::NewAsn1Integer(serial.bytes);
  const bool ok =
      X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      X509_set_serialNumber(cert.get(), asn1_serial) == 1 &&
      X509_set_issuer_name(cert.get(), X509_get_subject_name(root)) == 1 &&
      X509_set_subject_name(cert.get(), subject.get()) == 1 &&
      internal::SetAsn1Time(X509_getm_notBefore(cert.get()), not_before) &&
      internal::SetAsn1Time(X509_getm_notAfter(cert.get()), not_after);
  ASN1_INTEGER_free(asn1_serial);
  if (!ok) return Unexpected(CryptoError("building certificate"));

  // --- Extensions, in the order of jpki.md §3.1 / §3.2 (SKI last) ---
  const std::string base = sandbox_.base_url();
  if (sign) {
    OPENMYNA_RETURN_IF_ERROR(internal::AddKeyUsage(
        cert.get(),
        {internal::kKuDigitalSignature, internal::kKuNonRepudiation}));
  } else {
    OPENMYNA_RETURN_IF_ERROR(
        internal::AddKeyUsage(cert.get(), {internal::kKuDigitalSignature}));
    OPENMYNA_RETURN_IF_ERROR(
        internal::AddExtendedKeyUsage(cert.get(), NID_client_auth));
  }
  std::string_view policy =
      sign ? (request.jlis_test_card_policy ? kJlisTestCardSignPolicyOid
                                            : kSandboxSignPolicyOid)
           : kSandboxAuthPolicyOid;
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddPolicy(cert.get(), policy, base + CpsPath()));
  if (sign) {
    const PersonalData& p = request.personal;
    // Order 5.5.1, 5.5.4, 5.5.3, 5.5.5, 5.5.2, 5.5.6 (jpki.md §3.2).
    OPENMYNA_RETURN_IF_ERROR(internal::AddOtherNameSan(
        cert.get(), {{kOidName, p.name},
                     {kOidDateOfBirth, p.date_of_birth},
                     {kOidSex, std::string(1, static_cast<char>(p.sex))},
                     {kOidAddress, p.address},
                     {kOidNameFlags, name_flags},
                     {kOidAddressFlags, address_flags}}));
  }
  X509NamePtr alt = internal::JapaneseAltName(ca_kind);
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddDirNameAltName(cert.get(), NID_issuer_alt_name, alt.get()));
  OPENMYNA_ASSIGN_OR_RETURN(
      GeneralNamesPtr dp,
      DistributionPointNames(partition, base, request.crldp_dirname_only));
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddCrlDistributionPoint(cert.get(), dp.get()));
  if (!sign || !request.omit_signature_ocsp) {
    OPENMYNA_RETURN_IF_ERROR(
        internal::AddOcspAia(cert.get(), base + OcspPath(ca_kind)));
  }
  OPENMYNA_RETURN_IF_ERROR(internal::AddAuthorityKeyId(
      cert.get(), signer->key_identifier(), X509_get_subject_name(root),
      X509_get0_serialNumber(root)));
  // SHA-1 of the subjectPublicKey the certificate already holds (no second
  // encoding of the key).
  OPENMYNA_ASSIGN_OR_RETURN(Bytes ski,
                            internal::KeyIdentifierOfCert(cert.get()));
  OPENMYNA_RETURN_IF_ERROR(internal::AddSubjectKeyId(cert.get(), ski));

  // --- Lint before the CA key signs ---
  const auto findings = LintCertificate(
      cert.get(), {sign ? CertificateProfile::kSignatureEndEntity
                        : CertificateProfile::kAuthenticationEndEntity,
                   root});
  if (!findings.empty()) {
    return Fail(PkiErrc::kLintFailed, FormatFindings(findings));
  }
  // The DER as signed (no parse and re-encode of the result).
  OPENMYNA_ASSIGN_OR_RETURN(Bytes der, SignCertificateDer(cert.get(), *signer));

  CertificateRecord record;
  record.serial = serial;
  record.partition = partition;
  record.subject_cn = cn;
  record.not_before = not_before;
  record.not_after = not_after;
  record.der = der;
  OPENMYNA_RETURN_IF_ERROR(store_.Put(record));
  return IssuedCertificate{serial,   std::move(der),    cn,
                           ca_kind,  generation.number, not_before,
                           not_after};
}

}  // namespace openmyna::pki
