#include "openmyna/pki/linter.h"

#include <openssl/x509v3.h>

#include <regex>
#include <set>

#include "internal/openssl_util.h"
#include "openmyna/pki/names.h"

namespace openmyna::pki {
namespace {

using internal::AuthorityKeyId;
using internal::SubjectKeyId;

class Findings {
 public:
  // Records `rule` when `ok` is false; returns `ok`.
  bool Check(bool ok, std::string_view rule, std::string detail) {
    if (!ok) out.push_back({std::string(rule), std::move(detail)});
    return ok;
  }
  std::vector<LintFinding> out;
};

std::string AsText(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string Oid(const ASN1_OBJECT* obj) {
  char buffer[128];
  OBJ_obj2txt(buffer, sizeof(buffer), obj, 1);
  return buffer;
}

struct Rdn {
  int nid;
  int type;
  std::string value;
};

std::vector<Rdn> Rdns(const X509_NAME* name) {
  std::vector<Rdn> out;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(e);
    out.push_back({OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)),
                   ASN1_STRING_type(data), AsText(data)});
  }
  return out;
}

std::string NameText(const X509_NAME* name) {
  std::string text;
  for (const Rdn& r : Rdns(name)) text += r.value + "|";
  return text;
}

X509_EXTENSION* Ext(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  return index < 0 ? nullptr : X509_get_ext(cert, index);
}

bool Critical(X509* cert, int nid) {
  X509_EXTENSION* e = Ext(cert, nid);
  return e != nullptr && X509_EXTENSION_get_critical(e) == 1;
}

Bytes ExtValue(X509* cert, int nid) {
  X509_EXTENSION* e = Ext(cert, nid);
  if (e == nullptr) return {};
  const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(e);
  return Bytes(v->data, v->data + v->length);
}

// The sandbox rule (jpki.md §2.5): no O=JPKI / O=JPKI-TEST, "NOT JPKI".
void CheckSandboxName(Findings& f, const X509_NAME* name,
                      std::string_view rule) {
  bool not_jpki = false;
  for (const Rdn& r : Rdns(name)) {
    if (r.nid == NID_organizationName) {
      f.Check(r.value != "JPKI" && r.value != "JPKI-TEST", rule,
              "O=" + r.value + " would pass for the real JPKI");
    }
    not_jpki = not_jpki || r.value.find("NOT JPKI") != std::string::npos ||
               r.value.find("NOT-JPKI") != std::string::npos;
  }
  f.Check(not_jpki, rule, "DN does not say NOT JPKI (jpki.md §2.5)");
}

void CheckKeyUsage(Findings& f, X509* cert, std::string_view prefix,
                   const Bytes& expected_der) {
  const std::string p(prefix);
  if (!f.Check(Ext(cert, NID_key_usage) != nullptr, p + ".keyUsage.present",
               "no keyUsage")) {
    return;
  }
  f.Check(Critical(cert, NID_key_usage), p + ".keyUsage.critical",
          "keyUsage must be critical");
  const Bytes value = ExtValue(cert, NID_key_usage);
  f.Check(value == expected_der, p + ".keyUsage.value",
          "keyUsage is " + ToHex(value, ' ') + ", profile wants " +
              ToHex(expected_der, ' '));
}

void CheckKey(Findings& f, X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  bool ok = key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
            EVP_PKEY_get_bits(key) == 2048;
  if (ok) {
    BIGNUM* e = nullptr;
    ok = EVP_PKEY_get_bn_param(key, "e", &e) == 1 && BN_is_word(e, 65537);
    BN_free(e);
  }
  f.Check(ok, "cert.key", "key must be RSA-2048, e=65537 (jpki.md §1)");
}

