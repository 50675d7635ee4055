#include <openssl/x509v3.h>

#include "internal/openssl_util.h"
#include "internal/profiles.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

X509NamePtr CaName(CaKind kind) {
  X509NamePtr name(X509_NAME_new());
  internal::AddRdn(name.get(), NID_countryName, V_ASN1_PRINTABLESTRING, "JP");
  internal::AddRdn(name.get(), NID_organizationName, V_ASN1_UTF8STRING,
                   kSandboxOrganization);
  internal::AddRdn(name.get(), NID_organizationalUnitName, V_ASN1_UTF8STRING,
                   CaUnit(kind));
  internal::AddRdn(name.get(), NID_organizationalUnitName, V_ASN1_UTF8STRING,
                   kSandboxProjectUnit);
  return name;
}

Result<GeneralNamesPtr> DistributionPointNames(const CrlPartition& partition,
                                               std::string_view base_url,
                                               bool dirname_only) {
  X509NamePtr dir(X509_NAME_new());
  const std::string cn = partition.municipality + " CRLDP";
  bool ok = internal::AddRdn(dir.get(), NID_countryName, V_ASN1_PRINTABLESTRING,
                             "JP") &&
            internal::AddRdn(dir.get(), NID_organizationName, V_ASN1_UTF8STRING,
                             kSandboxOrganization) &&
            internal::AddRdn(dir.get(), NID_organizationalUnitName,
                             V_ASN1_UTF8STRING, CaUnit(partition.ca)) &&
            internal::AddRdn(dir.get(), NID_organizationalUnitName,
                             V_ASN1_UTF8STRING, "CRL Distribution Points") &&
            internal::AddRdn(dir.get(), NID_organizationalUnitName,
                             V_ASN1_UTF8STRING, partition.prefecture) &&
            internal::AddRdn(dir.get(), NID_commonName, V_ASN1_UTF8STRING, cn);
  if (!ok || partition.prefecture.empty() || partition.municipality.empty()) {
    return Fail(PkiErrc::kInvalidRequest,
                "CRL partition needs prefecture and municipality names");
  }
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  GENERAL_NAME* dir_name = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(dir_name, GEN_DIRNAME, dir.release());
  sk_GENERAL_NAME_push(names.get(), dir_name);
  if (!dirname_only) {
    const std::string url =
        std::string(base_url) + CrlPath(partition.ca, partition.generation,
                                        partition.municipality_code);
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    ASN1_STRING_set(text, url.data(), static_cast<int>(url.size()));
    GENERAL_NAME* uri = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(uri, GEN_URI, text);
    sk_GENERAL_NAME_push(names.get(), uri);
  }
  return names;
}

namespace internal {

Serial RandomSerial(Rng& rng) {
  Serial serial;
  serial.bytes = rng.Bytes(16);
  serial.bytes[0] = static_cast<std::uint8_t>((serial.bytes[0] & 0x7F) | 0x40);
  return serial;
}

}  // namespace internal
}  // namespace openmyna::pki
