// Validity rules, with expected dates worked out by hand from domain.md §5
// (the guidebook's tables) and jpki.md §6, never from our own code.
#include "openmyna/domain/validity.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "openmyna/domain/errors.h"
#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;

ValidityInput Input(std::string_view birth, std::string_view issued) {
  ValidityInput in;
  in.birth = D(birth);
  in.issued = D(issued);
  return in;
}

Validity Compute(const ValidityInput& in) {
  auto v = ComputeValidity(in);
  EXPECT_TRUE(v) << v.error();
  return v ? *v : Validity{};
}

// jpki.md §6.2: the real certificate issued 2022-11-24 to a holder born on
// 09-23 expires 2027-09-23; an adult's card lasts to the 10th birthday.
TEST(Validity, AdultGetsTenYearCardAndFiveYearCertificates) {
  const Validity v = Compute(Input("1990-09-23", "2022-11-24"));
  EXPECT_EQ(v.card_expiry, D("2032-09-23"));
  EXPECT_EQ(v.auth_cert_expiry, D("2027-09-23"));
  EXPECT_EQ(v.sign_cert_expiry, D("2027-09-23"));
  EXPECT_EQ(v.renewal_opens, D("2032-06-23"));
}

// Age at issue: 17 on the day before the 18th birthday, 18 on it.
TEST(Validity, AroundTheEighteenthBirthday) {
  const Validity before = Compute(Input("2006-04-02", "2024-04-01"));
  EXPECT_EQ(before.card_expiry, D("2028-04-02"));  // 5th birthday
  EXPECT_EQ(before.auth_cert_expiry, D("2028-04-02"));
  EXPECT_EQ(before.sign_cert_expiry, D("2028-04-02"));

  // Issued on the birthday: that birthday is not counted (jpki.md §13/17).
  const Validity on = Compute(Input("2006-04-02", "2024-04-02"));
  EXPECT_EQ(on.card_expiry, D("2034-04-02"));  // 10th birthday
  EXPECT_EQ(on.auth_cert_expiry, D("2029-04-02"));
  EXPECT_EQ(on.sign_cert_expiry, D("2029-04-02"));

  const Validity after = Compute(Input("2006-04-02", "2024-04-03"));
  EXPECT_EQ(after.card_expiry, D("2034-04-02"));
  EXPECT_EQ(after.auth_cert_expiry, D("2029-04-02"));
}

TEST(Validity, AroundTheFifteenthBirthday) {
  const Validity before = Compute(Input("2009-12-31", "2024-12-30"));
  EXPECT_EQ(before.card_expiry, D("2028-12-31"));
  EXPECT_EQ(before.auth_cert_expiry, D("2028-12-31"));
  EXPECT_EQ(before.sign_cert_expiry, std::nullopt);  // 14: not issued

  const Validity on = Compute(Input("2009-12-31", "2024-12-31"));
  EXPECT_EQ(on.card_expiry, D("2029-12-31"));
  EXPECT_EQ(on.sign_cert_expiry, D("2029-12-31"));

  const Validity after = Compute(Input("2009-12-31", "2025-01-01"));
  EXPECT_EQ(after.card_expiry, D("2029-12-31"));
  EXPECT_EQ(after.sign_cert_expiry, D("2029-12-31"));
}

TEST(Validity, YoungChildGetsAuthenticationOnly) {
  const Validity v = Compute(Input("2023-01-15", "2023-03-01"));
  EXPECT_EQ(v.card_expiry, D("2028-01-15"));
  EXPECT_EQ(v.auth_cert_expiry, D("2028-01-15"));
  EXPECT_EQ(v.sign_cert_expiry, std::nullopt);
}