void CheckCommon(Findings& f, X509* cert, X509* issuer, bool end_entity) {
  f.Check(X509_get_version(cert) == X509_VERSION_3, "cert.version",
          "must be X.509 v3");
  const Bytes serial = internal::SerialBytes(X509_get0_serialNumber(cert));
  f.Check(ASN1_STRING_type(X509_get0_serialNumber(cert)) == V_ASN1_INTEGER &&
              !(serial.size() == 1 && serial[0] == 0),
          "cert.serial.positive",
          "serial must be positive (RFC 5280 §4.1.2.2)");
  f.Check(serial.size() >= 8 && serial.size() <= 20, "cert.serial.length",
          "serial has " + std::to_string(serial.size()) +
              " octets; want 8..20 (≥ 64 random bits)");
  CheckKey(f, cert);
  CheckSandboxName(f, X509_get_issuer_name(cert), "cert.issuer.sandbox");
  auto nb = internal::FromAsn1Time(X509_get0_notBefore(cert));
  auto na = internal::FromAsn1Time(X509_get0_notAfter(cert));
  if (f.Check(nb && na && *nb < *na, "cert.validity.order",
              "notBefore must precede notAfter")) {
    const auto tod = (*na - std::chrono::floor<std::chrono::days>(*na));
    f.Check(tod == std::chrono::hours(14) + std::chrono::minutes(59) +
                       std::chrono::seconds(59),
            "cert.validity.endOfDay",
            "notAfter must be 14:59:59Z = 23:59:59 JST (jpki.md §2.2)");
  }
  // Extensions: each at most once (RFC 5280 §4.2).
  std::set<std::string> seen;
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    const std::string oid =
        Oid(X509_EXTENSION_get_object(X509_get_ext(cert, i)));
    f.Check(seen.insert(oid).second, "cert.extensions.unique",
            "extension " + oid + " appears twice");
  }
  // SKI: SHA-1 of RSAPublicKey (RFC 5280 §4.2.1.2 (1)), the last extension
  // (jpki.md §3.1; Hitachi/ImmutableStorage relies on it).
  auto key_id = internal::KeyIdentifierOfCert(cert);
  f.Check(key_id && SubjectKeyId(cert) == *key_id, "cert.ski",
          "subjectKeyIdentifier missing or not SHA-1 of the RSAPublicKey");
  const int count = X509_get_ext_count(cert);
  f.Check(count > 0 && OBJ_obj2nid(X509_EXTENSION_get_object(X509_get_ext(
                           cert, count - 1))) == NID_subject_key_identifier,
          "cert.ski.last", "subjectKeyIdentifier must be the last extension");
  if (issuer != nullptr) {
    f.Check(X509_NAME_cmp(X509_get_issuer_name(cert),
                          X509_get_subject_name(issuer)) == 0,
            "cert.issuer.name", "issuer DN differs from the CA's subject DN");
    f.Check(!AuthorityKeyId(cert).empty() &&
                AuthorityKeyId(cert) == SubjectKeyId(issuer),
            "cert.aki.keyIdentifier",
            "AKI keyIdentifier must equal the issuing root's SKI");
    auto issuer_na = internal::FromAsn1Time(X509_get0_notAfter(issuer));
    auto issuer_nb = internal::FromAsn1Time(X509_get0_notBefore(issuer));
    f.Check(na && issuer_na && *na <= *issuer_na, "cert.validity.cap",
            "notAfter after the issuing root's notAfter (jpki.md §12)");
    f.Check(nb && issuer_nb && *nb >= *issuer_nb, "cert.validity.start",
            "notBefore before the issuing root's notBefore");
  }
  if (end_entity) {
    BASIC_CONSTRAINTS* bc = static_cast<BASIC_CONSTRAINTS*>(
        X509_get_ext_d2i(cert, NID_basic_constraints, nullptr, nullptr));
    f.Check(bc == nullptr || !bc->ca, "ee.basicConstraints",
            "an end entity must not be a CA");
    BASIC_CONSTRAINTS_free(bc);
  }
}

