// The portal's pages through its router, in process: sessions, CSRF, the
// idle timeout, logout, each screen's content from the registry, and the
// signed online application (signature made by `openssl cms -sign`).
#include "openmyna/portal/portal.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <fstream>
#include <random>

#include "openmyna/base/testing/text.h"
#include "openmyna/domain/date.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_store.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/konbini_mapping.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/registry/resident_notices.h"
#include "openmyna/services/konbini/issue_audit.h"
#include "openmyna/web/form.h"
#include "testing/pki_fixture.h"
#include "testing/signed_application.h"

namespace openmyna::portal {
namespace {

using namespace std::chrono_literals;
using registry::RegistryTx;

using testing_tools::Between;

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

class PortalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = pki::testing::TempDir("portal-" + std::to_string(rd()));
    auto store =
        registry::RegistryStore::Open((dir_ / "r.db").string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    const TimePoint now = clock_.Now();
    ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(
          {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to"}));
      OPENMYNA_RETURN_IF_ERROR(
          tx.InsertResident(Person("r-1", "123456789018")));
      OPENMYNA_RETURN_IF_ERROR(
          tx.InsertResident(Person("r-2", "234567890123")));
      registry::Resident child = Person("r-4", "456789012349");
      child.name = "清瀬 次郎";
      child.date_of_birth = "2018-05-05";
      child.legal_representative_id = "r-1";
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(child));
      registry::Resident face = Person("r-3", "345678901238");
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(face));
      registry::Card card;
      card.id = "c-1";
      card.resident_id = "r-1";
      card.state = registry::CardState::kActive;
      card.issued_on = "2026-11-25";
      card.expires_on = "2027-06-30";  // the renewal window opens 2027-03-30
      card.notes = {{"2026-12-01", "新住所 東京都清瀬市竹丘一丁目1番地"}};
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
      registry::Certificate auth;
      auth.serial = "a1b2";
      auth.card_id = "c-1";
      auth.resident_id = "r-1";
      auth.type = registry::CertificateType::kAuthentication;
      auth.not_before = now - 24h;
      auth.not_after = now + 24h * 365 * 4;
      OPENMYNA_RETURN_IF_ERROR(tx.PutCertificate(auth));
      registry::Card face_card = card;
      face_card.id = "c-3";
      face_card.resident_id = "r-3";
      face_card.kind = registry::CardKind::kFaceAuth;
      face_card.notes.clear();
      return tx.PutCard(face_card);
    }));
    PortalOptions options;
    options.secure_cookies = false;
    auto portal = Portal::Make(options, *store_, clock_, rng_);
    ASSERT_TRUE(portal) << portal.error();
    portal_ = std::move(*portal);
    ASSERT_TRUE(portal_->AddRoutes(router_));
  }

  static registry::Resident Person(std::string id, std::string number) {
    registry::Resident r;
    r.id = std::move(id);
    r.individual_number = std::move(number);
    r.name = "清瀬 花子";
    r.date_of_birth = "1990-01-02";
    r.sex = registry::Sex::kFemale;
    r.address = "東京都清瀬市中里五丁目842番地";
    r.municipality_code = "13221";
    return r;
  }

  // The portal again, trusting `trust` for signatures, at the machine's
  // clock (+1 min): `openssl cms -sign` stamps its own signingTime.
  void TrustSignaturesAtTheMachinesClock(const registry::SignatureTrust& trust,
                                         PortalOptions options = {}) {
    TrustSignaturesAt(trust,
                      std::chrono::floor<std::chrono::seconds>(
                          std::chrono::system_clock::now()) +
                          1min,
                      std::move(options));
  }
  // The same at `now` (signatures made with OpensslSigner::SignAt before it).
  void TrustSignaturesAt(const registry::SignatureTrust& trust, TimePoint now,
                         PortalOptions options = {}) {
    options.signature_trust = trust;
    clock_.Set(now);
    Remake(std::move(options));
  }

  // The portal again with `options` (cookies without Secure: plain HTTP).
  void Remake(PortalOptions options) {
    options.secure_cookies = false;
    auto portal = Portal::Make(options, *store_, clock_, rng_);
    ASSERT_TRUE(portal) << portal.error();
    http::Router router;
    ASSERT_TRUE((*portal)->AddRoutes(router));
    router_ = std::move(router);
    portal_ = std::move(*portal);
  }

  // r-1's family register, held by Chikuma City (本籍地 elsewhere).
  static Status PutFamilyRegisterInChikuma(RegistryTx& tx) {
    OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(
        {"20218", "千曲市", "長野県", "Chikuma-shi", "Nagano-ken"}));
    registry::FamilyRegister family;
    family.id = "fr-1";
    family.municipality_code = "20218";
    family.honseki = "長野県千曲市大字屋代1番地";
    family.head_name = "清瀬 花子";
    registry::FamilyRegisterMember member;
    member.resident_id = "r-1";
    member.name = "清瀬 花子";
    family.members.push_back(member);
    return registry::CivilTx(tx).PutFamilyRegister(family);
  }

  // Signs r-1 in; returns the Cookie header value.
  std::string Login(std::string_view resident = "r-1") {
    auto set_cookie = portal_->CompleteLogin(resident);
    EXPECT_TRUE(set_cookie) << set_cookie.error();
    return set_cookie ? set_cookie->substr(0, set_cookie->find(';')) : "";
  }

  http::Response Get(std::string path, std::string cookie = {},
                     std::string query = {}) {
    http::Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.query = std::move(query);
    r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    return router_.Dispatch(r);
  }
  http::Response Post(std::string path, std::string cookie, std::string body) {
    http::Request r;
    r.method = "POST";
    r.path = r.target = std::move(path);
    r.body = std::move(body);
    r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    return router_.Dispatch(r);
  }
  static std::string Csrf(const http::Response& page) {
    return Between(page.body, "name=\"csrf\" value=\"", "\"");
  }
  void AuditRead(std::string id, registry::Role role, std::string actor,
                 TimePoint at, bool withheld = false) {
    ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) {
      registry::AuditEntry e;
      e.id = std::move(id);
      e.resident_id = "r-1";
      e.actor_id = std::move(actor);
      e.role = role;
      e.action = "resident.read";
      e.reason = "転入届の確認";
      e.at = at;
      e.withheld = withheld;
      return tx.AppendAudit(e);
    }));
  }

  FixedClock clock_{
      TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1)) + 3h};
  DeterministicRng rng_{21};
  std::filesystem::path dir_;
  std::unique_ptr<registry::RegistryStore> store_;
  std::unique_ptr<Portal> portal_;
  http::Router router_;
};

