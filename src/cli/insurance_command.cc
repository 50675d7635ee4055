// `openmyna insurance credentials|recheck` (document and issue-due:
// insurance_document_command.cc) and service `insurance` of
// `openmyna serve` (docs/insurance.md): the eligibility service and the
// insurers' enrolment API, wired to the registry and the sandbox PKI, and
// the clinic reader's page /clinic/ with the card in this machine's PC/SC
// reader (services/insurance_clinic_page.h).
//
// Settings (serve --set): clinic.reader=NAME (a reader name or part of one;
// default the first reader with a card), clinic.institution=CODE (the
// facility; default the sample clinic 2010991001), clinic.camera=FILE (the
// reader camera's picture, read at each face check) and
// clinic.face-data=FILE (the printed face data, `openmyna clinic
// face-data`): without both the face path is not offered.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/insurance_documents.h"
#include "cli/insurance_stack.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/client/pcsc_reader.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/services/insurance_api.h"
#include "openmyna/services/insurance_clinic_page.h"

namespace openmyna::cli {
namespace {

class InsuranceHttpService final : public http::Service {
 public:
  explicit InsuranceHttpService(std::unique_ptr<InsuranceStack> stack)
      : stack_(std::move(stack)) {}
  std::shared_ptr<services::InsuranceApiOptions> options;
  pki::EvpPkeyPtr data_issuer;