TEST(Validity, TwentyNinthOfFebruaryBirth) {
  // Birthdays 2024-02-29 (1st) ... 2033-02-28 (10th); 5th 2028-02-29.
  const Validity v = Compute(Input("2000-02-29", "2023-03-01"));
  EXPECT_EQ(v.card_expiry, D("2033-02-28"));
  EXPECT_EQ(v.auth_cert_expiry, D("2028-02-29"));
  EXPECT_EQ(v.renewal_opens, D("2032-11-28"));

  // 2026-02-28 is the birthday for expiry counting (not counted: it is the
  // issue day), but age 18 is only held from 2026-03-01 (Civil Code Art.
  // 143(2)): a 5-year card.
  const Validity day_before = Compute(Input("2008-02-29", "2026-02-28"));
  EXPECT_EQ(day_before.card_expiry, D("2031-02-28"));
  const Validity day_of = Compute(Input("2008-02-29", "2026-03-01"));
  EXPECT_EQ(day_of.card_expiry, D("2036-02-29"));  // 2036 is a leap year
  EXPECT_EQ(day_of.auth_cert_expiry, D("2031-02-28"));
}

TEST(Validity, AdultWardAndFaceAuthCardHaveNoSignatureCertificate) {
  ValidityInput ward = Input("1950-05-05", "2024-06-01");
  ward.adult_ward = true;
  const Validity w = Compute(ward);
  EXPECT_EQ(w.card_expiry, D("2034-05-05"));
  EXPECT_EQ(w.auth_cert_expiry, D("2029-05-05"));
  EXPECT_EQ(w.sign_cert_expiry, std::nullopt);

  ValidityInput face = Input("1950-05-05", "2024-06-01");
  face.face_auth_card = true;
  const Validity f = Compute(face);
  EXPECT_EQ(f.auth_cert_expiry, D("2029-05-05"));
  EXPECT_EQ(f.sign_cert_expiry, std::nullopt);
}

TEST(Validity, DeclinedCertificatesAreNotIssued) {
  ValidityInput in = Input("1990-09-23", "2022-11-24");
  in.decline_sign_cert = true;
  Validity v = Compute(in);
  EXPECT_EQ(v.auth_cert_expiry, D("2027-09-23"));
  EXPECT_EQ(v.sign_cert_expiry, std::nullopt);
  in = Input("1990-09-23", "2022-11-24");
  in.decline_auth_cert = true;
  v = Compute(in);
  EXPECT_EQ(v.auth_cert_expiry, std::nullopt);
  EXPECT_EQ(v.sign_cert_expiry, D("2027-09-23"));
}

// jpki.md §6.1: applications accepted before 2022-04-01 needed age 20.
TEST(Validity, ApplicationsBeforeApril2022UsedTwenty) {
  ValidityInput in = Input("2002-06-01", "2022-04-20");  // 19 at issue
  in.applied = D("2022-03-31");
  EXPECT_EQ(Compute(in).card_expiry, D("2026-06-01"));
  in.applied = D("2022-04-01");
  EXPECT_EQ(Compute(in).card_expiry, D("2031-06-01"));
  in.applied.reset();
  EXPECT_EQ(Compute(in).card_expiry, D("2031-06-01"));
}

// jpki.md §6.2: renewed inside the last 3 months -> the 6th birthday.
TEST(CertificateExpiry, RenewalInsideTheLastThreeMonths) {
  const Date birth = D("1990-09-23");
  const Date prev = D("2027-09-23");
  const Date card = D("2040-01-01");
  // Window opens 2027-06-23.
  EXPECT_EQ(CertificateExpiry(birth, D("2027-06-22"), card, prev),
            D("2031-09-23"));  // outside: 5th birthday
  EXPECT_EQ(CertificateExpiry(birth, D("2027-06-23"), card, prev),
            D("2032-09-23"));  // first day of the window: 6th
  EXPECT_EQ(CertificateExpiry(birth, D("2027-09-22"), card, prev),
            D("2032-09-23"));  // last day before expiry
  EXPECT_EQ(CertificateExpiry(birth, D("2027-09-23"), card, prev),
            D("2032-09-23"));  // on the birthday: 5th, birthday not counted
  EXPECT_EQ(CertificateExpiry(birth, D("2027-07-01"), card),
            D("2031-09-23"));  // no previous certificate: 5th
  // Capped by the card.
  EXPECT_EQ(CertificateExpiry(birth, D("2027-07-01"), D("2030-01-01"), prev),
            D("2030-01-01"));
}