TEST_F(PortalTest, LoginPageOffersBothPathsAndSaysWhenTheProviderIsMissing) {
  auto page = Get("/portal/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(page.body.find("value=\"device\""), std::string::npos);
  EXPECT_NE(page.body.find("value=\"qr\""), std::string::npos);
  EXPECT_NE(page.body.find("顔認証マイナンバーカードではログインできません"),
            std::string::npos);
  const std::string set_cookie = HeaderOf(page, "Set-Cookie");
  ASSERT_NE(set_cookie.find("openmyna_portal="), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/portal/; HttpOnly; SameSite=Lax"),
            std::string::npos);
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(Post("/portal/login", cookie, "method=device").status, 403);
  auto login = Post("/portal/login", cookie, "method=qr&csrf=" + Csrf(page));
  EXPECT_EQ(login.status, 503);
  EXPECT_NE(login.body.find("まだ利用できません"), std::string::npos);
}

TEST_F(PortalTest, FaceAuthCardAndNoCardCannotLogIn) {
  auto face = portal_->CompleteLogin("r-3");
  ASSERT_FALSE(face);
  EXPECT_EQ(face.error().message(), "portal_face_auth_refused");
  auto none = portal_->CompleteLogin("r-2");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "portal_no_usable_card");
  EXPECT_FALSE(portal_->CompleteLogin("r-404"));
}

