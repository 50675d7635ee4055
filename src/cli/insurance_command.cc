// `openmyna insurance credentials|recheck|check` and service `insurance` of
// `openmyna serve` (docs/insurance.md): the eligibility service and the
// insurers' enrolment API, wired to the registry and the sandbox PKI.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/insurance_stack.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/services/insurance_api.h"

namespace openmyna::cli {
namespace {

class InsuranceHttpService final : public http::Service {
 public:
  explicit InsuranceHttpService(std::unique_ptr<InsuranceStack> stack)
      : stack_(std::move(stack)) {}

 private:
  std::unique_ptr<InsuranceStack> stack_;
};

const http::ServiceRegistration kInsuranceService{
    "insurance",
    "eligibility service (オンライン資格確認) and insurers' enrolment API at "
    "/insurance/v1/*",
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
      return std::unique_ptr<http::Service>(
          std::make_unique<InsuranceHttpService>(std::move(stack)));
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
      "insurance", "Health-insurance records: credentials, batch collation");
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
}

const CommandGroup kGroup{"insurance", 50, &AddInsurance};

}  // namespace
}  // namespace openmyna::cli