// AKI of an end-entity certificate: keyIdentifier + issuer DN + serial
// (jpki.md §3.1 row 7, §12).
void CheckFullAki(Findings& f, X509* cert, X509* issuer) {
  AUTHORITY_KEYID* aki = static_cast<AUTHORITY_KEYID*>(
      X509_get_ext_d2i(cert, NID_authority_key_identifier, nullptr, nullptr));
  bool ok = aki != nullptr && aki->keyid != nullptr && aki->issuer != nullptr &&
            aki->serial != nullptr;
  if (ok && issuer != nullptr) {
    ok = ASN1_INTEGER_cmp(aki->serial, X509_get0_serialNumber(issuer)) == 0 &&
         sk_GENERAL_NAME_num(aki->issuer) == 1 &&
         sk_GENERAL_NAME_value(aki->issuer, 0)->type == GEN_DIRNAME &&
         X509_NAME_cmp(sk_GENERAL_NAME_value(aki->issuer, 0)->d.directoryName,
                       X509_get_subject_name(issuer)) == 0;
  }
  f.Check(ok, "ee.aki.issuerAndSerial",
          "AKI must carry keyIdentifier, the root's DN and serial");
  AUTHORITY_KEYID_free(aki);
}

void CheckPolicy(Findings& f, X509* cert, std::string_view prefix,
                 std::initializer_list<std::string_view> allowed) {
  const std::string p(prefix);
  if (!f.Check(Ext(cert, NID_certificate_policies) != nullptr,
               p + ".policy.present", "no certificatePolicies")) {
    return;
  }
  f.Check(Critical(cert, NID_certificate_policies), p + ".policy.critical",
          "certificatePolicies must be critical (jpki.md §3.2)");
  CERTIFICATEPOLICIES* policies = static_cast<CERTIFICATEPOLICIES*>(
      X509_get_ext_d2i(cert, NID_certificate_policies, nullptr, nullptr));
  const int n = policies ? sk_POLICYINFO_num(policies) : 0;
  if (f.Check(
          n == 1, p + ".policy.count",
          "want exactly one PolicyInformation, found " + std::to_string(n))) {
    POLICYINFO* info = sk_POLICYINFO_value(policies, 0);
    const std::string oid = Oid(info->policyid);
    bool known = false;
    for (std::string_view a : allowed) known = known || oid == a;
    f.Check(known, p + ".policy.oid",
            "policy " + oid +
                " is not the "
                "sandbox policy of this profile");
    const int q =
        info->qualifiers ? sk_POLICYQUALINFO_num(info->qualifiers) : 0;
    bool cps = q == 1;
    if (cps) {
      POLICYQUALINFO* qi = sk_POLICYQUALINFO_value(info->qualifiers, 0);
      cps = OBJ_obj2nid(qi->pqualid) == NID_id_qt_cps &&
            AsText(qi->d.cpsuri).starts_with("http://");
    }
    f.Check(cps, p + ".policy.cps", "want one id-qt-cps http:// qualifier");
  }
  sk_POLICYINFO_pop_free(policies, POLICYINFO_free);
}

void CheckIssuerAltName(Findings& f, X509* cert) {
  GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_issuer_alt_name, nullptr, nullptr));
  bool ok = names != nullptr && sk_GENERAL_NAME_num(names) == 1 &&
            sk_GENERAL_NAME_value(names, 0)->type == GEN_DIRNAME &&
            NameText(sk_GENERAL_NAME_value(names, 0)->d.directoryName)
                    .find("JPKIではありません") != std::string::npos;
  f.Check(ok, "ee.issuerAltName",
          "issuerAltName must be one DirName saying 「JPKIではありません」");
  GENERAL_NAMES_free(names);
}

