// `openmyna kiosk`: one convenience-store session at the sandbox's kiosk
// with the card in a PC/SC reader (docs/konbini.md), and `openmyna verify
// document FILE`: a printed document's signatures and fields.
//
// The kiosk, the centre and the municipal issuers run in this process on
// the sandbox's registry (DIR/registry.db or --postgres) and CA roots; the
// documents are signed with DIR/konbini/<code>.document-key.pem (made on
// first use). With --centre URL the kiosk talks to a centre in another
// process (`serve --only centre`), authenticated by its credential
// (--kiosk-id, DIR/konbini/kiosks/ID.credential), and checks the documents
// with the public keys in DIR/konbini. With --apply-registration the holder
// files the 利用登録申請 of the registered domicile (--municipality) instead
// of taking a certificate. Exit 0 printed (or filed) / valid, 1 refused / not
// valid (the reason is printed), 2 bad input, 3 failure.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/kiosk_card.h"
#include "cli/konbini_settings.h"
#include "cli/registry_target.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/sql.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/centre_http.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/kiosk.h"
#include "openmyna/services/konbini/kiosk_credentials.h"
#include "openmyna/services/konbini/site.h"

namespace openmyna::cli {
namespace {

using konbini::KonbiniErrc;

struct KioskOptions {
  std::string reader;
  std::string pin_env;
  std::string municipality;
  std::string certificate;
  bool household = false;
  std::vector<std::string> members;
  bool honseki = false;
  bool head = false;
  bool individual_number = false;
  int copies = 1;
  std::string out;
  std::string now;
  bool immediate_mapping = false;
  std::string postgres;
  std::string centre;                 // URL of a centre in another process
  std::string kiosk_id = "kiosk-1";   // its credential, for that centre
  std::vector<std::string> settings;  // --set NAME=VALUE (konbini.*)
  bool apply_registration = false;    // the 利用登録申請 instead
  std::string domicile;
  std::string head_of_family;
};

void RunKiosk(const KioskOptions& o, Context& context) {
  auto certificate = domain::ParseKonbiniCertificate(o.certificate);
  if (o.apply_registration) {
    if (o.domicile.empty() || o.head_of_family.empty()) {
      return context.BadInput("--apply-registration",
                              "needs --domicile and --head-of-family");
    }
  } else if (!certificate) {
    return context.BadInput(
        "--certificate", "one of juminhyo, inkan, koseki, koseki-kojin, fuhyo");
  }
  if (o.pin_env.empty()) return context.BadInput("--pin-env", "required");
  const char* pin = std::getenv(o.pin_env.c_str());
  if (pin == nullptr) {
    return context.BadInput("--pin-env", o.pin_env + " is not set");
  }
  std::optional<OffsetClock> shifted;
  SystemClock system_clock;
  const Clock* clock = &system_clock;
  if (!o.now.empty()) {
    auto start = ParseUtcInstant(o.now);
    if (!start) {
      return context.BadInput("--now", "expected YYYY-MM-DDTHH:MM:SSZ (UTC)");
    }
    shifted = OffsetClock::StartingAt(*start);
    clock = &*shifted;
  }
  std::map<std::string, std::string> named;
  for (const std::string& setting : o.settings) {
    const auto equals = setting.find('=');
    if (equals == std::string::npos || equals == 0) {
      return context.BadInput("--set", "NAME=VALUE, got '" + setting + "'");
    }
    named[setting.substr(0, equals)] = setting.substr(equals + 1);
  }
  if (o.immediate_mapping) named["konbini.immediate-mapping"] = "1";
  // In this process no OCSP responder is asked unless konbini.ocsp-url
  // names one (no serve needs to run).
  auto settings = ParseKonbiniSettings(named, DefaultOcsp::kNone);
  if (!settings) return context.BadInput("--set", settings.error().message());
  const bool pdf = o.out.ends_with(".pdf");
  const auto dir = context.DataDir();
  // The centre: in this process on the registry, or another process's.
  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<konbini::Site> site;
  std::unique_ptr<konbini::HttpCentre> remote;
  konbini::CentrePort* centre = nullptr;
  std::map<std::string, std::string> keys;
  if (!o.centre.empty()) {
    if (!o.centre.starts_with("http://") && !o.centre.starts_with("https://")) {
      return context.BadInput("--centre", "an http:// URL");
    }
    auto credential = konbini::LoadKioskCredential(dir, o.kiosk_id);
    if (!credential) return context.Failed(credential.error());
    remote = std::make_unique<konbini::HttpCentre>(o.centre, *credential);
    centre = remote.get();
    keys = konbini::DocumentKeysIn(dir);
  } else {
    auto target = ExistingRegistryTarget(o.postgres, dir);
    if (!target) return context.Failed(target.error());
    auto opened = registry::RegistryStore::Open(*target, *clock);
    if (!opened) return context.Failed(opened.error());
    store = std::move(*opened);
    konbini::SiteOptions site_options;
    settings->ApplyTo(site_options);
    auto ocsp = settings->OcspUrl(dir);
    if (!ocsp) return context.Failed(ocsp.error());
    site_options.ocsp_url = *ocsp;
    site_options.render_pdf = pdf;
    auto made = konbini::Site::Open(dir, *store, *clock, site_options);
    if (!made) return context.Failed(made.error());
    site = std::move(*made);
    centre = &site->centre();
    keys = site->document_keys();
  }

  auto card = PcscKioskCard::Connect(o.reader);
  if (!card) return context.Failed(card.error());
  if (o.apply_registration) {
    Result<konbini::RegistrationReceipt> filed = [&] {
      konbini::Kiosk kiosk(*centre, *clock, keys);
      auto who = kiosk.SignIn(**card, pin);
      card->reset();  // released, as at the machine
      if (!who)
        return Result<konbini::RegistrationReceipt>(Unexpected(who.error()));
      return kiosk.ApplyRegistration(
          *who, {o.municipality, o.domicile, o.head_of_family});
    }();
    if (!filed) {
      std::fprintf(stderr, "openmyna kiosk: %s\n",
                   filed.error().message().c_str());
      return context.SetExitCode(filed.error().Is(KonbiniErrc::kRefused) ? 1
                                 : filed.error().Is(KonbiniErrc::kInvalidInput)
                                     ? kExitBadInput
                                     : kExitFailed);
    }
    std::printf(
        "利用登録申請を受け付けました (the 利用登録申請 was filed): "
        "application %s in the inbox of %s; usable once a clerk there "
        "accepts it and it takes effect\n",
        filed->application_id.c_str(), filed->municipality_code.c_str());
    return;
  }
  konbini::KioskChoice choice;
  choice.municipality_code = o.municipality;
  choice.request.certificate = *certificate;
  choice.request.copies = o.copies;
  choice.request.juminhyo.whole_household = o.household;
  choice.request.juminhyo.members = o.members;
  choice.request.juminhyo.honseki = o.honseki;
  choice.request.juminhyo.head_and_relationship = o.head;
  choice.request.juminhyo.individual_number = o.individual_number;

  Result<konbini::Printout> printed = [&] {
    konbini::Kiosk kiosk(*centre, *clock, keys);
    auto out = kiosk.Run(**card, pin, choice);
    card->reset();  // released, as at the machine
    return out;
  }();
  if (!printed) {
    std::fprintf(stderr, "openmyna kiosk: %s\n",
                 printed.error().message().c_str());
    return context.SetExitCode(
        printed.error().Is(KonbiniErrc::kRefused) ? 1 : kExitFailed);
  }
  for (const auto& page : printed->document.pages) {
    std::printf("--- %d/%d  %s ---\n", page.number, page.count,
                printed->request_id.c_str());
    for (const auto& line : page.lines) std::printf("%s\n", line.c_str());
  }
  std::printf("fee: %d yen\n", printed->fee_yen);
  const std::string out =
      o.out.empty() ? "konbini-" + printed->request_id + ".json" : o.out;
  nlohmann::json file = {{"jws", printed->jws},
                         {"page_codes", printed->page_codes},
                         {"document", konbini::ToJson(printed->document)},
                         {"fee_yen", printed->fee_yen}};
  if (auto written =
          WriteFileAtomically(out, pdf ? printed->pdf : file.dump(2) + "\n",
                              std::filesystem::perms::owner_read |
                                  std::filesystem::perms::owner_write);
      !written) {
    return context.Failed(written.error());
  }
  std::printf("document: %s\n", out.c_str());
}

void RunVerifyDocument(const std::string& file, const std::string& key,
                       Context& context) {
  auto text = ReadFileText(file);
  if (!text) return context.BadInput("file", text.error().message());
  auto trusted = konbini::TrustedKeysIn(context.DataDir());
  if (!key.empty()) {
    auto pem = ReadFileText(key);
    if (!pem) return context.BadInput("--key", pem.error().message());
    trusted.public_key_pem = [pem = *pem](const std::string&) { return pem; };
  }
  const konbini::Verdict verdict = konbini::VerifyPresented(*text, trusted);
  if (!verdict.valid) {
    std::printf("NOT VALID (%s): %s\n", verdict.form.c_str(),
                verdict.reason.c_str());
    return context.SetExitCode(1);
  }
  std::printf("VALID (%s): signed by the document key of %s\n",
              verdict.form.c_str(),
              verdict.document->municipality_code.c_str());
  if (!verdict.pdf_signer.empty()) {
    std::printf("PDF signed by %s\n", verdict.pdf_signer.c_str());
  }
  std::printf("%s\n", konbini::ToJson(*verdict.document).dump(2).c_str());
}

void AddKiosk(CLI::App& app, Context& context) {
  auto o = std::make_shared<KioskOptions>();
  CLI::App* kiosk = app.add_subcommand(
      "kiosk",
      "A convenience-store session with the card in a PC/SC reader: PIN, "
      "certificate, options, fee, a signed document (docs/konbini.md)");
  kiosk->add_option("--reader", o->reader,
                    "PC/SC reader name or a part of one (default: the first "
                    "reader with a card)");
  kiosk
      ->add_option("--pin-env", o->pin_env,
                   "environment variable holding the 4-digit "
                   "authentication PIN")
      ->required();
  kiosk
      ->add_option("--municipality", o->municipality,
                   "local government code of the municipality (residence "
                   "or registered domicile)")
      ->required();
  CLI::Option* certificate =
      kiosk->add_option("--certificate", o->certificate,
                        "juminhyo | inkan | koseki | koseki-kojin | fuhyo");
  CLI::Option* apply = kiosk->add_flag(
      "--apply-registration", o->apply_registration,
      "instead of a certificate: the 利用登録申請 of the "
      "registered domicile --municipality (its 戸籍 and 附票 at "
      "a kiosk; docs/konbini.md), with --domicile and "
      "--head-of-family");
  kiosk->add_option("--domicile", o->domicile,
                    "--apply-registration: 本籍 as on the family register");
  kiosk->add_option("--head-of-family", o->head_of_family,
                    "--apply-registration: 筆頭者 of the family register");
  // A document's options mean nothing to an application: refused with it.
  CLI::Option* document_options[] = {
      certificate,
      kiosk->add_flag("--household", o->household,
                      "住民票: the whole household"),
      kiosk->add_option(
          "--member", o->members,
          "住民票: a household member's resident id (repeatable)"),
      kiosk->add_flag("--honseki", o->honseki, "住民票: with 本籍・筆頭者"),
      kiosk->add_flag("--head", o->head, "住民票: with 世帯主・続柄"),
      kiosk->add_flag("--individual-number", o->individual_number,
                      "住民票: with the individual number (where allowed)"),
      kiosk->add_option("--copies", o->copies, "copies (1-10)")
          ->check(CLI::Range(1, 10)),
      kiosk->add_option("--out", o->out,
                        "where to write the document: FILE.pdf for the "
                        "signed PDF, else JSON with the JWS and the pages' "
                        "2D codes (default konbini-<request id>.json)"),
  };
  for (CLI::Option* option : document_options) {
    apply->excludes(option);
  }
  kiosk->add_option("--now", o->now,
                    "run on a clock starting at this UTC instant "
                    "(YYYY-MM-DDTHH:MM:SSZ), as `serve --now`");
  kiosk->add_flag("--immediate-mapping", o->immediate_mapping,
                  "map a certificate issued today (default: from the next "
                  "day, as municipalities state)");
  kiosk->add_option("--centre", o->centre,
                    "URL of a centre in another process (`serve --only "
                    "centre`); default: the centre and the issuers in this "
                    "process");
  kiosk->add_option("--kiosk-id", o->kiosk_id,
                    "with --centre: this kiosk's id at the centre, its "
                    "credential in DIR/konbini/kiosks/ID.credential (default "
                    "kiosk-1)");
  kiosk->add_option("--set", o->settings,
                    "a konbini setting NAME=VALUE of the centre and issuers "
                    "in this process (repeatable): konbini.ocsp-url=URL (the "
                    "OCSP responder the centre asks; default none), "
                    "konbini.registration-office-days=N, "
                    "konbini.immediate-mapping=0|1, "
                    "konbini.issuer-deadline=MS, "
                    "konbini.confirm-deadline=MS (docs/konbini.md)");
  kiosk->add_option("--postgres", o->postgres,
                    "PostgreSQL URL of the registry (default: "
                    "DIR/registry.db or $OPENMYNA_REGISTRY_DB)");
  kiosk->callback([o, &context] { RunKiosk(*o, context); });

  // `openmyna verify document`, beside `verify cert|cms`.
  CLI::App* verify = nullptr;
  try {
    verify = app.get_subcommand("verify");
  } catch (const CLI::OptionNotFound&) {
    verify = app.add_subcommand("verify",
                                "Verify certificates and "
                                "documents");
  }
  auto file = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  CLI::App* document = verify->add_subcommand(
      "document",
      "Verify a konbini document: the PDF (its signature, then the "
      "document it carries), the JSON `openmyna kiosk` writes, the JWS, or "
      "a page's 2D code as a QR reader gives it");
  document->add_option("file", *file, "the document")->required();
  document->add_option("--key", *key,
                       "the municipality's public key (default: "
                       "DIR/konbini/<code>.document-key.pub.pem)");
  document->callback(
      [file, key, &context] { RunVerifyDocument(*file, *key, context); });
}

const CommandGroup kGroup{"kiosk", 41, &AddKiosk};

}  // namespace
}  // namespace openmyna::cli
