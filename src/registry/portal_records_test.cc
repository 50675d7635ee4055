// The portal's records (issue 10) on both storage back ends: the statutory
// disclosure record read from the audit log, notices with unread marks, and
// online applications signed with a real sandbox signature certificate —
// the signatures made by the `openssl cms -sign` command line, not by us.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "openmyna/base/file_io.h"
#include "openmyna/domain/date.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/registry/resident_notices.h"
#include "openmyna/registry/store.h"
#include "testing/pki_fixture.h"
#include "testing/registry_fixture.h"
#include "testing/signed_application.h"
#include "testing_backend.h"

namespace openmyna::registry {
namespace {

using namespace std::chrono_literals;

std::string Unique(std::string_view prefix) {
  std::random_device rd;
  return std::string(prefix) + std::to_string(rd()) + std::to_string(rd());
}

// The real time: `openssl cms -sign` stamps the machine's clock.
TimePoint Now() {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now());
}

class PortalRecords : public testing::StoreOnBackend {
 protected:
  void SetUp() override {
    if (!OpenStore(clock_)) return;
    ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Chikuma()));
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Kiyose()));
      OPENMYNA_RETURN_IF_ERROR(
          tx.InsertResident(Person("r-1", "123456789018")));
      return tx.InsertResident(Person("r-2", "234567890123"));
    }));
  }

  static Resident Person(std::string id, std::string number) {
    Resident r;
    r.id = std::move(id);
    r.individual_number = std::move(number);
    r.name = "清瀬 花子";
    r.date_of_birth = "1990-01-02";
    r.sex = Sex::kFemale;
    r.address = "東京都清瀬市中里五丁目842番地";
    r.municipality_code = "13221";
    return r;
  }

  Status Audit(std::string id, Role role, std::string actor, TimePoint at,
               std::string action = "resident.read") {
    return store_->Transact([&](RegistryTx& tx) {
      AuditEntry e;
      e.id = id;
      e.resident_id = "r-1";
      e.actor_id = actor;
      e.role = role;
      e.action = action;
      e.reason = "本人確認";
      e.at = at;
      return tx.AppendAudit(e);
    });
  }

  FixedClock clock_{Now()};
  DeterministicRng rng_{11};
};

INSTANTIATE_TEST_SUITE_P(Backends, PortalRecords, testing::BothBackends(),
                         testing::BackendName);

TEST_P(PortalRecords, DisclosuresNewestFirstWithinSevenYearsAndFiltered) {
  const TimePoint now = clock_.Now();
  ASSERT_TRUE(Audit("au-old", Role::kCounterClerk, "clerk-1", now - 8 * 8766h));
  ASSERT_TRUE(Audit("au-a", Role::kCounterClerk, "clerk-1", now - 48h));
  ASSERT_TRUE(
      Audit("au-b", Role::kHotlineOperator, "op-7", now - 24h, "card.suspend"));
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) {
    AuditEntry e;
    e.id = "au-c";
    e.resident_id = "r-1";
    e.actor_id = "rp-bank";
    e.role = Role::kPlatform;
    e.action = "signin.userinfo";
    e.at = now - 1h;
    e.requested_at = now - 2h;
    e.requester = "サンドボックス銀行";
    e.provider = "J-LIS";
    e.items = {"name", "address"};
    e.withheld = true;
    return tx.AppendAudit(e);
  }));
  std::vector<DisclosureRecord> all;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(all, ListDisclosures(tx, "r-1", now, {}));
    return Ok();
  }));
  ASSERT_EQ(all.size(), 3u);  // the 8-year-old entry is past retention
  EXPECT_EQ(all[0].id, "au-c");
  EXPECT_EQ(all[0].requester, "サンドボックス銀行");
  EXPECT_EQ(all[0].provider, "J-LIS");
  EXPECT_EQ(all[0].requested_at, now - 2h);
  EXPECT_EQ(all[0].provided_at, now - 1h);
  EXPECT_TRUE(all[0].withheld);
  EXPECT_EQ(all[0].items, (std::vector<std::string>{"name", "address"}));
  EXPECT_EQ(all[1].id, "au-b");
  EXPECT_EQ(all[1].items, (std::vector<std::string>{"card", "certificates"}));
  EXPECT_EQ(all[1].requested_at, all[1].provided_at);
  EXPECT_EQ(all[2].purpose, "本人確認");
  EXPECT_EQ(DisclosureBodies(all),
            (std::vector<std::string>{"サンドボックス銀行", "hotline_operator",
                                      "counter_clerk"}));

  std::vector<DisclosureRecord> some;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        some, ListDisclosures(tx, "r-1", now,
                              {now - 30h, now - 1h, "hotline_operator"}));
    return Ok();
  }));
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].id, "au-b");
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        some, ListDisclosures(tx, "r-1", now, {now - 1h, {}, ""}));
    EXPECT_EQ(some.size(), 1u);  // `from` is inclusive
    OPENMYNA_ASSIGN_OR_RETURN(some, ListDisclosures(tx, "r-2", now, {}));
    EXPECT_TRUE(some.empty());  // never another resident's
    return Ok();
  }));
}