void CheckCrlDp(Findings& f, X509* cert) {
  CRL_DIST_POINTS* points = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  bool ok = points != nullptr && sk_DIST_POINT_num(points) == 1;
  bool dirname = false;
  if (ok) {
    DIST_POINT* dp = sk_DIST_POINT_value(points, 0);
    ok = dp->distpoint != nullptr && dp->distpoint->type == 0;
    if (ok) {
      GENERAL_NAMES* full = dp->distpoint->name.fullname;
      for (int i = 0; i < sk_GENERAL_NAME_num(full); ++i) {
        GENERAL_NAME* gn = sk_GENERAL_NAME_value(full, i);
        if (gn->type == GEN_DIRNAME) {
          const std::string text = NameText(gn->d.directoryName);
          dirname = text.find("CRL Distribution Points") != std::string::npos &&
                    text.find(std::string(kSandboxOrganization)) !=
                        std::string::npos &&
                    text.ends_with(" CRLDP|");
        } else if (gn->type == GEN_URI) {
          ok = ok &&
               AsText(gn->d.uniformResourceIdentifier).starts_with("http://");
        } else {
          ok = false;
        }
      }
    }
  }
  f.Check(ok && dirname, "ee.crlDistributionPoints",
          "want one DistributionPoint: the per-municipality DirName "
          "(jpki.md §3.1 row 5) and optionally an http:// URI");
  sk_DIST_POINT_pop_free(points, DIST_POINT_free);
}

void CheckAia(Findings& f, X509* cert, bool required) {
  AUTHORITY_INFO_ACCESS* aia = static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  if (aia == nullptr) {
    f.Check(!required, "ee.aia.ocsp", "no authorityInfoAccess OCSP URL");
    return;
  }
  bool ok = sk_ACCESS_DESCRIPTION_num(aia) == 1;
  if (ok) {
    ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, 0);
    ok = OBJ_obj2nid(ad->method) == NID_ad_OCSP &&
         ad->location->type == GEN_URI &&
         AsText(ad->location->d.uniformResourceIdentifier)
             .starts_with("http://");
  }
  f.Check(ok, "ee.aia.ocsp", "want exactly one OCSP http:// access method");
  AUTHORITY_INFO_ACCESS_free(aia);
}

void CheckCn(Findings& f, const std::string& cn, std::string_view rule) {
  static const std::regex kCn("[0-9A-Z]{14}[0-9]{5}003A");
  f.Check(std::regex_match(cn, kCn), rule,
          "CN '" + cn +
              "' is not 14 [0-9A-Z] + 5-digit code + 003A "
              "(jpki.md §13 row 13)");
}

void CheckSignatureSan(Findings& f, X509* cert) {
  if (!f.Check(Ext(cert, NID_subject_alt_name) != nullptr, "sign.san.present",
               "no subjectAltName")) {
    return;
  }
  f.Check(!Critical(cert, NID_subject_alt_name), "sign.san.critical",
          "subjectAltName must be non-critical (jpki.md §3.2)");
  GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  const int n = names ? sk_GENERAL_NAME_num(names) : 0;
  static constexpr std::string_view kOrder[6] = {
      kOidName,    kOidDateOfBirth, kOidSex,
      kOidAddress, kOidNameFlags,   kOidAddressFlags};
  if (f.Check(n == 6, "sign.san.count",
              "want 6 otherNames, found " + std::to_string(n))) {
    std::string values[6];
    bool order = true, utf8 = true;
    for (int i = 0; i < 6; ++i) {
      GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
      if (gn->type != GEN_OTHERNAME) {
        order = false;
        continue;
      }
      order = order && Oid(gn->d.otherName->type_id) == kOrder[i];
      ASN1_TYPE* v = gn->d.otherName->value;
      utf8 = utf8 && v->type == V_ASN1_UTF8STRING;
      if (v->type == V_ASN1_UTF8STRING) values[i] = AsText(v->value.utf8string);
    }
    f.Check(order, "sign.san.order",
            "want otherNames 5.5.1, 5.5.4, 5.5.3, 5.5.5, 5.5.2, 5.5.6");
    f.Check(utf8, "sign.san.utf8", "every otherName value must be UTF8String");
    if (order && utf8) {
      const long name_len = internal::Utf8Length(values[0]);
      const long addr_len = internal::Utf8Length(values[3]);
      f.Check(name_len > 0 && name_len <= 100, "sign.san.name",
              "name empty, not UTF-8 or over 100 characters");
      f.Check(addr_len > 0 && addr_len <= 200, "sign.san.address",
              "address empty, not UTF-8 or over 200 characters");
      f.Check(static_cast<long>(values[4].size()) == name_len &&
                  values[4].find_first_not_of("01") == std::string::npos,
              "sign.san.nameFlags",
              "name flags must be one 0/1 per name character");
      f.Check(static_cast<long>(values[5].size()) == addr_len &&
                  values[5].find_first_not_of("01") == std::string::npos,
              "sign.san.addressFlags",
              "address flags must be one 0/1 per address character");
      f.Check(values[2] == "1" || values[2] == "2" || values[2] == "3",
              "sign.san.sex", "sex must be 1, 2 or 3");
      static const std::regex kDob("[0-5][0-9]{8}");
      f.Check(std::regex_match(values[1], kDob), "sign.san.dateOfBirth",
              "date of birth must be EYYYYMMDD, era 0-5");
    }
  }
  GENERAL_NAMES_free(names);
}

