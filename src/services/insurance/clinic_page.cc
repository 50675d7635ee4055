// The reader's screens (insurance_clinic_page.h). The visit itself is
// RunReaderVisit's; this file keeps the screen, the session and the
// consent questions (asked after the holder is confirmed, as the reader
// does: insurance.md §3.1).
#include <algorithm>
#include <mutex>
#include <span>

#include "openmyna/registry/errors.h"
#include "openmyna/services/insurance_clinic_page.h"
#include "openmyna/web/form.h"
#include "openmyna/web/i18n.h"
#include "openmyna/web/screens.h"

namespace openmyna::web {
std::span<const Asset> InsuranceAssets();
}  // namespace openmyna::web

namespace openmyna::services {
namespace {

using http::Request;
using http::Response;
using registry::RegistryErrc;

// The progress list (the session's "step" maps onto it).
constexpr const char* kSteps[] = {"welcome", "method", "consent", "done"};

std::string StepOf(const std::string& screen) {
  if (screen == "pin" || screen == "visual") return "method";
  return screen;
}

struct ClinicPage {
  ClinicPageOptions o;
  std::unique_ptr<web::Screens> screens;
  std::mutex card_mutex;  // one reader, one card
  std::string facility;   // its name (code when unknown)

  std::string Text(const Request& r, std::string_view key) const {
    return screens->Text(r, key);
  }

  // The facility's enabled consent items (insurance.md §3.1).
  std::vector<std::string> ConsentItems() const {
    auto inst = o.reader.service->GetInstitution(o.reader.clinic.id);
    if (!inst || !*inst) return {};
    return (*inst)->consent_items;
  }

  // --- the screens' actions (POST), each followed by 303 to base/ ---

  void Start(const Request& r, const web::Form&, web::Session& s) {
    s.values.clear();
    std::lock_guard card_lock(card_mutex);
    if (auto card = o.open_card(); !card) {
      s.values["error"] =
          Text(r, "clinic_no_card") + " (" + card.error().message() + ")";
      return;
    }
    s.values["step"] = "method";
  }

  void Method(const Request& r, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "method") return;
    s.values["register"] = form.Get("register") ? "1" : "";
    const std::string method = form.GetOr("method");
    if (method == "pin") {
      s.values["step"] = "pin";
    } else if (method == "visual" && !s.Get("failed").empty()) {
      s.values["step"] = "visual";
    } else if (method == "face") {
      ReaderVisit visit;
      visit.method = ReaderMethod::kFace;
      if (!o.camera || !o.face_data) {
        s.values["error"] = Text(r, "clinic_no_camera");
        return;
      }
      auto picture = o.camera();
      auto printed = o.face_data();
      if (!picture || !printed) {
        s.values["error"] =
            Text(r, "clinic_no_camera") + " (" +
            (picture ? printed.error() : picture.error()).message() + ")";
        return;
      }
      visit.camera_png = std::move(*picture);
      visit.face_data = *printed;
      Visit(visit, s);
    }
  }

  void Pin(const Request&, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "pin") return;
    ReaderVisit visit;
    visit.method = ReaderMethod::kPin;
    visit.pin = form.GetOr("pin");
    Visit(visit, s);
  }