TEST_P(PortalRecords, RepresentedResidentsAreThoseNamingTheRepresentative) {
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    Resident child = Person("r-3", "345678901238");
    child.legal_representative_id = "r-1";
    OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(child));
    Resident other = Person("r-4", "456789012349");
    other.legal_representative_id = "r-10";  // a prefix match is not one
    OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(other));
    OPENMYNA_ASSIGN_OR_RETURN(auto mine, ListRepresentedResidents(tx, "r-1"));
    EXPECT_EQ(mine.size(), 1u);
    if (!mine.empty()) {
      EXPECT_EQ(mine[0].id, "r-3");
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto none, ListRepresentedResidents(tx, "r-2"));
    EXPECT_TRUE(none.empty());
    return Ok();
  }));
}

TEST(DisclosureCsv, Rfc4180QuotingAndJstTimes) {
  EXPECT_EQ(ToCsv({{"a", "b,c"}, {"say \"hi\"", "line\nbreak"}, {"日本", ""}}),
            "a,\"b,c\"\r\n\"say \"\"hi\"\"\",\"line\nbreak\"\r\n日本,\r\n");
  // 2026-11-25T03:00:00Z is 12:00 in Japan.
  EXPECT_EQ(FormatJst(pki::testing::FixtureNow()), "2026-11-25 12:00:00");
}

