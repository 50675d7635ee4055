// Private: builders of the X.509 v3 extensions of the sandbox profiles
// (RFC 5280 §4.2). Each appends one extension to `cert` in call order, so
// the caller decides the DER order (jpki.md §3.1: SKI last).
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::pki::internal {

// keyUsage bits (RFC 5280 §4.2.1.3), as bit numbers.
inline constexpr int kKuDigitalSignature = 0;
inline constexpr int kKuNonRepudiation = 1;
inline constexpr int kKuKeyCertSign = 5;
inline constexpr int kKuCrlSign = 6;

Status AddKeyUsage(X509* cert, std::initializer_list<int> bits);  // critical
Status AddBasicConstraintsCa(X509* cert);                         // critical
Status AddExtendedKeyUsage(X509* cert, int nid);  // non-critical
Status AddPolicy(X509* cert, std::string_view policy_oid,
                 const std::string& cps_url);  // critical (jpki.md §3.2)
Status AddDirNameAltName(X509* cert, int nid, X509_NAME* name);
Status AddOtherNameSan(
    X509* cert,
    const std::vector<std::pair<std::string_view, std::string>>& entries);
Status AddCrlDistributionPoint(X509* cert, GENERAL_NAMES* names);
Status AddOcspAia(X509* cert, const std::string& url);
Status AddOcspNoCheck(X509* cert);
Status AddAuthorityKeyId(X509* cert, const Bytes& key_id,
                         X509_NAME* issuer_name, const ASN1_INTEGER* serial);
Status AddSubjectKeyId(X509* cert, const Bytes& key_id);

// C=JP, O=<JapaneseAltOrganization>, OU=<JapaneseAltUnit>,
// OU=<JapaneseAltOperator>: the root subjectAltName and the end-entity
// issuerAltName (jpki.md §2.2, §3.1 row 4, §13 row 1).
X509NamePtr JapaneseAltName(CaKind kind);

}  // namespace openmyna::pki::internal