void LintSignature(Findings& f, X509* cert, X509* issuer) {
  const auto rdns = Rdns(X509_get_subject_name(cert));
  bool shape = rdns.size() == 4 && rdns[0].nid == NID_countryName &&
               rdns[0].type == V_ASN1_PRINTABLESTRING &&
               rdns[0].value == "JP" && rdns[1].nid == NID_localityName &&
               rdns[2].nid == NID_localityName && rdns[3].nid == NID_commonName;
  for (std::size_t i = 1; shape && i < 4; ++i) {
    shape = rdns[i].type == V_ASN1_UTF8STRING && !rdns[i].value.empty();
  }
  if (f.Check(shape, "sign.subject",
              "subject must be C=JP, L=<prefecture>, L=<municipality>, CN "
              "(jpki.md §3.2)")) {
    CheckCn(f, rdns[3].value, "sign.subject.cn");
  }
  CheckKeyUsage(f, cert, "sign", {0x03, 0x02, 0x06, 0xC0});
  f.Check(Ext(cert, NID_ext_key_usage) == nullptr, "sign.eku.absent",
          "the signature certificate carries no EKU (jpki.md §13 row 5)");
  CheckPolicy(f, cert, "sign",
              {kSandboxSignPolicyOid, kJlisTestCardSignPolicyOid});
  CheckSignatureSan(f, cert);
  CheckIssuerAltName(f, cert);
  CheckCrlDp(f, cert);
  CheckAia(f, cert, false);
  CheckFullAki(f, cert, issuer);
}

void LintAuthentication(Findings& f, X509* cert, X509* issuer) {
  const auto rdns = Rdns(X509_get_subject_name(cert));
  const bool shape = rdns.size() == 2 && rdns[0].nid == NID_countryName &&
                     rdns[0].type == V_ASN1_PRINTABLESTRING &&
                     rdns[0].value == "JP" && rdns[1].nid == NID_commonName &&
                     rdns[1].type == V_ASN1_UTF8STRING;
  if (f.Check(shape, "auth.subject",
              "subject must be C=JP, CN=<id> only (jpki.md §3.1)")) {
    CheckCn(f, rdns[1].value, "auth.subject.cn");
  }
  CheckKeyUsage(f, cert, "auth", {0x03, 0x02, 0x07, 0x80});
  EXTENDED_KEY_USAGE* eku = static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  f.Check(eku != nullptr && sk_ASN1_OBJECT_num(eku) == 1 &&
              OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_client_auth &&
              !Critical(cert, NID_ext_key_usage),
          "auth.eku.clientAuth", "want non-critical EKU clientAuth only");
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  CheckPolicy(f, cert, "auth", {kSandboxAuthPolicyOid});
  f.Check(Ext(cert, NID_subject_alt_name) == nullptr, "auth.san.absent",
          "no personal data in the authentication certificate");
  CheckIssuerAltName(f, cert);
  CheckCrlDp(f, cert);
  CheckAia(f, cert, true);
  CheckFullAki(f, cert, issuer);
}