TEST(CertificateExpiry, RenewalAfterACappedCertificateGetsNoExtraYear) {
  // The old certificate ended early with a card on 2027-03-01, before the
  // 09-23 birthday: the next birthday is after it, so the 5th counts.
  EXPECT_EQ(CertificateExpiry(D("1990-09-23"), D("2027-01-10"), D("2040-01-01"),
                              D("2027-03-01")),
            D("2031-09-23"));
}

TEST(Validity, RenewalRuleAppliesThroughComputeValidity) {
  ValidityInput in = Input("1990-09-23", "2027-07-01");
  in.previous_cert_expiry = D("2027-09-23");
  const Validity v = Compute(in);
  EXPECT_EQ(v.card_expiry, D("2036-09-23"));
  EXPECT_EQ(v.auth_cert_expiry, D("2032-09-23"));
  EXPECT_EQ(v.sign_cert_expiry, D("2032-09-23"));
}

// domain.md §5, foreign residents: one test per row of the table.
TEST(Validity, PermanentStatusesAreAsForNationals) {
  const Validity national = Compute(Input("1985-08-08", "2024-10-01"));
  EXPECT_EQ(national.card_expiry, D("2034-08-08"));
  for (ResidenceStatus s : {ResidenceStatus::kPermanentResident,
                            ResidenceStatus::kHighlySkilledProfessional2,
                            ResidenceStatus::kSpecialPermanentResident}) {
    ValidityInput in = Input("1985-08-08", "2024-10-01");
    in.status = s;
    const Validity v = Compute(in);
    EXPECT_EQ(v.card_expiry, national.card_expiry) << ResidenceStatusName(s);
    EXPECT_EQ(v.auth_cert_expiry, national.auth_cert_expiry);
    EXPECT_EQ(v.sign_cert_expiry, national.sign_cert_expiry);
  }
}

TEST(Validity, StayLimitedStatusesEndWithTheStay) {
  for (ResidenceStatus s :
       {ResidenceStatus::kMidToLongTerm, ResidenceStatus::kTemporaryRefuge,
        ResidenceStatus::kProvisionalStay}) {
    ValidityInput in = Input("1990-09-23", "2024-04-10");
    in.status = s;
    in.stay_until = D("2026-03-31");
    const Validity v = Compute(in);
    EXPECT_EQ(v.card_expiry, D("2026-03-31")) << ResidenceStatusName(s);
    EXPECT_EQ(v.auth_cert_expiry, D("2026-03-31"));
    EXPECT_EQ(v.sign_cert_expiry, D("2026-03-31"));
    EXPECT_EQ(v.renewal_opens, D("2025-12-31"));

    // A stay longer than a national's card: capped at the national expiry.
    in.stay_until = D("2040-01-01");
    const Validity long_stay = Compute(in);
    EXPECT_EQ(long_stay.card_expiry, D("2033-09-23"));
    EXPECT_EQ(long_stay.auth_cert_expiry, D("2028-09-23"));

    // The stay ends on the issue day: valid that day only.
    in.stay_until = D("2024-04-10");
    EXPECT_EQ(Compute(in).card_expiry, D("2024-04-10"));

    in.stay_until = D("2024-04-09");
    auto ended = ComputeValidity(in);
    ASSERT_FALSE(ended);
    EXPECT_TRUE(ended.error().Is(DomainErrc::kNotEligible)) << ended.error();

    in.stay_until.reset();
    auto missing = ComputeValidity(in);
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().Is(DomainErrc::kInvalidArgument));
  }
}

