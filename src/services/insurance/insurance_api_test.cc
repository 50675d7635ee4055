// The eligibility service through its router (issue 12, item 4): a real
// sandbox authentication certificate (pki fixture CA), its key signing the
// service's nonce with plain OpenSSL (EVP_DigestSign, independent of the
// service's verification), and the answer read as the national message.
// Expected codes: OQSCD006 / OQSCD009 as documented in insurance.md §2.4.
#include "openmyna/services/insurance_api.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "openmyna/base/base64.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/insurance_store.h"
#include "openmyna/services/insurance_files.h"
#include "testing/pki_fixture.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
namespace reg = registry;

std::string Basic(const reg::NewCredential& c) {
  const std::string plain = c.id + ":" + c.secret;
  return "Basic " + Base64Encode(ByteView(
                        reinterpret_cast<const std::uint8_t*>(plain.data()),
                        plain.size()));
}

Bytes SignWithKey(EVP_PKEY* key, const Bytes& data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t size = 0;
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &size, data.data(), data.size()), 1);
  Bytes sig(size);
  EXPECT_EQ(EVP_DigestSign(ctx, sig.data(), &size, data.data(), data.size()),
            1);
  EVP_MD_CTX_free(ctx);
  sig.resize(size);
  return sig;
}

class InsuranceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki::Sandbox& sandbox = pki::testing::SharedSandbox();
    auto pki_store = pki::SqliteCertificateStore::Open(sandbox.store_path());
    ASSERT_TRUE(pki_store) << pki_store.error();
    pki::CertificateAuthority ca(sandbox, **pki_store, rng_);
    auto issued = ca.Issue(pki::testing::AuthenticationRequest(0));
    ASSERT_TRUE(issued) << issued.error();
    cert_der_ = issued->der;
    serial_ = issued->serial.Hex();
    not_after_ = issued->not_after;

    dir_ = pki::testing::TempDir("insurance-api");
    auto store =
        reg::RegistryStore::Open((dir_ / "registry.db").string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    service_ = std::make_unique<reg::InsuranceService>(*store_, clock_, rng_);
    // The registry's records of the resident, card and certificate.
    ASSERT_TRUE(store_->Transact([&](reg::RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(
          {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to", 1000, 800}));
      reg::Resident r;
      r.id = "r-jiro";
      r.individual_number = "362473502703";
      r.name = "清瀬 次郎";
      r.name_kana = "キヨセ ジロウ";
      r.date_of_birth = "1999-09-09";
      r.sex = reg::Sex::kMale;
      r.address = "東京都清瀬市中里五丁目842番地";
      r.municipality_code = "13221";
      OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
      reg::Card card;
      card.id = "c-1";
      card.resident_id = r.id;
      card.state = reg::CardState::kActive;
      OPENMYNA_RETURN_IF_ERROR(tx.PutCard(card));
      reg::Certificate c;
      c.serial = serial_;
      c.card_id = card.id;
      c.resident_id = r.id;
      c.type = reg::CertificateType::kAuthentication;
      c.not_before = issued->not_before;
      c.not_after = issued->not_after;
      return tx.PutCertificate(c);
    }));
    const reg::Actor system{"t", reg::Role::kSystem, "setup"};
    auto clinic_cred =
        reg::CreateCredential(*store_, reg::Role::kClinic, rng_, clock_, 1000);
    ASSERT_TRUE(clinic_cred);
    clinic_ = *clinic_cred;
    auto insurer_cred =
        reg::CreateCredential(*store_, reg::Role::kInsurer, rng_, clock_, 1000);
    ASSERT_TRUE(insurer_cred);
    insurer_ = *insurer_cred;
    ASSERT_TRUE(service_->PutInsurer(
        system, {"139915", "清瀬市国民健康保険（サンドボックス）",
                 "国民健康保険", insurer_.id}));
    reg::MedicalInstitution inst{"2010991001", "千曲サンドボックス診療所",
                                 reg::InstitutionKind::kClinic, "千曲市"};
    inst.credential_id = clinic_.id;
    ASSERT_TRUE(service_->PutInstitution(system, inst));
    reg::Membership m;
    m.insurer_number = "139915";
    m.symbol = "清01";
    m.number = "300123";
    m.branch = "00";
    m.name = "清瀬 次郎";
    m.name_kana = "キヨセ ジロウ";
    m.date_of_birth = "1999-09-09";
    m.sex = reg::Sex::kMale;
    m.address = "東京都清瀬市中里五丁目842番地";
    m.acquired_on = "2022-04-01";
    auto enrolled = service_->Enrol(system, {m, "362473502703"});
    ASSERT_TRUE(enrolled) << enrolled.error();
    ASSERT_EQ(enrolled->membership.link_state, reg::LinkState::kVerified);
    ASSERT_TRUE(service_->RegisterCard(system, "r-jiro",
                                       registry::RegistrationChannel::kPortal));

    options_ = std::make_shared<InsuranceApiOptions>();
    options_->clock = &clock_;
    options_->rng = &rng_;
    auto roots = sandbox.Roots(pki::CaKind::kAuthentication);
    ASSERT_TRUE(roots);
    options_->auth_roots = std::move(*roots);
    ASSERT_TRUE(AddInsuranceApi(router_, *store_, *service_, options_));
  }

  http::Response Post(const std::string& path, const json& body,
                      const reg::NewCredential* who) {
    http::Request r;
    r.method = "POST";
    r.path = r.target = path;
    if (const auto q = path.find('?'); q != std::string::npos) {
      r.path = path.substr(0, q);
      r.query = path.substr(q + 1);
    }
    r.body = body.dump();
    r.headers.push_back({"Content-Type", "application/json"});
    if (who) r.headers.push_back({"Authorization", Basic(*who)});
    return router_.Dispatch(r);
  }

  std::string Nonce() {
    http::Response r =
        Post("/insurance/v1/challenge", json::object(), &clinic_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).value("nonce", "");
  }

  json CardBody(const std::string& nonce_hex, const Bytes& signed_data) {
    return {{"card",
             {{"certificate", ToHex(cert_der_)},
              {"nonce", nonce_hex},
              {"signature",
               ToHex(SignWithKey(pki::testing::SubjectKey(0), signed_data))}}}};
  }

  FixedClock clock_{pki::testing::FixtureNow()};
  // A seed per fixture: every test issues a certificate into the shared
  // sandbox's store, and equal seeds would draw the same serials until the
  // CA gives up (kSerialExhausted).
  static inline int next_seed_ = 21;
  DeterministicRng rng_{static_cast<std::uint64_t>(next_seed_++)};
  std::filesystem::path dir_;
  Bytes cert_der_;
  std::string serial_;
  TimePoint not_after_;
  std::unique_ptr<reg::RegistryStore> store_;
  std::unique_ptr<reg::InsuranceService> service_;
  std::shared_ptr<InsuranceApiOptions> options_;
  reg::NewCredential clinic_, insurer_;
  http::Router router_;
};

TEST_F(InsuranceApiTest, CardSignatureAnswersValidWithTheMembership) {
  const std::string nonce = Nonce();
  http::Response r = Post("/insurance/v1/eligibility",
                          CardBody(nonce, *FromHex(nonce)), &clinic_);
  ASSERT_EQ(r.status, 200) << r.body;
  json msg = json::parse(r.body)["XmlMsg"];
  EXPECT_EQ(msg["MessageHeader"]["ReferenceClassification"], "1");
  EXPECT_EQ(msg["MessageHeader"]["MedicalInstitutionCode"], "2010991001");
  EXPECT_EQ(msg["MessageHeader"]["QualificationConfirmationDate"], "20261125");
  EXPECT_EQ(msg["MessageBody"]["QualificationValidity"], "1");
  json result =
      msg["MessageBody"]["ResultList"]["ResultOfQualificationConfirmation"][0];
  EXPECT_EQ(result["InsurerNumber"], "139915");
  EXPECT_EQ(result["InsurerName"], "清瀬市国民健康保険（サンドボックス）");
  EXPECT_EQ(result["InsuredPartialContributionRatio"], "030");
  EXPECT_EQ(result["PersonalFamilyClassification"], "1");
  EXPECT_EQ(result["Birthdate"], "19990909");
  // No individual number anywhere in the answer.
  EXPECT_EQ(r.body.find("362473502703"), std::string::npos);

  // The nonce is single use.
  http::Response replay = Post("/insurance/v1/eligibility",
                               CardBody(nonce, *FromHex(nonce)), &clinic_);
  EXPECT_EQ(replay.status, 409) << replay.body;
}

TEST_F(InsuranceApiTest, ASignatureOverOtherDataIsRefused) {
  const std::string nonce = Nonce();
  http::Response r = Post("/insurance/v1/eligibility",
                          CardBody(nonce, ToBytes("something else")), &clinic_);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("signature"), std::string::npos) << r.body;
}

