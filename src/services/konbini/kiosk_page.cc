#include "openmyna/services/konbini/kiosk_page.h"

#include <map>
#include <mutex>
#include <span>
#include <vector>

#include "openmyna/services/konbini/errors.h"
#include "openmyna/web/form.h"
#include "openmyna/web/page.h"
#include "openmyna/web/session.h"

namespace openmyna::web {
std::span<const Asset> KonbiniAssets();
}  // namespace openmyna::web

namespace openmyna::konbini {
namespace {

using domain::KonbiniCertificate;
using http::Request;
using http::Response;

constexpr KonbiniCertificate kCertificates[] = {
    KonbiniCertificate::kJuminhyo, KonbiniCertificate::kInkan,
    KonbiniCertificate::kKoseki, KonbiniCertificate::kKosekiKojin,
    KonbiniCertificate::kFuhyo};

// The screens in order (the session value "step").
constexpr const char* kSteps[] = {"welcome", "pin", "choose", "confirm",
                                  "done"};
// The 利用登録申請's two screens stand in the progress list at the choice
// and at the end.
std::string_view ProgressStep(std::string_view step) {
  if (step == "register") return "choose";
  if (step == "registered") return "done";
  return step;
}

// The holder's choice as session values (c_*) and back.
void StoreChoice(const KioskChoice& c, web::Session& s) {
  s.values["c_municipality"] = c.municipality_code;
  s.values["c_certificate"] =
      std::string(domain::KonbiniCertificateName(c.request.certificate));
  s.values["c_household"] = c.request.juminhyo.whole_household ? "1" : "";
  s.values["c_head"] = c.request.juminhyo.head_and_relationship ? "1" : "";
  s.values["c_honseki"] = c.request.juminhyo.honseki ? "1" : "";
  s.values["c_number"] = c.request.juminhyo.individual_number ? "1" : "";
  s.values["c_copies"] = std::to_string(c.request.copies);
}

KioskChoice LoadChoice(const web::Session& s) {
  KioskChoice c;
  c.municipality_code = s.Get("c_municipality");
  c.request.certificate =
      domain::ParseKonbiniCertificate(s.Get("c_certificate"))
          .value_or(KonbiniCertificate::kJuminhyo);
  c.request.juminhyo.whole_household = !s.Get("c_household").empty();
  c.request.juminhyo.head_and_relationship = !s.Get("c_head").empty();
  c.request.juminhyo.honseki = !s.Get("c_honseki").empty();
  c.request.juminhyo.individual_number = !s.Get("c_number").empty();
  c.request.copies = std::atoi(s.Get("c_copies").c_str());
  return c;
}

struct KioskPage {
  KioskPageOptions o;
  std::unique_ptr<web::Site> site;
  std::unique_ptr<web::SessionStore> sessions;
  std::mutex site_mutex;
  KioskCentre konbini;  // opened on the first session
  std::unique_ptr<Kiosk> kiosk;
  std::mutex card_mutex;  // one reader, one card

  // A document fetched and paid for, held at the centre until the browser
  // takes it (then Kiosk::Print) or the screen is left (then cancelled:
  // void in the ledger).
  struct Printed {
    std::string pdf;
    TimePoint at;
    std::string request_id;  // the centre's session, still open
  };
  std::mutex mutex;                        // guards the two maps
  std::map<std::string, TimePoint> open;   // centre request id → touch
  std::map<std::string, Printed> printed;  // cookie session id → PDF

  std::string Path(std::string_view p) const {
    return o.base_path + "/" + std::string(p);
  }
  std::string Text(const Request& r, std::string_view key) const {
    return site->Text(r, key);
  }

  // Ends what a screen left behind: centre sessions and PDFs not fetched.
  void Sweep() {
    std::vector<std::string> stale;
    {
      std::lock_guard lock(mutex);
      const TimePoint now = o.clock->Now();
      for (auto it = open.begin(); it != open.end();) {
        if (now - it->second > o.timeout) {
          stale.push_back(it->first);
          it = open.erase(it);
        } else {
          ++it;
        }
      }
      std::erase_if(printed, [&](const auto& p) {
        return now - p.second.at > o.timeout;
      });
    }
    for (const auto& id : stale) kiosk->Cancel(id);  // open: ids exist
  }

