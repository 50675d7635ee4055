#include "openmyna/pki/names.h"

#include <string>

namespace openmyna::pki {

std::string_view CaKindName(CaKind kind) {
  return kind == CaKind::kSignature ? "sign" : "auth";
}

bool ParseCaKind(std::string_view text, CaKind& kind) {
  if (text == "sign") {
    kind = CaKind::kSignature;
    return true;
  }
  if (text == "auth") {
    kind = CaKind::kAuthentication;
    return true;
  }
  return false;
}

std::string_view CaUnit(CaKind kind) {
  return kind == CaKind::kSignature
             ? "Sandbox CA for digital signature (NOT JPKI)"
             : "Sandbox CA for user authentication (NOT JPKI)";
}

std::string_view JapaneseAltOrganization() {
  return "公的個人認証サービス（サンドボックス・JPKIではありません）";
}

std::string_view JapaneseAltUnit(CaKind kind) {
  return kind == CaKind::kSignature ? "公的個人認証サービス署名用（サンドボック"
                                      "ス・JPKIではありません）"
                                    : "公的個人認証サービス利用者証明用（サンド"
                                      "ボックス・JPKIではありません"
                                      "）";
}

std::string_view JapaneseAltOperator() {
  return "OpenMyna（地方公共団体情報システム機構ではありません）";
}

std::string CpsPath() { return "/cps.html"; }

std::string OcspPath(CaKind kind) {
  return "/ocsp/" + std::string(CaKindName(kind));
}

std::string CrlPath(CaKind kind, int generation,
                    std::string_view municipality_code) {
  return "/crl/" + std::string(CaKindName(kind)) + "/g" +
         std::to_string(generation) + "/" + std::string(municipality_code) +
         ".crl";
}

}  // namespace openmyna::pki