TEST_F(InsuranceApiTest, ThreeMonthGraceAfterExpiry) {
  clock_.Set(not_after_ + std::chrono::days(30));
  std::string nonce = Nonce();
  http::Response in_grace = Post("/insurance/v1/eligibility",
                                 CardBody(nonce, *FromHex(nonce)), &clinic_);
  ASSERT_EQ(in_grace.status, 200) << in_grace.body;
  json body = json::parse(in_grace.body)["XmlMsg"]["MessageBody"];
  EXPECT_EQ(body["QualificationValidity"], "1");
  EXPECT_NE(body.value("ProcessingResultMessage", "").find("3か月"),
            std::string::npos);
  clock_.Set(not_after_ + std::chrono::days(100));
  nonce = Nonce();
  http::Response late = Post("/insurance/v1/eligibility",
                             CardBody(nonce, *FromHex(nonce)), &clinic_);
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_NE(late.body.find("expired"), std::string::npos) << late.body;
}

TEST_F(InsuranceApiTest, InsuranceCardDataAndAuthorisation) {
  json query = {{"QualificationConfirmSearchInfo",
                 {{"InsurerNumber", "  139915"},
                  {"InsuredIdentificationNumber", "300123"},
                  {"InsuredBranchNumber", "00"},
                  {"Birthdate", "19990909"}}}};
  http::Response r = Post("/insurance/v1/eligibility", query, &clinic_);
  ASSERT_EQ(r.status, 200) << r.body;
  json msg = json::parse(r.body)["XmlMsg"];
  EXPECT_EQ(msg["MessageHeader"]["ReferenceClassification"], "2");
  EXPECT_EQ(msg["MessageBody"]["QualificationValidity"], "1");
  query["QualificationConfirmSearchInfo"]["Birthdate"] = "19990910";
  r = Post("/insurance/v1/eligibility", query, &clinic_);
  EXPECT_EQ(
      json::parse(r.body)["XmlMsg"]["MessageBody"]["QualificationValidity"],
      "4");
  query["QualificationConfirmSearchInfo"]["InsurerNumber"] = "139916";
  EXPECT_EQ(Post("/insurance/v1/eligibility", query, &clinic_).status, 400);
  EXPECT_EQ(Post("/insurance/v1/eligibility", query, nullptr).status, 401);
  EXPECT_EQ(Post("/insurance/v1/eligibility", query, &insurer_).status, 403);
  reg::NewCredential wrong = clinic_;
  wrong.secret = "0000";
  EXPECT_EQ(Post("/insurance/v1/eligibility", query, &wrong).status, 401);
}

