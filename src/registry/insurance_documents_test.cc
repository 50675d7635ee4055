// 資格確認書 / 資格情報のお知らせ issued ex officio (issue 12 item 7;
// ../shared/docs/insurance.md §3.4): InsuranceService::IssueDueDocuments
// after each event the law names — registration cancelled, card returned,
// certificate expired — and nothing on a second run. The kinds, reasons
// and dates expected are the documented rule worked out by hand for each
// step (docs/insurance.md "資格確認書 and 資格情報のお知らせ").
#include <gtest/gtest.h>

#include <algorithm>

#include "insurance_service_fixture.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono;
using domain::QualificationDocumentKind;
using domain::QualificationDocumentReason;
using testing::At;
using testing::kClerk;
using testing::kKenpo;
using testing::kKyosai;
using testing::kSystem;
using testing::kTaroAddress;

class ExOfficioTest : public testing::InsuranceServiceTest {
 protected:
  // The whole batch, one membership per page (the paging is part of it),
  // each page's documents reported written as `issue-due` does.
  std::vector<QualificationDocument> RunBatch() {
    std::vector<QualificationDocument> issued;
    std::string after;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = insurance_->IssueDueDocuments(kSystem, after, 1);
      EXPECT_TRUE(page) << page.error();
      if (!page) break;
      EXPECT_LE(page->checked, 1);
      EXPECT_TRUE(page->unwritten.empty());
      EXPECT_TRUE(page->skipped.empty());
      std::vector<std::string> numbers;
      for (auto& d : page->issued) {
        numbers.push_back(d.number);
        issued.push_back(std::move(d));
      }
      EXPECT_TRUE(insurance_->MarkDocumentsWritten(kSystem, numbers));
      if (page->next_after.empty()) break;
      after = page->next_after;
    }
    return issued;
  }

  std::vector<IssuedQualificationDocument> Recorded(
      const std::string& membership_id) {
    std::vector<IssuedQualificationDocument> out;
    EXPECT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(
          out, InsuranceTx(tx).ListIssuedQualificationDocuments(membership_id));
      return Ok();
    }));
    return out;
  }

  int ExOfficioEntries(const std::string& resident_id) {
    int n = 0;
    for (const AuditEntry& e : Audit(resident_id)) {
      n += e.action == "insurance.document" &&
           e.reason.find("職権交付") != std::string::npos;
    }
    return n;
  }
};

