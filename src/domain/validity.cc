#include "openmyna/domain/validity.h"

#include <fmt/format.h>

#include <algorithm>

#include "openmyna/domain/errors.h"

namespace openmyna::domain {
namespace {

using std::chrono::sys_days;

// Age at issue for a 10-year card (domain.md §5; jpki.md §6.1).
constexpr int kTenYearCardAge = 18;
constexpr int kTenYearCardAgeBefore2022 = 20;
// No signature certificate under this age at issue (jpki.md §6.2).
constexpr int kSignatureCertificateMinimumAge = 15;
// Transitional stay after birth or loss of nationality (domain.md §5).
constexpr int kTransitionalStayDays = 60;

Date Earlier(Date a, Date b) { return sys_days{a} <= sys_days{b} ? a : b; }
bool Before(Date a, Date b) { return sys_days{a} < sys_days{b}; }

// The certificate birthday count: 6 when renewed inside the old
// certificate's window before the birthday it ran to, else 5.
int CertificateBirthdays(Date birth, Date issued,
                         std::optional<Date> previous_cert_expiry) {
  if (!previous_cert_expiry) return 5;
  const Date prev = *previous_cert_expiry;
  const bool in_window =
      !Before(issued, RenewalWindowOpens(prev)) && Before(issued, prev);
  const bool next_birthday_not_later =
      !Before(prev, NthBirthdayAfter(birth, issued, 1));
  return in_window && next_birthday_not_later ? 6 : 5;
}

Status CheckOk(Date d, std::string_view what) {
  if (!d.ok()) {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("{} is not a calendar date", what));
  }
  return Ok();
}

// Card: the 10th or 5th birthday after issue (domain.md §5).
Date NationalCardExpiry(Date birth, Date issued, std::optional<Date> applied) {
  const int ten_year_age = Before(applied.value_or(issued), kAdultAge18Since)
                               ? kTenYearCardAgeBefore2022
                               : kTenYearCardAge;
  const int age = AgeAt(birth, issued);
  return NthBirthdayAfter(birth, issued, age >= ten_year_age ? 10 : 5);
}

}  // namespace

Result<Date> CardExpiryAfterStayChange(Date birth, Date issued,
                                       Date new_stay_until,
                                       std::optional<Date> applied) {
  OPENMYNA_RETURN_IF_ERROR(CheckOk(birth, "date of birth"));
  OPENMYNA_RETURN_IF_ERROR(CheckOk(issued, "issue date"));
  OPENMYNA_RETURN_IF_ERROR(CheckOk(new_stay_until, "stay-until date"));
  if (applied) OPENMYNA_RETURN_IF_ERROR(CheckOk(*applied, "application date"));
  if (Before(issued, birth)) {
    return Fail(DomainErrc::kInvalidDate,
                "the issue date is before the date of birth");
  }
  if (Before(new_stay_until, issued)) {
    return Fail(DomainErrc::kNotEligible,
                fmt::format("the period of stay ends on {}, before the issue "
                            "date {}",
                            FormatDate(new_stay_until), FormatDate(issued)));
  }
  return Earlier(NationalCardExpiry(birth, issued, applied), new_stay_until);
}

Date RenewalWindowOpens(Date expiry) { return AddMonths(expiry, -3); }

bool InRenewalWindow(Date expiry, Date today) {
  return !Before(today, RenewalWindowOpens(expiry)) && !Before(expiry, today);
}

bool ValidOn(Date expiry, Date today) { return !Before(expiry, today); }

Date CertificateExpiry(Date birth, Date issued, Date card_expiry,
                       std::optional<Date> previous_cert_expiry) {
  const int n = CertificateBirthdays(birth, issued, previous_cert_expiry);
  return Earlier(NthBirthdayAfter(birth, issued, n), card_expiry);
}