// FHIR R4 Coverage requires status, beneficiary and payor (1..*); JP Core's
// JP_Coverage adds the 記号/番号/枝番 extensions and the memberID identifier
// (jp-core-v1x JP_Coverage.fsh). Checked on the Bundle as required elements.
TEST_F(InsuranceApiTest, FhirCoverageHasTheRequiredElements) {
  json query = {{"QualificationConfirmSearchInfo",
                 {{"InsurerNumber", "139915"},
                  {"InsuredIdentificationNumber", "300123"},
                  {"Birthdate", "19990909"}}}};
  http::Request r;
  r.method = "POST";
  r.path = "/insurance/v1/eligibility";
  r.query = "format=fhir";
  r.target = r.path + "?" + r.query;
  r.body = query.dump();
  r.headers = {{"Content-Type", "application/json"},
               {"Authorization", Basic(clinic_)}};
  http::Response response = router_.Dispatch(r);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/fhir+json");
  json bundle = json::parse(response.body);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  ASSERT_EQ(bundle["entry"].size(), 1u);
  json c = bundle["entry"][0]["resource"];
  EXPECT_EQ(c["resourceType"], "Coverage");
  EXPECT_EQ(c["status"], "active");
  EXPECT_TRUE(c["beneficiary"].is_object());
  ASSERT_TRUE(c["payor"].is_array());
  ASSERT_GE(c["payor"].size(), 1u);
  EXPECT_EQ(c["payor"][0]["identifier"]["value"], "139915");
  EXPECT_EQ(c["meta"]["profile"][0],
            "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Coverage");
  std::set<std::string> urls;
  for (const json& e : c["extension"]) urls.insert(e["url"]);
  for (const char* name :
       {"JP_Coverage_InsuredPersonSymbol", "JP_Coverage_InsuredPersonNumber",
        "JP_Coverage_InsuredPersonSubNumber"}) {
    EXPECT_TRUE(urls.count(
        std::string(
            "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/") +
        name))
        << name;
  }
  EXPECT_EQ(c["identifier"][0]["value"], "139915:清01:300123:00");
  EXPECT_EQ(c["relationship"]["coding"][0]["code"], "1");
  EXPECT_EQ(c["period"]["start"], "2022-04-01");
}