  // Back to the first screen; the centre's session (if any) ends, the PDF
  // (if any) is wiped: a document not taken was never printed.
  void Reset(web::Session& s) {
    std::string id = s.Get("request_id");
    {
      std::lock_guard lock(mutex);
      if (auto it = printed.find(s.id); it != printed.end()) {
        id = it->second.request_id;
        printed.erase(it);
      }
      if (!id.empty()) open.erase(id);
    }
    if (!id.empty() && kiosk) kiosk->Cancel(id);
    s.values.clear();
  }

  Authenticated Who(const web::Session& s) const {
    return {s.Get("request_id"), s.Get("resident_id"), s.Get("serial"),
            s.Get("residence")};
  }

  // The centre, opened once (a failure is retried next time).
  Status Open() {
    std::lock_guard lock(site_mutex);
    if (kiosk) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(konbini, o.open_centre());
    kiosk = std::make_unique<Kiosk>(*konbini.centre, *o.clock,
                                    konbini.document_keys);
    return Ok();
  }

  std::string MunicipalityName(const std::string& code) const {
    for (const auto& m : konbini.municipalities) {
      if (m.code == code) return m.name;
    }
    return code;
  }

  // --- the screens' actions (POST), each followed by 303 to base/ ---

  void Start(const Request& r, const web::Form&, web::Session& s) {
    Reset(s);
    if (Status opened = Open(); !opened) {
      s.values["error"] = opened.error().message();
      return;
    }
    std::lock_guard card_lock(card_mutex);
    auto card = o.open_card();
    if (!card) {
      s.values["error"] = Text(r, "konbini_kiosk_no_card") + " (" +
                          card.error().message() + ")";
      return;
    }
    if (auto der = (*card)->ReadAuthenticationCertificate(); !der) {
      s.values["error"] = Text(r, "konbini_kiosk_no_certificate") + " (" +
                          der.error().message() + ")";
      return;
    }
    s.values["step"] = "pin";
  }

  void Pin(const Request& r, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "pin") return;
    Result<Authenticated> who = [&]() -> Result<Authenticated> {
      std::lock_guard card_lock(card_mutex);
      OPENMYNA_ASSIGN_OR_RETURN(auto card, o.open_card());
      return kiosk->SignIn(*card, form.GetOr("pin"));
      // the card is released here (konbini.md §1.3)
    }();
    if (!who) {
      // A wrong PIN is tried again here; anything else can be cancelled.
      s.values["error"] = who.error().message();
      return;
    }
    {
      std::lock_guard lock(mutex);
      open[who->request_id] = o.clock->Now();
    }
    s.values["request_id"] = who->request_id;
    s.values["resident_id"] = who->resident_id;
    s.values["serial"] = who->certificate_serial;
    s.values["residence"] = who->municipality_code;
    s.values["step"] = "choose";
    (void)r;
  }

  void Choose(const Request& r, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "choose") return;
    KioskChoice c;
    c.municipality_code = form.GetOr("municipality");
    auto certificate =
        domain::ParseKonbiniCertificate(form.GetOr("certificate"));
    const int copies = std::atoi(form.GetOr("copies", "1").c_str());
    bool known = false;
    for (const auto& m : konbini.municipalities) {
      known = known || m.code == c.municipality_code;
    }
    if (!known || !certificate || copies < 1 || copies > 10) {
      s.values["error"] = Text(r, "konbini_kiosk_choose_all");
      return;
    }
    c.request.certificate = *certificate;
    c.request.copies = copies;
    if (*certificate == KonbiniCertificate::kJuminhyo) {
      c.request.juminhyo.whole_household = form.Get("household").has_value();
      c.request.juminhyo.head_and_relationship = form.Get("head").has_value();
      c.request.juminhyo.honseki = form.Get("honseki").has_value();
      c.request.juminhyo.individual_number = form.Get("number").has_value();
    }
    auto fee = kiosk->Fee(c);
    if (!fee) {
      s.values["error"] = fee.error().message();
      return;
    }
    StoreChoice(c, s);
    s.values["fee"] = std::to_string(*fee);
    s.values["step"] = "confirm";
    std::lock_guard lock(mutex);
    open[s.Get("request_id")] = o.clock->Now();
  }

