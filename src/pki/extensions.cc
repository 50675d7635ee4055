#include "internal/extensions.h"

#include <openssl/x509v3.h>

#include "internal/openssl_util.h"

namespace openmyna::pki::internal {
namespace {

Status Add(X509* cert, int nid, void* value, bool critical,
           std::string_view what) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0,
                        X509V3_ADD_APPEND) != 1) {
    return Unexpected(CryptoError(std::string("adding ") + std::string(what)));
  }
  return Ok();
}

GENERAL_NAME* DirName(X509_NAME* name) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  X509_NAME* copy = X509_NAME_dup(name);
  if (gn == nullptr || copy == nullptr) {
    GENERAL_NAME_free(gn);
    X509_NAME_free(copy);
    return nullptr;
  }
  GENERAL_NAME_set0_value(gn, GEN_DIRNAME, copy);
  return gn;
}

GENERAL_NAME* Uri(const std::string& url) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  if (gn == nullptr || text == nullptr ||
      ASN1_STRING_set(text, url.data(), static_cast<int>(url.size())) != 1) {
    GENERAL_NAME_free(gn);
    ASN1_IA5STRING_free(text);
    return nullptr;
  }
  GENERAL_NAME_set0_value(gn, GEN_URI, text);
  return gn;
}

}  // namespace

Status AddKeyUsage(X509* cert, std::initializer_list<int> bits) {
  ASN1_BIT_STRING* usage = ASN1_BIT_STRING_new();
  for (int bit : bits) ASN1_BIT_STRING_set_bit(usage, bit, 1);
  Status status = Add(cert, NID_key_usage, usage, true, "keyUsage");
  ASN1_BIT_STRING_free(usage);
  return status;
}

Status AddBasicConstraintsCa(X509* cert) {
  BASIC_CONSTRAINTS* bc = BASIC_CONSTRAINTS_new();
  bc->ca = 0xFF;  // TRUE, no pathLenConstraint (jpki.md §2.2)
  Status status =
      Add(cert, NID_basic_constraints, bc, true, "basicConstraints");
  BASIC_CONSTRAINTS_free(bc);
  return status;
}

Status AddExtendedKeyUsage(X509* cert, int nid) {
  EXTENDED_KEY_USAGE* eku = sk_ASN1_OBJECT_new_null();
  sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(nid));
  Status status = Add(cert, NID_ext_key_usage, eku, false, "extKeyUsage");
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  return status;
}

Status AddPolicy(X509* cert, std::string_view policy_oid,
                 const std::string& cps_url) {
  CERTIFICATEPOLICIES* policies = sk_POLICYINFO_new_null();
  POLICYINFO* info = POLICYINFO_new();
  ASN1_OBJECT_free(info->policyid);
  info->policyid = OBJ_txt2obj(std::string(policy_oid).c_str(), 1);
  POLICYQUALINFO* qualifier = POLICYQUALINFO_new();
  qualifier->pqualid = OBJ_nid2obj(NID_id_qt_cps);
  qualifier->d.cpsuri = ASN1_IA5STRING_new();
  ASN1_STRING_set(qualifier->d.cpsuri, cps_url.data(),
                  static_cast<int>(cps_url.size()));
  info->qualifiers = sk_POLICYQUALINFO_new_null();
  sk_POLICYQUALINFO_push(info->qualifiers, qualifier);
  sk_POLICYINFO_push(policies, info);
  Status status = info->policyid == nullptr
                      ? Status(Fail(PkiErrc::kCrypto, "bad policy OID"))
                      : Add(cert, NID_certificate_policies, policies, true,
                            "certificatePolicies");
  sk_POLICYINFO_pop_free(policies, POLICYINFO_free);
  return status;
}

Status AddDirNameAltName(X509* cert, int nid, X509_NAME* name) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  sk_GENERAL_NAME_push(names, DirName(name));
  Status status = Add(cert, nid, names, false, "alternative name");
  GENERAL_NAMES_free(names);
  return status;
}