TEST_F(InsuranceApiTest, ConsentAndMedicalInformationOverHttp) {
  const reg::Actor system{"t", reg::Role::kSystem, "setup"};
  reg::MedicationRecord rx;
  rx.resident_id = "r-jiro";
  rx.dispensed_on = "2026-11-01";
  rx.drug_name = "サンプル錠";
  ASSERT_TRUE(service_->AddMedication(system, rx));
  const json query = {{"QualificationConfirmSearchInfo",
                       {{"InsurerNumber", "139915"},
                        {"InsuredIdentificationNumber", "300123"},
                        {"InsuredBranchNumber", "00"},
                        {"Birthdate", "19990909"}}}};
  EXPECT_EQ(Post("/insurance/v1/medical-information", query, &clinic_).status,
            409);
  const std::string nonce = Nonce();
  json consent = CardBody(nonce, *FromHex(nonce));
  consent["items"] = {"drug"};
  consent["method"] = "face";
  http::Response given = Post("/insurance/v1/consents", consent, &clinic_);
  ASSERT_EQ(given.status, 201) << given.body;
  http::Response info =
      Post("/insurance/v1/medical-information", query, &clinic_);
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(json::parse(info.body)["medication"].size(), 1u);
  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  EXPECT_EQ(Post("/insurance/v1/medical-information", query, &clinic_).status,
            409);
}

// YYYYMMDDhhmmss of `t` in JST, by the C library (not the code under test).
std::string JstByLibc(TimePoint t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(
          std::chrono::time_point_cast<std::chrono::system_clock::duration>(
              t)) +
      9 * 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%Y%m%d%H%M%S", &tm);
  return out;
}