// "60日を経過する日": the day of birth is not counted (Civil Code Art. 140):
// born 2024-05-01 -> 2024-06-30.
TEST(Validity, TransitionalStayAfterBirthLastsSixtyDays) {
  ValidityInput in = Input("2024-05-01", "2024-06-10");
  in.status = ResidenceStatus::kTransitionalBirth;
  const Validity v = Compute(in);
  EXPECT_EQ(v.card_expiry, D("2024-06-30"));
  EXPECT_EQ(v.auth_cert_expiry, D("2024-06-30"));
  EXPECT_EQ(v.sign_cert_expiry, std::nullopt);  // a baby

  in.issued = D("2024-06-30");
  EXPECT_EQ(Compute(in).card_expiry, D("2024-06-30"));
  in.issued = D("2024-07-01");
  auto late = ComputeValidity(in);
  ASSERT_FALSE(late);
  EXPECT_TRUE(late.error().Is(DomainErrc::kNotEligible));
}

TEST(Validity, TransitionalStayAfterLossOfNationality) {
  ValidityInput in = Input("1990-09-23", "2024-02-01");
  in.status = ResidenceStatus::kTransitionalLossOfNationality;
  in.status_event = D("2024-01-15");  // +60 days (2024 is a leap year)
  const Validity v = Compute(in);
  EXPECT_EQ(v.card_expiry, D("2024-03-15"));
  EXPECT_EQ(v.auth_cert_expiry, D("2024-03-15"));
  EXPECT_EQ(v.sign_cert_expiry, D("2024-03-15"));

  in.status_event.reset();
  EXPECT_TRUE(ComputeValidity(in).error().Is(DomainErrc::kInvalidArgument));
  in.status_event = D("2024-02-02");  // after the issue date
  EXPECT_TRUE(ComputeValidity(in).error().Is(DomainErrc::kInvalidDate));
}

TEST(Validity, RejectsContradictoryInput) {
  auto before_birth = ComputeValidity(Input("2000-01-02", "2000-01-01"));
  ASSERT_FALSE(before_birth);
  EXPECT_TRUE(before_birth.error().Is(DomainErrc::kInvalidDate));

  ValidityInput stay_for_national = Input("1990-01-01", "2024-01-01");
  stay_for_national.stay_until = D("2025-01-01");
  EXPECT_TRUE(ComputeValidity(stay_for_national)
                  .error()
                  .Is(DomainErrc::kInvalidArgument));

  ValidityInput event_for_pr = Input("1990-01-01", "2024-01-01");
  event_for_pr.status = ResidenceStatus::kPermanentResident;
  event_for_pr.status_event = D("2023-12-01");
  EXPECT_TRUE(
      ComputeValidity(event_for_pr).error().Is(DomainErrc::kInvalidArgument));

  ValidityInput not_a_date = Input("1990-01-01", "2024-01-01");
  not_a_date.birth = Date{std::chrono::year{2023}, std::chrono::February,
                          std::chrono::day{30}};
  EXPECT_TRUE(ComputeValidity(not_a_date).error().Is(DomainErrc::kInvalidDate));
}

TEST(CardExpiryAfterStayChange, NeverBeyondTheNationalExpiry) {
  const Date birth = D("1990-09-23");
  const Date issued = D("2024-04-10");
  EXPECT_EQ(*CardExpiryAfterStayChange(birth, issued, D("2027-03-31")),
            D("2027-03-31"));
  EXPECT_EQ(*CardExpiryAfterStayChange(birth, issued, D("2099-01-01")),
            D("2033-09-23"));
  auto past = CardExpiryAfterStayChange(birth, issued, D("2024-04-01"));
  ASSERT_FALSE(past);
  EXPECT_TRUE(past.error().Is(DomainErrc::kNotEligible));
}

// domain.md §5: notice and renewal from about 3 months before expiry.
TEST(RenewalWindow, OpensThreeMonthsBefore) {
  EXPECT_EQ(RenewalWindowOpens(D("2030-09-23")), D("2030-06-23"));
  EXPECT_EQ(RenewalWindowOpens(D("2030-05-31")), D("2030-02-28"));
  EXPECT_FALSE(InRenewalWindow(D("2030-09-23"), D("2030-06-22")));
  EXPECT_TRUE(InRenewalWindow(D("2030-09-23"), D("2030-06-23")));
  EXPECT_TRUE(InRenewalWindow(D("2030-09-23"), D("2030-09-23")));
  EXPECT_FALSE(InRenewalWindow(D("2030-09-23"), D("2030-09-24")));
  EXPECT_TRUE(ValidOn(D("2030-09-23"), D("2030-09-23")));
  EXPECT_FALSE(ValidOn(D("2030-09-23"), D("2030-09-24")));
}