TEST_F(PortalTest, YourInformationSaysWhoHoldsEachSection) {
  const std::string cookie = Login();
  auto page = Get("/portal/me", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("清瀬 花子"), std::string::npos);
  EXPECT_NE(page.body.find("東京都清瀬市中里五丁目842番地"), std::string::npos);
  EXPECT_NE(page.body.find("住民基本台帳（お住まいの市区町村） 東京都清瀬市"),
            std::string::npos);
  EXPECT_NE(page.body.find("地方公共団体情報システム機構"), std::string::npos);
  EXPECT_NE(page.body.find("<td>a1b2</td>"), std::string::npos);
  EXPECT_NE(page.body.find("2027-03-30"), std::string::npos);  // renewal opens
  EXPECT_NE(page.body.find("新住所 東京都清瀬市竹丘一丁目1番地"),
            std::string::npos);
  EXPECT_NE(page.body.find("aria-current=\"page\">あなたの情報"),
            std::string::npos);
  auto english = Get("/portal/me", cookie, "lang=en");
  EXPECT_NE(english.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(english.body.find("Held by"), std::string::npos);
}

// コンビニ交付: the card, the Kiyose fee table in force on 2026-12-01
// (docs/konbini.md: 住民票 ¥200 from 2026-04-01, counter ¥300; 戸籍 ¥450),
// the domicile's 利用登録申請, and an issued document from the audit trail.
TEST_F(PortalTest, ConvenienceStorePageShowsTheCardFeesAndIssuedDocuments) {
  const std::string cookie = Login();
  auto page = Get("/portal/konbini", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("aria-current=\"page\">コンビニ交付"),
            std::string::npos);
  EXPECT_NE(page.body.find("現在、コンビニ交付は利用できる時間です"),
            std::string::npos);  // 12:00 JST
  EXPECT_NE(page.body.find("あなたのカードはコンビニ交付に利用できます"),
            std::string::npos);
  EXPECT_NE(page.body.find("<th scope=\"row\">住民票の写し</th><td>○ "
                           "取得できます</td><td>¥200</td><td>¥300</td>"),
            std::string::npos);
  EXPECT_NE(page.body.find("<th scope=\"row\">印鑑登録証明書</th><td>"
                           "印鑑登録がないため取得できません</td>"),
            std::string::npos);
  EXPECT_NE(page.body.find("<th scope=\"row\">戸籍証明書（全部事項証明書）"
                           "</th><td>この市区町村では取得できません</td>"),
            std::string::npos);
  EXPECT_EQ(page.body.find("利用登録申請をする"), std::string::npos);

  // A family register in Chikuma: the 利用登録申請 is offered there, its
  // 戸籍 at ¥400 (counter ¥450 − ¥50, the guidebook).
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(PutFamilyRegisterInChikuma(tx));
    // A document of the kiosk (as the issuer writes it: ledger and audit).
    OPENMYNA_RETURN_IF_ERROR(registry::RecordKonbiniIssuance(
        tx, {"iss-1", "req-7f", "13221-a", "13221", "r-2", "juminhyo", 2, 400,
             clock_.Now() - 1h}));
    registry::AuditEntry e;
    e.id = "au-k1";
    e.resident_id = "r-1";
    e.actor_id = "13221-a";
    e.role = registry::Role::kKiosk;
    e.action = "konbini.issue";
    // The issuer's own text (konbini/issue_audit.h), which the page reads.
    e.reason = konbini::IssueAuditReason("juminhyo", "req-7f", "iss-1", 2, 400);
    e.at = clock_.Now() - 1h;
    return tx.AppendAudit(e);
  }));
  auto domicile = Get("/portal/konbini", cookie);
  ASSERT_EQ(domicile.status, 200) << domicile.body;
  EXPECT_NE(domicile.body.find("千曲市（本籍地）"), std::string::npos);
  EXPECT_NE(domicile.body.find("<th scope=\"row\">戸籍証明書（全部事項証明書）"
                               "</th><td>△ 利用登録申請の後に取得できます</td>"
                               "<td>¥400</td><td>¥450</td>"),
            std::string::npos);
  EXPECT_NE(domicile.body.find("まだ申請していません"), std::string::npos);
  EXPECT_NE(domicile.body.find("href=\"/portal/apply/konbini_registration\""),
            std::string::npos);
  EXPECT_NE(domicile.body.find("<td>清瀬市</td><td>住民票の写し</td><td>2</td>"
                               "<td>¥400</td><td>世帯の方</td><td>req-7f</td>"),
            std::string::npos);
  // The same document never printed (the kiosk cancelled): void, no fee.
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    return registry::VoidKonbiniIssuance(tx, "13221", "req-7f", "iss-1",
                                         registry::kVoidCancelled,
                                         clock_.Now() - 30min);
  }));
  auto voided = Get("/portal/konbini", cookie);
  EXPECT_NE(voided.body.find("<td>清瀬市</td><td>住民票の写し</td><td>2</td>"
                             "<td>取消（印刷されず手数料なし）</td><td>世帯の方"
                             "</td><td>req-7f</td>"),
            std::string::npos)
      << voided.body;
  // A 転出届 filed: the issuer would refuse, so the page does not offer ○
  // but the kiosk's text (review finding 4); withdrawn, ○ again.
  const auto move_out = [&](std::string day) {
    return store_->Transact([&](RegistryTx& tx) -> Status {
      registry::CivilTx civil(tx);
      OPENMYNA_ASSIGN_OR_RETURN(auto items, civil.GetResidentCivil("r-1"));
      registry::ResidentCivil c = items.value_or(registry::ResidentCivil{});
      c.resident_id = "r-1";
      c.move_out_planned_on = day;
      c.move_out_address =
          day.empty() ? "" : "長野県長野市大字鶴賀緑町1613番地";
      return civil.PutResidentCivil(c);
    });
  };
  ASSERT_TRUE(move_out("2026-12-10"));
  auto moving = Get("/portal/konbini", cookie);
  EXPECT_NE(moving.body.find("<th scope=\"row\">住民票の写し</th><td>✕ "
                             "転出届を提出された方の証明書は発行できません"),
            std::string::npos)
      << moving.body;
  ASSERT_TRUE(move_out(""));
  EXPECT_NE(Get("/portal/konbini", cookie)
                .body.find("<th scope=\"row\">住民票の写し</th><td>○ "),
            std::string::npos);
  auto english = Get("/portal/konbini", cookie, "lang=en");
  EXPECT_NE(english.body.find("Copy of the residence record"),
            std::string::npos);
  EXPECT_NE(english.body.find("A member of your household"), std::string::npos);

  // The day its certificate was issued, a new card is usable the next day.
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate("a1b2"));
    cert->not_before = clock_.Now() - 1h;
    return tx.PutCertificate(*cert);
  }));
  auto next_day = Get("/portal/konbini", cookie);
  EXPECT_NE(next_day.body.find("利用開始日：2026-12-02"), std::string::npos);
  // serve --set konbini.immediate-mapping=1: usable on the day of issue.
  PortalOptions immediate;
  immediate.konbini_immediate_mapping = true;
  Remake(immediate);
  EXPECT_NE(Get("/portal/konbini", Login())
                .body.find("あなたのカードはコンビニ交付に利用できます"),
            std::string::npos);
  // 23:30 JST: closed, with the reason.
  clock_.Set(clock_.Now() + 11h + 30min);
  auto late = Get("/portal/konbini", Login());
  EXPECT_NE(late.body.find("現在、コンビニ交付は利用できません：利用時間外"),
            std::string::npos);
  // A record the page cannot read (a mapping with no date): the page says
  // it cannot be shown now, not that the login failed (review finding 13).
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    return registry::PutKonbiniMapping(tx, {"a1b2", "someday", "broken"});
  }));
  auto broken = Get("/portal/konbini", Login());
  EXPECT_EQ(broken.status, 503);
  EXPECT_NE(broken.body.find("ただいまこのページを表示できません"),
            std::string::npos)
      << broken.body;
  EXPECT_EQ(broken.body.find("ログインできません"), std::string::npos);
}

