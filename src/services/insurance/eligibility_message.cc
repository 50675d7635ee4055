// The eligibility answer as the national system's XmlMsg (insurance.md §1.6,
// §2.3, §2.4): element names and code values as public client code shows
// them; nested element names of 高齢受給者/限度額/特定疾病 are OpenMyna's
// convention where no public source gives them (docs/insurance.md).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "openmyna/domain/date.h"
#include "openmyna/services/insurance_api.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::Membership;

// "YYYY-MM-DD" -> "YYYYMMDD"; "" stays "".
std::string Compact(std::string_view date) {
  std::string out;
  for (char c : date) {
    if (c != '-') out += c;
  }
  return out;
}

// Adds `key` only when `value` is not empty (optional elements are absent,
// not empty, in the messages).
void Put(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

// YYYYMMDDhhmmss in JST (the messages carry local time).
std::string JstStamp(TimePoint t) {
  const auto since_epoch =
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch() +
      domain::kJstOffset;
  const long long of_day = since_epoch.count() % 86400;
  return fmt::format("{}{:02}{:02}{:02}",
                     Compact(domain::FormatDate(domain::JapanDateOf(t))),
                     of_day / 3600, of_day / 60 % 60, of_day % 60);
}

json ResultOf(const Membership& m,
              const std::map<std::string, std::string>& insurer_names) {
  json r = json::object();
  Put(r, "InsuredCardClassification", m.card_classification);
  Put(r, "InsurerNumber", m.insurer_number);
  if (auto it = insurer_names.find(m.insurer_number);
      it != insurer_names.end()) {
    Put(r, "InsurerName", it->second);
  }
  Put(r, "InsuredCardSymbol", m.symbol);
  Put(r, "InsuredIdentificationNumber", m.number);
  Put(r, "InsuredBranchNumber", m.branch);
  r["PersonalFamilyClassification"] =
      m.relationship == registry::Relationship::kInsured ? "1" : "2";
  Put(r, "InsuredName", m.insured_name);
  Put(r, "Name", m.name);
  Put(r, "NameKana", m.name_kana);
  r["Sex1"] = std::to_string(static_cast<int>(m.sex));  // OQSCD007
  Put(r, "Birthdate", Compact(m.date_of_birth));
  Put(r, "Address", m.address);
  Put(r, "PostNumber", m.post_number);
  Put(r, "QualificationDate", Compact(m.acquired_on));
  Put(r, "DisqualificationDate", Compact(m.lost_on));
  Put(r, "ReasonOfLoss", m.loss_reason);
  Put(r, "InsuredCertificateIssuanceDate", Compact(m.card_issued_on));
  Put(r, "InsuredCardValidDate", Compact(m.acquired_on));
  Put(r, "InsuredCardExpirationDate", Compact(m.card_valid_until));
  r["InsuredPartialContributionRatio"] =
      fmt::format("{:03}", m.contribution_percent);
  if (m.preschool) r["PreschoolClassification"] = "1";
  if (m.elderly) {
    r["ElderlyRecipientCertificateInfo"] = {
        {"ElderlyRecipientCertificateDate", Compact(m.elderly->issued_on)},
        {"ElderlyRecipientValidStartDate", Compact(m.elderly->valid_from)},
        {"ElderlyRecipientValidEndDate", Compact(m.elderly->valid_to)},
        {"ElderlyRecipientContributionRatio",
         fmt::format("{:03}", m.elderly->contribution_percent)}};
  }
  if (m.limit) {
    json l = json::object();
    Put(l, "LimitApplicationCertificateClassification",
        m.limit->classification);
    Put(l, "LimitApplicationCertificateClassificationFlag", m.limit->category);
    Put(l, "LimitApplicationCertificateDate", Compact(m.limit->issued_on));
    Put(l, "LimitApplicationCertificateValidStartDate",
        Compact(m.limit->valid_from));
    Put(l, "LimitApplicationCertificateValidEndDate",
        Compact(m.limit->valid_to));
    if (m.limit->long_term_hospitalisation) {
      l["LimitApplicationCertificateLongTermDate"] =
          Compact(m.limit->valid_from);
    }
    r["LimitApplicationCertificateRelatedInfo"] = std::move(l);
  }
  if (!m.specific_diseases.empty()) {
    json list = json::array();
    for (const auto& d : m.specific_diseases) {
      json one = {
          {"SpecificDiseasesDiseaseCategory", std::to_string(d.category)},
          {"SpecificDiseasesSelfPay", std::to_string(d.self_pay_limit_yen)}};
      Put(one, "SpecificDiseasesValidStartDate", Compact(d.valid_from));
      Put(one, "SpecificDiseasesValidEndDate", Compact(d.valid_to));
      list.push_back(std::move(one));
    }
    r["SpecificDiseasesCertificateList"]["SpecificDiseasesCertificateInfo"] =
        std::move(list);
  }
  return r;
}

// The consent state of each information kind (insurance.md §1.6, OQSCD016:
// 0 同意なし, 1 同意あり, 2 同意有効期限切れ), with ConsTime and
// AvailableTime (YYYYMMDDhhmmss, JST) when consent was given for it.
void AddConsentState(json& result,
                     const std::optional<registry::Consent>& consent,
                     TimePoint now) {
  static constexpr std::pair<const char*, const char*> kKinds[] = {
      {"drug", "PharmacistsInfo"},
      {"checkup", "SpecificHealthCheckupsInfo"},
      {"care", "DiagnosisInfo"},
      {"surgery", "OperationInfo"}};
  for (const auto& [item, prefix] : kKinds) {
    const bool given =
        consent && std::find(consent->items.begin(), consent->items.end(),
                             item) != consent->items.end();
    const std::string base(prefix);
    result[base + "ConsFlg"] =
        !given ? "0" : (now < consent->valid_until ? "1" : "2");
    if (given) {
      result[base + "ConsTime"] = JstStamp(consent->given_at);
      result[base + "AvailableTime"] = JstStamp(consent->valid_until);
    }
  }
}

}  // namespace

