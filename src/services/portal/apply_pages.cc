// ぴったりサービス: the forms, the data to sign, the signed submission.
#include "openmyna/registry/disclosure.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/online_applications.h"
#include "portal_internal.h"

namespace openmyna::portal {
namespace {

using registry::OnlineApplicationKind;

constexpr OnlineApplicationKind kKinds[] = {
    OnlineApplicationKind::kIncomeCertificate,
    OnlineApplicationKind::kTaxCertificate,
    OnlineApplicationKind::kDeliveryAddress,
    OnlineApplicationKind::kKonbiniRegistration,
    OnlineApplicationKind::kInsuranceRegistration,
};

// "/portal/apply/income_certificate/confirm" → ("income_certificate",
// "confirm").
std::pair<std::string, std::string> Split(std::string_view rest) {
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, slash)),
          std::string(rest.substr(slash + 1))};
}

}  // namespace

http::Response Portal::Impl::ApplyList(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  const web::Language lang = v.language;
  web::View kinds = web::View::List();
  for (auto kind : kKinds) {
    const std::string name(registry::ToString(kind));
    kinds.Push(web::View()
                   .Set("kind", name)
                   .Set("label", T(lang, "portal_kind_" + name)));
  }
  const registry::Actor self{v.resident_id, registry::Role::kResident, ""};
  auto mine = applications.ListMine(self, v.resident_id);
  if (!mine) return Error(request, 503, "portal_login_failed");
  web::View rows = web::View::List();
  for (const auto& a : *mine) {
    rows.Push(
        web::View()
            .Set("submitted_at", registry::FormatJst(a.submitted_at))
            .Set("label", T(lang, "portal_kind_" +
                                      std::string(registry::ToString(a.kind))))
            .Set("state",
                 T(lang, "portal_app_state_" +
                             std::string(registry::ToString(a.state)))));
  }
  web::View view;
  view.Set("kinds", std::move(kinds))
      .Set("mine", std::move(rows))
      .Set("has_mine", !mine->empty());
  return Page(request, v, "portal_apply", "apply_list", std::move(view),
              "/apply");
}

http::Response Portal::Impl::ApplyGet(const http::Request& request) {
  auto visit = RequireLogin(request);
  if (auto* response = std::get_if<http::Response>(&visit)) {
    return std::move(*response);
  }
  const Visit& v = std::get<Visit>(visit);
  auto [kind_name, step] =
      Split(std::string_view(request.path).substr(Url("/apply/").size()));
  auto kind = registry::ParseOnlineApplicationKind(kind_name);
  if (!kind || !step.empty()) return Error(request, 404, "portal_unknown_kind");
  web::View fields = web::View::List();
  for (const auto& name : registry::RequiredFields(*kind)) {
    fields.Push(web::View()
                    .Set("name", name)
                    .Set("label", T(v.language, "portal_field_" + name))
                    .Set("value", ""));
  }
  web::View view;
  view.Set("kind", kind_name).Set("fields", std::move(fields));
  return Page(request, v, "portal_kind_" + kind_name, "apply_form",
              std::move(view), "/apply");
}

http::Response Portal::Impl::ApplyPost(const http::Request& request) {
  auto post = RequirePost(request);
  if (auto* response = std::get_if<http::Response>(&post)) {
    return std::move(*response);
  }
  auto& [v, form] = std::get<0>(post);
  const web::Language lang = v.language;
  auto [kind_name, step] =
      Split(std::string_view(request.path).substr(Url("/apply/").size()));
  auto kind = registry::ParseOnlineApplicationKind(kind_name);
  if (!kind || (step != "confirm" && step != "submit")) {
    return Error(request, 404, "portal_unknown_kind");
  }
  registry::OnlineApplicationDraft draft;
  draft.resident_id = v.resident_id;
  draft.kind = *kind;
  bool missing = false;
  web::View fields = web::View::List();
  for (const auto& name : registry::RequiredFields(*kind)) {
    const std::string value = form.GetOr(name);
    missing |= value.empty();
    draft.fields.emplace_back(name, value);
    fields.Push(web::View()
                    .Set("name", name)
                    .Set("label", T(lang, "portal_field_" + name))
                    .Set("value", value));
  }
  web::View view;
  view.Set("kind", kind_name).Set("fields", std::move(fields));
  const std::string title = "portal_kind_" + kind_name;
  if (missing) {
    view.Set("error", T(lang, "portal_field_missing"));
    return Page(request, v, title, "apply_form", std::move(view), "/apply",
                400);
  }
  if (step == "confirm") {
    std::string municipality;
    auto read = store.Transact([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(v.resident_id));
      if (resident) municipality = resident->municipality_code;
      return Ok();
    });
    if (!read) return Error(request, 503, "portal_login_failed");
    if (*kind == OnlineApplicationKind::kKonbiniRegistration) {
      municipality = form.GetOr("domicile_municipality");
    }
    view.Set("content",
             registry::OnlineApplicationContent(draft.kind, draft.resident_id,
                                                municipality, draft.fields))
        .Set("command",
             "openmyna sign --card application.json --out application.p7s\n"
             "openssl cms -cmsout -inform DER -in application.p7s -outform "
             "PEM");
    return Page(request, v, "portal_confirm_title", "apply_confirm",
                std::move(view), "/apply");
  }
  const std::string signature = form.GetOr("signature");
  const registry::Actor self{v.resident_id, registry::Role::kResident,
                             "ぴったりサービス"};
  auto submitted = applications.Submit(
      self, draft,
      ByteView(reinterpret_cast<const std::uint8_t*>(signature.data()),
               signature.size()));
  if (!submitted) {
    if (submitted.error().Is(registry::RegistryErrc::kRefused)) {
      return Error(request, 422, "portal_signature_refused",
                   submitted.error().message());
    }
    if (submitted.error().Is(registry::RegistryErrc::kInvalidInput)) {
      return Error(request, 400, "portal_field_missing");
    }
    return Error(request, 503, "portal_login_failed");
  }
  return Page(request, v, "portal_submitted_title", "apply_done", web::View(),
              "/apply");
}

}  // namespace openmyna::portal