// コンビニ交付 follows the 利用登録申請 at the domicile (Chikuma) as its
// issuer judges it: under review, rejected with the clerk's reason (and
// offered again), accepted with the first usable day. Signed by `openssl
// cms -sign` with a real sandbox signature certificate, its signingTime set
// by faketime: submitted Thu 2026-12-24 10:00 JST, 5 office days counted by
// hand (12/25, 12/28, the 12/29-1/3 closure, 1/4, 1/5, 1/6) make Wed
// 2027-01-06 the first usable day (review s8 finding 11).
TEST_F(PortalTest, ConvenienceStorePageFollowsTheRegistrationAtTheDomicile) {
  const TimePoint submitted_at =
      domain::StartOfJapanDay(std::chrono::year(2026) / std::chrono::December /
                              24) +
      10h;
  registry::testing::OpensslSigner signer(dir_);
  signer.SignAt(submitted_at - 1min);
  ASSERT_TRUE(signer.Record(*store_, "r-1"));
  TrustSignaturesAt(signer.trust, submitted_at);
  ASSERT_TRUE(store_->Transact(
      [&](RegistryTx& tx) { return PutFamilyRegisterInChikuma(tx); }));
  registry::OnlineApplications applications(*store_, clock_, rng_,
                                            signer.trust);
  const registry::Actor self{"r-1", registry::Role::kResident, "test"};
  const registry::Actor clerk{"clerk-1", registry::Role::kCounterClerk, "test"};
  auto apply = [&] {
    registry::OnlineApplicationDraft draft;
    draft.resident_id = "r-1";
    draft.kind = registry::OnlineApplicationKind::kKonbiniRegistration;
    draft.fields = {{"domicile_municipality", "20218"},
                    {"domicile", "長野県千曲市大字屋代1番地"},
                    {"head_of_family", "清瀬 花子"}};
    const Bytes cms = signer.Sign(registry::OnlineApplicationContent(
        draft.kind, "r-1", "20218", draft.fields));
    return applications.Submit(self, draft, cms);
  };
  const std::string cookie = Login();
  auto first = apply();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->municipality_code, "20218");
  auto review = Get("/portal/konbini", cookie);
  EXPECT_NE(review.body.find("申請は本籍地で審査中です"), std::string::npos);
  EXPECT_EQ(review.body.find("利用登録申請をする"), std::string::npos);
  ASSERT_TRUE(applications.Decide(clerk, first->id, false, "筆頭者の記載誤り"));
  auto rejected = Get("/portal/konbini", cookie);
  EXPECT_NE(rejected.body.find("申請は不受理とされました"), std::string::npos);
  EXPECT_NE(rejected.body.find("筆頭者の記載誤り"), std::string::npos);
  EXPECT_NE(rejected.body.find("href=\"/portal/apply/konbini_registration\""),
            std::string::npos);
  auto second = apply();
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE(applications.Decide(clerk, second->id, true, ""));
  auto accepted = Get("/portal/konbini", cookie);
  const std::string state =
      Between(accepted.body, "id=\"konbini-registration-state\">", "</p>");
  EXPECT_NE(state.find("申請は受理されました。"), std::string::npos) << state;
  EXPECT_NE(state.find("2027-01-06 から利用できます"), std::string::npos)
      << state;
  EXPECT_EQ(accepted.body.find("利用登録申請をする"), std::string::npos);

  // Under serve --set konbini.registration-office-days=0 the accepted
  // registration is in force at once: the domicile's 戸籍 rows read ○.
  PortalOptions at_once;
  at_once.konbini_registration_office_days = 0;
  TrustSignaturesAt(signer.trust, submitted_at, at_once);
  auto effective = Get("/portal/konbini", Login());
  EXPECT_NE(effective.body.find("利用登録済みです"), std::string::npos);
  EXPECT_NE(
      effective.body.find("<th scope=\"row\">戸籍証明書（全部事項証明書）"
                          "</th><td>○ 利用登録済みのため取得できます</td>"),
      std::string::npos);
}

