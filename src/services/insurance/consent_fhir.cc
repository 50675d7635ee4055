// A reader consent as a FHIR R4 Consent resource (hl7.org/fhir/R4/
// consent.html; JP Core defines no Consent profile, so the base resource):
//   status      active while valid, inactive after its 24 hours
//   scope       consentscope#patient-privacy (sharing of the patient's data)
//   category    LOINC 59284-0 Patient Consent
//   patient     by the insurance membership (JP_Insurance_memberID, as in
//               Coverage.identifier): the clinic never gets a resident id
//   dateTime    when it was given
//   organization / provision.actor  the institution (医療機関コード)
//   policyRule  v3-ActCode#OPTIN (ppc-1 wants a policy or a policyRule)
//   provision   permit, period = the 24 hours, action consentaction#access,
//               class = the consented items (OQSCD036 codes YZK 薬剤,
//               TKK 特定健診, SRJ 診療, SHJ 手術 in OpenMyna's code system,
//               docs/insurance.md)
//   verification  the method of confirmation (face, pin, visual) as
//               verifiedWith's display — our convention.
#include <fmt/format.h>

#include <map>

#include "openmyna/domain/date.h"
#include "openmyna/services/insurance_api.h"

namespace openmyna::services {
namespace {

using nlohmann::json;

// FHIR instant/dateTime with the JST offset (the messages' local time).
std::string FhirDateTime(TimePoint t) {
  const auto seconds =
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch() +
      domain::kJstOffset;
  const long long of_day = ((seconds.count() % 86400) + 86400) % 86400;
  return fmt::format("{}T{:02}:{:02}:{:02}+09:00",
                     domain::FormatDate(domain::JapanDateOf(t)), of_day / 3600,
                     of_day / 60 % 60, of_day % 60);
}

json Coding(std::string_view system, std::string_view code,
            std::string_view display = {}) {
  json c = {{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

}  // namespace

std::string_view ConsentItemCode(std::string_view item) {
  static const std::map<std::string_view, std::string_view> kCodes = {
      {"drug", "YZK"}, {"checkup", "TKK"}, {"care", "SRJ"}, {"surgery", "SHJ"}};
  auto it = kCodes.find(item);
  return it == kCodes.end() ? std::string_view() : it->second;
}

json ConsentResource(const registry::Consent& consent,
                     const registry::Membership* membership, TimePoint now) {
  const json institution = {
      {"identifier",
       {{"system",
         "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-"
         "institution-no"},
        {"value", consent.institution_code}}}};
  json classes = json::array();
  for (const std::string& item : consent.items) {
    classes.push_back(Coding(kConsentItemSystem, ConsentItemCode(item), item));
  }
  json patient = {{"display", "被保険者（保険証利用登録のカード）"}};
  if (membership != nullptr) {
    patient["identifier"] = {
        {"system",
         "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID"},
        {"value", membership->insurer_number + ":" + membership->symbol + ":" +
                      membership->number + ":" + membership->branch}};
  }
  return {{"resourceType", "Consent"},
          {"id", consent.id},
          {"status", now < consent.valid_until ? "active" : "inactive"},
          {"scope",
           {{"coding",
             {Coding("http://terminology.hl7.org/CodeSystem/consentscope",
                     "patient-privacy", "Privacy Consent")}}}},
          {"category",
           {{{"coding",
              {Coding("http://loinc.org", "59284-0", "Patient Consent")}}}}},
          {"patient", patient},
          {"dateTime", FhirDateTime(consent.given_at)},
          {"organization", {institution}},
          {"policyRule",
           {{"coding",
             {Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode",
                     "OPTIN", "opt-in")}}}},
          {"verification",
           {{{"verified", true},
             {"verifiedWith", {{"display", "method: " + consent.method}}},
             {"verificationDate", FhirDateTime(consent.given_at)}}}},
          {"provision",
           {{"type", "permit"},
            {"period",
             {{"start", FhirDateTime(consent.given_at)},
              {"end", FhirDateTime(consent.valid_until)}}},
            {"actor",
             {{{"role",
                {{"coding",
                  {Coding("http://terminology.hl7.org/CodeSystem/"
                          "v3-ParticipationType",
                          "IRCP", "information recipient")}}}},
               {"reference", institution}}}},
            {"action",
             {{{"coding",
                {Coding("http://terminology.hl7.org/CodeSystem/consentaction",
                        "access", "Access")}}}}},
            {"class", classes}}}};
}

}  // namespace openmyna::services