Status AddOtherNameSan(
    X509* cert,
    const std::vector<std::pair<std::string_view, std::string>>& entries) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  bool ok = true;
  for (const auto& [oid, value] : entries) {
    // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT UTF8String }
    // (RFC 5280 §4.2.1.6; jpki.md §3.3)
    ASN1_OBJECT* type = OBJ_txt2obj(std::string(oid).c_str(), 1);
    ASN1_UTF8STRING* text = ASN1_UTF8STRING_new();
    ASN1_TYPE* any = ASN1_TYPE_new();
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (type == nullptr || text == nullptr || any == nullptr || gn == nullptr ||
        ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())) !=
            1) {
      ASN1_OBJECT_free(type);
      ASN1_UTF8STRING_free(text);
      ASN1_TYPE_free(any);
      GENERAL_NAME_free(gn);
      ok = false;
      break;
    }
    ASN1_TYPE_set(any, V_ASN1_UTF8STRING, text);
    GENERAL_NAME_set0_othername(gn, type, any);
    sk_GENERAL_NAME_push(names, gn);
  }
  Status status =
      ok ? Add(cert, NID_subject_alt_name, names, false, "subjectAltName")
         : Status(Unexpected(CryptoError("building otherName")));
  GENERAL_NAMES_free(names);
  return status;
}

Status AddCrlDistributionPoint(X509* cert, GENERAL_NAMES* names) {
  CRL_DIST_POINTS* points = sk_DIST_POINT_new_null();
  DIST_POINT* point = DIST_POINT_new();
  point->distpoint = DIST_POINT_NAME_new();
  point->distpoint->type = 0;  // fullName
  point->distpoint->name.fullname = static_cast<GENERAL_NAMES*>(
      ASN1_item_dup(ASN1_ITEM_rptr(GENERAL_NAMES), names));
  sk_DIST_POINT_push(points, point);
  Status status = Add(cert, NID_crl_distribution_points, points, false,
                      "cRLDistributionPoints");
  sk_DIST_POINT_pop_free(points, DIST_POINT_free);
  return status;
}

Status AddOcspAia(X509* cert, const std::string& url) {
  AUTHORITY_INFO_ACCESS* aia = sk_ACCESS_DESCRIPTION_new_null();
  ACCESS_DESCRIPTION* ad = ACCESS_DESCRIPTION_new();
  ASN1_OBJECT_free(ad->method);
  ad->method = OBJ_nid2obj(NID_ad_OCSP);
  GENERAL_NAME_free(ad->location);
  ad->location = Uri(url);
  sk_ACCESS_DESCRIPTION_push(aia, ad);
  Status status = Add(cert, NID_info_access, aia, false, "authorityInfoAccess");
  AUTHORITY_INFO_ACCESS_free(aia);
  return status;
}

Status AddOcspNoCheck(X509* cert) {
  // id-pkix-ocsp-nocheck: extnValue NULL (RFC 6960 §4.2.2.2.1).
  ASN1_NULL* null_value = ASN1_NULL_new();
  Status status =
      Add(cert, NID_id_pkix_OCSP_noCheck, null_value, false, "ocsp-nocheck");
  ASN1_NULL_free(null_value);
  return status;
}

Status AddAuthorityKeyId(X509* cert, const Bytes& key_id,
                         X509_NAME* issuer_name, const ASN1_INTEGER* serial) {
  AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
  aki->keyid = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(aki->keyid, key_id.data(),
                        static_cast<int>(key_id.size()));
  if (issuer_name != nullptr && serial != nullptr) {
    // keyIdentifier + authorityCertIssuer + authorityCertSerialNumber, as
    // the real end-entity certificates (jpki.md §3.1 row 7).
    aki->issuer = sk_GENERAL_NAME_new_null();
    sk_GENERAL_NAME_push(aki->issuer, DirName(issuer_name));
    aki->serial = ASN1_INTEGER_dup(serial);
  }
  Status status = Add(cert, NID_authority_key_identifier, aki, false,
                      "authorityKeyIdentifier");
  AUTHORITY_KEYID_free(aki);
  return status;
}

Status AddSubjectKeyId(X509* cert, const Bytes& key_id) {
  ASN1_OCTET_STRING* ski = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(ski, key_id.data(), static_cast<int>(key_id.size()));
  Status status =
      Add(cert, NID_subject_key_identifier, ski, false, "subjectKeyIdentifier");
  ASN1_OCTET_STRING_free(ski);
  return status;
}

X509NamePtr JapaneseAltName(CaKind kind) {
  X509NamePtr name(X509_NAME_new());
  AddRdn(name.get(), NID_countryName, V_ASN1_PRINTABLESTRING, "JP");
  AddRdn(name.get(), NID_organizationName, V_ASN1_UTF8STRING,
         JapaneseAltOrganization());
  AddRdn(name.get(), NID_organizationalUnitName, V_ASN1_UTF8STRING,
         JapaneseAltUnit(kind));
  AddRdn(name.get(), NID_organizationalUnitName, V_ASN1_UTF8STRING,
         JapaneseAltOperator());
  return name;
}

}  // namespace openmyna::pki::internal