  void Pay(const Request& r, const web::Form&, web::Session& s) {
    if (s.Get("step") != "confirm") return;
    const Authenticated who = Who(s);
    {
      std::lock_guard lock(mutex);
      // Left too long: Sweep ended it at the centre.
      if (open.erase(who.request_id) == 0) {
        s.values.clear();
        s.values["error"] = Text(r, "konbini_kiosk_timed_out");
        return;
      }
    }
    KioskChoice choice = LoadChoice(s);
    choice.paid_yen = std::atoi(s.Get("fee").c_str());  // simulated coins
    // The session stays at the centre until the browser takes the PDF.
    auto out = kiosk->Fetch(who, choice);
    s.values.clear();
    if (!out) {
      s.values["error"] = out.error().message();
      return;
    }
    if (out->pdf.empty()) {
      kiosk->Cancel(who.request_id);
      s.values["error"] = Text(r, "konbini_kiosk_no_pdf");
      return;
    }
    {
      std::lock_guard lock(mutex);
      const TimePoint now = o.clock->Now();
      open[who.request_id] = now;  // Sweep cancels it if never taken
      printed[s.id] = {std::move(out->pdf), now, who.request_id};
    }
    s.values["step"] = "done";
    s.values["printed_request"] = out->request_id;
    s.values["printed_fee"] = std::to_string(out->fee_yen);
    s.values["printed_pages"] = std::to_string(out->document.pages.size());
  }

  // The 利用登録申請 instead of a certificate: its form.
  void Register(const Request&, const web::Form&, web::Session& s) {
    if (s.Get("step") != "choose") return;
    s.values["step"] = "register";
    std::lock_guard lock(mutex);
    open[s.Get("request_id")] = o.clock->Now();
  }

  void Apply(const Request& r, const web::Form& form, web::Session& s) {
    if (s.Get("step") != "register") return;
    const RegistrationForm filled{form.GetOr("municipality"),
                                  form.GetOr("domicile"),
                                  form.GetOr("head_of_family")};
    bool known = false;
    for (const auto& m : konbini.municipalities) {
      known = known || m.code == filled.domicile_municipality;
    }
    if (!known ||
        filled.domicile.find_first_not_of(" \t") == std::string::npos ||
        filled.head_of_family.find_first_not_of(" \t") == std::string::npos) {
      s.values["error"] = Text(r, "konbini_kiosk_register_all");
      return;
    }
    const Authenticated who = Who(s);
    {
      std::lock_guard lock(mutex);
      if (open.erase(who.request_id) == 0) {  // Sweep ended it
        s.values.clear();
        s.values["error"] = Text(r, "konbini_kiosk_timed_out");
        return;
      }
    }
    auto filed = kiosk->ApplyRegistration(who, filled);  // ends the session
    s.values.clear();
    if (!filed) {
      s.values["error"] = filed.error().message();
      return;
    }
    s.values["step"] = "registered";
    s.values["application_id"] = filed->application_id;
    s.values["application_to"] = filed->municipality_code;
  }

  // --- GET ---

  web::View ProgressView(const Request& r, const std::string& step) const {
    web::View list = web::View::List();
    for (const char* name : kSteps) {
      list.Push(
          web::View()
              .Set("label", Text(r, std::string("konbini_kiosk_step_") + name))
              .Set("current", ProgressStep(step) == name));
    }
    return list;
  }