Result<Validity> ComputeValidity(const ValidityInput& in) {
  OPENMYNA_RETURN_IF_ERROR(CheckOk(in.birth, "date of birth"));
  OPENMYNA_RETURN_IF_ERROR(CheckOk(in.issued, "issue date"));
  if (Before(in.issued, in.birth)) {
    return Fail(DomainErrc::kInvalidDate,
                fmt::format("issue date {} is before the date of birth {}",
                            FormatDate(in.issued), FormatDate(in.birth)));
  }
  for (const auto& [value, what] :
       {std::pair{in.stay_until, "stay-until date"},
        std::pair{in.status_event, "status event date"},
        std::pair{in.previous_cert_expiry, "previous certificate expiry"},
        std::pair{in.applied, "application date"}}) {
    if (value) OPENMYNA_RETURN_IF_ERROR(CheckOk(*value, what));
  }
  const std::string_view status_name = ResidenceStatusName(in.status);
  if (NeedsStayUntil(in.status) && !in.stay_until) {
    return Fail(DomainErrc::kInvalidArgument,
                fmt::format("status {} needs the end of the period of stay "
                            "(stay-until)",
                            status_name));
  }
  if (!NeedsStayUntil(in.status) && in.stay_until) {
    return Fail(DomainErrc::kInvalidArgument,
                fmt::format("status {} has no period of stay; stay-until "
                            "does not apply",
                            status_name));
  }
  if (!IsTransitional(in.status) && in.status_event) {
    return Fail(DomainErrc::kInvalidArgument,
                fmt::format("status {} has no birth or loss-of-nationality "
                            "event; the event date does not apply",
                            status_name));
  }
  if (in.status == ResidenceStatus::kTransitionalLossOfNationality &&
      !in.status_event) {
    return Fail(DomainErrc::kInvalidArgument,
                "status transitional-loss-of-nationality needs the date the "
                "nationality was lost");
  }

  // Card: the 10th or 5th birthday after issue (domain.md §5).
  const Date applied = in.applied.value_or(in.issued);
  const int ten_year_age = Before(applied, kAdultAge18Since)
                               ? kTenYearCardAgeBefore2022
                               : kTenYearCardAge;
  const int age = AgeAt(in.birth, in.issued);
  Date card =
      NthBirthdayAfter(in.birth, in.issued, age >= ten_year_age ? 10 : 5);

  // Foreign residents (domain.md §5 table).
  if (NeedsStayUntil(in.status)) {
    if (Before(*in.stay_until, in.issued)) {
      return Fail(
          DomainErrc::kNotEligible,
          fmt::format("the period of stay ended on {}, before the "
                      "issue date {}",
                      FormatDate(*in.stay_until), FormatDate(in.issued)));
    }
    card = Earlier(card, *in.stay_until);
  } else if (IsTransitional(in.status)) {
    const Date event = in.status_event.value_or(in.birth);
    if (Before(event, in.birth) || Before(in.issued, event)) {
      return Fail(DomainErrc::kInvalidDate,
                  fmt::format("the event date {} must lie between the date "
                              "of birth and the issue date",
                              FormatDate(event)));
    }
    const Date end = AddDays(event, kTransitionalStayDays);
    if (Before(end, in.issued)) {
      return Fail(DomainErrc::kNotEligible,
                  fmt::format("the 60-day transitional stay ended on {}, "
                              "before the issue date {}",
                              FormatDate(end), FormatDate(in.issued)));
    }
    card = Earlier(card, end);
  }

  Validity out{.card_expiry = card,
               .auth_cert_expiry = std::nullopt,
               .sign_cert_expiry = std::nullopt,
               .renewal_opens = RenewalWindowOpens(card)};
  if (!in.decline_auth_cert) {
    out.auth_cert_expiry =
        CertificateExpiry(in.birth, in.issued, card, in.previous_cert_expiry);
  }
  if (!in.decline_sign_cert && age >= kSignatureCertificateMinimumAge &&
      !in.adult_ward && !in.face_auth_card) {
    Date sign =
        CertificateExpiry(in.birth, in.issued, card, in.previous_cert_expiry);
    if (out.auth_cert_expiry) sign = Earlier(sign, *out.auth_cert_expiry);
    out.sign_cert_expiry = sign;
  }
  return out;
}

}  // namespace openmyna::domain