TEST_F(ExOfficioTest, EachEventGivesOneNewDocumentAndASecondRunNone) {
  Resident taro = Register("123456789018", kTaroAddress);
  Card card = IssueCard(taro);
  const std::string kenpo = Enrol(kKenpo, Form(), "123456789018").membership.id;
  const Actor self{taro.id, Role::kResident, ""};
  ASSERT_TRUE(
      insurance_->RegisterCard(self, taro.id, RegistrationChannel::kPortal));
  // A member the registry cannot link (matches nobody), and one lost.
  Membership stranger = Form("33120015", "4242");
  stranger.name = "清瀬 三郎";
  stranger.name_kana = "キヨセ サブロウ";
  const std::string unlinked = Enrol(kKyosai, stranger).membership.id;
  Membership old = Form("33120015", "1111");
  old.acquired_on = "2010-04-01";
  const std::string lost = Enrol(kKyosai, old, "123456789018").membership.id;
  ASSERT_TRUE(insurance_->Lose(kKyosai, lost, "2020-04-01", "03"));

  // First run (2026-12-01): the registered holder of a usable card gets
  // the お知らせ (46 years old: no validity printed), the unlinked member a
  // 資格確認書 for 5 years less a day; the lost membership nothing.
  auto first = RunBatch();
  ASSERT_EQ(first.size(), 2u);
  for (const QualificationDocument& d : first) {
    EXPECT_TRUE(d.membership.resident_id.empty());  // never leaves
    if (d.membership.id == kenpo) {
      EXPECT_EQ(d.kind, QualificationDocumentKind::kNotice);
      EXPECT_EQ(d.reason, QualificationDocumentReason::kRegisteredCard);
      EXPECT_EQ(d.valid_until, "");
    } else {
      EXPECT_EQ(d.membership.id, unlinked);
      EXPECT_EQ(d.kind, QualificationDocumentKind::kCertificate);
      EXPECT_EQ(d.reason, QualificationDocumentReason::kNotRegistered);
      EXPECT_EQ(d.valid_until, "2031-11-30");
    }
    EXPECT_EQ(d.issued_on, "2026-12-01");
  }
  EXPECT_TRUE(RunBatch().empty());
  EXPECT_TRUE(Recorded(lost).empty());

  // Asked for by the insurer the same day: recorded, nothing new is due.
  ASSERT_TRUE(insurance_->IssueQualificationDocument(kKenpo, kenpo));
  EXPECT_TRUE(RunBatch().empty());

  // Registration cancelled: a 資格確認書, once.
  clock_.Set(At(2027, 1, 15));
  ASSERT_TRUE(insurance_->CancelRegistration(self, taro.id));
  auto cancelled = RunBatch();
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].membership.id, kenpo);
  EXPECT_EQ(cancelled[0].kind, QualificationDocumentKind::kCertificate);
  EXPECT_EQ(cancelled[0].reason,
            QualificationDocumentReason::kRegistrationCancelled);
  EXPECT_EQ(cancelled[0].valid_until, "2032-01-14");
  EXPECT_TRUE(RunBatch().empty());

  // Registered again: the お知らせ again; then the card is lost (void, its
  // certificates revoked): a 資格確認書 because the card is not usable.
  ASSERT_TRUE(
      insurance_->RegisterCard(self, taro.id, RegistrationChannel::kPortal));
  auto again = RunBatch();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].kind, QualificationDocumentKind::kNotice);
  ASSERT_TRUE(registry_->ReportLossOrTheft(kClerk, card.id,
                                           ReissueReason::kLoss, "長野-9"));
  auto returned = RunBatch();
  ASSERT_EQ(returned.size(), 1u);
  EXPECT_EQ(returned[0].kind, QualificationDocumentKind::kCertificate);
  EXPECT_EQ(returned[0].reason, QualificationDocumentReason::kCardNotUsable);
  EXPECT_TRUE(RunBatch().empty());

  // What was issued for Taro's membership, in order, and his trail: one
  // ex officio entry per ex officio document (the request is not one).
  const auto records = Recorded(kenpo);
  ASSERT_EQ(records.size(), 5u);
  const std::vector<std::pair<QualificationDocumentKind, DocumentChannel>> want{
      {QualificationDocumentKind::kNotice, DocumentChannel::kExOfficio},
      {QualificationDocumentKind::kNotice, DocumentChannel::kRequest},
      {QualificationDocumentKind::kCertificate, DocumentChannel::kExOfficio},
      {QualificationDocumentKind::kNotice, DocumentChannel::kExOfficio},
      {QualificationDocumentKind::kCertificate, DocumentChannel::kExOfficio}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(records[i].kind, want[i].first) << i;
    EXPECT_EQ(records[i].channel, want[i].second) << i;
    EXPECT_EQ(records[i].seq, static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(ExOfficioEntries(taro.id), 4);
}

// The authentication certificate expires (5 years after issue, the card
// stays active): a 資格確認書; when that one's validity has ended, the
// next run renews it, and only once.
TEST_F(ExOfficioTest, AnExpiredCertificateAndAnEndedValidity) {
  Resident taro = Register("123456789018", kTaroAddress);
  IssueCard(taro);
  const std::string kenpo = Enrol(kKenpo, Form(), "123456789018").membership.id;
  ASSERT_TRUE(insurance_->RegisterCard({taro.id, Role::kResident, ""}, taro.id,
                                       RegistrationChannel::kPortal));
  ASSERT_EQ(RunBatch().size(), 1u);  // the お知らせ
  TimePoint not_after{};
  auto file = registry_->GetResident(kSystem, taro.id);
  ASSERT_TRUE(file);
  for (const Certificate& c : file->certificates) {
    if (c.type == CertificateType::kAuthentication) not_after = c.not_after;
  }
  ASSERT_NE(not_after, TimePoint{});
  clock_.Set(not_after - hours(24));
  EXPECT_TRUE(RunBatch().empty());  // still usable the day before
  clock_.Set(not_after + hours(24));
  auto expired = RunBatch();
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].kind, QualificationDocumentKind::kCertificate);
  EXPECT_EQ(expired[0].reason, QualificationDocumentReason::kCardNotUsable);
  EXPECT_TRUE(RunBatch().empty());

  // The day after its last valid day: renewed, once.
  auto last_day = domain::ParseDate(expired[0].valid_until);
  ASSERT_TRUE(last_day) << expired[0].valid_until;
  const auto after_end = sys_days(*last_day) + days(1);
  const year_month_day ymd(after_end);
  clock_.Set(At(static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day())));
  auto renewed = RunBatch();
  ASSERT_EQ(renewed.size(), 1u);
  EXPECT_EQ(renewed[0].kind, QualificationDocumentKind::kCertificate);
  // Five years less a day from the renewal day (the rule of the first
  // test: 2026-12-01 -> 2031-11-30), with the year added by hand.
  const year_month_day renewal_end =
      sys_days(year_month_day(ymd.year() + years(5), ymd.month(), ymd.day())) -
      days(1);
  EXPECT_EQ(renewed[0].valid_until, domain::FormatDate(renewal_end));
  EXPECT_TRUE(RunBatch().empty());
  EXPECT_EQ(Recorded(kenpo).size(), 3u);
}

