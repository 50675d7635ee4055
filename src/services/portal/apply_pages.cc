// ぴったりサービス: the forms, the data to sign, the signed submission.
#include <nlohmann/json.hpp>

#include "openmyna/base/log.h"
#include "openmyna/pki/cms.h"
#include "openmyna/pki/verifier.h"
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

// What a signing round trip keeps with its transaction (oidc_login.h) to
// rebuild the application when the browser comes back.
std::string SigningContext(const registry::OnlineApplicationDraft& draft,
                           std::string_view municipality, TimePoint when) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& [name, value] : draft.fields)
    fields.push_back({name, value});
  return nlohmann::json{
      {"resident", draft.resident_id},
      {"kind", registry::ToString(draft.kind)},
      {"municipality", municipality},
      {"fields", fields},
      {"signing_time",
       std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch())
           .count()}}
      .dump();
}

}  // namespace

std::string Portal::Impl::MunicipalityFor(
    const registry::OnlineApplicationDraft& draft) {
  std::string municipality;
  if (draft.kind == OnlineApplicationKind::kKonbiniRegistration) {
    for (const auto& [name, value] : draft.fields) {
      if (name == "domicile_municipality") return value;
    }
  }
  auto read = store.ReadOneStatement([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(draft.resident_id));
    if (resident) municipality = resident->municipality_code;
    return Ok();
  });
  return read ? municipality : std::string();
}

http::Response Portal::Impl::SubmitSigned(
    const http::Request& request, const Visit& v,
    const registry::OnlineApplicationDraft& draft, ByteView cms) {
  const registry::Actor self{v.resident_id, registry::Role::kResident,
                             "ぴったりサービス"};
  auto submitted = applications.Submit(self, draft, cms);
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

// POST /apply/{kind}/sign: the card signs through the provider's signing
// API (docs/portal.md, "Signing an application"): the signed attributes'
// DigestInfo (content, signing time) goes to a sign transaction; the
// browser goes to the provider's page (QR code and link for `openmyna app
// sign`) and comes back to /apply/callback.
http::Response Portal::Impl::ApplySignStart(
    const http::Request& request,
    const registry::OnlineApplicationDraft& draft) {
  if (!login) return Error(request, 503, "portal_provider_unavailable");
  const std::string municipality = MunicipalityFor(draft);
  const TimePoint when =
      std::chrono::time_point_cast<std::chrono::seconds>(clock.Now());
  const std::string content = registry::OnlineApplicationContent(
      draft.kind, draft.resident_id, municipality, draft.fields);
  auto digest_info = pki::DetachedDigestInfo(
      ByteView(reinterpret_cast<const std::uint8_t*>(content.data()),
               content.size()),
      when);
  if (!digest_info) return Error(request, 503, "portal_sign_failed");
  std::string transaction;
  auto url = login->StartSigning(
      *digest_info, SigningContext(draft, municipality, when), transaction);
  if (!url) {
    log::Get("portal")->error("signing: {}", url.error().message());
    return Error(request, 503, "portal_provider_unavailable");
  }
  http::Response response = web::SeeOther(*url);
  response.AddHeader("Set-Cookie", TransactionCookie(OidcLogin::kSignCookie,
                                                     transaction, 600));
  return response;
}

// GET /apply/callback: the provider's answer; the signature and the
// certificate read from the signing API, the CMS assembled and submitted
// (the municipality verifies it: registry/online_applications.h).
http::Response Portal::Impl::ApplyCallback(const http::Request& request,
                                           const Visit& v) {
  auto query = web::ParseQuery(request);
  const auto transaction = web::CookieValue(request, OidcLogin::kSignCookie);
  if (!login || !query || !transaction) {
    return Error(request, 400, "portal_sign_failed");
  }
  OidcLogin::SigningOutcome outcome =
      login->FinishSigning(*query, *transaction);
  auto answer = [&](http::Response response) {
    response.AddHeader("Set-Cookie",
                       TransactionCookie(OidcLogin::kSignCookie, "", 0));
    return response;
  };
  if (!outcome.login.error_key.empty()) {
    log::Get("portal")->info("signing refused: {} ({})",
                             outcome.login.error_key, outcome.login.detail);
    // The provider's refusal (pin_blocked, no_signature_certificate, a
    // revoked certificate...) in its own words after ours.
    const bool provider = query->Get("error").has_value();
    return answer(Error(
        request, 403, provider ? "portal_sign_refused" : "portal_sign_failed",
        outcome.login.detail.empty() ? "" : " (" + outcome.login.detail + ")"));
  }
  const nlohmann::json context =
      nlohmann::json::parse(outcome.context, nullptr, false);
  auto kind = registry::ParseOnlineApplicationKind(
      context.is_object() ? context.value("kind", "") : "");
  // Only the visit that started the signing submits it.
  if (!kind || context.value("resident", "") != v.resident_id) {
    return answer(Error(request, 403, "portal_sign_failed"));
  }
  registry::OnlineApplicationDraft draft;
  draft.resident_id = v.resident_id;
  draft.kind = *kind;
  for (const auto& f : context["fields"]) {
    draft.fields.emplace_back(f[0].get<std::string>(), f[1].get<std::string>());
  }
  const std::string content = registry::OnlineApplicationContent(
      draft.kind, draft.resident_id, context.value("municipality", ""),
      draft.fields);
  auto certificate = pki::ParseCertificate(outcome.certificate);
  if (!certificate) return answer(Error(request, 422, "portal_sign_failed"));
  const TimePoint when{
      std::chrono::seconds(context.value("signing_time", std::int64_t{0}))};
  auto cms = pki::AssembleDetached(
      ByteView(reinterpret_cast<const std::uint8_t*>(content.data()),
               content.size()),
      certificate->get(), when, outcome.signature);
  if (!cms) {
    return answer(
        Error(request, 422, "portal_signature_refused", cms.error().message()));
  }
  return answer(SubmitSigned(request, v, draft, *cms));
}

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
  if (request.path == Url("/apply/callback")) return ApplyCallback(request, v);
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
  if (!kind || (step != "confirm" && step != "submit" && step != "sign")) {
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
  if (step == "sign") return ApplySignStart(request, draft);
  if (step == "confirm") {
    view.Set("content", registry::OnlineApplicationContent(
                            draft.kind, draft.resident_id,
                            MunicipalityFor(draft), draft.fields))
        .Set("command",
             "openmyna sign --card application.json --out application.p7s\n"
             "openssl cms -cmsout -inform DER -in application.p7s -outform "
             "PEM");
    return Page(request, v, "portal_confirm_title", "apply_confirm",
                std::move(view), "/apply");
  }
  const std::string signature = form.GetOr("signature");
  return SubmitSigned(
      request, v, draft,
      ByteView(reinterpret_cast<const std::uint8_t*>(signature.data()),
               signature.size()));
}

}  // namespace openmyna::portal
