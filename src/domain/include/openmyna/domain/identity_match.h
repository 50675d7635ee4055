// The five-item identity match an insurer must pass before it may link an
// enrolment made without the individual number (insurance.md §4.3: since
// 2023-06-01 a J-LIS search has to match on all of 漢字氏名・カナ氏名・
// 生年月日・性別・住所; the 2023 mis-linkage came from registering people on
// partial matches, §4.2).
//
// "Exact" here: the texts are equal once whitespace is removed (ASCII space,
// tab and the ideographic space U+3000, which forms put between surname and
// given name in either width). Nothing else is folded: a different kanji
// variant, a different 番地 notation or a half-width kana is a mismatch, to
// be corrected by the insurer (OpenMyna's convention; the national rule
// does not publish a normalisation).
#pragma once

#include <string>
#include <string_view>

namespace openmyna::domain {

struct IdentityItems {
  std::string name;           // 漢字氏名
  std::string name_kana;      // カナ氏名 (full-width katakana)
  std::string date_of_birth;  // YYYY-MM-DD
  int sex = 0;                // 1 男, 2 女, 3 未設定 (OQSCD007); 0 unknown
  std::string address;        // 住所
};

struct IdentityMatch {
  bool name = false;
  bool name_kana = false;
  bool date_of_birth = false;
  bool sex = false;
  bool address = false;
  bool All() const {
    return name && name_kana && date_of_birth && sex && address;
  }
  int Count() const { return name + name_kana + date_of_birth + sex + address; }
};

// `text` without whitespace (see the file comment).
std::string WithoutSpaces(std::string_view text);

// Per-item comparison. An empty item never matches (a form that leaves the
// address or the kana blank cannot pass the five-item rule).
IdentityMatch MatchIdentity(const IdentityItems& enrolment,
                            const IdentityItems& registry);

}  // namespace openmyna::domain