void LintRoot(Findings& f, X509* cert) {
  f.Check(X509_NAME_cmp(X509_get_issuer_name(cert),
                        X509_get_subject_name(cert)) == 0,
          "root.selfIssued", "issuer must equal subject");
  CheckKeyUsage(f, cert, "root", {0x03, 0x02, 0x01, 0x06});
  BASIC_CONSTRAINTS* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert, NID_basic_constraints, nullptr, nullptr));
  f.Check(bc != nullptr && bc->ca && bc->pathlen == nullptr &&
              Critical(cert, NID_basic_constraints),
          "root.basicConstraints", "want critical CA:TRUE without pathLen");
  BASIC_CONSTRAINTS_free(bc);
  GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  f.Check(names != nullptr && sk_GENERAL_NAME_num(names) == 1 &&
              sk_GENERAL_NAME_value(names, 0)->type == GEN_DIRNAME &&
              NameText(sk_GENERAL_NAME_value(names, 0)->d.directoryName)
                      .find("JPKIではありません") != std::string::npos,
          "root.subjectAltName",
          "want one DirName saying 「JPKIではありません」 (jpki.md §13 row 1)");
  GENERAL_NAMES_free(names);
}

void LintOcsp(Findings& f, X509* cert) {
  CheckKeyUsage(f, cert, "ocsp", {0x03, 0x02, 0x07, 0x80});
  EXTENDED_KEY_USAGE* eku = static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  f.Check(eku != nullptr && sk_ASN1_OBJECT_num(eku) == 1 &&
              OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_OCSP_sign,
          "ocsp.eku", "want EKU id-kp-OCSPSigning (RFC 6960 §4.2.2.2)");
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  f.Check(Ext(cert, NID_id_pkix_OCSP_noCheck) != nullptr, "ocsp.nocheck",
          "want id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1)");
}

}  // namespace

std::vector<LintFinding> LintCertificate(
    X509* cert, const CertificateLintContext& context) {
  Findings f;
  if (cert == nullptr) {
    f.Check(false, "cert.present", "no certificate");
    return f.out;
  }
  const bool ee =
      context.profile == CertificateProfile::kSignatureEndEntity ||
      context.profile == CertificateProfile::kAuthenticationEndEntity;
  CheckCommon(
      f, cert,
      context.profile == CertificateProfile::kRoot ? nullptr : context.issuer,
      context.profile != CertificateProfile::kRoot);
  switch (context.profile) {
    case CertificateProfile::kSignatureEndEntity:
      LintSignature(f, cert, context.issuer);
      break;
    case CertificateProfile::kAuthenticationEndEntity:
      LintAuthentication(f, cert, context.issuer);
      break;
    case CertificateProfile::kRoot:
      CheckSandboxName(f, X509_get_subject_name(cert), "root.subject.sandbox");
      LintRoot(f, cert);
      break;
    case CertificateProfile::kOcspResponder:
      LintOcsp(f, cert);
      break;
  }
  if (ee && context.issuer == nullptr) {
    f.Check(false, "ee.issuer.given", "lint context lacks the issuing root");
  }
  return f.out;
}

std::string FormatFindings(const std::vector<LintFinding>& findings) {
  std::string text;
  for (const LintFinding& finding : findings) {
    if (!text.empty()) text += "; ";
    text += finding.rule + ": " + finding.detail;
  }
  return text;
}

}  // namespace openmyna::pki