TEST_F(PortalTest, YourInformationListsTheHouseholdWithItsRelationships) {
  const std::string cookie = Login();
  auto none = Get("/portal/me", cookie);
  EXPECT_NE(none.body.find("世帯の記録がありません"), std::string::npos);
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) {
    registry::Household h;
    h.id = "h-1";
    h.municipality_code = "13221";
    h.address = "東京都清瀬市中里五丁目842番地";
    h.head_id = "r-1";
    h.members = {{"r-1", "世帯主"}, {"r-4", "子"}};
    h.formed_on = "2018-05-05";
    return registry::CivilTx(tx).PutHousehold(h);
  }));
  auto page = Get("/portal/me", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<tr><td>清瀬 花子</td><td>世帯主</td><td>1990-01-02"
                           "</td></tr>"),
            std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("<tr><td>清瀬 次郎</td><td>子</td><td>2018-05-05"
                           "</td></tr>"),
            std::string::npos);
  EXPECT_EQ(page.body.find("世帯の記録がありません"), std::string::npos);
}

TEST_F(PortalTest, HistoryShowsASignInAsAnAuthenticationResult) {
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) {
    registry::AuditEntry e;
    e.id = "au-signin";
    e.resident_id = "r-1";
    e.actor_id = "MynaPortal";
    e.role = registry::Role::kPlatform;
    e.action = "sign_in.release";  // scope openid: no attribute released
    e.reason = "sign in with My Number Card";
    e.at = clock_.Now();
    e.requester = "マイナポータル (MynaPortal)";
    e.provider = "OpenMyna sign-in";
    return tx.AppendAudit(e);
  }));
  auto page = Get("/portal/history", Login());
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<td>利用者証明（ログインの本人確認結果）</td>"),
            std::string::npos)
      << page.body;
  // The client id once, though the provider put it in the requester's name.
  EXPECT_NE(page.body.find("<td>マイナポータル (MynaPortal)</td>"),
            std::string::npos);
}