// The consent state in the card answer (insurance.md §1.6: …ConsFlg with
// OQSCD016, ConsTime, AvailableTime = ConsTime + 24 h as in the public
// sample), and the consent as a FHIR R4 Consent resource checked against
// the published R4 definition (hl7.org/fhir/R4/consent.html): cardinalities
// status 1..1 (required value set ConsentState), scope 1..1, category 1..*,
// the invariants ppc-1 (policy or policyRule) and ppc-2 (scope
// patient-privacy needs a patient), provision.type from ConsentProvisionType,
// and dateTime values matching the R4 dateTime regular expression.
TEST_F(InsuranceApiTest, ConsentStateInTheAnswerAndAsFhirConsent) {
  auto answer = [&] {
    const std::string nonce = Nonce();
    http::Response r = Post("/insurance/v1/eligibility",
                            CardBody(nonce, *FromHex(nonce)), &clinic_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["XmlMsg"]["MessageBody"]["ResultList"]
                              ["ResultOfQualificationConfirmation"][0];
  };
  json before = answer();
  EXPECT_EQ(before["PharmacistsInfoConsFlg"], "0");
  EXPECT_FALSE(before.contains("PharmacistsInfoConsTime"));

  const TimePoint given_at = clock_.Now();
  const std::string nonce = Nonce();
  json consent = CardBody(nonce, *FromHex(nonce));
  consent["items"] = {"drug", "checkup"};
  consent["method"] = "pin";
  http::Response r =
      Post("/insurance/v1/consents?format=fhir", consent, &clinic_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.content_type, "application/fhir+json");
  const json fhir = json::parse(r.body);
  EXPECT_EQ(fhir["resourceType"], "Consent");
  const std::set<std::string> states = {"draft",    "proposed",
                                        "active",   "rejected",
                                        "inactive", "entered-in-error"};
  ASSERT_TRUE(fhir["status"].is_string());
  EXPECT_TRUE(states.count(fhir["status"].get<std::string>()));
  EXPECT_EQ(fhir["status"], "active");
  ASSERT_TRUE(fhir["scope"].is_object());
  EXPECT_EQ(fhir["scope"]["coding"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/consentscope");
  EXPECT_EQ(fhir["scope"]["coding"][0]["code"], "patient-privacy");
  ASSERT_TRUE(fhir["category"].is_array());
  EXPECT_GE(fhir["category"].size(), 1u);
  EXPECT_TRUE(fhir.contains("policy") || fhir.contains("policyRule"));  // ppc-1
  EXPECT_TRUE(fhir.contains("patient"));                                // ppc-2
  const std::regex date_time(
      "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-"
      "(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|"
      "60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?");
  for (const json* v :
       {&fhir["dateTime"], &fhir["provision"]["period"]["start"],
        &fhir["provision"]["period"]["end"]}) {
    ASSERT_TRUE(v->is_string());
    EXPECT_TRUE(std::regex_match(v->get<std::string>(), date_time)) << *v;
  }
  const std::string start = fhir["provision"]["period"]["start"];
  const std::string end = fhir["provision"]["period"]["end"];
  const std::string jst = JstByLibc(given_at);
  // 2026-11-25T10:00:00+09:00 → 20261125100000
  auto compact = [](std::string s) {
    s = s.substr(0, 19);
    std::erase_if(s, [](char c) { return c == '-' || c == ':' || c == 'T'; });
    return s;
  };
  EXPECT_EQ(compact(start), jst);
  EXPECT_EQ(compact(end), JstByLibc(given_at + std::chrono::hours(24)));
  EXPECT_EQ(start.substr(19), "+09:00");
  EXPECT_EQ(fhir["provision"]["type"], "permit");
  std::set<std::string> classes;
  for (const json& c : fhir["provision"]["class"]) classes.insert(c["code"]);
  EXPECT_EQ(classes, (std::set<std::string>{"TKK", "YZK"}));
  EXPECT_EQ(fhir["organization"][0]["identifier"]["value"], "2010991001");

  json after = answer();
  EXPECT_EQ(after["PharmacistsInfoConsFlg"], "1");
  EXPECT_EQ(after["SpecificHealthCheckupsInfoConsFlg"], "1");
  EXPECT_EQ(after["DiagnosisInfoConsFlg"], "0");
  EXPECT_EQ(after["OperationInfoConsFlg"], "0");
  EXPECT_EQ(after["PharmacistsInfoConsTime"], jst);
  EXPECT_EQ(after["PharmacistsInfoAvailableTime"],
            JstByLibc(given_at + std::chrono::hours(24)));

  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  json lapsed = answer();
  EXPECT_EQ(lapsed["PharmacistsInfoConsFlg"], "2");
  EXPECT_EQ(lapsed["DiagnosisInfoConsFlg"], "0");
}

TEST_F(InsuranceApiTest, InsurerEnrolmentWithoutTheNumberNeedsFiveItems) {
  json form = {{"membership",
                {{"symbol", "清01"},
                 {"number", "300124"},
                 {"branch", "00"},
                 {"name", "清瀬 次郎"},
                 {"name_kana", "キヨセ ジロウ"},
                 {"date_of_birth", "1999-09-09"},
                 {"sex", "male"},
                 {"address", "東京都清瀬市中里五丁目843番地"},  // not his
                 {"acquired_on", "2026-04-01"}}}};
  http::Response r = Post("/insurance/v1/enrolments", form, &insurer_);
  ASSERT_EQ(r.status, 201) << r.body;
  json out = json::parse(r.body);
  EXPECT_EQ(out["membership"]["link_state"], "unlinked");
  EXPECT_EQ(out["partial_candidates"], 1);
  form["membership"]["address"] = "東京都清瀬市中里五丁目842番地";
  form["membership"]["number"] = "300125";
  r = Post("/insurance/v1/enrolments", form, &insurer_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["membership"]["link_state"], "verified");
  EXPECT_EQ(Post("/insurance/v1/enrolments", form, &clinic_).status, 403);
}

// Point 2 over HTTP: a link blocked on mismatch stays blocked until the
// insurer corrects it through the API; the correction, a confirmation and a
// loss are the insurer's own, each in the resident's audit trail (read from
// the registry's store). Codes: OQSCD006 (insurance.md §2.4).
TEST_F(InsuranceApiTest, InsurerCorrectsABlockedLinkOverHttp) {
  json form = {{"membership",
                {{"symbol", "清01"},
                 {"number", "300126"},
                 {"branch", "00"},
                 {"name", "清瀬 次郎"},
                 {"name_kana", "キヨセ ジロウ"},
                 {"date_of_birth", "1999-09-09"},
                 {"sex", "male"},
                 {"address", "東京都清瀬市中里五丁目843番地"},  // not his
                 {"acquired_on", "2022-04-01"}}},
               {"individual_number", "362473502703"}};
  http::Response r = Post("/insurance/v1/enrolments", form, &insurer_);
  ASSERT_EQ(r.status, 201) << r.body;
  json enrolled = json::parse(r.body)["membership"];
  ASSERT_EQ(enrolled["link_state"], "mismatch") << r.body;
  const std::string id = enrolled["id"];
  auto validity = [&] {
    json query = {{"QualificationConfirmSearchInfo",
                   {{"InsurerNumber", "139915"},
                    {"InsuredIdentificationNumber", "300126"},
                    {"InsuredBranchNumber", "00"},
                    {"Birthdate", "19990909"}}}};
    http::Response e = Post("/insurance/v1/eligibility", query, &clinic_);
    EXPECT_EQ(e.status, 200) << e.body;
    return json::parse(e.body)["XmlMsg"]["MessageBody"]["QualificationValidity"]
        .get<std::string>();
  };
  EXPECT_EQ(validity(), "4");  // blocked: not served

  const std::string base = "/insurance/v1/memberships/" + id;
  json items = {{"name", "清瀬 次郎"},
                {"name_kana", "キヨセ ジロウ"},
                {"date_of_birth", "1999-09-09"},
                {"sex", "male"},
                {"address", "東京都清瀬市中里五丁目842番地"}};
  EXPECT_EQ(Post(base + "/correction", items, &clinic_).status, 403);
  EXPECT_EQ(Post(base + "/correction", items, nullptr).status, 401);
  EXPECT_EQ(Post(base + "/rename", items, &insurer_).status, 404);
  EXPECT_EQ(
      Post("/insurance/v1/memberships/ms-none/correction", items, &insurer_)
          .status,
      404);
  r = Post(base + "/correction", items, &insurer_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["membership"]["link_state"], "verified");
  EXPECT_EQ(validity(), "1");
  // Only a mismatching link can be confirmed with a reason.
  EXPECT_EQ(Post(base + "/confirmation", {{"reason", "本人確認済"}}, &insurer_)
                .status,
            409);
  // 資格喪失 while his other membership (300123) is valid: 3.
  r = Post(base + "/loss", {{"lost_on", "2026-11-01"}, {"reason", "03"}},
           &insurer_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["membership"]["lost_on"], "2026-11-01");
  EXPECT_EQ(validity(), "3");

  std::vector<std::string> actions;
  ASSERT_TRUE(store_->Transact([&](reg::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto trail, tx.ListAudit("r-jiro"));
    for (const reg::AuditEntry& e : trail) {
      if (e.actor_id == "139915") actions.push_back(e.action);
    }
    return Ok();
  }));
  EXPECT_EQ(actions,
            (std::vector<std::string>{"insurance.enrol", "insurance.correct",
                                      "insurance.lose"}));
}

// The file interface: a request as clinic systems write it (element names of
// insurance.md §2.3), the answer read back with libxml2's XPath.
std::string XPath(const std::string& xml, const char* path) {
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()),
                              "res.xml", nullptr, XML_PARSE_NONET);
  if (doc == nullptr) return "<not XML>";
  xmlXPathContext* ctx = xmlXPathNewContext(doc);
  xmlXPathObject* found =
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(path), ctx);
  std::string out;
  if (found && found->nodesetval && found->nodesetval->nodeNr > 0) {
    xmlChar* text = xmlNodeGetContent(found->nodesetval->nodeTab[0]);
    out = reinterpret_cast<char*>(text);
    xmlFree(text);
  }
  xmlXPathFreeObject(found);
  xmlXPathFreeContext(ctx);
  xmlFreeDoc(doc);
  return out;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(InsuranceApiTest, RequestFilesAreAnsweredInRes) {
  const auto dir = pki::testing::TempDir("oqs-files");
  std::filesystem::create_directories(dir / "req");
  {
    std::ofstream req(dir / "req" / "OQSsiquc01req_0001.xml");
    req << R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <QualificationConfirmationDate>20261125</QualificationConfirmationDate>
    <MedicalInstitutionCode>2010991001</MedicalInstitutionCode>
    <ArbitraryFileIdentifier>visit-42</ArbitraryFileIdentifier>
  </MessageHeader>
  <MessageBody>
    <QualificationConfirmSearchInfo>
      <InsurerNumber>  139915</InsurerNumber>
      <InsuredCardSymbol>清01</InsuredCardSymbol>
      <InsuredIdentificationNumber>300123</InsuredIdentificationNumber>
      <InsuredBranchNumber>00</InsuredBranchNumber>
      <Birthdate>19990909</Birthdate>
      <LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>
    </QualificationConfirmSearchInfo>
  </MessageBody>
</XmlMsg>
)";
    std::ofstream bad(dir / "req" / "OQSsiquc01req_0002.xml");
    bad << "<XmlMsg><MessageHeader>";
  }
  const reg::Actor clinic{"2010991001", reg::Role::kClinic, "受付"};
  auto run = AnswerRequestFolder(dir, *service_, clinic, clock_);
  ASSERT_TRUE(run) << run.error();
  ASSERT_EQ(run->answered.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir / "req" / "OQSsiquc01req_0001.xml"));
  const std::string ok = ReadAll(dir / "res" / "OQSsiquc01res_0001.xml");
  EXPECT_EQ(XPath(ok, "/XmlMsg/MessageHeader/SegmentOfResult"), "1") << ok;
  EXPECT_EQ(XPath(ok, "/XmlMsg/MessageHeader/ArbitraryFileIdentifier"),
            "visit-42");
  EXPECT_EQ(XPath(ok, "/XmlMsg/MessageHeader/ReferenceClassification"), "2");
  EXPECT_EQ(XPath(ok, "/XmlMsg/MessageBody/QualificationValidity"), "1");
  EXPECT_EQ(XPath(ok,
                  "/XmlMsg/MessageBody/ResultList/"
                  "ResultOfQualificationConfirmation/InsurerName"),
            "清瀬市国民健康保険（サンドボックス）");
  const std::string bad = ReadAll(dir / "res" / "OQSsiquc01res_0002.xml");
  EXPECT_EQ(XPath(bad, "/XmlMsg/MessageHeader/SegmentOfResult"), "9") << bad;
  EXPECT_FALSE(XPath(bad, "/XmlMsg/MessageHeader/ErrorMessage").empty());
}