// Review finding 2: a record the batch cannot decide (a birth date that is
// not a date, put in behind the service's validation) is skipped and named
// by its id; the members before and after it in the same page get theirs.
TEST_F(ExOfficioTest, ABadRecordIsSkippedAndNamedAndThePageGoesOn) {
  Membership first = Form("33120015", "4242");
  first.name = "清瀬 三郎";
  first.name_kana = "キヨセ サブロウ";
  const std::string a = Enrol(kKyosai, first).membership.id;
  Membership second = first;
  second.number = "4343";
  const std::string b = Enrol(kKyosai, second).membership.id;
  const std::string lo = std::min(a, b), hi = std::max(a, b);
  Membership bad = second;
  bad.id = lo + "0";  // between the two in the batch's order (by id)
  bad.number = "4444";
  bad.date_of_birth = "1990-02-30";
  ASSERT_TRUE(store_->Transact(
      [&](RegistryTx& tx) { return InsuranceTx(tx).InsertMembership(bad); }));

  auto page = insurance_->IssueDueDocuments(kSystem, "", 10);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->checked, 3);
  ASSERT_EQ(page->issued.size(), 2u);
  EXPECT_EQ(page->issued[0].membership.id, lo);
  EXPECT_EQ(page->issued[1].membership.id, hi);
  ASSERT_EQ(page->skipped.size(), 1u);
  EXPECT_EQ(page->skipped[0].membership_id, bad.id);
  EXPECT_NE(page->skipped[0].reason.find(bad.id), std::string::npos);
  EXPECT_NE(page->skipped[0].reason.find("date_of_birth"), std::string::npos);
  EXPECT_EQ(page->skipped[0].reason.find("1990-02-30"), std::string::npos);
  EXPECT_TRUE(Recorded(bad.id).empty());
  EXPECT_EQ(Recorded(lo).size(), 1u);
  EXPECT_EQ(Recorded(hi).size(), 1u);
}

