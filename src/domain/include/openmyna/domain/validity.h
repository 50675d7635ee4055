// How long a card and its two certificates live (domain.md §5; jpki.md §6).
//
// All dates are JST calendar dates; an expiry date is valid through its
// whole day (certificate notAfter = EndOfJapanDay(expiry), jpki.md §6.2).
// Ages are taken on the issuance date (the day the card or certificate is
// made, not handed over; jpki.md §6.1) with AgeAt (docs/domain-rules.md).
#pragma once

#include <optional>

#include "openmyna/base/result.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/residence.h"

namespace openmyna::domain {

// Applications accepted before this date used 20 instead of 18 as the age
// for a 10-year card (jpki.md §6.1, Civil Code age of majority change).
inline constexpr Date kAdultAge18Since{
    std::chrono::year{2022}, std::chrono::month{4}, std::chrono::day{1}};

struct ValidityInput {
  Date birth;
  Date issued;                  // issuance date (card made), JST
  bool adult_ward = false;      // 成年被後見人: no signature certificate
  bool face_auth_card = false;  // 顔認証カード: no signature certificate
  ResidenceStatus status = ResidenceStatus::kJapaneseNational;
  // End of the period of stay / landing / provisional stay; required by
  // NeedsStayUntil(status), rejected for the other statuses.
  std::optional<Date> stay_until;
  // Birth or loss of nationality for the transitional statuses (60-day
  // rule); for kTransitionalBirth it defaults to `birth`. Rejected for the
  // other statuses.
  std::optional<Date> status_event;
  // Renewal: the expiry of the certificate being replaced. When `issued`
  // lies in its renewal window (RenewalWindowOpens(prev) <= issued < prev)
  // and the next birthday after `issued` is not later than prev, the new
  // certificates run to the 6th birthday instead of the 5th (jpki.md §6.2).
  std::optional<Date> previous_cert_expiry;
  // Date the application was accepted; before kAdultAge18Since the 10-year
  // card needs age 20 at issue. Defaults to `issued`.
  std::optional<Date> applied;
  // The resident (or, under 15 and for adult wards, the legal
  // representative) may decline a certificate at application; it can be
  // added later at the counter (domain.md §4; guidebook p.5 ※1).
  bool decline_auth_cert = false;
  bool decline_sign_cert = false;
};

struct Validity {
  Date card_expiry;
  std::optional<Date> auth_cert_expiry;  // nullopt when not issued
  std::optional<Date> sign_cert_expiry;  // nullopt under 15, adult ward,
                                         // face-authentication card
  Date renewal_opens;  // RenewalWindowOpens(card_expiry): renewal and the
                       // expiry notice (有効期限通知書) from this day
};

// The card and certificate expiries for a card issued on `in.issued`:
//  - card: age >= 18 at issue (20 if applied before 2022-04-01): the 10th
//    birthday after issue, else the 5th; for the stay-limited statuses the
//    earlier of that and stay_until; for the transitional statuses
//    status_event + 60 days;
//  - authentication certificate: the 5th (renewal: 6th) birthday after issue,
//    capped by the card's expiry; always issued (also on a face-auth card);
//  - signature certificate: the same, capped also by the authentication
//    certificate's expiry (when there is one); not issued under 15, for
//    adult wards or on a face-authentication card (jpki.md §6.2);
//  - a declined certificate is nullopt.
// Errors: kInvalidDate (a date is !ok(), issued before birth, status_event
// before birth or after issued), kInvalidArgument (stay_until missing for a
// status that needs it or given for one that does not; status_event given
// for a non-transitional status), kNotEligible (the stay or the 60 days ended
// before the issue date).
Result<Validity> ComputeValidity(const ValidityInput& in);

// The card expiry after the period of stay changed (change of status or
// extension of the period, or a special period under the Immigration Act):
// the new end of stay, never beyond the expiry a Japanese national would get
// for the same birth, issue and application dates (guidebook p.4 ①②).
// Errors as ComputeValidity (dates not ok, issued before birth), and
// kNotEligible when `new_stay_until` is before `issued`.
Result<Date> CardExpiryAfterStayChange(Date birth, Date issued,
                                       Date new_stay_until,
                                       std::optional<Date> applied = {});

// Expiry of a certificate issued on `issued` on a card that expires on
// `card_expiry` (for a certificate added or renewed later on an existing
// card): the 5th birthday after issue (6th under the renewal rule of
// ValidityInput::previous_cert_expiry), capped by `card_expiry`. For a
// signature certificate cap the result also by the authentication one.
Date CertificateExpiry(Date birth, Date issued, Date card_expiry,
                       std::optional<Date> previous_cert_expiry = {});

// The day the renewal window opens and the notice is sent: 3 months before
// `expiry` (AddMonths(expiry, -3), clamped to month end; domain.md §5).
Date RenewalWindowOpens(Date expiry);

// RenewalWindowOpens(expiry) <= today <= expiry.
bool InRenewalWindow(Date expiry, Date today);

// True while a card or certificate expiring on `expiry` is valid on `today`
// (the expiry day itself included).
bool ValidOn(Date expiry, Date today);

}  // namespace openmyna::domain