TEST_F(PortalTest,
       InsurancePageShowsMembershipsRegistrationMedicationCheckups) {
  const std::string cookie = Login();
  auto empty = Get("/portal/insurance", cookie);
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("まだ登録されていません"), std::string::npos);
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    registry::InsuranceTx insurance(tx);
    OPENMYNA_RETURN_IF_ERROR(insurance.PutInsurer(
        {"06991012", "サンドボックス健康保険組合", "健康保険組合", ""}));
    registry::Membership m;
    m.id = "m-1";
    m.insurer_number = "06991012";
    m.symbol = "12";
    m.number = "345";
    m.branch = "01";
    m.name = "清瀬 花子";
    m.date_of_birth = "1990-01-02";
    m.acquired_on = "2020-04-01";
    m.resident_id = "r-1";
    m.link_state = registry::LinkState::kVerified;
    OPENMYNA_RETURN_IF_ERROR(insurance.InsertMembership(m));
    registry::MedicationRecord d;
    d.id = "md-1";
    d.resident_id = "r-1";
    d.dispensed_on = "2026-11-20";
    d.drug_name = "サンドボックス錠10mg";
    d.dose = "1回1錠 1日2回 朝夕食後";
    d.days = 14;
    OPENMYNA_RETURN_IF_ERROR(insurance.InsertMedication(d));
    registry::CheckupRecord c;
    c.id = "ck-1";
    c.resident_id = "r-1";
    c.examined_on = "2026-06-10";
    c.judgement = "非該当";
    OPENMYNA_RETURN_IF_ERROR(insurance.InsertCheckup(c));
    registry::InsuranceRegistration r;
    r.resident_id = "r-1";
    r.linkage_code = "lc-1";
    r.channel = registry::RegistrationChannel::kPortal;
    r.registered_at = clock_.Now();
    OPENMYNA_RETURN_IF_ERROR(insurance.PutRegistration(r));
    // A membership whose collation found a difference is not shown (the
    // 2023 incident: possibly another person's).
    m.id = "m-2";
    m.number = "999";
    m.link_state = registry::LinkState::kMismatch;
    return insurance.InsertMembership(m);
  }));
  auto page = Get("/portal/insurance", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  for (const char* text :
       {"登録済みです",
        "<td>サンドボックス健康保険組合</td><td>12・345（01）</td>"
        "<td>本人</td><td>2020-04-01</td><td>なし</td><td>30%</td>",
        "<td>2026-11-20</td><td>サンドボックス錠10mg</td><td>1回1錠 1日2回 "
        "朝夕食後</td><td>14</td>",
        "<td>2026-06-10</td><td>非該当</td>",
        "aria-current=\"page\">健康保険証"}) {
    EXPECT_NE(page.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(page.body.find("999"), std::string::npos);
}

TEST_F(PortalTest, PagesNeedLoginAndSessionsTimeOut) {
  for (const char* path : {"/portal/me", "/portal/notices", "/portal/history",
                           "/portal/history.csv", "/portal/apply"}) {
    auto page = Get(path);
    EXPECT_EQ(page.status, 303) << path;
    EXPECT_EQ(HeaderOf(page, "Location"), "/portal/");
  }
  const std::string cookie = Login();
  clock_.Advance(14min);
  EXPECT_EQ(Get("/portal/me", cookie).status, 200);
  clock_.Advance(15min);
  auto expired = Get("/portal/me", cookie);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("一定時間操作がなかったため"), std::string::npos);
  EXPECT_EQ(Get("/portal/me", cookie).status, 303);
}

TEST_F(PortalTest, LogoutNeedsTheTokenAndEndsTheSession) {
  const std::string cookie = Login();
  auto home = Get("/portal/", cookie);
  ASSERT_EQ(home.status, 200);
  EXPECT_EQ(Post("/portal/logout", cookie, "csrf=wrong").status, 403);
  auto out = Post("/portal/logout", cookie, "csrf=" + Csrf(home));
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Get("/portal/me", cookie).status, 303);
}

TEST_F(PortalTest, HistoryShowsThirdPartyReadsFiltersAndDownloads) {
  const std::string cookie = Login();
  const TimePoint now = clock_.Now();
  AuditRead("au-1", registry::Role::kCounterClerk, "clerk-7", now - 48h);
  AuditRead("au-2", registry::Role::kKiosk, "kiosk-3", now - 1h);
  AuditRead("au-3", registry::Role::kPlatform, "rp-9", now - 2h, true);
  auto page = Get("/portal/history", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("市区町村窓口（clerk-7）"), std::string::npos);
  EXPECT_NE(page.body.find("コンビニ等のキオスク端末（kiosk-3）"),
            std::string::npos);
  EXPECT_EQ(page.body.find("rp-9"), std::string::npos);  // withheld
  EXPECT_NE(page.body.find("不開示"), std::string::npos);
  EXPECT_NE(page.body.find("転入届の確認（resident.read）"), std::string::npos);
  EXPECT_NE(page.body.find("3 件"), std::string::npos);
  // Filters: by body, then by period (JST days, "to" inclusive).
  auto kiosk = Get("/portal/history", cookie, "body=kiosk");
  EXPECT_NE(kiosk.body.find("1 件"), std::string::npos);
  EXPECT_NE(kiosk.body.find("<option value=\"kiosk\" selected>"),
            std::string::npos);
  auto period = Get("/portal/history", cookie, "from=2026-11-29&to=2026-11-29");
  EXPECT_NE(period.body.find("1 件"), std::string::npos);
  EXPECT_NE(period.body.find("clerk-7"), std::string::npos);
  auto bad = Get("/portal/history", cookie, "from=2026-13-01");
  EXPECT_NE(bad.body.find("YYYY-MM-DD"), std::string::npos);

  auto csv = Get("/portal/history.csv", cookie, "body=counter_clerk");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(HeaderOf(csv, "Content-Disposition").find("attachment"),
            std::string::npos);
  EXPECT_EQ(csv.body,
            "\xEF\xBB\xBF"
            "照会日時,提供日時,照会者,提供者,項目,事務・目的,不開示\r\n"
            "2026-11-29 12:00:00,2026-11-29 12:00:00,市区町村窓口（clerk-7）,"
            "OpenMyna 登録簿,基本4情報、カード情報、電子証明書,"
            "転入届の確認（resident.read）,0\r\n");
}