// Review finding 1: what a run recorded but never reported written comes
// back, the same document (number, kind, validity) and no new record or
// audit entry, on every later run until it is reported written.
TEST_F(ExOfficioTest, AnUnwrittenDocumentComesBackUntilReportedWritten) {
  Resident taro = Register("123456789018", kTaroAddress);
  const std::string kenpo = Enrol(kKenpo, Form(), "123456789018").membership.id;

  auto first = insurance_->IssueDueDocuments(kSystem, "", 10);
  ASSERT_TRUE(first) << first.error();
  ASSERT_EQ(first->issued.size(), 1u);
  const QualificationDocument& issued = first->issued[0];
  EXPECT_EQ(issued.kind, QualificationDocumentKind::kCertificate);
  EXPECT_EQ(issued.valid_until, "2031-11-30");  // 2026-12-01 + 5 y - 1 d
  ASSERT_EQ(Recorded(kenpo).size(), 1u);
  EXPECT_TRUE(Recorded(kenpo)[0].awaiting_output);

  clock_.Set(At(2026, 12, 2));  // the next day's run
  for (int run = 0; run < 2; ++run) {
    auto again = insurance_->IssueDueDocuments(kSystem, "", 10);
    ASSERT_TRUE(again) << again.error();
    EXPECT_TRUE(again->issued.empty());
    ASSERT_EQ(again->unwritten.size(), 1u);
    EXPECT_EQ(again->unwritten[0].number, issued.number);
    EXPECT_EQ(again->unwritten[0].kind, issued.kind);
    EXPECT_EQ(again->unwritten[0].issued_on, "2026-12-01");
    EXPECT_EQ(again->unwritten[0].valid_until, "2031-11-30");
    EXPECT_EQ(again->unwritten[0].membership.name, "千曲 太郎");
    EXPECT_TRUE(again->unwritten[0].membership.resident_id.empty());
  }
  EXPECT_EQ(Recorded(kenpo).size(), 1u);
  EXPECT_EQ(ExOfficioEntries(taro.id), 1);

  EXPECT_TRUE(insurance_->MarkDocumentsWritten(kSystem, {"qd-none"})
                  .error()
                  .Is(RegistryErrc::kNotFound));
  EXPECT_TRUE(insurance_->MarkDocumentsWritten(kKenpo, {issued.number})
                  .error()
                  .Is(RegistryErrc::kRefused));
  ASSERT_TRUE(insurance_->MarkDocumentsWritten(kSystem, {issued.number}));
  EXPECT_FALSE(Recorded(kenpo)[0].awaiting_output);
  auto done = insurance_->IssueDueDocuments(kSystem, "", 10);
  ASSERT_TRUE(done) << done.error();
  EXPECT_TRUE(done->issued.empty());
  EXPECT_TRUE(done->unwritten.empty());
}

// s9 review finding 6: a document never written that a newer event
// replaces is superseded (named, no longer awaiting output), not left
// awaiting for ever.
TEST_F(ExOfficioTest, AnUnwrittenDocumentReplacedByANewerOneIsSuperseded) {
  Resident taro = Register("123456789018", kTaroAddress);
  IssueCard(taro);
  const std::string kenpo = Enrol(kKenpo, Form(), "123456789018").membership.id;
  const Actor self{taro.id, Role::kResident, ""};
  ASSERT_TRUE(
      insurance_->RegisterCard(self, taro.id, RegistrationChannel::kPortal));
  auto first = insurance_->IssueDueDocuments(kSystem, "", 10);
  ASSERT_TRUE(first) << first.error();
  ASSERT_EQ(first->issued.size(), 1u);  // the お知らせ, never written
  EXPECT_EQ(first->issued[0].kind, QualificationDocumentKind::kNotice);

  clock_.Set(At(2027, 1, 15));
  ASSERT_TRUE(insurance_->CancelRegistration(self, taro.id));
  auto next = insurance_->IssueDueDocuments(kSystem, "", 10);
  ASSERT_TRUE(next) << next.error();
  ASSERT_EQ(next->issued.size(), 1u);
  EXPECT_EQ(next->issued[0].kind, QualificationDocumentKind::kCertificate);
  EXPECT_TRUE(next->unwritten.empty());
  ASSERT_EQ(next->superseded.size(), 1u);
  EXPECT_EQ(next->superseded[0].number, first->issued[0].number);
  EXPECT_EQ(next->superseded[0].membership_id, kenpo);
  auto records = Recorded(kenpo);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].awaiting_output);  // superseded
  EXPECT_TRUE(records[1].awaiting_output);   // the new one, until written
}

TEST_F(ExOfficioTest, OnlyTheSystemRunsTheBatch) {
  auto by_insurer = insurance_->IssueDueDocuments(kKenpo, "", 10);
  ASSERT_FALSE(by_insurer);
  EXPECT_TRUE(by_insurer.error().Is(RegistryErrc::kRefused));
  auto no_page = insurance_->IssueDueDocuments(kSystem, "", 0);
  ASSERT_FALSE(no_page);
  EXPECT_TRUE(no_page.error().Is(RegistryErrc::kInvalidInput));
}

}  // namespace
}  // namespace openmyna::registry
