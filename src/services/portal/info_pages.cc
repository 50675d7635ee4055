// あなたの情報 and お知らせ.
#include "openmyna/domain/date.h"
#include "openmyna/domain/validity.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/resident_notices.h"
#include "portal_internal.h"

namespace openmyna::portal {
namespace {

using registry::RegistryTx;

std::string RenewalOpens(std::string_view last_day) {
  auto date = domain::ParseDate(last_day);
  return date ? domain::FormatDate(domain::RenewalWindowOpens(*date)) : "";
}

std::string_view SexKey(registry::Sex sex) {
  switch (sex) {
    case registry::Sex::kMale:
      return "portal_sex_male";
    case registry::Sex::kFemale:
      return "portal_sex_female";
    case registry::Sex::kUnknown:
      break;
  }
  return "portal_sex_unknown";
}

}  // namespace

http::Response Portal::Impl::Me(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  const web::Language lang = v.language;
  const TimePoint now = clock.Now();
  web::View view;
  auto read = store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(v.resident_id));
    if (!resident) return Fail(registry::RegistryErrc::kNotFound, "");
    OPENMYNA_ASSIGN_OR_RETURN(auto municipality,
                              tx.GetMunicipality(resident->municipality_code));
    std::string representative = T(lang, "portal_none");
    if (!resident->legal_representative_id.empty()) {
      OPENMYNA_ASSIGN_OR_RETURN(
          auto rep, tx.GetResident(resident->legal_representative_id));
      if (rep) representative = rep->name;
    }
    view.Set("name", resident->name)
        .Set("former_surname", resident->former_surname.empty()
                                   ? T(lang, "portal_none")
                                   : resident->former_surname)
        .Set("birth", resident->date_of_birth)
        .Set("sex", T(lang, SexKey(resident->sex)))
        .Set("address", resident->address)
        .Set("legal_representative", representative)
        .Set("municipality_body",
             T(lang, "portal_body_municipality") +
                 (municipality
                      ? " " + municipality->prefecture + municipality->name
                      : std::string()));
    // 世帯: the members and their 続柄 as the municipality registered them.
    OPENMYNA_ASSIGN_OR_RETURN(auto household,
                              registry::CivilTx(tx).HouseholdOf(v.resident_id));
    web::View members = web::View::List();
    if (household) {
      for (const auto& member : household->members) {
        OPENMYNA_ASSIGN_OR_RETURN(auto person,
                                  tx.GetResident(member.resident_id));
        if (!person) continue;
        members.Push(web::View()
                         .Set("name", person->name)
                         .Set("relationship", member.relationship)
                         .Set("birth", person->date_of_birth));
      }
      view.Set("household_address", household->address);
    }
    view.Set("has_household", household.has_value())
        .Set("household", std::move(members));
    OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(v.resident_id));
    web::View card_views = web::View::List();
    web::View cert_views = web::View::List();
    for (auto it = cards.rbegin(); it != cards.rend(); ++it) {
      const registry::Card& card = *it;
      web::View notes = web::View::List();
      for (const auto& note : card.notes) {
        notes.Push(web::View()
                       .Set("written_on", note.written_on)
                       .Set("text", note.text));
      }
      card_views.Push(
          web::View()
              .Set("kind", T(lang, card.kind == registry::CardKind::kFaceAuth
                                       ? "portal_kind_face_auth"
                                       : "portal_kind_standard"))
              .Set("state",
                   T(lang, "portal_state_" +
                               std::string(registry::ToString(card.state))))
              .Set("expires_on", card.expires_on)
              .Set("renewal_opens", RenewalOpens(card.expires_on))
              .Set("notes", std::move(notes)));
      OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(card.id));
      for (const auto& cert : certs) {
        const std::string last_day =
            domain::FormatDate(domain::JapanDateOf(cert.not_after));
        const std::string_view state = cert.revoked ? "portal_cert_revoked"
                                       : cert.not_after < now
                                           ? "portal_cert_expired"
                                           : "portal_cert_valid";
        cert_views.Push(
            web::View()
                .Set("type",
                     T(lang, cert.type == registry::CertificateType::kSignature
                                 ? "portal_cert_signature"
                                 : "portal_cert_authentication"))
                .Set("serial", cert.serial)
                .Set("expires_on", last_day)
                .Set("state", T(lang, state))
                .Set("renewal_opens", RenewalOpens(last_day)));
      }
    }
    view.Set("cards", std::move(card_views))
        .Set("certificates", std::move(cert_views));
    return Ok();
  });
  if (!read) return Error(request, 503, "portal_login_failed");
  return Page(request, v, "portal_me", "me", std::move(view), "/me");
}

http::Response Portal::Impl::Notices(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  const web::Language lang = v.language;
  std::vector<registry::ResidentNotice> notices;
  auto read = store.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_RETURN_IF_ERROR(
        registry::RefreshResidentNotices(tx, v.resident_id, clock.Now(), rng));
    OPENMYNA_ASSIGN_OR_RETURN(notices,
                              registry::ListResidentNotices(tx, v.resident_id));
    return Ok();
  });
  if (!read) return Error(request, 503, "portal_login_failed");
  web::View list = web::View::List();
  for (const auto& notice : notices) {
    std::vector<std::pair<std::string, std::string>> params(
        notice.params.begin(), notice.params.end());
    for (auto& [key, value] : params) {
      if (key == "application_kind") {
        value = T(lang, "portal_kind_" + value);
      } else if (key == "result") {
        value = T(lang, "portal_result_" + value);
      } else if (key == "body" &&
                 notice.kind ==
                     registry::ResidentNoticeKind::kThirdPartyAccess) {
        if (auto role = registry::ParseRole(value))
          value = RoleName(lang, *role);
      }
    }
    const std::string text =
        Fill(T(lang,
               "portal_notice_" + std::string(registry::ToString(notice.kind))),
             params);
    list.Push(web::View()
                  .Set("id", notice.id)
                  .Set("text", text)
                  .Set("at", registry::FormatJst(notice.created_at))
                  .Set("unread", !notice.read_at.has_value()));
  }
  web::View view;
  view.Set("notices", std::move(list)).Set("has_notices", !notices.empty());
  return Page(request, v, "portal_notices", "notices", std::move(view),
              "/notices");
}

http::Response Portal::Impl::MarkRead(const http::Request& request) {
  auto post = RequirePost(request);
  if (auto* response = std::get_if<http::Response>(&post)) {
    return std::move(*response);
  }
  auto& [v, form] = std::get<0>(post);
  const std::string id = form.GetOr("id");
  auto marked = store.Transact([&](RegistryTx& tx) {
    return registry::MarkResidentNoticeRead(tx, v.resident_id, id, clock.Now());
  });
  // Another resident's notice id is simply not found: nothing leaks.
  if (!marked) return Error(request, 404, "web_not_found");
  return web::SeeOther(Url("/notices"));
}

}  // namespace openmyna::portal