TEST_F(PortalTest, HistoryPagesHoldOneHundredRowsNewestFirst) {
  const std::string cookie = Login();
  const TimePoint now = clock_.Now();
  for (int i = 0; i < 205; ++i) {
    AuditRead("au-" + std::to_string(i), registry::Role::kCounterClerk,
              "clerk-" + std::to_string(i),
              now - std::chrono::minutes(300 - i));
  }
  auto first = Get("/portal/history", cookie);
  EXPECT_NE(first.body.find("205 件（1–100）"), std::string::npos);
  EXPECT_NE(first.body.find("1 / 3 ページ"), std::string::npos);
  EXPECT_NE(first.body.find("（clerk-204）"), std::string::npos);  // newest
  EXPECT_EQ(first.body.find("（clerk-0）"), std::string::npos);
  EXPECT_NE(first.body.find("rel=\"next\""), std::string::npos);
  EXPECT_EQ(first.body.find("rel=\"prev\""), std::string::npos);
  auto last = Get("/portal/history", cookie, "page=3");
  EXPECT_NE(last.body.find("205 件（201–205）"), std::string::npos);
  EXPECT_NE(last.body.find("（clerk-0）"), std::string::npos);
  EXPECT_EQ(last.body.find("rel=\"next\""), std::string::npos);
  EXPECT_NE(Get("/portal/history", cookie, "page=99").body.find("3 / 3"),
            std::string::npos);
  // The CSV has every row, whatever the page.
  auto csv = Get("/portal/history.csv", cookie, "page=2");
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 206);
}

TEST_F(PortalTest, ParentSeesTheChildAsProxyRecordedInTheChildsHistory) {
  const std::string cookie = Login();
  auto home = Get("/portal/", cookie);
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("代理人として利用: 清瀬 次郎"), std::string::npos);
  const std::string csrf = Csrf(home);
  // Only someone the resident represents.
  EXPECT_EQ(
      Post("/portal/proxy", cookie, "csrf=" + csrf + "&resident=r-2").status,
      404);
  EXPECT_EQ(Post("/portal/proxy", cookie, "resident=r-4").status, 403);
  auto start = Post("/portal/proxy", cookie, "csrf=" + csrf + "&resident=r-4");
  EXPECT_EQ(start.status, 303);
  auto me = Get("/portal/me", cookie);
  ASSERT_EQ(me.status, 200);
  EXPECT_NE(me.body.find("<td>清瀬 次郎</td>"), std::string::npos);
  EXPECT_NE(me.body.find("<td>2018-05-05</td>"), std::string::npos);
  EXPECT_NE(me.body.find("（清瀬 次郎 さんの代理）"), std::string::npos);
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto history, registry::ListDisclosures(tx, "r-4", clock_.Now(), {}));
    EXPECT_EQ(history.size(), 1u);
    if (!history.empty()) {
      EXPECT_EQ(history[0].action, "portal.proxy_view");
      EXPECT_EQ(history[0].requester_id, "r-1");
      EXPECT_EQ(history[0].requester, "清瀬 花子");
      EXPECT_EQ(history[0].on_behalf_of, "r-4");
      EXPECT_EQ(history[0].purpose, "/portal/me");
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        auto own, registry::ListDisclosures(tx, "r-1", clock_.Now(), {}));
    EXPECT_TRUE(own.empty());  // the parent's own trail is untouched
    return Ok();
  }));
  auto stop = Post("/portal/proxy", cookie, "csrf=" + Csrf(me));
  EXPECT_EQ(stop.status, 303);
  auto back = Get("/portal/me", cookie);
  EXPECT_NE(back.body.find("<td>1990-01-02</td>"), std::string::npos);
  EXPECT_EQ(back.body.find("さんの代理"), std::string::npos);
}

TEST_F(PortalTest, RenewalNoticeAppearsWhenTheClockEntersTheWindow) {
  const std::string cookie = Login();
  auto before = Get("/portal/notices", cookie);
  EXPECT_EQ(before.body.find("有効期限（2027-06-30）"), std::string::npos);
  clock_.Set(
      TimePoint(std::chrono::sys_days(std::chrono::year(2027) / 3 / 30)));
  const std::string again = Login();
  auto notices = Get("/portal/notices", again);
  ASSERT_NE(notices.body.find("有効期限（2027-06-30）が近づいています。"
                              "2027-03-30から更新"),
            std::string::npos)
      << notices.body;
  EXPECT_NE(notices.body.find("notice-unread"), std::string::npos);
  const std::string id = Between(notices.body, "name=\"id\" value=\"", "\"");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(Post("/portal/notices/read", again, "id=" + id).status, 403);
  auto marked = Post("/portal/notices/read", again,
                     "id=" + id + "&csrf=" + Csrf(notices));
  EXPECT_EQ(marked.status, 303);
  auto after = Get("/portal/notices", again);
  EXPECT_EQ(after.body.find("notice-unread"), std::string::npos);
}