json EligibilityMessage(const registry::EligibilityAnswer& answer,
                        std::string_view institution_code, TimePoint now,
                        std::string_view message) {
  // Built in place (an initializer list copies every subtree it is given:
  // the whole result list, once per level, in the session-8 profile).
  json out = json::object();
  json& xml = out["XmlMsg"];
  json& header = xml["MessageHeader"];
  header["ProcessExecutionTime"] = JstStamp(now);
  header["QualificationConfirmationDate"] = Compact(answer.confirmation_date);
  header["MedicalInstitutionCode"] = std::string(institution_code);
  header["ReferenceClassification"] =
      std::to_string(answer.reference_classification);
  header["SegmentOfResult"] = "1";          // 正常終了 (OQSCD003)
  header["CharacterCodeIdentifier"] = "0";  // UTF-8 (OQSCD005)
  std::map<std::string, std::string> names;
  for (const auto& insurer : answer.insurers) {
    names[insurer.number] = insurer.name;
  }
  json& body = xml["MessageBody"];
  body["ProcessingResultStatus"] = "1";
  body["QualificationValidity"] =
      std::to_string(static_cast<int>(answer.validity));
  std::string text(message);
  if (text.empty()) text = answer.message;
  if (!text.empty()) body["ProcessingResultMessage"] = text;
  if (!answer.memberships.empty()) {
    json& list = body["ResultList"]["ResultOfQualificationConfirmation"];
    list = json::array();
    for (const Membership& m : answer.memberships) {
      json result = ResultOf(m, names);
      if (answer.reference_classification == 1) {
        AddConsentState(result, answer.consent, now);
      }
      list.push_back(std::move(result));
    }
  }
  return out;
}

json CoverageBundle(const registry::EligibilityAnswer& answer) {
  static constexpr const char* kExt =
      "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/";
  std::map<std::string, std::string> names;
  for (const auto& insurer : answer.insurers) {
    names[insurer.number] = insurer.name;
  }
  json entries = json::array();
  for (const Membership& m : answer.memberships) {
    const bool valid =
        m.acquired_on <= answer.confirmation_date &&
        (m.lost_on.empty() || answer.confirmation_date < m.lost_on);
    json coverage = {
        {"resourceType", "Coverage"},
        {"id", m.id},
        {"meta",
         {{"profile",
           {"http://jpfhir.jp/fhir/core/StructureDefinition/JP_Coverage"}}}},
        {"extension",
         {{{"url", std::string(kExt) + "JP_Coverage_InsuredPersonSymbol"},
           {"valueString", m.symbol}},
          {{"url", std::string(kExt) + "JP_Coverage_InsuredPersonNumber"},
           {"valueString", m.number}},
          {{"url", std::string(kExt) + "JP_Coverage_InsuredPersonSubNumber"},
           {"valueString", m.branch}}}},
        {"identifier",
         {{{"system",
            "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID"},
           {"value", m.insurer_number + ":" + m.symbol + ":" + m.number + ":" +
                         m.branch}}}},
        // FHIR R4 Coverage.status: active | cancelled | draft |
        // entered-in-error.
        {"status", valid ? "active" : "cancelled"},
        {"subscriberId", m.symbol + ":" + m.number},
        {"beneficiary", {{"display", m.name}}},
        {"dependent", m.branch},
        // MHLW 別表12: 1 被保険者, 2 被扶養者.
        {"relationship",
         {{"coding",
           {{{"system",
              "http://jpfhir.jp/fhir/core/CodeSystem/"
              "JP_SubscriberRelationship"},
             {"code", m.relationship == registry::Relationship::kInsured
                          ? "1"
                          : "2"}}}}}},
        {"period", json::object()},
        {"payor",
         {{{"identifier",
            {{"system", "urn:oid:1.2.392.100495.20.3.61"},
             {"value", m.insurer_number}}},
           {"display", names.count(m.insurer_number)
                           ? names.at(m.insurer_number)
                           : m.insurer_number}}}},
        {"costToBeneficiary",
         {{{"type",
            {{"coding",
              {{{"system",
                 "http://terminology.hl7.org/CodeSystem/coverage-copay-type"},
                {"code", "copaypct"}}}}}},
           {"valueQuantity",
            {{"value", m.contribution_percent}, {"unit", "%"}}}}}}};
    if (!m.acquired_on.empty()) coverage["period"]["start"] = m.acquired_on;
    if (!m.lost_on.empty()) {
      // lost_on is the first day without coverage; period.end is inclusive.
      auto lost = domain::ParseDate(m.lost_on);
      if (lost) {
        coverage["period"]["end"] =
            domain::FormatDate(domain::AddDays(*lost, -1));
      }
    }
    entries.push_back(
        {{"fullUrl", "urn:uuid:coverage-" + m.id}, {"resource", coverage}});
  }
  return {{"resourceType", "Bundle"},
          {"type", "searchset"},
          {"total", entries.size()},
          {"entry", entries}};
}

}  // namespace openmyna::services
