// 健康保険証: the resident's memberships as the insurers registered them, the
// registration of the card as insurance card, medication and check-ups
// (issue 10 item 3; the records are the insurance registry's,
// registry/insurance_store.h); POST /insurance/register registers the card
// as insurance card through the insurance registry (RegisterCard,
// RegistrationChannel::kPortal; insurance.md "保険証利用登録").
#include <algorithm>

#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/insurance_store.h"
#include "portal_internal.h"

namespace openmyna::portal {

http::Response Portal::Impl::Insurance(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  const web::Language lang = v.language;
  web::View view;
  auto read = store.Transact([&](registry::RegistryTx& tx) -> Status {
    registry::InsuranceTx insurance(tx);
    OPENMYNA_ASSIGN_OR_RETURN(auto registration,
                              insurance.GetRegistration(v.resident_id));
    const bool registered = registration && !registration->cancelled_at;
    view.Set("registered", registered)
        .Set("proxy", !v.representative_id.empty())
        .Set("registered_at",
             registered ? registry::FormatJst(registration->registered_at)
                        : std::string());
    OPENMYNA_ASSIGN_OR_RETURN(
        auto memberships, insurance.ListMembershipsOfResident(v.resident_id));
    web::View rows = web::View::List();
    // Only memberships the collation holds for this resident: a mismatch
    // blocks viewing (it may be another person's; insurance.md).
    std::erase_if(memberships, [](const registry::Membership& m) {
      return m.link_state != registry::LinkState::kVerified &&
             m.link_state != registry::LinkState::kOverridden;
    });
    for (const auto& m : memberships) {
      OPENMYNA_ASSIGN_OR_RETURN(auto insurer,
                                insurance.GetInsurer(m.insurer_number));
      rows.Push(
          web::View()
              .Set("insurer", insurer ? insurer->name : m.insurer_number)
              .Set("symbol_number",
                   (m.symbol.empty() ? "" : m.symbol + "・") + m.number +
                       (m.branch.empty() ? "" : "（" + m.branch + "）"))
              .Set("relationship",
                   T(lang, m.relationship == registry::Relationship::kInsured
                               ? "portal_insured_self"
                               : "portal_insured_family"))
              .Set("acquired_on", m.acquired_on)
              .Set("lost_on",
                   m.lost_on.empty() ? T(lang, "portal_none") : m.lost_on)
              .Set("percent", std::to_string(m.contribution_percent) + "%"));
    }
    view.Set("has_memberships", !memberships.empty())
        .Set("memberships", std::move(rows));
    // The newest 20 dispensings and every check-up, newest first.
    OPENMYNA_ASSIGN_OR_RETURN(auto medication,
                              insurance.ListMedication(v.resident_id));
    std::reverse(medication.begin(), medication.end());
    if (medication.size() > 20) medication.resize(20);
    web::View drugs = web::View::List();
    for (const auto& d : medication) {
      drugs.Push(web::View()
                     .Set("on", d.dispensed_on)
                     .Set("drug", d.drug_name)
                     .Set("dose", d.dose)
                     .Set("days", std::to_string(d.days)));
    }
    view.Set("has_medication", !medication.empty())
        .Set("medication", std::move(drugs));
    OPENMYNA_ASSIGN_OR_RETURN(auto checkups,
                              insurance.ListCheckups(v.resident_id));
    std::reverse(checkups.begin(), checkups.end());
    web::View exams = web::View::List();
    for (const auto& c : checkups) {
      exams.Push(
          web::View().Set("on", c.examined_on).Set("judgement", c.judgement));
    }
    view.Set("has_checkups", !checkups.empty())
        .Set("checkups", std::move(exams));
    return Ok();
  });
  if (!read) return Error(request, 503, "portal_login_failed");
  return Page(request, v, "portal_insurance", "insurance", std::move(view),
              "/insurance");
}

// The resident's own registration (a representative sees the page but does
// not register for the child here: the form is not shown and the
// registry's rule, actor = the resident, refuses it).
http::Response Portal::Impl::InsuranceRegister(const http::Request& request) {
  auto post = RequirePost(request);
  if (auto* response = std::get_if<http::Response>(&post)) {
    return std::move(*response);
  }
  const Visit& v = std::get<0>(post).first;
  const registry::Actor actor{
      v.representative_id.empty() ? v.resident_id : v.representative_id,
      registry::Role::kResident, "マイナポータル 健康保険証利用登録"};
  registry::InsuranceService insurance(store, clock, rng);
  auto registered = insurance.RegisterCard(
      actor, v.resident_id, registry::RegistrationChannel::kPortal);
  if (!registered) {
    const bool refused =
        registered.error().Is(registry::RegistryErrc::kRefused) ||
        registered.error().Is(registry::RegistryErrc::kInvalidInput) ||
        registered.error().Is(registry::RegistryErrc::kConflict);
    return Error(
        request, refused ? 422 : 503,
        refused ? "portal_insurance_register_refused" : "portal_login_failed",
        refused ? registered.error().message() : std::string());
  }
  return web::SeeOther(Url("/insurance"));  // the page shows it (PRG)
}

}  // namespace openmyna::portal