TEST_F(PortalTest, AnotherResidentsNoticeIsNotReachable) {
  ASSERT_TRUE(store_->Transact([&](RegistryTx& tx) -> Status {
    registry::ResidentNotice other;
    other.id = "rn-other";
    other.resident_id = "r-2";
    other.kind = registry::ResidentNoticeKind::kCardVoid;
    other.subject = "void:x";
    other.created_at = clock_.Now();
    return registry::InsertResidentNotice(tx, other, rng_).transform([](bool) {
    });
  }));
  const std::string cookie = Login();
  auto page = Get("/portal/notices", cookie);
  auto refused =
      Post("/portal/notices/read", cookie, "id=rn-other&csrf=" + Csrf(page));
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(page.body.find("rn-other"), std::string::npos);
}

TEST_F(PortalTest, OnlineApplicationFormConfirmAndRefusedSignature) {
  const std::string cookie = Login();
  auto list = Get("/portal/apply", cookie);
  EXPECT_NE(list.body.find("/portal/apply/income_certificate"),
            std::string::npos);
  EXPECT_NE(list.body.find("健康保険証利用登録"), std::string::npos);
  auto form = Get("/portal/apply/income_certificate", cookie);
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("<label for=\"f-fiscal_year\">"), std::string::npos);
  EXPECT_EQ(Get("/portal/apply/nothing", cookie).status, 404);
  const std::string csrf = Csrf(form);
  auto missing = Post("/portal/apply/income_certificate/confirm", cookie,
                      "csrf=" + csrf + "&fiscal_year=2025");
  EXPECT_EQ(missing.status, 400);
  const std::string fields =
      "fiscal_year=2025&copies=1&purpose=%E5%A5%A8%E5%AD%A6%E9%87%91"
      "&mailing_address=%E6%B8%85%E7%80%AC";
  const std::string content =
      "{\"fields\":{\"copies\":\"1\",\"fiscal_year\":\"2025\","
      "\"mailing_address\":\"清瀬\",\"purpose\":\"奨学金\"},"
      "\"kind\":\"income_certificate\",\"municipality\":\"13221\","
      "\"resident\":\"r-1\"}";
  auto confirm = Post("/portal/apply/income_certificate/confirm", cookie,
                      "csrf=" + csrf + "&" + fields);
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  EXPECT_NE(confirm.body.find(
                "{&quot;fields&quot;:{&quot;copies&quot;:&quot;1&quot;"),
            std::string::npos);
  EXPECT_NE(confirm.body.find("openmyna sign --card"), std::string::npos);
  // Not a signature at all: refused with the reason, nothing in the inbox.
  auto refused = Post("/portal/apply/income_certificate/submit", cookie,
                      "csrf=" + csrf + "&" + fields + "&signature=abc");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("電子署名を確認できません"), std::string::npos);
  EXPECT_EQ(Post("/portal/apply/income_certificate/submit", cookie,
                 fields + "&signature=abc")
                .status,
            403);

  // Signed (the PEM a person pastes): accepted; a field changed in the
  // hidden inputs after signing: refused.
  registry::testing::OpensslSigner signer(dir_);
  ASSERT_TRUE(signer.Record(*store_, "r-1"));
  TrustSignaturesAtTheMachinesClock(signer.trust);
  const std::string again = Login();
  const std::string token = Csrf(Get("/portal/apply", again));
  const std::string pem = web::FormEncode(signer.SignPem(content));
  auto tampered =
      Post("/portal/apply/income_certificate/submit", again,
           "csrf=" + token + "&" +
               "fiscal_year=2025&copies=9&purpose=%E5%A5%A8%E5%AD%A6"
               "%E9%87%91&mailing_address=%E6%B8%85%E7%80%AC" +
               "&signature=" + pem);
  EXPECT_EQ(tampered.status, 422);
  auto done = Post("/portal/apply/income_certificate/submit", again,
                   "csrf=" + token + "&" + fields + "&signature=" + pem);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("申請は市区町村に届きました"), std::string::npos);
  auto mine = Get("/portal/apply", again);
  EXPECT_NE(mine.body.find("<td>審査中</td>"), std::string::npos);
}

}  // namespace
}  // namespace openmyna::portal
