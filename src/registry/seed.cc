#include "openmyna/registry/seed.h"

#include "openmyna/domain/date.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_mapping.h"

namespace openmyna::registry {
namespace {

struct SampleResident {
  const char* number;
  const char* name;
  const char* name_kana;
  const char* date_of_birth;
  Sex sex;
  const char* address;
  const char* municipality;
  bool minor_of_first;  // legal representative: the first sample resident
  bool foreign;
};

// Numbers: valid vectors of jpki.md §5.1 (check digits 8, 0, 1, 2, 3).
constexpr SampleResident kResidents[] = {
    {"123456789018", "千曲 太郎", "チクマ タロウ", "1980-05-05", Sex::kMale,
     "長野県千曲市大字杭瀬下84番地", "20218", false, false},
    {"614106526000", "千曲 花子", "チクマ ハナコ", "2017-07-07", Sex::kFemale,
     "長野県千曲市大字杭瀬下84番地", "20218", true, false},
    {"510136263801", "SMITH JOHN", "スミス ジョン", "1992-11-03", Sex::kMale,
     "長野県千曲市大字屋代1番地", "20218", false, true},
    {"060122228102", "更級 ハル", "サラシナ ハル", "1945-02-11", Sex::kFemale,
     "長野県千曲市大字稲荷山100番地", "20218", false, false},
    {"362473502703", "清瀬 次郎", "キヨセ ジロウ", "1999-09-09", Sex::kMale,
     "東京都清瀬市中里五丁目842番地", "13221", false, false},
};

// The resident's card in force, else a new one issued through the life
// events a counter would use (`request` for a new application); `created`
// says which.
Result<Card> CardInForceOrIssue(RegistryService& service, const Actor& system,
                                const Actor& clerk,
                                const ApplicationRequest& request,
                                const Passwords& passwords, bool& created) {
  created = false;
  OPENMYNA_ASSIGN_OR_RETURN(ResidentFile file,
                            service.GetResident(system, request.resident_id));
  for (const Card& card : file.cards) {
    if (card.state == CardState::kActive ||
        card.state == CardState::kSuspended) {
      return card;
    }
  }
  const Application* pending = nullptr;
  for (const Application& a : file.applications) {
    if (a.state == ApplicationState::kReceived ||
        a.state == ApplicationState::kProduced) {
      pending = &a;
    }
  }
  Application app;
  if (pending) {
    app = *pending;
  } else {
    OPENMYNA_ASSIGN_OR_RETURN(app, service.Apply(clerk, request));
  }
  std::string card_id = app.card_id;
  if (app.state == ApplicationState::kReceived) {
    OPENMYNA_ASSIGN_OR_RETURN(Card produced, service.Produce(clerk, app.id));
    card_id = produced.id;
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      Card card,
      service.Deliver(clerk, card_id, request.resident_id, passwords));
  created = true;
  return card;
}

// The first resident's card in force, else a new one.
Status IssueSampleCard(RegistryService& service, const Actor& system,
                       const Actor& clerk, const std::string& resident_id,
                       const Passwords& passwords, SeedReport& report) {
  OPENMYNA_ASSIGN_OR_RETURN(
      report.sample_card,
      CardInForceOrIssue(service, system, clerk,
                         ApplicationRequest{resident_id, resident_id},
                         passwords, report.sample_card_created));
  return Ok();
}

// The sample card can be tried at the convenience-store kiosk on the day
// `up` issues it: its certificate -> resident mapping is dated the day
// before (issue 11 item 7: "the sample data dates its issue and its
// mapping in the past"); every other card keeps the next-day rule.
Status MapSampleCardForKonbini(RegistryStore& store, RegistryService& service,
                               const Actor& system, const Card& card) {
  OPENMYNA_ASSIGN_OR_RETURN(ResidentFile file,
                            service.GetResident(system, card.resident_id));
  const auto yesterday =
      std::chrono::sys_days(domain::JapanDateOf(service.clock().Now())) -
      std::chrono::days{1};
  for (const Certificate& c : file.certificates) {
    if (c.card_id != card.id || c.type != CertificateType::kAuthentication ||
        c.revoked) {
      continue;
    }
    OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
      return PutKonbiniMapping(
          tx,
          {c.serial, domain::FormatDate(std::chrono::year_month_day{yesterday}),
           "sandbox sample card: mapped as of the day before its issue"});
    }));
  }
  return Ok();
}

}  // namespace

