// Which paper a health-insurance member gets (issue 12 item 7;
// ../shared/docs/insurance.md §3.4): since 2024-12-02 no new insurance
// cards are issued; a holder of a マイナ保険証 (the card registered as
// insurance card, usable) gets a 資格情報のお知らせ, which is not usable
// alone and has no expiry under 70; anyone else gets a 資格確認書, used like
// the old card, pushed ex officio — registration cancelled, certificate
// expired, card returned — with a validity the insurer sets up to 5 years.
// Every 後期高齢者 gets a 資格確認書 until 2026-07-31 (the interim measure;
// 1-year validity to 7/31).
//
// Our conventions where the sources leave it to the insurer (docs/
// insurance.md "資格確認書 and 資格情報のお知らせ"): a 資格確認書 is valid 5
// years less a day, cut to the day before the 75th birthday (後期高齢者医療
// starts on it; 高齢者の医療の確保に関する法律 §50, §52) and, at 70–74, to
// the end of the 高齢受給者 period; a late-elderly one runs to the next
// 7/31; a 70–74 お知らせ shows the 高齢受給者 period's end (the ratio may
// change each 8/1), else none.
#pragma once

#include <optional>
#include <string_view>

#include "openmyna/domain/date.h"

namespace openmyna::domain {

enum class QualificationDocumentKind {
  kNotice,       // 資格情報のお知らせ
  kCertificate,  // 資格確認書
};

// Why a 資格確認書 (kNotice: kRegisteredCard).
enum class QualificationDocumentReason {
  kRegisteredCard,         // registered and usable: お知らせ
  kNotRegistered,          // never registered (or no linked resident)
  kRegistrationCancelled,  // 利用登録の解除
  kCardNotUsable,          // card returned, expired or revoked certificate
  kLateElderlyInterim,     // 後期高齢者, until 2026-07-31
};

struct QualificationDocumentFacts {
  Date today;
  Date birth;
  bool registered = false;    // 保険証利用登録 in force
  bool cancelled = false;     // a registration existed and was cancelled
  bool card_usable = false;   // an active card, a good authentication cert
  bool late_elderly = false;  // 後期高齢者医療 (法別番号 39)
  std::optional<Date> elderly_valid_to;  // 高齢受給者 period's end (70–74)
};

struct QualificationDocumentDecision {
  QualificationDocumentKind kind = QualificationDocumentKind::kCertificate;
  QualificationDocumentReason reason =
      QualificationDocumentReason::kNotRegistered;
  std::optional<Date> valid_until;  // none: no expiry printed
};

// The last day of the late-elderly interim measure.
inline constexpr Date kLateElderlyInterimEnd{
    std::chrono::year{2026}, std::chrono::month{7}, std::chrono::day{31}};

QualificationDocumentDecision DecideQualificationDocument(
    const QualificationDocumentFacts& facts);

std::string_view QualificationDocumentName(QualificationDocumentKind kind);
// Japanese, for the printed document.
std::string_view QualificationDocumentReasonText(
    QualificationDocumentReason reason);

}  // namespace openmyna::domain