rc::Gen<Date> GenDate(int from_year, int to_year) {
  using namespace std::chrono;
  const sys_days lo{year{from_year} / January / 1};
  const sys_days hi{year{to_year} / December / 31};
  return rc::gen::map(rc::gen::inRange<int>(0, (hi - lo).count() + 1),
                      [lo](int n) { return Date{lo + days{n}}; });
}

// Issue: "expiry is always after issue and never more than 10 years away";
// certificates never outlive the card, the signature certificate never the
// authentication certificate, and certificates last at most 5 years.
RC_GTEST_PROP(ValidityProperty, ExpiryAfterIssueAndWithinTenYears, ()) {
  const Date birth = *GenDate(1900, 2030);
  const int age_days = *rc::gen::inRange(0, 110 * 366);
  const Date issued = AddDays(birth, age_days);
  const ResidenceStatus status = *rc::gen::element(
      ResidenceStatus::kJapaneseNational, ResidenceStatus::kPermanentResident,
      ResidenceStatus::kHighlySkilledProfessional2,
      ResidenceStatus::kSpecialPermanentResident);
  ValidityInput in;
  in.birth = birth;
  in.issued = issued;
  in.status = status;
  in.adult_ward = *rc::gen::arbitrary<bool>();
  in.face_auth_card = *rc::gen::arbitrary<bool>();
  const auto v = ComputeValidity(in);
  RC_ASSERT(v.has_value());
  using std::chrono::sys_days;
  RC_ASSERT(sys_days{v->card_expiry} > sys_days{issued});
  RC_ASSERT(sys_days{v->card_expiry} <= sys_days{AddMonths(issued, 120)});
  RC_ASSERT(v->auth_cert_expiry.has_value());
  RC_ASSERT(sys_days{*v->auth_cert_expiry} > sys_days{issued});
  RC_ASSERT(sys_days{*v->auth_cert_expiry} <= sys_days{AddMonths(issued, 60)});
  RC_ASSERT(sys_days{*v->auth_cert_expiry} <= sys_days{v->card_expiry});
  if (v->sign_cert_expiry) {
    RC_ASSERT(sys_days{*v->sign_cert_expiry} <= sys_days{*v->auth_cert_expiry});
  }
  RC_ASSERT(
      v->sign_cert_expiry.has_value() ==
      (AgeAt(birth, issued) >= 15 && !in.adult_ward && !in.face_auth_card));
  RC_ASSERT(sys_days{v->renewal_opens} < sys_days{v->card_expiry});
}

RC_GTEST_PROP(ValidityProperty, StayLimitedNeverOutlivesStayOrTenYears, ()) {
  const Date birth = *GenDate(1930, 2020);
  const Date issued = AddDays(birth, *rc::gen::inRange(0, 90 * 366));
  const Date stay = AddDays(issued, *rc::gen::inRange(0, 15 * 366));
  ValidityInput in;
  in.birth = birth;
  in.issued = issued;
  in.status = *rc::gen::element(ResidenceStatus::kMidToLongTerm,
                                ResidenceStatus::kTemporaryRefuge,
                                ResidenceStatus::kProvisionalStay);
  in.stay_until = stay;
  const auto v = ComputeValidity(in);
  RC_ASSERT(v.has_value());
  using std::chrono::sys_days;
  RC_ASSERT(sys_days{v->card_expiry} >= sys_days{issued});
  RC_ASSERT(sys_days{v->card_expiry} <= sys_days{stay});
  RC_ASSERT(sys_days{v->card_expiry} <= sys_days{AddMonths(issued, 120)});
  RC_ASSERT(sys_days{*v->auth_cert_expiry} <= sys_days{v->card_expiry});
}

}  // namespace
}  // namespace openmyna::domain