TEST_P(PortalRecords, NoticesAreDerivedOnceAndCarryUnreadMarks) {
  const TimePoint now = clock_.Now();
  const domain::Date today = domain::JapanDateOf(now);
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    Card card;
    card.id = "c-1";
    card.resident_id = "r-1";
    card.state = CardState::kActive;
    card.issued_on = "2017-01-01";
    card.expires_on = domain::FormatDate(domain::AddMonths(today, 2));
    card.present_by = domain::FormatDate(domain::AddDays(today, 80));
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
    Card far = card;  // the other resident's card, far from expiry
    far.id = "c-2";
    far.resident_id = "r-2";
    far.expires_on = domain::FormatDate(domain::AddMonths(today, 40));
    far.present_by.clear();
    OPENMYNA_RETURN_IF_ERROR(tx.PutCard(far));
    Certificate cert;
    cert.serial = "0abc";
    cert.card_id = "c-1";
    cert.resident_id = "r-1";
    cert.type = CertificateType::kSignature;
    cert.not_before = now - 8766h * 4;
    cert.not_after = now + 24h * 30;
    return tx.PutCertificate(cert);
  }));
  ASSERT_TRUE(Audit("au-1", Role::kCounterClerk, "clerk-1", now - 1h));
  ASSERT_TRUE(Audit("au-2", Role::kSystem, "batch", now - 1h, "batch.expiry"));

  int written = 0;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(written,
                              RefreshResidentNotices(tx, "r-1", now, rng_));
    return Ok();
  }));
  EXPECT_EQ(written, 4);  // renewal, certificate, presentation, the clerk
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(written,
                              RefreshResidentNotices(tx, "r-1", now, rng_));
    EXPECT_EQ(written, 0);  // nothing twice
    OPENMYNA_ASSIGN_OR_RETURN(written,
                              RefreshResidentNotices(tx, "r-2", now, rng_));
    EXPECT_EQ(written, 0);
    return Ok();
  }));
  std::vector<ResidentNotice> notices;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(notices, ListResidentNotices(tx, "r-1"));
    return Ok();
  }));
  ASSERT_EQ(notices.size(), 4u);
  std::map<ResidentNoticeKind, ResidentNotice> by_kind;
  for (const auto& n : notices) by_kind[n.kind] = n;
  ASSERT_TRUE(by_kind.contains(ResidentNoticeKind::kRenewal));
  EXPECT_EQ(by_kind[ResidentNoticeKind::kRenewal].params["expires_on"],
            domain::FormatDate(domain::AddMonths(today, 2)));
  EXPECT_EQ(by_kind[ResidentNoticeKind::kCertificateExpiry].params["serial"],
            "0abc");
  EXPECT_EQ(by_kind[ResidentNoticeKind::kPresentationDeadline].params["date"],
            domain::FormatDate(domain::AddDays(today, 80)));
  EXPECT_EQ(by_kind[ResidentNoticeKind::kThirdPartyAccess].params["actor"],
            "clerk-1");

  // A later access makes one more notice.
  ASSERT_TRUE(Audit("au-3", Role::kKiosk, "kiosk-9", now));
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(written,
                              RefreshResidentNotices(tx, "r-1", now, rng_));
    EXPECT_EQ(written, 1);
    OPENMYNA_ASSIGN_OR_RETURN(int unread,
                              CountUnreadResidentNotices(tx, "r-1"));
    EXPECT_EQ(unread, 5);
    OPENMYNA_RETURN_IF_ERROR(
        MarkResidentNoticeRead(tx, "r-1", notices[0].id, now));
    OPENMYNA_RETURN_IF_ERROR(
        MarkResidentNoticeRead(tx, "r-1", notices[0].id, now + 1h));
    OPENMYNA_ASSIGN_OR_RETURN(unread, CountUnreadResidentNotices(tx, "r-1"));
    EXPECT_EQ(unread, 4);
    auto other = MarkResidentNoticeRead(tx, "r-2", notices[1].id, now);
    EXPECT_TRUE(!other && other.error().Is(RegistryErrc::kNotFound));
    OPENMYNA_ASSIGN_OR_RETURN(notices, ListResidentNotices(tx, "r-1"));
    return Ok();
  }));
  int read = 0;
  for (const auto& n : notices) {
    if (n.read_at) {
      ++read;
      EXPECT_EQ(*n.read_at, now);  // the first reading is kept
    }
  }
  EXPECT_EQ(read, 1);
}

// --- online applications ---------------------------------------------------

class OnlineApplicationsTest : public PortalRecords {
 protected:
  void SetUp() override {
    PortalRecords::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    signer_.emplace(pki::testing::TempDir(Unique("oa-")));
    ASSERT_FALSE(HasFailure());
    serial_ = signer_->serial;
    trust_ = signer_->trust;
    ASSERT_TRUE(signer_->Record(*store_, "r-1"));
  }

  Bytes OpensslSign(const std::string& content) {
    return signer_->Sign(content);
  }

  static OnlineApplicationDraft IncomeDraft() {
    return {"r-1",
            OnlineApplicationKind::kIncomeCertificate,
            {{"fiscal_year", "2025"},
             {"copies", "1"},
             {"purpose", "奨学金の申請"},
             {"mailing_address", "東京都清瀬市中里五丁目842番地"}}};
  }
  std::string ContentOf(const OnlineApplicationDraft& d) {
    return OnlineApplicationContent(d.kind, d.resident_id, "13221", d.fields);
  }

  // An authentication certificate of r-1 valid from `not_before` (a
  // kiosk application's proof).
  Status PutAuthentication(std::string serial, TimePoint not_before) {
    return store_->Transact([&](RegistryTx& tx) -> Status {
      Certificate auth;
      auth.serial = serial;
      auth.card_id = "c-sig-r-1";
      auth.resident_id = "r-1";
      auth.type = CertificateType::kAuthentication;
      auth.not_before = not_before;
      auth.not_after = not_before + 24h * 366;
      return tx.PutCertificate(auth);
    });
  }