  void Visual(const Request&, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "visual") return;
    ReaderVisit visit;
    visit.method = ReaderMethod::kVisual;
    visit.visual_password = form.GetOr("password");
    Visit(visit, s);
  }

  // One visit without consent (asked next); the answer kept for the last
  // screen. A holder not confirmed goes back to the method screen with the
  // reason (a wrong PIN: the tries left), where 目視 is then offered.
  void Visit(ReaderVisit visit, web::Session& s) {
    visit.register_card = !s.Get("register").empty();
    Result<ReaderOutcome> out = [&]() -> Result<ReaderOutcome> {
      std::lock_guard card_lock(card_mutex);
      OPENMYNA_ASSIGN_OR_RETURN(auto card, o.open_card());
      return RunReaderVisit(*card, visit, o.reader);
    }();
    if (!out) {
      s.values["error"] = out.error().message();
      return;
    }
    if (!out->confirmed) {
      s.values["error"] = out->refusal;
      s.values["failed"] = "1";
      s.values["step"] = "method";
      return;
    }
    s.values.erase("failed");
    const registry::EligibilityAnswer& a = *out->answer;
    s.values["serial"] = out->serial;
    s.values["method"] = std::string(ReaderMethodName(visit.method));
    s.values["validity"] = std::to_string(static_cast<int>(a.validity));
    s.values["registered_now"] = out->registered_now ? "1" : "";
    s.values["message"] = out->message;
    if (!a.memberships.empty()) {
      const registry::Membership& m = a.memberships.front();
      s.values["insurer_number"] = m.insurer_number;
      s.values["percent"] = std::to_string(m.contribution_percent);
      for (const registry::Insurer& i : a.insurers) {
        if (i.number == m.insurer_number) s.values["insurer_name"] = i.name;
      }
    }
    // Consent only on a valid qualification outside the grace period (as
    // RunReaderVisit records it).
    const bool ask = a.validity == registry::Validity::kValid &&
                     out->message.empty() && !ConsentItems().empty();
    s.values["step"] = ask ? "consent" : "done";
  }

  void Consent(const Request& r, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "consent") return;
    std::vector<std::string> yes;
    for (const std::string& item : ConsentItems()) {
      if (form.GetOr(item) == "yes") yes.push_back(item);
    }
    if (!yes.empty()) {
      auto consent = o.reader.service->RecordConsent(
          o.reader.clinic, s.Get("serial"), yes, s.Get("method"));
      if (!consent) {
        s.values["error"] = consent.error().message();
        return;
      }
    }
    std::string joined;
    for (const std::string& item : yes) {
      joined += (joined.empty() ? "" : ",") + item;
    }
    s.values["consent_items"] = joined;
    s.values["step"] = "done";
    (void)r;
  }

  void Reset(const Request&, const web::Form&, web::Session& s) {
    s.values.clear();
  }

  // --- GET ---

  web::View ProgressView(const Request& r, const std::string& step) const {
    web::View list = web::View::List();
    for (const char* name : kSteps) {
      list.Push(web::View()
                    .Set("label", Text(r, std::string("clinic_step_") + name))
                    .Set("current", step == name));
    }
    return list;
  }

  void DoneView(const Request& r, const web::Session& s, web::View& v) const {
    const std::string method = s.Get("method");
    v.Set("method_label", Text(r, "clinic_method_" + method));
    const std::string validity = s.Get("validity");
    v.Set("validity", validity);
    v.Set("validity_label", Text(r, "clinic_validity_" + validity));
    if (const std::string number = s.Get("insurer_number"); !number.empty()) {
      v.Set("insurer_number", number);
      v.Set("insurer_name", s.Get("insurer_name"));
      const int percent = std::atoi(s.Get("percent").c_str());
      v.Set("percent", std::to_string(percent));
      v.Set("ratio", web::ChooseLanguage(r) == web::Language::kJa
                         ? std::to_string(percent / 10) + "割"
                         : std::to_string(percent) + " %");
    }
    v.Set("registered_now", !s.Get("registered_now").empty());
    const std::string items = s.Get("consent_items");
    v.Set("consent_items", items);
    std::string label;
    for (std::size_t at = 0; at < items.size();) {
      const std::size_t comma = std::min(items.find(',', at), items.size());
      label += (label.empty() ? "" : "、") +
               Text(r, "clinic_item_" + items.substr(at, comma - at));
      at = comma + 1;
    }
    v.Set("consent_label",
          label.empty() ? Text(r, "clinic_consent_none") : label);
    if (const std::string m = s.Get("message"); !m.empty()) v.Set("message", m);
  }

  Response Render(const Request& r, const web::Session& s) {
    const std::string screen =
        s.Get("step").empty() ? "welcome" : s.Get("step");
    web::PageContent page{.title = Text(r, "clinic_title_" + screen),
                          .template_name = "clinic"};
    web::View& v = page.view;
    v.Set(screen, true);
    v.Set("steps", ProgressView(r, StepOf(screen)));
    v.Set("facility", facility);
    if (const std::string e = s.Get("error"); !e.empty()) v.Set("error", e);
    if (screen == "method") v.Set("visual_offered", !s.Get("failed").empty());
    if (screen == "consent") {
      web::View questions = web::View::List();
      for (const std::string& item : ConsentItems()) {
        questions.Push(web::View()
                           .Set("item", item)
                           .Set("question", Text(r, "clinic_q_" + item)));
      }
      v.Set("questions", questions);
    }
    if (screen == "done") DoneView(r, s, v);
    return screens->site().Render(r, &s, std::move(page));
  }

  using Action = void (ClinicPage::*)(const Request&, const web::Form&,
                                      web::Session&);
};

}  // namespace

Status AddClinicPage(http::Router& router, const ClinicPageOptions& options) {
  const ReaderContext& c = options.reader;
  if (!c.service || !c.store || !c.api || !c.api->clock || !c.api->rng ||
      !c.data_issuer || !options.open_card) {
    return Fail(RegistryErrc::kInvalidInput, "clinic page: missing wiring");
  }
  auto page = std::make_shared<ClinicPage>();
  page->o = options;
  OPENMYNA_ASSIGN_OR_RETURN(auto inst, c.service->GetInstitution(c.clinic.id));
  page->facility = inst ? inst->name + " (" + c.clinic.id + ")" : c.clinic.id;
  OPENMYNA_ASSIGN_OR_RETURN(
      page->screens,
      web::Screens::Make({.base_path = options.base_path,
                          .site_name_key = "clinic_site",
                          .cookie_name = "openmyna_clinic_reader",
                          .timeout = options.timeout,
                          .secure_cookies = options.secure_cookies,
                          .expired_key = "clinic_expired",
                          .home_title_key = "clinic_title_welcome"},
                         web::InsuranceAssets(), *c.api->clock, *c.api->rng));
  const std::pair<const char*, ClinicPage::Action> posts[] = {
      {"start", &ClinicPage::Start},     {"method", &ClinicPage::Method},
      {"pin", &ClinicPage::Pin},         {"visual", &ClinicPage::Visual},
      {"consent", &ClinicPage::Consent}, {"cancel", &ClinicPage::Reset},
      {"finish", &ClinicPage::Reset}};
  for (const auto& [name, action] : posts) {
    OPENMYNA_RETURN_IF_ERROR(
        router.Add("POST", options.base_path + "/" + name,
                   [page, action](const Request& r) {
                     return page->screens->Post(
                         r, [&](const web::Form& form, web::Session& s) {
                           ((*page).*action)(r, form, s);
                         });
                   }));
  }
  return page->screens->AddRoutes(router, [page](const Request& r) {
    return page->screens->Get(
        r, [&](const web::Session& s) { return page->Render(r, s); });
  });
}

}  // namespace openmyna::services
