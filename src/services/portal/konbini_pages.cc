// コンビニ交付: what the resident can do at a convenience store (issue 10
// item 1, docs/portal.md): the hours and whether the service is open now,
// whether the card is usable at the kiosk, the certificates of the
// municipality of residence and of the domicile with their fees, the
// 利用登録申請 for the domicile's family-register certificates (the
// resident's own online application, ぴったりサービス), and the documents
// that carried the resident's data. The rules and the records are the
// konbini service's (services/konbini/guide.h) and the registry's.
#include "openmyna/base/log.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/services/konbini/guide.h"
#include "portal_internal.h"

namespace openmyna::portal {
namespace {

std::string Yen(const std::optional<int>& yen) {
  return yen ? "¥" + std::to_string(*yen) : "—";
}

std::string_view AvailabilityKey(const konbini::CertificateOffer& o,
                                 bool registered) {
  switch (o.availability) {
    case domain::Availability::kAvailable:
      return o.no_registered_seal ? "portal_konbini_no_seal"
                                  : "portal_konbini_available";
    case domain::Availability::kAfterRegistration:
      return registered ? "portal_konbini_registered"
                        : "portal_konbini_after_registration";
    case domain::Availability::kOtherMunicipality:
      break;
  }
  return "portal_konbini_elsewhere";
}

std::string_view CardKey(konbini::CardAtKiosk::State state) {
  using State = konbini::CardAtKiosk::State;
  switch (state) {
    case State::kUsable:
      return "portal_konbini_card_usable";
    case State::kNotYet:
      return "portal_konbini_card_not_yet";
    case State::kRefused:
      return "portal_konbini_card_refused";
    case State::kFaceAuth:
      return "portal_konbini_card_face_auth";
    case State::kNoCertificate:
      break;
  }
  return "portal_konbini_card_none";
}

}  // namespace

http::Response Portal::Impl::Konbini(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  const web::Language lang = v.language;
  konbini::CentreOptions centre;
  centre.immediate_mapping = options.konbini_immediate_mapping;
  auto guide =
      konbini::GuideForResident(store, v.resident_id, clock.Now(), centre,
                                options.konbini_registration_office_days);
  // A failure of the records is not a failed login (review finding 13):
  // logged (no individual number is in these errors) and said as such.
  if (!guide) {
    log::Get("portal")->error("konbini page: {}", guide.error().message());
    return Error(request, 503, "portal_unavailable");
  }
  const registry::Actor self{v.resident_id, registry::Role::kResident, ""};
  auto mine = applications.ListMine(self, v.resident_id);
  if (!mine) {
    log::Get("portal")->error("konbini page: {}", mine.error().message());
    return Error(request, 503, "portal_unavailable");
  }

  web::View view;
  view.Set("open", !guide->closed_reason)
      .Set("closed_reason", guide->closed_reason.value_or(""))
      .Set("card_state", T(lang, CardKey(guide->card.state)))
      .Set("card_usable",
           guide->card.state == konbini::CardAtKiosk::State::kUsable)
      .Set("card_usable_from", guide->card.usable_from)
      .Set("card_reason", guide->card.reason);

  web::View municipalities = web::View::List();
  web::View registrations = web::View::List();
  bool any_registration = false;
  for (const auto& m : guide->municipalities) {
    web::View rows = web::View::List();
    const bool registered =
        m.registration &&
        m.registration->state == registry::KonbiniRegistrationState::kEffective;
    for (const auto& o : m.certificates) {
      const std::string name(domain::KonbiniCertificateName(o.certificate));
      rows.Push(
          web::View()
              .Set("certificate", T(lang, "portal_konbini_cert_" + name))
              // What the issuer would refuse is not offered (a filed
              // 転出届...): its text instead.
              .Set("availability",
                   !o.refused_reason.empty() &&
                           o.availability !=
                               domain::Availability::kOtherMunicipality
                       ? "✕ " + o.refused_reason
                       : T(lang, AvailabilityKey(o, registered)))
              .Set("konbini_fee", Yen(o.fee ? std::optional(o.fee->konbini_yen)
                                            : std::nullopt))
              .Set("counter_fee", Yen(o.fee ? std::optional(o.fee->counter_yen)
                                            : std::nullopt)));
    }
    std::string role;
    if (m.residence) role = T(lang, "portal_konbini_residence");
    if (m.domicile) {
      role += (role.empty() ? "" : "・") + T(lang, "portal_konbini_domicile");
    }
    municipalities.Push(web::View()
                            .Set("id", "m-" + m.code)
                            .Set("name", m.name)
                            .Set("role", role)
                            .Set("rows", std::move(rows)));
    if (!m.registration) continue;
    any_registration = true;
    // The issuer's view (registry::KonbiniRegistrationOf) and, when it has
    // none, the newest application there (a rejection and its reason).
    const registry::OnlineApplication* newest = nullptr;
    for (const auto& a : *mine) {
      if (a.kind == registry::OnlineApplicationKind::kKonbiniRegistration &&
          a.municipality_code == m.code) {
        newest = &a;
        break;  // ListMine is newest first
      }
    }
    using RState = registry::KonbiniRegistrationState;
    const RState state = m.registration->state;
    const bool rejected =
        state == RState::kNone && newest != nullptr &&
        newest->state == registry::OnlineApplicationState::kRejected;
    std::string key = "portal_konbini_registration_none";
    switch (state) {
      case RState::kNone:
        if (rejected) key = "portal_konbini_registration_rejected";
        break;
      case RState::kSubmitted:
        key = "portal_konbini_registration_submitted";
        break;
      case RState::kPending:
        key = "portal_konbini_registration_pending";
        break;
      case RState::kEffective:
        key = "portal_konbini_registration_effective";
        break;
      case RState::kVoid:
        key = "portal_konbini_registration_void";
        break;
    }
    web::View r;
    r.Set("municipality", m.name)
        .Set("state", Fill(T(lang, key),
                           {{"date", m.registration->effective_on
                                         ? domain::FormatDate(
                                               *m.registration->effective_on)
                                         : std::string()}}))
        .Set("reason", rejected ? newest->decision_reason : std::string())
        .Set("apply", state == RState::kNone || state == RState::kVoid);
    registrations.Push(std::move(r));
  }
  view.Set("municipalities", std::move(municipalities))
      .Set("registrations", std::move(registrations))
      .Set("has_registrations", any_registration);

  web::View issued = web::View::List();
  for (const auto& d : guide->issued) {
    web::View row;
    row.Set("at", registry::FormatJst(d.at)).Set("request_id", d.request_id);
    if (d.ledger) {
      row.Set("municipality", d.municipality_name)
          .Set("certificate",
               T(lang, "portal_konbini_cert_" + d.ledger->certificate))
          .Set("copies", std::to_string(d.ledger->copies))
          // A document handed to the kiosk and never printed: no fee.
          .Set("fee", d.ledger->voided_at ? T(lang, "portal_konbini_void")
                                          : Yen(d.ledger->fee_yen))
          .Set("requester",
               T(lang, d.requested_by_self ? "portal_konbini_by_self"
                                           : "portal_konbini_by_household"));
    }
    issued.Push(std::move(row));
  }
  view.Set("has_issued", !guide->issued.empty())
      .Set("issued", std::move(issued));
  return Page(request, v, "portal_konbini", "konbini", std::move(view),
              "/konbini");
}

}  // namespace openmyna::portal