 private:
  std::unique_ptr<InsuranceStack> stack_;
};

std::string Setting(const http::ServiceContext& c, const std::string& name,
                    std::string fallback = "") {
  auto it = c.settings.find(name);
  return it == c.settings.end() ? fallback : it->second;
}

// The reader's page /clinic/ (its wiring: the facility, the card in this
// machine's reader, the camera's files). A sandbox that has issued no card
// yet (no data issuer key) or lacks the facility gets no page: said on
// stderr (serve's log), the rest of the service runs.
Status AddClinicPage(const http::ServiceContext& c, http::Router& router,
                     InsuranceStack& stack, InsuranceHttpService& service) {
  const std::string code = Setting(c, "clinic.institution", "2010991001");
  OPENMYNA_ASSIGN_OR_RETURN(auto inst, stack.service->GetInstitution(code));
  auto issuer = LoadDataIssuerKey(c.data_dir);
  if (!inst || !issuer) {
    std::fprintf(stderr, "insurance: no reader page at /clinic/: %s\n",
                 inst ? issuer.error().message().c_str()
                      : ("no institution " + code +
                         " (clinic.institution; `openmyna db seed`)")
                            .c_str());
    return Ok();
  }
  service.data_issuer = std::move(*issuer);
  services::ClinicPageOptions page;
  page.reader = {stack.service.get(),
                 stack.store.get(),
                 service.options.get(),
                 service.data_issuer.get(),
                 {code, registry::Role::kClinic,
                  "顔認証付きカードリーダー " + inst->name}};
  page.open_card = [reader = Setting(c, "clinic.reader")]()
      -> Result<std::unique_ptr<card::client::ApduChannel>> {
    OPENMYNA_ASSIGN_OR_RETURN(auto card,
                              card::client::PcscCard::Connect(reader));
    return std::unique_ptr<card::client::ApduChannel>(std::move(card));
  };
  const std::string camera = Setting(c, "clinic.camera");
  const std::string face_data = Setting(c, "clinic.face-data");
  if (!camera.empty() && !face_data.empty()) {
    page.camera = [camera] { return ReadFileBytes(camera); };
    page.face_data = [face_data]() -> Result<services::PrintedFaceData> {
      OPENMYNA_ASSIGN_OR_RETURN(Bytes text, ReadFileBytes(face_data));
      return services::ParsePrintedFaceData(std::string_view(
          reinterpret_cast<const char*>(text.data()), text.size()));
    };
  }
  return services::AddClinicPage(router, page);
}

const http::ServiceRegistration kInsuranceService{
    "insurance",
    "eligibility service (オンライン資格確認) and insurers' enrolment API at "
    "/insurance/v1/*; the clinic's face-recognition reader at /clinic/ (the "
    "card in this machine's reader)",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      OPENMYNA_ASSIGN_OR_RETURN(auto stack,
                                InsuranceStack::Open(c.data_dir, "", *c.clock));
      auto options = std::make_shared<services::InsuranceApiOptions>();
      options->clock = c.clock;
      options->rng = &stack->rng;
      auto sandbox = pki::Sandbox::Open(c.data_dir);
      if (!sandbox) {
        return Fail(registry::RegistryErrc::kUnavailable,
                    "no sandbox in " + c.data_dir.string() +
                        ": run `openmyna init` first");
      }
      OPENMYNA_ASSIGN_OR_RETURN(options->auth_roots,
                                sandbox->Roots(pki::CaKind::kAuthentication));
      options->ocsp_url = sandbox->base_url() + "/ocsp/auth";
      OPENMYNA_RETURN_IF_ERROR(services::AddInsuranceApi(
          router, *stack->store, *stack->service, options));
      InsuranceStack& wired = *stack;
      auto service = std::make_unique<InsuranceHttpService>(std::move(stack));
      service->options = options;
      OPENMYNA_RETURN_IF_ERROR(AddClinicPage(c, router, wired, *service));
      return std::unique_ptr<http::Service>(std::move(service));
    }};

struct Options {
  std::string postgres;
  std::string institution;
  std::string insurer;
  bool visual = false;  // the clinic's 目視 password instead of its API one
  bool json = false;
};

void RunCredentials(const Options& o, Context& context) {
  if (o.institution.empty() == o.insurer.empty()) {
    return context.BadInput("--institution/--insurer", "give exactly one");
  }
  SystemClock clock;
  auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
  if (!stack) return context.Failed(stack.error());
  registry::InsuranceService& service = *(*stack)->service;
  const registry::Actor system{"cli", registry::Role::kSystem,
                               "insurance credentials"};
  const bool clinic = !o.institution.empty();
  std::optional<registry::MedicalInstitution> inst;
  std::optional<registry::Insurer> insurer;
  if (clinic) {
    auto found = service.GetInstitution(o.institution);
    if (!found) return context.Failed(found.error());
    if (!*found) {
      return context.BadInput("--institution", "no such institution");
    }
    inst = **found;
  } else {
    auto found = service.GetInsurer(o.insurer);
    if (!found) return context.Failed(found.error());
    if (!*found) return context.BadInput("--insurer", "no such insurer");
    insurer = **found;
  }
  auto credential = registry::CreateCredential(
      *(*stack)->store,
      clinic ? registry::Role::kClinic : registry::Role::kInsurer,
      (*stack)->rng, clock);
  if (!credential) return context.Failed(credential.error());
  if (o.visual && !clinic) {
    return context.BadInput("--visual", "only with --institution");
  }
  Status bound = Ok();
  if (clinic && o.visual) {
    inst->visual_credential_id = credential->id;
    bound = service.PutInstitution(system, *inst);
  } else if (clinic) {
    inst->credential_id = credential->id;
    bound = service.PutInstitution(system, *inst);
  } else {
    insurer->credential_id = credential->id;
    bound = service.PutInsurer(system, *insurer);
  }
  if (!bound) return context.Failed(bound.error());
  if (o.json) {
    std::printf("%s\n", nlohmann::json(
                            {{"id", credential->id},
                             {"secret", credential->secret},
                             {"holder", clinic ? inst->code : insurer->number}})
                            .dump()
                            .c_str());
  } else {
    std::printf("%s %s  %s:%s  (shown once; replaces the previous one)\n",
                clinic ? "institution" : "insurer",
                clinic ? inst->code.c_str() : insurer->number.c_str(),
                credential->id.c_str(), credential->secret.c_str());
  }
  context.SetExitCode(kExitOk);
}

void RunRecheck(const Options& o, Context& context) {
  SystemClock clock;
  auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
  if (!stack) return context.Failed(stack.error());
  auto report = (*stack)->service->RecheckLinks(
      {"recheck", registry::Role::kSystem, "batch collation (照合)"});
  if (!report) return context.Failed(report.error());
  if (o.json) {
    std::printf("%s\n", nlohmann::json({{"checked", report->checked},
                                        {"verified", report->verified},
                                        {"mismatched", report->mismatched},
                                        {"overridden", report->overridden}})
                            .dump()
                            .c_str());
  } else {
    std::printf(
        "Collated %d linked memberships: %d verified, %d blocked "
        "(mismatch), %d confirmed by their insurer\n",
        report->checked, report->verified, report->mismatched,
        report->overridden);
  }
  context.SetExitCode(kExitOk);
}

void AddInsurance(CLI::App& app, Context& context) {
  auto options = std::make_shared<Options>();
  CLI::App* group = app.add_subcommand(
      "insurance",
      "Health-insurance records: credentials, batch collation, 資格確認書 / "
      "資格情報のお知らせ");
  group->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--postgres", options->postgres,
                    "PostgreSQL URL of the registry (else "
                    "$OPENMYNA_REGISTRY_DB or DIR/registry.db)");
    sub->add_flag("--json", options->json, "print JSON");
    return sub;
  };
  CLI::App* credentials = common(group->add_subcommand(
      "credentials",
      "Make the API credential of a clinic (--institution CODE) or an "
      "insurer (--insurer NUMBER); printed once"));
  credentials->add_option("--institution", options->institution,
                          "10-digit institution code");
  credentials->add_option("--insurer", options->insurer, "insurer number");
  credentials->add_flag("--visual", options->visual,
                        "the institution's 目視 password for its readers "
                        "(id:secret) instead of its API credential");
  credentials->callback(
      [options, &context] { RunCredentials(*options, context); });
  CLI::App* recheck = common(group->add_subcommand(
      "recheck",
      "Collate every linked membership with the registry; block mismatches"));
  recheck->callback([options, &context] { RunRecheck(*options, context); });
  AddInsuranceDocumentCommands(*group, context);
}

const CommandGroup kGroup{"insurance", 50, &AddInsurance};

}  // namespace
}  // namespace openmyna::cli
