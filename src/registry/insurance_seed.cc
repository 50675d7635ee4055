#include "openmyna/registry/insurance_seed.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <map>

#include "openmyna/domain/date.h"
#include "openmyna/domain/individual_number.h"
#include "openmyna/domain/insurer_number.h"
#include "openmyna/registry/insurance_store.h"

namespace openmyna::registry {
namespace {

const Actor kSeed{"seed", Role::kSystem, "sandbox sample data"};

// Reproducible numbers from a text (FNV-1a), so a sandbox's histories do not
// change between runs.
std::uint64_t Hash(std::string_view text, std::uint64_t salt) {
  std::uint64_t h = 1469598103934665603ULL ^ salt;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

struct Drug {
  const char* code;  // sandbox codes, not the 薬価基準 list
  const char* name;
  const char* dose;
  int per_day;
};
constexpr std::array<Drug, 8> kDrugs = {{
    {"SBX-0001", "アムロジピン錠5mg", "1回1錠 1日1回 朝食後", 1},
    {"SBX-0002", "ロスバスタチン錠2.5mg", "1回1錠 1日1回 夕食後", 1},
    {"SBX-0003", "メトホルミン塩酸塩錠250mg", "1回1錠 1日2回 朝夕食後", 2},
    {"SBX-0004", "ロキソプロフェンナトリウム錠60mg", "1回1錠 疼痛時", 3},
    {"SBX-0005", "レバミピド錠100mg", "1回1錠 1日3回 毎食後", 3},
    {"SBX-0006", "カルボシステイン錠500mg", "1回1錠 1日3回 毎食後", 3},
    {"SBX-0007", "フェキソフェナジン塩酸塩錠60mg", "1回1錠 1日2回 朝夕", 2},
    {"SBX-0008", "ランソプラゾールOD錠15mg", "1回1錠 1日1回 朝食前", 1},
}};

struct SampleMembership {
  const char* resident_number;  // which sample resident
  const char* insurer_base;     // 5 or 7 digits; check digit added
  const char* symbol;
  const char* number;
  const char* branch;
  Relationship relationship;
  const char* insured_name;
  const char* acquired_on;
  const char* lost_on;
  int contribution_percent;
};

constexpr SampleMembership kMemberships[] = {
    // 千曲 太郎: 組合 until 2026-03-31, then 協会けんぽ (job change).
    {"123456789018", "0620991", "10", "2001", "00", Relationship::kInsured,
     "千曲 太郎", "2003-04-01", "2026-04-01", 30},
    {"123456789018", "0120991", "3051207", "15", "00", Relationship::kInsured,
     "千曲 太郎", "2026-04-01", "", 30},
    // 千曲 花子, his daughter, dependent in both.
    {"614106526000", "0620991", "10", "2001", "01", Relationship::kDependent,
     "千曲 太郎", "2017-07-07", "2026-04-01", 30},
    {"614106526000", "0120991", "3051207", "15", "01", Relationship::kDependent,
     "千曲 太郎", "2026-04-01", "", 30},
    {"510136263801", "0120991", "3051188", "7", "00", Relationship::kInsured,
     "SMITH JOHN", "2021-10-01", "", 30},
    {"060122228102", "3920991", "", "00012345", "00", Relationship::kInsured,
     "更級 ハル", "2020-02-11", "", 10},
    {"362473502703", "13991", "清01", "300123", "00", Relationship::kInsured,
     "清瀬 次郎", "2022-04-01", "", 30},
};

struct SampleInsurer {
  const char* base;
  const char* name;
  const char* kind;
};
constexpr SampleInsurer kInsurers[] = {
    {"0620991", "サンドボックス精密機械健康保険組合", "健康保険組合"},
    {"0120991", "全国健康保険協会 長野支部（サンドボックス）", "協会けんぽ"},
    {"13991", "清瀬市国民健康保険（サンドボックス）", "国民健康保険"},
    {"3920991", "長野県後期高齢者医療広域連合（サンドボックス）",
     "後期高齢者医療広域連合"},
};

std::string DayOffset(const domain::Date& today, int days) {
  return domain::FormatDate(domain::AddDays(today, days));
}

// 24 months of dispensing every ~28-42 days, one or two drugs from a
// per-resident pair, plus that month's clinic and pharmacy expenses.
void GenerateHistory(const Resident& r, const Membership& current,
                     const domain::Date& today, InsuranceTx& ins,
                     InsuranceSeedReport& report, Status& status) {
  const std::uint64_t h = Hash(r.individual_number, 7);
  const std::size_t a = h % kDrugs.size();
  const std::size_t b = (a + 1 + (h / 8) % (kDrugs.size() - 1)) % kDrugs.size();
  const Drug& first = kDrugs[a];
  const Drug& second = kDrugs[b];  // never the same drug as `first`
  int day = -730 + static_cast<int>(h % 20);
  int visit = 0;
  while (day < -3 && status) {
    const std::string on = DayOffset(today, day);
    const int days = 28 + static_cast<int>(Hash(r.id, visit) % 3) * 7;
    for (const Drug* d : {&first, &second}) {
      if (d == &second && (visit % 3) != 0) continue;
      MedicationRecord m;
      m.id = fmt::format("rx-{}-{:03}-{}", r.id, visit, d->code);
      m.resident_id = r.id;
      m.dispensed_on = on;
      m.pharmacy_code = "2040991001";
      m.prescriber_code = "2010991001";
      m.drug_code = d->code;
      m.drug_name = d->name;
      m.dose = d->dose;
      m.days = days;
      m.quantity = days * d->per_day;
      if (Status s = ins.InsertMedication(m); !s) status = s;
      ++report.medication_records;
    }
    MedicalExpense e;
    e.id = fmt::format("mx-{}-{:03}", r.id, visit);
    e.resident_id = r.id;
    e.month = on.substr(0, 7);
    e.institution_code = "2010991001";
    e.insurer_number = current.insurer_number;
    e.days = 1;
    e.total_yen = 3000 + static_cast<int>(Hash(r.id, 100 + visit) % 60) * 100;
    e.paid_yen = e.total_yen * current.contribution_percent / 100;
    if (Status s = ins.InsertExpense(e); !s) status = s;
    ++report.expenses;
    day += days;
    ++visit;
  }
}

// 特定健診 once a year (June) for the years the resident was 40-74.
void GenerateCheckups(const Resident& r, const Membership& current,
                      const domain::Date& today, InsuranceTx& ins,
                      InsuranceSeedReport& report, Status& status) {
  auto birth = domain::ParseDate(r.date_of_birth);
  if (!birth) return;
  const int this_year = static_cast<int>(today.year());
  for (int year = this_year - 4; year <= this_year; ++year) {
    const int age = year - static_cast<int>(birth->year());
    if (age < 40 || age > 74) continue;
    const std::string on = fmt::format("{}-06-0{}", year, 1 + year % 5);
    if (on > domain::FormatDate(today)) continue;
    const std::uint64_t h = Hash(r.individual_number, year);
    const double height = 171.2;
    const double weight = 68.0 + static_cast<double>(h % 60) / 10.0;
    const double bmi = weight / (height / 100) / (height / 100);
    CheckupRecord c;
    c.id = fmt::format("hc-{}-{}", r.id, year);
    c.resident_id = r.id;
    c.examined_on = on;
    c.institution_code = "2010991001";
    c.insurer_number = current.insurer_number;
    const int waist = 80 + static_cast<int>(h / 64 % 8);
    const int sbp = 118 + static_cast<int>(h / 512 % 20);
    c.items = {
        {"height", "身長", fmt::format("{:.1f}", height), "cm"},
        {"weight", "体重", fmt::format("{:.1f}", weight), "kg"},
        {"bmi", "BMI", fmt::format("{:.1f}", bmi), "kg/m2"},
        {"waist", "腹囲", std::to_string(waist), "cm"},
        {"sbp", "収縮期血圧", std::to_string(sbp), "mmHg"},
        {"dbp", "拡張期血圧", std::to_string(72 + h / 4096 % 12), "mmHg"},
        {"hba1c", "HbA1c", fmt::format("{:.1f}", 5.2 + (h / 8192 % 8) / 10.0),
         "%"},
        {"ldl", "LDLコレステロール", std::to_string(110 + h / 65536 % 40),
         "mg/dL"},
        {"hdl", "HDLコレステロール", std::to_string(48 + h / 1048576 % 15),
         "mg/dL"},
        {"tg", "中性脂肪", std::to_string(90 + h / 16777216 % 80), "mg/dL"},
    };
    // 腹囲 85 cm (men) and blood pressure 130 mmHg: the 基準 of the
    // metabolic syndrome judgement, simplified to two criteria here.
    c.judgement = waist >= 85 && sbp >= 130 ? "基準該当"
                  : waist >= 85             ? "予備群該当"
                                            : "非該当";
    if (Status s = ins.InsertCheckup(c); !s) status = s;
    ++report.checkups;
  }
}

}  // namespace

std::string SampleInsurerNumber(std::string_view base) {
  auto check = domain::InsurerNumber::CheckDigitOf(base);
  return std::string(base) + (check ? *check : '0');
}

Result<InsuranceSeedReport> SeedInsuranceSampleData(RegistryStore& store,
                                                    RegistryService& registry,
                                                    InsuranceService& insurance,
                                                    const Clock& clock) {
  InsuranceSeedReport report;
  for (const SampleInsurer& s : kInsurers) {
    Insurer insurer{SampleInsurerNumber(s.base), s.name, s.kind};
    OPENMYNA_RETURN_IF_ERROR(insurance.PutInsurer(kSeed, insurer));
    report.insurers.push_back(insurer);
  }
  const MedicalInstitution institutions[] = {
      {"2010991001",
       "千曲サンドボックス診療所",
       InstitutionKind::kClinic,
       "長野県千曲市大字杭瀬下1番地",
       {"drug", "checkup", "care", "surgery"}},
      {"2040991001",
       "千曲サンドボックス薬局",
       InstitutionKind::kPharmacy,
       "長野県千曲市大字杭瀬下2番地",
       {"drug", "checkup"}},
  };
  for (const MedicalInstitution& inst : institutions) {
    OPENMYNA_RETURN_IF_ERROR(insurance.PutInstitution(kSeed, inst));
    report.institutions.push_back(inst);
  }

  // The near-namesake of 千曲 太郎 (number: a valid one of our own making).
  const std::string namesake_number = [] {
    const std::string base = "20231205731";
    return base + std::to_string(domain::IndividualNumberCheckDigit(base));
  }();
  std::optional<Resident> namesake;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(namesake,
                              tx.FindResidentByNumber(namesake_number));
    return Ok();
  }));
  if (!namesake) {
    Resident r;
    r.individual_number = namesake_number;
    r.name = "千曲 太郎";
    r.name_kana = "チクマ タロウ";
    r.date_of_birth = "1980-05-05";
    r.sex = Sex::kMale;
    r.address = "東京都清瀬市中里五丁目842番地";
    r.registered_domicile = "東京都清瀬市";
    r.municipality_code = "13221";
    OPENMYNA_ASSIGN_OR_RETURN(Resident created,
                              registry.RegisterResident(kSeed, r));
    namesake = created;
  }
  report.namesake_id = namesake->id;

  // Memberships, once.
  bool seeded = false;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto existing,
                              InsuranceTx(tx).ListMembershipsOfInsurer(
                                  SampleInsurerNumber("0120991")));
    seeded = !existing.empty();
    return Ok();
  }));
  const domain::Date today = domain::JapanDateOf(clock.Now());
  std::string first_resident_id;
  if (!seeded) {
    std::map<std::string, Membership> current;  // resident id → latest
    std::vector<Resident> residents;
    for (const SampleMembership& s : kMemberships) {
      std::optional<Resident> r;
      OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(r,
                                  tx.FindResidentByNumber(s.resident_number));
        return Ok();
      }));
      if (!r) continue;  // SeedSampleData did not run
      Membership m;
      m.insurer_number = SampleInsurerNumber(s.insurer_base);
      m.symbol = s.symbol;
      m.number = s.number;
      m.branch = s.branch;
      m.relationship = s.relationship;
      m.insured_name = s.insured_name;
      m.name = r->name;
      m.name_kana = r->name_kana;
      m.date_of_birth = r->date_of_birth;
      m.sex = r->sex;
      m.address = r->address;
      m.acquired_on = s.acquired_on;
      m.lost_on = s.lost_on;
      if (!m.lost_on.empty()) m.loss_reason = "03";
      m.card_issued_on = s.acquired_on;
      m.contribution_percent = s.contribution_percent;
      if (m.insurer_number == SampleInsurerNumber("3920991")) {
        m.card_classification = "01";
        m.specific_diseases = {{1, "2024-04-01", "", 10000}};
      }
      if (m.insurer_number == SampleInsurerNumber("13991")) {
        m.limit = LimitCertificate{"01",         "A04",        "2026-08-01",
                                   "2026-08-01", "2027-07-31", false};
      }
      OPENMYNA_ASSIGN_OR_RETURN(
          EnrolmentOutcome out,
          insurance.Enrol(kSeed, {m, std::string(s.resident_number)}));
      ++report.memberships_created;
      if (m.lost_on.empty()) {
        if (!current.contains(r->id)) residents.push_back(*r);
        current[r->id] = out.membership;
      }
    }
    // Histories in one transaction (an import: no audit entries).
    OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
      InsuranceTx ins(tx);
      Status status = Ok();
      for (const Resident& r : residents) {
        GenerateHistory(r, current[r.id], today, ins, report, status);
        GenerateCheckups(r, current[r.id], today, ins, report, status);
      }
      return status;
    }));
  }

  // The first sample resident's card as insurance card, when issued.
  std::optional<Resident> first;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(first, tx.FindResidentByNumber("123456789018"));
    return Ok();
  }));
  if (first) {
    auto registered = insurance.RegisterCard(kSeed, first->id,
                                             RegistrationChannel::kSandboxSeed);
    if (registered) report.registered_resident = first->id;
  }
  return report;
}

}  // namespace openmyna::registry