  Response Render(const Request& r, const web::Session& s) {
    const std::string step = s.Get("step").empty() ? "welcome" : s.Get("step");
    web::PageContent page{.title = Text(r, "konbini_kiosk_title_" + step),
                          .template_name = "kiosk"};
    web::View& v = page.view;
    v.Set(step, true);
    v.Set("steps", ProgressView(r, step));
    if (const std::string e = s.Get("error"); !e.empty()) v.Set("error", e);
    if (step == "choose") {
      web::View municipalities = web::View::List();
      for (const auto& m : konbini.municipalities) {
        municipalities.Push(web::View()
                                .Set("code", m.code)
                                .Set("name", m.name)
                                .Set("checked", m.code == s.Get("residence")));
      }
      v.Set("municipalities", municipalities);
      web::View certificates = web::View::List();
      for (const KonbiniCertificate c : kCertificates) {
        const std::string name(domain::KonbiniCertificateName(c));
        certificates.Push(
            web::View()
                .Set("value", name)
                .Set("label", Text(r, "konbini_cert_" + name))
                .Set("checked", c == KonbiniCertificate::kJuminhyo));
      }
      v.Set("certificates", certificates);
      web::View copies = web::View::List();
      for (int i = 1; i <= 10; ++i) copies.Push(std::to_string(i));
      v.Set("copies", copies);
    }
    if (step == "register") {
      web::View municipalities = web::View::List();
      for (const auto& m : konbini.municipalities) {
        if (m.code == s.Get("residence")) continue;  // no registration there
        municipalities.Push(
            web::View().Set("code", m.code).Set("name", m.name));
      }
      v.Set("municipalities", municipalities);
    }
    if (step == "registered") {
      v.Set("application_id", s.Get("application_id"));
      v.Set("application_to", MunicipalityName(s.Get("application_to")));
    }
    if (step == "confirm") {
      const KioskChoice c = LoadChoice(s);
      v.Set("municipality", MunicipalityName(c.municipality_code));
      v.Set(
          "certificate",
          Text(r, "konbini_cert_" + std::string(domain::KonbiniCertificateName(
                                        c.request.certificate))));
      std::string options;
      const auto add = [&](bool on, std::string_view key) {
        if (!on) return;
        options += (options.empty() ? "" : "、") + Text(r, key);
      };
      add(c.request.juminhyo.whole_household, "konbini_kiosk_household");
      add(c.request.juminhyo.head_and_relationship, "konbini_kiosk_head");
      add(c.request.juminhyo.honseki, "konbini_kiosk_honseki");
      add(c.request.juminhyo.individual_number, "konbini_kiosk_number");
      v.Set("options", options.empty() ? "—" : options);
      v.Set("count", std::to_string(c.request.copies));
      v.Set("fee", s.Get("fee"));
    }
    if (step == "done") {
      bool waiting = false;
      {
        std::lock_guard lock(mutex);
        waiting = printed.contains(s.id);
      }
      v.Set("waiting", waiting);
      v.Set("request_id", s.Get("printed_request"));
      v.Set("fee", s.Get("printed_fee"));
      v.Set("pages", s.Get("printed_pages"));
      v.Set("document", Path("document.pdf"));
    }
    return site->Render(r, &s, std::move(page));
  }

  Response Get(const Request& r) {
    Sweep();
    std::string set_cookie;
    auto found = sessions->Find(r);
    web::Session s = found ? *found : sessions->Create();
    if (!found) set_cookie = sessions->SetCookie(s);
    Response response = Render(r, s);
    if (s.values.erase("error") > 0) sessions->Save(s);  // shown once
    if (!set_cookie.empty()) response.AddHeader("Set-Cookie", set_cookie);
    return response;
  }