// Item 7: the 資格確認書 and 資格情報のお知らせ as PDFs through the insurer's
// API, read by poppler (pdftotext, pdffonts) and zbarimg on a pdftoppm
// rendering; the fields against the record SetUp put in, the kind against
// the resident's 保険証利用登録 (shared insurance.md §3.4), the individual
// number never printed.
class InsuranceDocumentTest : public InsuranceApiTest {
 protected:
  // The command's standard output (through a file), or "" when it fails.
  std::string Tool(const std::string& command) {
    const auto out = dir_ / "tool.out";
    if (std::system((command + " > " + out.string()).c_str()) != 0) return "";
    std::ifstream in(out, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string MembershipId() {
    auto list =
        service_->MembershipsOf({"t", reg::Role::kSystem, "test"}, "r-jiro");
    EXPECT_TRUE(list && list->size() == 1);
    return list && !list->empty() ? (*list)[0].id : "";
  }

  // The document over HTTP, written to `name`; its text by pdftotext.
  std::string Fetch(const std::string& name, std::string* kind) {
    http::Response r =
        Post("/insurance/v1/memberships/" + MembershipId() + "/document",
             json::object(), &insurer_);
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.content_type, "application/pdf");
    for (const auto& [header, value] : r.headers) {
      if (header == "X-Document-Kind") *kind = value;
    }
    std::ofstream(dir_ / name, std::ios::binary) << r.body;
    return Tool("pdftotext -enc UTF-8 " + (dir_ / name).string() + " -");
  }
};

TEST_F(InsuranceDocumentTest, ARegisteredCardHolderGetsTheNotice) {
  std::string kind;
  const std::string text = Fetch("notice.pdf", &kind);
  ASSERT_FALSE(text.empty()) << "pdftotext read nothing";
  EXPECT_EQ(kind, "notice");
  // The values SetUp put into the registry (dates in the printed form).
  for (const char* expected :
       {"資格情報のお知らせ", "マイナンバーカードと一緒に提示", "139915",
        "清瀬市国民健康保険（サンドボックス）", "清01", "300123", "00",
        "清瀬 次郎", "キヨセ ジロウ", "1999年9月9日", "男", "本人",
        "2022年4月1日", "3割", "2026年11月25日", "なし", "SANDBOX"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n"
                                                      << text;
  }
  EXPECT_EQ(text.find("362473502703"), std::string::npos);
  EXPECT_EQ(text.find("中里五丁目"), std::string::npos)  // not on a notice
      << text;

  // Every font embedded, none drawn as a Type 3 font.
  const std::string fonts = Tool("pdffonts " + (dir_ / "notice.pdf").string());
  ASSERT_FALSE(fonts.empty());
  std::istringstream lines(fonts);
  std::string line;
  int rows = 0;
  for (int n = 0; std::getline(lines, line); ++n) {
    if (n < 2) continue;
    ++rows;
    EXPECT_NE(line.find(" yes "), std::string::npos) << line;
    EXPECT_EQ(line.find("Type 3"), std::string::npos) << line;
  }
  EXPECT_GE(rows, 1) << fonts;

  // The QR code: the card data a clinic looks up by, as the record has it.
  ASSERT_EQ(
      std::system(("pdftoppm -r 200 -png " + (dir_ / "notice.pdf").string() +
                   " " + (dir_ / "notice").string())
                      .c_str()),
      0);
  std::string code =
      Tool("zbarimg --raw -q " + (dir_ / "notice-1.png").string());
  while (!code.empty() && code.back() == '\n') code.pop_back();
  EXPECT_EQ(code, "OMQ1|139915|清01|300123|00|19990909");

  // The insurer's access is in the resident's trail.
  auto trail = store_->Transact([&](reg::RegistryTx& tx) -> Status {
    auto audit = tx.ListAudit("r-jiro");
    if (!audit) return Unexpected<Error>(audit.error());
    bool found = false;
    for (const reg::AuditEntry& e : *audit) {
      found |= e.action == "insurance.document" &&
               e.reason.find("清瀬市国民健康保険") != std::string::npos;
    }
    EXPECT_TRUE(found);
    return Ok();
  });
  EXPECT_TRUE(trail) << trail.error();
}

TEST_F(InsuranceDocumentTest, CancellingTheRegistrationGivesACertificate) {
  ASSERT_TRUE(service_->CancelRegistration({"t", reg::Role::kSystem, "test"},
                                           "r-jiro"));
  std::string kind;
  const std::string text = Fetch("certificate.pdf", &kind);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(kind, "certificate");
  // Issued on 2026-11-25 (FixtureNow): 5 years less a day.
  for (const char* expected :
       {"資格確認書", "利用登録が解除", "東京都清瀬市中里五丁目842番地",
        "300123", "清瀬 次郎", "2031年11月24日"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n"
                                                      << text;
  }
  EXPECT_EQ(text.find("資格情報のお知らせ"), std::string::npos);
  EXPECT_EQ(text.find("362473502703"), std::string::npos);
}

TEST_F(InsuranceDocumentTest, OnlyTheInsurerAndOnlyForAValidMembership) {
  const std::string path =
      "/insurance/v1/memberships/" + MembershipId() + "/document";
  EXPECT_EQ(Post(path, json::object(), &clinic_).status, 403);
  EXPECT_EQ(Post(path, json::object(), nullptr).status, 401);
  EXPECT_EQ(Post("/insurance/v1/memberships/m-none/document", json::object(),
                 &insurer_)
                .status,
            404);
  ASSERT_TRUE(service_->Lose({"t", reg::Role::kSystem, "test"}, MembershipId(),
                             "2026-10-01", "03"));
  EXPECT_EQ(Post(path, json::object(), &insurer_).status, 409);
}

}  // namespace
}  // namespace openmyna::services
