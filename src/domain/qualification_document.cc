// DecideQualificationDocument (qualification_document.h).
#include "openmyna/domain/qualification_document.h"

#include <algorithm>

namespace openmyna::domain {
namespace {

using std::chrono::day;
using std::chrono::month;

// The first 7/31 on or after `today` (the 1-year period runs 8/1–7/31).
Date NextJuly31(Date today) {
  const Date this_year{today.year(), month{7}, day{31}};
  return today <= this_year
             ? this_year
             : Date{today.year() + std::chrono::years{1}, month{7}, day{31}};
}

}  // namespace

QualificationDocumentDecision DecideQualificationDocument(
    const QualificationDocumentFacts& f) {
  using Reason = QualificationDocumentReason;
  QualificationDocumentDecision d;
  const int age = AgeAt(f.birth, f.today);
  if (f.late_elderly) {
    d.kind = QualificationDocumentKind::kCertificate;
    if (f.today <= kLateElderlyInterimEnd) {
      d.reason = Reason::kLateElderlyInterim;
      d.valid_until = kLateElderlyInterimEnd;
      return d;
    }
  }
  if (f.registered && f.card_usable) {
    d.kind = QualificationDocumentKind::kNotice;
    d.reason = Reason::kRegisteredCard;
    if (age >= 70 && f.elderly_valid_to) d.valid_until = f.elderly_valid_to;
    return d;
  }
  d.kind = QualificationDocumentKind::kCertificate;
  d.reason = f.registered  ? Reason::kCardNotUsable
             : f.cancelled ? Reason::kRegistrationCancelled
                           : Reason::kNotRegistered;
  if (f.late_elderly) {
    d.valid_until = NextJuly31(f.today);
    return d;
  }
  // 5 years less a day, but insured here only until the day before the
  // 75th birthday (後期高齢者医療 from the birthday itself).
  Date until = AddDays(AddMonths(f.today, 60), -1);
  until = std::min(until, DayReachingAge(f.birth, 75));
  if (age >= 70 && f.elderly_valid_to) {
    until = std::min(until, *f.elderly_valid_to);
  }
  d.valid_until = until;
  return d;
}

std::string_view QualificationDocumentName(QualificationDocumentKind kind) {
  return kind == QualificationDocumentKind::kNotice ? "資格情報のお知らせ"
                                                    : "資格確認書";
}

std::string_view QualificationDocumentReasonText(
    QualificationDocumentReason reason) {
  switch (reason) {
    case QualificationDocumentReason::kRegisteredCard:
      return "マイナ保険証をお持ちの方へ";
    case QualificationDocumentReason::kNotRegistered:
      return "マイナ保険証の利用登録がないため交付します";
    case QualificationDocumentReason::kRegistrationCancelled:
      return "マイナ保険証の利用登録が解除されたため交付します";
    case QualificationDocumentReason::kCardNotUsable:
      return "マイナンバーカードまたは電子証明書が使えないため交付します";
    case QualificationDocumentReason::kLateElderlyInterim:
      return "後期高齢者医療の被保険者の方に2026年7月31日まで交付します";
  }
  return "";
}

}  // namespace openmyna::domain