  // The PDF, once: "printed" (the centre's session ends), then wiped from
  // the machine; nothing when the centre no longer holds the session.
  Response Document(const Request& r) {
    Sweep();
    auto s = sessions->Find(r);
    std::string pdf;
    std::string request_id;
    if (s) {
      std::lock_guard lock(mutex);
      if (auto it = printed.find(s->id); it != printed.end()) {
        pdf = std::move(it->second.pdf);
        request_id = it->second.request_id;
        printed.erase(it);
        open.erase(request_id);
      }
    }
    Status printed_ok = Ok();
    if (!pdf.empty()) printed_ok = kiosk->Print(request_id);
    if (!printed_ok) {
      pdf.clear();
      // The issuer did not confirm the print in time: nothing was printed,
      // and the holder is told so (not "nothing to take").
      if (printed_ok.error().Is(KonbiniErrc::kTimeout)) {
        return site->Error(r, 504, Text(r, "konbini_kiosk_print_unconfirmed"),
                           {Path(""), Text(r, "konbini_kiosk_title_welcome")});
      }
    }
    if (pdf.empty()) {
      return site->Error(r, 404, Text(r, "konbini_kiosk_no_document"),
                         {Path(""), Text(r, "konbini_kiosk_title_welcome")});
    }
    Response response;
    response.content_type = "application/pdf";
    response.body = std::move(pdf);
    response.AddHeader("Content-Disposition",
                       "attachment; filename=\"konbini-" +
                           s->Get("printed_request") + ".pdf\"");
    response.AddHeader("Cache-Control", "no-store");
    response.AddHeader("X-Content-Type-Options", "nosniff");
    return response;
  }

  using Action = void (KioskPage::*)(const Request&, const web::Form&,
                                     web::Session&);

  Response Post(const Request& r, Action action) {
    Sweep();
    auto form = web::ParseFormBody(r);
    auto s = sessions->Find(r);
    if (!form || !s || !web::SessionStore::CheckCsrf(*s, *form)) {
      return site->Error(r, s ? 403 : 400, Text(r, "konbini_kiosk_expired"),
                         {Path(""), Text(r, "konbini_kiosk_title_welcome")});
    }
    (this->*action)(r, *form, *s);
    sessions->Save(*s);
    return web::SeeOther(Path(""));
  }

  void Cancel(const Request&, const web::Form&, web::Session& s) { Reset(s); }
};

}  // namespace

KioskCentre InProcessCentre(std::unique_ptr<Site> site) {
  KioskCentre out;
  out.document_keys = site->document_keys();
  out.municipalities = site->municipalities();
  std::shared_ptr<Site> owner(std::move(site));
  Centre* centre = &owner->centre();
  out.centre = std::shared_ptr<CentrePort>(std::move(owner), centre);
  return out;
}

Status AddKioskPage(http::Router& router, const KioskPageOptions& options) {
  if (!options.open_centre || options.clock == nullptr ||
      options.rng == nullptr || !options.open_card) {
    return Fail(KonbiniErrc::kInvalidInput, "kiosk page: missing wiring");
  }
  auto page = std::make_shared<KioskPage>();
  page->o = options;
  // kiosk.css among the static files (by extension).
  OPENMYNA_ASSIGN_OR_RETURN(
      web::Site site,
      web::Site::FromAssets({options.base_path, "konbini_kiosk_site", ""},
                            web::KonbiniAssets(), web::KonbiniAssets()));
  page->site = std::make_unique<web::Site>(std::move(site));
  page->sessions = std::make_unique<web::SessionStore>(
      web::SessionOptions{.cookie_name = "openmyna_kiosk",
                          .cookie_path = options.base_path + "/",
                          .secure = options.secure_cookies,
                          .idle_timeout = options.timeout},
      *options.clock, *options.rng);
  const std::string base = options.base_path;
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", base + "/", [page](const Request& r) { return page->Get(r); }));
  OPENMYNA_RETURN_IF_ERROR(
      router.Add("GET", base + "/document.pdf",
                 [page](const Request& r) { return page->Document(r); }));
  const std::pair<const char*, KioskPage::Action> posts[] = {
      {"start", &KioskPage::Start},       {"pin", &KioskPage::Pin},
      {"choose", &KioskPage::Choose},     {"pay", &KioskPage::Pay},
      {"register", &KioskPage::Register}, {"apply", &KioskPage::Apply},
      {"cancel", &KioskPage::Cancel},     {"finish", &KioskPage::Cancel}};
  for (const auto& [name, action] : posts) {
    OPENMYNA_RETURN_IF_ERROR(router.Add(
        "POST", base + "/" + name,
        [page, action](const Request& r) { return page->Post(r, action); }));
  }
  return page->site->AddStaticRoutes(router);
}

}  // namespace openmyna::konbini