  const Actor hanako_{"r-1", Role::kResident, "申請"};
  const Actor clerk_{"clerk-1", Role::kCounterClerk, "申請の審査"};
  std::optional<testing::OpensslSigner> signer_;
  std::string serial_;
  SignatureTrust trust_;
};

INSTANTIATE_TEST_SUITE_P(Backends, OnlineApplicationsTest,
                         testing::BothBackends(), testing::BackendName);

TEST_P(OnlineApplicationsTest, SignedFormReachesInboxAndResultComesBack) {
  clock_.Set(Now() + 1min);
  OnlineApplications apps(*store_, clock_, rng_, trust_);
  const auto draft = IncomeDraft();
  EXPECT_EQ(ContentOf(draft),
            "{\"fields\":{\"copies\":\"1\",\"fiscal_year\":\"2025\","
            "\"mailing_address\":\"東京都清瀬市中里五丁目842番地\","
            "\"purpose\":\"奨学金の申請\"},\"kind\":\"income_certificate\","
            "\"municipality\":\"13221\",\"resident\":\"r-1\"}");
  const Bytes cms = OpensslSign(ContentOf(draft));
  auto submitted = apps.Submit(hanako_, draft, cms);
  ASSERT_TRUE(submitted) << submitted.error();
  EXPECT_EQ(submitted->municipality_code, "13221");
  EXPECT_EQ(submitted->signer_serial, serial_);
  EXPECT_LE(submitted->signed_at, clock_.Now());

  auto inbox = apps.Inbox(clerk_, "13221", OnlineApplicationState::kSubmitted);
  ASSERT_TRUE(inbox) << inbox.error();
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].id, submitted->id);
  EXPECT_TRUE(apps.Inbox(clerk_, "20218", std::nullopt)->empty());
  EXPECT_FALSE(apps.Inbox(hanako_, "13221", std::nullopt));

  auto read = apps.Get(clerk_, submitted->id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->fields, draft.fields);
  EXPECT_FALSE(apps.Decide(clerk_, submitted->id, false, ""));  // no reason
  auto decided = apps.Decide(clerk_, submitted->id, true, "");
  ASSERT_TRUE(decided) << decided.error();
  EXPECT_EQ(decided->state, OnlineApplicationState::kAccepted);
  auto again = apps.Decide(clerk_, submitted->id, false, "遅すぎ");
  EXPECT_TRUE(!again && again.error().Is(RegistryErrc::kConflict));

  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto notices, ListResidentNotices(tx, "r-1"));
    EXPECT_EQ(notices.size(), 1u);
    if (!notices.empty()) {
      EXPECT_EQ(notices[0].kind, ResidentNoticeKind::kApplicationResult);
      EXPECT_EQ(notices[0].params["result"], "accepted");
      EXPECT_EQ(notices[0].params["body"], "清瀬市");
    }
    // The clerk's reading and decision are in the resident's history.
    OPENMYNA_ASSIGN_OR_RETURN(auto history,
                              ListDisclosures(tx, "r-1", clock_.Now(), {}));
    EXPECT_EQ(history.size(), 2u);
    if (history.size() == 2) {
      EXPECT_EQ(history[0].action, "online_application.decide");
      EXPECT_EQ(history[1].action, "online_application.read");
      EXPECT_EQ(history[1].requester, "清瀬市");
    }
    return Ok();
  }));
  auto mine = apps.ListMine(hanako_, "r-1");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 1u);
  EXPECT_FALSE(apps.ListMine(hanako_, "r-2"));
}

