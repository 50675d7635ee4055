// The document rule against dates worked out by hand from the sources
// (../shared/docs/insurance.md §3.4) and the conventions in the header.
#include "openmyna/domain/qualification_document.h"

#include <gtest/gtest.h>

#include "test_dates.h"

namespace openmyna::domain {
namespace {

using testing::D;
using Kind = QualificationDocumentKind;
using Reason = QualificationDocumentReason;

QualificationDocumentFacts Facts(const char* today, const char* birth) {
  QualificationDocumentFacts f;
  f.today = D(today);
  f.birth = D(birth);
  return f;
}

TEST(QualificationDocument, ARegisteredUsableCardGetsTheNoticeWithoutExpiry) {
  auto f = Facts("2026-12-02", "1985-04-10");
  f.registered = f.card_usable = true;
  const auto d = DecideQualificationDocument(f);
  EXPECT_EQ(d.kind, Kind::kNotice);
  EXPECT_EQ(d.reason, Reason::kRegisteredCard);
  EXPECT_FALSE(d.valid_until);
  EXPECT_EQ(QualificationDocumentName(d.kind), "資格情報のお知らせ");
}

TEST(QualificationDocument, EveryoneElseGetsACertificateForFiveYears) {
  auto never = Facts("2026-12-02", "1985-04-10");
  auto d = DecideQualificationDocument(never);
  EXPECT_EQ(d.kind, Kind::kCertificate);
  EXPECT_EQ(d.reason, Reason::kNotRegistered);
  EXPECT_EQ(d.valid_until, D("2031-12-01"));
  EXPECT_EQ(QualificationDocumentName(d.kind), "資格確認書");

  auto cancelled = never;
  cancelled.cancelled = true;
  cancelled.card_usable = true;
  EXPECT_EQ(DecideQualificationDocument(cancelled).reason,
            Reason::kRegistrationCancelled);

  auto returned = never;
  returned.registered = true;  // but no active card / good certificate
  EXPECT_EQ(DecideQualificationDocument(returned).kind, Kind::kCertificate);
  EXPECT_EQ(DecideQualificationDocument(returned).reason,
            Reason::kCardNotUsable);
  // 29 February + 5 years is clamped to 28 February, less a day.
  auto leap = Facts("2028-02-29", "1985-04-10");
  EXPECT_EQ(DecideQualificationDocument(leap).valid_until, D("2033-02-27"));
}

TEST(QualificationDocument, TheCertificateEndsBeforeTheSeventyFifthBirthday) {
  // Born 1952-03-15: 75 on 2027-03-15, so insured here to 2027-03-14.
  auto f = Facts("2026-12-02", "1952-03-15");
  EXPECT_EQ(DecideQualificationDocument(f).valid_until, D("2027-03-14"));
  // 70–74 with a 高齢受給者 period ending 2027-07-31 (born 1955-01-20: 75
  // in 2030), the period cuts it.
  auto elderly = Facts("2026-12-02", "1955-01-20");
  elderly.elderly_valid_to = D("2027-07-31");
  EXPECT_EQ(DecideQualificationDocument(elderly).valid_until, D("2027-07-31"));
  elderly.registered = elderly.card_usable = true;
  const auto notice = DecideQualificationDocument(elderly);
  EXPECT_EQ(notice.kind, Kind::kNotice);
  EXPECT_EQ(notice.valid_until, D("2027-07-31"));
}

TEST(QualificationDocument, LateElderlyGetACertificateUntilTheInterimEnds) {
  auto f = Facts("2026-07-31", "1940-05-05");
  f.late_elderly = true;
  f.registered = f.card_usable = true;
  auto d = DecideQualificationDocument(f);
  EXPECT_EQ(d.kind, Kind::kCertificate);
  EXPECT_EQ(d.reason, Reason::kLateElderlyInterim);
  EXPECT_EQ(d.valid_until, D("2026-07-31"));
  // From 2026-08-01 the ordinary rule: the notice for a registered card,
  // a certificate to the next 7/31 otherwise.
  f.today = D("2026-08-01");
  EXPECT_EQ(DecideQualificationDocument(f).kind, Kind::kNotice);
  f.registered = false;
  d = DecideQualificationDocument(f);
  EXPECT_EQ(d.kind, Kind::kCertificate);
  EXPECT_EQ(d.valid_until, D("2027-07-31"));
  f.today = D("2027-07-31");
  EXPECT_EQ(DecideQualificationDocument(f).valid_until, D("2027-07-31"));
}

}  // namespace
}  // namespace openmyna::domain
