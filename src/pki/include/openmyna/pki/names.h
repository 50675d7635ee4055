// Names, object identifiers and URLs of the sandbox CAs (jpki.md §2.5, §13).
//
// The sandbox is NOT JPKI: every CA DN contains "NOT JPKI" and never reads
// O=JPKI; its policy OIDs live under 1.3.6.1.4.1.32473, the enterprise
// number RFC 5612 reserves for documentation and examples. Only the
// subjectAltName
// otherName type OIDs 1.2.392.200149.8.5.5.1-6 are J-LIS's, because every
// client parses the four basic attributes by them (jpki.md §2.5, §13 row 3).
#pragma once

#include <string>
#include <string_view>

namespace openmyna::pki {

// The two single-tier CAs of JPKI (jpki.md §2.1), by the kind of
// certificate they issue.
enum class CaKind { kSignature, kAuthentication };

// "sign" / "auth": used in file names, URLs, the store and the CLI.
std::string_view CaKindName(CaKind kind);
// Inverse of CaKindName; false for anything else.
bool ParseCaKind(std::string_view text, CaKind& kind);

// The sandbox policy arc (jpki.md §13 row 2): RFC 5612's documentation
// enterprise number. Every arc is small: relying parties keep an OID arc in
// a 32- or 64-bit integer (Python cryptography 38 and Go crypto/x509 < 1.22
// refuse larger ones, and with them the whole certificate or extension).
inline constexpr std::string_view kSandboxArc = "1.3.6.1.4.1.32473";
// Certificate policies, sub-arcs mirroring J-LIS 1.2.392.200149.8.5.1.1.20
// (sign-class20) and 1.2.392.200149.8.5.1.3.30 (auth-class30), jpki.md §3.4.
// Reserved under the same arc, not emitted yet: .1.1.<n> and .1.3.<n> for
// the smartphone and next-generation profiles (§13 rows 12, 21).
inline constexpr std::string_view kSandboxSignPolicyOid =
    "1.3.6.1.4.1.32473.1.1.20";
inline constexpr std::string_view kSandboxAuthPolicyOid =
    "1.3.6.1.4.1.32473.1.3.30";
// The first sandbox arc, a UUID arc 2.25.<uuid> (uuid f882fca9-6a29-4b0b-
// 8f3f-4c0b16a58974). Never issued again (the linter refuses it); sandboxes
// made before the change still hold certificates under it, which
// verification accepts as before (it does not restrict policies).
inline constexpr std::string_view kLegacyUuidArc =
    "2.25.330328666135903580593862233085226355060";
inline constexpr std::string_view kLegacySignPolicyOid =
    "2.25.330328666135903580593862233085226355060.1.1.20";
inline constexpr std::string_view kLegacyAuthPolicyOid =
    "2.25.330328666135903580593862233085226355060.1.3.30";
// J-LIS test-card signature policy (jpki.md §2.3, §13 row 2): only emitted
// when a caller asks for the compatibility option; never by default.
inline constexpr std::string_view kJlisTestCardSignPolicyOid =
    "1.2.392.200149.8.5.1.0.20";

// subjectAltName otherName type OIDs (jpki.md §3.3), kept from J-LIS.
inline constexpr std::string_view kOidName = "1.2.392.200149.8.5.5.1";
inline constexpr std::string_view kOidNameFlags = "1.2.392.200149.8.5.5.2";
inline constexpr std::string_view kOidSex = "1.2.392.200149.8.5.5.3";
inline constexpr std::string_view kOidDateOfBirth = "1.2.392.200149.8.5.5.4";
inline constexpr std::string_view kOidAddress = "1.2.392.200149.8.5.5.5";
inline constexpr std::string_view kOidAddressFlags = "1.2.392.200149.8.5.5.6";

// The organisation of every sandbox DN (jpki.md §13 row 1).
inline constexpr std::string_view kSandboxOrganization = "SANDBOX-NOT-JPKI";
inline constexpr std::string_view kSandboxProjectUnit =
    "Open-source My Number Card emulator";
// OU naming the CA: "Sandbox CA for digital signature (NOT JPKI)" /
// "Sandbox CA for user authentication (NOT JPKI)".
std::string_view CaUnit(CaKind kind);
// The Japanese issuerAltName / root subjectAltName DirName units, modelled
// on §3.1 row 4 and marked 「JPKIではありません」:
//   O  = 公的個人認証サービス（サンドボックス・JPKIではありません）
//   OU = 署名用 / 利用者証明用 (サンドボックス)
//   OU = OpenMyna（地方公共団体情報システム機構ではありません）
std::string_view JapaneseAltOrganization();
std::string_view JapaneseAltUnit(CaKind kind);
std::string_view JapaneseAltOperator();

// Default port of `openmyna serve` (OCSP and CRL over plain HTTP) and the
// base URL that init writes into sandbox.json.
inline constexpr int kDefaultServePort = 8390;
inline constexpr std::string_view kDefaultBaseUrl = "http://127.0.0.1:8390";

// URL paths under the base URL (each begins with '/'):
//   CPS:  /cps.html
//   OCSP: /ocsp/<kind>             (RFC 6960 GET and POST; one responder per
//                                   CA kind, all generations)
//   CRL:  /crl/<kind>/g<generation>/<municipality code>.crl
//                                  (one partition per issuing municipality
//                                   and CA generation, DER, RFC 5280)
std::string CpsPath();
std::string OcspPath(CaKind kind);
std::string CrlPath(CaKind kind, int generation,
                    std::string_view municipality_code);

}  // namespace openmyna::pki