// The 利用登録申請 made at a kiosk: no CMS, the card's authentication
// certificate (as the centre authenticated it) names the resident; only a
// kiosk, only this kind, only the resident's own valid certificate; the
// clerk's acceptance checks the certificate again; the kiosk's act is on the
// resident's trail.
TEST_P(OnlineApplicationsTest, KioskRegistrationIsCheckedByTheCertificate) {
  clock_.Set(Now() + 1min);
  ASSERT_TRUE(PutAuthentication("a1b2c3", clock_.Now() - 24h));
  OnlineApplications apps(*store_, clock_, rng_, trust_);
  const Actor kiosk{"kiosk-1", Role::kKiosk, "利用登録申請"};
  OnlineApplicationDraft draft{"r-1",
                               OnlineApplicationKind::kKonbiniRegistration,
                               {{"domicile_municipality", "20218"},
                                {"domicile", "長野県千曲市杭瀬下二丁目1番地"},
                                {"head_of_family", "清瀬 花子"}}};
  auto made = apps.SubmitAtKiosk(kiosk, draft, "a1b2c3");
  ASSERT_TRUE(made) << made.error();
  EXPECT_EQ(made->channel, "kiosk");
  EXPECT_EQ(made->municipality_code, "20218");
  EXPECT_TRUE(made->cms.empty());

  // Each refusal for its own reason (review s8 finding 12).
  const auto refused = [](const auto& result, std::string_view why) {
    ASSERT_FALSE(result) << "accepted, expected: " << why;
    EXPECT_TRUE(result.error().Is(RegistryErrc::kRefused)) << result.error();
    EXPECT_NE(result.error().message().find(why), std::string::npos)
        << result.error();
  };
  refused(apps.SubmitAtKiosk(hanako_, draft, "a1b2c3"),
          "a kiosk submits at the kiosk");
  refused(apps.SubmitAtKiosk(kiosk, draft, "ffff"),
          "not an authentication certificate of this resident");
  OnlineApplicationDraft other = draft;
  other.resident_id = "r-2";
  refused(apps.SubmitAtKiosk(kiosk, other, "a1b2c3"),
          "not an authentication certificate of this resident");
  OnlineApplicationDraft income = IncomeDraft();
  refused(apps.SubmitAtKiosk(kiosk, income, "a1b2c3"),
          "only the 利用登録申請 is made at a kiosk");

  auto inbox = apps.Inbox(clerk_, "20218", OnlineApplicationState::kSubmitted);
  ASSERT_TRUE(inbox) << inbox.error();
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].channel, "kiosk");
  auto accepted = apps.Decide(clerk_, made->id, true, "");
  ASSERT_TRUE(accepted) << accepted.error();
  EXPECT_EQ(accepted->state, OnlineApplicationState::kAccepted);

  // Accepted: no second one (one at a time, the registry's rule).
  refused(apps.SubmitAtKiosk(kiosk, draft, "a1b2c3"), "受け付け済み");

  // A certificate issued after it (a renewal) voids the registration: a
  // new application is made with it. Revoked before the clerk decides: the
  // acceptance is refused.
  clock_.Set(clock_.Now() + 1min);
  ASSERT_TRUE(PutAuthentication("d4e5f6", clock_.Now()));
  auto second = apps.SubmitAtKiosk(kiosk, draft, "d4e5f6");
  ASSERT_TRUE(second) << second.error();
  refused(apps.SubmitAtKiosk(kiosk, draft, "d4e5f6"), "審査中");
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate("d4e5f6"));
    cert->revoked = true;
    cert->revoked_at = clock_.Now();
    return tx.PutCertificate(*cert);
  }));
  refused(apps.Decide(clerk_, second->id, true, ""),
          "the authentication certificate is revoked");
  refused(apps.SubmitAtKiosk(kiosk, draft, "d4e5f6"),
          "the authentication certificate is revoked");

  std::vector<AuditEntry> trail;
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(trail, tx.ListAudit("r-1"));
    return Ok();
  }));
  EXPECT_EQ(std::count_if(trail.begin(), trail.end(),
                          [](const AuditEntry& e) {
                            return e.role == Role::kKiosk &&
                                   e.action == "online_application.submit";
                          }),
            2);
}