Result<SeedReport> SeedSampleData(RegistryStore& store,
                                  RegistryService& service,
                                  const SeedOptions& options) {
  const Actor system{"seed", Role::kSystem, "sandbox sample data"};
  const Actor clerk{"seed", Role::kCounterClerk, "sandbox sample data"};
  SeedReport report;
  const Municipality municipalities[] = {
      {"20218", "千曲市", "長野県", "Chikuma-shi", "Nagano-ken", 1000, 800},
      {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to", 1000, 800},
  };
  for (const Municipality& m : municipalities) {
    OPENMYNA_RETURN_IF_ERROR(service.PutMunicipality(system, m));
    report.municipalities.push_back(m.code);
  }
  std::string first_id;
  for (const SampleResident& sample : kResidents) {
    std::optional<Resident> existing;
    OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(existing,
                                tx.FindResidentByNumber(sample.number));
      return Ok();
    }));
    if (!existing) {
      Resident r;
      r.individual_number = sample.number;
      r.name = sample.name;
      r.name_kana = sample.name_kana;
      r.date_of_birth = sample.date_of_birth;
      r.sex = sample.sex;
      r.address = sample.address;
      r.municipality_code = sample.municipality;
      r.registered_domicile = sample.foreign ? "" : "長野県千曲市";
      if (sample.minor_of_first) r.legal_representative_id = first_id;
      if (sample.foreign) {
        r.foreign = ForeignResidence{"技術・人文知識・国際業務",
                                     domain::ResidenceStatus::kMidToLongTerm,
                                     "2029-03-31", ""};
      }
      OPENMYNA_ASSIGN_OR_RETURN(Resident created,
                                service.RegisterResident(system, r));
      existing = created;
      report.created.push_back(created.id);
    }
    if (first_id.empty()) first_id = existing->id;
    report.residents.push_back(existing->id);
  }
  CivilService civil(store, service.clock(), service.rng());
  OPENMYNA_ASSIGN_OR_RETURN(report.civil,
                            SeedCivilRecords(civil, report.residents));
  if (options.issue_sample_card) {
    OPENMYNA_RETURN_IF_ERROR(
        IssueSampleCard(service, system, clerk, report.residents[0],
                        options.sample_card_passwords, report));
    if (report.sample_card_created) {
      OPENMYNA_RETURN_IF_ERROR(
          MapSampleCardForKonbini(store, service, system, *report.sample_card));
    }
  }
  if (options.issue_face_auth_card) {
    const std::string& elderly = report.residents[3];
    auto file = service.GetResident(system, elderly);
    if (!file) return Unexpected(file.error());
    for (const Card& card : file->cards) {
      if (card.state != CardState::kVoid) {
        report.face_auth_card_id = card.id;
        return report;
      }
    }
    ApplicationRequest request{elderly, elderly, CardKind::kFaceAuth};
    request.signature_certificate = false;
    OPENMYNA_ASSIGN_OR_RETURN(Application app, service.Apply(clerk, request));
    OPENMYNA_ASSIGN_OR_RETURN(Card card, service.Produce(clerk, app.id));
    OPENMYNA_ASSIGN_OR_RETURN(card,
                              service.Deliver(clerk, card.id, elderly, {}));
    report.face_auth_card_id = card.id;
  }
  return report;
}

Result<std::vector<Card>> IssueGeneratedResidentCards(
    RegistryService& service, std::uint64_t count, const Passwords& passwords) {
  const Actor system{"seed", Role::kSystem, "benchmark cards"};
  const Actor clerk{"seed", Role::kCounterClerk, "benchmark cards"};
  const domain::Date today = domain::JapanDateOf(service.clock().Now());
  // No signature certificate, so no signature password (domain.md §3).
  Passwords set = passwords;
  set.signature.clear();
  std::vector<Card> cards;
  for (std::uint64_t i = 0; cards.size() < count; ++i) {
    auto file = service.GetResident(system, BulkResidentId(i));
    if (!file) {
      if (!file.error().Is(RegistryErrc::kNotFound)) {
        return Unexpected(file.error());
      }
      return Fail(RegistryErrc::kNotFound,
                  "only " + std::to_string(cards.size()) +
                      " generated residents may apply for a card alone; "
                      "load more with --residents");
    }
    const Resident& r = file->resident;
    auto born = domain::ParseDate(r.date_of_birth);
    if (!born || domain::AgeAt(*born, today) < 15 || r.adult_ward ||
        r.status != ResidentStatus::kActive) {
      continue;
    }
    ApplicationRequest request{r.id, r.id};
    request.signature_certificate = false;
    bool created = false;
    OPENMYNA_ASSIGN_OR_RETURN(
        Card card,
        CardInForceOrIssue(service, system, clerk, request, set, created));
    cards.push_back(std::move(card));
  }
  return cards;
}

}  // namespace openmyna::registry