// One 利用登録申請 at a time, in the registry's transaction whatever the
// channel (review finding 8): sixteen kiosks and the portal filing for one
// resident at the same instant on threads, exactly one is filed and every
// other is refused as waiting for the clerk; the domicile's inbox has one.
TEST_P(OnlineApplicationsTest, ConcurrentRegistrationsFileExactlyOne) {
  clock_.Set(Now() + 1min);
  ASSERT_TRUE(PutAuthentication("a1b2c3", clock_.Now() - 24h));
  OnlineApplications apps(*store_, clock_, rng_, trust_);
  const OnlineApplicationDraft draft{
      "r-1",
      OnlineApplicationKind::kKonbiniRegistration,
      {{"domicile_municipality", "20218"},
       {"domicile", "長野県千曲市杭瀬下二丁目1番地"},
       {"head_of_family", "清瀬 花子"}}};
  const Bytes cms = OpensslSign(OnlineApplicationContent(
      draft.kind, draft.resident_id, "20218", draft.fields));
  constexpr int kThreads = 16;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<Result<OnlineApplication>> results(
      kThreads,
      Result<OnlineApplication>(Fail(RegistryErrc::kStorage, "not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (!go.load()) std::this_thread::yield();
      const Actor kiosk{"kiosk-" + std::to_string(i), Role::kKiosk,
                        "利用登録申請"};
      results[static_cast<std::size_t>(i)] =
          i % 4 == 0 ? apps.Submit(hanako_, draft, cms)
                     : apps.SubmitAtKiosk(kiosk, draft, "a1b2c3");
    });
  }
  while (ready.load() < kThreads) std::this_thread::yield();
  go.store(true);
  for (auto& t : threads) t.join();
  int filed = 0;
  for (const auto& r : results) {
    if (r) {
      ++filed;
      continue;
    }
    EXPECT_TRUE(r.error().Is(RegistryErrc::kRefused)) << r.error();
    EXPECT_NE(r.error().message().find("審査中"), std::string::npos)
        << r.error();
  }
  EXPECT_EQ(filed, 1);
  auto inbox = apps.Inbox(clerk_, "20218", std::nullopt);
  ASSERT_TRUE(inbox) << inbox.error();
  EXPECT_EQ(inbox->size(), 1u);
}

TEST_P(OnlineApplicationsTest, RefusesChangedFieldsForeignCertsAndRevoked) {
  clock_.Set(Now() + 1min);
  OnlineApplications apps(*store_, clock_, rng_, trust_);
  auto draft = IncomeDraft();
  const Bytes cms = OpensslSign(ContentOf(draft));
  auto changed = draft;
  changed.fields[1].second = "10";  // copies changed after signing
  auto refused = apps.Submit(hanako_, changed, cms);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(RegistryErrc::kRefused));
  EXPECT_NE(refused.error().message().find("content"), std::string::npos);

  // Another resident presenting Hanako's signature.
  auto other = draft;
  other.resident_id = "r-2";
  const Actor r2{"r-2", Role::kResident, ""};
  refused = apps.Submit(r2, other, OpensslSign(ContentOf(other)));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("not a signature certificate"),
            std::string::npos);

  // Someone else submitting for Hanako.
  refused = apps.Submit(r2, draft, cms);
  EXPECT_TRUE(!refused && refused.error().Is(RegistryErrc::kRefused));

  // Missing and unknown fields.
  auto missing = draft;
  missing.fields.pop_back();
  EXPECT_TRUE(apps.Submit(hanako_, missing, cms)
                  .error()
                  .Is(RegistryErrc::kInvalidInput));

  // Revoked after signing: still good. Revoked before: refused.
  const TimePoint signed_around = Now();
  auto revoke = [&](TimePoint when) {
    return store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate(serial_));
      cert->revoked = true;
      cert->revoked_at = when;
      return tx.PutCertificate(*cert);
    });
  };
  ASSERT_TRUE(revoke(signed_around + 1h));
  EXPECT_TRUE(apps.Submit(hanako_, draft, cms));
  ASSERT_TRUE(revoke(signed_around - 1h));
  refused = apps.Submit(hanako_, draft, cms);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("revoked before the signing time"),
            std::string::npos);
  EXPECT_EQ(apps.Inbox(clerk_, "13221", std::nullopt)->size(), 1u);
}

}  // namespace
}  // namespace openmyna::registry
